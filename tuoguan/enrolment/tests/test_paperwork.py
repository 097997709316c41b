"""The checklist, the confirmed state it gates, reminders, and the family's checklist page."""

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tuoguan.accounts import services as people
from tuoguan.enrolment.models import Enrolment, EnrolmentStatus
from tuoguan.enrolment.services import paperwork
from tuoguan.notifications.models import Notification

from .paperwork_support import (
    ALL_ITEMS,
    PaperworkCase,
    actor,
    complete,
    new_family,
    seat,
    term_around,
)

NOTICE = "托管期间请勿携带贵重物品；户外活动存在摔伤风险。"


class ConfirmationTests(PaperworkCase):
    def test_complete_paperwork_confirms_the_place_and_tells_the_parent(self) -> None:
        term = term_around(self.p, risk_notice=NOTICE)
        enrolment = complete(seat(term, self.p.child_one))
        self.assertEqual(enrolment.status, EnrolmentStatus.CONFIRMED)
        self.assertEqual(paperwork.paperwork_missing(enrolment), [])
        told = Notification.objects.filter(recipient=self.p.parent, subject__contains="Confirmed")
        self.assertEqual(told.count(), 1)

    def test_the_confirmed_state_requires_every_item(self) -> None:
        term = term_around(self.p, risk_notice=NOTICE)
        for n, missing in enumerate(ALL_ITEMS, start=1):
            with self.subTest(missing=missing):
                child = new_family(self.p, n, consent=missing != "consent")
                enrolment = complete(seat(term, child), skip=(missing,))
                self.assertEqual(enrolment.status, EnrolmentStatus.ADMITTED)
                self.assertEqual(paperwork.paperwork_missing(enrolment), [missing])

    def test_a_class_without_a_risk_notice_does_not_ask_for_one(self) -> None:
        enrolment = complete(seat(term_around(self.p), self.p.child_one))
        self.assertEqual(enrolment.status, EnrolmentStatus.CONFIRMED)
        keys = [item.key for item in paperwork.paperwork_checklist(enrolment)]
        self.assertNotIn("risk_notice", keys)

    def test_withdrawn_consent_unconfirms_at_the_next_sync(self) -> None:
        enrolment = complete(seat(term_around(self.p), self.p.child_one))
        people.consent_withdraw(actor=actor(self.p.parent), child=self.p.child_one)
        enrolment = paperwork.enrolment_sync_confirmation(enrolment=enrolment)
        self.assertEqual(enrolment.status, EnrolmentStatus.ADMITTED)

    def test_sync_leaves_waitlisted_and_withdrawn_alone(self) -> None:
        term = term_around(self.p)
        for status in (EnrolmentStatus.WAITLISTED, EnrolmentStatus.WITHDRAWN):
            child = new_family(self.p, 50 if status == "waitlisted" else 51)
            enrolment = seat(term, child, status=status)
            paperwork.enrolment_sync_confirmation(enrolment=enrolment)
            enrolment.refresh_from_db()
            self.assertEqual(enrolment.status, status)

    def test_paperwork_done_before_admission_confirms_at_admission(self) -> None:
        term = term_around(self.p)
        enrolment = complete(seat(term, self.p.child_one, status=EnrolmentStatus.WAITLISTED))
        self.assertEqual(enrolment.status, EnrolmentStatus.WAITLISTED)
        Enrolment.objects.filter(pk=enrolment.pk).update(status=EnrolmentStatus.ADMITTED)
        enrolment = paperwork.enrolment_sync_confirmation(enrolment=enrolment)
        self.assertEqual(enrolment.status, EnrolmentStatus.CONFIRMED)


class ChecklistTests(PaperworkCase):
    def test_the_checklist_says_what_is_missing_with_links(self) -> None:
        enrolment = seat(term_around(self.p, risk_notice=NOTICE), self.p.child_one)
        items = {item.key: item for item in paperwork.paperwork_checklist(enrolment)}
        self.assertEqual(list(items), list(ALL_ITEMS))
        self.assertTrue(items["consent"].done)
        for key in ALL_ITEMS[1:]:
            self.assertFalse(items[key].done, key)
            self.assertTrue(items[key].detail, key)
        self.assertEqual(
            items["agreement"].url,
            reverse("enrolment:agreement_sign", kwargs={"pk": enrolment.pk}),
        )
        self.assertTrue(
            items["pickup"].url.startswith(
                reverse("enrolment:pickup_list", kwargs={"child_pk": self.p.child_one.pk})
            )
        )
        self.assertEqual(
            items["consent"].url,
            reverse("accounts:consent_grant", kwargs={"pk": self.p.child_one.pk}),
        )

    def test_managers_get_links_to_what_is_done(self) -> None:
        enrolment = complete(seat(term_around(self.p), self.p.child_one))
        items = {i.key: i for i in paperwork.paperwork_checklist(enrolment, staff=True)}
        self.assertIn("/pdf/", items["agreement"].url)
        self.assertEqual(
            items["health"].url, reverse("enrolment:health_view", kwargs={"pk": enrolment.pk})
        )
        self.assertEqual(items["pickup"].url, "")

    def test_the_roster_reads_many_enrolments_in_a_bounded_number_of_queries(self) -> None:
        term = term_around(self.p)
        for n in range(1, 4):
            complete(seat(term, new_family(self.p, n)))

        def count() -> int:
            rows = Enrolment.objects.filter(term=term).select_related("term__program__host")
            with CaptureQueriesContext(connection) as queries:
                paperwork.paperwork_missing_many(rows)
            return len(queries)

        few = count()
        for n in range(4, 12):
            complete(seat(term, new_family(self.p, n)), skip=("health",))
        self.assertEqual(count(), few)
        missing = paperwork.paperwork_missing_many(Enrolment.objects.filter(term=term))
        self.assertEqual(sum(1 for keys in missing.values() if keys == ["health"]), 8)


class ReminderTests(PaperworkCase):
    def test_each_family_with_missing_paperwork_is_reminded_of_what_is_missing(self) -> None:
        term = term_around(self.p)
        waiting = seat(term, self.p.child_one)
        done = complete(seat(term, new_family(self.p, 1)))
        sent = paperwork.paperwork_remind(
            actor=actor(self.p.grassroots_admin), enrolments=[waiting, done]
        )
        self.assertEqual(sent, 1)
        reminder = Notification.objects.get(recipient=self.p.parent, subject__contains="missing")
        self.assertIn("Care agreement signed", reminder.body)
        self.assertEqual(reminder.url, reverse("enrolment:paperwork", kwargs={"pk": waiting.pk}))

    def test_a_caregiver_may_not_send_reminders(self) -> None:
        waiting = seat(term_around(self.p), self.p.child_one)
        with self.assertRaises(PermissionDenied):
            paperwork.paperwork_remind(actor=actor(self.p.caregiver), enrolments=[waiting])
        self.assertFalse(Notification.objects.filter(subject__contains="missing").exists())

    def test_an_outsider_may_not_send_reminders(self) -> None:
        waiting = seat(term_around(self.p), self.p.child_one)
        with self.assertRaises(PermissionDenied):
            paperwork.paperwork_remind(actor=actor(self.p.outsider), enrolments=[waiting])


class ChecklistPageTests(PaperworkCase):
    def setUp(self) -> None:
        self.enrolment = seat(term_around(self.p, risk_notice=NOTICE), self.p.child_one)
        self.url = reverse("enrolment:paperwork", kwargs={"pk": self.enrolment.pk})

    def test_the_parent_sees_what_is_missing_with_links(self) -> None:
        response = self.client_for(self.p.parent).get(self.url)
        self.assertContains(response, "5 items are missing.")
        self.assertContains(
            response, reverse("enrolment:agreement_sign", kwargs={"pk": self.enrolment.pk})
        )
        self.assertContains(response, "Complete now")

    def test_htmx_gets_the_checklist_fragment(self) -> None:
        response = self.client_for(self.p.parent).get(self.url, HTTP_HX_REQUEST="true")
        self.assertContains(response, 'id="checklist"')
        self.assertNotContains(response, "<html")

    def test_the_host_admin_reads_the_checklist_without_the_forms(self) -> None:
        response = self.client_for(self.p.grassroots_admin).get(self.url)
        self.assertContains(response, "5 items are missing.")
        self.assertNotContains(response, "Complete now")

    def test_outsider_gets_404(self) -> None:
        self.assertEqual(self.client_for(self.p.outsider).get(self.url).status_code, 404)

    def test_another_family_gets_404(self) -> None:
        self.assertEqual(self.client_for(self.p.other_parent).get(self.url).status_code, 404)

    def test_anonymous_is_sent_to_log_in(self) -> None:
        self.assert_login_redirect(self.anonymous().get(self.url))


class StandardProviderTests(PaperworkCase):
    def test_the_standard_reads_the_share_of_children_with_agreement_and_insurance(self) -> None:
        from decimal import Decimal
        from types import SimpleNamespace

        from tuoguan.programs.compliance import Status, overriding

        term = term_around(self.p)
        criterion = SimpleNamespace(threshold=Decimal(100))
        self.assertEqual(
            paperwork.agreements_insurance_metric(term, criterion).status, Status.PENDING
        )
        complete(seat(term, self.p.child_one), skip=("health",))
        complete(seat(term, new_family(self.p, 1)), skip=("insurance",))
        seat(term, new_family(self.p, 2), status=EnrolmentStatus.WAITLISTED)
        term = type(term).objects.get(pk=term.pk)  # a fresh instance: facts are cached on it
        with overriding(facts={"agreements_insurance": paperwork.agreements_insurance_counts}):
            result = paperwork.agreements_insurance_metric(term, criterion)
        self.assertEqual((result.value, result.status), (Decimal("50.00"), Status.FAIL))
        self.assertIn("1 of 2", result.detail)
