"""Who is told about a visit or an order, and the telling (notifications service)."""

from collections.abc import Iterable
from typing import Any

from django.urls import reverse

from tuoguan.notifications.services import notify
from tuoguan.orgs.models import Membership, Role
from tuoguan.orgs.permissions import Actor
from tuoguan.programs.permissions import HOST_ROLES


def class_managers(term: Any) -> list[Any]:
    """The host union's admins and class managers."""
    host = term.program.host
    return [
        m.user
        for m in Membership.objects.filter(
            org__path__startswith=host.path, role__in=HOST_ROLES, is_active=True
        ).select_related("user")
    ]


def class_staff(term: Any) -> list[Any]:
    """Everyone working at the class: managers and caregivers."""
    host = term.program.host
    roles = {*HOST_ROLES, Role.CAREGIVER}
    return [
        m.user
        for m in Membership.objects.filter(
            org__path__startswith=host.path, role__in=roles, is_active=True
        ).select_related("user")
    ]


def planner_admins(visit: Any) -> list[Any]:
    return [
        m.user
        for m in Membership.objects.filter(
            org=visit.planner, role=Role.UNION_ADMIN, is_active=True
        ).select_related("user")
    ]


def tell(
    users: Iterable[Any], *, actor: Actor | None, subject: str, body: str = "", url: str = ""
) -> int:
    """One notice to each person once, never to the one who acted."""
    seen: set[int] = set()
    for user in users:
        if user.pk in seen or (actor is not None and user.pk == actor.user.pk):
            continue
        seen.add(user.pk)
        notify(recipient=user, subject=subject, body=body, url=url)
    return len(seen)


def visit_url(visit: Any) -> str:
    return reverse("supervision:visit_detail", args=[visit.pk])


def rectification_url(rectification: Any) -> str:
    return reverse("supervision:rectification_detail", args=[rectification.pk])
