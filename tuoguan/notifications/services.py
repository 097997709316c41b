from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .channels import ChannelUnavailable, configured_channels, get_channel
from .models import Delivery, Notification


@transaction.atomic
def notify(
    *,
    recipient: Any,
    subject: str,
    body: str = "",
    url: str = "",
    channels: list[str] | None = None,
) -> Notification:
    """Tell one person something: inbox always, plus the configured outside channels.

    Outside delivery happens after commit in a background task, so a rolled-back action
    never sends a message about something that did not happen.
    """
    notification = Notification.objects.create(
        recipient=recipient, subject=subject[:200], body=body, url=url[:300]
    )
    names = configured_channels() if channels is None else channels
    deliveries = Delivery.objects.bulk_create(
        [Delivery(notification=notification, channel=name) for name in names]
    )
    if deliveries:
        from .tasks import deliver_notification

        transaction.on_commit(lambda: deliver_notification.enqueue(notification.pk))
    return notification


def delivery_attempt(*, delivery: Delivery) -> bool:
    """Try one delivery once; return True when nothing is left to retry."""
    if delivery.status in (Delivery.Status.SENT, Delivery.Status.SKIPPED):
        return True
    delivery.attempts += 1
    try:
        get_channel(delivery.channel).send(delivery.notification)
    except ChannelUnavailable as exc:
        delivery.status, delivery.last_error = Delivery.Status.SKIPPED, str(exc)[:500]
    except Exception as exc:  # noqa: BLE001 - any failure of a gateway is logged and retried
        delivery.last_error = f"{type(exc).__name__}: {exc}"[:500]
        if delivery.attempts >= settings.TUOGUAN_NOTIFY_MAX_ATTEMPTS:
            delivery.status = Delivery.Status.FAILED
    else:
        delivery.status, delivery.sent_at = Delivery.Status.SENT, timezone.now()
        delivery.last_error = ""
    delivery.save()
    return delivery.status != Delivery.Status.PENDING


def notification_mark_read(*, notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])


def notifications_mark_all_read(*, user: Any) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
