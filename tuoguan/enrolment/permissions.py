"""Who may see and act on enrolments and draws, built on `orgs.permissions`.

* A parent sees their own family's enrolments and acts on them (withdraw, answer offers).
* Staff whose membership covers the term's host union read the roster
  (`ROSTER_READER_ROLES`); the host's admins and class managers (`programs` HOST_ROLES)
  also remove, admit and run draws. A caregiver reads only: 403 on those actions.
* Anyone else: the enrolment does not exist for them (404).
"""

from typing import Any

from django.db.models import Exists, OuterRef, Q

from tuoguan.orgs.models import Role
from tuoguan.orgs.permissions import Actor, subtree_q
from tuoguan.programs.permissions import can_manage_term

from .models import Enrolment

# Roles that read a term's roster within their subtree (volunteers do not).
ROSTER_READER_ROLES = frozenset(
    {Role.UNION_ADMIN, Role.PROGRAM_MANAGER, Role.CAREGIVER, Role.INSPECTOR, Role.REVIEWER}
)


def enrolments_visible_q(actor: Actor) -> Q:
    own = Q(guardian__user=actor.user)
    if actor.has_role(ROSTER_READER_ROLES):
        return own | subtree_q(actor, "term__program__host__path")
    return own


def is_family(actor: Actor, enrolment: Enrolment) -> bool:
    """The enrolment is of the actor's own child (the guardian is the actor)."""
    return bool(enrolment.guardian.user_id == actor.user.pk)


def can_manage_enrolment(actor: Actor, enrolment: Enrolment) -> bool:
    """Remove, admit by hand, check priority claims: the host's admins and class managers."""
    return can_manage_term(actor, enrolment.term)


def can_run_draw(actor: Actor, term: Any) -> bool:
    return can_manage_term(actor, term)


def draws_visible_q(actor: Actor) -> Q:
    """Staff of the host's line, and families with an application in the term."""
    family = Exists(Enrolment.objects.filter(term=OuterRef("term"), guardian__user=actor.user))
    if actor.has_role(ROSTER_READER_ROLES):
        return subtree_q(actor, "term__program__host__path") | Q(family)
    return Q(family)
