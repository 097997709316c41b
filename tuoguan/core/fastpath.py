"""Core's hand-written SQL and private framework APIs: queueing a background task from a
hot path, as the task backend would, in one INSERT (the helpers it uses are core/rawsql.py);
and a session whose row an earlier middleware read already (`session_known`).

Held equal by tuoguan/core/tests/test_rawsql.py: the row written by hand is the row
django-tasks writes; the installed release is the one it was written for; another release
gets the library's own `enqueue()`.

With the database backend (production) and ENQUEUE_ON_COMMIT off (config/settings.py),
`task.enqueue()` writes the task's row in the caller's transaction: an outbox, committed
with the change or not at all. Every application on enrolment morning queues the delivery
of its notice, so `enqueue` writes the same row with core.rawsql (bench/README.md).
Any other backend, a backend that waits for the commit, or a django-tasks release other
than the one this was written against (it calls the backend's private `_task_to_db_task`
and sends `pre_save` by hand) gets `task.enqueue()` itself.
"""

from functools import cache
from importlib.metadata import version
from typing import Any

from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import pre_save
from django_tasks.backends.database.backend import DatabaseBackend
from django_tasks.backends.database.models import DBTaskResult
from django_tasks.utils import json_normalize

from . import rawsql

_COLUMNS = [f.attname for f in DBTaskResult._meta.concrete_fields]
# The release whose private API the INSERT below relies on (tests/test_rawsql.py checks it).
WRITTEN_FOR = "0.8."


@cache
def written_for_installed() -> bool:
    return version("django-tasks").startswith(WRITTEN_FOR)


def enqueue(task: Any, *args: Any) -> None:
    backend = task.get_backend()
    if (
        not written_for_installed()
        or not isinstance(backend, DatabaseBackend)
        or backend._get_enqueue_on_commit_for_task(task)
    ):
        task.enqueue(*args)
        return
    backend.validate_task(task)
    # The backend's own mapping from a task call to its row; only the INSERT is ours.
    row = backend._task_to_db_task(task, json_normalize(args), {})
    # Their pre_save receivers complete the row (run_after), as Model.save() would run them.
    pre_save.send(
        sender=DBTaskResult, instance=row, raw=False, using=DEFAULT_DB_ALIAS, update_fields=None
    )
    rawsql.insert(DBTaskResult, {name: getattr(row, name) for name in _COLUMNS})


def session_known(store: Any, data: dict[str, Any]) -> None:
    """Give a session store the content of its row, read and decoded (signature checked,
    not expired) by an earlier middleware of the same request, so that it reads none.
    Django's SessionBase keeps what it loaded in `_session_cache`
    (tuoguan/core/tests/test_sessions.py holds the store equal to one that loads itself)."""
    store._session_cache = data
