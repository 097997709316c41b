from typing import Any

from django.db.models import QuerySet

from .models import Delivery, Notification


def unread_count(user: Any) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def inbox_for(user: Any) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user)


def deliveries_for(user: Any) -> QuerySet[Delivery]:
    return Delivery.objects.filter(notification__recipient=user).select_related("notification")
