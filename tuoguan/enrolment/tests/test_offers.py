"""Freed seats go to the waitlist as offers that expire; no seat is ever offered twice."""

import datetime
import io

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone, translation

from tuoguan.audit.models import AuditEntry
from tuoguan.enrolment.models import Enrolment, EnrolmentRules, EnrolmentStatus, Offer, SeatPool
from tuoguan.enrolment.services import (
    enrolment_capacity_sync,
    enrolment_remove,
    enrolment_withdraw,
    offer_accept,
    offer_decline,
    offers_expire,
    offers_remind,
)
from tuoguan.notifications.models import Notification
from tuoguan.programs.models import Term
from tuoguan.testing import PersonaTestCase

from .allocation_support import actor, apply, family, open_term

S = EnrolmentStatus


class OfferTestCase(PersonaTestCase):
    def setUp(self) -> None:
        # One seat, taken by family 1; the personas' two children wait, in this order.
        self.term = open_term(self.p, capacity=1)
        self.seated_user, _w, seated_child = family(self.p, 1)
        self.seated = apply(self.p, self.term, seated_child)
        self.first = apply(self.p, self.term, self.p.child_one)
        self.second = apply(self.p, self.term, self.p.child_two)

    def fresh(self, enrolment: Enrolment) -> Enrolment:
        return Enrolment.objects.get(pk=enrolment.pk)

    def taken(self) -> int:
        return SeatPool.objects.get(term=self.term, group=None).taken

    def open_offers(self) -> list[int]:
        return list(
            Offer.objects.filter(enrolment__term=self.term, status=Offer.Status.OPEN)
            .order_by("pk")
            .values_list("enrolment_id", flat=True)
        )


class WithdrawalTest(OfferTestCase):
    def test_a_withdrawal_offers_the_seat_to_the_first_on_the_waitlist(self) -> None:
        enrolment_withdraw(actor=actor(self.seated_user), enrolment=self.seated)
        self.assertEqual(self.fresh(self.seated).status, S.WITHDRAWN)
        self.assertEqual(self.fresh(self.first).status, S.OFFERED)
        self.assertEqual(self.fresh(self.second).status, S.WAITLISTED)
        self.assertEqual(self.open_offers(), [self.first.pk])
        offer = Offer.objects.get(enrolment=self.first)
        hours = (offer.expires_at - offer.created_at).total_seconds() / 3600
        self.assertAlmostEqual(hours, 48, places=2)
        self.assertEqual(self.taken(), 1)

    def test_a_withdrawal_during_an_open_offer_does_not_make_two_offers(self) -> None:
        enrolment_withdraw(actor=actor(self.seated_user), enrolment=self.seated)
        # The waiting second child withdraws while the first child's offer is open.
        enrolment_withdraw(actor=actor(self.p.parent), enrolment=self.second)
        self.assertEqual(self.open_offers(), [self.first.pk])
        self.assertEqual(self.taken(), 1)

    def test_withdrawing_an_offered_seat_passes_it_on_once(self) -> None:
        enrolment_withdraw(actor=actor(self.seated_user), enrolment=self.seated)
        enrolment_withdraw(actor=actor(self.p.parent), enrolment=self.first)
        self.assertEqual(Offer.objects.get(enrolment=self.first).status, Offer.Status.CANCELLED)
        self.assertEqual(self.open_offers(), [self.second.pk])
        self.assertEqual(self.taken(), 1)

    def test_withdrawing_twice_is_refused(self) -> None:
        enrolment_withdraw(actor=actor(self.p.parent), enrolment=self.second)
        with self.assertRaises(ValidationError):
            enrolment_withdraw(actor=actor(self.p.parent), enrolment=self.second)

    def test_only_the_family_withdraws(self) -> None:
        with self.assertRaises(PermissionDenied):
            enrolment_withdraw(actor=actor(self.p.grassroots_admin), enrolment=self.first)
        self.assertEqual(self.fresh(self.first).status, S.WAITLISTED)

    def test_a_removal_needs_a_reason_tells_the_parent_and_passes_the_seat_on(self) -> None:
        admin = actor(self.p.grassroots_admin)
        with self.assertRaises(ValidationError):
            enrolment_remove(actor=admin, enrolment=self.seated, reason="  ")
        with self.assertRaises(PermissionDenied):
            enrolment_remove(actor=actor(self.p.caregiver), enrolment=self.seated, reason="x")
        with self.captureOnCommitCallbacks(execute=True):
            enrolment_remove(actor=admin, enrolment=self.seated, reason="非本单位职工子女")
        removed = self.fresh(self.seated)
        self.assertEqual((removed.status, removed.reason), (S.REMOVED, "非本单位职工子女"))
        self.assertTrue(
            Notification.objects.filter(
                recipient=self.seated_user, body__contains="非本单位"
            ).exists()
        )
        self.assertTrue(
            AuditEntry.objects.filter(
                object_id=str(self.seated.pk), reason="非本单位职工子女"
            ).exists()
        )
        self.assertEqual(self.open_offers(), [self.first.pk])


class AnswerTest(OfferTestCase):
    def setUp(self) -> None:
        super().setUp()
        enrolment_withdraw(actor=actor(self.seated_user), enrolment=self.seated)

    def test_accepting_admits_the_child(self) -> None:
        admitted = offer_accept(actor=actor(self.p.parent), enrolment=self.first)
        self.assertEqual(admitted.status, S.ADMITTED)
        self.assertEqual(Offer.objects.get(enrolment=self.first).status, Offer.Status.ACCEPTED)
        self.assertEqual(self.open_offers(), [])
        self.assertEqual(self.taken(), 1)

    def test_declining_passes_the_seat_to_the_next_child(self) -> None:
        offer_decline(actor=actor(self.p.parent), enrolment=self.first)
        self.assertEqual(self.fresh(self.first).status, S.LAPSED)
        self.assertEqual(Offer.objects.get(enrolment=self.first).status, Offer.Status.DECLINED)
        self.assertEqual(self.open_offers(), [self.second.pk])
        self.assertEqual(self.taken(), 1)

    def test_a_child_without_an_offer_cannot_accept(self) -> None:
        with self.assertRaises(ValidationError):
            offer_accept(actor=actor(self.p.parent), enrolment=self.second)

    def test_staff_cannot_answer_for_the_family(self) -> None:
        with self.assertRaises(PermissionDenied):
            offer_accept(actor=actor(self.p.grassroots_admin), enrolment=self.first)

    def test_an_overdue_offer_cannot_be_accepted(self) -> None:
        Offer.objects.filter(enrolment=self.first).update(expires_at=timezone.now())
        with self.assertRaises(ValidationError):
            offer_accept(actor=actor(self.p.parent), enrolment=self.first)
        self.assertEqual(self.fresh(self.first).status, S.OFFERED)


class ExpiryTest(OfferTestCase):
    def setUp(self) -> None:
        super().setUp()
        enrolment_withdraw(actor=actor(self.seated_user), enrolment=self.seated)

    def test_an_expired_offer_passes_the_seat_on_once(self) -> None:
        deadline = Offer.objects.get(enrolment=self.first).expires_at
        later = deadline + datetime.timedelta(microseconds=1)
        self.assertEqual(offers_expire(now=deadline - datetime.timedelta(seconds=1)), 0)
        self.assertEqual(offers_expire(now=later), 1)
        self.assertEqual(self.fresh(self.first).status, S.LAPSED)
        self.assertEqual(Offer.objects.get(enrolment=self.first).status, Offer.Status.EXPIRED)
        self.assertEqual(self.open_offers(), [self.second.pk])
        # Run again at the same instant: nothing more happens.
        self.assertEqual(offers_expire(now=later), 0)
        self.assertEqual(self.open_offers(), [self.second.pk])
        self.assertEqual(self.taken(), 1)

    def test_the_last_expired_offer_frees_the_seat(self) -> None:
        enrolment_withdraw(actor=actor(self.p.parent), enrolment=self.second)
        offers_expire(now=timezone.now() + datetime.timedelta(hours=49))
        self.assertEqual(self.open_offers(), [])
        self.assertEqual(self.taken(), 0)

    def test_the_offer_hours_come_from_the_term_rules(self) -> None:
        EnrolmentRules.objects.filter(term=self.term).update(offer_hours=2)
        offer_decline(actor=actor(self.p.parent), enrolment=self.first)
        offer = Offer.objects.get(enrolment=self.second, status=Offer.Status.OPEN)
        self.assertAlmostEqual((offer.expires_at - offer.created_at).total_seconds(), 7200, delta=5)

    def test_the_reminder_goes_once_six_hours_before_the_deadline(self) -> None:
        offer = Offer.objects.get(enrolment=self.first)
        self.assertEqual(offers_remind(now=timezone.now()), 0)
        soon = offer.expires_at - datetime.timedelta(hours=5)
        with translation.override("en"), self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(offers_remind(now=soon), 1)
            self.assertEqual(offers_remind(now=soon), 0)
        self.assertIsNotNone(Offer.objects.get(pk=offer.pk).reminded_at)
        self.assertEqual(
            Notification.objects.filter(
                recipient=self.p.parent, subject__startswith="Offer expiring soon"
            ).count(),
            1,
        )

    def test_the_command_states_its_rule_and_expires(self) -> None:
        Offer.objects.filter(enrolment=self.first).update(
            expires_at=timezone.now() - datetime.timedelta(seconds=1)
        )
        out = io.StringIO()
        call_command("expire_offers", stdout=out)
        self.assertIn("1 offer(s) expired", out.getvalue())
        self.assertEqual(self.open_offers(), [self.second.pk])


class CapacityTest(OfferTestCase):
    def test_more_places_go_to_the_waitlist_first(self) -> None:
        Term.objects.filter(pk=self.term.pk).update(capacity=2)
        offers = enrolment_capacity_sync(term=Term.objects.get(pk=self.term.pk))
        self.assertEqual([o.enrolment_id for o in offers], [self.first.pk])
        self.assertEqual(self.taken(), 2)

    def test_a_new_applicant_does_not_jump_the_waitlist_after_capacity_grows(self) -> None:
        Term.objects.filter(pk=self.term.pk).update(capacity=2)
        late = apply(self.p, Term.objects.get(pk=self.term.pk), family(self.p, 9)[2])
        self.assertEqual(late.status, S.WAITLISTED)
        self.assertEqual(self.open_offers(), [self.first.pk])
        self.assertEqual(self.taken(), 2)


class SiblingOfferTest(PersonaTestCase):
    def test_siblings_kept_together_are_offered_seats_together(self) -> None:
        term = open_term(self.p, capacity=2)
        one_user, _w, one = family(self.p, 1)
        two_user, _w, two = family(self.p, 2)
        seated = [apply(self.p, term, one), apply(self.p, term, two)]
        pair = [
            apply(self.p, term, child, sibling_key="王家", keep_together=True)
            for child in (self.p.child_one, self.p.child_two)
        ]
        single = apply(self.p, term, family(self.p, 3)[2])
        # One seat frees: the pair does not fit, the single child behind them gets it.
        enrolment_withdraw(actor=actor(one_user), enrolment=seated[0])
        statuses = [Enrolment.objects.get(pk=e.pk).status for e in [*pair, single]]
        self.assertEqual(statuses, [S.WAITLISTED, S.WAITLISTED, S.OFFERED])
        offer_decline(actor=actor(single.guardian.user), enrolment=single)
        enrolment_withdraw(actor=actor(two_user), enrolment=seated[1])
        statuses = [Enrolment.objects.get(pk=e.pk).status for e in pair]
        self.assertEqual(statuses, [S.OFFERED, S.OFFERED])
