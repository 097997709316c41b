"""Incidents from a phone, their acknowledgement by everyone told, follow-up and close; the
class's emergency plans and drills."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tuoguan.core.kit import GET_POST, form_errors, paginate, refusal
from tuoguan.orgs.kit import ActorRequest
from tuoguan.orgs.permissions import require

from .. import incident_facts, selectors, services
from ..forms import (
    DrillForm,
    EmergencyPlanForm,
    IncidentActionForm,
    IncidentCloseForm,
    IncidentForm,
)
from ..models import EmergencyKind, NoticeLevel, Severity
from ..permissions import can_care, can_manage_care, can_manage_kiosks, can_read_incident
from ..services.incidents import plan_template


@login_required
def incidents(request: ActorRequest) -> HttpResponse:
    items = selectors.incidents_visible_to(request.actor)
    state = request.GET.get("state", "")
    if state == "open":
        items = items.filter(closed_at__isnull=True)
    elif state == "closed":
        items = items.filter(closed_at__isnull=False)
    severity = request.GET.get("severity", "")
    if severity in Severity.values:
        items = items.filter(severity=severity)
    return render(
        request,
        "care/incidents.html",
        {
            "page": paginate(request, items),
            "state": state,
            "severity": severity,
            "severities": Severity.choices,
        },
    )


@login_required
@GET_POST
def incident_report(request: ActorRequest, pk: int) -> HttpResponse:
    term = selectors.term_for_incidents(request.actor, pk)
    require(can_care(request.actor, term))
    enrolments = list(selectors.incident_children_choices(term))
    form = IncidentForm(request.POST or None, request.FILES or None, enrolments=enrolments)
    if request.method == "POST" and form.is_valid():
        try:
            incident = services.incident_report(
                actor=request.actor, term=term, **form.service_fields()
            )
        except ValidationError as exc:
            form_errors(form, exc, rename={"photos": "photo1"})
        else:
            told = incident.notices.count()
            messages.success(request, _("Incident recorded; %(n)s people were told.") % {"n": told})
            return redirect("care:incident", pk=incident.pk)
    return render(request, "care/incident_form.html", {"form": form, "term": term})


@login_required
def incident(request: ActorRequest, pk: int) -> HttpResponse:
    item = selectors.incident_for(request.actor, pk)
    if not can_care(request.actor, item.term):
        # Told but not of the class (a guardian, an upper union): the acknowledgement page.
        require(can_read_incident(request.actor, item))
        return redirect("care:incident_acknowledge", pk=item.pk)
    detail = selectors.incident_detail(item)
    me = request.actor.user.pk
    return render(
        request,
        "care/incident.html",
        {
            "incident": item,
            **detail,
            "own_notice": next((n for n in detail["notices"] if n.recipient_id == me), None),
            "manager": can_manage_care(request.actor, item.term),
            "action_form": IncidentActionForm(),
            "close_form": IncidentCloseForm(),
        },
    )


@login_required
@GET_POST
def incident_acknowledge(request: ActorRequest, pk: int) -> HttpResponse:
    """Everyone told reads it here and acknowledges; a guardian sees only their own child."""
    item = selectors.incident_told(request.user, pk)
    notice = services.notice_for(request.user, item)
    if request.method == "POST":
        services.incident_acknowledge(user=request.user, incident=item)
        messages.success(request, _("Thank you: your acknowledgement is recorded."))
        return redirect("care:incident_acknowledge", pk=item.pk)
    guardian = notice.level == NoticeLevel.GUARDIAN
    children = [
        e
        for e in item.children.select_related("child", "guardian")
        if not guardian or e.guardian.user_id == request.user.pk
    ]
    return render(
        request,
        "care/incident_acknowledge.html",
        {"incident": item, "notice": notice, "guardian": guardian, "children": children},
    )


def _incident_step(
    request: ActorRequest,
    pk: int,
    *,
    may: Callable[[Any, Any], bool],
    form_class: type[forms.Form],
    act: Callable[..., Any],
    done: str,
    invalid: str,
) -> HttpResponse:
    """A follow-up or the close: a one-field form posted from the incident page."""
    item = selectors.incident_for(request.actor, pk)
    require(may(request.actor, item.term))
    form = form_class(request.POST)
    if form.is_valid():
        try:
            act(actor=request.actor, incident=item, **form.cleaned_data)
        except ValidationError as exc:
            refusal(request, exc)
        else:
            messages.success(request, done)
    else:
        messages.error(request, invalid)
    return redirect("care:incident", pk=item.pk)


@login_required
@require_POST
def incident_action(request: ActorRequest, pk: int) -> HttpResponse:
    return _incident_step(
        request,
        pk,
        may=can_care,
        form_class=IncidentActionForm,
        act=services.incident_action_add,
        done=_("Follow-up recorded."),
        invalid=_("Say what was done."),
    )


@login_required
@require_POST
def incident_close(request: ActorRequest, pk: int) -> HttpResponse:
    return _incident_step(
        request,
        pk,
        may=can_manage_care,
        form_class=IncidentCloseForm,
        act=services.incident_close,
        done=_("The incident is closed."),
        invalid=_("Write what happened and what was learned."),
    )


# --- Emergency plans and drills -----------------------------------------------------------


@login_required
def emergency(request: ActorRequest, pk: int) -> HttpResponse:
    """The class's plans for each kind of emergency, and the drills of its terms."""
    program = selectors.program_for_kiosks(request.actor, pk)
    require(can_manage_kiosks(request.actor, program))
    plans = selectors.emergency_plans(program)
    kinds = [(kind, label, plans.get(kind)) for kind, label in EmergencyKind.choices]
    terms = list(program.terms.order_by("-start_date")[:10])
    missing = incident_facts.fire_drill_missing(terms) if terms else {}
    return render(
        request,
        "care/emergency.html",
        {
            "program": program,
            "kinds": kinds,
            "drills": paginate(request, selectors.drills_of(program)),
            "terms": [(t, missing.get(t.pk)) for t in terms],
        },
    )


@login_required
@GET_POST
def emergency_plan(request: ActorRequest, pk: int, kind: str) -> HttpResponse:
    program = selectors.program_for_kiosks(request.actor, pk)
    require(can_manage_kiosks(request.actor, program))
    if kind not in EmergencyKind.values:
        raise Http404
    plan = selectors.emergency_plans(program).get(kind)
    initial = {"text": plan.text if plan else plan_template(kind)}
    form = EmergencyPlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.emergency_plan_save(
                actor=request.actor, program=program, kind=kind, **form.cleaned_data
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("care:emergency", pk=program.pk)
    return render(
        request,
        "care/emergency_plan.html",
        {
            "program": program,
            "form": form,
            "label": EmergencyKind(kind).label,
            "from_template": plan is None,
        },
    )


@login_required
@GET_POST
def drill(request: ActorRequest, pk: int) -> HttpResponse:
    term = selectors.term_for_incidents(request.actor, pk)
    require(can_manage_care(request.actor, term))
    form = DrillForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.drill_record(actor=request.actor, term=term, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Drill recorded."))
            return redirect("care:emergency", pk=term.program_id)
    return render(
        request, "care/drill_form.html", {"form": form, "term": term, "today": timezone.localdate()}
    )
