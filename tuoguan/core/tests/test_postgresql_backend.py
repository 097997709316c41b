"""The PostgreSQL backend checks a persistent connection's health only when it has been idle:
one that served a request without an error a moment ago is taken as it is."""

from typing import Any
from unittest import mock, skipUnless

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.test import TransactionTestCase
from django.test.utils import CaptureQueriesContext

from tuoguan.core.postgresql import base

db: Any = connections[DEFAULT_DB_ALIAS]


@skipUnless(connection.vendor == "postgresql", "the PostgreSQL backend's own behaviour")
class HealthCheckTests(TransactionTestCase):
    def request(self) -> int:
        """One request's life as Django's signals drive it; the statements it ran."""
        db.close_if_unusable_or_obsolete()  # request_started
        with CaptureQueriesContext(db) as ran, db.cursor() as cursor:
            cursor.execute("SELECT 2")
        db.close_if_unusable_or_obsolete()  # request_finished
        return len(ran)

    def setUp(self) -> None:
        self.assertIsInstance(db, base.DatabaseWrapper)
        db.health_check_enabled = True
        self.addCleanup(setattr, db, "health_check_enabled", False)
        db.ensure_connection()
        db.close_at = None  # persistent, as in production (CONN_MAX_AGE)
        # As between two requests: the last one's end reset both.
        db.health_check_done, db.healthy_until = False, 0.0

    def test_an_idle_connection_is_checked_and_a_busy_one_is_not(self) -> None:
        with mock.patch.object(db, "is_usable", wraps=db.is_usable) as checked:
            self.request()
            self.assertEqual(checked.call_count, 1)
            for _ in range(3):
                self.request()
            self.assertEqual(checked.call_count, 1)
            with mock.patch.object(base.time, "monotonic", return_value=db.healthy_until):
                self.request()
            self.assertEqual(checked.call_count, 2)

    def test_after_an_error_a_broken_connection_is_closed_and_the_next_request_connects(self):
        self.request()
        db.errors_occurred = True
        with mock.patch.object(db, "is_usable", return_value=False) as checked:
            db.close_if_unusable_or_obsolete()  # the failed request's end
        self.assertEqual(checked.call_count, 1)
        self.assertIsNone(db.connection)
        self.assertEqual(db.healthy_until, 0.0)
        self.assertEqual(self.request(), 1)  # on a new connection
