"""Approving a term that fails a criterion: the queue names the failures, the approver
confirms with a note, and the decision records what it was approved despite."""

from django.core.exceptions import ValidationError
from django.urls import reverse

from tuoguan.audit.models import AuditEntry
from tuoguan.notifications.models import Notification
from tuoguan.programs import services
from tuoguan.programs.models import Criterion, Term, TermStatus
from tuoguan.testing import PersonaTestCase

from .factories import actor, make_term, with_carer
from .support import api_for, errors_of

NOTE = "消防整改已安排，开班前由县总工会复查"
QUEUE = reverse("programs:approvals")


def url(name: str, term: Term) -> str:
    return reverse(f"programs:{name}", args=[term.pk])


def carers() -> str:
    """The staffing criterion's title as the national default stores it (zh-hans)."""
    return Criterion.objects.get(standard__org__depth=1, code="carer_ratio").label


class DespiteCase(PersonaTestCase):
    def setUp(self) -> None:
        # Nobody on the roster: the term fails the carer ratio and nothing else.
        self.term = make_term(self.p)
        services.term_submit(actor=actor(self.p.grassroots_admin), term=self.term)

    def status(self) -> str:
        self.term.refresh_from_db()
        return str(self.term.status)


class ServiceTest(DespiteCase):
    def test_a_failing_term_is_not_approved_without_a_confirmation(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            services.term_approve(actor=actor(self.p.city_admin), term=self.term)
        self.assertIn("confirm_failures", caught.exception.message_dict)
        self.assertIn(carers(), " ".join(caught.exception.messages))
        self.assertEqual(self.status(), TermStatus.SUBMITTED)

    def test_a_confirmation_without_a_note_is_refused(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            services.term_approve(
                actor=actor(self.p.city_admin), term=self.term, confirm_failures=True, note="  "
            )
        self.assertIn("note", caught.exception.message_dict)
        self.assertEqual(self.status(), TermStatus.SUBMITTED)

    def test_the_approval_records_the_failures_and_the_note(self) -> None:
        services.term_approve(
            actor=actor(self.p.city_admin), term=self.term, confirm_failures=True, note=NOTE
        )
        self.assertEqual(self.status(), TermStatus.APPROVED)
        self.assertEqual([f["code"] for f in self.term.approved_despite], ["carer_ratio"])
        self.assertIn("no carer", self.term.approved_despite[0]["detail"])
        self.assertEqual(self.term.approval_note, NOTE)
        entry = AuditEntry.objects.filter(
            model="programs.Term", object_id=str(self.term.pk), action="update"
        ).latest("pk")
        self.assertIn("approved_despite", entry.changed_fields)
        self.assertIn("approval_note", entry.changed_fields)
        told = Notification.objects.get(
            recipient=self.p.grassroots_admin, subject__contains="approved"
        )
        self.assertIn(NOTE, told.body)

    def test_a_term_that_fails_nothing_needs_no_confirmation(self) -> None:
        term = with_carer(self.p, make_term(self.p, name="2021年暑期二期"))
        services.term_submit(actor=actor(self.p.grassroots_admin), term=term)
        services.term_approve(actor=actor(self.p.city_admin), term=term)
        term.refresh_from_db()
        self.assertEqual(term.status, TermStatus.APPROVED)
        self.assertEqual(term.approved_despite, [])

    def test_a_change_that_reopens_approval_forgets_the_old_record(self) -> None:
        services.term_approve(
            actor=actor(self.p.city_admin), term=self.term, confirm_failures=True, note=NOTE
        )
        services.term_update(actor=actor(self.p.grassroots_admin), term=self.term, capacity=25)
        self.assertEqual(self.status(), TermStatus.SUBMITTED)
        self.assertEqual((self.term.approved_despite, self.term.approval_note), ([], ""))


class QueuePageTest(DespiteCase):
    def test_the_queue_names_the_failing_criterion_and_asks_before_approving(self) -> None:
        page = self.client_for(self.p.city_admin).get(QUEUE)
        self.assertContains(page, "Non-compliant")
        self.assertContains(page, carers())
        self.assertContains(page, "no carer for 30 children")
        # No one-press approval for a failing term: a link to the confirmation page instead.
        self.assertContains(page, url("term_approve", self.term) + "?next=approvals")
        self.assertNotContains(page, 'name="next" value="approvals"')

    def test_a_passing_term_is_approved_from_the_queue_in_one_press(self) -> None:
        term = with_carer(self.p, make_term(self.p, name="2021年暑期二期"))
        services.term_submit(actor=actor(self.p.grassroots_admin), term=term)
        page = self.client_for(self.p.city_admin).get(QUEUE)
        self.assertContains(page, 'name="next" value="approvals"', count=1)

    def test_the_confirmation_page_lists_the_failures(self) -> None:
        page = self.client_for(self.p.city_admin).get(url("term_approve", self.term))
        self.assertContains(page, "The term fails 1 criterion")
        self.assertContains(page, "no carer for 30 children")
        self.assertContains(page, 'name="confirm_failures"')
        self.assertContains(page, 'name="note"')

    def test_approving_without_confirming_stays_on_the_page_and_saves_nothing(self) -> None:
        client = self.client_for(self.p.city_admin)
        response = client.post(url("term_approve", self.term), {"note": NOTE})
        self.assertEqual(response.status_code, 400)
        self.assertIn("confirm_failures", errors_of(response))
        response = client.post(url("term_approve", self.term), {"confirm_failures": "on"})
        self.assertIn("note", errors_of(response))
        self.assertEqual(self.status(), TermStatus.SUBMITTED)

    def test_confirmed_with_a_note_it_is_approved_and_the_term_page_says_despite_what(
        self,
    ) -> None:
        client = self.client_for(self.p.city_admin)
        response = client.post(
            url("term_approve", self.term),
            {"confirm_failures": "on", "note": NOTE, "next": "approvals"},
        )
        self.assertRedirects(response, QUEUE)
        self.assertEqual(self.status(), TermStatus.APPROVED)
        page = self.client_for(self.p.grassroots_admin).get(url("term_detail", self.term))
        self.assertContains(page, "Approved despite failing criteria")
        self.assertContains(page, carers())
        self.assertContains(page, NOTE)

    def test_the_host_cannot_open_the_confirmation(self) -> None:
        host = self.client_for(self.p.grassroots_admin)
        self.assertEqual(host.get(url("term_approve", self.term)).status_code, 403)
        self.assertEqual(
            self.client_for(self.p.outsider).get(url("term_approve", self.term)).status_code, 404
        )


class ApiTest(DespiteCase):
    def approve(self, body: dict[str, object] | None = None):  # type: ignore[no-untyped-def]
        return api_for(self.p.city_admin).post(
            reverse("term-approve", args=[self.term.pk]), body or {}, format="json"
        )

    def test_approving_a_failing_term_without_confirmation_is_400_and_says_why(self) -> None:
        response = self.approve()
        self.assertEqual(response.status_code, 400)
        message = " ".join(response.json()["confirm_failures"])
        self.assertIn("fails 1 criterion", message)
        self.assertIn(carers(), message)
        self.assertEqual(self.approve({"confirm_failures": True}).status_code, 400)
        self.assertEqual(self.status(), TermStatus.SUBMITTED)

    def test_with_confirmation_and_note_it_is_approved_and_the_record_is_returned(self) -> None:
        response = self.approve({"confirm_failures": True, "note": NOTE})
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual(body["status"], "approved")
        self.assertEqual(body["approval_note"], NOTE)
        self.assertEqual([f["code"] for f in body["approved_despite"]], ["carer_ratio"])
