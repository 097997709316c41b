"""The parent's live view of the child's day: caregivers' notes and activities of a group's
day (活动与留言), and the version of each child's day the view's ETag is built from."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tuoguan.audit.mixins import AuditedModel
from tuoguan.core.models import TimeStampedModel


class DayNoteKind(models.TextChoices):
    ACTIVITY = "activity", _("activity")
    NOTE = "note", _("note")


class DayNote(AuditedModel, TimeStampedModel):
    """An activity of a group's day, or a caregiver's short note (活动 / 留言).

    Without children it is the whole group's: every family of the group sees it. Tagged to
    children, only those children's guardians see it.
    """

    term = models.ForeignKey(
        "programs.Term", verbose_name=_("term"), on_delete=models.CASCADE, related_name="+"
    )
    group = models.ForeignKey(
        "programs.Group",
        verbose_name=_("group"),
        on_delete=models.CASCADE,
        related_name="day_notes",
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=DayNoteKind.choices)
    time = models.TimeField(_("time"))
    text = models.CharField(_("text"), max_length=500)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    children = models.ManyToManyField(
        "enrolment.Enrolment",
        verbose_name=_("for these children only"),
        blank=True,
        related_name="day_notes",
    )

    class Meta:
        verbose_name = _("note of the day")
        verbose_name_plural = _("notes of the day")
        ordering = ["date", "time", "pk"]
        indexes = [models.Index(fields=["group", "date"], name="care_daynote_group_day")]

    def __str__(self) -> str:
        return f"{self.date} {self.time:%H:%M} {self.text[:30]}"


class ChildDay(models.Model):
    """The version of one child's day on the live view, bumped by every event of the day
    except check-in and check-out (their Attendance row's `updated_at` stamps them); also
    where the day's summary is marked sent, once."""

    enrolment = models.ForeignKey(
        "enrolment.Enrolment",
        verbose_name=_("enrolment"),
        on_delete=models.CASCADE,
        related_name="care_days",
    )
    date = models.DateField(_("date"))
    version = models.PositiveIntegerField(_("version"), default=0)
    changed_at = models.DateTimeField(_("changed at"))
    summary_sent_at = models.DateTimeField(_("summary sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("child's day")
        verbose_name_plural = _("children's days")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "date"], name="care_childday_once")
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id} {self.date} v{self.version}"
