"""Deliveries whose retry was lost are sent again by housekeeping; day-old ones are given up."""

import threading
from datetime import timedelta

from django.core import mail
from django.db import connection, connections, transaction
from django.test import TransactionTestCase
from django.utils import timezone

from tuoguan.notifications.models import Delivery, Notification
from tuoguan.notifications.services import deliveries_resume, notify
from tuoguan.notifications.tasks import deliver_notification
from tuoguan.testing import PersonaTestCase, build_personas


class ResumeTest(PersonaTestCase):
    def setUp(self) -> None:
        self.p.parent.email = "parent@example.com"
        self.p.parent.save()
        self.now = timezone.now()

    def pending(self, *, age: timedelta, idle: timedelta) -> Delivery:
        """An e-mail delivery left pending: made `age` ago, last touched `idle` ago."""
        notification = Notification.objects.create(recipient=self.p.parent, subject="录取通知")
        Notification.objects.filter(pk=notification.pk).update(created_at=self.now - age)
        delivery = Delivery.objects.create(notification=notification, channel="email")
        Delivery.objects.filter(pk=delivery.pk).update(updated_at=self.now - idle)
        return delivery

    def resume(self) -> dict[str, int]:
        with self.captureOnCommitCallbacks(execute=True):
            return deliveries_resume(now=self.now)

    def test_a_delivery_whose_retry_was_lost_is_sent_again(self) -> None:
        lost = self.pending(age=timedelta(hours=2), idle=timedelta(hours=1))
        self.assertEqual(self.resume(), {"resumed": 1, "given_up": 0})
        lost.refresh_from_db()
        self.assertEqual((lost.status, lost.attempts), (Delivery.Status.SENT, 1))
        self.assertEqual(len(mail.outbox), 1)

    def test_a_delivery_still_in_its_retry_delay_is_left_to_its_task(self) -> None:
        waiting = self.pending(age=timedelta(minutes=5), idle=timedelta(minutes=1))
        self.assertEqual(self.resume(), {"resumed": 0, "given_up": 0})
        waiting.refresh_from_db()
        self.assertEqual((waiting.status, waiting.attempts), (Delivery.Status.PENDING, 0))
        self.assertEqual(len(mail.outbox), 0)

    def test_a_message_a_day_old_is_given_up_not_sent(self) -> None:
        stale = self.pending(age=timedelta(hours=25), idle=timedelta(hours=24))
        self.assertEqual(self.resume(), {"resumed": 0, "given_up": 1})
        stale.refresh_from_db()
        self.assertEqual(stale.status, Delivery.Status.FAILED)
        self.assertIn("given up", stale.last_error)
        self.assertEqual(len(mail.outbox), 0)
        # The inbox keeps the message.
        self.assertTrue(Notification.objects.filter(pk=stale.notification_id).exists())


class LockedDeliveryTest(TransactionTestCase):
    """Two workers never send one delivery at the same moment (PostgreSQL row locks)."""

    def test_a_delivery_another_worker_holds_is_skipped_and_sent_later(self) -> None:
        if connection.vendor != "postgresql":
            self.skipTest("SQLite runs one writer at a time: there is no second worker")
        p = build_personas()
        notice = notify(recipient=p.parent, subject="x", batched=True)
        delivery = Delivery.objects.create(notification=notice, channel="console")
        held, release = threading.Event(), threading.Event()

        def other_worker() -> None:
            try:
                with transaction.atomic():
                    Delivery.objects.select_for_update().get(pk=delivery.pk)
                    held.set()
                    release.wait(timeout=30)
            finally:
                connections.close_all()

        thread = threading.Thread(target=other_worker)
        thread.start()
        self.assertTrue(held.wait(timeout=30))
        deliver_notification.func(notice.pk)
        delivery.refresh_from_db()
        self.assertEqual((delivery.status, delivery.attempts), (Delivery.Status.PENDING, 0))
        release.set()
        thread.join(timeout=30)
        deliver_notification.func(notice.pk)
        delivery.refresh_from_db()
        self.assertEqual((delivery.status, delivery.attempts), (Delivery.Status.SENT, 1))
