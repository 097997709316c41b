"""notifications.fastpath writes the rows the ORM writes, defaults included."""

from typing import Any

from django.utils import timezone

from tuoguan.notifications import fastpath
from tuoguan.notifications.models import Delivery, Notification
from tuoguan.testing import PersonaTestCase


def _values(model: Any, pk: int) -> dict[str, Any]:
    values = model.objects.filter(pk=pk).values().get()
    values.pop("id")
    return values


class FastPathWritesTest(PersonaTestCase):
    def test_an_inbox_row_written_by_hand_equals_the_orm_row(self) -> None:
        now = timezone.now()
        values = {"subject": "录取通知", "body": "正文", "url": "/x/", "dispatch_pending": True}
        by_orm = Notification.objects.create(recipient=self.p.parent, **values)
        Notification.objects.filter(pk=by_orm.pk).update(created_at=now)
        pk = fastpath.notification_insert(
            {"recipient_id": self.p.parent.pk, "created_at": now, **values}
        )
        assert _values(Notification, pk) == _values(Notification, by_orm.pk)

    def test_deliveries_written_by_hand_equal_the_orm_rows(self) -> None:
        now = timezone.now()
        notice = Notification.objects.create(recipient=self.p.parent, subject="通知")
        by_orm = Delivery.objects.create(notification=notice, channel="sms")
        Delivery.objects.filter(pk=by_orm.pk).update(updated_at=now)
        fastpath.deliveries_insert(
            [{"notification_id": notice.pk, "channel": "sms", "updated_at": now}]
        )
        by_hand = Delivery.objects.exclude(pk=by_orm.pk).get(notification=notice)
        assert _values(Delivery, by_hand.pk) == _values(Delivery, by_orm.pk)
