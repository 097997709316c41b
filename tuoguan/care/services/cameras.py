"""Room cameras (监控): a class registers its cameras and the rooms (groups) each films; a
guardian whose child is checked in to a filmed room watches during care hours through a
short-lived signed link; every view is kept (CameraView) and audited.

* The link: `django.core.signing.TimestampSigner` (salt `LINK_SALT`) over the view, camera,
  user, enrolment and date; it lasts TUOGUAN_CAMERA_LINK_MINUTES. The player's heartbeat
  renews it while the live facts still hold.
* The live facts, re-read on the player page, on every playlist and segment request and on
  every heartbeat (`camera_refusal`): the camera is in use and has a stream; today's
  inspection did not report the cameras broken (`inspection_facts.camera_reported_broken`);
  the child's group is filmed by it; the child is checked in today and not yet out; now is
  within the term's daily hours (Term.daily_start–daily_end); the link is today's.
* A camera reported broken is shown as not working, never as live.
"""

import datetime
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoguan.audit.services import audit_view
from tuoguan.enrolment.models import Enrolment
from tuoguan.orgs.permissions import Actor, require
from tuoguan.programs.models import Group, Program
from tuoguan.programs.permissions import can_manage_program

from ..models import ON_ROSTER, Attendance, Camera, CameraView

LINK_SALT = "tuoguan.care.camera-link"
CAMERA_FIELDS = ("name", "room", "hls_url", "local_stream", "rtsp_url", "is_active")


def link_max_age() -> int:
    return int(settings.TUOGUAN_CAMERA_LINK_MINUTES) * 60


# --- Registering cameras ---------------------------------------------------------------------


def _clean_fields(fields: dict[str, Any]) -> dict[str, Any]:
    cleaned = {name: fields.get(name) for name in CAMERA_FIELDS if name in fields}
    errors: dict[str, str] = {}
    for name in ("name", "room", "hls_url", "local_stream", "rtsp_url"):
        if name in cleaned:
            cleaned[name] = " ".join(str(cleaned[name] or "").split())
    if "name" in cleaned and not cleaned["name"]:
        errors["name"] = _("Name the camera.")
    if "room" in cleaned and not cleaned["room"]:
        errors["room"] = _("Name the room it films.")
    hls = cleaned.get("hls_url") or ""
    if hls and not hls.lower().startswith("https://"):
        errors["hls_url"] = _("The stream address must start with https://.")
    rtsp = cleaned.get("rtsp_url") or ""
    if rtsp and not rtsp.lower().startswith(("rtsp://", "rtsps://")):
        errors["rtsp_url"] = _("An RTSP address starts with rtsp:// or rtsps://.")
    if hls and cleaned.get("local_stream"):
        errors["local_stream"] = _("Give either a stream address or a local test stream.")
    if errors:
        raise ValidationError(errors)
    return cleaned


def _check_groups(program: Program, groups: list[Group]) -> None:
    if any(group.term.program_id != program.pk for group in groups):
        raise ValidationError({"groups": _("Choose groups of this class's terms.")})


@transaction.atomic
def camera_save(
    *,
    actor: Actor,
    program: Program,
    camera: Camera | None = None,
    groups: list[Group] | None = None,
    **fields: Any,
) -> Camera:
    """Register a camera of the class, or change one: the rooms (groups) it films and its
    stream. A filmed group's pages say so (PIPL Art. 26)."""
    require(can_manage_program(actor, program))
    if camera is not None and camera.program_id != program.pk:
        raise ValidationError(_("The camera belongs to another class."))
    cleaned = _clean_fields(fields)
    if camera is None:
        camera = Camera(program=program)
    for name, value in cleaned.items():
        setattr(camera, name, value)
    camera.full_clean(exclude=["program", "groups"])
    camera.save()
    if groups is not None:
        _check_groups(program, list(groups))
        camera.groups.set(groups)
    return camera


# --- The live facts --------------------------------------------------------------------------


def camera_broken(camera: Camera, day: datetime.date) -> bool:
    from ..inspection_facts import camera_reported_broken

    return camera_reported_broken(camera.program, day)


def camera_unavailable(camera: Camera, day: datetime.date) -> str | None:
    """Why the camera shows nothing today whoever asks (None: it can be live)."""
    if not camera.is_active:
        return _("Switched off.")
    if camera_broken(camera, day):
        return _("Not available (today's inspection reported it broken).")
    if not camera.has_stream:
        return _("No stream registered.")
    return None


def _is_guardian(user: Any, enrolment: Enrolment) -> bool:
    return bool(enrolment.guardian.user_id == user.pk and enrolment.status in ON_ROSTER)


def camera_refusal(
    *, camera: Camera, user: Any, enrolment: Enrolment, now: datetime.datetime | None = None
) -> str | None:
    """Why this guardian may not watch this camera now (None: they may)."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    if not _is_guardian(user, enrolment):
        return _("Only the child's guardian may watch.")
    unavailable = camera_unavailable(camera, day)
    if unavailable:
        return unavailable
    if enrolment.group_id is None or not camera.groups.filter(pk=enrolment.group_id).exists():
        return _("This camera does not film your child's room.")
    term = enrolment.term
    moment = timezone.localtime(now).time()
    if not (term.daily_start <= moment < term.daily_end):
        return _("Only during care hours (%(start)s–%(end)s).") % {
            "start": term.daily_start.strftime("%H:%M"),
            "end": term.daily_end.strftime("%H:%M"),
        }
    attendance = Attendance.objects.filter(enrolment=enrolment, date=day).first()
    if attendance is None:
        return _("Only while your child is checked in today.")
    if attendance.checked_out_at is not None:
        return _("Your child has been checked out.")
    return None


# --- The signed link -------------------------------------------------------------------------


def link_sign(view: CameraView) -> str:
    payload = {
        "v": view.pk,
        "c": view.camera_id,
        "u": view.user_id,
        "e": view.enrolment_id,
        "d": view.date.isoformat(),
    }
    return signing.TimestampSigner(salt=LINK_SALT).sign_object(payload)


def link_refusal(
    *, view: CameraView, user: Any, token: str, now: datetime.datetime | None = None
) -> str | None:
    """Why this request through the link is refused: the token (signed, fresh, this view's,
    this user's, today's), then the live facts."""
    now = now or timezone.now()
    expired = _("The link has expired. Open the camera again from your child's page.")
    try:
        payload = signing.TimestampSigner(salt=LINK_SALT).unsign_object(
            token or "", max_age=link_max_age()
        )
    except signing.SignatureExpired:
        return expired
    except signing.BadSignature:
        return _("The link is not valid.")
    wanted = {
        "v": view.pk,
        "c": view.camera_id,
        "u": user.pk,
        "e": view.enrolment_id,
        "d": view.date.isoformat(),
    }
    if not isinstance(payload, dict) or payload != wanted or view.user_id != user.pk:
        return _("The link is not valid.")
    if view.date != timezone.localdate(now):
        return expired
    return camera_refusal(camera=view.camera, user=user, enrolment=view.enrolment, now=now)


# --- Watching --------------------------------------------------------------------------------


def watchable_enrolment(
    *, camera: Camera, user: Any, now: datetime.datetime | None = None
) -> tuple[Enrolment | None, str | None]:
    """The guardian's child this camera may be watched for now, or why none."""
    enrolments = (
        Enrolment.objects.filter(
            guardian__user=user, status__in=ON_ROSTER, group__in=camera.groups.all()
        )
        .select_related("term", "guardian", "child")
        .order_by("pk")
    )
    reason = _("This camera does not film your child's room.")
    for enrolment in enrolments:
        refused = camera_refusal(camera=camera, user=user, enrolment=enrolment, now=now)
        if refused is None:
            return enrolment, None
        reason = refused
    return None, reason


@transaction.atomic
def camera_watch(
    *, actor: Actor, camera: Camera, now: datetime.datetime | None = None
) -> tuple[CameraView, str]:
    """Open a view of the camera for the guardian's child in its room: the view row (audited,
    with the camera read in the log) and the signed link's token."""
    now = now or timezone.now()
    enrolment, reason = watchable_enrolment(camera=camera, user=actor.user, now=now)
    if enrolment is None:
        raise ValidationError(reason or "", code="camera_refused")
    view = CameraView.objects.create(
        camera=camera,
        user=actor.user,
        enrolment=enrolment,
        date=timezone.localdate(now),
        started_at=now,
        last_seen_at=now,
    )
    audit_view(
        instance=camera,
        reason=_("camera stream opened by the guardian of %(child)s")
        % {"child": enrolment.child.name},
    )
    return view, link_sign(view)


def camera_heartbeat(
    *, view: CameraView, user: Any, token: str, now: datetime.datetime | None = None
) -> str:
    """The player is still open: extend the view's duration and renew the link, while the
    live facts hold (ValidationError otherwise: the player stops)."""
    now = now or timezone.now()
    refused = link_refusal(view=view, user=user, token=token, now=now)
    if refused:
        raise ValidationError(refused, code="camera_refused")
    CameraView.objects.filter(pk=view.pk, last_seen_at__lt=now).update(last_seen_at=now)
    view.last_seen_at = max(view.last_seen_at, now)
    return link_sign(view)
