"""Enrolment morning: many parents press "apply" at the same second for few seats.

Real threads, each with its own database connection (TransactionTestCase: the rows are
committed, so every connection sees them). The database must admit exactly as many
children as there are seats and waitlist everyone else exactly once, with distinct ranks.
"""

import threading
import time
from collections import Counter
from typing import Any

from django.db import OperationalError, connection, connections
from django.test import TransactionTestCase, override_settings

from tuoguan.core.testing import build_personas
from tuoguan.enrolment.models import Enrolment, EnrolmentStatus, SeatPool
from tuoguan.enrolment.services import enrolment_apply
from tuoguan.orgs.permissions import actor_for

from .allocation_support import families_bulk, open_term

S = EnrolmentStatus


def apply_retrying_locks(user: Any, child: Any, term: Any) -> None:
    """Apply; on SQLite's shared in-memory test database retry "table is locked".

    A file database waits for the writer (busy timeout); the shared-cache memory database
    of the tests answers "locked" at once instead. Each attempt is one whole transaction,
    rolled back on failure, so retrying is what the busy timeout does.
    """
    deadline = time.monotonic() + 60
    while True:
        try:
            enrolment_apply(actor=actor_for(user), child=child, term=term)
            return
        except OperationalError as exc:
            locked = connection.vendor == "sqlite" and "locked" in str(exc)
            if not locked or time.monotonic() > deadline:
                raise
            time.sleep(0.005)


def rush(term: Any, families: list[tuple[Any, Any]], parallel: int) -> list[BaseException]:
    """Every family applies from its own thread; at most `parallel` connections at once
    (PostgreSQL allows 100 connections by default, shared with other test runs)."""
    gate = threading.Semaphore(parallel)
    start = threading.Barrier(len(families))
    errors: list[BaseException] = []

    def one(user: Any, child: Any) -> None:
        try:
            start.wait()
            with gate:
                try:
                    apply_retrying_locks(user, child, term)
                finally:
                    connections.close_all()
        except BaseException as exc:  # noqa: BLE001 - collected and reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=one, args=pair) for pair in families]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


# The messages to parents are tested elsewhere; here they would only cost time.
@override_settings(TUOGUAN_NOTIFY_CHANNELS=[])
class RushTest(TransactionTestCase):
    def setUp(self) -> None:
        self.p = build_personas()

    def check_rush(self, applicants: int, seats: int, parallel: int) -> None:
        term = open_term(self.p, capacity=seats)
        families = families_bulk(self.p, applicants)
        errors = rush(term, families, parallel)
        self.assertEqual(errors, [])
        rows = list(
            Enrolment.objects.filter(term=term).values_list("child_id", "status", "waitlist_rank")
        )
        self.assertEqual(len(rows), applicants)
        self.assertEqual(Counter(child for child, _s, _r in rows).most_common(1)[0][1], 1)
        statuses = Counter(status for _c, status, _r in rows)
        self.assertEqual(statuses, {S.ADMITTED: seats, S.WAITLISTED: applicants - seats})
        ranks = [rank for _c, status, rank in rows if status == S.WAITLISTED]
        self.assertEqual(sorted(ranks), list(range(1, applicants - seats + 1)))
        self.assertEqual(SeatPool.objects.get(term=term, group=None).taken, seats)

    def test_300_concurrent_applications_for_50_seats_admit_exactly_50(self) -> None:
        if connection.vendor == "sqlite":
            # SQLite runs one writer at a time (IMMEDIATE transactions): fewer threads
            # keep the test short; the assertions are the same.
            self.check_rush(applicants=60, seats=12, parallel=6)
        else:
            self.check_rush(applicants=300, seats=50, parallel=24)
