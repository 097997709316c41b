"""The background task's part of an .xlsx import, shared by the accounts and enrolment imports.

It lives here rather than in `tuoguan.core.xlsx` because it acts through `orgs` and `audit`,
which core must not import; enrolment imports it from here.
"""

import logging
from collections.abc import Callable
from typing import Any

from django.core.files.storage import default_storage
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from tuoguan.audit.context import acting_as
from tuoguan.core.jobs import job_finish
from tuoguan.core.models import Job
from tuoguan.core.xlsx import XlsxFileError
from tuoguan.orgs.permissions import Actor, actor_for


def import_job_run(
    *,
    job_id: int,
    path: str,
    membership_id: int | None,
    language: str,
    result: dict[str, Any],
    reason: Promise,
    run: Callable[[Actor, bytes], None],
    logger: logging.Logger,
    what: str,
) -> None:
    """Run `run(actor, content)` on the upload at `path` as the job's owner and membership.

    A failed job keeps `result` (its report page's address); `reason` ("… #%(job)d") is the
    audit reason and `what` names the import in the log. The upload is deleted afterwards
    whatever happens: it holds people's personal data.
    """
    job = Job.objects.select_related("owner").get(pk=job_id)
    try:
        with translation.override(language):
            actor = actor_for(job.owner, membership_id)
            if actor.membership is None or actor.membership.pk != membership_id:
                # The role used to upload was withdrawn meanwhile: do not import under another.
                job_finish(
                    job_id=job_id,
                    result=dict(result),
                    error=_("Your union role changed before the import ran; nothing was imported."),
                )
                return
            with default_storage.open(path, "rb") as upload:
                content = upload.read()
            with acting_as(
                user_id=job.owner.pk,
                membership_id=actor.membership.pk,
                membership_label=str(actor.membership),
                reason=str(reason) % {"job": job_id},
            ):
                run(actor, content)
    except XlsxFileError as exc:
        job_finish(job_id=job_id, result=dict(result), error=exc.message)
    except Exception:
        logger.exception("%s %s failed", what, job_id)
        with translation.override(language):
            job_finish(
                job_id=job_id,
                result=dict(result),
                error=_("The import failed unexpectedly; nothing was imported. Try again later."),
            )
    finally:
        default_storage.delete(path)
