"""Who may see and change classes, terms, standards and evidence.

Built on `tuoguan.orgs.permissions` (subtree_q, covers, require): seeing follows the subtree
of the membership acted through; approving and reviewing belong to unions strictly above
the host, never to the host itself (nobody approves their own class).
"""

from typing import Any

from django.db.models import Q

from tuoguan.orgs.models import Level, Org, Role
from tuoguan.orgs.permissions import Actor, covers, subtree_q

# Roles that run a class at its host: create, edit, submit, manage the roster, upload evidence.
HOST_ROLES = frozenset({Role.UNION_ADMIN, Role.PROGRAM_MANAGER})
# Roles of an upper union that review evidence.
REVIEW_ROLES = frozenset({Role.UNION_ADMIN, Role.REVIEWER})


def strictly_below(actor: Actor, org: Org) -> bool:
    """True when `org` lies in the actor's subtree but is not the actor's own union."""
    return covers(actor, org) and actor.org is not None and org.pk != actor.org.pk


# --- Visibility ----------------------------------------------------------------------------


def programs_visible_q(actor: Actor) -> Q:
    return subtree_q(actor, "host__path")


def terms_visible_q(actor: Actor) -> Q:
    return subtree_q(actor, "program__host__path")


def venues_visible_q(actor: Actor) -> Q:
    return subtree_q(actor, "owner__path")


def standards_visible_q(actor: Actor) -> Q:
    """Standards set in the subtree, and those set above that apply to it."""
    if actor.membership is None:
        return Q(pk__in=[])
    path = actor.membership.org.path
    steplen = actor.membership.org.steplen
    ancestors = [path[:i] for i in range(steplen, len(path), steplen)]
    return subtree_q(actor, "org__path") | Q(org__path__in=ancestors)


# --- Changes -------------------------------------------------------------------------------


def can_manage_org_programs(actor: Actor, org: Org) -> bool:
    """Open classes and venues at `org`."""
    return actor.has_role(HOST_ROLES) and covers(actor, org)


def can_manage_program(actor: Actor, program: Any) -> bool:
    return can_manage_org_programs(actor, program.host)


def can_manage_term(actor: Actor, term: Any) -> bool:
    return can_manage_program(actor, term.program)


def can_manage_venue(actor: Actor, venue: Any) -> bool:
    return can_manage_org_programs(actor, venue.owner)


def can_approve_term(actor: Actor, term: Any) -> bool:
    """A union admin of the host's parent or any union above it; never the host itself."""
    return actor.is_admin and strictly_below(actor, term.program.host)


def can_review_evidence(actor: Actor, term: Any) -> bool:
    return actor.has_role(REVIEW_ROLES) and strictly_below(actor, term.program.host)


def can_rejudge_term(actor: Actor, term: Any) -> bool:
    return can_manage_term(actor, term) or can_approve_term(actor, term)


def can_manage_standard(actor: Actor, org: Org) -> bool:
    """A union down to the county level keeps its own standard."""
    return actor.is_admin and covers(actor, org) and org.level < Level.GRASSROOTS


def can_edit_calendar(actor: Actor) -> bool:
    """The calendar is national: admins of the national union or of a province keep it."""
    org = actor.org
    return actor.is_admin and org is not None and org.level <= Level.PROVINCE


# Lifecycle actions a page or API client may offer, by the term's status (services/lifecycle).
_HOST_ACTIONS = {
    "draft": ("submit",),
    "rejected": ("redraft",),
    "approved": ("open_enrolment", "start"),
    "enrolling": ("start",),
    "running": ("close",),
}
_APPROVER_ACTIONS = {"submitted": ("approve", "reject")}


def term_transitions(actor: Actor, term: Any) -> list[str]:
    """The lifecycle actions `actor` may take on `term` now (the services decide for real)."""
    actions: list[str] = []
    if can_manage_term(actor, term):
        actions += _HOST_ACTIONS.get(term.status, ())
    if can_approve_term(actor, term):
        actions += _APPROVER_ACTIONS.get(term.status, ())
    return actions
