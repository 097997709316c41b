"""Excel (.xlsx) exports of enrolment: a needs survey's answers and totals, a term's roster.

Workbooks are written by the shared writer (`core.xlsx.ExportWorkbook`: write-only mode, so
memory stays flat whatever the number of rows, and no text runs as a formula); the rows come
from streamed queries (`iterator()`).
"""

import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from tuoguan.accounts.models import Grade
from tuoguan.audit.services import audit_record
from tuoguan.core.jobs import job_create, job_finish, job_progress, job_start
from tuoguan.core.models import Job
from tuoguan.core.xlsx import XLSX_TYPE as XLSX_TYPE  # the views' content type
from tuoguan.core.xlsx import ExportWorkbook, rows_workbook
from tuoguan.orgs.permissions import Actor, require
from tuoguan.programs.models import ProgramType, TargetGroup, Term

from .models import Enrolment, NeedsSurvey, SurveyResponse
from .services.roster import (
    BACKGROUND_THRESHOLD,
    CHUNK,
    can_manage_roster,
    paperwork_columns,
    roster_enrolments,
    roster_rows,
)
from .services.survey import WantedHours, WantedPeriod, survey_responses, survey_totals

logger = logging.getLogger(__name__)

EXPORT_JOB_KIND = "roster_export"


def _label(choices: Any, value: Any) -> str:
    return str(dict(choices.choices).get(value, value or ""))


# --- Needs survey -----------------------------------------------------------------------------


def _answer_row(response: SurveyResponse) -> list[Any]:
    children = response.children or []
    return [
        response.employer.name,
        response.employer_id,
        len(children),
        ", ".join(str(c.get("age", "")) for c in children),
        ", ".join(_label(Grade, c.get("grade")) for c in children),
        ", ".join(_label(ProgramType, t) for t in response.wanted_types or []),
        _label(WantedPeriod, response.wanted_period),
        _label(WantedHours, response.hours),
        _label(SurveyResponse.Payment, response.pay_living_costs),
        response.special_needs,
        timezone.localtime(response.updated_at).replace(tzinfo=None),
    ]


def survey_workbook(survey: NeedsSurvey) -> bytes:
    """Two sheets: every answer (no names), and the totals per unit (grassroots union)."""
    workbook = ExportWorkbook()
    answers = workbook.sheet(
        _("Answers"),
        header=[
            _("Unit"),
            _("Unit ID"),
            _("Children"),
            _("Ages"),
            _("Grades"),
            _("Wanted types of care"),
            _("Wanted period"),
            _("Hours"),
            _("Would pay living costs"),
            _("Special needs"),
            _("Answered at"),
        ],
    )
    for response in survey_responses(survey).iterator(chunk_size=1000):
        answers.append(_answer_row(response))
    totals = survey_totals(survey)
    type_labels = [str(label) for _value, label in ProgramType.choices]
    pay_labels = [
        _("Pay: %(answer)s") % {"answer": label} for _v, label in SurveyResponse.Payment.choices
    ]
    units = workbook.sheet(
        _("Totals per unit"),
        header=[
            _("Unit"),
            _("Unit ID"),
            _("Families"),
            _("Children"),
            *type_labels,
            *pay_labels,
            _("With special needs"),
        ],
    )
    for unit in totals.units:
        units.append(
            [unit["name"], unit["id"], unit["families"], unit["children"]]
            + [unit[f"type_{v}"] for v in ProgramType.values]
            + [unit[f"pay_{v}"] for v in SurveyResponse.Payment.values]
            + [unit["special_needs"]]
        )
    units.append(
        [_("Total"), "", totals.families, totals.children]
        + [row[2] for row in totals.types]
        + [row[2] for row in totals.pay]
        + [totals.special_needs]
    )
    return workbook.content()


# --- The roster of a term -----------------------------------------------------------------------


def _roster_header() -> list[str]:
    return [
        _("Child"),
        _("Sex"),
        _("Birth date"),
        _("Grade"),
        _("Group"),
        _("Guardian"),
        _("Guardian's mobile"),
        _("Unit"),
        _("Status"),
        _("Waitlist position"),
        _("Priority groups"),
        _("Source"),
        _("Applied at"),
        *[label for _key, label in paperwork_columns()],
    ]


def _mark(cell: Any) -> str:
    # Words beside the sign: the sheet may be printed in black and white.
    if cell.done is None:
        return ""
    return _("✓ done") if cell.done else _("✗ missing")


def _roster_line(row: Any) -> list[Any]:
    enrolment = row.enrolment
    child, guardian = enrolment.child, enrolment.guardian
    targets = dict(TargetGroup.choices)
    return [
        child.name,
        child.get_sex_display(),
        child.birth_date,
        child.get_grade_display(),
        enrolment.group.name if enrolment.group else "",
        str(guardian.user),
        guardian.user.mobile or "",
        guardian.employer.name,
        enrolment.get_status_display(),
        row.waitlist_position or "",
        ", ".join(str(targets.get(g, g)) for g in enrolment.priority_groups or []),
        enrolment.get_source_display(),
        timezone.localtime(enrolment.created_at).replace(tzinfo=None),
        *[_mark(cell) for cell in row.cells],
    ]


def roster_lines(enrolments: Iterable[Enrolment]) -> Iterable[list[Any]]:
    """Export lines, the paperwork columns computed in bulk a chunk at a time."""
    chunk: list[Enrolment] = []
    for enrolment in enrolments:
        chunk.append(enrolment)
        if len(chunk) == CHUNK:
            yield from (_roster_line(row) for row in roster_rows(chunk))
            chunk = []
    if chunk:
        yield from (_roster_line(row) for row in roster_rows(chunk))


def roster_workbook(
    term: Term, enrolments: QuerySet[Enrolment], progress: Callable[[int], None] | None = None
) -> bytes:
    return rows_workbook(
        title=_("Roster"),
        header=_roster_header(),
        rows=roster_lines(enrolments.iterator(chunk_size=CHUNK)),
        progress=progress,
    )


@dataclass(frozen=True)
class RosterExport:
    content: bytes | None  # the file at once for a small roster
    job: Job | None  # else the background job that writes it


def roster_export(
    *, actor: Actor, term: Term, filters: dict[str, Any], language: str = "zh-hans"
) -> RosterExport:
    """The roster as .xlsx; audited, since it carries children's and parents' data out."""
    require(can_manage_roster(actor, term))
    enrolments = roster_enrolments(term, **filters)
    count = enrolments.count()
    audit_record(
        action="export", instance=term, reason=_("roster export (%(n)d rows)") % {"n": count}
    )
    if count <= BACKGROUND_THRESHOLD:
        return RosterExport(content=roster_workbook(term, enrolments), job=None)
    job = job_create(
        owner=actor.user,
        kind=EXPORT_JOB_KIND,
        title=_("Roster export: %(term)s") % {"term": term},
        total=count,
    )
    roster_export_task.enqueue(
        job_id=job.pk,
        term_id=term.pk,
        filters={**filters, "group": filters["group"].pk if filters.get("group") else None},
        language=language,
    )
    return RosterExport(content=None, job=job)


@task()
def roster_export_task(job_id: int, term_id: int, filters: dict[str, Any], language: str) -> None:
    """Write a large roster export to storage; the job's result links to the download."""
    url = reverse("enrolment:roster_export_download", args=[job_id])
    try:
        with translation.override(language):
            term = Term.objects.select_related("program__host").get(pk=term_id)
            group = term.groups.filter(pk=filters.pop("group", None)).first()
            enrolments = roster_enrolments(term, group=group, **filters)
            job_start(job_id=job_id, total=enrolments.count())
            content = roster_workbook(
                term, enrolments, progress=lambda n: job_progress(job_id=job_id, step=n)
            )
            path = default_storage.save(
                f"exports/roster/{uuid.uuid4().hex}.xlsx", ContentFile(content)
            )
            job_finish(job_id=job_id, result={"url": url, "path": path})
    except Exception:
        logger.exception("Roster export %s failed", job_id)
        with translation.override(language):
            job_finish(job_id=job_id, error=_("The export failed unexpectedly; try again later."))
