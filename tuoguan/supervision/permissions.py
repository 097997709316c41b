"""Who may see and act on inspection visits and rectification orders.

Built on `orgs.permissions`. Visits are planned by a union strictly above the class's host;
everyone whose subtree holds the class sees its visits, except an unannounced one, which
the class and the unions between it and the planner do not see until it starts. The
inspectors named on a visit see it wherever they sit. Orders are answered at the class and
accepted or sent back by the inspector or an admin of the union that planned the visit.
"""

from typing import Any

from django.db.models import Exists, OuterRef, Q

from tuoguan.orgs.models import Level, Membership, Org, Role
from tuoguan.orgs.permissions import Actor, covers, subtree_q
from tuoguan.programs.permissions import HOST_ROLES, strictly_below

# Roles of the people a union sends on visits.
INSPECTOR_ROLES = frozenset({Role.INSPECTOR, Role.UNION_ADMIN})
# Roles that read a region's supervision (the glance, calendars, lists).
SUPERVISOR_ROLES = frozenset({Role.UNION_ADMIN, Role.REVIEWER, Role.INSPECTOR})


def _inspects_q(actor: Actor, visit_ref: str) -> Q:
    from .models import Visit

    inspectors = Visit.inspectors.through.objects.filter(
        visit_id=OuterRef(visit_ref), user_id=actor.user.pk
    )
    return Q(Exists(inspectors))


def visits_visible_q(actor: Actor) -> Q:
    if actor.membership is None:
        return Q(pk__in=[])
    own = actor.membership.org.path
    at_class = subtree_q(actor, "term__program__host__path")
    shown = Q(announced=True) | Q(started_at__isnull=False) | Q(planner__path__startswith=own)
    return (at_class & shown) | _inspects_q(actor, "pk")


def rectifications_visible_q(actor: Actor) -> Q:
    if actor.membership is None:
        return Q(pk__in=[])
    return subtree_q(actor, "term__program__host__path") | _inspects_q(actor, "visit_id")


def is_inspector(actor: Actor, visit: Any) -> bool:
    if not actor.has_role(INSPECTOR_ROLES):
        return False
    ids = getattr(visit, "inspector_ids_cached", None)
    if ids is None:
        ids = {user.pk for user in visit.inspectors.all()}
    return actor.user.pk in ids


def can_plan_visit(actor: Actor, term: Any) -> bool:
    """An admin of a union strictly above the host: nobody inspects their own class."""
    return actor.is_admin and strictly_below(actor, term.program.host)


def can_plan_visits(actor: Actor) -> bool:
    return actor.is_admin and actor.org is not None and actor.org.level < Level.GRASSROOTS


def can_change_visit(actor: Actor, visit: Any) -> bool:
    return actor.is_admin and covers(actor, visit.planner) and visit.is_open


def can_inspect(actor: Actor, visit: Any) -> bool:
    return is_inspector(actor, visit) and visit.is_open


def at_class(actor: Actor, term: Any) -> bool:
    """Acting for the class's host itself (its admin or class manager), not from above."""
    host = term.program.host
    org = actor.org
    return actor.has_role(HOST_ROLES) and org is not None and org.path.startswith(host.path)


def can_acknowledge(actor: Actor, visit: Any) -> bool:
    return at_class(actor, visit.term) and visit.status == "signed"


def can_answer_rectification(actor: Actor, rectification: Any) -> bool:
    owner = rectification.owner_id == actor.user.pk and actor.membership is not None
    return (owner or at_class(actor, rectification.term)) and rectification.status == "open"


def can_decide_rectification(actor: Actor, rectification: Any) -> bool:
    """The visit's inspector, or an admin of the union that planned it."""
    visit = rectification.visit
    return is_inspector(actor, visit) or (actor.is_admin and covers(actor, visit.planner))


def grassroots_paths_of(user: Any) -> list[str]:
    """The grassroots unions a person belongs to: their employer and their memberships."""
    paths = list(
        Membership.objects.filter(
            user=user, is_active=True, org__level=Level.GRASSROOTS
        ).values_list("org__path", flat=True)
    )
    paths += Org.objects.filter(workers__user=user).values_list("path", flat=True)
    return paths


def has_conflict(user: Any, term: Any, paths: list[str] | None = None) -> bool:
    """An inspector never inspects a class of their own grassroots union."""
    host = term.program.host.path
    own = grassroots_paths_of(user) if paths is None else paths
    return any(host.startswith(path) for path in own)
