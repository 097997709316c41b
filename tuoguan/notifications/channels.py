"""Outside channels for notifications, behind one interface.

The inbox is not a channel: it is the Notification row itself, always written. A channel
sends a copy elsewhere. Adapters for SMS and WeChat template messages have a console backend
by default (print, so a developer sees what would be sent); a gateway backend is configured
by environment (TUOGUAN_SMS_BACKEND, TUOGUAN_WECHAT_BACKEND) when a deployment has one.
"""

import logging
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

from .models import Notification

logger = logging.getLogger("tuoguan.notifications")


class ChannelUnavailable(Exception):
    """The recipient has no address on this channel; nothing to retry."""


class Channel(Protocol):
    name: str

    def send(self, notification: Notification) -> None: ...


class ConsoleChannel:
    name = "console"

    def send(self, notification: Notification) -> None:
        print(  # noqa: T201 - the console channel's whole purpose
            f"[notify → {notification.recipient}] {notification.subject}\n{notification.body}",
            flush=True,
        )


class EmailChannel:
    name = "email"

    def send(self, notification: Notification) -> None:
        address = notification.recipient.email
        if not address:
            raise ChannelUnavailable("no e-mail address")
        send_mail(notification.subject, notification.body, None, [address])


class SmsChannel:
    """SMS adapter. `console` prints; any other value is a dotted path to a sender class."""

    name = "sms"

    def send(self, notification: Notification) -> None:
        mobile = notification.recipient.mobile
        if not mobile:
            raise ChannelUnavailable("no mobile number")
        backend = settings.TUOGUAN_SMS_BACKEND
        if backend == "console":
            logger.info("SMS to %s: %s", mobile, notification.subject)
            return
        import_string(backend)().send_sms(mobile, notification.subject)


class WeChatChannel:
    """WeChat template-message adapter; console by default, like SMS."""

    name = "wechat"

    def send(self, notification: Notification) -> None:
        backend = settings.TUOGUAN_WECHAT_BACKEND
        if backend == "console":
            logger.info("WeChat to user %s: %s", notification.recipient_id, notification.subject)
            return
        import_string(backend)().send_template(notification)


CHANNELS: dict[str, type] = {
    "console": ConsoleChannel,
    "email": EmailChannel,
    "sms": SmsChannel,
    "wechat": WeChatChannel,
}


def configured_channels() -> list[str]:
    return [name for name in settings.TUOGUAN_NOTIFY_CHANNELS if name in CHANNELS]


def get_channel(name: str) -> Channel:
    channel: Channel = CHANNELS[name]()
    return channel
