"""`bulk_set`: give many rows their own values in one UPDATE per chunk, with few parameters.

Django's `bulk_update` builds a CASE WHEN per row and field, which grows quadratically and
takes tens of seconds for the 100,000 enrolments of a large lottery. Here the values
travel as a handful of parameters and are joined to the table:

* PostgreSQL: one array per column, `UPDATE … FROM unnest(%s::bigint[], …) AS v(…)`;
* SQLite (≥ 3.38, JSON built in): one JSON array of rows, `… FROM (SELECT json_extract(…)
  FROM json_each(%s)) AS v`.

Rows are written as given; they skip AuditedModel.save(), so callers audit the act that
caused the change (a draw), not each row.
"""

import json
from collections.abc import Sequence
from itertools import islice
from typing import Any

from django.db import connection, models

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
