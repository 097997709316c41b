from typing import Any

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager

from tuoguan.audit.mixins import AuditedModel
from tuoguan.core.models import TimeStampedModel


class Level(models.IntegerChoices):
    NATIONAL = 0, _("National")
    PROVINCE = 1, _("Province")
    CITY = 2, _("City")
    COUNTY = 3, _("County / district")
    GRASSROOTS = 4, _("Grassroots")


class GrassrootsKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    GOVERNMENT = "government", _("Government organ")
    COURT_POLICE = "court_police", _("Court / police")
    HOSPITAL = "hospital", _("Hospital")
    SCHOOL = "school", _("School")
    COMMUNITY = "community", _("Community / street")
    INDUSTRIAL_PARK = "industrial_park", _("Industrial park")
    OFFICE_BUILDING = "office_building", _("Office building")
    SERVICE_CENTRE = "service_centre", _("Worker service centre")


region_code_validator = RegexValidator(
    r"^\d{6}$", _("A region code is the six-digit administrative division code.")
)
phone_validator = RegexValidator(
    r"^[0-9+\-() ]{5,20}$", _("Enter a valid telephone or mobile number.")
)


class Org(AuditedModel, TimeStampedModel, MP_Node):
    """A union at any level of the tree (工会): national, province, city, county, grassroots."""

    name = models.CharField(_("name"), max_length=120)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    kind = models.CharField(
        _("kind of grassroots unit"),
        max_length=20,
        choices=GrassrootsKind.choices,
        blank=True,
    )
    region_code = models.CharField(
        _("region code"), max_length=6, validators=[region_code_validator]
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=60, blank=True)
    contact_phone = models.CharField(
        _("contact phone"), max_length=20, blank=True, validators=[phone_validator]
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = MP_NodeManager()  # type: ignore[django-manager-missing]

    class Meta:
        verbose_name = _("union")
        verbose_name_plural = _("unions")
        indexes = [models.Index(fields=["level", "region_code"])]

    def __str__(self) -> str:
        return self.short_name or self.name

    def audit_org_path(self) -> str:
        return self.path

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.level == Level.GRASSROOTS and not self.kind:
            raise ValidationError({"kind": _("Say what kind of unit a grassroots union is.")})
        if self.level != Level.GRASSROOTS and self.kind:
            raise ValidationError({"kind": _("Only grassroots unions have a kind of unit.")})

    def province_path(self) -> str:
        """Path prefix of the province this org lies in ('' for the national union)."""
        return self.path[: self.steplen * 2] if self.depth >= 2 else ""


class Role(models.TextChoices):
    UNION_ADMIN = "union_admin", _("Union administrator")
    INSPECTOR = "inspector", _("Inspector")
    REVIEWER = "reviewer", _("Reviewer")
    PROGRAM_MANAGER = "program_manager", _("Class manager")
    CAREGIVER = "caregiver", _("Caregiver")
    VOLUNTEER = "volunteer", _("Volunteer")


_ROLE_LABELS: dict[str, Any] = dict(Role.choices)


class Membership(AuditedModel, TimeStampedModel):
    """A user's role at an org; it covers that org's whole subtree."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    org = models.ForeignKey(
        Org, verbose_name=_("union"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "org", "role"], name="unique_membership"),
        ]

    def __str__(self) -> str:
        # get_role_display() builds the choices' mapping anew on each call, and every API
        # request names its membership for the audit log (audit.middleware.context_fields).
        return f"{_ROLE_LABELS.get(self.role, self.role)} · {self.org}"

    def audit_org_path(self) -> str:
        return self.org.path

    def covers(self, org: Any) -> bool:
        return bool(org.path.startswith(self.org.path))
