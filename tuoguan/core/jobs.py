"""Helpers for background work that reports progress to a `Job` row.

A task calls `job_progress()` every few rows; the job page polls the row with HTMX and
draws the bar. Progress writes use `update()` outside any transaction the task holds
open, so a reader sees them while the work is still running.
"""

from typing import Any

from django.db.models import F
from django.utils import timezone

from .models import Job


def job_create(*, owner: Any, kind: str, title: str, total: int = 0) -> Job:
    return Job.objects.create(owner=owner, kind=kind, title=title, total=total)


def job_start(*, job_id: int, total: int) -> None:
    Job.objects.filter(pk=job_id).update(status=Job.Status.RUNNING, total=total, done=0)


def job_progress(*, job_id: int, step: int = 1) -> None:
    Job.objects.filter(pk=job_id).update(done=F("done") + step)


def job_finish(*, job_id: int, result: dict[str, Any] | None = None, error: str = "") -> None:
    Job.objects.filter(pk=job_id).update(
        status=Job.Status.FAILED if error else Job.Status.DONE,
        result=result or {},
        error=error,
        finished_at=timezone.now(),
    )
