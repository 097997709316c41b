"""First come, first served: seats taken at submission, the waitlist, lottery applications."""

from unittest import mock

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import translation

from tuoguan.audit.models import AuditEntry
from tuoguan.enrolment.fastpath import waitlist_position
from tuoguan.enrolment.models import Enrolment, EnrolmentStatus, SeatPool
from tuoguan.enrolment.services import (
    EligibilityError,
    enrolment_admit_manually,
    enrolment_apply,
    enrolment_priority_check,
    seat_pools_ensure,
)
from tuoguan.notifications.models import Delivery, Notification
from tuoguan.notifications.services import notifications_dispatch
from tuoguan.programs.models import EnrolMode, Group, Term
from tuoguan.testing import PersonaTestCase

from .allocation_support import actor, apply, family, open_term

S = EnrolmentStatus


def pool(term: Term, group: Group | None = None) -> SeatPool:
    return SeatPool.objects.get(term=term, group=group)


class FirstComeTest(PersonaTestCase):
    def test_it_admits_until_the_seats_are_gone_then_waitlists_in_order(self) -> None:
        term = open_term(self.p, capacity=2)
        children = [family(self.p, n)[2] for n in range(4)]
        results = [apply(self.p, term, child) for child in children]
        self.assertEqual(
            [e.status for e in results], [S.ADMITTED, S.ADMITTED, S.WAITLISTED, S.WAITLISTED]
        )
        self.assertEqual([e.waitlist_rank for e in results[2:]], [1, 2])
        self.assertEqual([waitlist_position(e) for e in results[2:]], [1, 2])
        self.assertEqual(pool(term).taken, 2)

    def test_the_position_closes_up_when_someone_ahead_leaves(self) -> None:
        term = open_term(self.p, capacity=1)
        first, second, third = (apply(self.p, term, family(self.p, n)[2]) for n in range(3))
        self.assertEqual(waitlist_position(third), 2)
        Enrolment.objects.filter(pk=second.pk).update(status=S.WITHDRAWN)
        self.assertEqual(waitlist_position(third), 1)
        self.assertEqual(first.status, S.ADMITTED)

    def test_a_seat_goes_to_the_first_group_that_fits_the_child(self) -> None:
        term = open_term(
            self.p,
            capacity=4,
            groups=(
                {"name": "一年级", "grade_min": 1, "grade_max": 1, "capacity": 2},
                {"name": "三年级", "grade_min": 3, "grade_max": 3, "capacity": 1},
            ),
        )
        enrolment = apply(self.p, term, self.p.child_one)  # grade 3
        assert enrolment.group is not None
        self.assertEqual(enrolment.group.name, "三年级")
        self.assertEqual(pool(term, enrolment.group).taken, 1)
        self.assertEqual(pool(term).taken, 1)

    def test_a_full_group_waitlists_the_child_and_gives_the_term_seat_back(self) -> None:
        term = open_term(
            self.p,
            capacity=4,
            groups=(
                {"name": "一年级", "grade_min": 1, "grade_max": 1, "capacity": 2},
                {"name": "三年级", "grade_min": 3, "grade_max": 3, "capacity": 1},
            ),
        )
        apply(self.p, term, family(self.p, 1, grade=3)[2])
        late = apply(self.p, term, family(self.p, 2, grade=3)[2])
        self.assertEqual(late.status, S.WAITLISTED)
        self.assertEqual(pool(term).taken, 1)
        young = apply(self.p, term, self.p.child_two)  # grade 1: its group still has room
        self.assertEqual(young.status, S.ADMITTED)

    def test_it_tells_the_parent_in_the_inbox_at_once_and_outside_in_the_next_batch(
        self,
    ) -> None:
        term = open_term(self.p, capacity=1)
        with translation.override("en"), self.captureOnCommitCallbacks() as queued:
            apply(self.p, term, self.p.child_one)
            apply(self.p, term, self.p.child_two)
        notices = Notification.objects.filter(recipient=self.p.parent).order_by("pk")
        subjects = [n.subject for n in notices]
        self.assertEqual(len(subjects), 2)
        self.assertTrue(subjects[0].startswith("Admitted: 王小一"))
        self.assertTrue(subjects[1].startswith("On the waitlist: 王小二"))
        # Nothing outside yet: enrolment morning's replies go out in housekeeping's batches.
        self.assertEqual(queued, [])
        self.assertFalse(Delivery.objects.filter(notification__in=notices).exists())
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(notifications_dispatch(), 2)
        sent = Delivery.objects.filter(notification__in=notices, channel="console")
        self.assertEqual(list(sent.values_list("status", flat=True)), [Delivery.Status.SENT] * 2)

    def test_a_rolled_back_application_leaves_no_notice(self) -> None:
        term = open_term(self.p)
        with self.assertRaises(RuntimeError), transaction.atomic():
            apply(self.p, term)
            raise RuntimeError
        self.assertFalse(Notification.objects.filter(recipient=self.p.parent).exists())
        self.assertFalse(Enrolment.objects.exists())
        self.assertFalse(SeatPool.objects.filter(term=term, taken__gt=0).exists())

    def test_the_enrolment_carries_the_province_and_is_audited(self) -> None:
        term = open_term(self.p)
        enrolment = apply(self.p, term)
        self.assertEqual(enrolment.province, self.p.province)
        self.assertTrue(
            AuditEntry.objects.filter(
                model="enrolment.Enrolment", object_id=str(enrolment.pk), action="create"
            ).exists()
        )

    def test_a_second_application_for_the_same_child_and_term_is_refused(self) -> None:
        term = open_term(self.p)
        apply(self.p, term)
        with self.assertRaises(EligibilityError) as caught:
            apply(self.p, term)
        self.assertEqual([r.code for r in caught.exception.refusals], ["already_applied"])
        self.assertEqual(Enrolment.objects.filter(term=term).count(), 1)

    def test_the_database_refuses_a_duplicate_that_slipped_past_the_checks(self) -> None:
        term = open_term(self.p)
        first = apply(self.p, term)
        # As if a concurrent request had passed the eligibility check before the first committed.
        with (
            mock.patch("tuoguan.enrolment.services.allocation.check_eligibility", return_value=[]),
            self.assertRaises(ValidationError) as caught,
            transaction.atomic(),  # the service rolls back its caller's transaction
        ):
            apply(self.p, term)
        self.assertEqual(caught.exception.code, "already_applied")
        self.assertEqual(list(Enrolment.objects.filter(term=term)), [first])
        self.assertEqual(pool(term).taken, 1)

    def test_priority_groups_must_be_among_the_class_target_groups(self) -> None:
        term = open_term(self.p)  # the factory's class targets dual-worker families
        with self.assertRaises(ValidationError) as caught:
            apply(self.p, term, priority_groups=["police"])
        self.assertIn("priority_groups", caught.exception.message_dict)
        self.assertFalse(Enrolment.objects.exists())
        enrolment = apply(self.p, term, priority_groups=["dual_worker"])
        self.assertEqual((enrolment.priority_groups, enrolment.priority_tier), (["dual_worker"], 0))

    def test_nobody_applies_for_someone_elses_child(self) -> None:
        term = open_term(self.p)
        with self.assertRaises(Http404):
            enrolment_apply(actor=actor(self.p.other_parent), child=self.p.child_one, term=term)
        with self.assertRaises(Http404):
            enrolment_apply(actor=actor(self.p.grassroots_admin), child=self.p.child_one, term=term)
        self.assertFalse(Enrolment.objects.exists())

    def test_the_host_union_enters_a_paper_form(self) -> None:
        term = open_term(self.p)
        enrolment = enrolment_apply(
            actor=actor(self.p.grassroots_admin), child=self.p.child_one, term=term, source="paper"
        )
        self.assertEqual((enrolment.source, enrolment.guardian), ("paper", self.p.parent_worker))

    def test_seat_pools_are_created_once_and_follow_capacity(self) -> None:
        term = open_term(self.p, capacity=3)
        seat_pools_ensure(term)
        seat_pools_ensure(term)
        self.assertEqual(SeatPool.objects.filter(term=term).count(), 1)
        term.capacity = 5
        pools = seat_pools_ensure(term)
        self.assertTrue(pools.grew)
        self.assertEqual(pool(term).capacity, 5)


class LotteryApplicationTest(PersonaTestCase):
    def test_a_lottery_application_waits_for_the_draw_without_a_seat(self) -> None:
        term = open_term(self.p, mode=EnrolMode.LOTTERY, capacity=1)
        enrolment = apply(self.p, term)
        self.assertEqual(enrolment.status, S.APPLIED)
        self.assertIsNone(enrolment.waitlist_rank)
        self.assertFalse(SeatPool.objects.filter(term=term, taken__gt=0).exists())


class ManualAdmissionTest(PersonaTestCase):
    def test_an_admin_admits_a_waitlisted_child_into_a_free_seat_with_a_reason(self) -> None:
        term = open_term(self.p, capacity=1)
        first = apply(self.p, term, family(self.p, 1)[2])
        waiting = apply(self.p, term, self.p.child_one)
        Term.objects.filter(pk=term.pk).update(capacity=2)  # a place added, not offered yet
        admitted = enrolment_admit_manually(
            actor=actor(self.p.grassroots_admin), enrolment=waiting, reason="双职工家庭，经核实"
        )
        self.assertEqual(admitted.status, S.ADMITTED)
        self.assertEqual(pool(term).taken, 2)
        self.assertEqual(first.status, S.ADMITTED)
        self.assertTrue(
            AuditEntry.objects.filter(
                object_id=str(waiting.pk), reason="双职工家庭，经核实"
            ).exists()
        )

    def test_manual_admission_never_exceeds_capacity(self) -> None:
        term = open_term(self.p, capacity=1)
        apply(self.p, term, family(self.p, 1)[2])
        waiting = apply(self.p, term, self.p.child_one)
        with self.assertRaises(ValidationError):
            enrolment_admit_manually(
                actor=actor(self.p.grassroots_admin), enrolment=waiting, reason="领导交代"
            )
        waiting.refresh_from_db()
        self.assertEqual(waiting.status, S.WAITLISTED)
        self.assertEqual(pool(term).taken, 1)

    def test_manual_admission_needs_a_reason_and_a_host_role(self) -> None:
        term = open_term(self.p, capacity=2)
        waiting = apply(self.p, term, self.p.child_one)
        with self.assertRaises(ValidationError):
            enrolment_admit_manually(
                actor=actor(self.p.grassroots_admin), enrolment=waiting, reason=" "
            )
        with self.assertRaises(PermissionDenied):
            enrolment_admit_manually(actor=actor(self.p.caregiver), enrolment=waiting, reason="x")

    def test_a_rejected_priority_claim_drops_to_the_last_tier(self) -> None:
        term = open_term(self.p, mode=EnrolMode.LOTTERY)
        enrolment = apply(self.p, term, priority_groups=["dual_worker"])
        checked = enrolment_priority_check(
            actor=actor(self.p.grassroots_admin), enrolment=enrolment, accepted=False
        )
        self.assertEqual((checked.priority_tier, checked.priority_rejected), (1, True))
        self.assertEqual(checked.priority_checked_by, self.p.grassroots_admin)
