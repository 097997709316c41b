"""Morning health check, the epidemic flag at its boundary, the live carer ratio at its edge."""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

from tuoguan.care import services
from tuoguan.care.models import Attendance, EpidemicFlag, HealthCheck, RatioBreach
from tuoguan.care.services.duty import ratio_sync
from tuoguan.notifications.models import Notification
from tuoguan.programs import services as programs
from tuoguan.programs.models import GroupKind, StaffRole

from .support import DAY, CareCase, actor, confirmed, running_term, today


class HealthCheckTests(CareCase):
    def setUp(self) -> None:
        self.term = running_term(self.p)
        self.carer = actor(self.p.caregiver)
        self.enrolment = confirmed(self.p, self.term, 1)

    def test_a_flagged_child_is_not_checked_in_without_an_override(self) -> None:
        check = services.health_check_record(
            actor=self.carer, enrolment=self.enrolment, temperature="38.1", symptoms=["cough"]
        )
        self.assertTrue(check.flagged)
        self.assertEqual(check.symptoms, ["fever", "cough"])
        parent = self.enrolment.guardian.user
        self.assertTrue(Notification.objects.filter(recipient=parent).exists())
        with self.assertRaises(ValidationError) as caught:
            services.attendance_check_in(actor=self.carer, enrolment=self.enrolment)
        self.assertEqual(caught.exception.code, "health_flag")
        with self.assertRaises(PermissionDenied):
            services.health_check_override(actor=self.carer, check=check, reason="家长陪同确认")
        manager = actor(self.p.grassroots_admin)
        with self.assertRaises(ValidationError):
            services.health_check_override(actor=manager, check=check, reason="")
        told = Notification.objects.filter(recipient=parent).count()
        services.health_check_override(actor=manager, check=check, reason="复测正常，家长同意")
        self.assertEqual(Notification.objects.filter(recipient=parent).count(), told + 1)
        attendance = services.attendance_check_in(actor=self.carer, enrolment=self.enrolment)
        self.assertEqual(attendance.child, self.enrolment.child)

    def test_a_normal_check_does_not_block(self) -> None:
        check = services.health_check_record(
            actor=self.carer, enrolment=self.enrolment, temperature="36.6"
        )
        self.assertFalse(check.flagged)
        services.attendance_check_in(actor=self.carer, enrolment=self.enrolment)

    def test_a_toddler_check_goes_through_the_four_steps_and_has_a_midday_round(self) -> None:
        term = running_term(
            self.p,
            program_type="toddler",
            groups=({"name": "托小班", "kind": GroupKind.TODDLER_SMALL, "capacity": 15},),
        )
        enrolment = confirmed(self.p, term, 2)
        with self.assertRaises(ValidationError) as caught:
            services.health_check_record(
                actor=self.carer, enrolment=enrolment, temperature="36.5", steps=["touch"]
            )
        self.assertIn("steps", caught.exception.message_dict)
        steps = ["touch", "look", "ask", "check"]
        services.health_check_record(
            actor=self.carer, enrolment=enrolment, temperature="36.5", steps=steps
        )
        midday = services.health_check_record(
            actor=self.carer, enrolment=enrolment, temperature="36.7", steps=steps, round="midday"
        )
        self.assertEqual(midday.round, "midday")

    def test_a_school_group_has_no_midday_round(self) -> None:
        with self.assertRaises(ValidationError):
            services.health_check_record(
                actor=self.carer, enrolment=self.enrolment, temperature="36.5", round="midday"
            )


class EpidemicFlagTests(CareCase):
    def setUp(self) -> None:
        self.term = running_term(self.p, starts_in=-10)
        self.carer = actor(self.p.caregiver)
        self.children = [confirmed(self.p, self.term, n) for n in range(1, 5)]
        self.group = self.children[0].group

    def _rash(self, enrolment: Any, day: datetime.date) -> None:
        # Recorded on past days as the service would have then.
        HealthCheck.objects.create(
            enrolment=enrolment,
            term=self.term,
            group=self.group,
            child=enrolment.child,  # type: ignore[attr-defined]
            date=day,
            round="morning",
            temperature="36.8",
            symptoms=["rash"],
            flagged=True,
            recorded_by=self.p.caregiver,
        )

    def test_three_children_within_three_days_raise_the_flag_once(self) -> None:
        self._rash(self.children[0], today() - 2 * DAY)
        self._rash(self.children[1], today() - DAY)
        manager_inbox = Notification.objects.filter(
            recipient=self.p.grassroots_admin, subject__contains="pidemic"
        )
        before = manager_inbox.count()
        services.health_check_record(
            actor=self.carer, enrolment=self.children[2], temperature="36.7", symptoms=["rash"]
        )
        flag = EpidemicFlag.objects.get()
        self.assertEqual((flag.symptom, flag.children), ("rash", 3))
        self.assertEqual(manager_inbox.count(), before + 1)
        # The fourth child of the same outbreak raises nothing more.
        services.health_check_record(
            actor=self.carer, enrolment=self.children[3], temperature="36.7", symptoms=["rash"]
        )
        self.assertEqual(EpidemicFlag.objects.count(), 1)
        self.assertEqual(manager_inbox.count(), before + 1)

    def test_the_third_child_one_day_outside_the_window_raises_nothing(self) -> None:
        self._rash(self.children[0], today() - 3 * DAY)
        self._rash(self.children[1], today() - DAY)
        services.health_check_record(
            actor=self.carer, enrolment=self.children[2], temperature="36.7", symptoms=["rash"]
        )
        self.assertFalse(EpidemicFlag.objects.exists())

    def test_two_children_with_one_symptom_each_raise_nothing(self) -> None:
        self._rash(self.children[0], today() - DAY)
        services.health_check_record(
            actor=self.carer, enrolment=self.children[1], temperature="36.7", symptoms=["cough"]
        )
        services.health_check_record(
            actor=self.carer, enrolment=self.children[2], temperature="36.7", symptoms=["rash"]
        )
        self.assertFalse(EpidemicFlag.objects.exists())


class RatioTests(CareCase):
    """One carer on duty: the ratio's last child is fine, one more is a breach."""

    def _setup(self, *, program_type: str, kind: str, capacity: int) -> None:
        self.term = running_term(
            self.p,
            program_type=program_type,
            groups=({"name": "测试组", "kind": kind, "capacity": capacity},),
        )
        self.group = self.term.groups.get()
        self.carer = actor(self.p.caregiver)
        services.duty_clock_in(actor=self.carer, group=self.group)

    def _fill(self, n: int) -> list[Attendance]:
        out = []
        for i in range(n):
            enrolment = confirmed(self.p, self.term, 100 + len(Attendance.objects.all()) + i)
            out.append(services.attendance_check_in(actor=self.carer, enrolment=enrolment))
        return out

    def test_a_toddler_group_breaches_at_one_child_above_its_ratio(self) -> None:
        self._setup(program_type="toddler", kind=GroupKind.TODDLER_SMALL, capacity=15)
        self._fill(5)  # 托小班 1:5
        self.assertFalse(RatioBreach.objects.exists())
        manager_inbox = Notification.objects.filter(
            recipient=self.p.grassroots_admin, subject__contains="ratio"
        )
        before = manager_inbox.count()
        sixth = self._fill(1)[0]
        breach = RatioBreach.objects.get()
        self.assertEqual((breach.children, breach.carers), (6, 1))
        self.assertIsNone(breach.ended_at)
        self.assertEqual(manager_inbox.count(), before + 1)
        # The sixth child goes home: the breach ends and keeps its duration.
        services.attendance_check_out(
            actor=self.carer, attendance=sixth, pickup=sixth.enrolment.child.pickups.first()
        )
        breach.refresh_from_db()
        self.assertIsNotNone(breach.ended_at)
        self.assertGreaterEqual(breach.duration().total_seconds(), 0)

    def test_a_school_group_breaches_at_one_pupil_above_the_standards_ratio(self) -> None:
        self._setup(program_type="after_school", kind=GroupKind.SCHOOL, capacity=30)
        from tuoguan.care.services.duty import children_per_carer

        per_carer = int(children_per_carer(self.group))
        self._fill(per_carer)
        self.assertFalse(RatioBreach.objects.exists())
        self._fill(1)
        self.assertEqual(RatioBreach.objects.get().children, per_carer + 1)

    def test_a_second_carer_clocking_in_ends_the_breach(self) -> None:
        self._setup(program_type="toddler", kind=GroupKind.INFANT, capacity=10)
        self._fill(4)  # 乳儿班 1:3
        self.assertTrue(RatioBreach.objects.filter(ended_at__isnull=True).exists())
        staff = programs.term_staff_add(
            actor=actor(self.p.grassroots_admin),
            term=self.term,
            user=self.p.city_admin,
            role=StaffRole.TUTOR,
        )
        services.duty_clock_in(actor=actor(self.p.grassroots_admin), group=self.group, staff=staff)
        self.assertFalse(RatioBreach.objects.filter(ended_at__isnull=True).exists())
        self.assertFalse(ratio_sync(self.group).breached)
