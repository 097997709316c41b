"""Terms (期), their care days, staff roster and groups (班组)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from tuoguan.audit.mixins import AuditedModel
from tuoguan.core.models import TimeStampedModel


class TermStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    ENROLLING = "enrolling", _("Enrolling")
    RUNNING = "running", _("Running")
    CLOSED = "closed", _("Closed")


class EnrolMode(models.TextChoices):
    FIRST_COME = "first_come", _("First come, first served")
    LOTTERY = "lottery", _("Lottery")


grade_validators = [MinValueValidator(1), MaxValueValidator(6)]
# Far above any class (Jiangmen drew 400 places); a typo's 10 digits stop here, not at the
# database's integer limit.
MAX_PLACES = 10_000
places_validators = [
    MinValueValidator(1),
    MaxValueValidator(MAX_PLACES, message=_("Places cannot exceed %(limit_value)s.")),
]


class Term(AuditedModel, TimeStampedModel):
    """A dated run of a class (期), with capacity, hours and enrolment window."""

    program = models.ForeignKey(
        "programs.Program", verbose_name=_("class"), on_delete=models.CASCADE, related_name="terms"
    )
    name = models.CharField(_("name"), max_length=120)
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    daily_start = models.TimeField(_("daily start"), default=datetime.time(8, 0))
    daily_end = models.TimeField(_("daily end"), default=datetime.time(18, 0))
    venue = models.ForeignKey(
        "programs.Venue",
        verbose_name=_("venue"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="terms",
    )
    age_min = models.PositiveSmallIntegerField(_("minimum age (years)"), null=True, blank=True)
    age_max = models.PositiveSmallIntegerField(_("maximum age (years)"), null=True, blank=True)
    grade_min = models.PositiveSmallIntegerField(
        _("lowest grade"), null=True, blank=True, validators=grade_validators
    )
    grade_max = models.PositiveSmallIntegerField(
        _("highest grade"), null=True, blank=True, validators=grade_validators
    )
    capacity = models.PositiveIntegerField(_("places"), validators=places_validators)
    # The enrolment issue fills these; they live here so it needs no schema change.
    enrol_opens_at = models.DateTimeField(_("enrolment opens"), null=True, blank=True)
    enrol_closes_at = models.DateTimeField(_("enrolment closes"), null=True, blank=True)
    enrol_mode = models.CharField(
        _("allocation"), max_length=20, choices=EnrolMode.choices, default=EnrolMode.FIRST_COME
    )
    status = models.CharField(
        _("status"), max_length=20, choices=TermStatus.choices, default=TermStatus.DRAFT
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    # The criteria that failed when the approver approved all the same, and why they did.
    approved_despite = models.JSONField(
        _("approved despite failing"), default=list, blank=True, editable=False
    )
    approval_note = models.TextField(_("approver's note"), blank=True)
    closing_summary = models.TextField(_("closing summary"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # DESIGN §3: high-volume rows carry their province so they can be distributed by it.
    province = models.ForeignKey(
        "orgs.Org",
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Null: judged by the standard in force on the first day; set by term_rejudge.
    judged_standard = models.ForeignKey(
        "programs.Standard",
        verbose_name=_("judged by standard"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        ordering = ["-start_date", "pk"]
        indexes = [models.Index(fields=["status", "start_date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="term_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(capacity__gt=0), name="term_capacity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.program} · {self.name}" if self.program_id else self.name

    def audit_org_path(self) -> str:
        return self.program.audit_org_path()

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The last day cannot be before the first day.")
        if self.daily_start and self.daily_end and self.daily_end <= self.daily_start:
            errors["daily_end"] = _("The day must end after it starts.")
        if self._range_reversed(self.age_min, self.age_max):
            errors["age_max"] = _("The maximum age is below the minimum age.")
        if self._range_reversed(self.grade_min, self.grade_max):
            errors["grade_max"] = _("The highest grade is below the lowest grade.")
        if (
            self.enrol_opens_at
            and self.enrol_closes_at
            and self.enrol_closes_at <= self.enrol_opens_at
        ):
            errors["enrol_closes_at"] = _("Enrolment must close after it opens.")
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def _range_reversed(low: int | None, high: int | None) -> bool:
        return low is not None and high is not None and high < low

    @property
    def is_closed(self) -> bool:
        return bool(self.status == TermStatus.CLOSED)

    def care_day_count(self) -> int:
        """Days the class runs; uses an annotation when the selector provided one."""
        annotated = getattr(self, "care_days_annotated", None)
        if annotated is not None:
            return int(annotated)
        return self.days.filter(is_care_day=True).count()

    def care_dates(self) -> list[datetime.date]:
        return list(self.days.filter(is_care_day=True).values_list("date", flat=True))

    def groups_capacity(self) -> int:
        return sum(group.capacity for group in self.groups.all())


class TermDay(AuditedModel, TimeStampedModel):
    """One date of a term and whether the class runs that day."""

    class Source(models.TextChoices):
        CALENDAR = "calendar", _("Work calendar")
        MANUAL_ADDED = "manual_added", _("Added by hand")
        MANUAL_REMOVED = "manual_removed", _("Removed by hand")

    term = models.ForeignKey(
        Term, verbose_name=_("term"), on_delete=models.CASCADE, related_name="days"
    )
    date = models.DateField(_("date"))
    is_care_day = models.BooleanField(_("care day"))
    source = models.CharField(
        _("source"), max_length=20, choices=Source.choices, default=Source.CALENDAR
    )

    class Meta:
        verbose_name = _("term day")
        verbose_name_plural = _("term days")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["term", "date"], name="unique_term_day"),
        ]

    def __str__(self) -> str:
        return str(self.date)

    def audit_org_path(self) -> str:
        return self.term.audit_org_path()

    @property
    def is_manual(self) -> bool:
        return bool(self.source != self.Source.CALENDAR)


class StaffRole(models.TextChoices):
    TUTOR = "tutor", _("Tutor")
    CAREGIVER = "caregiver", _("Caregiver")
    VOLUNTEER = "volunteer", _("Volunteer")
    MANAGER = "manager", _("Class manager")
    HEALTH_WORKER = "health_worker", _("Health worker")


# Roles that count as carers when the staff ratio is judged.
CARER_ROLES = frozenset({StaffRole.TUTOR, StaffRole.CAREGIVER})


class GroupKind(models.TextChoices):
    SCHOOL = "school", _("Pupils (by grade or age)")
    INFANT = "infant", _("Infant group (6–12 months)")
    TODDLER_SMALL = "toddler_small", _("Small toddler group (12–24 months)")
    TODDLER_BIG = "toddler_big", _("Big toddler group (24–36 months)")
    MIXED = "mixed", _("Mixed-age group (18 months +)")


@dataclass(frozen=True)
class GroupKindRule:
    max_size: int
    children_per_carer: int
    min_months: int
    max_months: int


# DOMAIN.md §3 (国卫人口发〔2019〕58号). Mixed groups take the stricter neighbour of
# 托小班/托大班, i.e. 1:5.
TODDLER_RULES: dict[str, GroupKindRule] = {
    GroupKind.INFANT: GroupKindRule(10, 3, 6, 12),
    GroupKind.TODDLER_SMALL: GroupKindRule(15, 5, 12, 24),
    GroupKind.TODDLER_BIG: GroupKindRule(20, 7, 24, 36),
    GroupKind.MIXED: GroupKindRule(18, 5, 18, 36),
}
# DOMAIN.md §2: at most 35 pupils per 托管 class with at least one tutor.
SCHOOL_DEFAULT_SIZE = 35


class Group(AuditedModel, TimeStampedModel):
    """A group of children in a term (班组), with its own capacity and carer ratio."""

    term = models.ForeignKey(
        Term, verbose_name=_("term"), on_delete=models.CASCADE, related_name="groups"
    )
    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(
        _("kind"), max_length=20, choices=GroupKind.choices, default=GroupKind.SCHOOL
    )
    min_age_months = models.PositiveSmallIntegerField(
        _("minimum age (months)"), null=True, blank=True
    )
    max_age_months = models.PositiveSmallIntegerField(
        _("maximum age (months)"), null=True, blank=True
    )
    grade_min = models.PositiveSmallIntegerField(
        _("lowest grade"), null=True, blank=True, validators=grade_validators
    )
    grade_max = models.PositiveSmallIntegerField(
        _("highest grade"), null=True, blank=True, validators=grade_validators
    )
    capacity = models.PositiveIntegerField(_("places"), validators=places_validators)
    carers_planned = models.PositiveSmallIntegerField(_("carers planned"), default=1)

    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gt=0), name="group_capacity_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    def audit_org_path(self) -> str:
        return self.term.audit_org_path()

    @property
    def rule(self) -> GroupKindRule | None:
        return TODDLER_RULES.get(self.kind)

    def children_per_carer(self, school_default: Decimal | None = None) -> Decimal | None:
        """The ratio this group must keep: its kind's for 托育, else the standard's."""
        rule = self.rule
        return Decimal(rule.children_per_carer) if rule else school_default

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        rule = self.rule
        if rule and self.capacity and self.capacity > rule.max_size:
            errors["capacity"] = _("A %(kind)s takes at most %(max)s children.") % {
                "kind": self.get_kind_display(),
                "max": rule.max_size,
            }
        if Term._range_reversed(self.min_age_months, self.max_age_months):
            errors["max_age_months"] = _("The maximum age is below the minimum age.")
        if Term._range_reversed(self.grade_min, self.grade_max):
            errors["grade_max"] = _("The highest grade is below the lowest grade.")
        if errors:
            raise ValidationError(errors)


class TermStaff(AuditedModel, TimeStampedModel):
    """A person on a term's roster, optionally assigned to one group."""

    term = models.ForeignKey(
        Term, verbose_name=_("term"), on_delete=models.CASCADE, related_name="staff"
    )
    user = models.ForeignKey(
        "accounts.User", verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("role"), max_length=20, choices=StaffRole.choices)
    group = models.ForeignKey(
        Group,
        verbose_name=_("group"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff",
    )

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff roster")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["term", "user", "role"], name="unique_term_staff"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"

    def audit_org_path(self) -> str:
        return self.term.audit_org_path()
