"""The shared .xlsx reader: header row, data rows by Excel row number, and every file problem."""

import datetime
import io
import zipfile
from typing import Any

from django.test import SimpleTestCase
from django.utils import translation
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook

from tuoguan.core import xlsx
from tuoguan.core.jobs import job_create
from tuoguan.core.models import Job
from tuoguan.core.xlsx import RowError, XlsxFileError
from tuoguan.testing import PersonaTestCase

COLUMNS: xlsx.Columns = {
    "name": ("Name", frozenset({"name", "姓名"})),
    "mobile": ("Mobile", frozenset({"mobile", "手机号"})),
    "note": ("Note", frozenset({"note", "备注"})),
}


def workbook(*rows: list[Any]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def read(content: bytes, **options: Any) -> list[xlsx.SheetRow]:
    options.setdefault("max_rows", 100)
    options.setdefault("no_rows", "Nothing below the header.")
    return xlsx.read_rows(content, COLUMNS, **options)


class GoodWorkbookTests(SimpleTestCase):
    def test_it_reads_each_filled_row_with_the_row_number_excel_shows(self) -> None:
        content = workbook(
            ["Name", "Mobile", "Note"],
            ["赵一", 13600000001, "first"],
            [None, None, None],
            ["钱二", "13600000002", None],
        )
        rows = read(content)
        self.assertEqual([row.row for row in rows], [2, 4])
        self.assertEqual(rows[0].cells, {"name": "赵一", "mobile": 13600000001, "note": "first"})
        self.assertEqual(rows[1].cells["note"], None)

    def test_columns_are_found_by_alias_in_any_order_and_spelling(self) -> None:
        content = workbook([" 手机号* ", "NAME"], ["13600000001", "赵一"])
        [row] = read(content, missing=lambda found: [])
        self.assertEqual(row.cells, {"name": "赵一", "mobile": "13600000001", "note": None})

    def test_a_short_row_leaves_the_missing_cells_empty(self) -> None:
        content = workbook(["Note", "Name", "Mobile"], ["only a note"])
        [row] = read(content)
        self.assertEqual(row.cells, {"name": None, "mobile": None, "note": "only a note"})

    def test_a_filled_in_template_reads_back(self) -> None:
        book = xlsx.template_workbook(
            title="Sheet", columns=COLUMNS, widths=(10, 12, 14), help_lines=["Fill it in."]
        )
        book.sheets[0].append(["赵一", "13600000001", ""])
        content = xlsx.workbook_bytes(book)
        self.assertEqual(len(read(content)), 1)
        reopened = load_workbook(io.BytesIO(content))
        self.assertTrue(reopened.worksheets[0]["A1"].font.bold)
        self.assertEqual(reopened.worksheets[1]["A1"].value, "Fill it in.")


class HeaderTests(SimpleTestCase):
    def setUp(self) -> None:
        self.enterContext(translation.override("en"))

    def test_a_wrong_header_names_every_missing_column(self) -> None:
        content = workbook(["Name", "Phone"], ["赵一", "13600000001"])
        with self.assertRaises(XlsxFileError) as caught:
            read(content)
        self.assertIn("lacks the column(s): Mobile, Note.", caught.exception.message)

    def test_the_import_decides_which_columns_are_missing(self) -> None:
        content = workbook(["Name"], ["赵一"])
        self.assertEqual(len(read(content, missing=lambda found: [])), 1)
        with self.assertRaises(XlsxFileError) as caught:
            read(content, missing=lambda found: ["Mobile (or Note)"])
        self.assertIn("Mobile (or Note)", caught.exception.message)

    def test_every_language_accepts_a_template_downloaded_in_another_language(self) -> None:
        columns: xlsx.Columns = {"row": (gettext_lazy("Row"), frozenset())}
        self.assertEqual(xlsx.header_map(["行"], columns), {})
        self.assertEqual(xlsx.header_map(["行"], columns, every_language=True), {"row": 0})
        with translation.override("zh-hans"):
            self.assertEqual(xlsx.header_map(["行"], columns), {"row": 0})
            self.assertEqual(xlsx.header_map(["Row"], columns, every_language=True), {"row": 0})

    def test_the_first_matching_header_cell_wins(self) -> None:
        self.assertEqual(xlsx.header_map(["x", "name", "姓名"], COLUMNS), {"name": 1})


class UnusableFileTests(SimpleTestCase):
    def setUp(self) -> None:
        self.enterContext(translation.override("en"))

    def assert_refused(self, content: bytes, text: str, **options: Any) -> None:
        with self.assertRaises(XlsxFileError) as caught:
            read(content, **options)
        self.assertIn(text, caught.exception.message)

    def test_a_file_that_is_not_a_workbook_is_refused(self) -> None:
        self.assert_refused(b"Name,Mobile\n", "not an Excel workbook (.xlsx)")

    def test_a_zip_that_is_not_a_workbook_is_refused_as_damaged(self) -> None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("hello.txt", "hello")
        self.assert_refused(buffer.getvalue(), "damaged or not a real .xlsx")

    def test_a_file_over_the_row_limit_is_refused(self) -> None:
        rows = [["Name", "Mobile", "Note"], *([f"n{i}", "1", ""] for i in range(4))]
        self.assertEqual(len(read(workbook(*rows), max_rows=4)), 4)
        self.assert_refused(workbook(*rows), "more than 3 rows", max_rows=3)

    def test_a_sheet_with_nothing_below_the_header_is_refused_with_the_import_s_message(
        self,
    ) -> None:
        content = workbook(["Name", "Mobile", "Note"], [None, "", None])
        self.assert_refused(content, "Nothing below the header.")

    def test_an_empty_sheet_lacks_every_column(self) -> None:
        self.assert_refused(workbook(), "lacks the column(s): Name, Mobile, Note.")


class CellTests(SimpleTestCase):
    def test_numbers_typed_into_excel_read_as_the_digits(self) -> None:
        self.assertEqual(xlsx.cell_text(13600000001.0), "13600000001")
        self.assertEqual(xlsx.cell_text(1003), "1003")
        self.assertEqual(xlsx.cell_text(None), "")
        self.assertEqual(xlsx.cell_text("  赵一 "), "赵一")

    def test_a_mobile_loses_spaces_dashes_and_the_country_code(self) -> None:
        self.assertEqual(xlsx.normalise_mobile("+86 136-0000-0001"), "13600000001")

    def test_dates_read_from_excel_dates_and_the_usual_spellings(self) -> None:
        day = datetime.date(2026, 7, 1)
        for value in (datetime.datetime(2026, 7, 1, 0, 0), day, "2026/7/1", "2026年7月1日"):
            self.assertEqual(xlsx.parse_date(value), day, value)
        self.assertIsNone(xlsx.parse_date("next July"))


class CheckingTests(SimpleTestCase):
    def test_a_row_s_errors_name_the_column_by_its_header(self) -> None:
        error = xlsx.RowErrors(7, COLUMNS)
        error("mobile", "The mobile number is missing.")
        self.assertEqual(error.found, [RowError(7, "Mobile", "The mobile number is missing.")])

    def test_progress_is_told_of_every_hundred_rows_and_then_of_the_rest(self) -> None:
        steps: list[int] = []
        self.assertEqual(len(list(xlsx.counted(range(250), steps.append))), 250)
        self.assertEqual(steps, [100, 100, 50])
        steps.clear()
        list(xlsx.counted(range(200), steps.append))
        self.assertEqual(steps, [100, 100])
        self.assertEqual(list(xlsx.counted([1, 2], None)), [1, 2])

    def test_the_report_keeps_the_first_thousand_errors(self) -> None:
        errors = [RowError(row, "Name", "missing") for row in range(2, 1_502)]
        kept = xlsx.errors_as_json(errors)
        self.assertEqual(len(kept), xlsx.MAX_REPORTED_ERRORS)
        self.assertEqual(kept[0], {"row": 2, "column": "Name", "message": "missing"})


class JobRejectTests(PersonaTestCase):
    def test_a_rejected_import_fails_its_job_and_keeps_the_errors_for_the_report(self) -> None:
        job = job_create(owner=self.p.province_admin, kind="import", title="roster")
        errors = [RowError(2, "Name", "missing"), RowError(3, "Mobile", "wrong")]
        with translation.override("en"):
            xlsx.job_reject(job_id=job.pk, result={"url": "/report/", "rows": 2}, errors=errors)
        job.refresh_from_db()
        self.assertEqual(job.status, Job.Status.FAILED)
        self.assertEqual(job.result["url"], "/report/")
        self.assertEqual(job.result["error_count"], 2)
        self.assertEqual(
            job.result["errors"][1], {"row": 3, "column": "Mobile", "message": "wrong"}
        )
        self.assertIn("the file has 2 problem(s)", job.error)
