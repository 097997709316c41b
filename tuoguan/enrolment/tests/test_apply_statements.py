"""The statements of one online application on enrolment morning (bench/README.md).

Counted on PostgreSQL, where the rush is measured: each round trip to the database is CPU
on both sides, so a statement that creeps back onto the path fails here.
"""

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from tuoguan.accounts import services as people
from tuoguan.enrolment.models import EnrolmentStatus
from tuoguan.testing import PersonaTestCase

from .allocation_support import apply, family, open_term
from .test_api_enrolments import apply_url

# Savepoints are the test case's own transaction around each test, not the request's.
_FRAMING = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


def statements(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if not q["sql"].startswith(_FRAMING)]


class ApplyStatementsTest(PersonaTestCase):
    def setUp(self) -> None:
        if connection.vendor != "postgresql":
            self.skipTest("counted where the rush runs: PostgreSQL")
        self.term = open_term(self.p, capacity=2)
        # The first application of a term makes its rules and seat pools: a morning's
        # terms have them already.
        apply(self.p, self.term, family(self.p, 1)[2])
        _token, key = people.token_issue(user=self.p.parent, name="test")
        self.client_ = APIClient()
        self.client_.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")

    def send(self, child: Any, key: str) -> tuple[Any, list[str]]:
        with CaptureQueriesContext(connection) as queries:
            response = self.client_.post(
                apply_url(self.term), {"child": child.pk}, format="json", HTTP_IDEMPOTENCY_KEY=key
            )
        return response, statements(queries)

    def test_an_admitted_application_costs_four_statements(self) -> None:
        response, sent = self.send(self.p.child_one, "k-1")
        self.assertEqual(response.json()["status"], EnrolmentStatus.ADMITTED)
        # The token, the facts, the seat, and the row with its audit entry, the inbox
        # notice and the stored answer in one statement.
        self.assertEqual(len(sent), 4, "\n".join(sent))

    def test_a_waitlisted_application_costs_six_statements(self) -> None:
        apply(self.p, self.term, family(self.p, 2)[2])
        response, sent = self.send(self.p.child_one, "k-2")
        self.assertEqual(response.json()["status"], EnrolmentStatus.WAITLISTED)
        # The seat tried, the rank taken and the position counted in place of the seat.
        self.assertEqual(len(sent), 6, "\n".join(sent))
