"""The one place that answers "may this user see / change this object".

Rules
-----
* A membership (user, org, role) covers the org's whole subtree. The user acts through one
  membership at a time (chosen in the header; see `ActiveMembershipMiddleware`), and sees
  exactly what that membership covers.
* Outside the subtree the object does not exist for them: selectors raise 404.
* Inside the subtree but without the right role: 403 (`require`).
* A worker (parent) sees only their own family, whatever memberships they hold.

Selectors in every app build their querysets from the `*_q` helpers here; views never
filter by hand.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q

# Re-exported: every app's selectors and views call them from here.
from tuoguan.core.lookups import get_or_404 as get_or_404
from tuoguan.core.lookups import require as require

from . import fastpath
from .models import Membership, Org, Role

if TYPE_CHECKING:
    from tuoguan.accounts.models import User

# Roles that may change the union tree, its people and their memberships.
ADMIN_ROLES = frozenset({Role.UNION_ADMIN})
# Roles that may read personal records of workers (and, with a stated reason, children).
PEOPLE_READER_ROLES = frozenset({Role.UNION_ADMIN, Role.REVIEWER, Role.INSPECTOR})


@dataclass(frozen=True)
class Actor:
    """Who is asking: the user and the membership they act through (None for a parent)."""

    user: "User"
    membership: Membership | None

    @property
    def is_authenticated(self) -> bool:
        return bool(self.user.is_authenticated)

    @property
    def role(self) -> str | None:
        return self.membership.role if self.membership else None

    @property
    def org(self) -> Org | None:
        return self.membership.org if self.membership else None

    def has_role(self, roles: frozenset[str] | set[str]) -> bool:
        return self.membership is not None and self.membership.role in roles

    @property
    def is_admin(self) -> bool:
        return self.has_role(ADMIN_ROLES)


def memberships_of(user: Any) -> models.QuerySet[Membership]:
    """Active memberships, highest level first (the default one to act through)."""
    return (
        Membership.objects.filter(user=user, is_active=True, org__is_active=True)
        .select_related("org")
        .order_by("org__depth", "org__path", "role")
    )


def actor_for(user: Any, membership_id: Any = None) -> Actor:
    """The actor for `user`, acting through `membership_id` when it is one of theirs."""
    if not user.is_authenticated:
        return Actor(user=user, membership=None)
    chosen = None
    if membership_id:
        # Built only when one is named: most requests take the default's compiled read.
        try:
            chosen = memberships_of(user).filter(pk=int(membership_id)).first()
        except (TypeError, ValueError):
            chosen = None
    if chosen is None:
        chosen = default_membership(user)
    return Actor(user=user, membership=chosen)


def default_membership(user: Any, *, compiled: bool = True) -> Membership | None:
    """The membership `user` acts through unless they choose: `memberships_of`'s first.
    Every staff request reads it: one statement compiled once (orgs.fastpath)."""
    if compiled and isinstance(user.pk, int):
        ran, found = fastpath.first_of(
            "default_membership", lambda: memberships_of(fastpath.USER)[:1], {"user": user.pk}
        )
        if ran:
            return found  # type: ignore[no-any-return]
    return memberships_of(user).first()


# --- Scoping building blocks -----------------------------------------------------------------


def subtree_q(actor: Actor, path_field: str = "path") -> Q:
    """Q matching rows whose org path lies in the actor's subtree; matches nothing otherwise."""
    if actor.membership is None:
        return Q(pk__in=[])
    return Q(**{f"{path_field}__startswith": actor.membership.org.path})


def covers(actor: Actor, org: Org) -> bool:
    return actor.membership is not None and org.path.startswith(actor.membership.org.path)


# --- Orgs ------------------------------------------------------------------------------------


def orgs_visible_q(actor: Actor) -> Q:
    return subtree_q(actor)


def can_change_org(actor: Actor, org: Org) -> bool:
    return actor.is_admin and covers(actor, org)


def can_restructure_org(actor: Actor, org: Org) -> bool:
    """Move or deactivate: only strictly below one's own org, never one's own union."""
    return can_change_org(actor, org) and actor.org is not None and org.pk != actor.org.pk


def can_add_child_org(actor: Actor, parent: Org) -> bool:
    return can_change_org(actor, parent) and parent.level < 4


# --- Memberships -----------------------------------------------------------------------------


def memberships_visible_q(actor: Actor) -> Q:
    if not actor.has_role(PEOPLE_READER_ROLES):
        return Q(user=actor.user)
    return subtree_q(actor, "org__path") | Q(user=actor.user)


def can_manage_memberships(actor: Actor, org: Org) -> bool:
    return can_change_org(actor, org)


# --- Workers and children --------------------------------------------------------------------


def workers_visible_q(actor: Actor) -> Q:
    own = Q(user=actor.user)
    if actor.has_role(PEOPLE_READER_ROLES):
        return own | subtree_q(actor, "employer__path")
    return own


def can_change_worker(actor: Actor, worker: Any) -> bool:
    """Verification and employer changes are union business, not the worker's own."""
    return actor.is_admin and covers(actor, worker.employer)


def children_visible_q(actor: Actor) -> Q:
    own = Q(guardian__user=actor.user)
    if actor.has_role(PEOPLE_READER_ROLES):
        return own | subtree_q(actor, "guardian__employer__path")
    return own


def is_guardian(actor: Actor, child: Any) -> bool:
    return bool(child.guardian.user_id == actor.user.pk)


def can_change_child(actor: Actor, child: Any) -> bool:
    """Only the family edits a child's record; staff read it, with a reason."""
    return is_guardian(actor, child)


# --- Audit -----------------------------------------------------------------------------------


def audit_visible_q(actor: Actor) -> Q:
    if not actor.is_admin:
        return Q(pk__in=[])
    visible = subtree_q(actor, "org_path")
    # Entries tied to no union (a user without a worker profile, the system itself) are
    # read at the national level only: a lower admin would otherwise see about people
    # outside their subtree.
    if actor.org is not None and actor.org.depth == 1:
        visible |= Q(org_path="")
    return visible
