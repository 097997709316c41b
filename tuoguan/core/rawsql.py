"""SQL written once, for the few paths that must be lean (an application on enrolment morning).

The ORM compiles every query anew on every call; on a request of a dozen small queries that
compilation costs more CPU than the database spends answering them (bench/README.md). The
helpers here run hand-written, portable SQL (SQLite and PostgreSQL) while values still pass
through each field's own conversions, so callers get the same Python values and model
instances as from the ORM. Use them only where a benchmark shows the ORM is the cost; the
ORM stays the default everywhere else.
"""

import datetime
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import islice
from typing import Any, NamedTuple, TypeVar

from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, models
from django.utils import timezone

M = TypeVar("M", bound=models.Model)


def quote(name: str) -> str:
    return str(connection.ops.quote_name(name))


class Columns:
    """The SELECT list of some columns of one model under a table alias, and the way back:
    `instance(row, start)` turns the slice of a result row into a model instance."""

    def __init__(self, model: type[M], alias: str, names: Iterable[str] | None = None) -> None:
        meta = model._meta
        if names is None:
            self.fields = list(meta.concrete_fields)
        else:
            self.fields = [meta.get_field(name) for name in names]  # type: ignore[misc]
        self.model, self.alias = model, alias
        self.attnames = [field.attname for field in self.fields]
        self.width = len(self.fields)
        pk = meta.pk.attname
        self._pk_index = self.attnames.index(pk) if pk in self.attnames else None
        self._converters: dict[str, list[list[Any]]] = {}

    @property
    def sql(self) -> str:
        return ", ".join(f"{self.alias}.{quote(field.column)}" for field in self.fields)

    def _converters_now(self, db: Any) -> list[list[Any]]:
        # Per database vendor: the same process may talk to SQLite and PostgreSQL in tests.
        vendor = db.vendor
        if vendor not in self._converters:
            lists = []
            for field in self.fields:
                column = field.get_col(self.alias)
                lists.append([*db.ops.get_db_converters(column), *column.get_db_converters(db)])
            self._converters[vendor] = lists
        return self._converters[vendor]

    def values(self, row: Sequence[Any], start: int = 0) -> list[Any]:
        db = connections[DEFAULT_DB_ALIAS]
        out = []
        for index, converters in enumerate(self._converters_now(db)):
            value = row[start + index]
            if converters and value is not None:
                column = self.fields[index]
                for converter in converters:
                    value = converter(value, column, db)
            out.append(value)
        return out

    def instance(self, row: Sequence[Any], start: int = 0) -> Any:
        """The model instance, as if loaded by the ORM (None when the row's id is NULL,
        as a LEFT JOIN gives for a missing row; the columns must include the id)."""
        if self._pk_index is None or row[start + self._pk_index] is None:
            return None
        return self.model.from_db(DEFAULT_DB_ALIAS, self.attnames, self.values(row, start))


@contextmanager
def cursor() -> Iterator[Any]:
    """A cursor whose statements PostgreSQL keeps prepared.

    Django's PostgreSQL cursors bind parameters on the client, so the server parses and
    plans every statement anew. These few statements run on every application: with
    server-side binding psycopg prepares a statement the fifth time a connection runs it
    (`prepare_threshold`, config/settings.py), and from then on the server only executes
    it. The cursor is wrapped like any Django cursor (query logging, execute wrappers,
    error translation) and kept for the connection's life, as creating one per statement
    cost more than some of the statements. It is a raw cursor: statements reach it with
    PostgreSQL's `$n` placeholders (`_numbered`), converted once per statement here, where
    psycopg converts every execute's anew and caches none over 4 KB (the check-in's read is
    8 KB: 0.15 ms each time). SQLite: the usual cursor.
    """
    # One lookup of the thread's connection: each attribute read through the `connection`
    # proxy is a thread-local lookup of its own.
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor != "postgresql":
        with db.cursor() as plain:
            yield plain
        return
    db.close_if_health_check_failed()
    db.ensure_connection()
    raw, logged = db.connection, db.queries_logged
    kept = getattr(db, "_rawsql_cursor", None)
    if kept is None or kept[0] is not raw or kept[1] != logged:
        import psycopg

        with db.wrap_database_errors:
            wrapped = db._prepare_cursor(psycopg.RawCursor(raw))  # type: ignore[attr-defined]
        kept = (raw, logged, wrapped)
        db._rawsql_cursor = kept  # type: ignore[attr-defined]
    yield kept[2]


_PLACEHOLDER = re.compile(r"%(.)", re.DOTALL)


@lru_cache(maxsize=1024)
def _numbered(sql: str) -> str:
    """`%s` as `$1`, `$2`…, `%%` as `%`: what psycopg's cursor makes of a statement."""
    count = 0

    def placeholder(match: re.Match[str]) -> str:
        nonlocal count
        if match.group(1) == "%":
            return "%"
        if match.group(1) != "s":
            raise ValueError(f"only %s placeholders: {sql[:80]}")
        count += 1
        return f"${count}"

    return _PLACEHOLDER.sub(placeholder, sql)


def _for_cursor(sql: str) -> str:
    postgresql = connections[DEFAULT_DB_ALIAS].vendor == "postgresql"
    return _numbered(sql) if postgresql else sql


def fetch_one(sql: str, params: Sequence[Any]) -> tuple[Any, ...] | None:
    with cursor() as c:
        c.execute(_for_cursor(sql), params)
        row = c.fetchone()
    return tuple(row) if row is not None else None


def fetch_all(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with cursor() as c:
        c.execute(_for_cursor(sql), params)
        return [tuple(row) for row in c.fetchall()]


def execute(sql: str, params: Sequence[Any]) -> int:
    """Run one statement; the number of rows it changed."""
    with cursor() as c:
        c.execute(_for_cursor(sql), params)
        return int(c.rowcount)


@cache
def _insert_sql(
    model: type[models.Model], vendor: str, with_id: bool = False
) -> tuple[str, tuple[Any, ...]]:
    meta = model._meta
    # The database numbers an auto id unless the caller took one (`insert_later`); any other
    # key (a UUID) is written like a column.
    fields = tuple(
        f
        for f in meta.concrete_fields
        if with_id or not (f.primary_key and getattr(f, "db_returning", False))
    )
    columns = ", ".join(quote(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks}) RETURNING {pk}"  # noqa: S608 - names
    return sql, fields


# Values these fields pass to the driver unchanged; skipping their conversion matters on a
# row of twenty columns written on every application.
_PLAIN = (str, int, bool, type(None))
_PLAIN_FIELDS = frozenset(
    {
        "CharField",
        "TextField",
        "IntegerField",
        "BigIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SmallIntegerField",
        "BooleanField",
        "ForeignKey",
        "BigAutoField",
        "AutoField",
    }
)


# How each field's value reaches the driver: as given (a plain value of a plain field), as
# given on PostgreSQL (an aware datetime of a DateTimeField, a date of a DateField: its
# adapters return them unchanged), or through the field's own conversion.
_AS_GIVEN, _DATETIME, _DATE, _CONVERTED = range(4)


_plans: dict[int, tuple[Sequence[Any], tuple[tuple[Any, str, str, bool, int], ...]]] = {}


def _plan(fields: Sequence[Any]) -> tuple[tuple[Any, str, str, bool, int], ...]:
    # By the identity of the field list (`_insert_sql`'s, cached): hashing twenty fields
    # costs more than the plan saves. The list is kept, so its id is not reused.
    kept = _plans.get(id(fields))
    if kept is not None and kept[0] is fields:
        return kept[1]
    plan = []
    for field in fields:
        auto = bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))
        internal = field.get_internal_type()
        kind = (
            _AS_GIVEN
            if internal in _PLAIN_FIELDS
            else _DATETIME
            if internal == "DateTimeField"
            else _DATE
            if internal == "DateField"
            else _CONVERTED
        )
        plan.append((field, field.attname, field.name, auto, kind))
    _plans[id(fields)] = (fields, tuple(plan))
    return tuple(plan)


def _params(fields: Sequence[Any], values: dict[str, Any], now: Any) -> list[Any]:
    db = connections[DEFAULT_DB_ALIAS]
    postgresql = db.vendor == "postgresql"
    params = []
    for field, attname, name, auto, kind in _plan(fields):
        if attname in values:
            value = values[attname]
        elif name in values:
            value = values[name]
            value = value.pk if isinstance(value, models.Model) else value
        else:
            value = None if auto else field.get_default()
        if auto and value is None:
            value = now
        kind_of_value = type(value)
        as_given = (kind == _AS_GIVEN and kind_of_value in _PLAIN) or (
            postgresql
            and (
                (kind == _DATETIME and kind_of_value is datetime.datetime and value.tzinfo)
                or (kind == _DATE and kind_of_value is datetime.date)
            )
        )
        params.append(value if as_given else field.get_db_prep_save(value, db))
    return params


def insert_statement(model: type[models.Model], values: dict[str, Any]) -> tuple[str, list[Any]]:
    """The INSERT … RETURNING id of `insert` and its parameters, to compose with others."""
    sql, fields = _insert_sql(model, connection.vendor)
    return sql, _params(fields, values, timezone.now())


def insert_columns(
    model: type[models.Model], values: dict[str, Any]
) -> tuple[list[str], list[Any]]:
    """The quoted columns `insert` writes and their parameters, in the same order."""
    _sql, fields = _insert_sql(model, connection.vendor)
    return [quote(f.column) for f in fields], _params(fields, values, timezone.now())


def insert(model: type[models.Model], values: dict[str, Any]) -> Any:
    """Insert one row and return its id, without the ORM's query compilation.

    Every column is written: fields not given take their default, `auto_now(_add)` fields
    not given (or None) the current time, as `Model.save()` would. Model `save()` overrides
    and signals do not run, so use it only for rows whose model has none that matter (the
    caller writes the audit entry).
    """
    sql, fields = _insert_sql(model, connection.vendor)
    row = fetch_one(sql, _params(fields, values, timezone.now()))
    assert row is not None  # noqa: S101 - RETURNING always gives the row
    return row[0]


def insert_many(model: type[models.Model], rows: Sequence[dict[str, Any]]) -> None:
    """Insert several rows in one statement (same rules as `insert`; ids not returned)."""
    if not rows:
        return
    sql, fields = _insert_sql(model, connection.vendor)
    head, _sep, tail = sql.partition(" VALUES ")
    one = tail[: tail.index(" RETURNING")]
    now = timezone.now()
    params = [p for values in rows for p in _params(fields, values, now)]
    execute(f"{head} VALUES {', '.join([one] * len(rows))}", params)


# --- Inserts sent together: the last writes of a request in one round trip.
#
# On enrolment morning an application ends with four INSERTs whose values are all known
# once its seat is taken (the row, its audit entry, the inbox notice, the stored answer of
# its Idempotency-Key), each a round trip. Queued in a block, they go to PostgreSQL as one
# data-modifying WITH. So that the queue changes nothing but the number of round trips,
# any other statement run inside the block sends the queue first (reads see the rows; a
# SAVEPOINT holds them), except a ROLLBACK TO SAVEPOINT, which undoes them anyway.

Refused = Callable[[IntegrityError], Exception | None]


class _Queued(NamedTuple):
    sql: str
    params: list[Any]
    table: str
    refused: Refused | None
    then: Callable[[Any], None] | None


@contextmanager
def inserts_together() -> Iterator[None]:
    """Inside the block, `insert_later` queues its row; the queue goes as one statement
    before the next other statement or at the block's end. An exception leaving the block
    drops what is still queued (its transaction is rolling back). Blocks nest into the
    outermost one. SQLite: no queue, each row is written at once (the plain path)."""
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor != "postgresql" or getattr(db, "_rawsql_queue", None) is not None:
        yield
        return
    queue: list[_Queued] = []
    db._rawsql_queue = queue  # type: ignore[attr-defined]
    try:
        with db.execute_wrapper(_send_queue_first):
            yield
            _send_queue(queue)
    finally:
        db._rawsql_queue = None  # type: ignore[attr-defined]


def insert_later(
    model: type[models.Model],
    values: dict[str, Any],
    *,
    refused: Refused | None = None,
    then: Callable[[Any], None] | None = None,
) -> None:
    """`insert`, queued inside `inserts_together` (at once outside one).

    Values are converted now; an id given in `values` is written, so a caller that needs
    the id before the row is sent takes it up front (a sequence's nextval). `then(id)` runs
    once the row is written. `refused(error)` turns the database's refusal of this row (an
    IntegrityError naming its table) into the caller's own exception, or None to let it be.
    """
    db = connections[DEFAULT_DB_ALIAS]
    with_id = values.get(model._meta.pk.attname) is not None
    sql, fields = _insert_sql(model, db.vendor, with_id)
    queued = _Queued(
        sql, _params(fields, values, timezone.now()), model._meta.db_table, refused, then
    )
    queue = getattr(db, "_rawsql_queue", None)
    if queue is None:
        _send([queued])
    else:
        queue.append(queued)


def _send_queue_first(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
    queue = getattr(context["connection"], "_rawsql_queue", None)
    if queue:
        if sql.startswith("ROLLBACK TO SAVEPOINT"):
            queue.clear()
        else:
            _send_queue(queue)
    return execute(sql, params, many, context)


def _send_queue(queue: list[_Queued]) -> None:
    rows = list(queue)
    queue.clear()  # first: the statement below passes through _send_queue_first too
    if rows:
        _send(rows)


@lru_cache(maxsize=64)
def _together_sql(inserts: tuple[str, ...]) -> str:
    names = [f"r{index}" for index in range(len(inserts))]
    parts = ", ".join(f"{name} AS ({sql})" for name, sql in zip(names, inserts, strict=True))
    # Each INSERT returns its one row's id: the cross join is one row of every id.
    return f"WITH {parts} SELECT * FROM {', '.join(names)}"  # noqa: S608 - no values


def _send(rows: list[_Queued]) -> None:
    if len(rows) == 1:
        sql, params = rows[0].sql, rows[0].params
    else:
        sql = _together_sql(tuple(row.sql for row in rows))
        params = [p for row in rows for p in row.params]
    try:
        found = fetch_one(sql, params)
    except IntegrityError as exc:
        # PostgreSQL names the table of the refused row; SQLite sends one row at a time.
        table = getattr(getattr(exc.__cause__, "diag", None), "table_name", None)
        for row in rows:
            if row.refused is not None and table in (None, row.table):
                translated = row.refused(exc)
                if translated is not None:
                    raise translated from exc
        raise
    assert found is not None and len(found) == len(rows)  # noqa: S101 - one id per INSERT
    for row, pk in zip(rows, found, strict=True):
        if row.then is not None:
            row.then(pk)


# --- bulk_set: give many rows their own values in one UPDATE per chunk, with few parameters.
#
# Django's `bulk_update` builds a CASE WHEN per row and field, which grows quadratically and
# takes tens of seconds for the 100,000 enrolments of a large lottery. Here the values
# travel as a handful of parameters and are joined to the table:
#
# * PostgreSQL: one array per column, `UPDATE … FROM unnest(%s::bigint[], …) AS v(…)`;
# * SQLite (≥ 3.38, JSON built in): one JSON array of rows, `… FROM (SELECT json_extract(…)
#   FROM json_each(%s)) AS v`.
#
# Rows are written as given; they skip AuditedModel.save(), so callers audit the act that
# caused the change (a draw), not each row.

CHUNK = 5000


def _chunks(rows: Sequence[Sequence[Any]], size: int) -> list[list[Sequence[Any]]]:
    iterator = iter(rows)
    chunks = []
    while chunk := list(islice(iterator, size)):
        chunks.append(chunk)
    return chunks


def _db_value(model: type[models.Model], name: str, value: Any) -> Any:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise TypeError(f"{name} is not a column of {model.__name__}")
    return field.get_db_prep_value(value, connection)


def bulk_set(
    model: type[models.Model],
    columns: Sequence[tuple[str, str]],
    rows: Sequence[Sequence[Any]],
    *,
    also: dict[str, Any] | None = None,
    only_if: dict[str, Any] | None = None,
) -> None:
    """Set `columns` (name, PostgreSQL type) of the rows whose id is each row's first value.

    `also` sets the same value on every row; `only_if` leaves rows alone unless each column
    named holds the value given (e.g. still "applied"). JSON columns take JSON text.
    """
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    names = ["id", *(name for name, _type in columns)]
    assignments = [f"{qn(name)} = v.{qn(name)}" for name, _type in columns]
    assignments += [f"{qn(name)} = %s" for name in (also or {})]
    conditions = [f"{table}.{qn(name)} = %s" for name in (only_if or {})]
    where = " AND ".join([f"{table}.{qn('id')} = v.{qn('id')}", *conditions])
    also_values = [_db_value(model, name, value) for name, value in (also or {}).items()]
    for chunk in _chunks(rows, CHUNK):
        if connection.vendor == "postgresql":
            arrays = ", ".join(f"%s::{kind}[]" for kind in ["bigint", *(t for _n, t in columns)])
            source = f"unnest({arrays}) AS v({', '.join(qn(n) for n in names)})"
            source_params: list[Any] = [list(column) for column in zip(*chunk, strict=True)]
        else:
            picks = ", ".join(
                f"json_extract(value, '$[{i}]') AS {qn(name)}" for i, name in enumerate(names)
            )
            source = f"(SELECT {picks} FROM json_each(%s)) AS v"  # noqa: S608 - no values
            source_params = [json.dumps([list(row) for row in chunk], default=str)]
        sql = f"UPDATE {table} SET {', '.join(assignments)} FROM {source} WHERE {where}"  # noqa: S608 - names from the model, values as parameters
        params = [*also_values, *source_params, *(only_if or {}).values()]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


# --- A query the ORM compiles once ----------------------------------------------------------
# Some reads on a hot path are a queryset too rich to compile on every request (a dozen
# subqueries) and too full of rules to write by hand. The ORM compiles them once per shape,
# with sentinel values where the request's go; each request runs that statement, prepared,
# with its own values there, and the row becomes instances as the ORM's iterator builds them.
# The statement is the ORM's; what is the caller's is the shape (its key) and the sentinels.
# Another Django release than the one whose compiler internals this reads gets the ORM.

COMPILED_FOR_DJANGO = "5.2."


@cache
def compiler_internals_known() -> bool:
    import django

    return django.get_version().startswith(COMPILED_FOR_DJANGO)


class NotCompilable(Exception):
    """A compiled statement in which a sentinel is not a whole parameter (nor the prefix of
    a startswith pattern): the request's values cannot be put in its place."""


def slot_of(param: Any, sentinels: dict[str, Any]) -> tuple[str, Any]:
    """Where a compiled parameter's value comes from: ("", the constant), (a sentinel's name,
    None), (name, "text") for a date compiled as text, (name, suffix) for a LIKE prefix."""
    if isinstance(param, bool):
        return "", param
    for name, sentinel in sentinels.items():
        if isinstance(sentinel, int) and not isinstance(sentinel, bool):
            if isinstance(param, int) and param == sentinel:
                return name, None
        elif isinstance(sentinel, datetime.date):
            if param == sentinel:
                return name, None
            if param == sentinel.isoformat():
                return name, "text"
            if isinstance(param, str) and sentinel.isoformat() in param:
                raise NotCompilable(param)
        elif isinstance(sentinel, str) and isinstance(param, str) and sentinel in param:
            if param == sentinel:
                return name, None
            if name.endswith("_prefix") and param.startswith(sentinel):
                return name, ("like", param[len(sentinel) :])
            raise NotCompilable(param)
    return "", param


@dataclass
class Compiled:
    sql: str
    slots: list[tuple[str, Any]]
    converters: list[tuple[int, list[Any], Any]]
    init_list: list[str]
    start: int
    end: int
    populators: list[Any]
    annotations: dict[str, int]
    model: Any


def compile_once(queryset: models.QuerySet[Any], sentinels: dict[str, Any]) -> Compiled:
    """The statement of `queryset` (built with the sentinels) and the way back to instances,
    as `ModelIterable` makes them."""
    from django.db.models.query import get_related_populators  # type: ignore[attr-defined]

    compiler = queryset.query.get_compiler(using=DEFAULT_DB_ALIAS)
    sql, params = compiler.as_sql()
    slots = [slot_of(param, sentinels) for param in params]
    select, klass_info = compiler.select, compiler.klass_info
    fields = [s[0] for s in select[0 : compiler.col_count]]
    if compiler.has_composite_fields(fields):
        raise NotCompilable("composite fields")
    converters = [
        (pos, convs, expression)
        for pos, (convs, expression) in compiler.get_converters(fields).items()
    ]
    select_fields = klass_info["select_fields"]
    start, end = select_fields[0], select_fields[-1] + 1
    return Compiled(
        sql=sql,
        slots=slots,
        converters=converters,
        init_list=[f[0].target.attname for f in select[start:end]],
        start=start,
        end=end,
        populators=get_related_populators(klass_info, select, DEFAULT_DB_ALIAS),
        annotations=dict(compiler.annotation_col_map or {}),
        model=klass_info["model"],
    )


def _compiled_params(
    compiled: Compiled, values: dict[str, Any], before: "With | None" = None
) -> list[Any]:
    db = connections[DEFAULT_DB_ALIAS]
    params = [] if before is None else list(before.params)
    for name, how in compiled.slots:
        if not name:
            params.append(how)
        elif how is None:
            params.append(values[name])
        elif how == "text":
            params.append(values[name].isoformat())
        else:
            params.append(db.ops.prep_for_like_query(values[name]) + how[1])
    return params


def compiled_run(compiled: Compiled, values: dict[str, Any], before: "With | None" = None) -> Any:
    """The first instance the compiled statement finds with these values, or None."""
    params = _compiled_params(compiled, values, before)
    sql = compiled.sql if before is None else f"WITH {before.name} AS ({before.sql}) {compiled.sql}"
    found = fetch_one(sql, params)
    return None if found is None else _instance(compiled, found)


def _instance(compiled: Compiled, found: Sequence[Any]) -> Any:
    db = connections[DEFAULT_DB_ALIAS]
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


class With(NamedTuple):
    """A data-modifying statement riding in a compiled read's statement (PostgreSQL): `WITH
    name AS (sql)` before the SELECT, its parameters first. It runs to completion whether or
    not the SELECT reads it, and the SELECT sees the rows as they were before it."""

    name: str
    sql: str
    params: Sequence[Any]


_compiled: dict[tuple[Any, ...], Compiled | None] = {}


def compiled_first(
    key: tuple[Any, ...],
    build: Callable[[], models.QuerySet[Any]],
    values: dict[str, Any],
    sentinels: dict[str, Any],
    before: With | None = None,
) -> tuple[bool, Any]:
    """(True, the first instance or None) through the statement compiled once for the shape
    `key` from `build()` (a queryset built with `sentinels` for values); (False, None) when
    it cannot be run so, and the caller reads through the ORM (and runs `before` itself).
    `before` only on PostgreSQL."""
    if not compiler_internals_known():
        return False, None
    key = (connections[DEFAULT_DB_ALIAS].vendor, *key)
    if key not in _compiled:
        try:
            _compiled[key] = compile_once(build(), sentinels)
        except NotCompilable:
            _compiled[key] = None
    compiled = _compiled[key]
    if compiled is None:
        return False, None
    return True, compiled_run(compiled, values, before)


def compiled_all(
    key: tuple[Any, ...],
    build: Callable[[], models.QuerySet[Any]],
    values: dict[str, Any],
    sentinels: dict[str, Any],
) -> tuple[bool, list[Any]]:
    """(True, every instance, in the queryset's order) through the statement compiled once
    for the shape `key` from `build()`; (False, []) when it cannot be run so. Each name of
    `values` must be a parameter of the statement: a sentinel the compiler turned into
    something else (a datetime from a date, say) makes the shape not compilable, never a
    statement that silently keeps the sentinel's value."""
    if not compiler_internals_known():
        return False, []
    key = (connections[DEFAULT_DB_ALIAS].vendor, "all", *key)
    if key not in _compiled:
        try:
            compiled = compile_once(build(), sentinels)
            if not set(values) <= {name for name, _how in compiled.slots}:
                raise NotCompilable(f"{key}: a value is not a parameter")
            _compiled[key] = compiled
        except NotCompilable:
            _compiled[key] = None
    found = _compiled[key]
    if found is None:
        return False, []
    return True, [
        _instance(found, row) for row in fetch_all(found.sql, _compiled_params(found, values))
    ]
