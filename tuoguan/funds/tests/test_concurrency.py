"""Fifty grant approvals at the same second never commit more than the budget.

Real threads with their own connections (TransactionTestCase). On PostgreSQL each approval
waits for the union-year row; on SQLite's shared in-memory database "locked" is retried.
"""

import threading
import time
from typing import Any

from django.db import OperationalError, connection, connections
from django.test import TransactionTestCase, override_settings

from tuoguan.funds import services
from tuoguan.funds.models import BudgetYear, Grant, GrantStatus
from tuoguan.programs.tests.factories import make_program
from tuoguan.testing import build_personas

from .factories import YEAR, actor, budget, grant


def approve_retrying_locks(user: Any, pk: int) -> str:
    deadline = time.monotonic() + 60
    while True:
        try:
            services.grant_approve(actor=actor(user), grant=Grant.objects.get(pk=pk))
            return "approved"
        except OperationalError as exc:
            if connection.vendor != "sqlite" or "locked" not in str(exc):
                raise
            if time.monotonic() > deadline:
                raise
            time.sleep(0.005)


@override_settings(TUOGUAN_NOTIFY_CHANNELS=[])
class ConcurrentApprovalsTest(TransactionTestCase):
    def test_fifty_concurrent_approvals_never_exceed_the_budget(self) -> None:
        from django.core.exceptions import ValidationError

        p = build_personas()
        budget(p, 30_000 * 20)  # room for 20 of the 50
        program = make_program(p)
        pks = [grant(p, 30_000_00, program=program).pk for _ in range(50)]
        gate = threading.Semaphore(20)
        start = threading.Barrier(len(pks))
        outcomes: list[str] = []
        errors: list[BaseException] = []

        def one(pk: int) -> None:
            try:
                start.wait()
                with gate:
                    try:
                        outcomes.append(approve_retrying_locks(p.province_admin, pk))
                    except ValidationError:
                        outcomes.append("refused")
                    finally:
                        connections.close_all()
            except BaseException as exc:  # noqa: BLE001 - reported by the test
                errors.append(exc)

        threads = [threading.Thread(target=one, args=(pk,)) for pk in pks]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not errors, errors
        row = BudgetYear.objects.get(org=p.province, year=YEAR)
        approved = Grant.objects.filter(status=GrantStatus.APPROVED)
        assert outcomes.count("approved") == approved.count() == 20
        assert outcomes.count("refused") == 30
        assert row.committed_fen == sum(g.amount_fen for g in approved) == row.total_fen
