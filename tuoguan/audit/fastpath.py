"""The audit log's hand-written SQL: every audited write makes an entry, some of them on
enrolment morning (bench/README.md), so the entry is written with one prepared INSERT.

Each copy and the test that holds it equal to the ORM:

* `entry_insert`: the entry row as `AuditEntry.objects.create` writes it
  (tuoguan/audit/tests/test_fastpath.py).
* `row_insert`, `row_and_entry_insert`: a new domain row (`AuditedModel.insert_row`) and,
  on PostgreSQL, its "create" entry in the same statement (a data-modifying WITH), equal to
  `save()` and its entry (tuoguan/audit/tests/test_fastpath.py).
* `row_and_entry_insert_later`: the same two rows for a row whose id was taken up front,
  queued (`core.rawsql.insert_later`) to go in one statement with what the caller writes
  next, e.g. an application's notice and stored answer (tuoguan/audit/tests/test_fastpath.py,
  and the rows of a whole application: tuoguan/enrolment/tests/test_apply_statements.py).
"""

from typing import Any

from django.db import models

from tuoguan.core import rawsql

from .models import AuditEntry


def entry_insert(values: dict[str, Any]) -> Any:
    return rawsql.insert(AuditEntry, values)


def row_insert(model: type[models.Model], values: dict[str, Any]) -> Any:
    return rawsql.insert(model, values)


def row_and_entry_insert(
    instance: models.Model, values: dict[str, Any], entry: dict[str, Any]
) -> Any:
    """PostgreSQL: the row and its entry in one statement, a round trip less; returns the
    row's id (the entry's object_id is the new row's id, cast to text)."""
    row_sql, row_params = rawsql.insert_statement(type(instance), values)
    entry_columns, entry_params = rawsql.insert_columns(AuditEntry, entry)
    object_id, new_id = rawsql.quote("object_id"), rawsql.quote(instance._meta.pk.column)
    picks = ", ".join(
        f"CAST(new_row.{new_id} AS varchar)" if name == object_id else "%s"
        for name in entry_columns
    )
    params = [p for name, p in zip(entry_columns, entry_params, strict=True) if name != object_id]
    sql = (
        f"WITH new_row AS ({row_sql}) "  # noqa: S608 - names and placeholders only
        f"INSERT INTO {rawsql.quote(AuditEntry._meta.db_table)} ({', '.join(entry_columns)}) "
        f"SELECT {picks} FROM new_row RETURNING object_id"
    )
    found = rawsql.fetch_one(sql, [*row_params, *params])
    assert found is not None  # noqa: S101 - RETURNING always gives the row
    return type(instance)._meta.pk.to_python(found[0])


def row_and_entry_insert_later(
    model: type[models.Model], values: dict[str, Any], entry: dict[str, Any], refused: Any = None
) -> None:
    """The row (its id in `values`) and its entry, sent together with the inserts that
    follow in the caller's `inserts_together` block, or as one statement of their own."""
    with rawsql.inserts_together():
        rawsql.insert_later(model, values, refused=refused)
        rawsql.insert_later(AuditEntry, entry)
