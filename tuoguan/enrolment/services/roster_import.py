"""Applications on paper forms, imported from .xlsx into a term's roster.

One application per row: the child (found by the blind index of the ID number, else by name,
birth date and the guardian's mobile number, as the insurer's roster import finds them),
optionally the priority groups declared and whether siblings stay together. Every row goes
through `enrolment_apply` with source "paper", so the same rules, seats and notices apply as
online. Nothing is imported unless every row is good: the rows are applied in one
transaction, which is rolled back when any row fails, and the admin gets a per-row report.
The file is read as the other .xlsx imports read theirs (`tuoguan.core.xlsx`).
"""

import logging
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from tuoguan.accounts.import_jobs import import_job_run
from tuoguan.accounts.models import Child
from tuoguan.core import xlsx
from tuoguan.core.jobs import job_finish, job_progress, job_start
from tuoguan.core.xlsx import RowError, RowErrors, cell_text, counted
from tuoguan.orgs.permissions import Actor, require
from tuoguan.programs.models import TargetGroup, Term

from ..fastpath import waitlist_position
from ..models import Enrolment, EnrolmentStatus
from .allocation import enrolment_apply
from .insurer_roster import ChildRow, child_cells, missing_child_columns
from .insurer_roster import _Lookups as ChildLookups  # the insurer import's matcher, shared
from .insurer_roster import _match as child_match
from .roster import can_manage_roster

logger = logging.getLogger(__name__)

MAX_ROWS = 2_000
JOB_KIND = "roster_import"
YES = frozenset({"yes", "y", "true", "1", "是", "√", "✓", "同报"})

COLUMNS: xlsx.Columns = {
    "child_name": (
        gettext_lazy("Child's name"),
        frozenset({"child name", "name", "姓名", "儿童姓名", "学生姓名", "幼儿姓名"}),
    ),
    "id_number": (
        gettext_lazy("ID number"),
        frozenset({"id number", "身份证号", "身份证号码", "证件号码"}),
    ),
    "birth_date": (gettext_lazy("Birth date"), frozenset({"birth date", "出生日期"})),
    "guardian_mobile": (
        gettext_lazy("Guardian's mobile"),
        frozenset({"guardian mobile", "mobile", "监护人手机", "监护人手机号", "手机号"}),
    ),
    "priority_groups": (
        gettext_lazy("Priority groups"),
        frozenset({"priority groups", "priority", "优先群体", "优先类别"}),
    ),
    "siblings_together": (
        gettext_lazy("Siblings together"),
        frozenset({"siblings together", "兄弟姐妹同报", "同胞同报", "同报"}),
    ),
}


@dataclass(frozen=True)
class PaperRow(ChildRow):
    priority_groups: str
    siblings_together: str


@dataclass(frozen=True)
class PlannedApplication:
    row: int
    child: Child
    priority_groups: list[str]
    keep_together: bool


def column_label(key: str) -> str:
    return xlsx.column_label(COLUMNS, key)


# --- Reading ----------------------------------------------------------------------------------


def applications_read(content: bytes) -> list[PaperRow]:
    """Every non-empty row of the first sheet; XlsxFileError when the file is unusable."""
    rows = xlsx.read_rows(
        content,
        COLUMNS,
        max_rows=MAX_ROWS,
        no_rows=_("The file has no application rows below the header row."),
        missing=lambda found: missing_child_columns(found, ("child_name",)),
    )
    return [
        PaperRow(
            row=row.row,
            **child_cells(row.cells),
            priority_groups=cell_text(row.cells["priority_groups"]),
            siblings_together=cell_text(row.cells["siblings_together"]),
        )
        for row in rows
    ]


# --- Checking ---------------------------------------------------------------------------------


def _priority_groups(text: str) -> tuple[list[str], list[str]]:
    """Codes or labels (in the active language) separated by commas; (known, unknown)."""
    by_name = {str(label).casefold(): value for value, label in TargetGroup.choices}
    by_name.update({value: value for value in TargetGroup.values})
    known, unknown = [], []
    for part in re.split(r"[,，、;；/]+", text):
        name = part.strip().casefold()
        if not name:
            continue
        if name in by_name:
            known.append(by_name[name])
        else:
            unknown.append(part.strip())
    return list(dict.fromkeys(known)), unknown


def applications_check(
    *, actor: Actor, rows: list[PaperRow], progress: Callable[[int], None] | None = None
) -> tuple[list[PlannedApplication], list[RowError]]:
    """Find each row's child and read its declarations; every error, not just the first."""
    lookups = ChildLookups(actor, rows)
    planned: list[PlannedApplication] = []
    errors: list[RowError] = []
    for row in counted(rows, progress):
        error = RowErrors(row.row, COLUMNS)
        child = None
        if not row.child_name:
            error("child_name", _("The child's name is missing."))
        else:
            child = child_match(row, lookups, error)
        groups, unknown = _priority_groups(row.priority_groups)
        if unknown:
            error(
                "priority_groups",
                _("Unknown priority group: %(groups)s.") % {"groups": ", ".join(unknown)},
            )
        errors.extend(error.found)
        if child is not None and not error.found:
            keep = row.siblings_together.strip().casefold() in YES
            planned.append(PlannedApplication(row.row, child, groups, keep))
    return planned, errors + _duplicates(planned)


def _duplicates(planned: list[PlannedApplication]) -> list[RowError]:
    counts = Counter(p.child.pk for p in planned)
    return [
        RowError(
            row=p.row,
            column=column_label("child_name"),
            message=_("This child appears more than once in the file."),
        )
        for p in planned
        if counts[p.child.pk] > 1
    ]


# --- Applying ---------------------------------------------------------------------------------


class _Rollback(Exception):
    """Raised inside the import's transaction to undo every row when one failed."""


def _outcome(enrolment: Enrolment) -> dict[str, Any]:
    return {
        "child": enrolment.child.name,
        "status": enrolment.status,
        "status_label": str(enrolment.get_status_display()),
        "position": waitlist_position(enrolment)
        if enrolment.status == EnrolmentStatus.WAITLISTED
        else None,
    }


def applications_apply(
    *, actor: Actor, term: Term, planned: list[PlannedApplication]
) -> tuple[list[dict[str, Any]], list[RowError]]:
    """Apply every row through `enrolment_apply` (source "paper"); all or nothing.

    Returns (per-row outcomes, errors); when there are errors nothing was written, no seat
    was taken and no family was notified (notices wait for the commit).
    """
    require(can_manage_roster(actor, term))
    outcomes: list[dict[str, Any]] = []
    errors: list[RowError] = []
    try:
        with transaction.atomic():
            for plan in planned:
                _apply_one(actor, term, plan, outcomes, errors)
            if errors:
                raise _Rollback
    except _Rollback:
        return [], errors
    return outcomes, []


def _apply_one(
    actor: Actor,
    term: Term,
    plan: PlannedApplication,
    outcomes: list[dict[str, Any]],
    errors: list[RowError],
) -> None:
    sibling_key = f"paper-{plan.child.guardian_id}" if plan.keep_together else ""
    try:
        with transaction.atomic():
            enrolment = enrolment_apply(
                actor=actor,
                child=plan.child,
                term=term,
                priority_groups=plan.priority_groups,
                sibling_key=sibling_key,
                keep_together=plan.keep_together,
                source="paper",
            )
    except ValidationError as exc:
        for message in exc.messages:
            errors.append(
                RowError(row=plan.row, column=column_label("child_name"), message=message)
            )
        return
    outcomes.append({"row": plan.row, **_outcome(enrolment)})


# --- The template -----------------------------------------------------------------------------


def applications_template() -> bytes:
    """An .xlsx with the header row and a help sheet; no example row (it would be imported)."""
    workbook = xlsx.template_workbook(
        title=_("Applications"),
        columns=COLUMNS,
        widths=(14, 22, 14, 16, 30, 16),
        help_lines=_template_help(),
    )
    return xlsx.workbook_bytes(workbook)


def _template_help() -> list[str]:
    groups = ", ".join(f"{value} ({label})" for value, label in TargetGroup.choices)
    return [
        _("One application (one child) per row on the first sheet, below the header row."),
        _(
            "The child must already be registered by the family, with consent given. It is "
            "found by the ID number; without one, by the name, the birth date and the "
            "guardian's mobile number together."
        ),
        _("Priority groups: optional, separated by commas; one of: %(groups)s.")
        % {"groups": groups},
        _("Siblings together: “yes” for brothers and sisters who must be admitted together."),
        _(
            "Each row is applied as an online application would be, in the order of the file. "
            "If any row fails, nothing is imported and every error is listed."
        ),
    ]


# --- The whole run, as the background task does it --------------------------------------------


def applications_import_run(*, job_id: int, content: bytes, actor: Actor, term: Term) -> None:
    url = reverse("enrolment:roster_import_result", args=[job_id])
    rows = applications_read(content)
    job_start(job_id=job_id, total=2 * len(rows))
    planned, errors = applications_check(
        actor=actor, rows=rows, progress=lambda step: job_progress(job_id=job_id, step=step)
    )
    if not errors:
        outcomes, errors = applications_apply(actor=actor, term=term, planned=planned)
    if errors:
        xlsx.job_reject(
            job_id=job_id, result={"url": url, "term": term.pk, "rows": len(rows)}, errors=errors
        )
        return
    job_progress(job_id=job_id, step=len(rows))
    job_finish(
        job_id=job_id,
        result={"url": url, "term": term.pk, "rows": len(rows), "applied": outcomes},
    )


@task()
def roster_import_task(
    job_id: int, path: str, term_id: int, membership_id: int | None, language: str
) -> None:
    """Import uploaded paper applications for the job's owner, through the membership used.

    The upload is deleted afterwards whatever happens: it holds children's data.
    """
    url = reverse("enrolment:roster_import_result", args=[job_id])

    def run(actor: Actor, content: bytes) -> None:
        term = Term.objects.select_related("program__host").get(pk=term_id)
        applications_import_run(job_id=job_id, content=content, actor=actor, term=term)

    import_job_run(
        job_id=job_id,
        path=path,
        membership_id=membership_id,
        language=language,
        result={"url": url, "term": term_id},
        reason=gettext_lazy("paper applications import #%(job)d"),
        run=run,
        logger=logger,
        what="Paper applications import",
    )
