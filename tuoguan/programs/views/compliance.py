"""Compliance with the construction standard: per term, and across the subtree; evidence.

Computed live from the data (programs/compliance.py), never a verdict typed in by hand.
"""

from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tuoguan.core.kit import GET_POST, form_errors, form_page, paginate, serve_file
from tuoguan.orgs.kit import ActorRequest, staff_actor
from tuoguan.orgs.models import Role
from tuoguan.orgs.permissions import require

from .. import selectors, services
from ..compliance import term_compliance
from ..forms.programs import ComplianceFilterForm
from ..forms.standards import EvidenceForm, ReviewForm
from ..permissions import REVIEW_ROLES, can_manage_term, can_review_evidence

# Who supervises: reads the compliance of the classes below.
SUPERVISOR_ROLES = frozenset({Role.UNION_ADMIN, Role.REVIEWER, Role.INSPECTOR})


@login_required
@require_GET
def term_compliance_view(request: ActorRequest, pk: int) -> HttpResponse:
    """Each criterion of the term's standard: pass / fail / pending / n.a., and why."""
    actor = request.actor
    term = selectors.term_for(actor, pk)
    judged = term_compliance(term)
    can_upload = can_manage_term(actor, term) and not term.is_closed
    # One section per area: groupby needs the rows sorted the way standard_detail sorts them.
    ordered = sorted(
        judged.rows, key=lambda row: (row.criterion.area, row.criterion.order, row.criterion.pk)
    )
    areas = [
        (rows[0].criterion.get_area_display(), rows)
        for _area, group in groupby(ordered, key=lambda row: row.criterion.area)
        if (rows := list(group))
    ]
    context = {
        "term": term,
        "judged": judged,
        "areas": areas,
        "can_upload": can_upload,
        "can_review": can_review_evidence(actor, term),
        "can_rejudge": can_upload or can_review_evidence(actor, term),
    }
    return render(request, "programs/term_compliance.html", context)


@login_required
@GET_POST
def evidence_upload(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    term = selectors.term_for(actor, pk)
    require(can_manage_term(actor, term))
    criteria = selectors.evidence_criteria(term)
    initial = {"criterion": request.GET.get("criterion")}
    form = EvidenceForm(
        request.POST or None, request.FILES or None, criteria=criteria, initial=initial
    )
    return form_page(
        request,
        form,
        lambda: services.evidence_upload(
            actor=actor,
            term=term,
            criterion=form.cleaned_data["criterion"],
            file=form.cleaned_data["file"],
            note=form.cleaned_data["note"],
        ),
        done=_("Evidence uploaded; the union above will review it."),
        then="programs:term_compliance",
        template="programs/evidence_form.html",
        context={"term": term},
        pk=term.pk,
    )


@login_required
@GET_POST
def evidence_review(request: ActorRequest, pk: int) -> HttpResponse:
    """Accept or reject a piece of evidence; a rejection says what is missing."""
    actor = request.actor
    evidence = selectors.evidence_for(actor, pk)
    require(can_review_evidence(actor, evidence.term))
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.evidence_review(
                actor=actor,
                evidence=evidence,
                accepted=form.cleaned_data["decision"] == "accept",
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            form_errors(form, exc, rename={"review_comment": "comment"})
        else:
            messages.success(request, _("Review saved."))
            return redirect("programs:term_compliance", pk=evidence.term_id)
    return render(request, "programs/evidence_review.html", {"form": form, "evidence": evidence})


@login_required
@require_GET
def evidence_file(request: ActorRequest, pk: int) -> FileResponse:
    evidence = selectors.evidence_for(request.actor, pk)
    return serve_file(evidence.file, evidence.content_type)


@login_required
@require_GET
def evidence_queue(request: ActorRequest) -> HttpResponse:
    """Evidence from the classes below awaiting review, oldest first."""
    actor = request.actor
    require(actor.has_role(REVIEW_ROLES))
    page = paginate(request, selectors.evidence_review_queue_for(actor))
    return render(request, "programs/evidence_queue.html", {"page": page})


@login_required
@require_GET
def subtree_compliance(request: ActorRequest) -> HttpResponse:
    """The subtree's terms that are non-compliant or pending, worst first, with drill-down."""
    actor = staff_actor(request)
    require(actor.has_role(SUPERVISOR_ROLES))
    form = ComplianceFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    terms = selectors.terms_filter(
        selectors.terms_visible_to(actor), type=filters.get("type"), year=filters.get("year")
    )
    results = selectors.subtree_noncompliant(actor, queryset=terms)
    if filters.get("verdict"):
        results = [r for r in results if r.verdict == filters["verdict"]]
    context = {"form": form, "page": paginate(request, results)}
    return render(request, "programs/subtree_compliance.html", context)


urlpatterns = [
    path("terms/<int:pk>/compliance/", term_compliance_view, name="term_compliance"),
    path("terms/<int:pk>/evidence/add/", evidence_upload, name="evidence_upload"),
    path("evidence/<int:pk>/review/", evidence_review, name="evidence_review"),
    path("evidence/<int:pk>/file/", evidence_file, name="evidence_file"),
    path("evidence/", evidence_queue, name="evidence_queue"),
    path("compliance/", subtree_compliance, name="compliance"),
]
