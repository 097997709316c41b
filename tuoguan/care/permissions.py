"""Who may act at the door, built on `orgs.permissions` and `programs.permissions`.

* The host's admins and class managers (programs HOST_ROLES, and the unions above whose
  admins run the host's classes) act on every group of the host's terms.
* A caregiver acts only on the groups of terms they are on the staff roster of (TermStaff);
  a caregiver of the same union who is not on the roster sees the group (403).
* Overrides of a flagged health check and corrections belong to the class's managers.
* Anyone else: the group does not exist for them (404). Families see only their own child.
"""

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from tuoguan.orgs.permissions import Actor, subtree_q
from tuoguan.programs.models import StaffRole, TermStaff
from tuoguan.programs.permissions import HOST_ROLES, can_manage_program, can_manage_term

from .models import IncidentNotice


def roster_entries(term: Any, user: Any) -> QuerySet[TermStaff]:
    """The user's entries on the term's staff roster (`term` may be an OuterRef)."""
    return TermStaff.objects.filter(term=term, user=user)


def care_groups_q(actor: Actor) -> Q:
    """Groups the actor can open: their subtree's, and those of terms they are rostered on."""
    rostered = Exists(roster_entries(OuterRef("term"), actor.user))
    return subtree_q(actor, "term__program__host__path") | Q(rostered)


def care_work_q(actor: Actor) -> Q:
    """Groups the actor works in: the host line's for its managers, else those rostered on.
    The API's lists and records read these (a reviewer of the subtree reads none)."""
    rostered = Exists(roster_entries(OuterRef("term"), actor.user))
    if actor.has_role(HOST_ROLES):
        return subtree_q(actor, "term__program__host__path") | Q(rostered)
    return Q(rostered)


def is_rostered(actor: Actor, term: Any, *, roles: tuple[str, ...] = ()) -> bool:
    staff = roster_entries(term, actor.user)
    if roles:
        staff = staff.filter(role__in=roles)
    return staff.exists()


def can_care(actor: Actor, term: Any, *, rostered: bool | None = None) -> bool:
    """Check children in and out, record health checks, clock in and out, close the day.
    `rostered`: whether the actor is on the term's roster, when the caller read it already
    (the check-in's facts, `selectors.check_in_facts`)."""
    if can_manage_term(actor, term):
        return True
    return is_rostered(actor, term) if rostered is None else rostered


def can_manage_care(actor: Actor, term: Any) -> bool:
    """Override a flagged check, correct attendance, notify parents of missing paperwork."""
    return can_manage_term(actor, term) or is_rostered(actor, term, roles=(StaffRole.MANAGER,))


def can_manage_kiosks(actor: Actor, program: Any) -> bool:
    return can_manage_program(actor, program)


def can_read_incident(actor: Actor, incident: Any) -> bool:
    """The class's carers and managers, the host line's admins, and everyone who was told."""
    if can_care(actor, incident.term):
        return True
    return IncidentNotice.objects.filter(incident=incident, recipient=actor.user).exists()


def can_remove_photo(actor: Actor, photo: Any) -> bool:
    """A photo of the day: its author (still caring for the group) or the class's managers."""
    term = photo.group.term
    if photo.posted_by_id == actor.user.pk and can_care(actor, term):
        return True
    return can_manage_care(actor, term)
