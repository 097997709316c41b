""".xlsx imports: read a header row and the rows below it, report every problem by row and column.

The worker roster, the insurer's roster and the paper applications share this reader and keep
their own columns and checks. Each import is all or nothing: the admin gets a report of every
row to fix (`RowError`), not just the first, and uploads the file again.
"""

import datetime
import io
import logging
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .jobs import job_finish

logger = logging.getLogger(__name__)

MAX_REPORTED_ERRORS = 1_000
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")

# Column key → (header written in the template, other headers accepted when reading).
Columns = dict[str, tuple[Any, frozenset[str]]]

T = TypeVar("T")


class XlsxFileError(Exception):
    """The file as a whole cannot be imported; `message` is shown at the form field."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class RowError:
    row: int  # the row number as Excel shows it (the header is row 1)
    column: str
    message: str


@dataclass(frozen=True)
class SheetRow:
    row: int
    cells: dict[str, Any]  # every column key → the cell's value; None where the column is absent


# --- Cells -------------------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """A cell as text: Excel stores a typed-in mobile or member number as a number."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def normalise_mobile(value: str) -> str:
    mobile = value.replace(" ", "").replace("-", "")
    return mobile[3:] if mobile.startswith("+86") else mobile


def parse_date(value: Any) -> datetime.date | None:
    """A cell as a date: Excel dates, or text in the usual Chinese and ISO spellings."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = cell_text(value)
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a date only
        except ValueError:
            continue
    return None


# --- The header row ----------------------------------------------------------------------------


def column_label(columns: Columns, key: str) -> str:
    return str(columns[key][0])


def normalise_header(value: Any) -> str:
    return " ".join(str(value or "").replace("*", " ").split()).casefold()


def header_map(
    header: Iterable[Any], columns: Columns, *, every_language: bool = False
) -> dict[str, int]:
    """The index of the first header cell naming each column key found.

    A column is named by one of its aliases or by its template header in the active language;
    with `every_language`, in any of the site's languages, for a template downloaded in one
    language and uploaded while another is active.
    """
    accepted: dict[str, set[str]] = {key: set(aliases) for key, (_, aliases) in columns.items()}
    if every_language:
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                _accept_labels(accepted, columns)
    else:
        _accept_labels(accepted, columns)
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = normalise_header(cell)
        for key, names in accepted.items():
            if name in names and key not in found:
                found[key] = index
    return found


def _accept_labels(accepted: dict[str, set[str]], columns: Columns) -> None:
    for key, (label, _aliases) in columns.items():
        accepted[key].add(normalise_header(str(label)))


def require_columns(missing: list[str]) -> None:
    """Refuse a file whose header row lacks the columns (labels) in `missing`."""
    if missing:
        raise XlsxFileError(
            _(
                "The first row lacks the column(s): %(columns)s. Download the template "
                "to see the expected header row."
            )
            % {"columns": ", ".join(missing)}
        )


# --- Reading -----------------------------------------------------------------------------------


def open_sheet(content: bytes) -> Any:
    """The first sheet of the workbook, read only; XlsxFileError for anything but an .xlsx."""
    if not zipfile.is_zipfile(io.BytesIO(content)):
        raise XlsxFileError(_("This file is not an Excel workbook (.xlsx)."))
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        return workbook.worksheets[0]
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise _damaged(exc) from exc


def read_rows(
    content: bytes,
    columns: Columns,
    *,
    max_rows: int,
    no_rows: str,
    missing: Callable[[dict[str, int]], list[str]] | None = None,
    every_language: bool = False,
) -> list[SheetRow]:
    """Every non-empty row below the header of the first sheet; XlsxFileError when unusable.

    `missing` names the columns a header lacks (by default: any of `columns` not found);
    `no_rows` is the message for a file with nothing below the header.
    """
    sheet = open_sheet(content)
    try:
        rows = sheet.iter_rows(values_only=True)
        found = header_map(next(rows, ()), columns, every_language=every_language)
        if missing is None:
            require_columns([column_label(columns, key) for key in columns if key not in found])
        else:
            require_columns(missing(found))
        result = _data_rows(rows, columns, found, max_rows)
    except XlsxFileError:
        raise
    except Exception as exc:  # damage may only show while reading rows
        raise _damaged(exc) from exc
    if not result:
        raise XlsxFileError(no_rows)
    return result


def _data_rows(
    rows: Iterable[tuple[Any, ...]], columns: Columns, found: dict[str, int], max_rows: int
) -> list[SheetRow]:
    result: list[SheetRow] = []
    for number, values in enumerate(rows, start=2):
        cells = {
            key: values[found[key]] if key in found and found[key] < len(values) else None
            for key in columns
        }
        if not any(cell_text(value) for value in cells.values()):
            continue
        if len(result) >= max_rows:
            raise XlsxFileError(
                _("The file has more than %(max)d rows; split it into several files.")
                % {"max": max_rows}
            )
        result.append(SheetRow(row=number, cells=cells))
    return result


def _damaged(exc: Exception) -> XlsxFileError:
    logger.info("Unreadable .xlsx upload: %s", exc)
    return XlsxFileError(
        _("This workbook is damaged or not a real .xlsx file; save it again and retry.")
    )


# --- Checking ----------------------------------------------------------------------------------


class RowErrors:
    """The errors found in one row; a check reports one as `error(column_key, message)`."""

    def __init__(self, row: int, columns: Columns) -> None:
        self.row = row
        self.columns = columns
        self.found: list[RowError] = []

    def __call__(self, key: str, message: str) -> None:
        label = column_label(self.columns, key)
        self.found.append(RowError(row=self.row, column=label, message=message))


def counted(
    rows: Sequence[T], progress: Callable[[int], None] | None, *, every: int = 100
) -> Iterator[T]:
    """Each row in turn, telling `progress` of every hundred rows checked and then of the rest."""
    for done, row in enumerate(rows, start=1):
        yield row
        if progress is not None and done % every == 0:
            progress(every)
    if progress is not None and len(rows) % every:
        progress(len(rows) % every)


def errors_as_json(errors: list[RowError]) -> list[dict[str, Any]]:
    return [asdict(e) for e in errors[:MAX_REPORTED_ERRORS]]


def job_reject(*, job_id: int, result: dict[str, Any], errors: list[RowError]) -> None:
    """Finish an import's job as failed, with the first errors for its report page."""
    job_finish(
        job_id=job_id,
        result={**result, "error_count": len(errors), "errors": errors_as_json(errors)},
        error=_(
            "Nothing was imported: the file has %(count)d problem(s). "
            "Open the report to see each one."
        )
        % {"count": len(errors)},
    )


# --- The template to fill in -------------------------------------------------------------------


def template_workbook(
    *, title: str, columns: Columns, widths: Sequence[int], help_lines: Iterable[str]
) -> Workbook:
    """A workbook with the bold header row to fill in and a help sheet.

    No example row: uploaded unchanged, it would be imported as real data.
    """
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # noqa: S101 - a new Workbook always has one sheet
    sheet.title = title
    sheet.append([column_label(columns, key) for key in columns])
    for index, width in enumerate(widths, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = width
        sheet[f"{letter}1"].font = Font(bold=True)
    help_sheet = workbook.create_sheet(_("Help"))
    for line in help_lines:
        help_sheet.append([line])
    help_sheet.column_dimensions["A"].width = 110
    return workbook


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
