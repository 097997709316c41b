"""Daily care's hand-run SQL and private framework APIs: the morning at the door
(bench/README.md, "checkin").

A check-in reads its enrolment with every fact it decides on in one query
(`selectors.with_check_in_facts`: a dozen subqueries). Django built and compiled that query
anew on every check-in, which cost more CPU than everything else the check-in does. The ORM
compiles it once per shape (`core.rawsql.compiled_first`) — once for a caregiver with a
membership, once without, once for a kiosk — with the sentinels below where the request's
values go (the enrolment, the user, the union's path, the day, the kiosk's class, the
token); each check-in runs the same SQL, prepared by PostgreSQL, with its own values in
those places. No SQL is written here by hand: the statement is the ORM's, from the
selectors' querysets.

Each copy and the test that holds it equal:

* `check_in_read`, `kiosk_check_in_read`: the enrolment (child, guardian and user, term,
  class and host union, group) and its `check_in_facts`, equal to the ORM's read of
  `selectors.enrolment_for_check_in` / `kiosk_enrolments` with `with_check_in_facts`
  (tuoguan/care/tests/test_check_in_facts.py, every fact in and out of each state, and the
  scope's 404s).
* `next_attendance_id`: the row's id, taken by the fast reads above; the row, its entry and
  the parent's notice are then one statement (`inserts_together`), and the row is the ORM's
  (tuoguan/care/tests/test_check_in_facts.py, `CheckInWritesTests`).
* `attendance_answer`: AttendanceSerializer's output for a check-in just written, built by
  hand (the serializer built its fields anew on every answer);
  tuoguan/care/tests/test_check_in_facts.py.
* `check_in_input`, `kiosk_code_input`: CheckInSerializer's and KioskCodeSerializer's
  validated data for a plain body, without building them (a tenth of a check-in's view);
  anything else goes to the serializer (tuoguan/care/tests/test_check_in_facts.py,
  `CheckInInputTests`).
* `selectors.kiosk_for_token`'s read: the active kiosk of a token with its class and host
  union, equal to the ORM's (tuoguan/care/tests/test_check_in_facts.py). On PostgreSQL the
  kiosk's "last seen" stamp (at most once a minute, `services.kiosk`) rides in the same
  statement (`kiosk_stamp`, written by hand): on the morning about every other scan is its
  kiosk's first of the minute, and that UPDATE was a statement of its own, compiled anew;
  tuoguan/care/tests/test_check_in_facts.py holds the stamp to the ORM's
  (`KioskStampTests`).
* `liveview_selectors.session_child_day_stamp`'s read (the live view's unchanged poll, every
  parent every 15 s: bench/README.md, "liveview"): the day's stamp, the guardian's account and
  the session in force, equal to the ORM's read (tuoguan/care/tests/test_liveview.py,
  `CompiledPollTests`).
* `rows` (the live view's changed poll: the family's place, the day's stamp and each part of
  the day, `liveview_selectors.child_day`, `selectors.family_enrolment_for`): each read
  compiled once and run prepared, equal to the ORM's read of the same queryset in every
  state of a day, and the parent's fragment byte for byte (tuoguan/care/tests/
  test_liveview_compiled.py; breaking the photos' statement once made it fail).
  `prefetched` hands the rows their related rows read the same way.
* The sentinels' substitution refuses a compiled statement in which a sentinel appears other
  than as a whole parameter (or as the prefix of a startswith pattern); such a shape, and a
  Django release other than the one whose compiler internals core.rawsql reads, gets the
  ORM's own read (tuoguan/care/tests/test_check_in_facts.py).
"""

import datetime
from collections.abc import Callable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import BigIntegerField, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.utils import timezone

from tuoguan.accounts.models import User
from tuoguan.core import rawsql

PK, USER, PROGRAM = -918_273_641, -918_273_642, -918_273_643
TERM, GROUP, CHILD = -918_273_644, -918_273_645, -918_273_646
DAY = datetime.date(1901, 2, 3)
PATH = "\x01tuoguan-sentinel\x01"
TOKEN = "\x01tuoguan-token\x01"  # noqa: S105 - a placeholder compiled in, not a secret
SESSION = "\x01tuoguan-session\x01"
SENTINELS: dict[str, Any] = {
    "pk": PK,
    "user": USER,
    "program": PROGRAM,
    "term": TERM,
    "group": GROUP,
    "child": CHILD,
    "day": DAY,
    "path_prefix": PATH,
    "token": TOKEN,
    "session": SESSION,
}
NotCompilable = rawsql.NotCompilable
# A check-in's last writes (the row, its entry, the parent's notice) in one statement.
inserts_together = rawsql.inserts_together


def next_attendance_id() -> Any:
    """PostgreSQL: the id of the check-in the read is for, taken from the sequence by the
    read itself, so the row, its entry and the notice can go together (a refused check-in
    leaves a gap, as a rolled-back INSERT does); elsewhere none."""
    if connection.vendor != "postgresql":
        return Value(None, output_field=BigIntegerField())
    return RawSQL(
        "nextval(pg_get_serial_sequence('care_attendance', 'id'))",
        (),
        output_field=BigIntegerField(),
    )


# The ORM's `KioskDevice.objects.filter(pk=…).update(last_seen_at=now)` of the kiosk the read
# finds (a live token of an active class), when its stamp is older than `before`.
_KIOSK_STAMP = (
    "UPDATE care_kioskdevice SET last_seen_at = %s WHERE token_hash = %s "
    "AND revoked_at IS NULL AND (last_seen_at IS NULL OR last_seen_at < %s) "
    "AND program_id IN (SELECT id FROM programs_program WHERE is_active)"
)


def kiosk_stamp(
    token_hash: str, now: datetime.datetime, before: datetime.datetime
) -> rawsql.With | None:
    """PostgreSQL: the kiosk's "last seen" stamp, to ride in the kiosk's read; elsewhere
    None (the caller stamps through the ORM)."""
    if connection.vendor != "postgresql":
        return None
    return rawsql.With("stamped", _KIOSK_STAMP, (now, token_hash, before))


def _slot(param: Any) -> tuple[str, Any]:
    return rawsql.slot_of(param, SENTINELS)


def read(
    key: tuple[Any, ...],
    build: Callable[[], QuerySet[Any]],
    values: dict[str, Any],
    before: rawsql.With | None = None,
) -> tuple[bool, Any]:
    """(True, instance or None) through the statement compiled once for the shape `key`
    (with `before` riding in it); (False, None) when the caller reads through the ORM."""
    return rawsql.compiled_first(("care", *key), build, values, SENTINELS, before)


def check_in_input(data: Any) -> dict[str, Any] | None:
    """CheckInSerializer's validated data for a plain body (`{"enrolment": 12}`, perhaps
    with a code), without building the serializer; None for anything else, which the
    serializer then checks and explains (tuoguan/care/tests/test_check_in_facts.py)."""
    if type(data) is not dict or not data.keys() <= {"enrolment", "code"}:
        return None
    enrolment, code = data.get("enrolment"), data.get("code", "")
    if type(enrolment) is not int or not 0 < enrolment < 2**63 or not _plain_code(code):
        return None
    return {"enrolment": enrolment, "code": code}


def _plain_code(code: Any) -> bool:
    # What a CharField passes unchanged: no surrounding space, no control character.
    return type(code) is str and code.isascii() and code.isprintable() and code == code.strip()


def kiosk_code_input(data: Any) -> str | None:
    """KioskCodeSerializer's validated code for a plain body (`{"code": "…"}`), or None
    (the serializer then checks and explains)."""
    if type(data) is not dict or data.keys() != {"code"}:
        return None
    code = data["code"]
    return code if code and _plain_code(code) else None


def rows(query: Callable[..., QuerySet[Any]], *key: Any, **values: Any) -> list[Any]:
    """Every instance of `query(**values)`, through the statement compiled once for the
    shape `key` from `query` called with the sentinels of those names (an unchanged
    statement, prepared by PostgreSQL); the ORM's own read where it cannot be run so.
    `query` must not prefetch: only its own statement is compiled."""
    sentinels = {name: SENTINELS[name] for name in values}
    ran, found = rawsql.compiled_all(("care", *key), lambda: query(**sentinels), values, SENTINELS)
    return found if ran else list(query(**values))


def prefetched(rows: list[Any], name: str, related: list[Any], key: str) -> None:
    """Hand each row its related instances as `prefetch_related(name)` would, so that
    `row.<name>.all()` reads none (`key`: the related instances' foreign key to the row);
    for rows read by `rows`, which compiles no prefetch."""
    by_owner: dict[Any, list[Any]] = {}
    for item in related:
        by_owner.setdefault(getattr(item, key), []).append(item)
    for row in rows:
        found: Any = QuerySet(model=type(related[0]) if related else None)
        found._result_cache = by_owner.get(row.pk, [])
        found._prefetch_done = True
        row._prefetched_objects_cache = {name: found}


def user_known(request: Any, read: Any) -> None:
    """The request's user, as `django.contrib.auth.get_user` would give it, from the read
    that checked the session against it (`read`: liveview_selectors.SessionStamp, the live
    view's changed poll, care.middleware); its other columns are read if something asks for
    them. AuthenticationMiddleware takes what it finds in `request._cached_user`."""
    request._cached_user = User.from_db(
        DEFAULT_DB_ALIAS,
        ["id", "password", "is_active", "is_staff"],
        [read.user_id, read.password, read.is_active, read.is_staff],
    )


def _when(value: Any) -> str | None:
    # What serializers.DateTimeField gives (local time, ISO 8601, "Z" for UTC).
    if value is None:
        return None
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def attendance_answer(attendance: Any) -> dict[str, Any]:
    """AttendanceSerializer's output for an attendance whose child is loaded."""
    return {
        "id": attendance.pk,
        "enrolment": attendance.enrolment_id,
        "child": attendance.child_id,
        "child_name": attendance.child.name,
        "group": attendance.group_id,
        "date": attendance.date.isoformat(),
        "checked_in_at": _when(attendance.checked_in_at),
        "check_in_method": attendance.check_in_method,
        "checked_out_at": _when(attendance.checked_out_at),
        "check_out_method": attendance.check_out_method,
        "pickup": attendance.pickup_id,
        "temporary_pickup": attendance.temporary_pickup_id,
        "collected_by": attendance.collected_by(),
        "corrected": attendance.corrected,
    }
