import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from tuoguan.audit.models import AuditEntry
from tuoguan.notifications.models import Notification
from tuoguan.orgs import services as orgs
from tuoguan.orgs.models import Role
from tuoguan.orgs.permissions import Actor
from tuoguan.programs import selectors, services
from tuoguan.programs.models import Term, TermStatus
from tuoguan.testing import PersonaTestCase

from .factories import actor, approved_term, make_term, make_venue, with_carer


class SubmitTest(PersonaTestCase):
    def test_the_host_admin_submits_and_the_parent_unions_admins_hear_of_it(self) -> None:
        term = make_term(self.p)
        services.term_submit(actor=actor(self.p.grassroots_admin), term=term)
        term.refresh_from_db()
        self.assertEqual(term.status, TermStatus.SUBMITTED)
        # The county has no admin persona: the nearest union above with admins is the city.
        self.assertTrue(Notification.objects.filter(recipient=self.p.city_admin).exists())
        updates = AuditEntry.objects.filter(
            model="programs.Term", object_id=str(term.pk), action="update"
        )
        self.assertTrue(any("status" in entry.changed_fields for entry in updates))

    def test_a_class_manager_may_submit(self) -> None:
        manager = self.p.caregiver
        orgs.membership_grant(
            actor=None, user=manager, org=self.p.grassroots, role=Role.PROGRAM_MANAGER
        )
        term = make_term(self.p)
        manager_actor = Actor(
            user=manager, membership=manager.memberships.get(role=Role.PROGRAM_MANAGER)
        )
        services.term_submit(actor=manager_actor, term=term)
        self.assertEqual(Term.objects.get(pk=term.pk).status, TermStatus.SUBMITTED)

    def test_a_caregiver_gets_403(self) -> None:
        term = make_term(self.p)
        with self.assertRaises(PermissionDenied):
            services.term_submit(actor=actor(self.p.caregiver), term=term)
        self.assertEqual(Term.objects.get(pk=term.pk).status, TermStatus.DRAFT)

    def test_an_outsider_does_not_even_find_the_term(self) -> None:
        term = make_term(self.p)
        with self.assertRaises(Http404):
            selectors.term_for(actor(self.p.outsider), term.pk)
        with self.assertRaises(PermissionDenied):
            services.term_submit(actor=actor(self.p.outsider), term=term)

    def test_a_submitted_term_cannot_be_submitted_again(self) -> None:
        term = make_term(self.p)
        services.term_submit(actor=actor(self.p.grassroots_admin), term=term)
        with self.assertRaises(ValidationError):
            services.term_submit(actor=actor(self.p.grassroots_admin), term=term)


class ApproveTest(PersonaTestCase):
    def setUp(self) -> None:
        self.term = with_carer(self.p, make_term(self.p))
        services.term_submit(actor=actor(self.p.grassroots_admin), term=self.term)

    def test_the_city_admin_approves_and_the_host_hears_of_it(self) -> None:
        services.term_approve(actor=actor(self.p.city_admin), term=self.term)
        self.term.refresh_from_db()
        self.assertEqual(self.term.status, TermStatus.APPROVED)
        self.assertEqual(self.term.decided_by, self.p.city_admin)
        self.assertTrue(
            Notification.objects.filter(
                recipient=self.p.grassroots_admin, subject__contains=str(self.term.name)
            ).exists()
        )

    def test_the_province_admin_above_may_approve_too(self) -> None:
        services.term_approve(actor=actor(self.p.province_admin), term=self.term)
        self.assertEqual(Term.objects.get(pk=self.term.pk).status, TermStatus.APPROVED)

    def test_the_host_itself_cannot_approve(self) -> None:
        with self.assertRaises(PermissionDenied):
            services.term_approve(actor=actor(self.p.grassroots_admin), term=self.term)
        self.assertEqual(Term.objects.get(pk=self.term.pk).status, TermStatus.SUBMITTED)

    def test_a_reviewer_cannot_approve(self) -> None:
        with self.assertRaises(PermissionDenied):
            services.term_approve(actor=actor(self.p.reviewer), term=self.term)

    def test_the_outsider_cannot_approve(self) -> None:
        with self.assertRaises(PermissionDenied):
            services.term_approve(actor=actor(self.p.outsider), term=self.term)

    def test_the_approval_queue_lists_it_for_the_city_not_the_host(self) -> None:
        self.assertIn(self.term, selectors.approval_queue_for(actor(self.p.city_admin)))
        self.assertNotIn(self.term, selectors.approval_queue_for(actor(self.p.grassroots_admin)))
        self.assertNotIn(self.term, selectors.approval_queue_for(actor(self.p.outsider)))

    def test_a_rejection_needs_a_reason(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            services.term_reject(actor=actor(self.p.city_admin), term=self.term, reason="  ")
        self.assertIn("reason", caught.exception.message_dict)
        self.assertEqual(Term.objects.get(pk=self.term.pk).status, TermStatus.SUBMITTED)

    def test_rejected_then_edited_then_resubmitted(self) -> None:
        services.term_reject(
            actor=actor(self.p.city_admin), term=self.term, reason="场地消防证明缺失"
        )
        term = Term.objects.get(pk=self.term.pk)
        self.assertEqual(term.rejection_reason, "场地消防证明缺失")
        self.assertTrue(
            Notification.objects.filter(
                recipient=self.p.grassroots_admin, body="场地消防证明缺失"
            ).exists()
        )
        admin = actor(self.p.grassroots_admin)
        services.term_redraft(actor=admin, term=term)
        services.term_submit(actor=admin, term=term)
        term.refresh_from_db()
        self.assertEqual(term.status, TermStatus.SUBMITTED)
        self.assertEqual(term.rejection_reason, "")

    def test_editing_a_rejected_term_takes_it_back_to_draft(self) -> None:
        services.term_reject(actor=actor(self.p.city_admin), term=self.term, reason="人数不足")
        services.term_update(actor=actor(self.p.grassroots_admin), term=self.term, capacity=40)
        self.assertEqual(Term.objects.get(pk=self.term.pk).status, TermStatus.DRAFT)


class RunningTest(PersonaTestCase):
    def test_enrol_run_and_close_with_a_summary(self) -> None:
        term = approved_term(self.p)
        admin = actor(self.p.grassroots_admin)
        services.term_open_enrolment(actor=admin, term=term)
        services.term_start(actor=admin, term=term)
        with self.assertRaises(ValidationError) as caught:
            services.term_close(actor=admin, term=term, summary="")
        self.assertIn("closing_summary", caught.exception.message_dict)
        services.term_close(actor=admin, term=term, summary="服务职工子女30人，满意率100%。")
        term.refresh_from_db()
        self.assertEqual(term.status, TermStatus.CLOSED)
        self.assertIsNotNone(term.closed_at)

    def test_a_draft_cannot_open_enrolment_or_close(self) -> None:
        term = make_term(self.p)
        admin = actor(self.p.grassroots_admin)
        with self.assertRaises(ValidationError):
            services.term_open_enrolment(actor=admin, term=term)
        with self.assertRaises(ValidationError):
            services.term_close(actor=admin, term=term, summary="x")

    def test_a_caregiver_cannot_close_a_term(self) -> None:
        term = approved_term(self.p)
        services.term_start(actor=actor(self.p.grassroots_admin), term=term)
        with self.assertRaises(PermissionDenied):
            services.term_close(actor=actor(self.p.caregiver), term=term, summary="x")

    def test_a_running_term_keeps_its_dates(self) -> None:
        term = approved_term(self.p)
        services.term_start(actor=actor(self.p.grassroots_admin), term=term)
        with self.assertRaises(ValidationError) as caught:
            services.term_update(actor=actor(self.p.grassroots_admin), term=term, capacity=10)
        self.assertIn("capacity", caught.exception.message_dict)


class ReapprovalTest(PersonaTestCase):
    def _assert_reopened(self, term: Term) -> None:
        term.refresh_from_db()
        self.assertEqual(term.status, TermStatus.SUBMITTED)
        self.assertIsNone(term.decided_by)
        self.assertTrue(
            Notification.objects.filter(
                recipient=self.p.city_admin, subject__contains="again"
            ).exists()
        )

    def test_changing_capacity_after_approval_reopens_approval(self) -> None:
        term = approved_term(self.p)
        services.term_update(actor=actor(self.p.grassroots_admin), term=term, capacity=45)
        self._assert_reopened(term)

    def test_changing_dates_of_an_enrolling_term_reopens_approval(self) -> None:
        term = approved_term(self.p)
        services.term_open_enrolment(actor=actor(self.p.grassroots_admin), term=term)
        services.term_update(
            actor=actor(self.p.grassroots_admin), term=term, end_date=datetime.date(2021, 8, 20)
        )
        self._assert_reopened(term)

    def test_changing_venue_after_approval_reopens_approval(self) -> None:
        term = approved_term(self.p)
        other = make_venue(self.p, name="第二活动室")
        services.term_update(actor=actor(self.p.grassroots_admin), term=term, venue=other)
        self._assert_reopened(term)

    def test_changing_the_class_type_reopens_its_approved_terms(self) -> None:
        term = approved_term(self.p)
        services.program_update(
            actor=actor(self.p.grassroots_admin), program=term.program, type="after_school"
        )
        self._assert_reopened(term)

    def test_changing_only_the_name_keeps_the_approval(self) -> None:
        term = approved_term(self.p)
        services.term_update(actor=actor(self.p.grassroots_admin), term=term, name="暑期一期")
        self.assertEqual(Term.objects.get(pk=term.pk).status, TermStatus.APPROVED)
