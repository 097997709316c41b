"""Check-in and check-out at the door: who may come in, who may take the child home."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.signing import dumps
from django.utils import translation

from tuoguan.care import services
from tuoguan.care.codes import SALT, check_in_code, check_in_code_read
from tuoguan.care.models import Absence, Attendance, CheckoutRefusal, DayClose, TemporaryPickup
from tuoguan.enrolment.models import Pickup
from tuoguan.notifications.models import Notification

from .support import DAY, CareCase, actor, confirmed, running_term, today, unconfirmed


class CheckInTests(CareCase):
    def setUp(self) -> None:
        self.term = running_term(self.p)
        self.carer = actor(self.p.caregiver)
        self.enrolment = confirmed(self.p, self.term, 1)

    def test_a_confirmed_child_is_checked_in_with_one_tap_and_the_parent_told(self) -> None:
        attendance = services.attendance_check_in(actor=self.carer, enrolment=self.enrolment)
        self.assertEqual(attendance.date, today())
        self.assertEqual(attendance.check_in_method, "tap")
        self.assertTrue(
            Notification.objects.filter(
                recipient=self.enrolment.guardian.user, subject__contains="checked in"
            ).exists()
        )

    def test_check_in_is_refused_while_a_later_app_suspends_the_term_and_says_why(self) -> None:
        from tuoguan.care.services import attendance as door

        suspended: dict[object, str] = {self.term.pk: "消防通道堵塞"}

        def guard(term: object) -> str | None:
            return suspended.get(getattr(term, "pk", None))

        door.register_checkin_guard(guard)
        try:
            with self.assertRaises(ValidationError) as caught:
                services.attendance_check_in(actor=self.carer, enrolment=self.enrolment)
            self.assertIn("消防通道堵塞", " ".join(caught.exception.messages))
            self.assertFalse(Attendance.objects.filter(enrolment=self.enrolment).exists())
            suspended.clear()
            services.attendance_check_in(actor=self.carer, enrolment=self.enrolment)
        finally:
            door._checkin_guards.remove(guard)

    def test_check_in_is_refused_for_an_unconfirmed_child_naming_what_is_missing(self) -> None:
        enrolment = unconfirmed(self.p, self.term, 2, skip=("insurance", "agreement"))
        with translation.override("en"), self.assertRaises(ValidationError) as caught:
            services.attendance_check_in(actor=self.carer, enrolment=enrolment)
        message = " ".join(caught.exception.messages)
        self.assertIn("Accident insurance covering the whole term", message)
        self.assertIn("Care agreement signed", message)
        self.assertNotIn("pickup", message.lower())
        self.assertFalse(Attendance.objects.filter(enrolment=enrolment).exists())

    def test_a_second_check_in_the_same_day_is_refused(self) -> None:
        services.attendance_check_in(actor=self.carer, enrolment=self.enrolment)
        with self.assertRaises(ValidationError) as caught:
            services.attendance_check_in(actor=self.carer, enrolment=self.enrolment)
        self.assertEqual(caught.exception.code, "already_checked_in")
        self.assertEqual(Attendance.objects.filter(child=self.enrolment.child).count(), 1)

    def test_todays_qr_code_checks_the_child_in(self) -> None:
        code = check_in_code(self.enrolment, today())
        attendance = services.attendance_check_in(
            actor=self.carer, enrolment=self.enrolment, code=code
        )
        self.assertEqual(attendance.check_in_method, "qr")

    def test_the_qr_code_on_the_phone_reads_back_as_todays_code(self) -> None:
        import io
        import re

        import segno
        import zxingcpp
        from PIL import Image

        from tuoguan.care.codes import QR_MASK, qr_svg

        code = check_in_code(self.enrolment, today())
        svg = qr_svg(code, title="今日签到码")
        # The page's SVG draws exactly the modules of this symbol, which a reader decodes.
        symbol = segno.make(code, error="m", mask=QR_MASK)
        drawn = symbol.svg_inline(scale=6, border=2, svgclass="qr-image")
        self.assertEqual(re.sub(r'role="img" aria-label="[^"]*" ', "", svg), drawn)
        png = io.BytesIO()
        symbol.save(png, kind="png", scale=4, border=4)
        png.seek(0)
        (read,) = zxingcpp.read_barcodes(Image.open(png).convert("L"))
        self.assertEqual(read.text, code)
        self.assertEqual(
            check_in_code_read(read.text, today=today()).enrolment_id, self.enrolment.pk
        )

    def test_a_qr_code_of_yesterday_is_refused(self) -> None:
        code = check_in_code(self.enrolment, today() - DAY)
        with self.assertRaises(ValidationError) as caught:
            services.attendance_check_in(actor=self.carer, enrolment=self.enrolment, code=code)
        self.assertIn("another day", " ".join(caught.exception.messages))
        self.assertFalse(Attendance.objects.exists())

    def test_a_qr_code_of_another_child_is_refused(self) -> None:
        other = confirmed(self.p, self.term, 3)
        code = check_in_code(other, today())
        with self.assertRaises(ValidationError) as caught:
            services.attendance_check_in(actor=self.carer, enrolment=self.enrolment, code=code)
        self.assertIn("another child", " ".join(caught.exception.messages))
        self.assertFalse(Attendance.objects.exists())

    def test_a_tampered_qr_code_is_refused(self) -> None:
        code = check_in_code(self.enrolment, today())
        forged = dumps(
            {"e": self.enrolment.pk + 1, "c": 1, "t": 1, "d": today().isoformat()}, salt="other"
        )
        for bad in (code[:-2] + ("AA" if code[-2:] != "AA" else "BB"), forged, "x:y:z"):
            with self.subTest(bad=bad):
                with self.assertRaises(ValidationError) as caught:
                    services.attendance_check_in(
                        actor=self.carer, enrolment=self.enrolment, code=bad
                    )
                self.assertIn("not a check-in code", " ".join(caught.exception.messages))
        self.assertFalse(Attendance.objects.exists())
        self.assertNotEqual(SALT, "other")

    def test_a_used_qr_code_is_useless(self) -> None:
        code = check_in_code(self.enrolment, today())
        services.attendance_check_in_by_code(
            actor=self.carer, code=code, enrolments=self.term.enrolments.all()
        )
        with self.assertRaises(ValidationError) as caught:
            services.attendance_check_in_by_code(
                actor=self.carer, code=code, enrolments=self.term.enrolments.all()
            )
        self.assertEqual(caught.exception.code, "already_checked_in")

    def test_a_caregiver_not_on_the_roster_cannot_check_in(self) -> None:
        other_term = running_term(self.p, caregiver=False)
        enrolment = confirmed(self.p, other_term, 4)
        with self.assertRaises(PermissionDenied):
            services.attendance_check_in(actor=self.carer, enrolment=enrolment)

    def test_a_reported_absence_is_withdrawn_when_the_child_comes_after_all(self) -> None:
        parent = actor(self.enrolment.guardian.user)
        services.absence_report(actor=parent, enrolment=self.enrolment, date=today(), reason="sick")
        services.attendance_check_in(actor=self.carer, enrolment=self.enrolment)
        self.assertFalse(Absence.objects.filter(enrolment=self.enrolment).exists())


class CheckOutTests(CareCase):
    def setUp(self) -> None:
        self.term = running_term(self.p)
        self.carer = actor(self.p.caregiver)
        self.enrolment = confirmed(self.p, self.term, 1)
        self.parent = actor(self.enrolment.guardian.user)
        self.attendance = services.attendance_check_in(actor=self.carer, enrolment=self.enrolment)

    def test_a_listed_pickup_person_collects_the_child(self) -> None:
        pickup = Pickup.objects.get(child=self.enrolment.child)
        done = services.attendance_check_out(
            actor=self.carer, attendance=self.attendance, pickup=pickup
        )
        self.assertIsNotNone(done.checked_out_at)
        self.assertEqual(done.pickup, pickup)
        self.assertEqual(done.check_out_method, "listed")

    def test_a_pickup_person_of_another_child_is_not_accepted(self) -> None:
        other = confirmed(self.p, self.term, 2)
        stranger = Pickup.objects.get(child=other.child)
        with self.assertRaises(ValidationError):
            services.attendance_check_out(
                actor=self.carer, attendance=self.attendance, pickup=stranger
            )
        self.attendance.refresh_from_db()
        self.assertIsNone(self.attendance.checked_out_at)

    def test_a_stranger_is_refused_recorded_and_the_guardians_told(self) -> None:
        before = Notification.objects.filter(recipient=self.parent.user).count()
        refusal = services.pickup_refuse(
            actor=self.carer, attendance=self.attendance, person_name="陌生人", note="自称舅舅"
        )
        self.assertEqual(CheckoutRefusal.objects.get().person_name, "陌生人")
        self.assertEqual(refusal.refused_by, self.p.caregiver)
        told = Notification.objects.filter(recipient=self.parent.user).order_by("-pk")
        self.assertEqual(told.count(), before + 1)
        self.assertIn("陌生人", told[0].subject)
        self.attendance.refresh_from_db()
        self.assertTrue(self.attendance.is_in)

    def test_a_one_day_pickup_person_collects_the_child_that_day(self) -> None:
        person = services.temporary_pickup_add(
            actor=self.parent,
            enrolment=self.enrolment,
            date=today(),
            name="赵叔叔",
            relation="邻居",
            mobile="13911112222",
        )
        done = services.attendance_check_out(
            actor=self.carer, attendance=self.attendance, temporary_pickup=person
        )
        self.assertEqual(done.temporary_pickup, person)

    def test_a_one_day_pickup_person_does_not_work_the_next_day(self) -> None:
        person = TemporaryPickup.objects.create(
            child=self.enrolment.child,
            date=today() - DAY,
            name="赵叔叔",
            relation="邻居",
            mobile="13911112222",
            created_by=self.parent.user,
        )
        with self.assertRaises(ValidationError) as caught:
            services.attendance_check_out(
                actor=self.carer, attendance=self.attendance, temporary_pickup=person
            )
        self.assertIn("temporary_pickup", caught.exception.message_dict)
        self.assertFalse(person.valid_on(today()))
        self.assertTrue(person.valid_on(today() - DAY))

    def test_the_one_time_pickup_code_works_once(self) -> None:
        code = services.pickup_code_issue(actor=self.parent, enrolment=self.enrolment)
        done = services.attendance_check_out_by_code(
            actor=self.carer, attendance=self.attendance, code=code.code
        )
        self.assertEqual(done.check_out_method, "code")
        code.refresh_from_db()
        self.assertIsNotNone(code.used_at)

    def test_a_wrong_pickup_code_is_a_recorded_refusal(self) -> None:
        services.pickup_code_issue(actor=self.parent, enrolment=self.enrolment)
        with self.assertRaises(services.PickupRefused):
            services.attendance_check_out_by_code(
                actor=self.carer, attendance=self.attendance, code="000000x", person_name="某人"
            )
        self.assertEqual(CheckoutRefusal.objects.get().person_name, "某人")
        self.attendance.refresh_from_db()
        self.assertTrue(self.attendance.is_in)

    def test_the_day_cannot_close_with_a_child_unaccounted_for(self) -> None:
        group = self.attendance.group
        with self.assertRaises(ValidationError) as caught:
            services.day_close(actor=self.carer, group=group)
        self.assertIn(self.enrolment.child.name, " ".join(caught.exception.messages))
        self.assertFalse(DayClose.objects.exists())
        services.attendance_check_out(
            actor=self.carer,
            attendance=self.attendance,
            pickup=Pickup.objects.get(child=self.enrolment.child),
        )
        services.day_close(actor=self.carer, group=group)
        self.assertTrue(DayClose.objects.filter(group=group, date=today()).exists())


class CorrectionTests(CareCase):
    def setUp(self) -> None:
        self.term = running_term(self.p)
        self.enrolment = confirmed(self.p, self.term, 1)
        self.attendance = services.attendance_check_in(
            actor=actor(self.p.caregiver), enrolment=self.enrolment
        )

    def test_a_forgotten_sign_out_is_corrected_with_a_reason_and_shown_as_corrected(
        self,
    ) -> None:
        when = self.attendance.checked_in_at
        manager = actor(self.p.grassroots_admin)
        with self.assertRaises(ValidationError):
            services.attendance_correct(
                actor=manager, attendance=self.attendance, reason=" ", checked_out_at=when
            )
        done = services.attendance_correct(
            actor=manager,
            attendance=self.attendance,
            reason="家长接走时忘记签退",
            checked_out_at=when,
        )
        self.assertTrue(done.corrected)
        correction = done.corrections.get()
        self.assertEqual(correction.reason, "家长接走时忘记签退")
        self.assertIsNone(correction.before)
        self.assertEqual(done.check_out_method, "correction")

    def test_a_caregiver_cannot_correct(self) -> None:
        with self.assertRaises(PermissionDenied):
            services.attendance_correct(
                actor=actor(self.p.caregiver),
                attendance=self.attendance,
                reason="x",
                checked_out_at=self.attendance.checked_in_at,
            )
