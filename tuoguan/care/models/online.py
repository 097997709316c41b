"""Online sessions (线上托管): for children who cannot come (quarantine, illness) or a whole
online class — a time, a host, a topic and a join link; who joined; a contest's scores."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tuoguan.audit.mixins import AuditedModel
from tuoguan.core.models import TimeStampedModel


class HostKind(models.TextChoices):
    CAREGIVER = "caregiver", _("caregiver")
    VOLUNTEER = "volunteer", _("volunteer")
    EXPERT = "expert", _("invited expert")


class TopicKind(models.TextChoices):
    TALK = "talk", _("talk")
    STORY = "story", _("story time")
    CONTEST = "contest", _("contest")
    HOMEWORK = "homework", _("homework help")


class Audience(models.TextChoices):
    GROUP = "group", _("the whole group (or term)")
    SELECTED = "selected", _("selected children")


class OnlineSession(AuditedModel, TimeStampedModel):
    """An online session of a term (线上托管): for a group, the whole term, or chosen children."""

    term = models.ForeignKey(
        "programs.Term",
        verbose_name=_("term"),
        on_delete=models.CASCADE,
        related_name="online_sessions",
    )
    group = models.ForeignKey(
        "programs.Group",
        verbose_name=_("group"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    host_kind = models.CharField(_("host"), max_length=12, choices=HostKind.choices)
    host_name = models.CharField(_("host's name"), max_length=80)
    host_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("host's account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    topic = models.CharField(_("topic"), max_length=12, choices=TopicKind.choices)
    title = models.CharField(_("title"), max_length=120)
    join_url = models.URLField(_("join link"), max_length=500)
    audience = models.CharField(
        _("for"), max_length=10, choices=Audience.choices, default=Audience.GROUP
    )
    children = models.ManyToManyField(
        "enrolment.Enrolment", verbose_name=_("children invited"), related_name="+", blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("scheduled by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("online session")
        verbose_name_plural = _("online sessions")
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["term", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.title} · {self.starts_at:%Y-%m-%d %H:%M}"

    def audit_org_path(self) -> str:
        return self.term.audit_org_path()

    @property
    def is_contest(self) -> bool:
        return self.topic == TopicKind.CONTEST


class OnlineAttendance(AuditedModel, TimeStampedModel):
    """A child present at an online session: joined through our link, or ticked by the host."""

    class Via(models.TextChoices):
        JOIN = "join", _("joined through the link")
        HOST = "host", _("ticked by the host")

    session = models.ForeignKey(
        OnlineSession,
        verbose_name=_("online session"),
        on_delete=models.CASCADE,
        related_name="attendance",
    )
    enrolment = models.ForeignKey(
        "enrolment.Enrolment",
        verbose_name=_("child's place"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    joined_at = models.DateTimeField(_("joined at"))
    via = models.CharField(_("recorded"), max_length=6, choices=Via.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("online attendance")
        verbose_name_plural = _("online attendance")
        ordering = ["joined_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "enrolment"], name="one_online_attendance_per_child"
            )
        ]

    def __str__(self) -> str:
        return f"{self.session_id} · {self.enrolment_id}"

    def audit_org_path(self) -> str:
        return self.session.audit_org_path()


class ContestScore(AuditedModel, TimeStampedModel):
    """A child's score in an online contest."""

    session = models.ForeignKey(
        OnlineSession,
        verbose_name=_("online session"),
        on_delete=models.CASCADE,
        related_name="scores",
    )
    enrolment = models.ForeignKey(
        "enrolment.Enrolment",
        verbose_name=_("child's place"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=1)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("contest score")
        verbose_name_plural = _("contest scores")
        ordering = ["-score", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "enrolment"], name="one_score_per_child")
        ]

    def __str__(self) -> str:
        return f"{self.session_id} · {self.score}"

    def audit_org_path(self) -> str:
        return self.session.audit_org_path()
