"""China's work calendar as data (DOMAIN.md §2 "Work calendar").

Seeded lazily from the `holidays` package for the years it knows; a union admin corrects a
day or confirms a year when the State Council publishes its arrangement.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from tuoguan.audit.mixins import AuditedModel
from tuoguan.core.models import TimeStampedModel


class CalendarSource(models.TextChoices):
    PACKAGE = "package", _("Seeded from the holidays package")
    MANUAL = "manual", _("Entered by an administrator")


class CalendarYear(AuditedModel, TimeStampedModel):
    """Whether a year's holiday arrangement (放假安排) is known, and where it came from."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    # Announced = the adjusted working days (调休) are known, not just the holidays.
    announced = models.BooleanField(_("arrangement announced"), default=False)
    source = models.CharField(
        _("source"), max_length=10, choices=CalendarSource.choices, default=CalendarSource.PACKAGE
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)

    def audit_org_path(self) -> str:
        # The calendar is national: only the national union's admins read its log.
        return ""


class CalendarDay(AuditedModel, TimeStampedModel):
    """A day that differs from the plain week: a statutory holiday or an adjusted workday."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Holiday")
        ADJUSTED_WORKDAY = "adjusted_workday", _("Adjusted working day")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=120, blank=True)
    source = models.CharField(
        _("source"), max_length=10, choices=CalendarSource.choices, default=CalendarSource.PACKAGE
    )

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"

    def audit_org_path(self) -> str:
        return ""
