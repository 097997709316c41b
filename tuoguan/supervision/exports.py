"""The region's glance as an .xlsx workbook.

Every cell that holds text is written as an explicit string, and text that a spreadsheet
would run as a formula (= + - @ first) is neutralised with a leading apostrophe.
"""

import io
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from .glance import Glance, GlanceRow

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: Any) -> str:
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _cell(sheet: Any, value: Any, bold: bool = False) -> Any:
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=safe_text(value))
        cell.data_type = "s"
    else:
        cell = WriteOnlyCell(sheet, value=value)
    if bold:
        cell.font = Font(bold=True)
    return cell


def _line(row: GlanceRow) -> list[Any]:
    findings = "；".join(f"{label} {n}" for label, n in row.findings_by_area())
    return [
        row.org.name,
        row.org.region_code,
        row.planned,
        row.done,
        row.findings_total,
        findings,
        row.open,
        row.overdue,
        row.never_visited,
        row.days_to_close if row.days_to_close is not None else "",
    ]


def glance_workbook(glance: Glance) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Supervision")[:31])
    header = [
        _("Union"),
        _("Region code"),
        _("Visits planned"),
        _("Visits done"),
        _("Findings"),
        _("Findings by area"),
        _("Open rectifications"),
        _("Overdue rectifications"),
        _("Terms never visited"),
        _("Average days to close"),
    ]
    sheet.append([_cell(sheet, label, bold=True) for label in header])
    for row in [*glance.rows, glance.total]:
        sheet.append([_cell(sheet, value) for value in _line(row)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
