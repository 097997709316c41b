"""The accounts' hand-written SQL: every API request reads its token, and on enrolment
morning that is every application (bench/README.md), so the read is one prepared statement.

Each copy and the test that holds it equal to the ORM:

* `token_read`: the live token, its user, and the membership the user acts through by
  default with its union (the first one by the order of `orgs.permissions.memberships_of`,
  which a parent has none of), as the ORM finds them, in one statement: a staff request
  reads no membership after it; "last used" is stamped at most once a minute
  (tuoguan/accounts/tests/test_fastpath.py).
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import connection

from tuoguan.core import rawsql
from tuoguan.orgs.models import Membership, Org

from .models import ApiToken, User

TOUCH_EVERY = datetime.timedelta(minutes=1)

_TOKEN = rawsql.Columns(ApiToken, "tok", ["id", "user", "last_used_at"])
_USER = rawsql.Columns(User, "u")
_MEMBERSHIP = rawsql.Columns(Membership, "m")
_ORG = rawsql.Columns(Org, "o")
# The default membership (memberships_of's first) joined by its id: portable, unlike LATERAL.
_TOKEN_SQL = f"""
    SELECT {_TOKEN.sql}, {_USER.sql}, {_MEMBERSHIP.sql}, {_ORG.sql}
    FROM accounts_apitoken tok JOIN accounts_user u ON u.id = tok.user_id
    LEFT JOIN orgs_membership m ON m.id = (
        SELECT m1.id FROM orgs_membership m1 JOIN orgs_org o1 ON o1.id = m1.org_id
        WHERE m1.user_id = u.id AND m1.is_active = %s AND o1.is_active = %s
        ORDER BY o1.depth, o1.path, m1.role LIMIT 1)
    LEFT JOIN orgs_org o ON o.id = m.org_id
    WHERE tok.key_hash = %s AND tok.revoked_at IS NULL
"""  # noqa: S608 - only column lists are formatted in
# A kiosk polling every second must not write each time. On PostgreSQL the write rides in
# the read's statement (a data-modifying WITH runs to completion whether or not the query
# reads it): one round trip per request.
_TOUCH = (
    "UPDATE accounts_apitoken SET last_used_at = %s WHERE key_hash = %s "
    "AND revoked_at IS NULL AND (last_used_at IS NULL OR last_used_at < %s)"
)
_TOKEN_SQL_PG = f"WITH touched AS ({_TOUCH}) {_TOKEN_SQL}"


@dataclass(frozen=True)
class TokenRead:
    token: ApiToken  # its user attached
    first_membership: Membership | None  # its org attached

    @property
    def first_membership_id(self) -> int | None:
        return self.first_membership.pk if self.first_membership is not None else None


def token_read(key_hash: str, now: datetime.datetime) -> TokenRead | None:
    """The live token of this hash with its user, or None; stamps "last used"."""
    touch = [now, key_hash, now - TOUCH_EVERY]
    if connection.vendor == "postgresql":
        found = rawsql.fetch_one(_TOKEN_SQL_PG, [*touch, True, True, key_hash])
    else:
        rawsql.execute(_TOUCH, touch)
        found = rawsql.fetch_one(_TOKEN_SQL, [True, True, key_hash])
    if found is None:
        return None
    user: Any = _USER.instance(found, _TOKEN.width)
    token = _TOKEN.instance(found)
    token.user = user
    if token.last_used_at is None or token.last_used_at < touch[2]:
        # PostgreSQL's SELECT sees the row as it was before its own WITH stamped it.
        token.last_used_at = now
    membership = _MEMBERSHIP.instance(found, _TOKEN.width + _USER.width)
    if membership is not None:
        membership.org = _ORG.instance(found, _TOKEN.width + _USER.width + _MEMBERSHIP.width)
    return TokenRead(token=token, first_membership=membership)
