"""Background work of the accounts app (run by the django-tasks worker)."""

import logging

from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from tuoguan.audit.context import acting_as
from tuoguan.core.jobs import job_finish
from tuoguan.core.models import Job
from tuoguan.orgs.permissions import actor_for

from . import imports

logger = logging.getLogger(__name__)


@task()
def worker_import(job_id: int, path: str, membership_id: int | None, language: str) -> None:
    """Import an uploaded roster for the job's owner, acting through the membership they used.

    The upload is deleted afterwards whatever happens: it holds people's mobile numbers.
    """
    job = Job.objects.select_related("owner").get(pk=job_id)
    result_url = reverse("accounts:worker_import_result", args=[job_id])
    try:
        with translation.override(language):
            actor = actor_for(job.owner, membership_id)
            if actor.membership is None or actor.membership.pk != membership_id:
                # The role used to upload was withdrawn meanwhile: do not import under another.
                job_finish(
                    job_id=job_id,
                    result={"url": result_url},
                    error=_("Your union role changed before the import ran; nothing was imported."),
                )
                return
            with default_storage.open(path, "rb") as upload:
                content = upload.read()
            with acting_as(
                user_id=job.owner.pk,
                membership_id=actor.membership.pk,
                membership_label=str(actor.membership),
                reason=_("roster import #%(job)d") % {"job": job_id},
            ):
                imports.roster_import_run(
                    job_id=job_id, content=content, actor=actor, result_url=result_url
                )
    except imports.RosterFileError as exc:
        job_finish(job_id=job_id, result={"url": result_url}, error=exc.message)
    except Exception:
        logger.exception("Roster import %s failed", job_id)
        with translation.override(language):
            job_finish(
                job_id=job_id,
                result={"url": result_url},
                error=_("The import failed unexpectedly; nothing was imported. Try again later."),
            )
    finally:
        default_storage.delete(path)
