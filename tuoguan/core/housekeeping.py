"""Rules that must run on a clock: expiring offers, purging old keys and logs, and the like.

django-tasks runs work when something enqueues it, but has no clock. So each app registers
its periodic jobs here from its `AppConfig.ready()` (core never imports the apps), and
`manage.py housekeeping` runs each job when it is due: `--loop` beside the web server and
the task worker, or `--once` from cron.

When a job last ran is kept in a `PeriodicRun` row, so a restart does not run everything
again at once, and several runners (one per machine) never run a job twice in one period:
a runner claims a due job by moving its `last_run_at` forward under a row lock, then runs it
outside any transaction (the jobs keep their own, short, transactions). A job that fails is
logged and tried again when its next period comes; it never stops the others.
"""

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import import_module
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from .models import PeriodicRun

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    fn: Callable[[], Any]
    every: timedelta
    description: str


@dataclass(frozen=True)
class Outcome:
    """What one due job did: its result, or the error it failed with."""

    name: str
    result: Any = None
    error: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.error


_REGISTRY: dict[str, PeriodicJob] = {}


def register_periodic(
    name: str, fn: Callable[[], Any], every: timedelta, *, description: str = ""
) -> None:
    """Run `fn()` every `every` from `manage.py housekeeping`; call from `AppConfig.ready()`.

    `description` states the rule for the command's help (the first line of `fn`'s
    docstring by default). Registering a name again replaces the job.
    """
    if every <= timedelta(0):
        raise ValueError(f"Periodic job {name!r} needs a positive period, not {every}.")
    doc = (fn.__doc__ or "").strip().splitlines()
    _REGISTRY[name] = PeriodicJob(name, fn, every, description or (doc[0] if doc else name))


def periodic_jobs() -> list[PeriodicJob]:
    return sorted(_REGISTRY.values(), key=lambda job: job.name)


def every_text(every: timedelta) -> str:
    """'5 minutes', '1 hour', '1 day': a period as the help text says it."""
    seconds = int(every.total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return f"{seconds} seconds"


def _locked(queryset: Any) -> Any:
    # SKIP LOCKED: a second runner passes over a job the first is claiming instead of waiting
    # for it. SQLite has no row locks; its write lock (IMMEDIATE transactions) serialises
    # the claims instead.
    if connection.features.has_select_for_update_skip_locked:
        return queryset.select_for_update(skip_locked=True)
    return queryset.select_for_update()


def _claim(job: PeriodicJob, now: datetime) -> bool:
    """Mark a due job as run now; False when it is not due or another runner has it."""
    PeriodicRun.objects.get_or_create(name=job.name)
    with transaction.atomic():
        run = _locked(PeriodicRun.objects.filter(name=job.name)).first()
        if run is None or (run.last_run_at is not None and now < run.last_run_at + job.every):
            return False
        run.last_run_at = now
        run.save(update_fields=["last_run_at"])
        return True


def _run(job: PeriodicJob) -> Outcome:
    started, result, error = time.monotonic(), None, ""
    try:
        result = job.fn()
    except Exception as exc:  # one failing job must not stop the others
        logger.exception("Housekeeping job %s failed", job.name)
        error = f"{type(exc).__name__}: {exc}"
    PeriodicRun.objects.filter(name=job.name).update(last_error=error)
    return Outcome(job.name, result, error, round(time.monotonic() - started, 3))


def housekeeping_run_due(*, now: datetime | None = None) -> list[Outcome]:
    """Run every registered job that is due, each at most once; returns what they did."""
    now = now or timezone.now()
    return [_run(job) for job in periodic_jobs() if _claim(job, now)]


def housekeeping_loop(
    *,
    interval: float,
    stop: threading.Event,
    on_tick: Callable[[list[Outcome]], None] = lambda outcomes: None,
) -> None:
    """Run due jobs every `interval` seconds until `stop` is set."""
    while not stop.is_set():
        _drop_stale_connections()
        on_tick(housekeeping_run_due())
        _drop_stale_connections()
        stop.wait(interval)


def _drop_stale_connections() -> None:
    # A long-lived process: drop the connections the database or CONN_MAX_AGE has ended, as
    # Django does around each request. Never inside a transaction (a test's): that would
    # close the connection it runs on.
    if not connection.in_atomic_block:
        close_old_connections()


# --- Jobs of the framework itself (the apps register their own) ---------------------------


def sessions_clear_expired() -> None:
    """Delete expired sessions (what `manage.py clearsessions` does)."""
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()


def task_results_prune(*, now: datetime | None = None, days: int = 14) -> int:
    """Delete finished task results older than two weeks (database task backend only)."""
    from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, tasks
    from django_tasks.backends.database.backend import DatabaseBackend

    backend = tasks[DEFAULT_TASK_BACKEND_ALIAS]
    if not isinstance(backend, DatabaseBackend):
        return 0
    from django_tasks.backends.database.models import DBTaskResult

    cutoff = (now or timezone.now()) - timedelta(days=days)
    deleted, _details = (
        DBTaskResult.objects.finished()
        .filter(backend_name=backend.alias, finished_at__lte=cutoff)
        .delete()
    )
    return deleted


def register_framework_jobs() -> None:
    register_periodic(
        "core.sessions_clear_expired",
        sessions_clear_expired,
        every=timedelta(days=1),
        description="delete expired login sessions",
    )
    register_periodic(
        "core.task_results_prune",
        task_results_prune,
        every=timedelta(days=1),
        description="delete finished background-task results older than 14 days",
    )
