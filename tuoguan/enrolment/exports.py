"""Excel (.xlsx) exports of enrolment: a needs survey's answers and totals, a term's roster.

Workbooks are written in openpyxl's write-only mode, so memory stays flat whatever the
number of rows; the rows come from streamed queries (`iterator()`).
"""

import io
from collections.abc import Callable, Iterable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from tuoguan.accounts.models import Grade
from tuoguan.programs.models import ProgramType

from .models import NeedsSurvey, SurveyResponse
from .services.survey import WantedHours, WantedPeriod, survey_responses, survey_totals

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _header(sheet: Any, labels: Iterable[str]) -> None:
    cells = []
    for label in labels:
        cell = WriteOnlyCell(sheet, value=str(label))
        cell.font = Font(bold=True)
        cells.append(cell)
    sheet.append(cells)


def _safe(value: Any) -> Any:
    """Text typed by users must not run as a formula when the file is opened (CSV/XLSX injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def _workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


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
        _safe(response.special_needs),
        timezone.localtime(response.updated_at).replace(tzinfo=None),
    ]


def survey_workbook(survey: NeedsSurvey) -> bytes:
    """Two sheets: every answer (no names), and the totals per unit (grassroots union)."""
    workbook = Workbook(write_only=True)
    answers = workbook.create_sheet(_("Answers"))
    _header(
        answers,
        [
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
    units = workbook.create_sheet(_("Totals per unit"))
    type_labels = [str(label) for _value, label in ProgramType.choices]
    pay_labels = [
        _("Pay: %(answer)s") % {"answer": label} for _v, label in SurveyResponse.Payment.choices
    ]
    _header(
        units,
        [_("Unit"), _("Unit ID"), _("Families"), _("Children"), *type_labels, *pay_labels]
        + [_("With special needs")],
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
    return _workbook_bytes(workbook)


# --- Helpers shared with the roster export ------------------------------------------------------


def rows_workbook(
    *,
    title: str,
    header: list[str],
    rows: Iterable[list[Any]],
    progress: Callable[[int], None] | None = None,
) -> bytes:
    """One sheet with a bold header row; `progress(n)` is called every 100 rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    _header(sheet, header)
    done = 0
    for row in rows:
        sheet.append([_safe(value) for value in row])
        done += 1
        if progress is not None and done % 100 == 0:
            progress(100)
    if progress is not None and done % 100:
        progress(done % 100)
    return _workbook_bytes(workbook)
