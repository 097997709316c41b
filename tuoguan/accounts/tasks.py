"""Background work of the accounts app (run by the django-tasks worker)."""

import logging

from django.urls import reverse
from django.utils.translation import gettext_lazy
from django_tasks import task

from . import imports
from .import_jobs import import_job_run

logger = logging.getLogger(__name__)


@task()
def worker_import(job_id: int, path: str, membership_id: int | None, language: str) -> None:
    """Import an uploaded roster for the job's owner, acting through the membership they used.

    The upload is deleted afterwards whatever happens: it holds people's mobile numbers.
    """
    result_url = reverse("accounts:worker_import_result", args=[job_id])
    import_job_run(
        job_id=job_id,
        path=path,
        membership_id=membership_id,
        language=language,
        result={"url": result_url},
        reason=gettext_lazy("roster import #%(job)d"),
        run=lambda actor, content: imports.roster_import_run(
            job_id=job_id, content=content, actor=actor, result_url=result_url
        ),
        logger=logger,
        what="Roster import",
    )
