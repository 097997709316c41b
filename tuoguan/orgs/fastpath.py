"""The orgs app's compiled read: who acts (bench/README.md, "checkin").

Every request of a staff member reads the membership they act through by default, the
highest-level active one (`permissions.memberships_of(user).first()`). Django built and
compiled that query anew each time; the ORM compiles it once here
(`core.rawsql.compiled_first`) with a sentinel for the user, and each request runs the same
statement, prepared by PostgreSQL, with its user's id. No SQL is written by hand.

Each copy and the test that holds it equal:

* `first_of`'s read of `memberships_of(user).first()`: the same membership with its union,
  for users with none, one, several, a revoked one and one of an inactive union
  (tuoguan/orgs/tests/test_fastpath.py).
"""

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet

from tuoguan.core import rawsql

USER = -918_273_651
SENTINELS: dict[str, Any] = {"user": USER}


def first_of(
    key: str, build: Callable[[], QuerySet[Any]], values: dict[str, Any]
) -> tuple[bool, Any]:
    """(True, the first row or None) through the statement compiled once for `key`;
    (False, None) when the caller reads through the ORM."""
    return rawsql.compiled_first(("orgs", key), build, values, SENTINELS)
