"""The insurer's roster import (.xlsx): a union's bulk accident cover, matched to children.

One row per insured child: name, ID number (or birth date and the guardian's mobile), policy
number and cover dates. A child is found by the blind index of the ID number first, else by
name + birth date + guardian's mobile, among the children of the admin's unions and classes.
As with the worker roster (accounts/imports.py; both read through `tuoguan.core.xlsx`), nothing
is written unless every row is good: the admin gets a report of each unmatched, ambiguous or
malformed row, fixes the file and uploads it again.
"""

import datetime
import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from tuoguan.accounts.import_jobs import import_job_run
from tuoguan.accounts.models import Child, id_number_validator
from tuoguan.core import xlsx
from tuoguan.core.crypto import blind_index
from tuoguan.core.jobs import job_finish, job_progress, job_start
from tuoguan.core.xlsx import RowError, RowErrors, cell_text, counted, parse_date
from tuoguan.orgs.permissions import Actor, require

from ..models import ACTIVE_STATUSES, Insurance
from .insurance import check_cover_fields

logger = logging.getLogger(__name__)

MAX_ROWS = 10_000
JOB_KIND = "insurance_import"

COLUMNS: xlsx.Columns = {
    "child_name": (
        gettext_lazy("Child's name"),
        frozenset(
            {"child name", "name", "姓名", "被保险人", "被保险人姓名", "儿童姓名", "学生姓名"}
        ),
    ),
    "id_number": (
        gettext_lazy("ID number"),
        frozenset({"id number", "身份证号", "身份证号码", "证件号码", "被保险人证件号码"}),
    ),
    "birth_date": (gettext_lazy("Birth date"), frozenset({"birth date", "出生日期"})),
    "guardian_mobile": (
        gettext_lazy("Guardian's mobile"),
        frozenset(
            {"guardian mobile", "mobile", "监护人手机", "监护人手机号", "手机号", "联系电话"}
        ),
    ),
    "policy_number": (
        gettext_lazy("Policy number"),
        frozenset({"policy number", "policy", "保单号", "保险单号"}),
    ),
    "starts_on": (
        gettext_lazy("Cover starts"),
        frozenset({"cover start", "start", "起保日期", "保险起期", "生效日期"}),
    ),
    "ends_on": (
        gettext_lazy("Cover ends"),
        frozenset({"cover end", "end", "终保日期", "保险止期", "截止日期"}),
    ),
}
REQUIRED = ("child_name", "policy_number", "starts_on", "ends_on")
FIELD_COLUMN = {"insurer": "policy_number", "policy_number": "policy_number",
                "starts_on": "starts_on", "ends_on": "ends_on"}  # fmt: skip


@dataclass(frozen=True)
class ChildRow:
    """The cells of a row that find its child (`_match`), as `child_cells` cleans them."""

    row: int
    child_name: str
    id_number: str
    birth_date: Any
    guardian_mobile: str


@dataclass(frozen=True)
class InsuredRow(ChildRow):
    policy_number: str
    starts_on: Any
    ends_on: Any


@dataclass(frozen=True)
class PlannedCover:
    row: int
    child: Child
    policy_number: str
    starts_on: datetime.date
    ends_on: datetime.date


def column_label(key: str) -> str:
    return xlsx.column_label(COLUMNS, key)


# --- Reading -----------------------------------------------------------------------------------


def missing_child_columns(found: dict[str, int], required: Iterable[str]) -> list[str]:
    """The required columns a header lacks, and the child's ID number if nothing can stand in.

    Without the ID number, a child is found by the birth date and the guardian's mobile.
    """
    missing = [column_label(key) for key in required if key not in found]
    if "id_number" not in found and not {"birth_date", "guardian_mobile"} <= found.keys():
        missing.append(
            _("%(id)s (or both %(birth)s and %(mobile)s)")
            % {
                "id": column_label("id_number"),
                "birth": column_label("birth_date"),
                "mobile": column_label("guardian_mobile"),
            }
        )
    return missing


def child_cells(cells: dict[str, Any]) -> dict[str, Any]:
    return {
        "child_name": cell_text(cells["child_name"]),
        "id_number": cell_text(cells["id_number"]).upper(),
        "birth_date": cells["birth_date"],
        "guardian_mobile": xlsx.normalise_mobile(cell_text(cells["guardian_mobile"])),
    }


def insured_read(content: bytes) -> list[InsuredRow]:
    """Every non-empty row of the first sheet; XlsxFileError when the file is unusable."""
    rows = xlsx.read_rows(
        content,
        COLUMNS,
        max_rows=MAX_ROWS,
        no_rows=_("The file has no insured children below the header row."),
        missing=lambda found: missing_child_columns(found, REQUIRED),
    )
    return [
        InsuredRow(
            row=row.row,
            **child_cells(row.cells),
            policy_number=cell_text(row.cells["policy_number"]),
            starts_on=row.cells["starts_on"],
            ends_on=row.cells["ends_on"],
        )
        for row in rows
    ]


# --- Matching ----------------------------------------------------------------------------------


def children_in_scope(actor: Actor) -> Any:
    """Children of workers in the admin's subtree, and children in classes the subtree hosts."""
    if actor.membership is None:
        return Child.objects.none()
    path = actor.membership.org.path
    return Child.objects.filter(
        Q(guardian__employer__path__startswith=path)
        | Q(
            enrolments__term__program__host__path__startswith=path,
            enrolments__status__in=ACTIVE_STATUSES,
        )
    ).distinct()


class _Lookups:
    """The children the rows may name, fetched in two queries for the whole file."""

    def __init__(self, actor: Actor, rows: Sequence[ChildRow]) -> None:
        scope = children_in_scope(actor).select_related("guardian__user")
        indexes = {blind_index(r.id_number) for r in rows if r.id_number}
        self.by_index = {c.id_number_index: c for c in scope.filter(id_number_index__in=indexes)}
        names = {r.child_name for r in rows if r.child_name}
        self.by_facts: dict[tuple[str, Any, str], list[Child]] = defaultdict(list)
        for child in scope.filter(name__in=names):
            key = (child.name, child.birth_date, child.guardian.user.mobile or "")
            self.by_facts[key].append(child)


def _match(row: ChildRow, lookups: _Lookups, error: Callable[[str, str], None]) -> Child | None:
    if row.id_number:
        child = lookups.by_index.get(blind_index(row.id_number))
        if child is not None:
            if child.name != row.child_name:
                error("child_name", _("The child with this ID number has another name."))
                return None
            return child
    birth_date = parse_date(row.birth_date) if row.birth_date not in (None, "") else None
    if birth_date is None or not row.guardian_mobile:
        error("id_number", _id_number_problem(row.id_number))
        return None
    found = lookups.by_facts.get((row.child_name, birth_date, row.guardian_mobile), [])
    if not found:
        error(
            "child_name",
            _("No child of your unions' classes has this name, birth date and guardian's mobile."),
        )
        return None
    if len(found) > 1:
        error("child_name", _("Several children match this row; add the ID number."))
        return None
    return found[0]


def _id_number_problem(id_number: str) -> str:
    """Why a row could not be matched by its ID number (a typing mistake, or no such child)."""
    if not id_number:
        return _("Give the ID number, or the birth date and the guardian's mobile number.")
    try:
        id_number_validator(id_number)
    except ValidationError as exc:
        return str(exc.messages[0])
    return _("No child of your unions' classes has this ID number.")


def insured_check(
    *,
    actor: Actor,
    insurer: str,
    rows: list[InsuredRow],
    progress: Callable[[int], None] | None = None,
) -> tuple[list[PlannedCover], list[RowError]]:
    """Check every row; return the covers to write and every error found (not just the first)."""
    lookups = _Lookups(actor, rows)
    planned: list[PlannedCover] = []
    errors: list[RowError] = []
    for row in counted(rows, progress):
        error = RowErrors(row.row, COLUMNS)
        if not row.child_name:
            error("child_name", _("The child's name is missing."))
        starts_on, ends_on = parse_date(row.starts_on), parse_date(row.ends_on)
        fields = check_cover_fields(
            insurer=insurer, policy_number=row.policy_number, starts_on=starts_on, ends_on=ends_on
        )
        for field, message in fields.items():
            error(FIELD_COLUMN[field], message)
        child = _match(row, lookups, error) if row.child_name else None
        errors.extend(error.found)
        if child is not None and not error.found and starts_on and ends_on:
            planned.append(PlannedCover(row.row, child, row.policy_number, starts_on, ends_on))
    return planned, errors + _duplicates(planned)


def _duplicates(planned: list[PlannedCover]) -> list[RowError]:
    counts = Counter((p.child.pk, p.policy_number) for p in planned)
    return [
        RowError(
            row=p.row,
            column=column_label("policy_number"),
            message=_("This child appears twice in the file with the same policy number."),
        )
        for p in planned
        if counts[(p.child.pk, p.policy_number)] > 1
    ]


# --- Writing -----------------------------------------------------------------------------------


@transaction.atomic
def insured_apply(*, actor: Actor, insurer: str, planned: list[PlannedCover]) -> dict[str, int]:
    """Record every cover as bought by the admin's union; all or nothing.

    A policy already recorded for the child is updated rather than duplicated, so the same
    roster can be imported again after the insurer corrects it.
    """
    require(actor.is_admin)
    from .paperwork import enrolments_sync_for_child

    counts = {"created": 0, "updated": 0}
    existing = {
        (c.child_id, c.policy_number): c
        for c in Insurance.objects.filter(
            child__in=[p.child for p in planned],
            policy_number__in={p.policy_number for p in planned},
        )
    }
    for plan in planned:
        cover = existing.get((plan.child.pk, plan.policy_number))
        counts["updated" if cover else "created"] += 1
        cover = cover or Insurance(child=plan.child, policy_number=plan.policy_number)
        cover.insurer, cover.starts_on, cover.ends_on = (
            insurer.strip(),
            plan.starts_on,
            plan.ends_on,
        )
        cover.source, cover.bought_by = Insurance.Source.UNION, actor.org
        cover.save()
    for child in {p.child.pk: p.child for p in planned}.values():
        enrolments_sync_for_child(child)
    return counts


# --- The template ------------------------------------------------------------------------------


def insured_template() -> bytes:
    """An .xlsx with the header row to fill in and a help sheet (no example row)."""
    workbook = xlsx.template_workbook(
        title=_("Insured children"),
        columns=COLUMNS,
        widths=(14, 22, 14, 16, 24, 14, 14),
        help_lines=_template_help(),
    )
    return xlsx.workbook_bytes(workbook)


def _template_help() -> list[str]:
    return [
        _("One insured child per row on the first sheet, below the header row."),
        _(
            "The child is found by the ID number; without one, by the name, the birth date "
            "and the guardian's mobile number together."
        ),
        _("Dates as 2026-07-01, 2026/7/1 or Excel dates."),
        _(
            "If any row has an error, nothing is imported and every error is listed. A policy "
            "already recorded for the child is updated, not duplicated."
        ),
    ]


# --- The whole run, as the background task does it ----------------------------------------------


def insured_import_run(
    *, job_id: int, content: bytes, actor: Actor, insurer: str, result_url: str
) -> None:
    rows = insured_read(content)
    job_start(job_id=job_id, total=2 * len(rows))
    planned, errors = insured_check(
        actor=actor,
        insurer=insurer,
        rows=rows,
        progress=lambda step: job_progress(job_id=job_id, step=step),
    )
    if errors:
        xlsx.job_reject(
            job_id=job_id,
            result={"url": result_url, "rows": len(rows)},
            errors=sorted(errors, key=lambda e: e.row),
        )
        return
    with transaction.atomic():
        counts = insured_apply(actor=actor, insurer=insurer, planned=planned)
        job_progress(job_id=job_id, step=len(rows))
    job_finish(job_id=job_id, result={"url": result_url, "rows": len(rows), **counts})


@task()
def insurance_import(
    job_id: int, path: str, membership_id: int | None, insurer: str, language: str
) -> None:
    """Import an uploaded insurer roster for the job's owner, as the membership they used.

    The upload is deleted afterwards whatever happens: it holds children's ID numbers.
    """
    result_url = reverse("enrolment:insurance_import_result", args=[job_id])
    import_job_run(
        job_id=job_id,
        path=path,
        membership_id=membership_id,
        language=language,
        result={"url": result_url},
        reason=gettext_lazy("insurer roster import #%(job)d"),
        run=lambda actor, content: insured_import_run(
            job_id=job_id, content=content, actor=actor, insurer=insurer, result_url=result_url
        ),
        logger=logger,
        what="Insurer roster import",
    )
