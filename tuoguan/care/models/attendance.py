"""Check-in and check-out at the door (接送出勤), absences, pickups of one day, kiosks, alerts."""

import datetime
import hashlib
from decimal import Decimal
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuoguan.audit.mixins import AuditedModel
from tuoguan.core.models import TimeStampedModel
from tuoguan.enrolment.models import EnrolmentStatus

# Enrolments that hold a seat: on the roster (only confirmed ones are checked in).
ON_ROSTER = (EnrolmentStatus.ADMITTED, EnrolmentStatus.CONFIRMED)


def default_symptoms() -> list[str]:
    """Migration 0001's default (every symptom); the field's default is now an empty list."""
    from .health import SYMPTOMS

    return list(SYMPTOMS)


class CarePolicy(AuditedModel, TimeStampedModel):
    """How a class runs its day at the door: when alerts go out, what the health check asks."""

    program = models.OneToOneField(
        "programs.Program",
        verbose_name=_("class"),
        on_delete=models.CASCADE,
        related_name="care_policy",
    )
    absent_alert_minutes = models.PositiveSmallIntegerField(
        _("minutes after the start of the day before parents of children not yet here are told"),
        default=60,
        validators=[MaxValueValidator(600)],
    )
    late_pickup_minutes = models.PositiveSmallIntegerField(
        _("minutes after closing before a child still here is reported"),
        default=15,
        validators=[MaxValueValidator(600)],
    )
    fever_from = models.DecimalField(
        _("fever from (°C)"),
        max_digits=3,
        decimal_places=1,
        default=Decimal("37.3"),
        validators=[MinValueValidator(Decimal("36.5")), MaxValueValidator(Decimal("39.0"))],
    )
    # Asked besides those of the class's standard (Standard.health_symptoms).
    symptoms = models.JSONField(_("symptoms also asked"), default=list, blank=True)
    epidemic_children = models.PositiveSmallIntegerField(
        _("children with the same symptom that raise an epidemic flag"),
        default=3,
        validators=[MinValueValidator(2), MaxValueValidator(50)],
    )
    epidemic_days = models.PositiveSmallIntegerField(
        _("within this many days"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )
    # Photos of the group's day that tag no child: families of the group see them only if set.
    families_see_group_photos = models.BooleanField(
        _("families may see group photos that tag no child"), default=False
    )

    class Meta:
        verbose_name = _("daily care rules")
        verbose_name_plural = _("daily care rules")

    def __str__(self) -> str:
        return str(self.program)

    def audit_org_path(self) -> str:
        return self.program.audit_org_path()


class CheckInMethod(models.TextChoices):
    TAP = "tap", _("tapped by a caregiver")
    QR = "qr", _("QR code scanned by a caregiver")
    KIOSK = "kiosk", _("QR code scanned at the kiosk")


class CheckOutMethod(models.TextChoices):
    LISTED = "listed", _("listed pickup person")
    TEMPORARY = "temporary", _("pickup person for the day")
    CODE = "code", _("one-time pickup code")
    CORRECTION = "correction", _("entered afterwards")


class Attendance(AuditedModel, TimeStampedModel):
    """A child's day at the class (出勤): checked in, and later checked out to someone."""

    # A family deleting its data (PIPL Art. 47) takes the child's days with it.
    enrolment = models.ForeignKey(
        "enrolment.Enrolment",
        verbose_name=_("enrolment"),
        on_delete=models.CASCADE,
        related_name="attendance",
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
    checked_in_at = models.DateTimeField(_("checked in at"))
    checked_in_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("checked in by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    check_in_method = models.CharField(
        _("checked in by way of"), max_length=10, choices=CheckInMethod.choices
    )
    kiosk = models.ForeignKey(
        "care.KioskDevice",
        verbose_name=_("kiosk"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    checked_out_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("checked out by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    check_out_method = models.CharField(
        _("checked out by way of"), max_length=10, choices=CheckOutMethod.choices, blank=True
    )
    pickup = models.ForeignKey(
        "enrolment.Pickup",
        verbose_name=_("collected by"),
        # Pickup persons are deactivated, never deleted, but with the child's own data.
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="+",
    )
    temporary_pickup = models.ForeignKey(
        "care.TemporaryPickup",
        verbose_name=_("collected by (for the day)"),
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="+",
    )
    corrected = models.BooleanField(_("corrected afterwards"), default=False)
    # DESIGN §3: high-volume rows carry their province so they can be distributed by it.
    province = models.ForeignKey(
        "orgs.Org",
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["date", "checked_in_at", "pk"]
        constraints = [
            # The last line against a double check-in: two taps, two kiosks, a retry.
            models.UniqueConstraint(fields=["child", "date"], name="one_check_in_per_child_day"),
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True)
                | Q(checked_out_at__gte=F("checked_in_at")),
                name="check_out_after_check_in",
            ),
        ]
        indexes = [
            models.Index(fields=["term", "date"]),
            models.Index(fields=["group", "date"]),
            models.Index(fields=["enrolment", "date"]),
        ]

    def __str__(self) -> str:
        return f"{self.child} · {self.date}"

    def audit_org_path(self) -> str:
        return self.term.audit_org_path()

    @property
    def is_in(self) -> bool:
        return self.checked_out_at is None

    def collected_by(self) -> str:
        if self.pickup_id:
            return f"{self.pickup.name}（{self.pickup.relation}）"  # type: ignore[union-attr]
        if self.temporary_pickup_id:
            person = self.temporary_pickup
            return f"{person.name}（{person.relation}）"  # type: ignore[union-attr]
        return ""


class AttendanceCorrection(AuditedModel, models.Model):
    """A time of an attendance changed afterwards (a forgotten sign-out, a wrong time), and why."""

    class Field(models.TextChoices):
        CHECKED_IN_AT = "checked_in_at", _("check-in time")
        CHECKED_OUT_AT = "checked_out_at", _("check-out time")

    attendance = models.ForeignKey(
        Attendance,
        verbose_name=_("attendance"),
        on_delete=models.CASCADE,
        related_name="corrections",
    )
    field = models.CharField(_("what changed"), max_length=20, choices=Field.choices)
    before = models.DateTimeField(_("before"), null=True, blank=True)
    after = models.DateTimeField(_("after"))
    reason = models.CharField(_("reason"), max_length=300)
    corrected_by = models.ForeignKey(
        "accounts.User", verbose_name=_("corrected by"), on_delete=models.PROTECT, related_name="+"
    )
    corrected_at = models.DateTimeField(_("corrected at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attendance correction")
        verbose_name_plural = _("attendance corrections")
        ordering = ["corrected_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="correction_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.attendance} · {self.get_field_display()}"

    def audit_org_path(self) -> str:
        return self.attendance.audit_org_path()


class AbsenceReason(models.TextChoices):
    SICK = "sick", _("sick")
    FAMILY = "family", _("family matters")
    OTHER = "other", _("other")


class Absence(AuditedModel, TimeStampedModel):
    """A day the parent said the child will not come (请假), and why."""

    enrolment = models.ForeignKey(
        "enrolment.Enrolment",
        verbose_name=_("enrolment"),
        on_delete=models.CASCADE,
        related_name="absences",
    )
    date = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=10, choices=AbsenceReason.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    reported_by = models.ForeignKey(
        "accounts.User", verbose_name=_("reported by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["date", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "date"], name="one_absence_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment} · {self.date}"

    def audit_org_path(self) -> str:
        return self.enrolment.audit_org_path()


class TemporaryPickup(AuditedModel, TimeStampedModel):
    """Someone the parent allows to collect the child on one day only (临时接送人)."""

    child = models.ForeignKey(
        "accounts.Child",
        verbose_name=_("child"),
        on_delete=models.CASCADE,
        related_name="temporary_pickups",
    )
    date = models.DateField(_("valid on"))
    name = models.CharField(_("name"), max_length=60)
    relation = models.CharField(_("relation to the child"), max_length=30)
    mobile = models.CharField(_("mobile number"), max_length=11)
    photo = models.ImageField(_("photo"), upload_to="pickups/day/%Y/", blank=True)
    created_by = models.ForeignKey(
        "accounts.User", verbose_name=_("added by"), on_delete=models.PROTECT, related_name="+"
    )

    audit_secret_fields = frozenset({"mobile"})

    class Meta:
        verbose_name = _("pickup person for one day")
        verbose_name_plural = _("pickup persons for one day")
        ordering = ["date", "pk"]
        indexes = [models.Index(fields=["child", "date"])]

    def __str__(self) -> str:
        return f"{self.name} · {self.date}"

    def audit_org_path(self) -> str:
        return self.child.audit_org_path()

    def valid_on(self, day: datetime.date) -> bool:
        """It expires at the end of its day: useless before and after."""
        return bool(self.date == day)


class PickupCode(AuditedModel, models.Model):
    """A one-time code the parent's phone shows to whoever collects the child today."""

    child = models.ForeignKey(
        "accounts.Child", verbose_name=_("child"), on_delete=models.CASCADE, related_name="+"
    )
    date = models.DateField(_("valid on"))
    code = models.CharField(_("code"), max_length=6)
    created_by = models.ForeignKey(
        "accounts.User", verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    audit_secret_fields = frozenset({"code"})

    class Meta:
        verbose_name = _("pickup code")
        verbose_name_plural = _("pickup codes")
        constraints = [
            models.UniqueConstraint(fields=["child", "date", "code"], name="unique_pickup_code"),
        ]

    def __str__(self) -> str:
        return f"{self.child} · {self.date}"

    def audit_org_path(self) -> str:
        return self.child.audit_org_path()


class CheckoutRefusal(AuditedModel, models.Model):
    """Someone not authorised came for the child and was refused (recorded, guardians told)."""

    attendance = models.ForeignKey(
        Attendance, verbose_name=_("attendance"), on_delete=models.CASCADE, related_name="refusals"
    )
    person_name = models.CharField(_("who came"), max_length=60)
    note = models.CharField(_("note"), max_length=300, blank=True)
    refused_by = models.ForeignKey(
        "accounts.User", verbose_name=_("refused by"), on_delete=models.PROTECT, related_name="+"
    )
    refused_at = models.DateTimeField(_("refused at"), auto_now_add=True)

    class Meta:
        verbose_name = _("refused pickup")
        verbose_name_plural = _("refused pickups")
        ordering = ["refused_at", "pk"]

    def __str__(self) -> str:
        return f"{self.attendance} · {self.person_name}"

    def audit_org_path(self) -> str:
        return self.attendance.audit_org_path()


class DayClose(AuditedModel, models.Model):
    """A group's day closed by its caregivers: every child accounted for."""

    group = models.ForeignKey(
        "programs.Group", verbose_name=_("group"), on_delete=models.CASCADE, related_name="+"
    )
    date = models.DateField(_("date"))
    closed_by = models.ForeignKey(
        "accounts.User", verbose_name=_("closed by"), on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("closed day")
        verbose_name_plural = _("closed days")
        constraints = [
            models.UniqueConstraint(fields=["group", "date"], name="one_close_per_group_day"),
        ]

    def __str__(self) -> str:
        return f"{self.group} · {self.date}"

    def audit_org_path(self) -> str:
        return self.group.audit_org_path()


class CareAlert(models.Model):
    """An alert that went out: its key is unique, so each fires exactly once."""

    class Kind(models.TextChoices):
        NOT_ARRIVED = "not_arrived", _("expected but not checked in")
        LATE_PICKUP = "late_pickup", _("still here after closing")
        EPIDEMIC = "epidemic", _("epidemic flag")
        RATIO = "ratio", _("staff ratio breached")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    key = models.CharField(_("key"), max_length=120)
    term = models.ForeignKey(
        "programs.Term", verbose_name=_("term"), on_delete=models.CASCADE, related_name="+"
    )
    date = models.DateField(_("date"))
    recipients = models.PositiveSmallIntegerField(_("people told"), default=0)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("care alert")
        verbose_name_plural = _("care alerts")
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="care_alert_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.key}"


class KioskDevice(AuditedModel, TimeStampedModel):
    """A shared tablet at an entrance, signed in with a token a class manager issued."""

    program = models.ForeignKey(
        "programs.Program", verbose_name=_("class"), on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(_("name"), max_length=60)
    token_hash = models.CharField(_("token digest"), max_length=64, unique=True, editable=False)
    issued_by = models.ForeignKey(
        "accounts.User", verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_seen_at = models.DateTimeField(_("last used"), null=True, blank=True)

    audit_secret_fields = frozenset({"token_hash"})
    audit_ignored_fields = frozenset({"updated_at", "last_seen_at"})

    class Meta:
        verbose_name = _("kiosk")
        verbose_name_plural = _("kiosks")
        ordering = ["-created_at", "pk"]

    def __str__(self) -> str:
        return self.name

    def audit_org_path(self) -> str:
        return self.program.audit_org_path()

    @staticmethod
    def hash_token(token: Any) -> str:
        return hashlib.sha256(str(token).encode()).hexdigest()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
