"""Needs surveys (需求调研): what families of a union's subtree need before classes open."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tuoguan.audit.mixins import AuditedModel
from tuoguan.core.models import TimeStampedModel


class NeedsSurvey(AuditedModel, TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", pgettext_lazy("survey", "Open")
        CLOSED = "closed", pgettext_lazy("survey", "Closed")

    org = models.ForeignKey(
        "orgs.Org", verbose_name=_("union"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    intro = models.TextField(_("introduction"), blank=True)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        "accounts.User", verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("needs survey")
        verbose_name_plural = _("needs surveys")
        ordering = ["-opens_at"]

    def __str__(self) -> str:
        return self.title

    def audit_org_path(self) -> str:
        return self.org.path


class SurveyResponse(AuditedModel, TimeStampedModel):
    """One family's answer; editable until the survey closes."""

    class Payment(models.TextChoices):
        YES = "yes", _("Yes")
        NO = "no", _("No")
        UNSURE = "unsure", _("Not sure")

    survey = models.ForeignKey(
        NeedsSurvey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="responses"
    )
    worker = models.ForeignKey(
        "accounts.Worker", verbose_name=_("worker"), on_delete=models.CASCADE, related_name="+"
    )
    # The employer at the time of answering: totals per unit stay stable if they move.
    employer = models.ForeignKey(
        "orgs.Org", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    # [{"age": 8, "grade": 2}, …] — ages and grades only, no names (minimum collection).
    children = models.JSONField(_("children (age and grade)"), default=list)
    wanted_types = models.JSONField(_("wanted types of care"), default=list)
    wanted_period = models.CharField(_("wanted period"), max_length=60, blank=True)
    hours = models.CharField(_("hours needed"), max_length=60, blank=True)
    pay_living_costs = models.CharField(
        _("willing to pay living costs"), max_length=10, choices=Payment.choices
    )
    special_needs = models.TextField(_("special needs"), blank=True)

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [
            models.UniqueConstraint(fields=["survey", "worker"], name="one_answer_per_family"),
        ]

    def __str__(self) -> str:
        return f"{self.survey} · {self.worker}"

    def audit_org_path(self) -> str:
        return self.employer.path
