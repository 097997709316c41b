"""The morning (and, for 托育, midday) health check (晨午检) and the epidemic flag."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tuoguan.audit.mixins import AuditedModel
from tuoguan.core.models import TimeStampedModel
from tuoguan.programs.models import HEALTH_SYMPTOMS

# The symptom checklist: the class's standard names what every class asks (HEALTH_SYMPTOMS);
# CarePolicy.symptoms adds what this class asks besides.
SYMPTOMS = HEALTH_SYMPTOMS
# 一摸二看三问四查: the four steps of a 托育 morning check.
TODDLER_STEPS = {
    "touch": _("1 touch: forehead and neck for fever, lymph nodes"),
    "look": _("2 look: face, skin, throat, eyes and spirits"),
    "ask": _("3 ask: sleep, meals, bowel movements at home"),
    "check": _("4 check: pockets for dangerous objects, signs of illness"),
}


class HealthRound(models.TextChoices):
    MORNING = "morning", _("morning check")
    MIDDAY = "midday", _("midday check")


class HealthCheck(AuditedModel, TimeStampedModel):
    """One child's health check at arrival (晨检) or at midday (午检, 托育 groups)."""

    enrolment = models.ForeignKey(
        "enrolment.Enrolment",
        verbose_name=_("enrolment"),
        on_delete=models.CASCADE,
        related_name="health_checks",
    )
    term = models.ForeignKey(
        "programs.Term", verbose_name=_("term"), on_delete=models.PROTECT, related_name="+"
    )
    group = models.ForeignKey(
        "programs.Group",
        verbose_name=_("group"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    child = models.ForeignKey(
        "accounts.Child", verbose_name=_("child"), on_delete=models.CASCADE, related_name="+"
    )
    date = models.DateField(_("date"))
    round = models.CharField(_("check"), max_length=10, choices=HealthRound.choices)
    temperature = models.DecimalField(
        _("temperature (°C)"),
        max_digits=3,
        decimal_places=1,
        validators=[MinValueValidator(34), MaxValueValidator(43)],
    )
    symptoms = models.JSONField(_("symptoms"), default=list, blank=True)
    steps = models.JSONField(_("steps done"), default=list, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    flagged = models.BooleanField(_("flagged"), default=False)
    recorded_by = models.ForeignKey(
        "accounts.User", verbose_name=_("checked by"), on_delete=models.PROTECT, related_name="+"
    )
    override_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("admitted despite the flag by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    override_reason = models.CharField(_("reason for admitting"), max_length=300, blank=True)
    override_at = models.DateTimeField(_("admitted at"), null=True, blank=True)

    audit_secret_fields = frozenset({"temperature", "symptoms", "note"})

    class Meta:
        verbose_name = _("health check")
        verbose_name_plural = _("health checks")
        ordering = ["date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "date", "round"], name="one_health_check_per_round"
            ),
        ]
        indexes = [models.Index(fields=["group", "date"])]

    def __str__(self) -> str:
        return f"{self.child} · {self.date} · {self.get_round_display()}"

    def audit_org_path(self) -> str:
        return self.term.audit_org_path()

    @property
    def blocks_check_in(self) -> bool:
        return self.flagged and self.override_at is None

    def symptom_labels(self) -> list[str]:
        return [str(SYMPTOMS.get(code, code)) for code in self.symptoms]


class EpidemicFlag(AuditedModel, models.Model):
    """N children of a group showed the same symptom within a window: raised once."""

    group = models.ForeignKey(
        "programs.Group", verbose_name=_("group"), on_delete=models.CASCADE, related_name="+"
    )
    term = models.ForeignKey(
        "programs.Term", verbose_name=_("term"), on_delete=models.CASCADE, related_name="+"
    )
    symptom = models.CharField(_("symptom"), max_length=30)
    date = models.DateField(_("raised on"))
    children = models.PositiveSmallIntegerField(_("children"))
    window_days = models.PositiveSmallIntegerField(_("within days"))
    raised_at = models.DateTimeField(_("raised at"), auto_now_add=True)

    class Meta:
        verbose_name = _("epidemic flag")
        verbose_name_plural = _("epidemic flags")
        ordering = ["-date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "symptom", "date"], name="one_epidemic_flag_per_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group} · {self.symptom} · {self.date}"

    def audit_org_path(self) -> str:
        return self.term.audit_org_path()

    def get_symptom_display(self) -> str:
        return str(SYMPTOMS.get(self.symptom, self.symptom))
