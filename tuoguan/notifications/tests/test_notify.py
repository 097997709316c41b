"""notify(): the inbox row always, one delivery per channel, sent after commit, retried."""

from datetime import timedelta
from typing import Any

from django.core import mail
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from tuoguan.notifications.channels import CHANNELS
from tuoguan.notifications.models import Delivery, Notification
from tuoguan.notifications.services import notifications_dispatch, notify
from tuoguan.testing import PersonaTestCase


class BrokenChannel:
    """A gateway that is down."""

    name = "broken"
    calls = 0

    def send(self, notification: Notification) -> None:
        BrokenChannel.calls += 1
        raise ConnectionError("gateway timed out")


class FlakyChannel:
    """Fails once, then works."""

    name = "flaky"
    calls = 0

    def send(self, notification: Notification) -> None:
        FlakyChannel.calls += 1
        if FlakyChannel.calls == 1:
            raise ConnectionError("first try fails")


class NotifyTest(PersonaTestCase):
    def setUp(self) -> None:
        self.p.parent.email = "parent@example.com"
        self.p.parent.save()
        BrokenChannel.calls = FlakyChannel.calls = 0

    def send(self, **kwargs: Any) -> Notification:
        with self.captureOnCommitCallbacks(execute=True):
            return notify(
                recipient=self.p.parent, subject="报名成功", body="您的孩子已录取。", **kwargs
            )

    def test_the_inbox_row_is_written_and_each_channel_delivered(self) -> None:
        notification = self.send()
        self.assertTrue(Notification.objects.filter(pk=notification.pk, read_at=None).exists())
        deliveries = {d.channel: d for d in notification.deliveries.all()}
        self.assertEqual(set(deliveries), {"console", "email"})
        self.assertTrue(all(d.status == Delivery.Status.SENT for d in deliveries.values()))
        self.assertTrue(all(d.attempts == 1 and d.sent_at for d in deliveries.values()))
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, ["parent@example.com"])
        self.assertEqual(mail.outbox[0].subject, "报名成功")

    @override_settings(TUOGUAN_NOTIFY_CHANNELS=["email", "sms", "nonsense"])
    def test_the_configured_channels_decide_the_deliveries(self) -> None:
        notification = self.send()
        self.assertEqual(
            sorted(notification.deliveries.values_list("channel", flat=True)), ["email", "sms"]
        )

    @override_settings(TUOGUAN_NOTIFY_CHANNELS=[])
    def test_with_no_outside_channel_only_the_inbox_is_written(self) -> None:
        notification = self.send()
        self.assertFalse(notification.deliveries.exists())
        self.assertEqual(self.p.parent.notifications.count(), 1)

    def test_nothing_is_sent_before_the_transaction_commits(self) -> None:
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            notification = notify(recipient=self.p.parent, subject="稍后发送")
            self.assertEqual(len(mail.outbox), 0)
            self.assertEqual(
                set(notification.deliveries.values_list("status", flat=True)), {"pending"}
            )
        self.assertEqual(len(callbacks), 1)

    def test_a_rollback_after_notify_sends_nothing(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            try:
                with transaction.atomic():
                    notify(recipient=self.p.parent, subject="不该发出")
                    raise RuntimeError("the action failed")
            except RuntimeError:
                pass
        self.assertEqual(len(mail.outbox), 0)
        self.assertFalse(Notification.objects.filter(subject="不该发出").exists())
        self.assertFalse(Delivery.objects.exists())

    def test_a_recipient_without_email_is_skipped(self) -> None:
        notification = notify_without_email(self)
        email = notification.deliveries.get(channel="email")
        self.assertEqual(email.status, Delivery.Status.SKIPPED)
        self.assertEqual(email.attempts, 1)
        self.assertIn("no e-mail", email.last_error)
        self.assertEqual(len(mail.outbox), 0)
        self.assertEqual(notification.deliveries.get(channel="console").status, "sent")

    @override_settings(TUOGUAN_NOTIFY_MAX_ATTEMPTS=3)
    def test_a_failing_channel_is_retried_then_marked_failed(self) -> None:
        CHANNELS["broken"] = BrokenChannel
        self.addCleanup(CHANNELS.pop, "broken")
        notification = self.send(channels=["broken", "email"])
        broken = notification.deliveries.get(channel="broken")
        self.assertEqual(broken.status, Delivery.Status.FAILED)
        self.assertEqual(broken.attempts, 3)
        self.assertEqual(BrokenChannel.calls, 3)
        self.assertIn("ConnectionError: gateway timed out", broken.last_error)
        # The healthy channel went out once, not once per retry.
        self.assertEqual(notification.deliveries.get(channel="email").attempts, 1)
        self.assertEqual(len(mail.outbox), 1)

    def test_a_channel_that_recovers_is_sent_on_the_retry(self) -> None:
        CHANNELS["flaky"] = FlakyChannel
        self.addCleanup(CHANNELS.pop, "flaky")
        notification = self.send(channels=["flaky"])
        flaky = notification.deliveries.get()
        self.assertEqual((flaky.status, flaky.attempts, flaky.last_error), ("sent", 2, ""))


def notify_without_email(case: NotifyTest) -> Notification:
    case.p.parent.email = ""
    case.p.parent.save()
    return case.send()


@override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}})
class RetryDelayTest(PersonaTestCase):
    """With a backend that can defer (the database one in production), retries wait."""

    def test_a_retry_is_enqueued_with_a_growing_delay(self) -> None:
        from django_tasks import default_task_backend

        from tuoguan.notifications.tasks import RETRY_DELAY_SECONDS, deliver_notification

        CHANNELS["broken"] = BrokenChannel
        self.addCleanup(CHANNELS.pop, "broken")
        with self.captureOnCommitCallbacks(execute=True):
            notification = notify(recipient=self.p.parent, subject="x", channels=["broken"])
        default_task_backend.clear()  # type: ignore[attr-defined]
        before = timezone.now()
        with self.captureOnCommitCallbacks(execute=True):
            deliver_notification.call(notification.pk)
            deliver_notification.call(notification.pk)
        results = default_task_backend.results  # type: ignore[attr-defined]
        self.assertEqual(len(results), 2)
        first, second = (r.task.run_after for r in results)
        self.assertGreaterEqual(first, before + timedelta(seconds=RETRY_DELAY_SECONDS))
        self.assertGreaterEqual(second, before + timedelta(seconds=2 * RETRY_DELAY_SECONDS))
        self.assertEqual(notification.deliveries.get().attempts, 2)


class BatchedNotifyTest(PersonaTestCase):
    """Enrolment morning's replies: the inbox at once, the outside channels in batches."""

    def test_a_batched_notice_is_in_the_inbox_and_waits_for_the_dispatch(self) -> None:
        with self.captureOnCommitCallbacks(execute=True) as queued:
            notice = notify(recipient=self.p.parent, subject="Admitted", batched=True)
        self.assertEqual(queued, [])
        self.assertTrue(Notification.objects.filter(pk=notice.pk, dispatch_pending=True).exists())
        self.assertFalse(Delivery.objects.filter(notification=notice).exists())
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(notifications_dispatch(), 1)
        self.assertEqual(
            Delivery.objects.get(notification=notice, channel="console").status,
            Delivery.Status.SENT,
        )
        self.assertEqual(notifications_dispatch(), 0)  # once only

    def test_the_dispatch_takes_every_waiting_notice_batch_by_batch(self) -> None:
        for n in range(5):
            notify(recipient=self.p.parent, subject=f"n{n}", batched=True)
        self.assertEqual(notifications_dispatch(batch=2), 5)
        self.assertEqual(Delivery.objects.filter(channel="console").count(), 5)
        self.assertFalse(Notification.objects.filter(dispatch_pending=True).exists())

    @override_settings(TUOGUAN_NOTIFY_CHANNELS=[])
    def test_without_outside_channels_nothing_waits(self) -> None:
        notice = notify(recipient=self.p.parent, subject="x", batched=True)
        notice.refresh_from_db()
        self.assertFalse(notice.dispatch_pending)

    def test_a_rolled_back_batched_notice_is_never_sent(self) -> None:
        with self.assertRaises(RuntimeError), transaction.atomic():
            notify(recipient=self.p.parent, subject="gone", batched=True)
            raise RuntimeError
        self.assertEqual(notifications_dispatch(), 0)

    def test_housekeeping_runs_the_dispatch(self) -> None:
        from tuoguan.core.housekeeping import periodic_jobs

        jobs = {job.name: job for job in periodic_jobs()}
        self.assertIs(jobs["notifications.dispatch"].fn, notifications_dispatch)
        self.assertLessEqual(jobs["notifications.dispatch"].every, timedelta(minutes=1))
