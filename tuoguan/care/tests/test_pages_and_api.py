"""The pages and their API twins call the same services; the kiosk token reads only its day."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from tuoguan.care import services
from tuoguan.care.codes import check_in_code
from tuoguan.care.models import Attendance, CheckoutRefusal, HealthCheck
from tuoguan.enrolment.models import Pickup

from .support import CareCase, actor, confirmed, running_term, today, unconfirmed


class RosterPageTests(CareCase):
    def setUp(self) -> None:
        self.term = running_term(self.p)
        self.group = self.term.groups.get()
        self.enrolment = confirmed(self.p, self.term, 1)
        self.carer = self.client_for(self.p.caregiver)

    def test_a_caregiver_checks_a_child_in_with_one_tap_and_htmx_gets_the_roster(self) -> None:
        response = self.carer.post(
            reverse("care:check_in", args=[self.enrolment.pk]), HTTP_HX_REQUEST="true"
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'id="roster"')
        self.assertContains(response, 'data-status="in"')
        self.assertTrue(Attendance.objects.filter(enrolment=self.enrolment).exists())

    def test_the_roster_names_what_an_unconfirmed_child_is_missing(self) -> None:
        unconfirmed(self.p, self.term, 2, skip=("insurance",))
        response = self.carer.get(reverse("care:group_day", args=[self.group.pk]))
        self.assertContains(response, "Accident insurance covering the whole term")
        self.assertContains(response, 'data-status="blocked"')

    def test_the_roster_costs_the_same_queries_for_3_or_12_children(self) -> None:
        for n in range(2, 4):
            confirmed(self.p, self.term, n)
        url = reverse("care:group_day", args=[self.group.pk])
        self.carer.get(url)
        with CaptureQueriesContext(connection) as few:
            self.carer.get(url)
        for n in range(4, 13):
            enrolment = confirmed(self.p, self.term, n)
            if n % 2:
                services.attendance_check_in(actor=actor(self.p.caregiver), enrolment=enrolment)
        with CaptureQueriesContext(connection) as many:
            self.carer.get(url)
        self.assertLessEqual(len(many), len(few) + 2)

    def test_a_caregiver_not_on_the_roster_is_refused(self) -> None:
        other = running_term(self.p, caregiver=False)
        response = self.carer.get(reverse("care:group_day", args=[other.groups.get().pk]))
        self.assertEqual(response.status_code, 403)

    def test_the_outsider_gets_404(self) -> None:
        response = self.client_for(self.p.outsider).get(
            reverse("care:group_day", args=[self.group.pk])
        )
        self.assertEqual(response.status_code, 404)

    def test_a_stranger_is_refused_from_the_check_out_page(self) -> None:
        attendance = services.attendance_check_in(
            actor=actor(self.p.caregiver), enrolment=self.enrolment
        )
        url = reverse("care:check_out", args=[attendance.pk])
        self.assertContains(self.carer.get(url), Pickup.objects.get(child=attendance.child).name)
        self.carer.post(url, {"stranger": "1", "person_name": "陌生人"})
        self.assertTrue(CheckoutRefusal.objects.filter(attendance=attendance).exists())
        attendance.refresh_from_db()
        self.assertTrue(attendance.is_in)

    def test_the_parent_sees_the_qr_code_then_each_event(self) -> None:
        parent = self.client_for(self.enrolment.guardian.user)
        url = reverse("care:child_today", args=[self.enrolment.pk])
        self.assertContains(parent.get(url), 'class="qr-image"')
        services.attendance_check_in(actor=actor(self.p.caregiver), enrolment=self.enrolment)
        page = parent.get(url)
        self.assertNotContains(page, 'class="qr-image"')
        self.assertContains(page, "Checked in at")
        self.assertEqual(self.client_for(self.p.other_parent).get(url).status_code, 404)


class ApiTests(CareCase):
    def setUp(self) -> None:
        self.term = running_term(self.p)
        self.enrolment = confirmed(self.p, self.term, 1)
        self.api = APIClient()
        self.api.force_login(self.p.caregiver)

    def test_the_api_checks_in_and_refuses_a_second_check_in(self) -> None:
        url = reverse("attendance-list")
        first = self.api.post(url, {"enrolment": self.enrolment.pk}, format="json")
        self.assertEqual(first.status_code, 201, first.content)
        second = self.api.post(url, {"enrolment": self.enrolment.pk}, format="json")
        self.assertEqual(second.status_code, 400)
        listed = self.api.get(url, {"group": str(self.enrolment.group_id)})
        self.assertEqual([row["id"] for row in listed.json()["results"]], [first.json()["id"]])

    def test_the_api_records_a_health_check_and_refuses_the_check_in_of_a_flagged_child(
        self,
    ) -> None:
        check = self.api.post(
            reverse("health-check-list"),
            {"enrolment": self.enrolment.pk, "temperature": "38.2"},
            format="json",
        )
        self.assertEqual(check.status_code, 201, check.content)
        self.assertTrue(check.json()["flagged"])
        refused = self.api.post(
            reverse("attendance-list"), {"enrolment": self.enrolment.pk}, format="json"
        )
        self.assertEqual(refused.status_code, 400)
        admit = self.api.post(
            reverse("health-check-admit", args=[check.json()["id"]]), {"reason": "x"}, format="json"
        )
        self.assertEqual(admit.status_code, 403)
        self.assertIsNone(HealthCheck.objects.get().override_at)

    def test_a_caregiver_clocks_in_and_out_through_the_api(self) -> None:
        shift = self.api.post(
            reverse("duty-list"), {"group": self.enrolment.group_id}, format="json"
        )
        self.assertEqual(shift.status_code, 201, shift.content)
        out = self.api.post(reverse("duty-clock-out", args=[shift.json()["id"]]))
        self.assertIsNotNone(out.json()["ended_at"])


class KioskTests(CareCase):
    def setUp(self) -> None:
        self.term = running_term(self.p)
        self.enrolment = confirmed(self.p, self.term, 1)
        self.device, self.token = services.kiosk_issue(
            actor=actor(self.p.grassroots_admin), program=self.term.program, name="前门"
        )
        self.kiosk = APIClient()
        self.kiosk.credentials(HTTP_AUTHORIZATION=f"Kiosk {self.token}")

    def test_a_kiosk_reads_its_day_and_checks_a_child_in_with_the_parents_code(self) -> None:
        day = self.kiosk.get(reverse("kiosk-day"))
        self.assertEqual([row["enrolment"] for row in day.json()], [self.enrolment.pk])
        code = check_in_code(self.enrolment, today())
        done = self.kiosk.post(reverse("kiosk-check-in"), {"code": code}, format="json")
        self.assertEqual(done.status_code, 201, done.content)
        self.assertEqual(Attendance.objects.get().check_in_method, "kiosk")

    def test_a_kiosk_token_reads_nothing_else(self) -> None:
        for name in ("attendance-list", "health-check-list", "duty-list", "term-list"):
            with self.subTest(name=name):
                self.assertIn(self.kiosk.get(reverse(name)).status_code, (401, 403))
        bearer = APIClient()
        bearer.credentials(HTTP_AUTHORIZATION=f"Bearer {self.token}")
        self.assertIn(bearer.get(reverse("attendance-list")).status_code, (401, 403))

    def test_a_kiosk_cannot_check_in_a_child_of_another_class(self) -> None:
        other = confirmed(self.p, running_term(self.p), 2)
        code = check_in_code(other, today())
        refused = self.kiosk.post(reverse("kiosk-check-in"), {"code": code}, format="json")
        self.assertEqual(refused.status_code, 400)
        self.assertFalse(Attendance.objects.exists())

    def test_a_revoked_kiosk_is_signed_out(self) -> None:
        services.kiosk_revoke(actor=actor(self.p.grassroots_admin), device=self.device)
        self.assertEqual(self.kiosk.get(reverse("kiosk-day")).status_code, 401)

    def test_the_kiosk_page_signs_in_with_the_token_and_shows_todays_list(self) -> None:
        client = self.anonymous()
        url = reverse("care:kiosk")
        self.assertContains(client.get(url), 'name="token"')
        client.post(url, {"token": self.token})
        page = client.get(url)
        self.assertContains(page, self.enrolment.child.name)
        self.assertNotContains(page, 'class="main-nav"')


class PickupCodePageTests(CareCase):
    def test_the_parent_gets_a_pickup_code_that_the_caregiver_accepts_once(self) -> None:
        term = running_term(self.p)
        enrolment = confirmed(self.p, term, 1)
        attendance = services.attendance_check_in(
            actor=actor(self.p.caregiver), enrolment=enrolment
        )
        parent = self.client_for(enrolment.guardian.user)
        parent.post(reverse("care:pickup_code", args=[enrolment.pk]))
        page = parent.get(reverse("care:child_today", args=[enrolment.pk]))
        code = page.context["pickup_code"]
        self.assertRegex(code, r"^\d{6}$")
        self.client_for(self.p.caregiver).post(
            reverse("care:check_out", args=[attendance.pk]), {"code": code}
        )
        attendance.refresh_from_db()
        self.assertEqual(attendance.check_out_method, "code")
        self.assertEqual(
            parent.get(reverse("care:child_today", args=[enrolment.pk])).context.get(
                "pickup_code", ""
            ),
            "",
        )
