""".xlsx in and out: the one reader of every import and the one writer of every export.

Imports: the worker roster, the insurer's roster and the paper applications share this reader
and keep their own columns and checks. Each import is all or nothing: the admin gets a report
of every row to fix (`RowError`), not just the first, and uploads the file again. The upload
page only checks the file (`XlsxUploadForm`: type, size, and the zip's declared sizes against
a bomb) and stores it; the rows are read in the background task, in openpyxl's read-only
(streaming) mode, after `zip_check` has refused any part that would unpack beyond
TUOGUAN_MAX_XLSX_UNPACKED_BYTES or TUOGUAN_MAX_XLSX_RATIO times its packed size.

Exports: `ExportWorkbook` writes every workbook the platform hands out (exports and import
templates), in write-only mode, and neutralises any text that a spreadsheet would run as a
formula (`cell_safe`): a union's name typed as `=HYPERLINK(…)` stays text.
"""

import datetime
import io
import logging
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any, TypeVar

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .jobs import job_finish

logger = logging.getLogger(__name__)

MAX_REPORTED_ERRORS = 1_000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A real workbook has a few dozen parts; the ratio is only judged beyond this many bytes,
# since a tiny part (an empty style sheet) packs far better than any data does.
MAX_PARTS = 1_000
RATIO_FLOOR_BYTES = 1024 * 1024
# What a spreadsheet reads as the start of a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
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


def _not_xlsx() -> XlsxFileError:
    return XlsxFileError(_("This file is not an Excel workbook (.xlsx)."))


def unpacks_too_large_message() -> str:
    return _(
        "This workbook unpacks to more than %(limit)s, far more than an import needs; "
        "split it into several files."
    ) % {"limit": filesizeformat(settings.TUOGUAN_MAX_XLSX_UNPACKED_BYTES)}


def unpacks_too_far_message() -> str:
    return _(
        "This workbook is refused: a part of it unpacks to more than %(ratio)d times its "
        "size, which no real spreadsheet does. Save it again in Excel or WPS and retry."
    ) % {"ratio": settings.TUOGUAN_MAX_XLSX_RATIO}


def zip_check(content: bytes) -> None:
    """Refuse, from the zip's directory alone, a workbook that would unpack far beyond its size.

    The sizes a zip declares bound what `zipfile` will unpack (it stops there and checks the
    CRC), so nothing is decompressed to judge them.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise _not_xlsx() from exc
    limit = settings.TUOGUAN_MAX_XLSX_UNPACKED_BYTES
    ratio = settings.TUOGUAN_MAX_XLSX_RATIO
    unpacked = sum(part.file_size for part in parts)
    if len(parts) > MAX_PARTS or unpacked > limit:
        raise XlsxFileError(unpacks_too_large_message())
    for part in parts:
        if part.file_size > RATIO_FLOOR_BYTES and part.file_size > ratio * max(
            part.compress_size, 1
        ):
            logger.warning("Refused an .xlsx whose part %s unpacks %d×", part.filename, ratio)
            raise XlsxFileError(unpacks_too_far_message())


def open_sheet(content: bytes) -> Any:
    """The first sheet of the workbook, read only; XlsxFileError for anything but an .xlsx."""
    if not zipfile.is_zipfile(io.BytesIO(content)):
        raise _not_xlsx()
    zip_check(content)
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


# --- The upload form -----------------------------------------------------------------------------


class XlsxUploadForm(forms.Form):
    """The file field of every import page: checked here, read in the background task.

    Only what costs nothing is judged in the request: the name (unless `content_decides`),
    the size, and the zip's directory (`zip_check`). The bytes are kept in `content` for the
    view to store and the task to read.
    """

    file = forms.FileField(
        label=gettext_lazy("File (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,{XLSX_TYPE}"}),
    )
    # A subclass that accepts any name (an insurer's file): the content alone decides.
    content_decides = False

    content: bytes = b""

    def too_large_message(self) -> str:
        return _("The file is larger than %(limit)s; split it into several files.")

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not self.content_decides and not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(
                _(
                    "Upload an Excel workbook (.xlsx). An older .xls or a .csv file: open it in "
                    "Excel or WPS and save it as .xlsx."
                )
            )
        limit = settings.TUOGUAN_MAX_IMPORT_BYTES
        if upload.size > limit:
            raise forms.ValidationError(self.too_large_message() % {"limit": filesizeformat(limit)})
        content = upload.read()
        if not zipfile.is_zipfile(io.BytesIO(content)):
            raise forms.ValidationError(_not_xlsx().message)
        try:
            zip_check(content)
        except XlsxFileError as exc:
            raise forms.ValidationError(exc.message) from exc
        self.content = content
        return upload


# --- Writing: exports and templates ------------------------------------------------------------


def cell_safe(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula, written as text (prefixed with `'`)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class ExportSheet:
    def __init__(self, workbook: Workbook, title: str) -> None:
        self._workbook = workbook
        self._sheet = workbook.create_sheet(title[:31])

    def widths(self, widths: Iterable[int | float]) -> None:
        """Column widths, from A; before the first row (write-only mode)."""
        for index, width in enumerate(widths, start=1):
            self._sheet.column_dimensions[get_column_letter(index)].width = width

    def header(self, labels: Iterable[Any]) -> None:
        cells = []
        for label in labels:
            cell = WriteOnlyCell(self._sheet, value=cell_safe(str(label)))
            cell.font = Font(bold=True)
            cells.append(cell)
        self._sheet.append(cells)

    def append(self, values: Iterable[Any]) -> None:
        self._sheet.append([cell_safe(value) for value in values])


class ExportWorkbook:
    """The one writer of every .xlsx the platform hands out (write-only: memory stays flat).

    Every cell goes through `cell_safe`; nothing else in the code creates an openpyxl
    `Workbook` to write (tests/test_hostile_input.py runs every export with formula values).
    """

    def __init__(self) -> None:
        self._workbook = Workbook(write_only=True)
        self.sheets: list[ExportSheet] = []

    def sheet(
        self, title: str, *, header: Iterable[Any] | None = None, widths: Iterable[int] = ()
    ) -> ExportSheet:
        sheet = ExportSheet(self._workbook, title)
        self.sheets.append(sheet)
        sheet.widths(widths)
        if header is not None:
            sheet.header(header)
        return sheet

    def content(self) -> bytes:
        buffer = io.BytesIO()
        self._workbook.save(buffer)
        return buffer.getvalue()


def rows_workbook(
    *,
    title: str,
    header: list[str],
    rows: Iterable[list[Any]],
    progress: Callable[[int], None] | None = None,
) -> bytes:
    """One sheet with a bold header row; `progress(n)` is called every 100 rows."""
    workbook = ExportWorkbook()
    sheet = workbook.sheet(title, header=header)
    done = 0
    for row in rows:
        sheet.append(row)
        done += 1
        if progress is not None and done % 100 == 0:
            progress(100)
    if progress is not None and done % 100:
        progress(done % 100)
    return workbook.content()


def template_workbook(
    *, title: str, columns: Columns, widths: Sequence[int], help_lines: Iterable[str]
) -> ExportWorkbook:
    """A workbook with the bold header row to fill in and a help sheet.

    No example row: uploaded unchanged, it would be imported as real data. A caller may add
    sheets (`.sheet(…)`) before `workbook_bytes`.
    """
    workbook = ExportWorkbook()
    workbook.sheet(title, header=[column_label(columns, key) for key in columns], widths=widths)
    help_sheet = workbook.sheet(_("Help"), widths=[110])
    for line in help_lines:
        help_sheet.append([line])
    return workbook


def workbook_bytes(workbook: ExportWorkbook) -> bytes:
    return workbook.content()
