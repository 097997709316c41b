"""Seat counters: one `SeatPool` per term (group null) and one per group.

A seat is taken with a conditional UPDATE (`taken < capacity`), which the database applies
atomically, so two requests can never take the last seat twice; the CHECK constraints on
`SeatPool` refuse overbooking and negative counts as a last line.

Lock order, to keep PostgreSQL free of deadlocks: every write that moves seats or changes
the waitlist of a term first locks (or conditionally updates) that term's pool row, then
touches group pools and enrolment rows. So all such writes of one term run one at a time,
which is what makes "freed seat → next child on the waitlist" exact.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import F, Value
from django.db.models.functions import Greatest

from tuoguan.programs.models import Group, Term

from .. import fastpath
from ..fastpath import pool_give_back, pool_take
from ..models import Enrolment, SeatPool


@dataclass
class Pools:
    term_pool: SeatPool
    group_pools: dict[int, SeatPool] = field(default_factory=dict)
    # Capacity went up since the pools were last synced: seats to offer to the waitlist.
    grew: bool = False


def _wanted_capacities(term: Term, groups: Iterable[Group]) -> dict[int | None, int]:
    wanted: dict[int | None, int] = {None: term.capacity}
    for group in groups:
        wanted[group.pk] = group.capacity
    return wanted


def seat_pools_ensure(term: Term, groups: list[Group] | None = None) -> Pools:
    """The term's pools, created if missing (race-safe) and synced with the capacities.

    A capacity lowered below the seats already taken stops at the seats taken: nobody
    loses a seat because the term shrank, and no new seat is sold until it fits again.
    """
    if groups is None:
        groups = list(term.groups.all())
    wanted = _wanted_capacities(term, groups)
    pools = {pool.group_id: pool for pool in SeatPool.objects.filter(term=term)}
    missing = [
        SeatPool(term=term, group_id=group_id, capacity=capacity)
        for group_id, capacity in wanted.items()
        if group_id not in pools
    ]
    if missing:
        # Two first requests may both get here; the partial unique constraints keep one row.
        SeatPool.objects.bulk_create(missing, ignore_conflicts=True)
        pools = {pool.group_id: pool for pool in SeatPool.objects.filter(term=term)}
    grew = False
    for group_id, capacity in wanted.items():
        pool = pools[group_id]
        if pool.capacity != capacity:
            grew = grew or capacity > pool.capacity
            SeatPool.objects.filter(pk=pool.pk).update(
                capacity=Greatest(Value(capacity), F("taken"))
            )
            pool.refresh_from_db()
    return Pools(
        term_pool=pools[None],
        group_pools={gid: pool for gid, pool in pools.items() if gid is not None},
        grew=grew,
    )


def term_pool_lock(term: Term) -> SeatPool:
    """Lock the term's pool row: serialises seat and waitlist changes of one term."""
    pool = SeatPool.objects.select_for_update().filter(term=term, group__isnull=True).first()
    if pool is None:
        seat_pools_ensure(term)
        pool = SeatPool.objects.select_for_update().get(term=term, group__isnull=True)
    return pool


def waitlist_rank_take(term_id: int) -> tuple[int, int]:
    """Hand out the term's next waitlist rank; returns it and the term's free seats as the
    lock found them (the draw continues the same counter in bulk).

    The UPDATE locks the term's pool row, so it follows the lock order above and serialises
    with every other seat or waitlist change of the term.
    """
    row = fastpath.waitlist_rank_next(term_id)
    if row is None:
        seat_pools_ensure(Term.objects.get(pk=term_id))
        row = fastpath.waitlist_rank_next(term_id)
    assert row is not None  # noqa: S101 - the pool exists now
    return int(row[0]), int(row[1])


def seat_take(pools: Pools, fitting: list[Group], has_groups: bool) -> tuple[bool, Group | None]:
    """Take a term seat and, when the term has groups, a seat in the first fitting group
    with room; both or neither."""
    if not pool_take(pools.term_pool.pk):
        return False, None
    if not has_groups:
        return True, None
    for group in fitting:
        pool = pools.group_pools.get(group.pk)
        if pool is not None and pool_take(pool.pk):
            return True, group
    pool_give_back(pools.term_pool.pk)
    return False, None


def seat_release(enrolment: Enrolment) -> None:
    """Give back the seat an admitted, confirmed or offered enrolment held."""
    pool_give_back(SeatPool.objects.get(term_id=enrolment.term_id, group__isnull=True).pk)
    if enrolment.group_id is not None:
        pool = SeatPool.objects.filter(term_id=enrolment.term_id, group_id=enrolment.group_id)
        pool.filter(taken__gt=0).update(taken=F("taken") - 1)
