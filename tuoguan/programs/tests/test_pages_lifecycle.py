"""A term's lifecycle through the pages, and the approval queue of an upper union."""

from django.urls import reverse

from tuoguan.audit.models import AuditEntry
from tuoguan.notifications.models import Notification
from tuoguan.programs.models import TermStatus
from tuoguan.testing import PersonaTestCase

from .factories import approved_term, make_term, with_carer
from .support import errors_of


def url(name: str, term) -> str:  # type: ignore[no-untyped-def]
    return reverse(f"programs:{name}", args=[term.pk])


class LifecyclePagesTest(PersonaTestCase):
    def setUp(self) -> None:
        self.term = with_carer(self.p, make_term(self.p))
        self.host = self.client_for(self.p.grassroots_admin)
        self.city = self.client_for(self.p.city_admin)

    def status(self) -> str:
        self.term.refresh_from_db()
        return self.term.status

    def test_from_draft_to_closed_through_the_pages(self) -> None:
        response = self.host.post(url("term_submit", self.term), follow=True)
        self.assertContains(response, "submitted for approval")
        self.assertEqual(self.status(), TermStatus.SUBMITTED)
        self.assertTrue(Notification.objects.filter(recipient=self.p.city_admin).exists())
        self.city.post(url("term_approve", self.term))
        self.assertEqual(self.status(), TermStatus.APPROVED)
        self.host.post(url("term_open_enrolment", self.term))
        self.assertEqual(self.status(), TermStatus.ENROLLING)
        self.host.post(url("term_start", self.term))
        self.assertEqual(self.status(), TermStatus.RUNNING)
        response = self.host.post(url("term_close", self.term), {"summary": ""})
        self.assertIn("summary", errors_of(response))
        self.assertEqual(self.status(), TermStatus.RUNNING)
        self.host.post(url("term_close", self.term), {"summary": "25天，30名孩子，满意率100%"})
        self.assertEqual(self.status(), TermStatus.CLOSED)
        self.assertEqual(self.term.closing_summary, "25天，30名孩子，满意率100%")
        changes = AuditEntry.objects.filter(model="programs.Term", object_id=str(self.term.pk))
        self.assertGreaterEqual(changes.filter(action="update").count(), 5)

    def test_the_city_sees_approve_and_reject_on_a_submitted_term(self) -> None:
        self.host.post(url("term_submit", self.term))
        page = self.city.get(url("term_detail", self.term))
        self.assertContains(page, url("term_approve", self.term))
        self.assertContains(page, url("term_reject", self.term))
        host_page = self.host.get(url("term_detail", self.term))
        self.assertNotContains(host_page, url("term_approve", self.term))

    def test_a_rejection_needs_a_reason_which_the_host_then_reads(self) -> None:
        self.host.post(url("term_submit", self.term))
        response = self.city.post(url("term_reject", self.term), {"reason": "  "})
        self.assertIn("reason", errors_of(response))
        self.assertEqual(self.status(), TermStatus.SUBMITTED)
        self.city.post(url("term_reject", self.term), {"reason": "消防验收证明已过期"})
        self.assertEqual(self.status(), TermStatus.REJECTED)
        page = self.host.get(url("term_detail", self.term))
        self.assertContains(page, "消防验收证明已过期")
        self.host.post(url("term_redraft", self.term))
        self.assertEqual(self.status(), TermStatus.DRAFT)

    def test_a_refused_transition_says_why_and_changes_nothing(self) -> None:
        response = self.city.post(url("term_approve", self.term), follow=True)
        self.assertEqual(self.status(), TermStatus.DRAFT)
        self.assertContains(response, "cannot be approved")
        response = self.host.post(url("term_start", self.term), follow=True)
        self.assertContains(response, "cannot be started")
        self.assertEqual(self.status(), TermStatus.DRAFT)

    def test_nobody_approves_their_own_class(self) -> None:
        self.host.post(url("term_submit", self.term))
        self.assertEqual(self.host.post(url("term_approve", self.term)).status_code, 403)
        self.assertEqual(self.host.get(url("term_reject", self.term)).status_code, 403)
        self.assertEqual(self.status(), TermStatus.SUBMITTED)

    def test_read_only_roles_and_the_outsider_are_refused(self) -> None:
        for user, code in ((self.p.caregiver, 403), (self.p.reviewer, 403), (self.p.outsider, 404)):
            client = self.client_for(user)
            with self.subTest(user.username):
                self.assertEqual(client.post(url("term_submit", self.term)).status_code, code)
                self.assertEqual(client.get(url("term_close", self.term)).status_code, code)
        self.assertEqual(self.status(), TermStatus.DRAFT)

    def test_anonymous_is_sent_to_log_in(self) -> None:
        self.assertEqual(self.client.post(url("term_submit", self.term)).status_code, 302)
        self.assertEqual(self.status(), TermStatus.DRAFT)

    def test_a_get_cannot_change_the_status(self) -> None:
        self.assertEqual(self.host.get(url("term_submit", self.term)).status_code, 405)


class ApprovalQueueTest(PersonaTestCase):
    URL = reverse("programs:approvals")

    def test_the_city_admin_approves_from_the_queue(self) -> None:
        term = with_carer(self.p, make_term(self.p))
        self.client_for(self.p.grassroots_admin).post(url("term_submit", term))
        client = self.client_for(self.p.city_admin)
        page = client.get(self.URL)
        self.assertEqual(list(page.context["page"].object_list), [term])
        response = client.post(url("term_approve", term), {"next": "approvals"})
        self.assertRedirects(response, self.URL)
        term.refresh_from_db()
        self.assertEqual(term.status, TermStatus.APPROVED)
        self.assertEqual(list(client.get(self.URL).context["page"].object_list), [])

    def test_the_host_and_the_outsider_see_nothing_to_approve(self) -> None:
        term = make_term(self.p)
        self.client_for(self.p.grassroots_admin).post(url("term_submit", term))
        for user in (self.p.grassroots_admin, self.p.outsider):
            page = self.client_for(user).get(self.URL)
            self.assertEqual(list(page.context["page"].object_list), [])

    def test_only_union_admins_have_a_queue(self) -> None:
        for user in (self.p.caregiver, self.p.reviewer, self.p.parent):
            self.assertEqual(self.client_for(user).get(self.URL).status_code, 403)
        self.assertEqual(self.client.get(self.URL).status_code, 302)

    def test_an_approved_term_is_not_in_the_queue(self) -> None:
        approved_term(self.p)
        page = self.client_for(self.p.province_admin).get(self.URL)
        self.assertContains(page, "Nothing awaits your approval")
