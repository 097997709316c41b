"""Reads of daily care, scoped to who asks (care.permissions); a read never writes."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuoguan.accounts.models import User
from tuoguan.core.inputs import db_int
from tuoguan.enrolment.models import Enrolment, EnrolmentStatus, Pickup
from tuoguan.enrolment.paperwork_status import PAPERWORK_ITEMS, paperwork_missing_many
from tuoguan.orgs.models import Membership, Org
from tuoguan.orgs.permissions import Actor, get_or_404, subtree_q
from tuoguan.programs.models import (
    CARER_ROLES,
    Criterion,
    Group,
    Metric,
    Program,
    Term,
    TermDay,
    TermStaff,
    TermStatus,
)
from tuoguan.programs.permissions import programs_visible_q
from tuoguan.programs.standards import judging_standard

from . import fastpath
from .guards import checkin_guards, guard_facts
from .models import (
    ON_ROSTER,
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
    InspectionFollowUp,
    KioskDevice,
    RatioBreach,
    SafetyInspection,
    TemporaryPickup,
)
from .permissions import can_care, care_groups_q, care_work_q, roster_entries

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
    # Today's dishes that conflict with the child's declared allergy (meal_selectors.Conflict).
    allergy: list[Any] = field(default_factory=list)

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


# --- What a check-in decides on ------------------------------------------------------------
# Each rule's rows are one queryset here, counted or tested for existence by the service
# that applies it and folded into the check-in's one read of its facts (`check_in_facts`);
# `term`, `group`, `child` may be OuterRefs.


def care_days(term: Any, day: datetime.date) -> QuerySet[TermDay]:
    """The term's care day `day` (none when it is not one)."""
    return TermDay.objects.filter(term=term, date=day, is_care_day=True)


def blocking_checks(child: Any, day: datetime.date) -> QuerySet[HealthCheck]:
    """The child's flagged morning check of the day that no class manager has overridden."""
    return HealthCheck.objects.filter(
        child=child, date=day, round=HealthRound.MORNING, flagged=True, override_at__isnull=True
    )


def children_present(group: Any, day: datetime.date) -> QuerySet[Attendance]:
    """Children of the group checked in and not out."""
    return Attendance.objects.filter(group=group, date=day, checked_out_at__isnull=True)


def carers_on_duty(group: Any, day: datetime.date) -> QuerySet[DutyShift]:
    """Carers clocked in to the group and not out."""
    return DutyShift.objects.filter(
        group=group, date=day, ended_at__isnull=True, staff__role__in=CARER_ROLES
    )


def open_breaches(group: Any) -> QuerySet[RatioBreach]:
    return RatioBreach.objects.filter(group=group, ended_at__isnull=True)


def carer_ratio_criteria(standard: Any) -> QuerySet[Criterion]:
    """The standard's carer-ratio criteria with a threshold, the first one counting."""
    return Criterion.objects.filter(
        standard=standard, metric=Metric.CARER_RATIO, threshold__isnull=False
    ).order_by("order", "pk")


@dataclass(frozen=True)
class CheckInFacts:
    """What a check-in of one enrolment on `day` decides on, read with the enrolment."""

    day: datetime.date
    user_id: int | None  # whose roster `rostered` is about
    rostered: bool
    care_day: bool
    day_closed: bool
    earlier_at: datetime.datetime | None  # the child's check-in of the day, if any
    blocking_check_id: int | None
    absent: bool  # an absence reported for the day
    children_present: int
    carers_on_duty: int
    open_breach_id: int | None
    school_threshold: Any  # the judging standard's carer-ratio threshold (Decimal or None)
    guard_reasons: dict[Any, str | None]


def _count(queryset: QuerySet[Any], by: str) -> Any:
    counted = queryset.order_by().values(by).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted), 0)


def _facts_annotations(user_id: int | None, day: datetime.date) -> dict[str, Any]:
    child, group, term = OuterRef("child_id"), OuterRef("group_id"), OuterRef("term_id")
    first = Attendance.objects.filter(child=child, date=day).values("checked_in_at")[:1]
    threshold = carer_ratio_criteria(judging_standard("term", depth=1)).values("threshold")[:1]
    annotations: dict[str, Any] = {
        "door_rostered": (
            Exists(roster_entries(term, user_id)) if user_id is not None else Value(False)
        ),
        "door_care_day": Exists(care_days(term, day)),
        "door_closed": Exists(DayClose.objects.filter(group=group, date=day)),
        "door_earlier_at": Subquery(first),
        "door_blocking": Subquery(blocking_checks(child, day).values("pk")[:1]),
        "door_absent": Exists(Absence.objects.filter(enrolment=OuterRef("pk"), date=day)),
        "door_children": _count(children_present(group, day), "group"),
        "door_carers": _count(carers_on_duty(group, day), "group"),
        "door_breach": Subquery(open_breaches(group).values("pk")[:1]),
        "door_threshold": Subquery(threshold),
    }
    for index, guard in enumerate(checkin_guards):
        if guard in guard_facts:
            annotations[f"door_guard_{index}"] = guard_facts[guard]("term")
    return annotations


def with_check_in_facts(
    enrolments: QuerySet[Enrolment], actor: Actor | None, day: datetime.date
) -> QuerySet[Enrolment]:
    """The enrolments with what a check-in on `day` by `actor` (None: a kiosk) decides on;
    `_facts_for` marks an enrolment read so, for `check_in_facts`."""
    user_id = actor.user.pk if actor is not None else None
    return enrolments.annotate(**_facts_annotations(user_id, day))


def _facts_for(enrolment: Enrolment, actor: Actor | None, day: datetime.date) -> Enrolment:
    enrolment._door_facts_of = (day, actor.user.pk if actor is not None else None)  # type: ignore[attr-defined]
    return _group_term_shared(enrolment)


def check_in_facts(enrolment: Enrolment, actor: Actor | None, day: datetime.date) -> CheckInFacts:
    """The facts the enrolment was read with (`with_check_in_facts`), or read now."""
    user_id = actor.user.pk if actor is not None else None
    row: Any = enrolment
    if getattr(row, "_door_facts_of", None) != (day, user_id):
        row = with_check_in_facts(Enrolment.objects.filter(pk=enrolment.pk), actor, day).get()
    reasons = {
        guard: getattr(row, f"door_guard_{index}")
        for index, guard in enumerate(checkin_guards)
        if hasattr(row, f"door_guard_{index}")
    }
    return CheckInFacts(
        day=day,
        user_id=user_id,
        rostered=bool(row.door_rostered),
        care_day=bool(row.door_care_day),
        day_closed=bool(row.door_closed),
        earlier_at=row.door_earlier_at,
        blocking_check_id=row.door_blocking,
        absent=bool(row.door_absent),
        children_present=row.door_children,
        carers_on_duty=row.door_carers,
        open_breach_id=row.door_breach,
        school_threshold=row.door_threshold,
        guard_reasons=reasons,
    )


# --- One record ------------------------------------------------------------------------------


def _in_care_groups(actor: Actor, prefix: str = "", *, working: bool = False) -> Q:
    groups = care_work_q(actor) if working else care_groups_q(actor)
    return Q(**{f"{prefix}group__in": Group.objects.filter(groups)})


def _care_enrolments(actor: Actor) -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(_in_care_groups(actor), status__in=ON_ROSTER)


def _group_term_shared(enrolment: Enrolment) -> Enrolment:
    """The group's term is the enrolment's: one object, read once (and its caches shared)."""
    group = enrolment.group
    if group is not None and group.term_id == enrolment.term_id:
        group.term = enrolment.term
    return enrolment


def enrolment_for_care(actor: Actor, pk: Any) -> Enrolment:
    """A seated child of a group the actor can open (404 otherwise)."""
    return _group_term_shared(
        get_or_404(
            _care_enrolments(actor).select_related(
                "child__guardian__user", "term__program__host", "group"
            ),
            pk=pk,
        )
    )


CHECK_IN_RELATED = ("child__guardian__user", "term__program__host", "group")


def _is_id(pk: Any) -> bool:
    return isinstance(pk, int) and not isinstance(pk, bool) and 0 < pk < 2**63


def _guards_key() -> tuple[Any, ...]:
    return tuple((i, id(g)) for i, g in enumerate(checkin_guards) if g in guard_facts)


def _care_check_in_enrolments(actor: Actor, day: datetime.date) -> QuerySet[Enrolment]:
    enrolments = _care_enrolments(actor).select_related(*CHECK_IN_RELATED)
    return with_check_in_facts(enrolments, actor, day)


def _sentinel_actor(actor: Actor) -> Actor:
    """An actor of the same shape as `actor`, with care.fastpath's sentinels for values."""
    membership = None
    if actor.membership is not None:
        membership = Membership(org=Org(path=fastpath.PATH), role=actor.membership.role)
    return Actor(user=User(pk=fastpath.USER), membership=membership)


def enrolment_for_check_in(actor: Actor, pk: Any, day: datetime.date | None = None) -> Enrolment:
    """`enrolment_for_care`, with what its check-in today decides on (`check_in_facts`).
    One compiled statement per shape of actor (care.fastpath), the ORM's."""
    day = day or timezone.localdate()
    if _is_id(pk) and actor.user.pk is not None:
        with_membership = actor.membership is not None
        ran, found = fastpath.read(
            ("care", with_membership, _guards_key()),
            lambda: (
                _care_check_in_enrolments(_sentinel_actor(actor), fastpath.DAY)
                .filter(pk=fastpath.PK)
                .annotate(door_next_id=fastpath.next_attendance_id())
                .order_by()
            ),
            {
                "pk": pk,
                "user": actor.user.pk,
                "path_prefix": actor.membership.org.path if actor.membership is not None else "",
                "day": day,
            },
        )
        if ran:
            if found is None:
                raise Http404
            return _facts_for(found, actor, day)
    found = get_or_404(_care_check_in_enrolments(actor, day), pk=pk)
    return _facts_for(found, actor, day)


def enrolment_to_check_in(
    enrolments: QuerySet[Enrolment], actor: Actor | None, pk: int, day: datetime.date
) -> Enrolment | None:
    """The enrolment `pk` among `enrolments` (a scanner's), with its check-in's facts."""
    enrolments = enrolments.filter(pk=pk).select_related(*CHECK_IN_RELATED)
    found = with_check_in_facts(enrolments, actor, day).first()
    return _facts_for(found, actor, day) if found is not None else None


def kiosk_enrolment_to_check_in(
    device: KioskDevice, pk: int, day: datetime.date
) -> Enrolment | None:
    """`enrolment_to_check_in` among the kiosk's enrolments (`kiosk_enrolments`), through one
    compiled statement (care.fastpath), the ORM's."""
    if _is_id(pk):
        ran, found = fastpath.read(
            ("kiosk", _guards_key()),
            lambda: (
                with_check_in_facts(
                    kiosk_enrolments(KioskDevice(program_id=fastpath.PROGRAM))
                    .filter(pk=fastpath.PK)
                    .select_related(*CHECK_IN_RELATED),
                    None,
                    fastpath.DAY,
                )
                .annotate(door_next_id=fastpath.next_attendance_id())
                .order_by()
            ),
            {"pk": pk, "program": device.program_id, "day": day},
        )
        if ran:
            return _facts_for(found, None, day) if found is not None else None
    return enrolment_to_check_in(kiosk_enrolments(device), None, pk, day)


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


def _kiosks_of_token(token_hash: str) -> QuerySet[KioskDevice]:
    return (
        KioskDevice.objects.filter(
            token_hash=token_hash, revoked_at__isnull=True, program__is_active=True
        )
        .select_related("program__host")
        .order_by("pk")
    )


def kiosk_for_token(
    token_hash: str,
    *,
    compiled: bool = True,
    stamp: tuple[datetime.datetime, datetime.datetime] | None = None,
) -> KioskDevice | None:
    """The active kiosk of a token's hash, with its class and host union (every kiosk
    request reads it: one compiled statement, care.fastpath; `compiled=False`: the ORM).

    `stamp` (now, before): on PostgreSQL the same statement sets the kiosk's `last_seen_at`
    to now when it was older than `before`, and the kiosk read says so in `door_stamped`
    (its `last_seen_at` is the one it had before)."""
    if compiled:
        before = fastpath.kiosk_stamp(token_hash, *stamp) if stamp is not None else None
        ran, found = fastpath.read(
            ("kiosk_device",),
            lambda: _kiosks_of_token(fastpath.TOKEN)[:1],
            {"token": token_hash},
            before,
        )
        if ran:
            if found is not None:
                found.door_stamped = before is not None
            return found  # type: ignore[no-any-return]
    return _kiosks_of_token(token_hash).first()


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
        term__program_id=device.program_id,
        term__status=TermStatus.RUNNING,
        status__in=ON_ROSTER,
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


def _family_place(pk: Any, user: Any) -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(
        pk=pk, guardian__user_id=user, status__in=ON_ROSTER
    ).select_related("guardian", "child__guardian__user", "term__program__host", "group")


def family_enrolment_for(actor: Actor, pk: Any) -> Enrolment:
    """The user's own child's place on a roster (every family page; the live view's poll
    reads it on each change: compiled once, care.fastpath); 404 for anyone else's."""
    number = db_int(pk)
    if number is None:
        raise Http404
    found = fastpath.rows(_family_place, "family-place", pk=number, user=actor.user.pk)
    if not found:
        raise Http404
    return found[0]


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


# --- Daily safety inspection ---------------------------------------------------------------


def inspections_visible_to(actor: Actor) -> QuerySet[SafetyInspection]:
    return (
        SafetyInspection.objects.filter(term__in=terms_for_incidents(actor))
        .select_related("term__program__host", "inspected_by")
        .order_by("-date", "-pk")
    )


def inspection_for(actor: Actor, pk: Any) -> SafetyInspection:
    return get_or_404(inspections_visible_to(actor), pk=pk)


def inspection_follow_ups_visible_to(actor: Actor) -> QuerySet[InspectionFollowUp]:
    return InspectionFollowUp.objects.filter(
        result__inspection__term__in=terms_for_incidents(actor)
    ).select_related("result__inspection__term__program__host", "owner", "closed_by")


def inspection_follow_up_for(actor: Actor, pk: Any) -> InspectionFollowUp:
    return get_or_404(inspection_follow_ups_visible_to(actor), pk=pk)
