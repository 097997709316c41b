"""Applying for a term: first come, first served seats, the waitlist, lottery applications.

First come, first served: the seat is taken at submission with a conditional UPDATE of the
term's pool (and of the first fitting group's pool), so the parent learns at once whether
the child is admitted or waitlisted, and concurrent requests can neither oversell nor leave
a seat unsold (see seats.py). Lottery terms store the application until the draw.

One active application per child and term is guaranteed by the partial unique constraint
`one_active_enrolment_per_child_and_term`; a double submission that slips past the checks
ends there and is answered "already applied".
"""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoguan.accounts.models import Child
from tuoguan.audit.context import with_reason
from tuoguan.orgs.permissions import Actor, require
from tuoguan.programs.models import EnrolMode, Group, Program, TargetGroup, Term
from tuoguan.programs.permissions import can_manage_term

from .. import fastpath
from ..fastpath import ApplyFacts, GroupPool, waitlist_position
from ..models import (
    MAX_SIBLING_KEY,
    Draw,
    Enrolment,
    EnrolmentRules,
    EnrolmentStatus,
    SeatPool,
)
from ..permissions import can_manage_enrolment
from . import notices
from .eligibility import (
    Refusal,
    check_eligibility,
    groups_fitting,
    join_request_needed,
    rules_for,
)
from .paperwork import enrolment_sync_confirmation
from .seats import Pools, seat_pools_ensure, seat_take, term_pool_lock, waitlist_rank_take

SOURCES = ("online", "paper", "manual")


class EligibilityError(ValidationError):
    """The application fails one or more rules; `refusals` says which and why."""

    def __init__(self, refusals: list[Refusal]) -> None:
        super().__init__([ValidationError(r.message, code=r.code) for r in refusals])
        self.refusals = refusals


def already_applied_error(child: Any) -> ValidationError:
    return ValidationError(
        _("%(child)s has already applied for this term.") % {"child": child.name},
        code="already_applied",
    )


# --- Priority tiers ---------------------------------------------------------------------------


def priority_tiers(rules: EnrolmentRules | None, program: Program) -> list[list[str]]:
    """The tiers served in order; by default one tier of the class's target groups."""
    if rules is not None and rules.priority_tiers:
        return [list(tier) for tier in rules.priority_tiers]
    targets = [g for g in (program.target_groups or []) if g != TargetGroup.ALL_MEMBERS]
    return [targets] if targets else []


def tier_of(claimed: Iterable[str], tiers: list[list[str]], rejected: bool = False) -> int:
    """Index of the first tier the applicant claims a group of; the last tier + 1 if none
    (or if the union rejected the claim)."""
    if not rejected:
        claimed_set = set(claimed)
        for index, tier in enumerate(tiers):
            if claimed_set & set(tier):
                return index
    return len(tiers)


def _clean_priority_groups(program: Program, value: Iterable[str]) -> list[str]:
    if isinstance(value, str) or not all(isinstance(v, str) for v in value):
        raise ValidationError({"priority_groups": _("Choose priority groups from the list.")})
    claimed = list(dict.fromkeys(value))
    offered = set(program.target_groups or [])
    unknown = [g for g in claimed if g not in TargetGroup.values or g not in offered]
    if unknown:
        raise ValidationError(
            {
                "priority_groups": _("This class gives no priority to: %(groups)s.")
                % {"groups": ", ".join(unknown)}
            }
        )
    return claimed


def _clean_sibling_key(value: str) -> str:
    value = (value or "").strip()
    if len(value) > MAX_SIBLING_KEY:
        raise ValidationError(
            {
                "sibling_key": _("A sibling set name has at most %(n)s characters.")
                % {"n": MAX_SIBLING_KEY}
            }
        )
    return value


# --- Seats and the waitlist ---------------------------------------------------------------


def _pools_for(term: Term, facts: ApplyFacts, groups: list[GroupPool]) -> Pools:
    """The term's pools. Capacity changes sync them (on_capacity_change); a term whose pools
    are missing or out of step (rows written around the services) is synced here."""
    in_step = facts.term_pool_capacity == term.capacity and all(
        g.pool_id is not None and g.pool_capacity == g.group.capacity for g in groups
    )
    if facts.term_pool_id is not None and in_step:
        return Pools(
            term_pool=SeatPool(pk=facts.term_pool_id, term_id=term.pk, capacity=term.capacity),
            group_pools={
                g.group.pk: SeatPool(pk=g.pool_id, term_id=term.pk, group_id=g.group.pk)
                for g in groups
            },
        )
    plain = [g.group for g in groups]
    pools = seat_pools_ensure(term, plain)
    if pools.grew:
        # New places go to the waitlist before anyone who arrives now.
        from .offers import offers_dispatch

        offers_dispatch(term=term)
        pools = seat_pools_ensure(term, plain)
    return pools


def _seat_or_waitlist(
    enrolment: Enrolment, pools: Pools, fitting: list[Group], has_groups: bool
) -> None:
    enrolment.decided_at = timezone.now()
    taken, group = seat_take(pools, fitting, has_groups)
    if not taken:
        # Taking a rank locks the term's pool. Under the lock the counts are stable: a seat
        # freed since the first attempt, which nobody on the waitlist could take, goes to
        # this applicant (the rank then stays unused: ranks only need to be ordered).
        rank, free = waitlist_rank_take(enrolment.term_id)
        if free > 0:
            taken, group = seat_take(pools, fitting, has_groups)
        if not taken:
            enrolment.status, enrolment.waitlist_rank = EnrolmentStatus.WAITLISTED, rank
            return
    enrolment.status, enrolment.group = EnrolmentStatus.ADMITTED, group


def _is_second_application(error: IntegrityError) -> bool:
    # The constraint's name on PostgreSQL, its columns on SQLite.
    text = str(error)
    return "one_active_enrolment_per_child_and_term" in text or (
        "enrolment_enrolment.child_id, enrolment_enrolment.term_id" in text
    )


def _allocate(enrolment: Enrolment, facts: ApplyFacts, groups: list[GroupPool]) -> None:
    """Take a seat or a waitlist rank (first come) or store the application (lottery).

    Runs in enrolment_apply's transaction, which takes no savepoint: a failure rolls back
    the caller's whole transaction, which is what every caller wants, and a savepoint costs
    two round trips per application.
    """
    term = enrolment.term
    if term.enrol_mode == EnrolMode.LOTTERY:
        enrolment.status = EnrolmentStatus.APPLIED
    else:
        pools = _pools_for(term, facts, groups)
        fitting = groups_fitting([g.group for g in groups], enrolment.child, term)
        _seat_or_waitlist(enrolment, pools, fitting, bool(groups))
    if enrolment.status == EnrolmentStatus.WAITLISTED:
        # Counted in a statement of its own, after the rank's UPDATE took the pool's lock:
        # under READ COMMITTED only a new statement sees the applications committed while
        # this one waited (a count inside that UPDATE would miss them). Before the INSERT,
        # which may then wait to go with the notice (the row itself is never counted).
        # What the serializer reads for the position, so the answer costs no second count.
        enrolment.waitlist_ahead = (waitlist_position(enrolment) or 1) - 1  # type: ignore[attr-defined]

    def refused(error: IntegrityError) -> Exception | None:
        return already_applied_error(enrolment.child) if _is_second_application(error) else None

    # PostgreSQL: with the id taken by the facts' query, the row and its entry may wait for
    # the notice and the stored answer, all four in one statement (core.rawsql).
    enrolment.pk = facts.new_id
    enrolment.insert_row(refused=refused)


def _facts_checked(actor: Actor, child_id: int, term_id: int, source: str) -> ApplyFacts:
    """The application's facts, once the actor may apply for this child and term.

    Nobody signs up someone else's child (DOMAIN §4): 404, as for a term the family cannot
    see (fastpath.term_open_to); the host's staff enter paper forms.
    """
    if source not in SOURCES:
        raise ValidationError({"source": _("Unknown source of the application.")})
    facts = fastpath.apply_facts(term_id=term_id, child_id=child_id)
    child, term = facts.child, facts.term
    if child is None:
        raise Http404
    if child.guardian.user_id == actor.user.pk:
        if source == "online" and not fastpath.term_open_to(term, child.guardian):
            raise Http404
        return facts
    if source == "online" or not can_manage_term(actor, term):
        raise Http404
    return facts


# The largest id a 64-bit column holds: a larger number names no row (and would overflow
# the database driver rather than match nothing, as the ORM's lookups do).
MAX_ID = 2**63 - 1


def _pk(value: Any) -> int:
    pk = getattr(value, "pk", value)
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < pk <= MAX_ID:
        raise Http404
    return pk


def enrolment_apply(
    *,
    actor: Actor,
    child: Child | int,
    term: Term | int,
    priority_groups: Iterable[str] = (),
    sibling_key: str = "",
    keep_together: bool = False,
    source: str = "online",
) -> Enrolment:
    """Apply for a term: admitted or waitlisted at once (first come), or applied (lottery).

    Raises EligibilityError listing every rule failed, ValidationError for bad input or a
    second application, Http404 for a child outside the actor's family or a term the family
    cannot see. Runs in the caller's transaction, or in one of its own.

    This is the request of enrolment morning (bench/README.md): its facts come in one query
    (fastpath.apply_facts), the rules are checked before any write, and the writes are a
    seat UPDATE (or a rank), the INSERT, its audit entry and the notice.
    """
    facts = _facts_checked(actor, _pk(child), _pk(term), source)
    found, term = facts.child, facts.term
    assert found is not None  # noqa: S101 - _facts_checked refused a missing child
    guardian = found.guardian
    claimed = _clean_priority_groups(term.program, priority_groups)
    sibling_key = _clean_sibling_key(sibling_key)
    groups = fastpath.apply_groups(term_id=term.pk) if facts.has_groups else []
    rules = rules_for(term)
    refusals = check_eligibility(
        term=term,
        child=found,
        guardian=guardian,
        groups=[g.group for g in groups],
        has_consent=facts.has_consent,
        # Other applications refuse this one only for the same term or overlapping dates,
        # or, where the union says so, in the same season.
        has_other_active=facts.has_overlapping
        or (rules.one_period_per_season and facts.has_other_active),
    )
    if refusals:
        raise EligibilityError(refusals)
    enrolment = Enrolment(
        term=term,
        child=found,
        guardian=guardian,
        priority_groups=claimed,
        priority_tier=tier_of(claimed, priority_tiers(rules, term.program)),
        sibling_key=sibling_key,
        keep_together=bool(keep_together),
        join_request=join_request_needed(rules=rules, guardian=guardian),
        source=source,
        province_id=term.province_id,
    )
    with transaction.atomic(savepoint=False):
        _allocate(enrolment, facts, groups)
        return _announce(enrolment)


def _announce(enrolment: Enrolment) -> Enrolment:
    """The reply in the parent's inbox now; by SMS or WeChat in housekeeping's next batch."""
    if enrolment.status == EnrolmentStatus.ADMITTED:
        # No confirmation check: a new application is never complete (the agreement is
        # signed per enrolment); each paperwork write confirms it later.
        notices.tell_admitted(enrolment, batched=True)
    elif enrolment.status == EnrolmentStatus.WAITLISTED:
        # Counted by _allocate, before the row was written.
        position = enrolment.waitlist_ahead + 1  # type: ignore[attr-defined]
        notices.tell_waitlisted(enrolment, position, batched=True)
    else:
        notices.tell_received(enrolment, batched=True)
    return enrolment


# --- Admin acts -----------------------------------------------------------------------------


def _reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason; it is kept in the audit log.")})
    if len(reason) > 500:
        raise ValidationError({"reason": _("Keep the reason under 500 characters.")})
    return reason


@transaction.atomic
def enrolment_admit_manually(*, actor: Actor, enrolment: Enrolment, reason: str) -> Enrolment:
    """Admit a waitlisted (or, before the draw, applied) child by hand, with a reason.

    Never beyond capacity: it takes a free seat (term and fitting group) or refuses.
    """
    require(can_manage_enrolment(actor, enrolment))
    reason = _reason(reason)
    term = Term.objects.select_related("program__host").get(pk=enrolment.term_id)
    term_pool_lock(term)
    enrolment = Enrolment.objects.select_related("child", "guardian__user", "term").get(
        pk=enrolment.pk
    )
    if enrolment.status not in (EnrolmentStatus.WAITLISTED, EnrolmentStatus.APPLIED):
        raise ValidationError(_("Only a waiting application can be admitted by hand."))
    if Draw.objects.filter(term=term, status=Draw.Status.RUNNING).exists():
        raise ValidationError(_("A draw of this term is running; wait for its outcome."))
    groups = list(term.groups.order_by("pk"))
    pools = seat_pools_ensure(term, groups)
    taken, group = seat_take(pools, groups_fitting(groups, enrolment.child, term), bool(groups))
    if not taken:
        raise ValidationError(
            _("No free place: every place of this term is taken or offered."), code="full"
        )
    enrolment.status, enrolment.group = EnrolmentStatus.ADMITTED, group
    enrolment.reason, enrolment.decided_at = reason, timezone.now()
    with with_reason(reason):
        enrolment.save()
    enrolment = enrolment_sync_confirmation(enrolment=enrolment)
    notices.tell_admitted(enrolment)
    return enrolment


@transaction.atomic
def enrolment_priority_check(*, actor: Actor, enrolment: Enrolment, accepted: bool) -> Enrolment:
    """The grassroots union checks a declared priority claim; a rejected claim drops the
    applicant to the last tier for the draw."""
    require(can_manage_enrolment(actor, enrolment))
    enrolment = (
        Enrolment.objects.select_for_update().select_related("term__program").get(pk=enrolment.pk)
    )
    enrolment.priority_checked_by = actor.user
    enrolment.priority_rejected = not accepted
    tiers = priority_tiers(rules_for(enrolment.term), enrolment.term.program)
    enrolment.priority_tier = tier_of(enrolment.priority_groups, tiers, not accepted)
    enrolment.save()
    return enrolment
