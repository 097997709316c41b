"""Freed seats and the waitlist: withdrawals, removals, offers, their answers and expiry.

When a seat frees (a seated child withdraws or is removed, an offer is declined or expires,
capacity grows), `offers_dispatch` gives it to the next eligible child on the waitlist as an
`Offer` that holds the seat (the seat stays taken) until it expires after
`rules.offer_hours`. Accepting admits the child; declining or letting it expire lapses the
application and the seat passes on.

No seat is offered twice: every change of a term's seats runs under the lock of its seat
pool (seats.py), an open offer holds a counted seat, and the database allows one open offer
per enrolment and never more seats taken than capacity.
"""

import datetime
import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoguan.audit.context import with_reason
from tuoguan.orgs.permissions import Actor, require
from tuoguan.programs.models import Group, Term, TermStatus

from ..models import ACTIVE_STATUSES, SEATED_STATUSES, Enrolment, EnrolmentStatus, Offer
from ..permissions import can_manage_enrolment, is_family
from . import notices
from .eligibility import group_fits, rules_for
from .lottery import assign_groups
from .paperwork import enrolment_sync_confirmation
from .seats import pool_give_back, pool_take, seat_pools_ensure, seat_release, term_pool_lock

logger = logging.getLogger(__name__)

# Offers go out while a term still takes children.
OFFERING_STATUSES = (TermStatus.ENROLLING, TermStatus.RUNNING)
# The "offer expiring soon" reminder goes this long before the deadline (once).
REMIND_BEFORE = datetime.timedelta(hours=6)


def _units(waiting: list[Enrolment]) -> list[list[Enrolment]]:
    """Waiting enrolments in rank order; siblings who asked to stay together form one unit."""
    sets: dict[tuple[int, str], list[Enrolment]] = {}
    units: list[list[Enrolment]] = []
    for enrolment in waiting:
        if enrolment.keep_together and enrolment.sibling_key:
            key = (enrolment.guardian_id, enrolment.sibling_key)
            if key in sets:
                sets[key].append(enrolment)
                continue
            sets[key] = [enrolment]
            units.append(sets[key])
        else:
            units.append([enrolment])
    return units


def _fitting_ids(groups: list[Group], enrolment: Enrolment, term: Term) -> list[int]:
    child = enrolment.child
    return [
        g.pk
        for g in groups
        if group_fits(g, birth_date=child.birth_date, grade=child.grade, on=term.start_date)
    ]


def _offer_unit(unit: list[Enrolment], groups: list[int | None], hours: int) -> list[Offer]:
    now = timezone.now()
    offers = []
    for enrolment, group_id in zip(unit, groups, strict=True):
        enrolment.status, enrolment.group_id = EnrolmentStatus.OFFERED, group_id
        enrolment.decided_at = now
        enrolment.save()
        offer = Offer(enrolment=enrolment, expires_at=now + datetime.timedelta(hours=hours))
        offer.save()
        notices.tell_offered(offer)
        offers.append(offer)
    return offers


def _take_unit(pools: Any, groups: list[int | None]) -> bool:
    """Take the seats a unit needs; all or none (the term's pool is locked by the caller)."""
    taken: list[int] = []
    for pool_id in [pools.term_pool.pk] * len(groups) + [
        pools.group_pools[g].pk for g in groups if g is not None
    ]:
        if not pool_take(pool_id):
            for done in taken:
                pool_give_back(done)
            return False
        taken.append(pool_id)
    return True


def offers_dispatch(*, term: Term) -> list[Offer]:
    """Offer the term's free seats to the waitlist, in order; call inside the transaction that
    freed them. Units that cannot be seated (no fitting group with room, a sibling set
    larger than the seats left, consent withdrawn) keep their place and are passed over."""
    term = Term.objects.select_related("program").get(pk=term.pk)
    if term.status not in OFFERING_STATUSES:
        return []
    term_pool_lock(term)
    groups = list(term.groups.order_by("pk"))
    pools = seat_pools_ensure(term, groups)
    free = pools.term_pool.free
    if free <= 0:
        return []
    waiting = list(
        Enrolment.objects.filter(term=term, status=EnrolmentStatus.WAITLISTED)
        .select_related("child", "guardian__user", "term")
        .order_by("waitlist_rank", "pk")
    )
    group_free = {gid: pool.free for gid, pool in pools.group_pools.items()}
    hours = rules_for(term).offer_hours
    offers: list[Offer] = []
    for unit in _units(waiting):
        if free <= 0:
            break
        if len(unit) > free or not all(e.child.has_consent() for e in unit):
            continue
        chosen: list[int | None] = [None] * len(unit)
        if groups:
            assigned = assign_groups([_fitting_ids(groups, e, term) for e in unit], group_free)
            if assigned is None:
                continue
            chosen = list(assigned)
        if not _take_unit(pools, chosen):
            continue
        for group_id in chosen:
            if group_id is not None:
                group_free[group_id] -= 1
        free -= len(unit)
        offers += _offer_unit(unit, chosen, hours)
    return offers


@transaction.atomic
def enrolment_capacity_sync(*, term: Term) -> list[Offer]:
    """After the term's or a group's capacity changed: sync the pools, offer new seats."""
    term_pool_lock(term)
    seat_pools_ensure(term)
    return offers_dispatch(term=term)


# --- Leaving ----------------------------------------------------------------------------------


def _locked_enrolment(enrolment: Enrolment) -> Enrolment:
    """Lock the term's pool, then the enrolment row (the lock order of seats.py)."""
    term_pool_lock(enrolment.term)
    return (
        Enrolment.objects.select_for_update()
        .select_related("term__program__host", "child", "guardian__user")
        .get(pk=enrolment.pk)
    )


def _leave(enrolment: Enrolment, status: str, offer_status: str, reason: str = "") -> list[Offer]:
    """Move an active enrolment out; give back its seat and pass it on."""
    now = timezone.now()
    held = enrolment.status in SEATED_STATUSES
    for offer in Offer.objects.select_for_update().filter(
        enrolment=enrolment, status=Offer.Status.OPEN
    ):
        offer.status, offer.answered_at = offer_status, now
        offer.save()
    enrolment.status, enrolment.decided_at = status, now
    if reason:
        enrolment.reason = reason
    enrolment.save()
    if not held:
        return []
    seat_release(enrolment)
    return offers_dispatch(term=enrolment.term)


@transaction.atomic
def enrolment_withdraw(*, actor: Actor, enrolment: Enrolment) -> Enrolment:
    """The parent withdraws an application or gives up a seat; the seat passes on."""
    require(is_family(actor, enrolment))
    enrolment = _locked_enrolment(enrolment)
    if enrolment.status not in ACTIVE_STATUSES:
        raise ValidationError(_("This application is no longer active."), code="inactive")
    _leave(enrolment, EnrolmentStatus.WITHDRAWN, Offer.Status.CANCELLED)
    return enrolment


@transaction.atomic
def enrolment_remove(*, actor: Actor, enrolment: Enrolment, reason: str) -> Enrolment:
    """The union removes an application or a seated child, with a reason the parent is told."""
    require(can_manage_enrolment(actor, enrolment))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Give a reason; the parent is told and it is kept in the audit log.")}
        )
    if len(reason) > 500:
        raise ValidationError({"reason": _("Keep the reason under 500 characters.")})
    enrolment = _locked_enrolment(enrolment)
    if enrolment.status not in ACTIVE_STATUSES:
        raise ValidationError(_("This application is no longer active."), code="inactive")
    with with_reason(reason):
        _leave(enrolment, EnrolmentStatus.REMOVED, Offer.Status.CANCELLED, reason)
    notices.tell_removed(enrolment, reason)
    return enrolment


# --- Answering an offer -----------------------------------------------------------------------


def _open_offer(enrolment: Enrolment) -> Offer:
    offer = (
        Offer.objects.select_for_update()
        .filter(enrolment=enrolment, status=Offer.Status.OPEN)
        .first()
    )
    if offer is None or enrolment.status != EnrolmentStatus.OFFERED:
        raise ValidationError(_("There is no open offer for this application."), code="no_offer")
    return offer


@transaction.atomic
def offer_accept(*, actor: Actor, enrolment: Enrolment) -> Enrolment:
    """Take the offered seat: the child is admitted (confirmed once the paperwork is done)."""
    require(is_family(actor, enrolment))
    enrolment = _locked_enrolment(enrolment)
    offer = _open_offer(enrolment)
    now = timezone.now()
    if offer.expires_at <= now:
        raise ValidationError(_("This offer has expired."), code="expired")
    offer.status, offer.answered_at = Offer.Status.ACCEPTED, now
    offer.save()
    enrolment.status, enrolment.decided_at = EnrolmentStatus.ADMITTED, now
    enrolment.save()
    enrolment = enrolment_sync_confirmation(enrolment=enrolment)
    notices.tell_admitted(enrolment)
    return enrolment


@transaction.atomic
def offer_decline(*, actor: Actor, enrolment: Enrolment) -> Enrolment:
    """Turn the offer down; the application lapses and the seat passes on."""
    require(is_family(actor, enrolment))
    enrolment = _locked_enrolment(enrolment)
    _open_offer(enrolment)
    _leave(enrolment, EnrolmentStatus.LAPSED, Offer.Status.DECLINED)
    return enrolment


# --- Expiry and reminders (run by `manage.py housekeeping`, the task or `expire_offers`) --------


def _skip_locked(queryset: Any) -> Any:
    if connection.features.has_select_for_update_skip_locked:
        return queryset.select_for_update(skip_locked=True)
    return queryset.select_for_update()


def _expire_one(offer_id: int, term_id: int, now: datetime.datetime) -> bool:
    with transaction.atomic():
        term_pool_lock(Term.objects.get(pk=term_id))
        offer = (
            _skip_locked(
                Offer.objects.filter(pk=offer_id, status=Offer.Status.OPEN, expires_at__lte=now)
            )
            .select_related("enrolment__term", "enrolment__child", "enrolment__guardian__user")
            .first()
        )
        if offer is None:
            return False  # answered, or handled by another worker meanwhile
        enrolment = offer.enrolment
        if enrolment.status != EnrolmentStatus.OFFERED:
            offer.status = Offer.Status.CANCELLED
            offer.save()
            return False
        _leave(enrolment, EnrolmentStatus.LAPSED, Offer.Status.EXPIRED)
        notices.tell_lapsed(enrolment)
        return True


def offers_expire(now: datetime.datetime | None = None) -> int:
    """Lapse every open offer past its deadline and pass its seat on; safe to run often and
    from several workers at once. Returns how many offers expired."""
    now = now or timezone.now()
    due = list(
        Offer.objects.filter(status=Offer.Status.OPEN, expires_at__lte=now)
        .order_by("expires_at", "pk")
        .values_list("pk", "enrolment__term_id")[:1000]
    )
    return sum(1 for offer_id, term_id in due if _expire_one(offer_id, term_id, now))


def offers_remind(now: datetime.datetime | None = None) -> int:
    """Send "offer expiring soon" once per offer, `REMIND_BEFORE` its deadline."""
    now = now or timezone.now()
    soon = Offer.objects.filter(
        status=Offer.Status.OPEN,
        reminded_at__isnull=True,
        expires_at__gt=now,
        expires_at__lte=now + REMIND_BEFORE,
    ).select_related("enrolment__term", "enrolment__child", "enrolment__guardian__user")
    sent = 0
    for offer in soon:
        if offer.expires_at - offer.created_at <= REMIND_BEFORE:
            continue  # a short offer: the offer message itself said how little time is left
        with transaction.atomic():
            # The conditional update makes the reminder go once even with two workers.
            if Offer.objects.filter(pk=offer.pk, reminded_at__isnull=True).update(reminded_at=now):
                notices.tell_offer_expiring(offer)
                sent += 1
    return sent


def offers_housekeeping(now: datetime.datetime | None = None) -> dict[str, int]:
    """Lapse offers past their deadline (the seat passes on) and send the 6-hour reminders."""
    now = now or timezone.now()
    return {"expired": offers_expire(now), "reminded": offers_remind(now)}
