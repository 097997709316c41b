"""The insurer's roster import: matching rows to children, the report, all or nothing."""

import datetime
from typing import Any

from django.urls import reverse

from tuoguan.core.models import Job
from tuoguan.enrolment.models import EnrolmentStatus, Insurance

from .paperwork_support import DAY, PaperworkCase, complete, seat, term_around, upload, xlsx

IMPORT = reverse("enrolment:insurance_import")
HEADER = [
    "Child's name",
    "ID number",
    "Birth date",
    "Guardian's mobile",
    "Policy number",
    "Cover starts",
    "Cover ends",
]
CHINESE_HEADER = [
    "被保险人姓名",
    "身份证号码",
    "出生日期",
    "监护人手机号",
    "保单号",
    "起保日期",
    "终保日期",
]


class ImportCase(PaperworkCase):
    def setUp(self) -> None:
        self.term = term_around(self.p, starts_in=10)
        self.start = self.term.start_date
        self.end = self.term.end_date

    def post(self, content: bytes, user: Any = None, name: str = "roster.xlsx") -> Any:
        """Upload, then run what waits for the commit: the task, as the worker would."""
        client = self.client_for(user or self.p.grassroots_admin)
        with self.captureOnCommitCallbacks(execute=True):
            return client.post(IMPORT, {"insurer": "中国人寿", "file": upload(content, name)})

    def good_rows(self) -> list[list[Any]]:
        return [
            # By ID number (the blind index), whatever else the row says.
            ["王小一", self.p.child_one.id_number(), None, None, "GL-1", self.start, self.end],
            # Without one: name, birth date and the guardian's mobile together.
            ["王小二", None, "2019-09-01", "13700000001", "GL-2", "2026/1/1", self.end],
        ]


class GoodFileTests(ImportCase):
    def test_a_good_file_records_the_union_s_covers_in_a_background_job(self) -> None:
        response = self.post(xlsx(self.good_rows(), HEADER))
        job = Job.objects.get(kind="insurance_import")
        self.assertRedirects(response, reverse("enrolment:insurance_import_result", args=[job.pk]))
        self.assertEqual(job.status, Job.Status.DONE, job.error)
        self.assertEqual(job.result["created"], 2)
        covers = Insurance.objects.order_by("policy_number")
        self.assertEqual(
            [(c.child, c.policy_number) for c in covers],
            [(self.p.child_one, "GL-1"), (self.p.child_two, "GL-2")],
        )
        self.assertTrue(
            all(c.source == "union" and c.bought_by == self.p.grassroots for c in covers)
        )
        self.assertEqual(covers[1].starts_on, datetime.date(2026, 1, 1))
        page = self.client_for(self.p.grassroots_admin).get(response["Location"])
        self.assertContains(page, "2 rows imported.")

    def test_chinese_headers_are_understood(self) -> None:
        self.post(xlsx(self.good_rows(), CHINESE_HEADER))
        self.assertEqual(Insurance.objects.count(), 2)

    def test_importing_again_updates_rather_than_duplicates(self) -> None:
        self.post(xlsx(self.good_rows(), HEADER))
        rows = self.good_rows()
        rows[0][6] = self.end + 30 * DAY
        self.post(xlsx(rows, HEADER))
        self.assertEqual(Insurance.objects.count(), 2)
        self.assertEqual(Insurance.objects.get(policy_number="GL-1").ends_on, self.end + 30 * DAY)
        self.assertEqual(Job.objects.order_by("-pk").first().result["updated"], 2)  # type: ignore[union-attr]

    def test_the_bought_cover_confirms_a_place_waiting_only_for_insurance(self) -> None:
        enrolment = complete(seat(self.term, self.p.child_one), skip=("insurance",))
        self.assertEqual(enrolment.status, EnrolmentStatus.ADMITTED)
        self.post(xlsx(self.good_rows()[:1], HEADER))
        enrolment.refresh_from_db()
        self.assertEqual(enrolment.status, EnrolmentStatus.CONFIRMED)


class BadFileTests(ImportCase):
    def test_bad_rows_are_reported_one_by_one_and_nothing_is_imported(self) -> None:
        rows = [
            *self.good_rows(),
            ["无名氏", "110101200001011237", None, None, "GL-3", self.start, self.end],
            ["王小一", "210202201703051230", None, None, "GL-4", self.start, self.end],
            ["王小二", None, "2019-09-01", "13999999999", "GL-5", self.start, self.end],
            ["王小二", None, None, None, "GL-6", self.start, self.end],
            ["王小一", self.p.child_one.id_number(), None, None, "", "someday", self.start - DAY],
            ["李小朋", None, "2016-01-01", "13700000002", "GL-8", self.start, self.end],
        ]
        self.post(xlsx(rows, HEADER))
        job = Job.objects.get(kind="insurance_import")
        self.assertEqual(job.status, Job.Status.FAILED)
        self.assertFalse(Insurance.objects.exists())
        by_row = {(e["row"], e["column"]) for e in job.result["errors"]}
        self.assertIn((4, "ID number"), by_row)  # no such child here
        self.assertIn((5, "ID number"), by_row)  # checksum wrong
        self.assertIn((6, "Child's name"), by_row)  # mobile does not match
        self.assertIn((7, "ID number"), by_row)  # nothing to match by
        self.assertIn((8, "Policy number"), by_row)
        self.assertIn((8, "Cover starts"), by_row)
        self.assertIn((9, "Child's name"), by_row)  # a child of another province
        page = self.client_for(self.p.grassroots_admin).get(
            reverse("enrolment:insurance_import_result", args=[job.pk])
        )
        self.assertContains(page, "Nothing was imported")

    def test_two_children_matching_one_row_is_reported_as_ambiguous(self) -> None:
        from tuoguan.accounts import services as people

        people.child_create(
            actor=self.p.actor(self.p.parent),
            guardian=self.p.parent_worker,
            name="王小二",
            sex="M",
            birth_date=datetime.date(2019, 9, 1),
            grade=1,
            relationship="mother",
        )
        self.post(xlsx(self.good_rows()[1:], HEADER))
        job = Job.objects.get(kind="insurance_import")
        self.assertIn("Several children", job.result["errors"][0]["message"])
        self.assertFalse(Insurance.objects.exists())

    def test_the_same_child_and_policy_twice_is_reported(self) -> None:
        rows = self.good_rows()
        self.post(xlsx([rows[0], rows[0]], HEADER))
        job = Job.objects.get(kind="insurance_import")
        self.assertEqual(job.result["error_count"], 2)
        self.assertFalse(Insurance.objects.exists())

    def test_a_file_that_is_not_xlsx_is_refused_at_once(self) -> None:
        response = self.post(b"name,policy\n", name="roster.xlsx")
        self.assertIn("file", response.context["form"].errors)
        self.assertFalse(Job.objects.exists())

    def test_a_file_without_the_needed_columns_is_refused_by_the_job(self) -> None:
        # The rows are read in the background task, never in the request.
        self.post(xlsx(self.good_rows(), ["Name", "Policy number"]))
        job = Job.objects.get(kind="insurance_import")
        self.assertEqual(job.status, Job.Status.FAILED)
        self.assertIn("lacks the column", job.error)
        self.assertFalse(Insurance.objects.exists())

    def test_an_empty_sheet_is_refused_by_the_job(self) -> None:
        self.post(xlsx([], HEADER))
        job = Job.objects.get(kind="insurance_import")
        self.assertEqual(job.status, Job.Status.FAILED)
        self.assertFalse(Insurance.objects.exists())


class ImportAccessTests(ImportCase):
    def test_the_template_is_a_workbook_with_the_header(self) -> None:
        response = self.client_for(self.p.grassroots_admin).get(
            reverse("enrolment:insurance_import_template")
        )
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.content.startswith(b"PK"))

    def test_a_caregiver_gets_403(self) -> None:
        self.assertEqual(self.client_for(self.p.caregiver).get(IMPORT).status_code, 403)
        response = self.post(xlsx(self.good_rows(), HEADER), user=self.p.caregiver)
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Insurance.objects.exists())

    def test_a_parent_gets_403(self) -> None:
        self.assertEqual(self.client_for(self.p.parent).get(IMPORT).status_code, 403)

    def test_the_outsider_cannot_reach_children_of_another_province(self) -> None:
        self.post(xlsx(self.good_rows(), HEADER), user=self.p.outsider)
        self.assertFalse(Insurance.objects.exists())
        job = Job.objects.get(kind="insurance_import")
        self.assertEqual(job.result["error_count"], 2)

    def test_someone_else_s_report_is_a_404(self) -> None:
        self.post(xlsx(self.good_rows(), HEADER))
        job = Job.objects.get(kind="insurance_import")
        url = reverse("enrolment:insurance_import_result", args=[job.pk])
        self.assertEqual(self.client_for(self.p.outsider).get(url).status_code, 404)
        self.assertEqual(self.client_for(self.p.city_admin).get(url).status_code, 404)

    def test_anonymous_is_sent_to_log_in(self) -> None:
        self.assert_login_redirect(self.anonymous().get(IMPORT))
