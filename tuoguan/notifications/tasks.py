from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone
from django_tasks import task

from .models import Delivery
from .services import delivery_attempt

# A failed gateway is retried after 30 s, then 60 s, 90 s… (see `_enqueue_retry`).
RETRY_DELAY_SECONDS = 30


@task()
def deliver_notification(notification_id: int) -> None:
    """Send a notification on each of its channels; re-enqueue while some still fail.

    Each delivery is attempted under its row's lock, skipped when another worker holds it
    (a retry queued twice, a resume beside a late retry): a message is never sent twice at
    the same moment, and a delivery another worker finished is seen as done.
    """
    ids = Delivery.objects.filter(
        notification_id=notification_id, status=Delivery.Status.PENDING
    ).values_list("pk", flat=True)
    unfinished = []
    for pk in list(ids):
        with transaction.atomic():
            rows = Delivery.objects.select_related("notification__recipient").filter(
                pk=pk, status=Delivery.Status.PENDING
            )
            if connection.features.has_select_for_update_skip_locked:
                rows = rows.select_for_update(skip_locked=True, of=("self",))
            delivery = rows.first()
            if delivery is not None and not delivery_attempt(delivery=delivery):
                unfinished.append(delivery)
    if unfinished:
        _enqueue_retry(notification_id, attempts=max(d.attempts for d in unfinished))


def _enqueue_retry(notification_id: int, *, attempts: int) -> None:
    """Retry later, not at once: a gateway that is down stays down for a while.

    Backends that cannot defer (the ImmediateBackend of the tests) retry at once; the
    attempt limit in `delivery_attempt` still bounds the loop.
    """
    retry = deliver_notification
    if retry.get_backend().supports_defer:
        delay = timedelta(seconds=RETRY_DELAY_SECONDS * attempts)
        retry = retry.using(run_after=timezone.now() + delay)
    retry.enqueue(notification_id)
