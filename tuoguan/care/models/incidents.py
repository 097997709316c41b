"""Incidents and emergencies (应急处理): the report, who was told and who acknowledged, the
follow-up until a manager closes it; emergency plans per class and the drills held."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tuoguan.audit.mixins import AuditedModel
from tuoguan.core.models import TimeStampedModel


class IncidentKind(models.TextChoices):
    INJURY = "injury", _("Injury")
    ILLNESS = "illness", _("Illness")
    MISSING = "missing", _("Child missing")
    FIRE = "fire", _("Fire")
    FOOD_POISONING = "food_poisoning", _("Food poisoning")
    EPIDEMIC = "epidemic", _("Epidemic")
    CONFLICT = "conflict", _("Conflict")
    ABUSE = "abuse", _("Suspected abuse")
    OTHER = "other", _("Other")


class Severity(models.TextChoices):
    MINOR = "minor", _("Minor")
    SERIOUS = "serious", _("Serious")
    CRITICAL = "critical", _("Critical")


class Incident(AuditedModel, TimeStampedModel):
    """What happened in a class, reported from a phone, followed until a manager closes it."""

    term = models.ForeignKey(
        "programs.Term", verbose_name=_("term"), on_delete=models.PROTECT, related_name="incidents"
    )
    group = models.ForeignKey(
        "programs.Group",
        verbose_name=_("group"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The province, as every high-volume table carries it (DESIGN §3 "Scale-out").
    province = models.ForeignKey(
        "orgs.Org",
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    kind = models.CharField(_("type"), max_length=20, choices=IncidentKind.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    occurred_at = models.DateTimeField(_("when it happened"))
    description = models.TextField(_("what happened"), max_length=2000)
    actions_taken = models.TextField(_("what was done"), max_length=2000, blank=True)
    children = models.ManyToManyField(
        "enrolment.Enrolment", verbose_name=_("children involved"), blank=True, related_name="+"
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    summary = models.TextField(_("closing summary"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-occurred_at", "-pk"]
        indexes = [models.Index(fields=["term", "severity"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.get_severity_display()}"

    def audit_org_path(self) -> str:
        return self.term.audit_org_path()

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class IncidentPhoto(AuditedModel, TimeStampedModel):
    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(_("photo"), upload_to="incidents/%Y/%m/")

    class Meta:
        verbose_name = _("incident photo")
        verbose_name_plural = _("incident photos")

    def __str__(self) -> str:
        return f"{self.incident} · {self.pk}"

    def audit_org_path(self) -> str:
        return self.incident.audit_org_path()


class IncidentAction(AuditedModel, TimeStampedModel):
    """A follow-up step after the report: a call to hospital, a talk with the family…"""

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="actions"
    )
    text = models.CharField(_("follow-up"), max_length=500)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("follow-up action")
        verbose_name_plural = _("follow-up actions")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:60]

    def audit_org_path(self) -> str:
        return self.incident.audit_org_path()


class NoticeLevel(models.TextChoices):
    GUARDIAN = "guardian", _("Guardian")
    HOST = "host", _("Host union")
    UPPER = "upper", _("Upper union")
    NATIONAL = "national", _("National union")


class IncidentNotice(TimeStampedModel):
    """One person told of an incident, and whether and when they acknowledged it."""

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="notices"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("told"), on_delete=models.CASCADE, related_name="+"
    )
    level = models.CharField(_("as"), max_length=10, choices=NoticeLevel.choices)
    org = models.ForeignKey(
        "orgs.Org",
        verbose_name=_("union"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    # An unacknowledged critical notice is sent again once, and the union above is told.
    resent_at = models.DateTimeField(_("sent again at"), null=True, blank=True)

    class Meta:
        verbose_name = _("incident notice")
        verbose_name_plural = _("incident notices")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "recipient"], name="one_notice_per_person_and_incident"
            )
        ]


class EmergencyKind(models.TextChoices):
    FIRE = "fire", _("Fire")
    EPIDEMIC = "epidemic", _("Epidemic")
    FOOD_POISONING = "food_poisoning", _("Food poisoning")
    STAMPEDE = "stampede", _("Stampede")
    MISSING_CHILD = "missing_child", _("Missing child")
    EXTREME_WEATHER = "extreme_weather", _("Extreme weather")


class EmergencyPlan(AuditedModel, TimeStampedModel):
    """What the class does in one kind of emergency; started from a template, then its own."""

    program = models.ForeignKey(
        "programs.Program",
        verbose_name=_("class"),
        on_delete=models.CASCADE,
        related_name="emergency_plans",
    )
    kind = models.CharField(_("emergency"), max_length=20, choices=EmergencyKind.choices)
    text = models.TextField(_("the plan"), max_length=5000)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last changed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("emergency plan")
        verbose_name_plural = _("emergency plans")
        ordering = ["kind"]
        constraints = [
            models.UniqueConstraint(fields=["program", "kind"], name="one_plan_per_kind_and_class")
        ]

    def __str__(self) -> str:
        return f"{self.program.name} · {self.get_kind_display()}"

    def audit_org_path(self) -> str:
        return self.program.audit_org_path()


class Drill(AuditedModel, TimeStampedModel):
    """An emergency drill held: when, who took part, what it showed."""

    term = models.ForeignKey(
        "programs.Term", verbose_name=_("term"), on_delete=models.CASCADE, related_name="drills"
    )
    kind = models.CharField(_("emergency"), max_length=20, choices=EmergencyKind.choices)
    date = models.DateField(_("date"))
    participants = models.PositiveIntegerField(_("people taking part"))
    findings = models.TextField(_("findings"), max_length=2000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("drill")
        verbose_name_plural = _("drills")
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return f"{self.term.name} · {self.get_kind_display()} · {self.date.isoformat()}"

    def audit_org_path(self) -> str:
        return self.term.audit_org_path()
