"""Alerts fire once to the right people; the attendance rate against a hand-computed fixture."""

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from tuoguan.care import services
from tuoguan.care.models import Absence, Attendance, CareAlert
from tuoguan.care.rates import enrolment_rates, previous_period_rate, term_rates
from tuoguan.enrolment.models import EnrolmentStatus
from tuoguan.enrolment.services import check_eligibility, rules_for
from tuoguan.enrolment.tests.paperwork_support import new_family
from tuoguan.notifications.models import Notification
from tuoguan.programs import services as programs
from tuoguan.programs.compliance import term_compliance
from tuoguan.programs.models import Metric, TermDay

from .support import DAY, CareCase, actor, at, confirmed, running_term, seat, today


class AlertTests(CareCase):
    def setUp(self) -> None:
        self.term = running_term(self.p)
        self.carer = actor(self.p.caregiver)
        self.here = confirmed(self.p, self.term, 1)
        self.away = confirmed(self.p, self.term, 2)
        self.sick = confirmed(self.p, self.term, 3)
        services.absence_report(
            actor=actor(self.sick.guardian.user), enrolment=self.sick, date=today(), reason="sick"
        )

    def _inbox(self, user: Any, text: str) -> int:
        return Notification.objects.filter(recipient=user, subject__contains=text).count()

    def test_the_not_arrived_alert_goes_once_to_the_parent_of_the_child_missing(self) -> None:
        services.attendance_check_in(actor=self.carer, enrolment=self.here)
        early = at(today(), 8, 30)  # the day starts at 8:00; parents are told from 9:00
        self.assertEqual(services.care_alerts(now=early)["not_arrived"], 0)
        later = at(today(), 9, 5)
        self.assertEqual(services.care_alerts(now=later)["not_arrived"], 1)
        self.assertEqual(services.care_alerts(now=later + DAY / 24)["not_arrived"], 0)
        self.assertEqual(self._inbox(self.away.guardian.user, "has not arrived"), 1)
        self.assertEqual(self._inbox(self.here.guardian.user, "has not arrived"), 0)
        self.assertEqual(self._inbox(self.sick.guardian.user, "has not arrived"), 0)

    def test_the_late_pickup_alert_goes_once_to_the_parent_and_the_class_managers(self) -> None:
        attendance = services.attendance_check_in(actor=self.carer, enrolment=self.here)
        self.assertEqual(services.care_alerts(now=at(today(), 18, 10))["late_pickup"], 0)
        self.assertEqual(services.care_alerts(now=at(today(), 18, 16))["late_pickup"], 1)
        self.assertEqual(services.care_alerts(now=at(today(), 19, 0))["late_pickup"], 0)
        self.assertEqual(self._inbox(self.here.guardian.user, "still at the class"), 1)
        self.assertEqual(self._inbox(self.p.grassroots_admin, "still at the class"), 1)
        self.assertEqual(self._inbox(self.away.guardian.user, "still at the class"), 0)
        alert = CareAlert.objects.get(kind="late_pickup")
        self.assertEqual((alert.key, alert.recipients), (f"late_pickup:{attendance.pk}", 2))


class AttendanceRateTests(CareCase):
    """A term of 10 calendar days before today; the child admitted on its 4th day."""

    def setUp(self) -> None:
        self.term = running_term(self.p, starts_in=-10, days=15)
        start = self.term.start_date
        admin = actor(self.p.grassroots_admin)
        # Fix the calendar by hand: care days are days 0–9 but day 6 (a non-care day).
        for offset in range(10):
            day = start + offset * DAY
            if offset == 6:
                programs.term_day_remove(actor=admin, term=self.term, date=day)
            else:
                programs.term_day_add(actor=admin, term=self.term, date=day)
        admitted = timezone.make_aware(
            datetime.datetime.combine(start + 3 * DAY, datetime.time(10))
        )
        self.enrolment = confirmed(self.p, self.term, 1, admitted=admitted)
        # Days 3..9 elapsed, day 6 off: 6 care days. Present on 3, 4, 7, 8; absent (reported) 5;
        # no-show 9. Day 1 (before admission) and day 6 (no care) do not count.
        for offset in (1, 3, 4, 6, 7, 8):
            self._present(start + offset * DAY)
        Absence.objects.create(
            enrolment=self.enrolment,
            date=start + 5 * DAY,
            reason="sick",
            reported_by=self.enrolment.guardian.user,
        )

    def _present(self, day: datetime.date) -> None:
        Attendance.objects.create(
            enrolment=self.enrolment,
            term=self.term,
            group=self.enrolment.group,
            child=self.enrolment.child,
            date=day,
            checked_in_at=at(day, 8, 5),
            checked_out_at=at(day, 17, 0),
            check_in_method="tap",
        )

    def test_the_rate_is_days_present_over_care_days_since_admission(self) -> None:
        rate = enrolment_rates([self.enrolment])[self.enrolment.pk]
        self.assertEqual((rate.present, rate.days), (4, 6))
        self.assertEqual(rate.value, Decimal("66.6"))
        self.assertEqual(term_rates([self.term])[self.term.pk].value, Decimal("66.6"))

    def test_the_standards_attendance_criterion_fails_below_70_percent(self) -> None:
        row = self._attendance_row()
        self.assertEqual(row.status, "fail")
        self.assertEqual(row.value, Decimal("66.6"))

    def test_the_standards_attendance_criterion_passes_from_70_percent(self) -> None:
        self._present(self.term.start_date + 9 * DAY)  # 5 of 6
        row = self._attendance_row()
        self.assertEqual(row.status, "pass")
        self.assertEqual(row.value, Decimal("83.3"))

    def test_the_criterion_is_pending_before_any_care_day_has_passed(self) -> None:
        TermDay.objects.filter(term=self.term, date__lt=today()).update(is_care_day=False)
        self.assertEqual(self._attendance_row().status, "pending")

    def _attendance_row(self) -> Any:
        rows = [
            row
            for row in term_compliance(self.term).rows
            if row.criterion.metric == Metric.ATTENDANCE_RATE
        ]
        self.assertTrue(rows, "the national standard has an attendance criterion")
        return rows[0]


class PreviousPeriodTests(CareCase):
    def test_attendance_below_70_percent_bars_the_next_period_when_the_rule_is_on(self) -> None:
        past = running_term(self.p, starts_in=-30, days=9)
        enrolment = seat(
            past, new_family(self.p, 1), status=EnrolmentStatus.CONFIRMED,
            admitted=timezone.now() - 60 * DAY,
        )  # fmt: skip
        care_days = list(past.days.filter(is_care_day=True).values_list("date", flat=True))
        for day in care_days[:1]:
            Attendance.objects.create(
                enrolment=enrolment, term=past, group=enrolment.group, child=enrolment.child,
                date=day, checked_in_at=at(day, 8), check_in_method="tap",
            )  # fmt: skip
        next_term = running_term(self.p, starts_in=5, days=10)
        next_term.program_id = past.program_id
        next_term.save()
        rate = previous_period_rate(child=enrolment.child, term=next_term)
        self.assertAlmostEqual(rate or 0, 1 / len(care_days))
        rules = rules_for(next_term)
        rules.attendance_bar = True
        rules.save()
        refusals = check_eligibility(
            term=next_term, child=enrolment.child, guardian=enrolment.guardian
        )
        self.assertIn("attendance_below_bar", [r.code for r in refusals])
        self.assertEqual(seat(next_term, enrolment.child).status, EnrolmentStatus.ADMITTED)
