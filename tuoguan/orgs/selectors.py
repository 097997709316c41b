"""Reads of the union tree and its memberships, scoped to who asks (orgs.permissions)."""

from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Length, Substr

from .models import Level, Membership, Org
from .permissions import (
    PEOPLE_READER_ROLES,
    Actor,
    get_or_404,
    memberships_visible_q,
    orgs_visible_q,
    workers_visible_q,
)


def orgs_visible_to(actor: Actor) -> QuerySet[Org]:
    return Org.objects.filter(orgs_visible_q(actor)).order_by("path")


def org_for(actor: Actor, pk: object) -> Org:
    """One org of the actor's subtree; anything else is a 404."""
    return get_or_404(orgs_visible_to(actor), pk=pk)


def org_children(actor: Actor, org: Org) -> QuerySet[Org]:
    return orgs_visible_to(actor).filter(path__startswith=org.path, depth=org.depth + 1)


def org_search(actor: Actor, q: str) -> QuerySet[Org]:
    q = q.strip()
    if not q:
        return orgs_visible_to(actor).none()
    match = Q(name__icontains=q) | Q(short_name__icontains=q) | Q(region_code__icontains=q)
    return orgs_visible_to(actor).filter(match)


def org_parent_candidates(actor: Actor, org: Org) -> QuerySet[Org]:
    """Where `org` may be moved to: active visible unions of a higher level but its parent."""
    current_parent_path = org.path[: -org.steplen]
    return (
        orgs_visible_to(actor)
        .filter(level__lt=org.level, is_active=True)
        .exclude(path=current_parent_path)
    )


def _scope_depth(actor: Actor) -> int | None:
    return actor.org.depth if actor.org is not None else None


def _ancestor_paths(org: Org, from_depth: int) -> list[str]:
    return [org.path[: org.steplen * depth] for depth in range(from_depth, org.depth)]


def org_ancestors_visible(actor: Actor, org: Org) -> list[Org]:
    """The path from the actor's own org down to `org`'s parent, for breadcrumbs.

    Unions above the actor's own are left out: they lie outside its scope.
    """
    return org_breadcrumbs(actor, [org]).get(org.pk, [])


def org_breadcrumbs(actor: Actor, orgs: Iterable[Org]) -> dict[int, list[Org]]:
    """Visible ancestors of each org, fetched together in one query (search results)."""
    depth = _scope_depth(actor)
    orgs = list(orgs)
    if depth is None or not orgs:
        return {}
    wanted = {path for org in orgs for path in _ancestor_paths(org, depth)}
    by_path = {o.path: o for o in orgs_visible_to(actor).filter(path__in=wanted)}
    return {
        org.pk: [by_path[p] for p in _ancestor_paths(org, depth) if p in by_path] for org in orgs
    }


def memberships_visible_to(actor: Actor) -> QuerySet[Membership]:
    return Membership.objects.filter(memberships_visible_q(actor)).select_related("user", "org")


def membership_for(actor: Actor, pk: object) -> Membership:
    return get_or_404(memberships_visible_to(actor), pk=pk)


def memberships_for_org(actor: Actor, org: Org) -> QuerySet[Membership]:
    """People holding roles at `org` itself, as far as the actor may see people."""
    return (
        memberships_visible_to(actor)
        .filter(org=org)
        .order_by("-is_active", "role", "user__real_name", "pk")
    )


def workers_count(actor: Actor, org: Org) -> int | None:
    """Workers employed anywhere in `org`'s subtree; None when the actor may not read people."""
    if not actor.has_role(PEOPLE_READER_ROLES):
        return None
    # The Worker model belongs to `accounts`, a later app: reach it by name, not by import.
    worker_model = apps.get_model("accounts", "Worker")
    return int(
        worker_model.objects.filter(workers_visible_q(actor))
        .filter(employer__path__startswith=org.path)
        .count()
    )


def user_for_login(login: str) -> Any:
    """The active user whose mobile number or username is `login` (for granting roles)."""
    login = login.strip()
    if not login:
        return None
    user_model = get_user_model()
    return (
        user_model.objects.filter(is_active=True)
        .filter(Q(username=login) | Q(mobile=login))
        .first()
    )


def org_can_hold_children(org: Org) -> bool:
    return org.level < Level.GRASSROOTS


def with_parent_id(queryset: QuerySet[Org]) -> QuerySet[Org]:
    """Annotate each org with its parent's id in the same query (lists in the API)."""
    parent = Org.objects.filter(
        path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Org.steplen)
    ).values("pk")[:1]
    return queryset.annotate(parent_id=Subquery(parent))
