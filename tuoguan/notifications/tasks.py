from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from .models import Delivery
from .services import delivery_attempt

# A failed gateway is retried after 30 s, then 60 s, 90 s… (see `_enqueue_retry`).
RETRY_DELAY_SECONDS = 30


@task()
def deliver_notification(notification_id: int) -> None:
    """Send a notification on each of its channels; re-enqueue while some still fail."""
    pending = list(
        Delivery.objects.select_related("notification__recipient").filter(
            notification_id=notification_id, status=Delivery.Status.PENDING
        )
    )
    unfinished = [d for d in pending if not delivery_attempt(delivery=d)]
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
