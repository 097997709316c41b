"""Applying for a term: first come, first served seats, the waitlist, lottery applications.

First come, first served: the seat is taken at submission with a conditional UPDATE of the
term's pool (and of the first fitting group's pool), so the parent learns at once whether
the child is admitted or waitlisted, and concurrent requests can neither oversell nor leave
a seat unsold (see seats.py). Lottery terms store the application until the draw.

One active application per child and term is guaranteed by the partial unique constraint
`one_active_enrolment_per_child_and_term`; a double submission that slips past the checks
ends there and is answered "already applied".
"""

import hashlib
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoguan.accounts.models import Child
from tuoguan.audit.context import with_reason
from tuoguan.orgs.permissions import Actor, require
from tuoguan.programs.models import EnrolMode, Group, Program, TargetGroup, Term
from tuoguan.programs.permissions import can_manage_term

from ..models import ACTIVE_STATUSES, Draw, Enrolment, EnrolmentRules, EnrolmentStatus
from ..permissions import can_manage_enrolment
from ..selectors import waitlist_position
from . import idempotency, notices
from .eligibility import (
    Refusal,
    check_eligibility,
    groups_fitting,
    join_request_needed,
    rules_for,
)
from .paperwork import enrolment_sync_confirmation
from .seats import Pools, seat_pools_ensure, seat_take, term_pool_lock

SOURCES = ("online", "paper", "manual")
MAX_SIBLING_KEY = 40


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


def next_waitlist_rank(term: Term) -> int:
    """The next rank of the term; call with the term's pool locked (seats.term_pool_lock)."""
    top = Enrolment.objects.filter(term=term).aggregate(top=Max("waitlist_rank"))["top"]
    return int(top or 0) + 1


def _seat_or_waitlist(
    enrolment: Enrolment, pools: Pools, fitting: list[Group], has_groups: bool
) -> None:
    now = timezone.now()
    taken, group = seat_take(pools, fitting, has_groups)
    if not taken:
        term_pool_lock(enrolment.term)
        # Under the lock the counts are stable: a seat freed since the first attempt, which
        # nobody on the waitlist could take, goes to this applicant.
        taken, group = seat_take(pools, fitting, has_groups)
    enrolment.decided_at = now
    if taken:
        enrolment.status, enrolment.group = EnrolmentStatus.ADMITTED, group
    else:
        enrolment.status = EnrolmentStatus.WAITLISTED
        enrolment.waitlist_rank = next_waitlist_rank(enrolment.term)


def _allocate(enrolment: Enrolment, groups: list[Group]) -> None:
    term = enrolment.term
    if term.enrol_mode == EnrolMode.LOTTERY:
        enrolment.status = EnrolmentStatus.APPLIED
        enrolment.save()
        return
    pools = seat_pools_ensure(term, groups)
    if pools.grew:
        # New places go to the waitlist before anyone who arrives now.
        from .offers import offers_dispatch

        offers_dispatch(term=term)
        pools = seat_pools_ensure(term, groups)
    fitting = groups_fitting(groups, enrolment.child, term)
    _seat_or_waitlist(enrolment, pools, fitting, bool(groups))
    enrolment.save()


def _apply_fingerprint(child: Child, term: Term) -> str:
    return hashlib.sha256(f"enrolment_apply:{child.pk}:{term.pk}".encode()).hexdigest()


def _replay(actor: Actor, key: str | None, child: Child, term: Term) -> Enrolment | None:
    if not key:
        return None
    stored = idempotency.service_replay(
        user=actor.user, key=key, fingerprint=_apply_fingerprint(child, term)
    )
    if stored is None:
        return None
    return Enrolment.objects.select_related("term", "child", "guardian__user").get(
        pk=stored["enrolment"]
    )


def _check_actor(actor: Actor, child: Child, term: Term, source: str) -> None:
    if source not in SOURCES:
        raise ValidationError({"source": _("Unknown source of the application.")})
    if child.guardian.user_id == actor.user.pk:
        return
    # Nobody signs up someone else's child (DOMAIN §4); the host's staff enter paper forms.
    if source == "online" or not can_manage_term(actor, term):
        raise Http404


@transaction.atomic
def enrolment_apply(
    *,
    actor: Actor,
    child: Child,
    term: Term,
    priority_groups: Iterable[str] = (),
    sibling_key: str = "",
    keep_together: bool = False,
    idempotency_key: str | None = None,
    source: str = "online",
) -> Enrolment:
    """Apply for a term: admitted or waitlisted at once (first come), or applied (lottery).

    Raises EligibilityError listing every rule failed, ValidationError for bad input or a
    second application, Http404 for a child outside the actor's family. With
    `idempotency_key`, a retry returns the enrolment the first call made.
    """
    term = Term.objects.select_related("program__host", "province").get(pk=term.pk)
    child = Child.objects.select_related("guardian__employer", "guardian__user").get(pk=child.pk)
    _check_actor(actor, child, term, source)
    replayed = _replay(actor, idempotency_key, child, term)
    if replayed is not None:
        return replayed
    guardian = child.guardian
    claimed = _clean_priority_groups(term.program, priority_groups)
    groups = list(term.groups.order_by("pk"))
    refusals = check_eligibility(term=term, child=child, guardian=guardian, groups=groups)
    if refusals:
        raise EligibilityError(refusals)
    rules = rules_for(term)
    enrolment = Enrolment(
        term=term,
        child=child,
        guardian=guardian,
        priority_groups=claimed,
        priority_tier=tier_of(claimed, priority_tiers(rules, term.program)),
        sibling_key=_clean_sibling_key(sibling_key),
        keep_together=bool(keep_together),
        join_request=join_request_needed(rules=rules, guardian=guardian),
        source=source,
        province=term.province,
    )
    try:
        with transaction.atomic():
            _allocate(enrolment, groups)
    except IntegrityError:
        replayed = _replay(actor, idempotency_key, child, term)
        if replayed is not None:
            return replayed
        if Enrolment.objects.filter(child=child, term=term, status__in=ACTIVE_STATUSES).exists():
            raise already_applied_error(child) from None
        raise
    if idempotency_key:
        idempotency.service_remember(
            user=actor.user,
            key=idempotency_key,
            fingerprint=_apply_fingerprint(child, term),
            response={"enrolment": enrolment.pk},
        )
    return _announce(enrolment)


def _announce(enrolment: Enrolment) -> Enrolment:
    if enrolment.status == EnrolmentStatus.ADMITTED:
        # No confirmation check here: the agreement is signed per enrolment, so a new
        # application is never complete; each paperwork write confirms it later. On
        # enrolment morning the check cost a fifth of the request's CPU.
        notices.tell_admitted(enrolment)
    elif enrolment.status == EnrolmentStatus.WAITLISTED:
        notices.tell_waitlisted(enrolment, waitlist_position(enrolment))
    else:
        notices.tell_received(enrolment)
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
