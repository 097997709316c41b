"""Background work of enrolment (run by the django-tasks worker)."""

from typing import Any

from django_tasks import task

from .services import draws, idempotency, offers


@task()
def draw_execute(job_id: int, draw_ids: list[int]) -> None:
    """Compute and apply lottery draws started by `draw_run`; the job shows the progress."""
    draws.draws_execute(job_id=job_id, draw_ids=draw_ids)


@task()
def draw_notify(draw_ids: list[int]) -> None:
    """Tell the applicants of finished draws their results."""
    draws.draws_notify(draw_ids=draw_ids)


@task()
def expire_offers() -> dict[str, Any]:
    """Expire overdue offers (passing their seats on), send reminders, purge old keys.

    Enqueue it every few minutes (cron: `manage.py expire_offers` does the same inline).
    """
    return {
        "expired": offers.offers_expire(),
        "reminded": offers.offers_remind(),
        "keys_purged": idempotency.idempotency_purge(),
    }
