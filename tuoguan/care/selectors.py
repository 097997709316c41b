"""Reads of daily care, scoped to who asks (care.permissions); a read never writes."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuoguan.enrolment.models import Enrolment, EnrolmentStatus, Pickup
from tuoguan.enrolment.paperwork_status import PAPERWORK_ITEMS, paperwork_missing_many
from tuoguan.orgs.permissions import Actor, get_or_404, subtree_q
from tuoguan.programs.models import Group, Program, Term, TermDay, TermStaff, TermStatus
from tuoguan.programs.permissions import programs_visible_q

from .models import (
    Absence,
    Attendance,
    DayClose,
    Drill,
    DutyShift,
    EmergencyPlan,
    EpidemicFlag,
    HealthCheck,
    HealthRound,
    Incident,
    IncidentNotice,
    KioskDevice,
    PickupCode,
    RatioBreach,
    TemporaryPickup,
)
from .permissions import can_care, care_groups_q, care_work_q
from .services.attendance import ON_ROSTER

STATUS_LABELS = {
    "in": _("in"),
    "out": _("collected"),
    "absent": _("absent"),
    "missing": _("not arrived"),
    "blocked": _("cannot be checked in"),
}


# --- Groups and the day ---------------------------------------------------------------------


def care_groups_for(actor: Actor) -> QuerySet[Group]:
    return (
        Group.objects.filter(care_groups_q(actor))
        .select_related("term__program__host")
        .order_by("term_id", "pk")
    )


def group_for(actor: Actor, pk: Any) -> Group:
    return get_or_404(care_groups_for(actor), pk=pk)


def groups_today(actor: Actor, day: datetime.date | None = None) -> list[Group]:
    """The groups of running terms with a care day today that the actor works in."""
    day = day or timezone.localdate()
    care_day = TermDay.objects.filter(term=OuterRef("term"), date=day, is_care_day=True)
    groups = care_groups_for(actor).filter(Exists(care_day), term__status=TermStatus.RUNNING)
    checked: dict[int, bool] = {}
    result = []
    for group in groups[:200]:
        if group.term_id not in checked:
            checked[group.term_id] = can_care(actor, group.term)
        if checked[group.term_id]:
            result.append(group)
    return result


@dataclass
class RosterRow:
    enrolment: Enrolment
    attendance: Attendance | None = None
    absence: Absence | None = None
    checks: dict[str, HealthCheck] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.attendance is not None:
            return "in" if self.attendance.is_in else "out"
        if self.absence is not None:
            return "absent"
        if self.enrolment.status != EnrolmentStatus.CONFIRMED:
            return "blocked"
        return "missing"

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def morning(self) -> HealthCheck | None:
        return self.checks.get(HealthRound.MORNING)

    @property
    def midday(self) -> HealthCheck | None:
        return self.checks.get(HealthRound.MIDDAY)

    @property
    def health_blocks(self) -> bool:
        check = self.morning
        return check is not None and check.blocks_check_in


def _roster_enrolments(group: Group) -> QuerySet[Enrolment]:
    return (
        Enrolment.objects.filter(group=group, status__in=ON_ROSTER)
        .select_related("child", "guardian__user", "term__program__host", "group")
        .order_by("child__name", "pk")
    )


def roster_rows(enrolments: list[Enrolment], day: datetime.date) -> list[RosterRow]:
    """The day's rows of these enrolments, in a fixed number of queries."""
    ids = [e.pk for e in enrolments]
    rows = {e.pk: RosterRow(e) for e in enrolments}
    for attendance in Attendance.objects.filter(enrolment_id__in=ids, date=day).select_related(
        "pickup", "temporary_pickup"
    ):
        rows[attendance.enrolment_id].attendance = attendance
    for absence in Absence.objects.filter(enrolment_id__in=ids, date=day):
        rows[absence.enrolment_id].absence = absence
    for check in HealthCheck.objects.filter(enrolment_id__in=ids, date=day):
        rows[check.enrolment_id].checks[check.round] = check
    waiting = [e for e in enrolments if e.status != EnrolmentStatus.CONFIRMED]
    for pk, keys in paperwork_missing_many(waiting).items():
        rows[pk].missing = [str(PAPERWORK_ITEMS[key]) for key in keys]
    return [rows[e.pk] for e in enrolments]


def group_day(group: Group, day: datetime.date) -> list[RosterRow]:
    return roster_rows(list(_roster_enrolments(group)), day)


def roster_counts(rows: list[RosterRow]) -> dict[str, int]:
    counts = dict.fromkeys(STATUS_LABELS, 0)
    for row in rows:
        counts[row.status] += 1
    counts["expected"] = sum(1 for r in rows if r.enrolment.status == EnrolmentStatus.CONFIRMED)
    return counts


def day_closed(group: Group, day: datetime.date) -> DayClose | None:
    return DayClose.objects.filter(group=group, date=day).select_related("closed_by").first()


def shifts_on_duty(group: Group, day: datetime.date) -> list[DutyShift]:
    return list(
        DutyShift.objects.filter(group=group, date=day, ended_at__isnull=True)
        .select_related("staff__user")
        .order_by("started_at")
    )


def own_staff_entry(actor: Actor, group: Group) -> TermStaff | None:
    return TermStaff.objects.filter(term=group.term, user=actor.user).order_by("pk").first()


def own_open_shift(actor: Actor, group: Group) -> DutyShift | None:
    return (
        DutyShift.objects.filter(
            staff__term=group.term, staff__user=actor.user, ended_at__isnull=True
        )
        .select_related("group")
        .first()
    )


def breaches_of(group: Group, day: datetime.date) -> list[RatioBreach]:
    return list(RatioBreach.objects.filter(group=group, date=day).order_by("-started_at"))


def epidemic_flags(group: Group, since: datetime.date) -> list[EpidemicFlag]:
    return list(EpidemicFlag.objects.filter(group=group, date__gte=since).order_by("-date"))


def health_summary(group: Group, day: datetime.date) -> dict[str, Any]:
    """The group's health checks of the day: counts per symptom, flagged children."""
    checks = list(
        HealthCheck.objects.filter(group=group, date=day)
        .select_related("child", "override_by")
        .order_by("child__name", "round")
    )
    per_symptom: dict[str, int] = defaultdict(int)
    for check in checks:
        for symptom in check.symptoms:
            per_symptom[symptom] += 1
    return {
        "checks": checks,
        "checked": len({c.child_id for c in checks if c.round == HealthRound.MORNING}),
        "flagged": [c for c in checks if c.flagged],
        "per_symptom": dict(per_symptom),
    }


# --- One record ------------------------------------------------------------------------------


def _in_care_groups(actor: Actor, prefix: str = "", *, working: bool = False) -> Q:
    groups = care_work_q(actor) if working else care_groups_q(actor)
    return Q(**{f"{prefix}group__in": Group.objects.filter(groups)})


def enrolment_for_care(actor: Actor, pk: Any) -> Enrolment:
    """A seated child of a group the actor can open (404 otherwise)."""
    return get_or_404(
        Enrolment.objects.filter(_in_care_groups(actor), status__in=ON_ROSTER).select_related(
            "child__guardian__user", "term__program__host", "group__term"
        ),
        pk=pk,
    )


def enrolments_for_scanner(group: Group) -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(term=group.term, status__in=ON_ROSTER)


def attendance_for(actor: Actor, pk: Any) -> Attendance:
    return get_or_404(
        Attendance.objects.filter(_in_care_groups(actor)).select_related(
            "child__guardian__user",
            "enrolment__term__program__host",
            "term__program__host",
            "group__term",
            "pickup",
            "temporary_pickup",
        ),
        pk=pk,
    )


def health_check_for(actor: Actor, pk: Any) -> HealthCheck:
    return get_or_404(
        HealthCheck.objects.filter(_in_care_groups(actor)).select_related(
            "child__guardian__user", "term__program__host", "enrolment", "group"
        ),
        pk=pk,
    )


def attendance_visible_to(actor: Actor) -> QuerySet[Attendance]:
    return (
        Attendance.objects.filter(_in_care_groups(actor, working=True))
        .select_related("child", "group", "pickup", "temporary_pickup")
        .order_by("-date", "group_id", "checked_in_at", "pk")
    )


def health_checks_visible_to(actor: Actor) -> QuerySet[HealthCheck]:
    return (
        HealthCheck.objects.filter(_in_care_groups(actor, working=True))
        .select_related("child", "group")
        .order_by("-date", "group_id", "pk")
    )


def shifts_visible_to(actor: Actor) -> QuerySet[DutyShift]:
    return (
        DutyShift.objects.filter(_in_care_groups(actor, working=True))
        .select_related("staff__user", "group")
        .order_by("-date", "started_at", "pk")
    )


def pickups_for_check_out(attendance: Attendance) -> tuple[list[Pickup], list[TemporaryPickup]]:
    listed = list(
        Pickup.objects.filter(child_id=attendance.child_id, is_active=True).order_by("pk")
    )
    for_today = list(
        TemporaryPickup.objects.filter(child_id=attendance.child_id, date=timezone.localdate())
    )
    return listed, for_today


# --- Kiosks ----------------------------------------------------------------------------------


def program_for_kiosks(actor: Actor, pk: Any) -> Program:
    return get_or_404(
        Program.objects.filter(programs_visible_q(actor)).select_related("host"), pk=pk
    )


def kiosk_devices(program: Program) -> QuerySet[KioskDevice]:
    return KioskDevice.objects.filter(program=program).select_related("issued_by")


def kiosk_device_for(actor: Actor, pk: Any) -> KioskDevice:
    return get_or_404(
        KioskDevice.objects.filter(program__in=Program.objects.filter(programs_visible_q(actor)))
        .select_related("program__host"),
        pk=pk,
    )  # fmt: skip


def kiosk_day(device: KioskDevice, day: datetime.date) -> list[RosterRow]:
    """The kiosk's program's children of today: its only read."""
    care_day = TermDay.objects.filter(term=OuterRef("term"), date=day, is_care_day=True)
    enrolments = list(
        Enrolment.objects.filter(
            term__program=device.program,
            term__status=TermStatus.RUNNING,
            status__in=ON_ROSTER,
        )
        .filter(Exists(care_day))
        .select_related("child", "group", "term__program__host")
        .order_by("group_id", "child__name", "pk")[:500]
    )
    return roster_rows(enrolments, day)


def kiosk_enrolments(device: KioskDevice) -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(
        term__program=device.program, term__status=TermStatus.RUNNING, status__in=ON_ROSTER
    )


# --- The family ------------------------------------------------------------------------------


def family_care_enrolments(actor: Actor, day: datetime.date | None = None) -> QuerySet[Enrolment]:
    """The actor's own children's places in terms that run on `day` (default today)."""
    day = day or timezone.localdate()
    return (
        Enrolment.objects.filter(
            guardian__user=actor.user,
            status__in=ON_ROSTER,
            term__start_date__lte=day,
            term__end_date__gte=day,
        )
        .select_related("child", "term__program__host", "group")
        .order_by("child__name", "pk")
    )


def family_enrolment_for(actor: Actor, pk: Any) -> Enrolment:
    return get_or_404(
        Enrolment.objects.filter(guardian__user=actor.user, status__in=ON_ROSTER).select_related(
            "child__guardian__user", "term__program__host", "group"
        ),
        pk=pk,
    )


def pickup_code_of(enrolment: Enrolment, day: datetime.date) -> str:
    """Today's latest unused one-time pickup code of the family's child ("" when none)."""
    code = (
        PickupCode.objects.filter(child_id=enrolment.child_id, date=day, used_at__isnull=True)
        .order_by("-created_at", "-pk")
        .first()
    )
    return code.code if code is not None else ""


def child_day_events(enrolment: Enrolment, day: datetime.date) -> dict[str, Any]:
    attendance = (
        Attendance.objects.filter(enrolment=enrolment, date=day)
        .select_related("pickup", "temporary_pickup")
        .first()
    )
    return {
        "attendance": attendance,
        "absence": Absence.objects.filter(enrolment=enrolment, date=day).first(),
        "checks": list(HealthCheck.objects.filter(enrolment=enrolment, date=day).order_by("round")),
        "refusals": list(attendance.refusals.order_by("refused_at")) if attendance else [],
        "temporary": list(TemporaryPickup.objects.filter(child=enrolment.child, date__gte=day)),
        "is_care_day": TermDay.objects.filter(
            term=enrolment.term, date=day, is_care_day=True
        ).exists(),
    }


# --- Incidents, plans and drills ------------------------------------------------------------


def _incidents_q(actor: Actor) -> Q:
    """The host line's incidents, those of terms one is rostered on, and those one was told."""
    rostered = Exists(TermStaff.objects.filter(term=OuterRef("term"), user=actor.user))
    told = Exists(IncidentNotice.objects.filter(incident=OuterRef("pk"), recipient=actor.user))
    return subtree_q(actor, "term__program__host__path") | Q(rostered) | Q(told)


def incidents_visible_to(actor: Actor) -> QuerySet[Incident]:
    return (
        Incident.objects.filter(_incidents_q(actor))
        .select_related("term__program__host", "group", "reported_by")
        .order_by("-occurred_at", "-pk")
    )


def incident_for(actor: Actor, pk: Any) -> Incident:
    return get_or_404(incidents_visible_to(actor), pk=pk)


def incident_told(user: Any, pk: Any) -> Incident:
    """An incident the user was told of (a guardian's or an upper union's view); 404 otherwise."""
    return get_or_404(
        Incident.objects.filter(notices__recipient=user).select_related("term__program__host"),
        pk=pk,
    )


def incident_detail(incident: Incident) -> dict[str, Any]:
    """Everything the incident page shows, in a fixed number of queries."""
    return {
        "children": list(incident.children.select_related("child").order_by("child__name")),
        "photos": list(incident.photos.order_by("pk")),
        "actions": list(incident.actions.select_related("by")),
        "notices": list(incident.notices.select_related("recipient", "org")),
    }


def terms_for_incidents(actor: Actor) -> QuerySet[Term]:
    """Terms of the host line's classes and those one is rostered on."""
    rostered = Exists(TermStaff.objects.filter(term=OuterRef("pk"), user=actor.user))
    return Term.objects.filter(subtree_q(actor, "program__host__path") | Q(rostered))


def term_for_incidents(actor: Actor, pk: Any) -> Term:
    return get_or_404(terms_for_incidents(actor).select_related("program__host"), pk=pk)


def emergency_plans_visible_to(actor: Actor) -> QuerySet[EmergencyPlan]:
    return EmergencyPlan.objects.filter(
        program__in=Program.objects.filter(programs_visible_q(actor))
    ).order_by("program_id", "kind")


def incident_children_choices(term: Any) -> QuerySet[Enrolment]:
    return (
        Enrolment.objects.filter(term=term, status__in=ON_ROSTER)
        .select_related("child", "group")
        .order_by("group_id", "child__name")
    )


def emergency_plans(program: Program) -> dict[str, EmergencyPlan]:
    return {p.kind: p for p in EmergencyPlan.objects.filter(program=program)}


def drills_of(program: Program) -> QuerySet[Drill]:
    return Drill.objects.filter(term__program=program).select_related("term", "recorded_by")
