"""Staff on duty (在岗) and the breaches of a group's carer ratio, with their duration."""

import datetime

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuoguan.audit.mixins import AuditedModel


class DutyShift(AuditedModel, models.Model):
    """A rostered person clocked in to a group, until they clock out."""

    staff = models.ForeignKey(
        "programs.TermStaff",
        verbose_name=_("staff member"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    group = models.ForeignKey(
        "programs.Group", verbose_name=_("group"), on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField(_("date"))
    started_at = models.DateTimeField(_("clocked in at"))
    ended_at = models.DateTimeField(_("clocked out at"), null=True, blank=True)

    class Meta:
        verbose_name = _("shift on duty")
        verbose_name_plural = _("shifts on duty")
        ordering = ["started_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["staff"], condition=Q(ended_at__isnull=True), name="one_open_shift"
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("started_at")),
                name="shift_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["group", "date"])]

    def __str__(self) -> str:
        return f"{self.staff} · {self.group} · {self.date}"

    def audit_org_path(self) -> str:
        return self.group.audit_org_path()


class RatioBreach(AuditedModel, models.Model):
    """A time when a group had more children present than its carers may look after."""

    group = models.ForeignKey(
        "programs.Group", verbose_name=_("group"), on_delete=models.CASCADE, related_name="+"
    )
    term = models.ForeignKey(
        "programs.Term", verbose_name=_("term"), on_delete=models.CASCADE, related_name="+"
    )
    date = models.DateField(_("date"))
    started_at = models.DateTimeField(_("from"))
    ended_at = models.DateTimeField(_("until"), null=True, blank=True)
    children = models.PositiveSmallIntegerField(_("most children present"))
    carers = models.PositiveSmallIntegerField(_("carers on duty"))
    children_per_carer = models.DecimalField(
        _("children per carer allowed"), max_digits=5, decimal_places=2
    )

    class Meta:
        verbose_name = _("ratio breach")
        verbose_name_plural = _("ratio breaches")
        ordering = ["-started_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["group"], condition=Q(ended_at__isnull=True), name="one_open_breach"
            ),
        ]
        indexes = [models.Index(fields=["term", "date"])]

    def __str__(self) -> str:
        return f"{self.group} · {self.started_at}"

    def audit_org_path(self) -> str:
        return self.term.audit_org_path()

    def duration(self, now: datetime.datetime | None = None) -> datetime.timedelta:
        return (self.ended_at or now or timezone.now()) - self.started_at

    @property
    def minutes(self) -> int:
        return int(self.duration().total_seconds() // 60)
