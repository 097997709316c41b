"""The notifications' hand-written SQL: every application on enrolment morning tells its
family (bench/README.md), so the inbox row and its deliveries are prepared INSERTs.

Each copy and the test that holds it equal to the ORM:

* `notification_insert`, `deliveries_insert`: the rows `Notification.objects.create` and
  `Delivery.objects.bulk_create` write (tuoguan/notifications/tests/test_fastpath.py).
* `notification_insert_later`: the same inbox row, queued to go in one statement with the
  caller's other inserts (`core.rawsql.insert_later`; tuoguan/notifications/tests/test_fastpath.py).
"""

from collections.abc import Callable
from typing import Any

from tuoguan.core import rawsql

from .models import Delivery, Notification


def notification_insert(values: dict[str, Any]) -> Any:
    return rawsql.insert(Notification, values)


def notification_insert_later(values: dict[str, Any], then: Callable[[Any], None]) -> None:
    rawsql.insert_later(Notification, values, then=then)


def deliveries_insert(rows: list[dict[str, Any]]) -> None:
    rawsql.insert_many(Delivery, rows)
