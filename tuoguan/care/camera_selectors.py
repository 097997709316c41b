"""Reads of room cameras, scoped to who asks: the class's staff see its cameras; a guardian
sees those filming their children's groups; a view's link belongs to its watcher only."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from tuoguan.enrolment.models import Enrolment
from tuoguan.orgs.permissions import Actor, get_or_404
from tuoguan.programs.models import Group, Program
from tuoguan.programs.permissions import programs_visible_q

from .models import ON_ROSTER, Camera, CameraView
from .services.cameras import camera_refusal


def _family_groups(actor: Actor) -> QuerySet[Group]:
    return Group.objects.filter(
        enrolments__guardian__user=actor.user, enrolments__status__in=ON_ROSTER
    )


def cameras_visible_to(actor: Actor) -> QuerySet[Camera]:
    staff = Q(program__in=Program.objects.filter(programs_visible_q(actor)))
    family = Q(pk__in=Camera.objects.filter(groups__in=_family_groups(actor)).values("pk"))
    return (
        Camera.objects.filter(staff | family)
        .select_related("program__host")
        .prefetch_related("groups")
        .order_by("program_id", "name", "pk")
    )


def camera_for(actor: Actor, pk: Any) -> Camera:
    return get_or_404(cameras_visible_to(actor), pk=pk)


def staff_camera_for(actor: Actor, pk: Any) -> Camera:
    """A camera of a class the actor's union line sees (a guardian's rooms are not enough)."""
    return get_or_404(
        Camera.objects.filter(program__in=Program.objects.filter(programs_visible_q(actor)))
        .select_related("program__host"),
        pk=pk,
    )  # fmt: skip


def family_camera_for(actor: Actor, pk: Any) -> Camera:
    """A camera filming one of the actor's own children's groups (404 otherwise)."""
    return get_or_404(
        Camera.objects.filter(groups__in=_family_groups(actor))
        .select_related("program")
        .distinct(),
        pk=pk,
    )


def cameras_of(program: Program) -> QuerySet[Camera]:
    return Camera.objects.filter(program=program).prefetch_related("groups__term")


def camera_views_of(program: Program) -> QuerySet[CameraView]:
    return CameraView.objects.filter(camera__program=program).select_related(
        "camera", "user", "enrolment__child"
    )


def camera_view_of(actor: Actor, pk: Any) -> CameraView:
    """The actor's own view (the watcher's link); anyone else's is not there (404)."""
    return get_or_404(
        CameraView.objects.filter(user=actor.user).select_related(
            "camera__program", "enrolment__term", "enrolment__guardian", "enrolment__child"
        ),
        pk=pk,
    )


@dataclass
class CameraRow:
    camera: Camera
    refusal: str | None


def cameras_for_child(
    actor: Actor, enrolment: Enrolment, now: datetime.datetime | None = None
) -> list[CameraRow]:
    """The cameras filming the child's group, each with why it cannot be watched now."""
    if enrolment.group_id is None:
        return []
    now = now or timezone.now()
    return [
        CameraRow(
            camera, camera_refusal(camera=camera, user=actor.user, enrolment=enrolment, now=now)
        )
        for camera in Camera.objects.filter(groups=enrolment.group_id).order_by("name", "pk")
    ]


def cameras_filming(group: Any) -> QuerySet[Camera]:
    """The cameras in use that film the group's room (the "filmed" notice)."""
    return Camera.objects.filter(groups=group, is_active=True).order_by("name", "pk")
