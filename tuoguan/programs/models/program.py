"""Classes (托管班), the places they run in (场地) and their photos."""

import datetime
import posixpath
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tuoguan.audit.mixins import AuditedModel
from tuoguan.core.models import TimeStampedModel
from tuoguan.orgs.models import phone_validator


class ProgramType(models.TextChoices):
    HOLIDAY = "holiday", _("Holiday class")
    AFTER_SCHOOL = "after_school", _("After-school class")
    TODDLER = "toddler", _("Toddler care (0–3)")
    ONLINE = "online", _("Online class")


class TargetGroup(models.TextChoices):
    DUAL_WORKER = "dual_worker", _("Dual-worker families")
    MEDICAL = "medical", _("Medical staff")
    POLICE = "police", _("Police")
    MIGRANT = "migrant", _("Migrant workers")
    NEW_FORM = "new_form", _("New-form workers")
    HARDSHIP = "hardship", _("Workers in hardship")
    THREE_CHILD = "three_child", _("Three-child families")
    ALL_MEMBERS = "all_members", _("All members")


class Operator(models.TextChoices):
    SELF_RUN = "self_run", _("Self-run")
    PURCHASED = "purchased", _("Services bought from a provider")


class FeePolicy(models.TextChoices):
    FREE = "free", _("Free")
    LIVING_COSTS = "living_costs", _("Living costs only")
    FEE = "fee", _("Fee")


def validate_target_groups(value: Any) -> None:
    """A JSON list of TargetGroup values: works the same on SQLite and PostgreSQL."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError(_("Choose target groups from the list."))
    unknown = sorted(set(value) - set(TargetGroup.values))
    if unknown:
        raise ValidationError(
            _("Unknown target group: %(value)s."), params={"value": ", ".join(unknown)}
        )
    if len(set(value)) != len(value):
        raise ValidationError(_("A target group is listed twice."))


class Program(AuditedModel, TimeStampedModel):
    """A childcare class as run by a host union (托管班)."""

    host = models.ForeignKey(
        "orgs.Org", verbose_name=_("host union"), on_delete=models.PROTECT, related_name="programs"
    )
    name = models.CharField(_("name"), max_length=120)
    type = models.CharField(_("type"), max_length=20, choices=ProgramType.choices)
    theme = models.CharField(_("theme"), max_length=120, blank=True)
    featured_content = models.TextField(_("featured content"), blank=True)
    target_groups = models.JSONField(
        _("target groups"), default=list, blank=True, validators=[validate_target_groups]
    )
    operator = models.CharField(
        _("operated by"), max_length=20, choices=Operator.choices, default=Operator.SELF_RUN
    )
    provider_name = models.CharField(_("provider"), max_length=120, blank=True)
    provider_licence = models.CharField(_("provider licence number"), max_length=60, blank=True)
    contract_start = models.DateField(_("contract start"), null=True, blank=True)
    contract_end = models.DateField(_("contract end"), null=True, blank=True)
    fee_policy = models.CharField(
        _("fee policy"), max_length=20, choices=FeePolicy.choices, default=FeePolicy.FREE
    )
    fee_amount = models.DecimalField(
        _("amount (yuan)"),
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    contact_name = models.CharField(_("contact person"), max_length=60, blank=True)
    contact_phone = models.CharField(
        _("contact phone"), max_length=20, blank=True, validators=[phone_validator]
    )
    description = models.TextField(_("description"), blank=True)
    # Guardians acknowledge it when they enrol (enrolment issue), when there is one.
    risk_notice = models.TextField(_("risk notice"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("class")
        verbose_name_plural = _("classes")
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["type"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(fee_amount__isnull=True) | Q(fee_amount__gte=0),
                name="program_fee_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def audit_org_path(self) -> str:
        return str(self.host.path)

    @property
    def is_toddler(self) -> bool:
        return bool(self.type == ProgramType.TODDLER)

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.operator == Operator.PURCHASED:
            if not self.provider_name:
                errors["provider_name"] = _("Name the provider the services are bought from.")
            if (
                self.contract_start
                and self.contract_end
                and self.contract_end < self.contract_start
            ):
                errors["contract_end"] = _("The contract cannot end before it starts.")
        if self.fee_policy != FeePolicy.FREE and self.fee_amount is None:
            errors["fee_amount"] = _("Give the amount families pay.")
        if errors:
            raise ValidationError(errors)


class Venue(AuditedModel, TimeStampedModel):
    """A place where classes run (场地); one venue can serve several classes."""

    owner = models.ForeignKey(
        "orgs.Org", verbose_name=_("owner union"), on_delete=models.PROTECT, related_name="venues"
    )
    name = models.CharField(_("name"), max_length=120)
    address = models.CharField(_("address"), max_length=200)
    indoor_area_m2 = models.DecimalField(
        _("indoor area (m²)"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    outdoor_area_m2 = models.DecimalField(
        _("outdoor area (m²)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    fire_exits = models.PositiveSmallIntegerField(_("fire exits"), default=0)
    facilities = models.TextField(_("facilities"), blank=True)
    fire_cert_number = models.CharField(_("fire safety certificate"), max_length=60, blank=True)
    fire_cert_expires = models.DateField(_("fire certificate expires"), null=True, blank=True)
    building_cert_number = models.CharField(
        _("building safety certificate"), max_length=60, blank=True
    )
    building_cert_expires = models.DateField(
        _("building certificate expires"), null=True, blank=True
    )
    food_cert_number = models.CharField(_("food safety certificate"), max_length=60, blank=True)
    food_cert_expires = models.DateField(_("food certificate expires"), null=True, blank=True)

    CERTIFICATES = ("fire", "building", "food")

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(indoor_area_m2__gt=0), name="venue_indoor_positive"),
            models.CheckConstraint(
                condition=Q(outdoor_area_m2__gte=0), name="venue_outdoor_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def audit_org_path(self) -> str:
        return str(self.owner.path)

    def certificate(self, kind: str) -> tuple[str, datetime.date | None]:
        """(number, expiry) of the fire, building or food certificate."""
        return getattr(self, f"{kind}_cert_number"), getattr(self, f"{kind}_cert_expires")


def photo_upload_to(instance: Any, filename: str) -> str:
    # The service already chose a random name; the folder only keeps storage tidy.
    return f"photos/{instance._meta.model_name}/{filename}"


class PhotoBase(AuditedModel, TimeStampedModel):
    image = models.ImageField(_("photo"), upload_to=photo_upload_to)
    caption = models.CharField(_("caption"), max_length=120, blank=True)
    uploaded_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        # The file's own name, not its storage folder ("photos/venuephoto/…"): readers see it.
        return self.caption or posixpath.basename(self.image.name)


class ProgramPhoto(PhotoBase):
    """A photo of a class; re-encoded on upload so no EXIF/GPS data is kept."""

    program = models.ForeignKey(
        Program, verbose_name=_("class"), on_delete=models.CASCADE, related_name="photos"
    )

    class Meta:
        verbose_name = _("class photo")
        verbose_name_plural = _("class photos")
        ordering = ["pk"]

    def audit_org_path(self) -> str:
        return self.program.audit_org_path()


class VenuePhoto(PhotoBase):
    """A photo of a venue; re-encoded on upload so no EXIF/GPS data is kept."""

    venue = models.ForeignKey(
        Venue, verbose_name=_("venue"), on_delete=models.CASCADE, related_name="photos"
    )

    class Meta:
        verbose_name = _("venue photo")
        verbose_name_plural = _("venue photos")
        ordering = ["pk"]

    def audit_org_path(self) -> str:
        return self.venue.audit_org_path()
