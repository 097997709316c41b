"""The seat counters' hand-written UPDATEs move seats exactly as the rule says, on both
databases: a seat only while one is free, never below zero, one waitlist rank per call."""

from django.db.models import F

from tuoguan.enrolment.fastpath import pool_give_back, pool_take, waitlist_rank_next
from tuoguan.enrolment.models import SeatPool
from tuoguan.enrolment.services import seat_pools_ensure
from tuoguan.testing import PersonaTestCase

from .allocation_support import open_term


class SeatCountersTest(PersonaTestCase):
    def _pool(self, capacity: int, taken: int) -> SeatPool:
        term = open_term(self.p, capacity=max(capacity, 1))
        seat_pools_ensure(term)
        pool = SeatPool.objects.get(term=term, group=None)
        SeatPool.objects.filter(pk=pool.pk).update(capacity=capacity)
        SeatPool.objects.filter(pk=pool.pk).update(taken=taken)
        return pool

    def test_a_take_succeeds_exactly_when_the_orm_rule_says_the_seats_are_free(self) -> None:
        for capacity, taken, count in [(3, 0, 1), (3, 2, 1), (3, 3, 1), (3, 2, 2), (0, 0, 1)]:
            pool = self._pool(capacity, taken)
            free = SeatPool.objects.filter(pk=pool.pk, taken__lte=F("capacity") - count).exists()
            assert pool_take(pool.pk, count) is free, (capacity, taken, count)
            pool.refresh_from_db()
            assert pool.taken == (taken + count if free else taken)

    def test_a_give_back_never_goes_below_zero(self) -> None:
        pool = self._pool(3, 1)
        pool_give_back(pool.pk, 2)
        pool.refresh_from_db()
        assert pool.taken == 1
        pool_give_back(pool.pk, 1)
        pool.refresh_from_db()
        assert pool.taken == 0

    def test_each_waitlist_rank_is_the_next_and_reports_the_free_seats(self) -> None:
        pool = self._pool(5, 2)
        assert waitlist_rank_next(pool.term_id) == (1, 3)
        assert waitlist_rank_next(pool.term_id) == (2, 3)
        pool.refresh_from_db()
        assert pool.waitlist_seq == 2

    def test_a_term_without_a_pool_has_no_rank_yet(self) -> None:
        pool = self._pool(5, 0)
        SeatPool.objects.filter(term_id=pool.term_id).delete()
        assert waitlist_rank_next(pool.term_id) is None
