"""Room cameras (监控): a class's cameras, the rooms (the term's groups) each films, and every
view a guardian opens of a stream (who, which camera, when, how long)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tuoguan.audit.mixins import AuditedModel
from tuoguan.core.models import TimeStampedModel


class Camera(AuditedModel, TimeStampedModel):
    """A camera of a class (监控摄像头): the groups whose room it films, and its stream.

    `hls_url` is the browser stream of a production camera server; `local_stream` names a
    folder of TUOGUAN_CAMERA_STREAMS_DIR (a playlist and its segments) served by Django itself
    behind the signed link (the demo's test stream). `rtsp_url` is kept for the record only.
    """

    program = models.ForeignKey(
        "programs.Program",
        verbose_name=_("class"),
        on_delete=models.CASCADE,
        related_name="cameras",
    )
    name = models.CharField(_("name"), max_length=80)
    room = models.CharField(_("room"), max_length=80)
    groups = models.ManyToManyField(
        "programs.Group",
        verbose_name=_("groups filmed"),
        related_name="cameras",
        blank=True,
    )
    hls_url = models.URLField(_("HLS stream address"), max_length=500, blank=True)
    local_stream = models.SlugField(_("local test stream"), max_length=60, blank=True)
    rtsp_url = models.CharField(_("RTSP address (for the record)"), max_length=500, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("camera")
        verbose_name_plural = _("cameras")
        ordering = ["program_id", "name", "pk"]

    def __str__(self) -> str:
        return f"{self.name} · {self.room}"

    def audit_org_path(self) -> str:
        return self.program.audit_org_path()

    @property
    def has_stream(self) -> bool:
        return bool(self.hls_url or self.local_stream)


class CameraView(AuditedModel, TimeStampedModel):
    """One opening of a camera's stream by a guardian; the player's heartbeat moves
    `last_seen_at`, so `last_seen_at - started_at` is how long it was watched."""

    # Heartbeats are bookkeeping: the opening is the act the log keeps.
    audit_ignored_fields = frozenset({"updated_at", "last_seen_at"})

    camera = models.ForeignKey(
        Camera, verbose_name=_("camera"), on_delete=models.CASCADE, related_name="views"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("watched by"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    # A family deleting its data (PIPL Art. 47) takes its views with it.
    enrolment = models.ForeignKey(
        "enrolment.Enrolment",
        verbose_name=_("child's place"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    date = models.DateField(_("date"))
    started_at = models.DateTimeField(_("started at"))
    last_seen_at = models.DateTimeField(_("last seen at"))

    class Meta:
        verbose_name = _("camera view")
        verbose_name_plural = _("camera views")
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["camera", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.camera.name} · {self.started_at:%Y-%m-%d %H:%M}"

    def audit_org_path(self) -> str:
        return self.camera.audit_org_path()

    @property
    def seconds(self) -> int:
        return max(0, int((self.last_seen_at - self.started_at).total_seconds()))
