"""Construction standards (建设标准), their criteria (标准项) and the evidence behind them."""

import posixpath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from tuoguan.audit.mixins import AuditedModel
from tuoguan.core.models import TimeStampedModel

from .program import ProgramType

# What the morning health check (晨检) asks about, beside the temperature (DOMAIN.md §5). The
# standard names the symptoms every class it judges must ask; a class may ask more.
HEALTH_SYMPTOMS = {
    "fever": _("fever"),
    "cough": _("cough"),
    "rash": _("rash"),
    "diarrhoea": _("diarrhoea"),
    "eye": _("red or sticky eyes"),
    "mouth_hand_sores": _("sores on mouth or hands"),
}


def all_health_symptoms() -> list[str]:
    return list(HEALTH_SYMPTOMS)


def validate_health_symptoms(value: Any) -> None:
    if not isinstance(value, list) or not all(v in HEALTH_SYMPTOMS for v in value):
        raise ValidationError(_("Choose symptoms from the list."))


class Standard(AuditedModel, TimeStampedModel):
    """One version of a union's construction standard. Published versions never change."""

    org = models.ForeignKey(
        "orgs.Org", verbose_name=_("union"), on_delete=models.PROTECT, related_name="standards"
    )
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    effective_from = models.DateField(_("in force from"))
    published = models.BooleanField(_("published"), default=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    health_symptoms = models.JSONField(
        _("symptoms the morning health check asks"),
        default=all_health_symptoms,
        blank=True,
        validators=[validate_health_symptoms],
    )

    class Meta:
        verbose_name = _("construction standard")
        verbose_name_plural = _("construction standards")
        ordering = ["org__path", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["org", "version"], name="unique_standard_version"),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"

    def audit_org_path(self) -> str:
        return str(self.org.path)

    def health_symptom_labels(self) -> list[str]:
        return [str(HEALTH_SYMPTOMS[c]) for c in HEALTH_SYMPTOMS if c in self.health_symptoms]


class Area(models.TextChoices):
    VENUE_FACILITIES = "venue_facilities", _("Venue and facilities")
    FIRE_SAFETY = "fire_safety", _("Fire safety")
    FOOD_SAFETY = "food_safety", _("Food safety")
    EPIDEMIC = "epidemic", _("Epidemic prevention")
    LIFE_SAFETY = "life_safety", _("Life safety")
    STAFFING = "staffing", _("Staffing")
    AGREEMENTS_INSURANCE = "agreements_insurance", _("Agreements and insurance")
    PROCEDURES = "procedures", _("Required procedures")
    SIZE_DURATION = "size_duration", _("Size and duration")


class Metric(models.TextChoices):
    AREA_PER_CHILD = "area_per_child", _("Indoor area per child (m²)")
    VENUE_AREA = "venue_area", _("Indoor area of the venue (m²)")
    CARER_RATIO = "carer_ratio", _("Children per carer")
    MIN_CHILDREN = "min_children", _("Number of children")
    MIN_DAYS = "min_days", _("Number of care days")
    ATTENDANCE_RATE = "attendance_rate", _("Attendance rate (%)")
    AGREEMENTS_INSURANCE = "agreements_insurance", _("Children with agreement and insurance (%)")
    CERTIFICATES_VALID = "certificates_valid", _("Safety certificates valid")
    FIRE_EXITS = "fire_exits", _("Fire exits")
    # Judged by the supervision app's provider (no rectification order past its deadline).
    RECTIFICATIONS = "rectifications", _("Rectification orders past their deadline")
    # Judged by daily care's providers (incidents and drills).
    SERIOUS_INCIDENTS = "serious_incidents", _("Serious or critical incidents")
    FIRE_DRILL = "fire_drill", _("Fire drill held by the fifth care day")
    # Judged by daily care's meals (留样 and suppliers' licences).
    FOOD_SAMPLES = "food_samples", _("Food samples kept for every dish")
    SUPPLIER_LICENCES = "supplier_licences", _("Suppliers' food-business licences in date")
    DAILY_INSPECTION = "daily_inspection", _("Care days with a completed daily inspection (%)")


class CriterionKind(models.TextChoices):
    COMPUTED = "computed", _("Computed from data")
    EVIDENCE = "evidence", _("Evidence reviewed")


def validate_program_types(value: Any) -> None:
    if not isinstance(value, list) or not all(v in ProgramType.values for v in value):
        raise ValidationError(_("Choose class types from the list."))


# The venue certificates a criterion may name (its `param`).
CERTIFICATE_LABELS = {
    "fire": _("fire safety certificate"),
    "building": _("building safety certificate"),
    "food": _("food safety certificate"),
}


class Criterion(AuditedModel, TimeStampedModel):
    """One item of a standard (标准项): computed from data, or judged on evidence."""

    standard = models.ForeignKey(
        Standard, verbose_name=_("standard"), on_delete=models.CASCADE, related_name="criteria"
    )
    area = models.CharField(_("area"), max_length=30, choices=Area.choices)
    code = models.SlugField(_("code"), max_length=60)
    label = models.CharField(_("criterion"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=CriterionKind.choices)
    metric = models.CharField(_("metric"), max_length=30, choices=Metric.choices, blank=True)
    # Extra argument of a metric, e.g. which certificate ("fire") certificates_valid checks.
    param = models.CharField(_("metric parameter"), max_length=30, blank=True)
    threshold = models.DecimalField(
        _("threshold"),
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    # Empty list: applies to every type of class.
    applies_to = models.JSONField(
        _("applies to class types"), default=list, blank=True, validators=[validate_program_types]
    )
    is_veto = models.BooleanField(_("veto (一票否决)"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["standard", "code"], name="unique_criterion_code"),
        ]

    def __str__(self) -> str:
        return self.label

    def audit_org_path(self) -> str:
        return self.standard.audit_org_path()

    def applies_to_type(self, program_type: str) -> bool:
        return not self.applies_to or program_type in self.applies_to

    def get_applies_to_display(self) -> str:
        """The class types in words ("假期托管、课后托管"); empty when it applies to every type."""
        labels = dict(ProgramType.choices)
        return pgettext("list separator", ", ").join(
            str(labels.get(code, code)) for code in self.applies_to
        )

    def get_param_display(self) -> str:
        """The metric's parameter in words: which certificate ("fire" → "消防安全检查合格证")."""
        return str(CERTIFICATE_LABELS.get(self.param, self.param))

    def clean(self) -> None:
        if self.kind == CriterionKind.COMPUTED and not self.metric:
            raise ValidationError({"metric": _("Say what a computed criterion measures.")})
        if self.kind == CriterionKind.EVIDENCE and self.metric:
            raise ValidationError({"metric": _("An evidence criterion has no metric.")})


def evidence_upload_to(instance: Any, filename: str) -> str:
    # The service already chose a random name; the term folder keeps storage tidy.
    return f"evidence/{instance.term_id}/{filename}"


class Evidence(AuditedModel, TimeStampedModel):
    """A document or photo a class uploads for an evidence criterion, and its review."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting review")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    term = models.ForeignKey(
        "programs.Term", verbose_name=_("term"), on_delete=models.CASCADE, related_name="evidence"
    )
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.PROTECT, related_name="evidence"
    )
    file = models.FileField(_("file"), upload_to=evidence_upload_to)
    content_type = models.CharField(_("file type"), max_length=40)
    size = models.PositiveIntegerField(_("size (bytes)"))
    note = models.TextField(_("note"), blank=True)
    uploaded_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    reviewer = models.ForeignKey(
        "accounts.User",
        verbose_name=_("reviewer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    review_comment = models.TextField(_("review comment"), blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(review_comment=""),
                name="evidence_rejection_has_comment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion} · {posixpath.basename(self.file.name)}"

    def audit_org_path(self) -> str:
        return self.term.audit_org_path()
