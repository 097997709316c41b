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
from django.urls import reverse
from rest_framework.test import APIClient

from tuoguan.accounts import services as people
from tuoguan.enrolment.models import Enrolment, EnrolmentStatus, SeatPool
from tuoguan.enrolment.services import enrolment_apply
from tuoguan.orgs.permissions import actor_for
from tuoguan.testing import build_personas

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


@override_settings(TUOGUAN_NOTIFY_CHANNELS=[])
class TwinRequestTest(TransactionTestCase):
    """A double tap: two requests with one Idempotency-Key arrive at the same moment."""

    def test_two_simultaneous_requests_with_one_key_make_one_enrolment_and_one_answer(
        self,
    ) -> None:
        if connection.vendor == "sqlite":
            self.skipTest("needs concurrent writers: PostgreSQL")
        p = build_personas()
        term = open_term(p, capacity=5)
        _token, key = people.token_issue(user=p.parent, name="twin")
        url = reverse("enrolment-apply", kwargs={"term_id": term.pk})
        start = threading.Barrier(2)
        answers: list[Any] = []

        def send() -> None:
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
            start.wait()
            try:
                body = {"child": p.child_one.pk}
                answers.append(client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="t"))
            finally:
                connections.close_all()

        threads = [threading.Thread(target=send) for _twin in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        self.assertEqual([a.status_code for a in answers], [201, 201])
        self.assertEqual(answers[0].json(), answers[1].json())
        self.assertEqual(Enrolment.objects.filter(term=term, child=p.child_one).count(), 1)
        self.assertEqual(SeatPool.objects.get(term=term, group=None).taken, 1)
