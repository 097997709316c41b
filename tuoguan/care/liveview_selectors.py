"""Reads of the parent's live view: the day's stamp (one indexed query, for the ETag), the
day's timeline, and the term's history of the child's days. Scoped to the family: a child
of another family does not exist (404)."""

import datetime
import hashlib
from dataclasses import dataclass
from typing import Any

from django.contrib.sessions.models import Session
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Now
from django.utils import timezone

from tuoguan.core.inputs import db_int
from tuoguan.enrolment.models import Enrolment
from tuoguan.orgs.permissions import Actor
from tuoguan.programs.models import TermDay

from . import fastpath, meal_selectors, photo_selectors
from .models import (
    ON_ROSTER,
    Absence,
    Attendance,
    CheckoutRefusal,
    ChildDay,
    DayNote,
    HealthCheck,
    HealthRound,
    Incident,
    PickupCode,
    TemporaryPickup,
)
from .models.meals import Dish, Meal

STAMP_FIELDS = ("updated_at", "s_in", "s_refused", "s_absent", "s_version", "s_changed")


def _stamp_annotations(day: datetime.date) -> dict[str, Any]:
    attendance = Attendance.objects.filter(enrolment=OuterRef("pk"), date=day)
    refused = CheckoutRefusal.objects.filter(
        attendance__enrolment=OuterRef("pk"), attendance__date=day
    ).order_by("-pk")
    absence = Absence.objects.filter(enrolment=OuterRef("pk"), date=day)
    version = ChildDay.objects.filter(enrolment=OuterRef("pk"), date=day)
    return {
        "s_in": Subquery(attendance.values("updated_at")[:1]),
        "s_refused": Subquery(refused.values("pk")[:1]),
        "s_absent": Subquery(absence.values("updated_at")[:1]),
        "s_version": Subquery(version.values("version")[:1]),
        "s_changed": Subquery(version.values("changed_at")[:1]),
    }


def _stamp_read(pk: Any, user: Any, day: datetime.date) -> QuerySet[Enrolment]:
    return (
        Enrolment.objects.filter(pk=pk, guardian__user_id=user, status__in=ON_ROSTER)
        .only("pk", "updated_at")
        .annotate(**_stamp_annotations(day))
        .order_by()
    )


def child_day_stamp(user_id: Any, pk: Any, day: datetime.date) -> str | None:
    """What the live view of the child's `day` shows has changed when this changes; None
    when the place is not the user's own child's (404).

    One statement on indexed columns (compiled once, care.fastpath): the place joined with
    its guardian (the user's own child, on the roster), its Attendance row's `updated_at`
    (check-in and check-out), its latest refused pickup, its Absence's and its ChildDay's
    version (every other event of the day)."""
    number = db_int(pk)
    if number is None:
        return None
    found = fastpath.rows(_stamp_read, "day-stamp", pk=number, user=user_id, day=day)
    if not found:
        return None
    return "|".join(str(getattr(found[0], name)) for name in STAMP_FIELDS)


@dataclass(frozen=True)
class SessionStamp:
    """The poll's one read for the early answer: the child's stamp, its guardian's account
    and the session the request names (`session_data` None: no such session in force)."""

    stamp: str
    user_id: int
    password: str
    is_active: bool
    session_data: str | None
    is_staff: bool = False


def _session_stamp_read(pk: Any, day: datetime.date, session_key: str) -> QuerySet[Enrolment]:
    """The place `pk` on the roster with the day's stamp, its guardian's account and the
    session `session_key` in force (by the database's clock)."""
    session = Session.objects.filter(session_key=session_key, expire_date__gt=Now())
    return (
        Enrolment.objects.filter(pk=pk, status__in=ON_ROSTER)
        .only("pk", "updated_at")
        .annotate(
            **_stamp_annotations(day),
            s_user=F("guardian__user_id"),
            s_password=F("guardian__user__password"),
            s_active=F("guardian__user__is_active"),
            s_staff=F("guardian__user__is_staff"),
            s_session=Subquery(session.values("session_data")[:1]),
        )
        .order_by()
    )


def session_child_day_stamp(
    session_key: str, pk: Any, day: datetime.date, *, compiled: bool = True
) -> SessionStamp | None:
    """`child_day_stamp` read with the session in force and the guardian's account, in one
    statement, for `care.middleware.LiveViewPollMiddleware`; the caller checks that the
    session is the guardian's (None: no such place on the roster). Every unchanged poll
    reads it: compiled once (care.fastpath); `compiled=False`: the ORM."""
    found: Any = None
    ran = False
    if compiled and isinstance(pk, int):
        ran, found = fastpath.read(
            ("poll",),
            lambda: _session_stamp_read(fastpath.PK, fastpath.DAY, fastpath.SESSION),
            {"pk": pk, "day": day, "session": session_key},
        )
    if not ran:
        found = _session_stamp_read(pk, day, session_key).first()
    if found is None:
        return None
    stamp = "|".join(str(getattr(found, name)) for name in STAMP_FIELDS)
    return SessionStamp(
        stamp, found.s_user, found.s_password, found.s_active, found.s_session, found.s_staff
    )


def day_etag(pk: Any, day: datetime.date, stamp: str, language: str, kind: str) -> str:
    """A weak ETag: the fragment holds a fresh CSRF token on each answer, so two answers of
    one state are equivalent, not byte for byte equal. The language and the representation
    (`kind`: html, json) are part of it: the zh-hans and English answers differ."""
    digest = hashlib.sha256(f"{pk}|{day}|{stamp}|{language}|{kind}".encode()).hexdigest()
    return f'W/"{digest[:24]}"'


def etag_matches(header: str, etag: str) -> bool:
    """If-None-Match's weak comparison (RFC 9110 §13.1.2): the opaque tags, W/ aside."""
    if not header:
        return False
    if header.strip() == "*":
        return True
    mine = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == mine for tag in header.split(","))


def notes_visible_q(pk: Any, group: Any) -> Q:
    """The day notes the family of the place `pk` in `group` sees: the group's own, and those
    tagged to the child."""
    tagged = DayNote.children.through.objects.filter(daynote=OuterRef("pk"))
    return Q(group_id=group) & (~Q(Exists(tagged)) | Q(Exists(tagged.filter(enrolment_id=pk))))


def notes_for_child_day(pk: Any, group: Any, day: datetime.date) -> QuerySet[DayNote]:
    """The notes of the day the family of the place `pk` in `group` sees."""
    return (
        DayNote.objects.filter(notes_visible_q(pk, group), date=day)
        .select_related("author")
        .order_by("time", "pk")
    )


def group_notes(group: Any, day: datetime.date) -> list[DayNote]:
    """The group's notes of the day, for its caregivers (with whom each is for)."""
    return list(
        DayNote.objects.filter(group=group, date=day)
        .select_related("author")
        .prefetch_related("children__child")
        .order_by("-time", "-pk")
    )


# --- The day's reads, one statement each, compiled once (care.fastpath.rows) ----------------
# Each is a function of the place's ids and the day only, so that its statement is the same
# for every child: the live view's changed poll runs them all (bench/README.md, "liveview").


def _attendance(pk: Any, day: datetime.date) -> QuerySet[Attendance]:
    return Attendance.objects.filter(enrolment_id=pk, date=day).select_related(
        "pickup", "temporary_pickup", "checked_in_by", "kiosk"
    )[:1]


def _absence(pk: Any, day: datetime.date) -> QuerySet[Absence]:
    return Absence.objects.filter(enrolment_id=pk, date=day)[:1]


def _checks(pk: Any, day: datetime.date) -> QuerySet[HealthCheck]:
    return HealthCheck.objects.filter(enrolment_id=pk, date=day).order_by("round", "pk")


def _refusals(pk: Any, day: datetime.date) -> QuerySet[CheckoutRefusal]:
    return CheckoutRefusal.objects.filter(
        attendance__enrolment_id=pk, attendance__date=day
    ).order_by("refused_at", "pk")


def _temporary(child: Any, day: datetime.date) -> QuerySet[TemporaryPickup]:
    return TemporaryPickup.objects.filter(child_id=child, date__gte=day).order_by("date", "pk")


def _care_day(term: Any, day: datetime.date) -> QuerySet[TermDay]:
    return TermDay.objects.filter(term_id=term, date=day, is_care_day=True)[:1]


def _meals(term: Any, day: datetime.date) -> QuerySet[Meal]:
    return Meal.objects.filter(term_id=term, date=day)


def _dishes(term: Any, day: datetime.date) -> QuerySet[Dish]:
    return Dish.objects.filter(meal__term_id=term, meal__date=day).order_by("pk")


def _incidents(pk: Any, day: datetime.date) -> QuerySet[Incident]:
    # As the guardians were told: the incidents of the day the child was involved in.
    return Incident.objects.filter(children=pk, occurred_at__date=day).order_by("occurred_at", "pk")


def _pickup_codes(child: Any, day: datetime.date) -> QuerySet[PickupCode]:
    return PickupCode.objects.filter(child_id=child, date=day, used_at__isnull=True).order_by(
        "-created_at", "-pk"
    )[:1]


def child_day(actor: Actor, enrolment: Enrolment, day: datetime.date) -> dict[str, Any]:
    """Everything the live view shows of the child's day: 12 statements whatever the length
    of the day, each compiled once for every child (`enrolment` scoped by the caller)."""
    pk, term, group, child = enrolment.pk, enrolment.term_id, enrolment.group_id, enrolment.child_id
    rows = fastpath.rows
    attendance = next(iter(rows(_attendance, "day-in", pk=pk, day=day)), None)
    absence = next(iter(rows(_absence, "day-absent", pk=pk, day=day)), None)
    menu = meal_selectors.serving_order(rows(_meals, "day-meals", term=term, day=day))
    if menu:
        fastpath.prefetched(
            menu, "dishes", rows(_dishes, "day-dishes", term=term, day=day), "meal_id"
        )
    photos: list[Any] = []
    if group is not None:
        photos = rows(
            photo_selectors.family_day_photos, "day-photos", pk=pk, term=term, group=group, day=day
        )
        if photos:
            tags = rows(photo_selectors.day_photo_tags, "day-photo-tags", group=group, day=day)
            fastpath.prefetched(photos, "tags", tags, "photo_id")
    conflicts = meal_selectors.allergy_conflicts(actor, menu, [enrolment])
    return {
        "attendance": attendance,
        "absence": absence,
        "checks": rows(_checks, "day-checks", pk=pk, day=day),
        "refusals": rows(_refusals, "day-refusals", pk=pk, day=day) if attendance else [],
        "temporary": rows(_temporary, "day-temporary", child=child, day=day),
        "is_care_day": bool(rows(_care_day, "day-care", term=term, day=day)),
        "todays_menu": menu,
        "menu_conflicts": meal_selectors.conflicts_by_dish(conflicts),
        "notes": rows(notes_for_child_day, "day-notes", pk=pk, group=group or 0, day=day),
        "incidents": rows(_incidents, "day-incidents", pk=pk, day=day),
        "photos": photos,
    }


def pickup_code_of(enrolment: Enrolment, day: datetime.date) -> str:
    """Today's latest unused one-time pickup code of the family's child ("" when none)."""
    codes = fastpath.rows(_pickup_codes, "day-pickup-code", child=enrolment.child_id, day=day)
    return codes[0].code if codes else ""


# --- The term's history -------------------------------------------------------------------


@dataclass
class HistoryDay:
    date: datetime.date
    attendance: Attendance | None = None
    absence: Absence | None = None
    check: HealthCheck | None = None

    @property
    def status(self) -> str:
        if self.attendance is not None:
            return "present"
        return "absent" if self.absence is not None else "missing"


def past_care_days(enrolment: Enrolment, today: datetime.date | None = None) -> QuerySet[TermDay]:
    """The term's care days before today, latest first."""
    today = today or timezone.localdate()
    return TermDay.objects.filter(term=enrolment.term, is_care_day=True, date__lt=today).order_by(
        "-date"
    )


def history_days(enrolment: Enrolment, dates: list[datetime.date]) -> list[HistoryDay]:
    """The child's record of these days: three queries whatever their number."""
    days = {d: HistoryDay(d) for d in dates}
    for a in Attendance.objects.filter(enrolment=enrolment, date__in=dates).select_related(
        "pickup", "temporary_pickup"
    ):
        days[a.date].attendance = a
    for absence in Absence.objects.filter(enrolment=enrolment, date__in=dates):
        days[absence.date].absence = absence
    for check in HealthCheck.objects.filter(
        enrolment=enrolment, date__in=dates, round=HealthRound.MORNING
    ):
        days[check.date].check = check
    return [days[d] for d in dates]
