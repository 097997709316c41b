import io
import shutil
import tempfile
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from tuoguan.accounts import services
from tuoguan.accounts.models import User, Worker
from tuoguan.audit.models import AuditEntry
from tuoguan.core.models import Job
from tuoguan.testing import PersonaTestCase

IMPORT = reverse("accounts:worker_import")
HEADER = ["Real name", "Mobile number", "Union member number", "Employer union (ID or full name)"]


def xlsx(rows: list[list[Any]], header: list[str] | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADER if header is None else header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(content: bytes, name: str = "roster.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


class ImportTestCase(PersonaTestCase):
    media: str
    media_override: Any

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.media = tempfile.mkdtemp()
        cls.media_override = override_settings(MEDIA_ROOT=cls.media)
        cls.media_override.enable()

    @classmethod
    def tearDownClass(cls) -> None:
        cls.media_override.disable()
        shutil.rmtree(cls.media, ignore_errors=True)
        super().tearDownClass()

    def client_for(self, user: object) -> Client:
        client = super().client_for(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    def post(self, content: bytes, user: object = None, name: str = "roster.xlsx") -> Any:
        """Upload, then run what waits for the commit: the task, as the worker would."""
        client = self.client_for(user or self.p.city_admin)
        with self.captureOnCommitCallbacks(execute=True):
            return client.post(IMPORT, {"file": upload(content, name)})


class GoodFileTests(ImportTestCase):
    def test_a_good_file_creates_verified_workers_in_a_background_job(self) -> None:
        content = xlsx(
            [
                ["赵一", "13600000001", "DL-1001", self.p.grassroots.pk],
                ["钱二", 13600000002, None, "中山区人民医院工会"],
                ["孙三", "136 0000 0003", 1003, str(self.p.grassroots.pk)],
                [None, None, None, None],  # blank rows are skipped
            ]
        )
        response = self.post(content)
        job = Job.objects.get(kind="worker_import")
        self.assertRedirects(response, reverse("core:job", args=[job.pk]))
        self.assertEqual(job.status, Job.Status.DONE)
        self.assertEqual(job.percent, 100)
        result_url = reverse("accounts:worker_import_result", args=[job.pk])
        self.assertEqual(job.result["url"], result_url)
        self.assertEqual((job.result["created"], job.result["rows"]), (3, 3))

        workers = Worker.objects.filter(user__mobile__startswith="1360000000").order_by(
            "user__mobile"
        )
        self.assertEqual(
            [(w.user.real_name, w.member_number, w.employer) for w in workers],
            [
                ("赵一", "DL-1001", self.p.grassroots),
                ("钱二", "", self.p.other_grassroots),
                ("孙三", "1003", self.p.grassroots),
            ],
        )
        for worker in workers:
            self.assertTrue(worker.verified)
            self.assertEqual(worker.verified_by, self.p.city_admin)
            self.assertFalse(worker.user.has_usable_password())

        entries = AuditEntry.objects.filter(model="accounts.Worker", action="create")
        self.assertEqual(entries.filter(actor=self.p.city_admin).count(), 3)
        self.assertTrue(entries.filter(reason__contains=f"#{job.pk}").exists())

        page = self.client_for(self.p.city_admin).get(result_url)
        self.assertContains(page, "3 rows imported")
        job_page = self.client_for(self.p.city_admin).get(reverse("core:job", args=[job.pk]))
        self.assertContains(job_page, result_url)

    def test_the_uploaded_file_is_deleted_after_the_run(self) -> None:
        import os

        self.post(xlsx([["赵一", "13600000001", "", self.p.grassroots.pk]]))
        leftover = [f for _, _, files in os.walk(self.media) for f in files]
        self.assertEqual(leftover, [])

    def test_an_existing_account_is_updated_not_duplicated(self) -> None:
        loner = services.user_create(
            username="loner", real_name="独立用户", password=None, mobile="13600000005"
        )
        content = xlsx(
            [
                ["王家长", "13700000001", "DL-7777", self.p.other_grassroots.pk],
                ["独立用户", "13600000005", "", self.p.grassroots.pk],
            ]
        )
        users_before = User.objects.count()
        self.post(content)
        self.assertEqual(User.objects.count(), users_before)
        self.p.parent_worker.refresh_from_db()
        self.assertEqual(self.p.parent_worker.employer, self.p.other_grassroots)
        self.assertEqual(self.p.parent_worker.member_number, "DL-7777")
        self.assertEqual(Worker.objects.get(user=loner).employer, self.p.grassroots)
        job = Job.objects.get()
        self.assertEqual((job.result["updated"], job.result["attached"]), (1, 1))

    def test_chinese_headers_are_accepted(self) -> None:
        content = xlsx(
            [["赵一", "13600000001", "", self.p.grassroots.pk]],
            header=["姓名", "手机号", "会员号", "所在基层工会"],
        )
        self.post(content)
        self.assertTrue(Worker.objects.filter(user__mobile="13600000001").exists())


class BadRowTests(ImportTestCase):
    def test_every_bad_row_is_reported_and_nothing_is_imported(self) -> None:
        content = xlsx(
            [
                ["好人", "13600000001", "", self.p.grassroots.pk],  # row 2: fine
                ["坏号码", "12345", "", self.p.grassroots.pk],  # 3: bad mobile
                ["重复甲", "13600000009", "", self.p.grassroots.pk],  # 4: dup mobile
                ["重复乙", "13600000009", "", self.p.grassroots.pk],  # 5: dup mobile
                ["无单位", "13600000011", "", 999999],  # 6: unknown union
                ["外省", "13600000012", "", self.p.other_grassroots_far.pk],  # 7: outside
                ["县级", "13600000013", "", self.p.county.pk],  # 8: not grassroots
                ["撞号", "13600000014", "DL-0001", self.p.grassroots.pk],  # 9: number taken
                ["", "13600000015", "", self.p.grassroots.pk],  # 10: no name
            ]
        )
        users_before = User.objects.count()
        response = self.post(content)
        job = Job.objects.get()
        self.assertRedirects(response, reverse("core:job", args=[job.pk]))
        self.assertEqual(job.status, Job.Status.FAILED)
        self.assertIn("Nothing was imported", job.error)
        self.assertEqual(User.objects.count(), users_before)
        self.assertFalse(
            AuditEntry.objects.filter(
                model="accounts.Worker", action="create", actor=self.p.city_admin
            ).exists()
        )

        errors = {(e["row"], e["column"]) for e in job.result["errors"]}
        self.assertEqual(
            errors,
            {
                (3, "Mobile number"),
                (4, "Mobile number"),
                (5, "Mobile number"),
                (6, "Employer union (ID or full name)"),
                (7, "Employer union (ID or full name)"),
                (8, "Employer union (ID or full name)"),
                (9, "Union member number"),
                (10, "Real name"),
            },
        )
        page = self.client_for(self.p.city_admin).get(job.result["url"])
        self.assertContains(page, "Nothing was imported: the file has 8 problems.")
        self.assertContains(page, "This mobile number appears more than once in the file.")
        self.assertContains(page, "outside the part of the union tree you administer")
        self.assertContains(page, "grassroots union")

    def test_one_bad_row_in_a_long_file_stops_all_of_it(self) -> None:
        rows: list[list[Any]] = [
            [f"职工{n}", f"1360{n:07d}", f"L-{n}", self.p.grassroots.pk] for n in range(1200)
        ]
        rows[1100][1] = "1360000"  # row 1102
        self.post(xlsx(rows))
        job = Job.objects.get()
        self.assertEqual(
            job.result["errors"],
            [
                {
                    "row": 1102,
                    "column": "Mobile number",
                    "message": job.result["errors"][0]["message"],
                }
            ],
        )
        self.assertEqual(job.result["rows"], 1200)
        self.assertFalse(User.objects.filter(mobile__startswith="1360").exists())

    def test_a_worker_of_another_union_cannot_be_moved_in(self) -> None:
        content = xlsx([["李家长", "13700000002", "", self.p.grassroots.pk]])
        self.post(content, user=self.p.grassroots_admin)
        job = Job.objects.get()
        self.assertEqual(job.result["errors"][0]["column"], "Mobile number")
        self.assertEqual(
            Worker.objects.get(user=self.p.other_parent).employer, self.p.other_grassroots_far
        )

    def test_duplicate_member_numbers_in_the_file_are_reported(self) -> None:
        content = xlsx(
            [
                ["甲", "13600000001", "X-1", self.p.grassroots.pk],
                ["乙", "13600000002", "X-1", "大连港集团工会"],
            ]
        )
        self.post(content)
        rows = [e["row"] for e in Job.objects.get().result["errors"]]
        self.assertEqual(rows, [2, 3])
        self.assertFalse(User.objects.filter(mobile="13600000001").exists())


class BadFileTests(ImportTestCase):
    def assert_form_error(self, response: Any, text: str) -> None:
        self.assertEqual(response.status_code, 200)
        form = response.context["form"]
        self.assertTrue(form.has_error("file"))
        self.assertIn(text, " ".join(form.errors["file"]))
        self.assertFalse(Job.objects.exists())
        self.assertFalse(User.objects.filter(mobile__startswith="136").exists())

    def assert_job_error(self, response: Any, text: str) -> None:
        """What only reading the rows shows is reported by the background job, not the form."""
        self.assertEqual(response.status_code, 302)
        job = Job.objects.get(kind="worker_import")
        self.assertEqual(job.status, Job.Status.FAILED)
        self.assertIn(text, job.error)
        self.assertFalse(User.objects.filter(mobile__startswith="136").exists())

    def test_a_csv_file_is_refused(self) -> None:
        response = self.post(b"name,mobile\nA,13600000001\n", name="roster.csv")
        self.assert_form_error(response, "Upload an Excel workbook (.xlsx)")

    def test_a_text_file_named_xlsx_is_refused(self) -> None:
        response = self.post(b"name,mobile\nA,13600000001\n")
        self.assert_form_error(response, "not an Excel workbook")

    def test_a_corrupt_xlsx_is_refused(self) -> None:
        content = xlsx([["赵一", "13600000001", "", self.p.grassroots.pk]])
        response = self.post(content[: len(content) // 2])
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].has_error("file"))
        self.assertFalse(Job.objects.exists())

    def test_a_zip_that_is_not_a_workbook_is_refused(self) -> None:
        import zipfile

        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("hello.txt", "hello")
        response = self.post(buffer.getvalue())
        self.assert_job_error(response, "damaged or not a real .xlsx")

    def test_missing_header_columns_are_named(self) -> None:
        content = xlsx([["赵一", "13600000001"]], header=["Real name", "Mobile number"])
        response = self.post(content)
        self.assert_job_error(response, "Union member number")

    def test_a_file_with_only_a_header_is_refused(self) -> None:
        self.assert_job_error(self.post(xlsx([])), "no worker rows")

    @override_settings(TUOGUAN_MAX_IMPORT_BYTES=1000)
    def test_a_file_over_the_size_limit_is_refused(self) -> None:
        content = xlsx([["赵一", "13600000001", "", self.p.grassroots.pk]])
        self.assertGreater(len(content), 1000)
        self.assert_form_error(self.post(content), "larger than")

    def test_no_file_is_a_field_error(self) -> None:
        response = self.client_for(self.p.city_admin).post(IMPORT, {})
        self.assertTrue(response.context["form"].has_error("file"))


class AccessTests(ImportTestCase):
    def test_anonymous_is_sent_to_login(self) -> None:
        for url in (IMPORT, reverse("accounts:worker_import_template")):
            self.assertEqual(Client().get(url).status_code, 302)

    def test_a_caregiver_gets_403(self) -> None:
        client = self.client_for(self.p.caregiver)
        self.assertEqual(client.get(IMPORT).status_code, 403)
        self.assertEqual(client.get(reverse("accounts:worker_import_template")).status_code, 403)
        content = xlsx([["赵一", "13600000001", "", self.p.grassroots.pk]])
        response = client.post(IMPORT, {"file": upload(content)})
        self.assertEqual(response.status_code, 403)
        self.assertFalse(User.objects.filter(mobile="13600000001").exists())

    def test_someone_elses_report_is_a_404(self) -> None:
        self.post(xlsx([["赵一", "13600000001", "", self.p.grassroots.pk]]))
        url = Job.objects.get().result["url"]
        self.assertEqual(self.client_for(self.p.outsider).get(url).status_code, 404)
        self.assertEqual(self.client_for(self.p.province_admin).get(url).status_code, 404)
        self.assertEqual(Client().get(url).status_code, 302)

    def test_the_template_has_the_header_row_and_the_admins_unions(self) -> None:
        response = self.client_for(self.p.grassroots_admin).get(
            reverse("accounts:worker_import_template")
        )
        self.assertEqual(
            response["Content-Type"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        workbook = load_workbook(io.BytesIO(response.content))
        first = workbook.worksheets[0]
        self.assertEqual([c.value for c in first[1]], HEADER)
        self.assertEqual(first.max_row, 1)
        unions = workbook.worksheets[-1]
        ids = [row[0] for row in unions.iter_rows(min_row=2, values_only=True)]
        self.assertEqual(ids, [self.p.grassroots.pk])

    def test_the_template_imports_cleanly_once_filled_in(self) -> None:
        response = self.client_for(self.p.grassroots_admin).get(
            reverse("accounts:worker_import_template")
        )
        workbook = load_workbook(io.BytesIO(response.content))
        workbook.worksheets[0].append(["赵一", "13600000001", "", self.p.grassroots.pk])
        buffer = io.BytesIO()
        workbook.save(buffer)
        self.post(buffer.getvalue(), user=self.p.grassroots_admin)
        self.assertTrue(Worker.objects.filter(user__mobile="13600000001").exists())


class TemplateHeadersInEitherLanguageTest(PersonaTestCase):
    def test_the_english_and_the_chinese_headers_are_both_read(self) -> None:
        from django.utils import translation

        from tuoguan.accounts.imports import COLUMNS, _header_map

        for code in ("en", "zh-hans"):
            with translation.override(code):
                header = [str(label) for label, _aliases in COLUMNS.values()]
            with translation.override("zh-hans" if code == "en" else "en"):
                self.assertEqual(set(_header_map(header)), set(COLUMNS), code)
