"""Compliance with the construction standard: per term, and across the subtree; evidence.

Computed live from the data (programs/compliance.py), never a verdict typed in by hand.
"""

from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tuoguan.orgs.permissions import require

from .. import selectors, services
from ..compliance import subtree_noncompliant, term_compliance
from ..forms.base import add_service_errors
from ..forms.programs import ComplianceFilterForm
from ..forms.standards import EvidenceForm, ReviewForm
from ..permissions import REVIEW_ROLES, can_manage_term, can_review_evidence
from .base import GET_POST, SUPERVISOR_ROLES, actor_of, paginate, serve_file, staff_actor


@login_required
@require_GET
def term_compliance_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Each criterion of the term's standard: pass / fail / pending / n.a., and why."""
    actor = actor_of(request)
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
def evidence_upload(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    term = selectors.term_for(actor, pk)
    require(can_manage_term(actor, term))
    criteria = selectors.evidence_criteria(term)
    initial = {"criterion": request.GET.get("criterion")}
    form = EvidenceForm(
        request.POST or None, request.FILES or None, criteria=criteria, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.evidence_upload(
                actor=actor,
                term=term,
                criterion=form.cleaned_data["criterion"],
                file=form.cleaned_data["file"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Evidence uploaded; the union above will review it."))
            return redirect("programs:term_compliance", pk=term.pk)
    return render(request, "programs/evidence_form.html", {"form": form, "term": term})


@login_required
@GET_POST
def evidence_review(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept or reject a piece of evidence; a rejection says what is missing."""
    actor = actor_of(request)
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
            if "review_comment" in getattr(exc, "error_dict", {}):
                exc = ValidationError({"comment": exc.error_dict["review_comment"]})
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Review saved."))
            return redirect("programs:term_compliance", pk=evidence.term_id)
    return render(request, "programs/evidence_review.html", {"form": form, "evidence": evidence})


@login_required
@require_GET
def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    evidence = selectors.evidence_for(actor_of(request), pk)
    return serve_file(evidence.file, evidence.content_type)


@login_required
@require_GET
def evidence_queue(request: HttpRequest) -> HttpResponse:
    """Evidence from the classes below awaiting review, oldest first."""
    actor = actor_of(request)
    require(actor.has_role(REVIEW_ROLES))
    page = paginate(request, selectors.evidence_review_queue_for(actor))
    return render(request, "programs/evidence_queue.html", {"page": page})


@login_required
@require_GET
def subtree_compliance(request: HttpRequest) -> HttpResponse:
    """The subtree's terms that are non-compliant or pending, worst first, with drill-down."""
    actor = staff_actor(request)
    require(actor.has_role(SUPERVISOR_ROLES))
    form = ComplianceFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    terms = selectors.terms_filter(
        selectors.terms_visible_to(actor), type=filters.get("type"), year=filters.get("year")
    )
    results = subtree_noncompliant(actor, queryset=terms)
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
