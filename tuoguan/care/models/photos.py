"""Photos of the child's day (每日照片): a caregiver posts to the group's day and tags the
children in it; the guardian's separate media consent (PIPL Art. 29) for photos and cameras."""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tuoguan.audit.mixins import AuditedModel
from tuoguan.core.models import TimeStampedModel

# A photo's stored long side, and its thumbnail's (the gallery, the live view).
PHOTO_LONG_SIDE = 2048
THUMBNAIL_LONG_SIDE = 480
MAX_PHOTOS_A_POST = 4


class MediaChoice(models.TextChoices):
    NOT_ASKED = "not_asked", _("Not asked yet")
    ALLOWED = "allowed", _("Allowed")
    REFUSED = "refused", _("Refused")


class MediaConsent(AuditedModel, TimeStampedModel):
    """A guardian's separate choice (单独同意) about photos and cameras for one child.

    Opt-in: "not asked" counts as refused. Apart from the general consent to the processing
    policy (accounts.ChildConsent): refusing never blocks enrolment or check-in."""

    child = models.OneToOneField(
        "accounts.Child",
        verbose_name=_("child"),
        on_delete=models.CASCADE,
        related_name="media_consent",
    )
    photos = models.CharField(
        _("photos of the child's day"),
        max_length=10,
        choices=MediaChoice.choices,
        default=MediaChoice.NOT_ASKED,
    )
    cameras = models.CharField(
        _("live cameras of the class"),
        max_length=10,
        choices=MediaChoice.choices,
        default=MediaChoice.NOT_ASKED,
    )
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chosen by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    chosen_at = models.DateTimeField(_("chosen at"), null=True, blank=True)

    class Meta:
        verbose_name = _("media consent")
        verbose_name_plural = _("media consents")

    def __str__(self) -> str:
        return f"{self.child} · {self.get_photos_display()}"

    def audit_org_path(self) -> str:
        return self.child.audit_org_path()

    @property
    def photos_allowed(self) -> bool:
        return self.photos == MediaChoice.ALLOWED

    @property
    def cameras_allowed(self) -> bool:
        return self.cameras == MediaChoice.ALLOWED


class Photo(AuditedModel, TimeStampedModel):
    """One photo of a group's day, re-encoded without metadata, with its thumbnail."""

    group = models.ForeignKey(
        "programs.Group", verbose_name=_("group"), on_delete=models.CASCADE, related_name="+"
    )
    date = models.DateField(_("date"))
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    image = models.ImageField(_("photo"), upload_to="day-photos/%Y/%m/")
    thumbnail = models.ImageField(_("thumbnail"), upload_to="day-photos/%Y/%m/")
    children: "models.ManyToManyField[Any, Any]" = models.ManyToManyField(
        "enrolment.Enrolment",
        verbose_name=_("children tagged"),
        through="PhotoTag",
        blank=True,
        related_name="+",
    )
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("posted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("photo of the day")
        verbose_name_plural = _("photos of the day")
        ordering = ["-date", "-created_at", "-pk"]
        indexes = [models.Index(fields=["group", "date"], name="photo_group_day")]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} · {self.caption or self.pk}"

    def audit_org_path(self) -> str:
        return self.group.audit_org_path()


class PhotoTag(models.Model):
    """A child (their place in the term) tagged in a photo."""

    photo = models.ForeignKey(
        Photo, verbose_name=_("photo"), on_delete=models.CASCADE, related_name="tags"
    )
    enrolment = models.ForeignKey(
        "enrolment.Enrolment",
        verbose_name=_("child"),
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta:
        verbose_name = _("photo tag")
        verbose_name_plural = _("photo tags")
        constraints = [
            models.UniqueConstraint(fields=["photo", "enrolment"], name="one_tag_per_child")
        ]

    def __str__(self) -> str:
        return f"{self.photo_id} · {self.enrolment_id}"
