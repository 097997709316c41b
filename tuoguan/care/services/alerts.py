"""The clock's alerts (run by housekeeping), each fired exactly once through CareAlert's key.

* A confirmed child expected on a care day, neither checked in nor reported absent, some
  minutes after the day starts (CarePolicy.absent_alert_minutes): the parent is told.
* A child still checked in some minutes after closing (CarePolicy.late_pickup_minutes): the
  parent and the class managers are told.
"""

import datetime
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoguan.enrolment.models import Enrolment, EnrolmentStatus
from tuoguan.programs.models import Term, TermDay, TermStatus

from ..models import Absence, Attendance, CareAlert
from .common import (
    child_today_url,
    class_managers,
    fire_once,
    guardians_of,
    local_time,
    policy_for,
    tell,
)


def _terms_today(day: datetime.date) -> list[Term]:
    care_day = TermDay.objects.filter(term=OuterRef("pk"), date=day, is_care_day=True)
    return list(
        Term.objects.filter(status=TermStatus.RUNNING, start_date__lte=day, end_date__gte=day)
        .filter(Exists(care_day))
        .select_related("program__host")
        .order_by("pk")
    )


def _at(day: datetime.date, time: datetime.time, minutes: int) -> datetime.datetime:
    moment = datetime.datetime.combine(day, time, tzinfo=timezone.get_current_timezone())
    return moment + datetime.timedelta(minutes=minutes)


def not_arrived_alerts(term: Term, now: datetime.datetime) -> int:
    day = timezone.localdate(now)
    policy = policy_for(term.program)
    if now < _at(day, term.daily_start, policy.absent_alert_minutes):
        return 0
    expected = (
        Enrolment.objects.filter(term=term, status=EnrolmentStatus.CONFIRMED)
        .exclude(Exists(Attendance.objects.filter(child=OuterRef("child"), date=day)))
        .exclude(Exists(Absence.objects.filter(enrolment=OuterRef("pk"), date=day)))
        .select_related("child__guardian__user")
        .order_by("pk")
    )
    sent = 0
    for enrolment in expected:
        alert = fire_once(
            kind=CareAlert.Kind.NOT_ARRIVED, key=f"not_arrived:{enrolment.pk}:{day}", term=term,
            day=day,
        )  # fmt: skip
        if alert is None:
            continue
        alert.recipients = tell(
            guardians_of(enrolment.child),
            subject=_("%(child)s has not arrived at %(program)s")
            % {"child": enrolment.child.name, "program": term.program.name},
            body=_(
                "The day began at %(start)s and %(child)s has not been checked in. If the "
                "child is not coming, report the absence."
            )
            % {"start": term.daily_start.strftime("%H:%M"), "child": enrolment.child.name},
            url=child_today_url(enrolment),
        )
        alert.save(update_fields=["recipients"])
        sent += 1
    return sent


def late_pickup_alerts(term: Term, now: datetime.datetime) -> int:
    day = timezone.localdate(now)
    policy = policy_for(term.program)
    if now < _at(day, term.daily_end, policy.late_pickup_minutes):
        return 0
    still_in = (
        Attendance.objects.filter(term=term, date=day, checked_out_at__isnull=True)
        .select_related("child__guardian__user", "enrolment", "group")
        .order_by("pk")
    )
    managers: list[Any] | None = None
    sent = 0
    for attendance in still_in:
        alert = fire_once(
            kind=CareAlert.Kind.LATE_PICKUP, key=f"late_pickup:{attendance.pk}", term=term, day=day
        )
        if alert is None:
            continue
        if managers is None:
            managers = class_managers(term)
        alert.recipients = tell(
            [*guardians_of(attendance.child), *managers],
            subject=_("%(child)s is still at the class after closing")
            % {"child": attendance.child.name},
            body=_("The class closed at %(end)s; %(child)s, checked in at %(in)s, is waiting.")
            % {
                "end": term.daily_end.strftime("%H:%M"),
                "child": attendance.child.name,
                "in": local_time(attendance.checked_in_at),
            },
            url=child_today_url(attendance.enrolment),
        )
        alert.save(update_fields=["recipients"])
        sent += 1
    return sent


def care_alerts(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Tell parents of children not arrived, and of children still in after closing; once."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    counts = {"not_arrived": 0, "late_pickup": 0}
    for term in _terms_today(day):
        counts["not_arrived"] += not_arrived_alerts(term, now)
        counts["late_pickup"] += late_pickup_alerts(term, now)
    return counts
