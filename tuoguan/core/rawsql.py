"""SQL written once, for the few paths that must be lean (an application on enrolment morning).

The ORM compiles every query anew on every call; on a request of a dozen small queries that
compilation costs more CPU than the database spends answering them (bench/README.md). The
helpers here run hand-written, portable SQL (SQLite and PostgreSQL) while values still pass
through each field's own conversions, so callers get the same Python values and model
instances as from the ORM. Use them only where a benchmark shows the ORM is the cost; the
ORM stays the default everywhere else.
"""

from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any, TypeVar

from django.db import connection, models
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
        self._converters: dict[str, list[list[Any]]] = {}

    @property
    def sql(self) -> str:
        return ", ".join(f"{self.alias}.{quote(field.column)}" for field in self.fields)

    def _converters_now(self) -> list[list[Any]]:
        # Per database vendor: the same process may talk to SQLite and PostgreSQL in tests.
        vendor = connection.vendor
        if vendor not in self._converters:
            lists = []
            for field in self.fields:
                column = field.get_col(self.alias)
                lists.append(
                    [
                        *connection.ops.get_db_converters(column),
                        *column.get_db_converters(connection),
                    ]
                )
            self._converters[vendor] = lists
        return self._converters[vendor]

    def values(self, row: Sequence[Any], start: int = 0) -> list[Any]:
        out = []
        for index, converters in enumerate(self._converters_now()):
            value = row[start + index]
            column = self.fields[index]
            for converter in converters:
                value = converter(value, column, connection)
            out.append(value)
        return out

    def instance(self, row: Sequence[Any], start: int = 0) -> Any:
        """The model instance, as if loaded by the ORM (None when the row's id is NULL,
        as a LEFT JOIN gives for a missing row)."""
        if row[start + self.attnames.index(self.model._meta.pk.attname)] is None:
            return None
        return self.model.from_db(connection.alias, self.attnames, self.values(row, start))


def cursor() -> Any:
    """A cursor whose statements PostgreSQL keeps prepared.

    Django's PostgreSQL cursors bind parameters on the client, so the server parses and
    plans every statement anew. These few statements run on every application: with
    server-side binding psycopg prepares a statement the fifth time a connection runs it,
    and from then on the server only executes it. The cursor is wrapped like any Django
    cursor (query logging, execute wrappers, database error translation). SQLite: the
    usual cursor.
    """
    if connection.vendor != "postgresql":
        return connection.cursor()
    import psycopg

    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        return connection._prepare_cursor(  # type: ignore[attr-defined]
            psycopg.Cursor(connection.connection)
        )


def fetch_one(sql: str, params: Sequence[Any]) -> tuple[Any, ...] | None:
    with cursor() as c:
        c.execute(sql, params)
        row = c.fetchone()
    return tuple(row) if row is not None else None


def fetch_all(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with cursor() as c:
        c.execute(sql, params)
        return [tuple(row) for row in c.fetchall()]


def execute(sql: str, params: Sequence[Any]) -> int:
    """Run one statement; the number of rows it changed."""
    with cursor() as c:
        c.execute(sql, params)
        return int(c.rowcount)


@cache
def _insert_sql(model: type[models.Model], vendor: str) -> tuple[str, tuple[Any, ...]]:
    meta = model._meta
    fields = tuple(f for f in meta.concrete_fields if not f.primary_key)
    columns = ", ".join(quote(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks}) RETURNING {pk}"  # noqa: S608 - names
    return sql, fields


def _params(fields: Sequence[Any], values: dict[str, Any], now: Any) -> list[Any]:
    params = []
    for field in fields:
        if field.attname in values:
            value = values[field.attname]
        elif field.name in values:
            value = values[field.name]
            value = value.pk if isinstance(value, models.Model) else value
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = now
        else:
            value = field.get_default()
        params.append(field.get_db_prep_save(value, connection))
    return params


def insert(model: type[models.Model], values: dict[str, Any]) -> int:
    """Insert one row and return its id, without the ORM's query compilation.

    Every column is written: fields not given take their default, `auto_now(_add)` fields
    the current time, as `Model.save()` would. Model `save()` overrides do not run, so use it
    only for rows whose model has none that matter (the caller writes the audit entry).
    """
    sql, fields = _insert_sql(model, connection.vendor)
    row = fetch_one(sql, _params(fields, values, timezone.now()))
    assert row is not None  # noqa: S101 - RETURNING always gives the row
    return int(row[0])


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
