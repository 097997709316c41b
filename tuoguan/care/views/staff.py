"""The caregivers' pages at the door: today's groups, the roster, check-in and out, health
checks, staff on duty, corrections, the day's close, attendance rates and kiosks."""

import copy
import datetime
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tuoguan.core.kit import GET_POST, form_errors, paginate, refusal, wants_fragment
from tuoguan.orgs.kit import ActorRequest
from tuoguan.orgs.permissions import require
from tuoguan.programs.models import Group
from tuoguan.programs.selectors import term_for
from tuoguan.programs.standards import standard_for

from .. import camera_selectors, inspection_facts, meal_selectors, rates, selectors, services
from ..forms import CarePolicyForm, CorrectionForm, HealthCheckForm, KioskIssueForm, ReasonForm
from ..models import SYMPTOMS, HealthCheck
from ..permissions import can_care, can_manage_care, can_manage_kiosks
from ..services.common import is_care_day, is_toddler_group, policy_for
from ..services.duty import group_ratio
from ..services.health import symptoms_asked


def _today() -> datetime.date:
    return timezone.localdate()


@login_required
def today(request: ActorRequest) -> HttpResponse:
    groups = selectors.groups_today(request.actor)
    return render(request, "care/today.html", {"groups": groups, "day": _today()})


def _group_context(request: ActorRequest, group: Group) -> dict[str, Any]:
    day = _today()
    rows = selectors.group_day(group, day)
    shift = selectors.own_open_shift(request.actor, group)
    # Before the meal: today's dishes that conflict with a child's declared allergy.
    menu = meal_selectors.meals_for_child_day_term(group.term, day)
    allergy = meal_selectors.conflicts_by_enrolment(
        meal_selectors.allergy_conflicts(request.actor, menu, [r.enrolment for r in rows])
    )
    for row in rows:
        row.allergy = allergy.get(row.enrolment.pk, [])
    return {
        "group": group,
        "term": group.term,
        "day": day,
        "rows": rows,
        "counts": selectors.roster_counts(rows),
        "ratio": group_ratio(group, day),
        "on_duty": selectors.shifts_on_duty(group, day),
        "breaches": selectors.breaches_of(group, day),
        "own_staff": selectors.own_staff_entry(request.actor, group),
        "own_shift": shift,
        "closed": selectors.day_closed(group, day),
        "flags": selectors.epidemic_flags(group, day - datetime.timedelta(days=7)),
        "manager": can_manage_care(request.actor, group.term),
        "toddler": is_toddler_group(group),
        "is_care_day": is_care_day(group.term, day),
        "fragment": wants_fragment(request),
        "inspection_today": group.term.inspections.filter(date=day).first(),
        "inspection_missing": len(inspection_facts.missing_days(group.term, day)),
    }


def _roster(request: ActorRequest, group: Group) -> HttpResponse:
    context = _group_context(request, group)
    if wants_fragment(request):
        return render(request, "care/_roster.html", context)
    context["filmed_by"] = list(camera_selectors.cameras_filming(group))
    return render(request, "care/group_day.html", context)


@login_required
def group_day(request: ActorRequest, pk: int) -> HttpResponse:
    group = selectors.group_for(request.actor, pk)
    require(can_care(request.actor, group.term))
    return _roster(request, group)


def _after(request: ActorRequest, group: Group, done: str = "") -> HttpResponse:
    """HTMX: the roster again, with the message; otherwise back to the roster page."""
    if done:
        messages.success(request, done)
    if wants_fragment(request):
        return _roster(request, group)
    return redirect("care:group_day", pk=group.pk)


def _refused(request: ActorRequest, group: Group, exc: ValidationError) -> HttpResponse:
    refusal(request, exc)
    return _after(request, group)


@login_required
@require_POST
def check_in(request: ActorRequest, pk: int) -> HttpResponse:
    enrolment = selectors.enrolment_for_check_in(request.actor, pk)
    group = cast(Group, enrolment.group)  # the selector finds only children of a group
    try:
        services.attendance_check_in(actor=request.actor, enrolment=enrolment)
    except ValidationError as exc:
        return _refused(request, group, exc)
    return _after(request, group, _("%(child)s checked in.") % {"child": enrolment.child.name})


@login_required
@require_POST
def scan(request: ActorRequest, pk: int) -> HttpResponse:
    group = selectors.group_for(request.actor, pk)
    require(can_care(request.actor, group.term))
    try:
        attendance = services.attendance_check_in_by_code(
            actor=request.actor,
            code=request.POST.get("code", ""),
            enrolments=selectors.enrolments_for_scanner(group),
        )
    except ValidationError as exc:
        return _refused(request, group, exc)
    return _after(request, group, _("%(child)s checked in.") % {"child": attendance.child.name})


@login_required
@require_POST
def notify_paperwork(request: ActorRequest, pk: int) -> HttpResponse:
    enrolment = selectors.enrolment_for_care(request.actor, pk)
    group = cast(Group, enrolment.group)  # the selector finds only children of a group
    require(can_manage_care(request.actor, enrolment.term))
    sent = services.paperwork_notify(actor=request.actor, enrolment=enrolment)
    done = _("The family was told what is missing.") if sent else _("Nothing is missing.")
    return _after(request, group, done)


@login_required
@GET_POST
def health_check(request: ActorRequest, pk: int) -> HttpResponse:
    enrolment = selectors.enrolment_for_care(request.actor, pk)
    require(can_care(request.actor, enrolment.term))
    toddler = is_toddler_group(enrolment.group)
    form = HealthCheckForm(
        request.POST or None, toddler=toddler, symptoms=symptoms_asked(enrolment.term)
    )
    if request.method == "POST" and form.is_valid():
        try:
            check = services.health_check_record(
                actor=request.actor, enrolment=enrolment, **form.cleaned_data
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            if check.flagged:
                messages.warning(
                    request,
                    _("Flagged: the parent was told. A class manager must admit the child."),
                )
            else:
                messages.success(request, _("Health check recorded."))
            return redirect("care:group_day", pk=enrolment.group_id)
    return render(
        request,
        "care/health_check.html",
        {"form": form, "enrolment": enrolment, "toddler": toddler, "group": enrolment.group},
    )


@login_required
@GET_POST
def health_override(request: ActorRequest, pk: int) -> HttpResponse:
    check: HealthCheck = selectors.health_check_for(request.actor, pk)
    require(can_manage_care(request.actor, check.term))
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.health_check_override(actor=request.actor, check=check, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(
                request, _("%(child)s may be checked in.") % {"child": check.child.name}
            )
            return redirect("care:group_day", pk=check.group_id)
    return render(request, "care/health_override.html", {"form": form, "check": check})


@login_required
@GET_POST
def check_out(request: ActorRequest, pk: int) -> HttpResponse:
    attendance = selectors.attendance_for(request.actor, pk)
    require(can_care(request.actor, attendance.term))
    listed, for_today = selectors.pickups_for_check_out(attendance)
    if request.method == "POST":
        try:
            _check_out(request, attendance, listed, for_today)
        except services.PickupRefused as exc:
            refusal(request, exc)
            return redirect("care:group_day", pk=attendance.group_id)
        except ValidationError as exc:
            refusal(request, exc)
        else:
            return redirect("care:group_day", pk=attendance.group_id)
    return render(
        request,
        "care/check_out.html",
        {"attendance": attendance, "listed": listed, "for_today": for_today},
    )


def _check_out(
    request: ActorRequest, attendance: Any, listed: list[Any], for_today: list[Any]
) -> None:
    post = request.POST
    actor = request.actor
    if post.get("stranger"):
        services.pickup_refuse(
            actor=actor, attendance=attendance, person_name=post.get("person_name", ""),
            note=post.get("note", ""),
        )  # fmt: skip
        messages.warning(request, _("Refused. The refusal is recorded and the guardians told."))
        return
    if post.get("code"):
        services.attendance_check_out_by_code(
            actor=actor, attendance=attendance, code=post["code"],
            person_name=post.get("person_name", ""),
        )  # fmt: skip
    else:
        pickup = next((p for p in listed if str(p.pk) == post.get("pickup")), None)
        temporary = next((t for t in for_today if str(t.pk) == post.get("temporary_pickup")), None)
        services.attendance_check_out(
            actor=actor, attendance=attendance, pickup=pickup, temporary_pickup=temporary
        )
    messages.success(request, _("%(child)s checked out.") % {"child": attendance.child.name})


def _on_day(day: datetime.date, time: datetime.time | None) -> datetime.datetime | None:
    if time is None:
        return None
    return datetime.datetime.combine(day, time, tzinfo=timezone.get_current_timezone())


@login_required
@GET_POST
def correct(request: ActorRequest, pk: int) -> HttpResponse:
    attendance = selectors.attendance_for(request.actor, pk)
    require(can_manage_care(request.actor, attendance.term))
    form = CorrectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.attendance_correct(
                actor=request.actor,
                attendance=attendance,
                reason=data["reason"],
                checked_in_at=_on_day(attendance.date, data["checked_in_at"]),
                checked_out_at=_on_day(attendance.date, data["checked_out_at"]),
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Corrected."))
            return redirect("care:group_day", pk=attendance.group_id)
    return render(request, "care/correct.html", {"form": form, "attendance": attendance})


@login_required
@require_POST
def close_day(request: ActorRequest, pk: int) -> HttpResponse:
    group = selectors.group_for(request.actor, pk)
    require(can_care(request.actor, group.term))
    try:
        services.day_close(actor=request.actor, group=group)
    except ValidationError as exc:
        return _refused(request, group, exc)
    return _after(request, group, _("The day is closed."))


@login_required
@require_POST
def duty(request: ActorRequest, pk: int) -> HttpResponse:
    group = selectors.group_for(request.actor, pk)
    require(can_care(request.actor, group.term))
    shift = selectors.own_open_shift(request.actor, group)
    try:
        if shift is not None:
            services.duty_clock_out(actor=request.actor, shift=shift)
            done = _("Clocked out.")
        else:
            services.duty_clock_in(actor=request.actor, group=group)
            done = _("Clocked in to %(group)s.") % {"group": group.name}
    except ValidationError as exc:
        return _refused(request, group, exc)
    return _after(request, group, done)


@login_required
def health_summary(request: ActorRequest, pk: int) -> HttpResponse:
    group = selectors.group_for(request.actor, pk)
    require(can_care(request.actor, group.term))
    day = _today()
    summary = selectors.health_summary(group, day)
    return render(
        request,
        "care/health_summary.html",
        {
            "group": group,
            "day": day,
            "summary": summary,
            "symptoms": [(SYMPTOMS.get(str(s), s), n) for s, n in summary["per_symptom"].items()],
            "flags": selectors.epidemic_flags(group, day - datetime.timedelta(days=30)),
            "page": paginate(request, summary["checks"]),
        },
    )


@login_required
def attendance_rates(request: ActorRequest, pk: int) -> HttpResponse:
    term = term_for(request.actor, pk)
    require(can_care(request.actor, term))
    enrolments = rates.seated_enrolments([term])
    page = paginate(request, enrolments)
    per_child = rates.enrolment_rates(page.object_list)
    groups: dict[int | None, Any] = {g.pk: g for g in term.groups.all()}
    rows = [
        {"enrolment": e, "group": groups.get(e.group_id), "rate": per_child[e.pk]}
        for e in page.object_list
    ]
    by_group = [(groups.get(pk), rate) for pk, rate in rates.group_rates(term).items()]
    return render(
        request,
        "care/rates.html",
        {
            "term": term,
            "page": page,
            "rows": rows,
            "by_group": by_group,
            "term_rate": rates.term_rates([term])[term.pk],
        },
    )


@login_required
@GET_POST
def kiosks(request: ActorRequest, pk: int) -> HttpResponse:
    program = selectors.program_for_kiosks(request.actor, pk)
    require(can_manage_kiosks(request.actor, program))
    form = KioskIssueForm(request.POST or None)
    token = ""
    if request.method == "POST" and form.is_valid():
        try:
            _device, token = services.kiosk_issue(
                actor=request.actor, program=program, **form.cleaned_data
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            form = KioskIssueForm()
    page = paginate(request, selectors.kiosk_devices(program))
    return render(
        request,
        "care/kiosks.html",
        {"program": program, "form": form, "token": token, "page": page},
    )


@login_required
@GET_POST
def rules(request: ActorRequest, pk: int) -> HttpResponse:
    """The class's daily care rules, beside what its standard already asks."""
    program = selectors.program_for_kiosks(request.actor, pk)
    require(can_manage_kiosks(request.actor, program))
    standard = standard_for(program.host, timezone.localdate())
    required = standard.health_symptoms if standard is not None else list(SYMPTOMS)
    policy = policy_for(program)
    form = CarePolicyForm(
        request.POST or None, instance=copy.copy(policy), required_symptoms=required
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.care_policy_update(
                actor=request.actor, program=program, **form.service_fields()
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("care:rules", pk=program.pk)
    return render(
        request,
        "care/rules.html",
        {
            "program": program,
            "form": form,
            "standard": standard,
            "required": [str(SYMPTOMS[c]) for c in SYMPTOMS if c in required],
        },
    )


@login_required
@require_POST
def kiosk_revoke(request: ActorRequest, pk: int) -> HttpResponse:
    device = selectors.kiosk_device_for(request.actor, pk)
    require(can_manage_kiosks(request.actor, device.program))
    services.kiosk_revoke(actor=request.actor, device=device)
    messages.success(request, _("The kiosk is signed out for good."))
    return redirect("care:kiosks", pk=device.program_id)
