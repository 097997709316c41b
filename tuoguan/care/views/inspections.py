"""Daily safety inspection from a phone; the term's inspections and the days missing one; the
follow-ups of failed items; a union's own checklist."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoguan.core.kit import GET_POST, form_errors, paginate
from tuoguan.orgs import selectors as orgs_selectors
from tuoguan.orgs.kit import ActorRequest
from tuoguan.orgs.permissions import require
from tuoguan.programs.permissions import can_manage_org_programs

from .. import inspection_facts, selectors, services
from ..forms import ChecklistForm, FollowUpCloseForm, InspectionForm
from ..permissions import can_care
from ..services.inspections import can_close_follow_up, checklist_is_own, is_care_day


@login_required
@GET_POST
def inspection_new(request: ActorRequest, pk: int) -> HttpResponse:
    """Today's inspection of the term: one pass/fail per item, a photo per failed item."""
    term = selectors.term_for_incidents(request.actor, pk)
    require(can_care(request.actor, term))
    today = timezone.localdate()
    done = term.inspections.filter(date=today).first()
    if done is not None:
        return redirect("care:inspection", pk=done.pk)
    items = services.checklist_for(term.program.host)
    form = InspectionForm(request.POST or None, request.FILES or None, items=items)
    if request.method == "POST" and form.is_valid():
        try:
            inspection = services.inspection_record(
                actor=request.actor, term=term, **form.service_fields()
            )
        except ValidationError as exc:
            form_errors(form, exc, rename={c: f"{c}_photo" for c, _l in items})
        else:
            messages.success(request, _("Inspection completed."))
            return redirect("care:inspection", pk=inspection.pk)
    return render(
        request,
        "care/inspection_form.html",
        {"form": form, "term": term, "care_day": is_care_day(term, today), "today": today},
    )


@login_required
def inspections(request: ActorRequest, pk: int) -> HttpResponse:
    """The term's inspections, the care days without one, the share so far."""
    term = selectors.term_for_incidents(request.actor, pk)
    require(can_care(request.actor, term))
    inspected, elapsed = inspection_facts.inspection_counts([term])[term.pk]
    return render(
        request,
        "care/inspections.html",
        {
            "term": term,
            "page": paginate(request, term.inspections.select_related("inspected_by")),
            "missing": inspection_facts.missing_days(term),
            "inspected": inspected,
            "elapsed": elapsed,
            "done_today": term.inspections.filter(date=timezone.localdate()).exists(),
            "follow_ups": selectors.inspection_follow_ups_visible_to(request.actor).filter(
                result__inspection__term=term, closed_at__isnull=True
            ),
        },
    )


@login_required
def inspection(request: ActorRequest, pk: int) -> HttpResponse:
    item = selectors.inspection_for(request.actor, pk)
    require(can_care(request.actor, item.term))
    results = item.results.select_related("follow_up__owner")
    return render(request, "care/inspection.html", {"inspection": item, "results": results})


@login_required
@GET_POST
def inspection_follow_up(request: ActorRequest, pk: int) -> HttpResponse:
    """A failed item's follow-up: its owner closes it with a note and a photo."""
    follow_up = selectors.inspection_follow_up_for(request.actor, pk)
    require(can_care(request.actor, follow_up.result.inspection.term))
    may_close = follow_up.is_open and can_close_follow_up(request.actor, follow_up)
    form = FollowUpCloseForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        require(can_close_follow_up(request.actor, follow_up))
        if form.is_valid():
            try:
                services.inspection_follow_up_close(
                    actor=request.actor, follow_up=follow_up, **form.cleaned_data
                )
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("Follow-up closed."))
                return redirect("care:inspection_follow_up", pk=follow_up.pk)
    return render(
        request,
        "care/inspection_follow_up.html",
        {
            "follow_up": follow_up,
            "form": form if may_close else None,
            "overdue": follow_up.is_open and follow_up.deadline < timezone.localdate(),
        },
    )


@login_required
@GET_POST
def checklist(request: ActorRequest, pk: int) -> HttpResponse:
    """A union's own daily checklist; its unions below inherit it."""
    org = orgs_selectors.org_for(request.actor, pk)
    require(can_manage_org_programs(request.actor, org))
    items = services.checklist_for(org)
    form = ChecklistForm(
        request.POST or None,
        initial={"items": "\n".join(label for _c, label in items)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.checklist_save(
                actor=request.actor, org=org, labels=form.cleaned_data["items"].splitlines()
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("care:checklist", pk=org.pk)
    return render(
        request,
        "care/checklist.html",
        {"org": org, "form": form, "items": items, "own": checklist_is_own(org)},
    )
