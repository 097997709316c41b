from django.conf import settings
from django.db import models
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# How the delivery log names each channel (see channels.CHANNELS).
CHANNEL_LABELS = {
    "console": _("Console (development)"),
    "email": _("E-mail"),
    "sms": _("SMS"),
    "wechat": _("WeChat"),
}


class Notification(models.Model):
    """A message to one person; always in their in-app inbox (the bell in the header)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,  # the (recipient, read_at) index below serves it
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # A batched notice (notify(batched=True)) whose outside deliveries housekeeping has not
    # created yet; False for every notice delivered at once.
    dispatch_pending = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            # Small: only the notices still waiting for their batch.
            models.Index(
                fields=["created_at"],
                condition=models.Q(dispatch_pending=True),
                name="notification_dispatch_pending",
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_unread(self) -> bool:
        return self.read_at is None

    def local_url(self) -> str:
        """The link when it is a path on this site, else "": never send anyone elsewhere."""
        url = self.url.strip()
        if url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=None):
            return url
        return ""


class Delivery(models.Model):
    """One attempt plan of a notification on one outside channel, with its outcome."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        SKIPPED = "skipped", _("skipped (no address)")

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(_("channel"), max_length=20)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.channel}: {self.status}"

    @property
    def channel_label(self) -> str:
        return str(CHANNEL_LABELS.get(self.channel, self.channel))

    @property
    def outcome(self) -> str:
        """What happened, in plain words for the recipient; `last_error` is for operators."""
        if self.status == self.Status.FAILED:
            return gettext(
                "Not delivered, even after several tries. The message is still in your inbox."
            )
        if self.status == self.Status.SKIPPED:
            return gettext("Not sent: there is no address for you on this channel.")
        if self.status == self.Status.PENDING and self.attempts:
            return gettext("Not delivered yet: it will be tried again shortly.")
        return ""
