"""The housekeeping clock expires overdue offers and passes their seats on."""

import datetime
import io

from django.core.management import call_command
from django.utils import timezone, translation

from tuoguan.core.models import PeriodicRun
from tuoguan.enrolment.models import EnrolmentStatus, Offer, SeatPool
from tuoguan.enrolment.services import enrolment_withdraw
from tuoguan.notifications.models import Notification
from tuoguan.testing import PersonaTestCase

from .allocation_support import actor, apply, family, open_term


class OfferHousekeepingTest(PersonaTestCase):
    def setUp(self) -> None:
        # One seat: family 1 gives it up, so the first child on the waitlist is offered it.
        self.term = open_term(self.p, capacity=1)
        seated_user, _worker, seated_child = family(self.p, 1)
        seated = apply(self.p, self.term, seated_child)
        self.first = apply(self.p, self.term, self.p.child_one)
        self.second = apply(self.p, self.term, self.p.child_two)
        enrolment_withdraw(actor=actor(seated_user), enrolment=seated)

    def run_housekeeping(self) -> str:
        out = io.StringIO()
        with translation.override("en"), self.captureOnCommitCallbacks(execute=True):
            call_command("housekeeping", "--once", stdout=out)
        return out.getvalue()

    def test_once_expires_an_overdue_offer_and_passes_the_seat_on(self) -> None:
        Offer.objects.filter(enrolment=self.first).update(
            expires_at=timezone.now() - datetime.timedelta(seconds=1)
        )
        output = self.run_housekeeping()
        self.assertIn("enrolment.offers: done", output)
        self.assertIn("'expired': 1", output)
        self.first.refresh_from_db()
        self.second.refresh_from_db()
        self.assertEqual(self.first.status, EnrolmentStatus.LAPSED)
        self.assertEqual(Offer.objects.get(enrolment=self.first).status, Offer.Status.EXPIRED)
        self.assertEqual(self.second.status, EnrolmentStatus.OFFERED)
        self.assertTrue(
            Offer.objects.filter(enrolment=self.second, status=Offer.Status.OPEN).exists()
        )
        self.assertEqual(SeatPool.objects.get(term=self.term, group=None).taken, 1)
        self.assertIsNotNone(PeriodicRun.objects.get(name="enrolment.offers").last_run_at)

    def test_an_offer_within_its_deadline_is_left_alone_until_the_next_period(self) -> None:
        self.run_housekeeping()
        # Overdue now, but the job ran a moment ago: it waits for its five minutes.
        Offer.objects.filter(enrolment=self.first).update(
            expires_at=timezone.now() - datetime.timedelta(seconds=1)
        )
        self.assertNotIn("enrolment.offers", self.run_housekeeping())
        self.first.refresh_from_db()
        self.assertEqual(self.first.status, EnrolmentStatus.OFFERED)

    def test_the_expiring_soon_reminder_goes_out(self) -> None:
        now = timezone.now()
        Offer.objects.filter(enrolment=self.first).update(
            created_at=now - datetime.timedelta(hours=43),
            expires_at=now + datetime.timedelta(hours=5),
        )
        self.run_housekeeping()
        self.assertEqual(
            Notification.objects.filter(
                recipient=self.p.parent, subject__startswith="Offer expiring soon"
            ).count(),
            1,
        )
