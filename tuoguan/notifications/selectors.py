"""Reads of one's own notifications. Nobody reads another person's inbox: 404."""

from typing import Any

from django.db.models import Case, IntegerField, QuerySet, Value, When

from tuoguan.core.lookups import get_or_404

from .models import Delivery, Notification


def unread_count(user: Any) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def inbox_for(user: Any) -> QuerySet[Notification]:
    """One's notifications, unread first, then newest first."""
    unread_first = Case(
        When(read_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return Notification.objects.filter(recipient=user).order_by(unread_first, "-created_at", "-id")


def notification_for(user: Any, pk: object) -> Notification:
    return get_or_404(Notification.objects.filter(recipient=user), pk=pk)


def deliveries_for(user: Any) -> QuerySet[Delivery]:
    """One's deliveries on the channels that reach a person (the console one reaches nobody)."""
    return (
        Delivery.objects.filter(notification__recipient=user)
        .exclude(channel="console")
        .select_related("notification")
    )
