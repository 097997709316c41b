"""Two caregivers tap the same child at the same moment (and a kiosk scans its code): one
check-in, whatever the timing — the unique constraint is the last line (PostgreSQL)."""

import threading
import unittest
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.test import TransactionTestCase

from tuoguan.care import services
from tuoguan.care.models import Attendance
from tuoguan.testing import build_personas

from .support import actor, confirmed, running_term


@unittest.skipUnless(connection.vendor == "postgresql", "real concurrency needs PostgreSQL")
class ConcurrentCheckInTests(TransactionTestCase):
    def test_eight_simultaneous_check_ins_of_one_child_make_one_attendance(self) -> None:
        p = build_personas()
        term = running_term(p)
        enrolment = confirmed(p, term, 1)
        start = threading.Barrier(8)
        outcomes: list[str] = []
        lock = threading.Lock()

        def one() -> None:
            try:
                start.wait()
                services.attendance_check_in(actor=actor(p.caregiver), enrolment=enrolment)
                result = "in"
            except ValidationError as exc:
                result = str(exc.code)
            except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                result = repr(exc)
            finally:
                connections.close_all()
            with lock:
                outcomes.append(result)

        threads: list[Any] = [threading.Thread(target=one) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(outcomes.count("in"), 1, outcomes)
        self.assertEqual(outcomes.count("already_checked_in"), 7, outcomes)
        self.assertEqual(Attendance.objects.filter(child=enrolment.child).count(), 1)
