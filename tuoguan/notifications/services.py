from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from tuoguan.core import fastpath as core_fastpath

from . import fastpath
from .channels import ChannelUnavailable, configured_channels, get_channel
from .models import Delivery, Notification


@transaction.atomic(savepoint=False)  # inside a caller's transaction, two round trips less
def notify(
    *,
    recipient: Any,
    subject: str,
    body: str = "",
    url: str = "",
    channels: list[str] | None = None,
    batched: bool = False,
) -> Notification:
    """Tell one person (a user or a user id) something: inbox always, plus the configured
    outside channels.

    Outside delivery happens in a background task that the task backend queues only when
    the surrounding transaction commits, so a rolled-back action never sends a message
    about something that did not happen. `batched`: the inbox row only, now; housekeeping
    creates and queues the outside deliveries of such notices in batches within a minute
    (`notifications_dispatch`) — for the thousands of notices of enrolment morning, each of
    which would otherwise cost its request three more writes. The rows are written with
    prepared INSERTs (notifications.fastpath); a notice without deliveries to plan now waits
    in the caller's `inserts_together` block, if one is open, and its id is set when the
    block sends it.
    """
    now = timezone.now()
    recipient_id = recipient if isinstance(recipient, int) else recipient.pk
    names = configured_channels() if channels is None else channels
    values = {
        "subject": subject[:200],
        "body": body,
        "url": url[:300],
        "created_at": now,
        "dispatch_pending": batched and bool(names),
    }
    notification = Notification(recipient_id=recipient_id, **values)
    row = {"recipient_id": recipient_id, **values}
    if names and not batched:
        notification.pk = fastpath.notification_insert(row)
        notification._state.adding = False
        _deliveries_create([notification.pk], names, now)
        return notification

    def written(pk: Any) -> None:
        notification.pk, notification._state.adding = pk, False

    # No delivery needs its id now: the row may go with the caller's other inserts
    # (notifications.fastpath), and has its id from then on.
    fastpath.notification_insert_later(row, then=written)
    return notification


def _deliveries_create(notification_ids: list[int], names: list[str], now: datetime) -> None:
    from .tasks import deliver_notification

    fastpath.deliveries_insert(
        [
            {"notification_id": pk, "channel": name, "updated_at": now}
            for pk in notification_ids
            for name in names
        ],
    )
    for pk in notification_ids:
        # The database backend writes the task row in this transaction (ENQUEUE_ON_COMMIT
        # off: an outbox); other backends enqueue on commit.
        core_fastpath.enqueue(deliver_notification, pk)


DISPATCH_BATCH = 200


def notifications_dispatch(*, batch: int = DISPATCH_BATCH, most: int = 50_000) -> int:
    """Create and queue the outside deliveries of batched notices, oldest first, a batch
    per transaction; returns how many notices were dispatched."""
    done = 0
    while done < most:
        with transaction.atomic():
            pending = Notification.objects.filter(dispatch_pending=True).order_by(
                "created_at", "pk"
            )
            if connection.features.has_select_for_update_skip_locked:
                # Two dispatchers (a manual run beside the loop) take different batches.
                pending = pending.select_for_update(skip_locked=True)
            ids = list(pending.values_list("pk", flat=True)[:batch])
            if not ids:
                break
            names = configured_channels()
            if names:
                _deliveries_create(ids, names, timezone.now())
            Notification.objects.filter(pk__in=ids).update(dispatch_pending=False)
        done += len(ids)
    return done


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


# A delivery still pending this long after its last attempt has lost its retry (the worker
# died in the middle of the task): housekeeping enqueues it again.
RESUME_STALE_AFTER = timedelta(minutes=30)
# Past this a message is news no longer (an "offer expiring in 6 hours" SMS a day late does
# harm): it is given up instead of sent. The inbox row stays.
GIVE_UP_AFTER = timedelta(hours=24)


def deliveries_resume(*, now: datetime | None = None) -> dict[str, int]:
    """Re-enqueue the deliveries whose retry was lost; give up those older than a day."""
    now = now or timezone.now()
    stale = Delivery.objects.filter(
        status=Delivery.Status.PENDING, updated_at__lt=now - RESUME_STALE_AFTER
    )
    given_up = stale.filter(notification__created_at__lt=now - GIVE_UP_AFTER).update(
        status=Delivery.Status.FAILED,
        last_error="Not delivered within 24 hours: given up.",
        updated_at=now,
    )
    ids = list(
        stale.order_by("notification_id").values_list("notification_id", flat=True).distinct()[:500]
    )
    # Touched, so the next run does not enqueue them again while this retry is queued.
    Delivery.objects.filter(notification_id__in=ids, status=Delivery.Status.PENDING).update(
        updated_at=now
    )
    from .tasks import deliver_notification

    for notification_id in ids:
        deliver_notification.enqueue(notification_id)
    return {"resumed": len(ids), "given_up": given_up}
