"""The member roster import (.xlsx): read the file, check every row, then write all or nothing.

A union admin uploads one sheet with a header row and one worker per row. Nothing is written
unless every row is good: a half-imported roster is worse than none, because the admin can
no longer tell which rows to fix and upload again.
"""

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tuoguan.core import xlsx
from tuoguan.core.jobs import job_finish, job_progress, job_start
from tuoguan.core.xlsx import RowError, RowErrors, cell_text, counted
from tuoguan.orgs.models import Level, Org
from tuoguan.orgs.permissions import Actor, covers, require

from . import services
from .models import User, Worker, mobile_validator

MAX_ROWS = 10_000

COLUMNS: xlsx.Columns = {
    "real_name": (gettext_lazy("Real name"), frozenset({"real name", "name", "姓名", "真实姓名"})),
    "mobile": (
        gettext_lazy("Mobile number"),
        frozenset({"mobile", "mobile number", "手机", "手机号", "手机号码"}),
    ),
    "member_number": (
        gettext_lazy("Union member number"),
        frozenset({"member number", "union member number", "会员号", "工会会员号", "会员编号"}),
    ),
    "employer": (
        gettext_lazy("Employer union (ID or full name)"),
        frozenset({"employer", "employer union", "employer union id", "基层工会", "所在基层工会"}),
    ),
}

# The name the import forms catch, for this import and the enrolment app's.
RosterFileError = xlsx.XlsxFileError


@dataclass(frozen=True)
class RosterRow:
    row: int  # the row number as Excel shows it (the header is row 1)
    real_name: str
    mobile: str
    member_number: str
    employer: str


@dataclass
class PlannedRow:
    source: RosterRow
    employer: Org
    user: User | None
    worker: Worker | None


def column_label(key: str) -> str:
    return xlsx.column_label(COLUMNS, key)


def _header_map(header: Iterable[Any]) -> dict[str, int]:
    """The header row as `roster_read` maps it, the template's headers in every language."""
    return xlsx.header_map(header, COLUMNS, every_language=True)


def roster_read(content: bytes) -> list[RosterRow]:
    """Every non-empty row of the first sheet; RosterFileError when the file is unusable."""
    rows = xlsx.read_rows(
        content,
        COLUMNS,
        max_rows=MAX_ROWS,
        no_rows=_("The file has no worker rows below the header row."),
        # A template downloaded in one language may be uploaded while the other is active.
        every_language=True,
    )
    return [
        RosterRow(
            row=row.row,
            real_name=cell_text(row.cells["real_name"]),
            mobile=xlsx.normalise_mobile(cell_text(row.cells["mobile"])),
            member_number=cell_text(row.cells["member_number"]),
            employer=cell_text(row.cells["employer"]),
        )
        for row in rows
    ]


# --- Checking the rows -------------------------------------------------------------------------

BATCH = 500


def _in_batches(queryset: Any, field: str, values: Iterable[Any]) -> list[Any]:
    """`field__in=values`, a few hundred at a time: SQLite limits the parameters of a query."""
    values = list(values)
    found: list[Any] = []
    for start in range(0, len(values), BATCH):
        found.extend(queryset.filter(**{f"{field}__in": values[start : start + BATCH]}))
    return found


class _Lookups:
    """Everything the row checks need, fetched in a few queries for the whole file."""

    def __init__(self, actor: Actor, rows: list[RosterRow]) -> None:
        refs = {r.employer for r in rows if r.employer}
        ids = [int(ref) for ref in refs if ref.isdigit()]
        names = [ref for ref in refs if not ref.isdigit()]
        self.by_id = {org.pk: org for org in _in_batches(Org.objects.all(), "pk", ids)}
        self.by_name: dict[str, list[Org]] = {}
        for org in _in_batches(Org.objects.filter(is_active=True), "name", names):
            self.by_name.setdefault(org.name, []).append(org)
        users = User.objects.select_related("worker__employer")
        mobiles = {r.mobile for r in rows if r.mobile}
        self.users = {u.mobile: u for u in _in_batches(users, "mobile", mobiles)}
        numbers = {r.member_number for r in rows if r.member_number}
        self.numbers_taken = {
            (w.employer_id, w.member_number): w.user_id
            for w in _in_batches(
                Worker.objects.only("employer", "member_number", "user"), "member_number", numbers
            )
        }
        self.actor = actor
        self._resolved: dict[str, tuple[Org | None, str]] = {}

    def employer(self, ref: str) -> tuple[Org | None, str]:
        """The org a cell names, or an error message."""
        if ref not in self._resolved:
            self._resolved[ref] = self._resolve(ref)
        return self._resolved[ref]

    def _resolve(self, ref: str) -> tuple[Org | None, str]:
        if not ref:
            return None, _("The employer union is missing.")
        if ref.isdigit():
            candidates = [self.by_id[int(ref)]] if int(ref) in self.by_id else []
        else:
            candidates = self.by_name.get(ref, [])
        if not candidates:
            return None, _("No union has this ID or full name.")
        mine = [org for org in candidates if covers(self.actor, org)]
        if not mine:
            return None, _("This union is outside the part of the union tree you administer.")
        if len(mine) > 1:
            return None, _("Several of your unions have this name; use the union's ID instead.")
        org = mine[0]
        if org.level != Level.GRASSROOTS:
            return None, _(
                "Workers belong to a grassroots union; this one is at the %(level)s level."
            ) % {"level": org.get_level_display()}
        if not org.is_active:
            return None, _("This union is inactive.")
        return org, ""


def roster_check(
    *, actor: Actor, rows: list[RosterRow], progress: Callable[[int], None] | None = None
) -> tuple[list[PlannedRow], list[RowError]]:
    """Check every row; return what would be written and every error found (not just the first)."""
    lookups = _Lookups(actor, rows)
    mobile_counts = Counter(r.mobile for r in rows if r.mobile)
    # Counted per resolved union, so "12" and the union's full name are seen as the same.
    number_counts = Counter(
        (org.pk, r.member_number)
        for r in rows
        if r.member_number and (org := lookups.employer(r.employer)[0]) is not None
    )
    planned: list[PlannedRow] = []
    errors: list[RowError] = []
    for row in counted(rows, progress):
        row_errors, plan = _check_row(row, lookups, mobile_counts, number_counts)
        errors.extend(row_errors)
        if plan is not None and not row_errors:
            planned.append(plan)
    return planned, errors


def _check_row(
    row: RosterRow, lookups: _Lookups, mobiles: Counter[str], numbers: Counter[tuple[int, str]]
) -> tuple[list[RowError], PlannedRow | None]:
    error = RowErrors(row.row, COLUMNS)
    if not row.real_name:
        error("real_name", _("The real name is missing."))
    elif len(row.real_name) > 60:
        error("real_name", _("The real name is longer than 60 characters."))
    user = _check_mobile(row, lookups, mobiles, error)
    employer, message = lookups.employer(row.employer)
    if message:
        error("employer", message)
    if len(row.member_number) > 40:
        error("member_number", _("The member number is longer than 40 characters."))
    elif employer is not None and row.member_number:
        holder = lookups.numbers_taken.get((employer.pk, row.member_number))
        if numbers[(employer.pk, row.member_number)] > 1:
            error("member_number", _("This member number appears more than once for this union."))
        elif holder is not None and (user is None or holder != user.pk):
            error("member_number", _("Another worker of this union has this member number."))
    if error.found or employer is None:
        return error.found, None
    worker = getattr(user, "worker", None) if user is not None else None
    return error.found, PlannedRow(source=row, employer=employer, user=user, worker=worker)


def _check_mobile(
    row: RosterRow, lookups: _Lookups, mobiles: Counter[str], error: Callable[[str, str], None]
) -> User | None:
    if not row.mobile:
        error("mobile", _("The mobile number is missing."))
        return None
    try:
        mobile_validator(row.mobile)
    except ValidationError:
        error("mobile", _("Enter an 11-digit mainland mobile number starting with 1."))
        return None
    if mobiles[row.mobile] > 1:
        error("mobile", _("This mobile number appears more than once in the file."))
        return None
    user = lookups.users.get(row.mobile)
    worker = getattr(user, "worker", None) if user is not None else None
    if worker is not None and not covers(lookups.actor, worker.employer):
        error(
            "mobile",
            _(
                "This person is registered with a union outside the part of the tree "
                "you administer."
            ),
        )
    return user


# --- Writing -----------------------------------------------------------------------------------


@transaction.atomic
def roster_apply(*, actor: Actor, planned: list[PlannedRow]) -> dict[str, int]:
    """Create or update every planned worker, verified by the importing admin; all or nothing."""
    require(actor.is_admin)
    counts = {"created": 0, "attached": 0, "updated": 0}
    for plan in planned:
        require(covers(actor, plan.employer))
        row = plan.source
        if plan.user is None:
            user = services.user_create(
                username=services.username_for_mobile(row.mobile),
                real_name=row.real_name,
                password=None,
                mobile=row.mobile,
            )
            services.worker_create(
                user=user,
                employer=plan.employer,
                member_number=row.member_number,
                verified_by=actor.user,
            )
            counts["created"] += 1
        elif plan.worker is None:
            services.worker_create(
                user=plan.user,
                employer=plan.employer,
                member_number=row.member_number,
                verified_by=actor.user,
            )
            counts["attached"] += 1
        else:
            _update_worker(actor, plan.worker, plan.employer, row.member_number)
            counts["updated"] += 1
    return counts


def _update_worker(actor: Actor, worker: Worker, employer: Org, member_number: str) -> None:
    """The roster is the union's word: employer and member number follow it, and it verifies."""
    worker.employer = employer
    if member_number:
        worker.member_number = member_number
    if not worker.verified:
        worker.verified, worker.verified_by, worker.verified_at = True, actor.user, timezone.now()
    worker.full_clean(exclude=["user"])
    worker.save()


# --- The template ------------------------------------------------------------------------------


def roster_template(*, employers: Iterable[Org]) -> bytes:
    """An .xlsx with the header row to fill in, a help sheet and the admin's grassroots unions.

    No example row on the first sheet: uploaded unchanged, it would register a made-up worker.
    """
    workbook = xlsx.template_workbook(
        title=_("Workers"), columns=COLUMNS, widths=(18, 16, 22, 34), help_lines=_template_help()
    )
    unions = workbook.sheet(
        _("Unions"), header=[_("ID"), _("Full name"), _("Region code")], widths=(10, 40)
    )
    for org in employers:
        unions.append([org.pk, org.name, org.region_code])
    return xlsx.workbook_bytes(workbook)


def _template_help() -> list[str]:
    return [
        _("Fill in one worker per row on the first sheet, below the header row."),
        _("Real name: as on the resident ID card."),
        _("Mobile number: 11 digits; it is also the worker's login."),
        _("Union member number: optional; unique within the union."),
        _(
            "Employer union: the ID or the exact full name of a grassroots union from the "
            "sheet “Unions”."
        ),
        _(
            "A person already registered with this mobile number is updated, not duplicated. "
            "If any row has an error, nothing is imported and every error is listed."
        ),
    ]


# --- The whole run, as the background task does it ----------------------------------------------


def roster_import_run(*, job_id: int, content: bytes, actor: Actor, result_url: str) -> None:
    """Read, check and (when every row is good) write, reporting progress to the job.

    The bar's first half is the check, the second the writing; the writing happens in one
    transaction, so its half appears at once when it commits.
    """
    rows = roster_read(content)
    job_start(job_id=job_id, total=2 * len(rows))
    planned, errors = roster_check(
        actor=actor, rows=rows, progress=lambda step: job_progress(job_id=job_id, step=step)
    )
    if errors:
        xlsx.job_reject(job_id=job_id, result={"url": result_url, "rows": len(rows)}, errors=errors)
        return
    with transaction.atomic():
        counts = roster_apply(actor=actor, planned=planned)
        job_progress(job_id=job_id, step=len(rows))
    job_finish(job_id=job_id, result={"url": result_url, "rows": len(rows), **counts})
