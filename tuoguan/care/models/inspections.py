"""Daily safety inspection (每日巡检): the checklist a union sets (inherited down its tree), the
day's inspection of a term with a result per item, and the follow-up a failed item opens."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tuoguan.audit.mixins import AuditedModel
from tuoguan.core.models import TimeStampedModel


class ChecklistItem(AuditedModel, TimeStampedModel):
    """One item of a union's daily checklist; the nearest union with items sets the list."""

    org = models.ForeignKey(
        "orgs.Org", verbose_name=_("union"), on_delete=models.CASCADE, related_name="+"
    )
    code = models.SlugField(_("code"), max_length=40)
    label = models.CharField(_("item"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["org", "code"], name="one_checklist_code_per_union")
        ]

    def __str__(self) -> str:
        return self.label

    def audit_org_path(self) -> str:
        return self.org.path


class SafetyInspection(AuditedModel, TimeStampedModel):
    """A term's inspection of one care day; submitted means completed."""

    term = models.ForeignKey(
        "programs.Term",
        verbose_name=_("term"),
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    province = models.ForeignKey(
        "orgs.Org",
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    date = models.DateField(_("care day"))
    note = models.TextField(_("note"), max_length=2000, blank=True)
    inspected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inspected by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    completed_at = models.DateTimeField(_("completed at"))

    class Meta:
        verbose_name = _("safety inspection")
        verbose_name_plural = _("safety inspections")
        ordering = ["-date", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["term", "date"], name="one_inspection_per_care_day")
        ]

    def __str__(self) -> str:
        return f"{self.term.name} · {self.date.isoformat()}"

    def audit_org_path(self) -> str:
        return self.term.audit_org_path()


class InspectionResult(AuditedModel, TimeStampedModel):
    """One item of the day's inspection: passed, or failed with a photo."""

    inspection = models.ForeignKey(
        SafetyInspection,
        verbose_name=_("safety inspection"),
        on_delete=models.CASCADE,
        related_name="results",
    )
    code = models.SlugField(_("code"), max_length=40)
    label = models.CharField(_("item"), max_length=200)
    passed = models.BooleanField(_("passed"))
    photo = models.ImageField(_("photo"), upload_to="inspections/%Y/%m/", blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("inspection result")
        verbose_name_plural = _("inspection results")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "code"], name="one_result_per_item_and_inspection"
            )
        ]

    def __str__(self) -> str:
        return f"{self.label} · {'✓' if self.passed else '✗'}"

    def audit_org_path(self) -> str:
        return self.inspection.audit_org_path()


class InspectionFollowUp(AuditedModel, TimeStampedModel):
    """What a failed item asks: an owner, a deadline, closed with evidence."""

    result = models.OneToOneField(
        InspectionResult,
        verbose_name=_("failed item"),
        on_delete=models.CASCADE,
        related_name="follow_up",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    deadline = models.DateField(_("deadline"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    evidence_note = models.TextField(_("what was done"), max_length=2000, blank=True)
    evidence_photo = models.ImageField(
        _("evidence photo"), upload_to="inspections/%Y/%m/", blank=True
    )
    # Overdue alerts go once: stamped when sent.
    overdue_alerted_at = models.DateTimeField(_("overdue alert sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("inspection follow-up")
        verbose_name_plural = _("inspection follow-ups")
        ordering = ["deadline", "pk"]
        indexes = [models.Index(fields=["closed_at", "deadline"])]

    def __str__(self) -> str:
        return f"{self.result.label} · {self.deadline.isoformat()}"

    def audit_org_path(self) -> str:
        return self.result.audit_org_path()

    @property
    def is_open(self) -> bool:
        return self.closed_at is None
