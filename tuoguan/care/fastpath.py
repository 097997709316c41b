"""Daily care's hand-run SQL and private framework APIs: the morning at the door
(bench/README.md, "checkin").

A check-in reads its enrolment with every fact it decides on in one query
(`selectors.with_check_in_facts`: a dozen subqueries). Django built and compiled that query
anew on every check-in, which cost more CPU than everything else the check-in does. Here the
ORM compiles it once per shape — once for a caregiver with a membership, once without, once
for a kiosk — with sentinel values where the request's values go (the enrolment, the user,
the union's path, the day, the kiosk's class); each check-in then runs the same SQL,
prepared by PostgreSQL (core.rawsql), with its own values in those places, and the row
becomes the model instances as the ORM's own iterator builds them. No SQL is written here
by hand: the statement is the ORM's, from the selectors' querysets.

Each copy and the test that holds it equal:

* `check_in_read`, `kiosk_check_in_read`: the enrolment (child, guardian and user, term,
  class and host union, group) and its `check_in_facts`, equal to the ORM's read of
  `selectors.enrolment_for_check_in` / `kiosk_enrolments` with `with_check_in_facts`
  (tuoguan/care/tests/test_check_in_facts.py, every fact in and out of each state, and the
  scope's 404s).
* `attendance_answer`: AttendanceSerializer's output for a check-in just written, built by
  hand (the serializer built its fields anew on every answer);
  tuoguan/care/tests/test_check_in_facts.py.
* `selectors.kiosk_for_token`'s read: the active kiosk of a token with its class and host
  union, equal to the ORM's (tuoguan/care/tests/test_check_in_facts.py).
* The sentinels' substitution refuses a compiled statement in which a sentinel appears other
  than as a whole parameter (or as the prefix of a startswith pattern); such a shape, and a
  Django release other than the one whose compiler internals this uses (`WRITTEN_FOR`),
  gets the ORM's own read (tuoguan/care/tests/test_check_in_facts.py).
"""

import datetime
from dataclasses import dataclass
from functools import cache
from typing import Any

import django
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.db.models.query import get_related_populators
from django.utils import timezone

from tuoguan.core import rawsql

# The release whose compiler internals (select, klass_info, converters, populators) the
# read below relies on; another one reads through the ORM.
WRITTEN_FOR = "5.2."

PK, USER, PROGRAM = -918_273_641, -918_273_642, -918_273_643
DAY = datetime.date(1901, 2, 3)
PATH = "\x01tuoguan-sentinel\x01"
TOKEN = "\x01tuoguan-token\x01"  # noqa: S105 - a placeholder compiled in, not a secret


@cache
def written_for_installed() -> bool:
    return django.get_version().startswith(WRITTEN_FOR)


class NotCompilable(Exception):
    """The shape's compiled statement cannot take the request's values by substitution."""


@dataclass
class Compiled:
    sql: str
    slots: list[tuple[str, Any]]  # per parameter: (name of the value or "", constant/suffix)
    compiler: Any
    converters: list[tuple[int, list[Any], Any]]
    init_list: list[str]
    start: int
    end: int
    populators: list[Any]
    annotations: dict[str, int]
    model: Any


def _slot(param: Any) -> tuple[str, Any]:
    if isinstance(param, bool):
        return "", param
    if isinstance(param, int) and param in (PK, USER, PROGRAM):
        return {PK: "pk", USER: "user", PROGRAM: "program"}[param], None
    if param == DAY:
        return "day", None
    if param == TOKEN:
        return "token", None
    if param == DAY.isoformat():
        return "day_text", None
    if isinstance(param, str) and (PATH in param or TOKEN in param):
        if TOKEN in param:
            raise NotCompilable(param)
        if not param.startswith(PATH):
            raise NotCompilable(param)
        return "path", param[len(PATH) :]
    if isinstance(param, str) and (DAY.isoformat() in param or "918273" in param):
        raise NotCompilable(param)
    return "", param


def compile_once(queryset: QuerySet[Any]) -> Compiled:
    """The statement of `queryset` (built with the sentinels) and the way back to instances."""
    compiler = queryset.query.get_compiler(using=DEFAULT_DB_ALIAS)
    sql, params = compiler.as_sql()
    slots = [_slot(param) for param in params]
    db = DEFAULT_DB_ALIAS
    select, klass_info = compiler.select, compiler.klass_info
    fields = [s[0] for s in select[0 : compiler.col_count]]
    converters = [
        (pos, convs, expr) for pos, (convs, expr) in compiler.get_converters(fields).items()
    ]
    if compiler.has_composite_fields(fields):
        raise NotCompilable("composite fields")
    select_fields = klass_info["select_fields"]
    start, end = select_fields[0], select_fields[-1] + 1
    return Compiled(
        sql=sql,
        slots=slots,
        compiler=compiler,
        converters=converters,
        init_list=[f[0].target.attname for f in select[start:end]],
        start=start,
        end=end,
        populators=get_related_populators(klass_info, select, db),
        annotations=dict(compiler.annotation_col_map or {}),
        model=klass_info["model"],
    )


def run(compiled: Compiled, values: dict[str, Any]) -> Any:
    """The one instance the compiled statement finds with these values, or None."""
    db = connections[DEFAULT_DB_ALIAS]
    params = []
    for name, constant in compiled.slots:
        if not name:
            params.append(constant)
        elif name == "path":
            params.append(db.ops.prep_for_like_query(values["path"]) + constant)
        elif name == "day_text":
            params.append(values["day"].isoformat())
        else:
            params.append(values[name])
    found = rawsql.fetch_one(compiled.sql, params)
    if found is None:
        return None
    row = list(found)
    for pos, convs, expression in compiled.converters:
        value = row[pos]
        for converter in convs:
            value = converter(value, expression, db)
        row[pos] = value
    instance = compiled.model.from_db(
        DEFAULT_DB_ALIAS, compiled.init_list, row[compiled.start : compiled.end]
    )
    for populator in compiled.populators:
        populator.populate(row, instance)
    for name, pos in compiled.annotations.items():
        setattr(instance, name, row[pos])
    return instance


_shapes: dict[tuple[Any, ...], Compiled | None] = {}


def read(key: tuple[Any, ...], build: Any, values: dict[str, Any]) -> tuple[bool, Any]:
    """(True, instance or None) through the compiled shape `key`; (False, None) when the
    shape cannot be run so and the caller reads through the ORM."""
    if not written_for_installed():
        return False, None
    key = (connections[DEFAULT_DB_ALIAS].vendor, *key)
    if key not in _shapes:
        try:
            _shapes[key] = compile_once(build())
        except NotCompilable:
            _shapes[key] = None
    compiled = _shapes[key]
    if compiled is None:
        return False, None
    return True, run(compiled, values)


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
