from django_tasks import task

from .models import Delivery
from .services import delivery_attempt


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
        deliver_notification.enqueue(notification_id)
