"""SMS and WeChat adapters: console by default, a gateway class named in settings otherwise."""

from typing import Any, ClassVar

from django.test import override_settings

from tuoguan.notifications.models import Delivery, Notification
from tuoguan.notifications.services import notify
from tuoguan.testing import PersonaTestCase


class FakeSmsBackend:
    sent: ClassVar[list[tuple[str, str]]] = []

    def send_sms(self, mobile: str, text: str) -> None:
        FakeSmsBackend.sent.append((mobile, text))


class FakeWeChatBackend:
    sent: ClassVar[list[Any]] = []

    def send_template(self, notification: Notification) -> None:
        FakeWeChatBackend.sent.append(notification.pk)


class DownSmsBackend:
    def send_sms(self, mobile: str, text: str) -> None:
        raise TimeoutError("SMS gateway unreachable")


SMS = f"{__name__}.FakeSmsBackend"
WECHAT = f"{__name__}.FakeWeChatBackend"


class ChannelTest(PersonaTestCase):
    def setUp(self) -> None:
        FakeSmsBackend.sent.clear()
        FakeWeChatBackend.sent.clear()

    def send(self, user: Any, channels: list[str]) -> Notification:
        with self.captureOnCommitCallbacks(execute=True):
            return notify(recipient=user, subject="明天停课", channels=channels)

    def test_sms_and_wechat_default_to_the_console_backend(self) -> None:
        with self.assertLogs("tuoguan.notifications", "INFO") as logs:
            notification = self.send(self.p.parent, ["sms", "wechat"])
        self.assertEqual(
            set(notification.deliveries.values_list("status", flat=True)), {Delivery.Status.SENT}
        )
        self.assertTrue(any("13700000001" in line for line in logs.output))
        self.assertEqual(FakeSmsBackend.sent, [])

    @override_settings(TUOGUAN_SMS_BACKEND=SMS, TUOGUAN_WECHAT_BACKEND=WECHAT)
    def test_a_configured_backend_class_does_the_sending(self) -> None:
        notification = self.send(self.p.parent, ["sms", "wechat"])
        self.assertEqual(FakeSmsBackend.sent, [("13700000001", "明天停课")])
        self.assertEqual(FakeWeChatBackend.sent, [notification.pk])
        self.assertEqual(notification.deliveries.get(channel="sms").status, "sent")

    @override_settings(TUOGUAN_SMS_BACKEND=SMS)
    def test_a_recipient_without_a_mobile_is_skipped_for_sms(self) -> None:
        self.p.parent.mobile = None
        self.p.parent.save()
        notification = self.send(self.p.parent, ["sms"])
        delivery = notification.deliveries.get()
        self.assertEqual(delivery.status, Delivery.Status.SKIPPED)
        self.assertEqual(FakeSmsBackend.sent, [])

    @override_settings(
        TUOGUAN_SMS_BACKEND=f"{__name__}.DownSmsBackend", TUOGUAN_NOTIFY_MAX_ATTEMPTS=2
    )
    def test_a_gateway_that_is_down_ends_failed_with_its_error(self) -> None:
        notification = self.send(self.p.parent, ["sms"])
        delivery = notification.deliveries.get()
        self.assertEqual((delivery.status, delivery.attempts), (Delivery.Status.FAILED, 2))
        self.assertEqual(delivery.last_error, "TimeoutError: SMS gateway unreachable")
