"""Paper applications imported from .xlsx into a term's roster: all rows or none."""

import datetime
import io
import shutil
import tempfile
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from tuoguan.core.models import Job
from tuoguan.enrolment.models import Enrolment, EnrolmentStatus, SeatPool
from tuoguan.enrolment.services.roster_import import JOB_KIND
from tuoguan.notifications.models import Notification
from tuoguan.testing import PersonaTestCase

from .allocation_support import family, open_term

S = EnrolmentStatus
# A resident ID number with a valid check digit (the personas' one does not pass the checksum).
CHILD_ONE_ID = "210202201703051239"
HEADER = [
    "Child's name",
    "ID number",
    "Birth date",
    "Guardian's mobile",
    "Priority groups",
    "Siblings together",
]


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


class RosterImportTests(PersonaTestCase):
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

    def client_for(self, user: Any) -> Client:
        client = super().client_for(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    def upload(
        self, term: Any, content: bytes, name: str = "applications.xlsx", user: Any = None
    ) -> Any:
        client = self.client_for(user or self.p.grassroots_admin)
        with self.captureOnCommitCallbacks(execute=True):
            return client.post(
                reverse("enrolment:roster_import", args=[term.pk]),
                {"file": SimpleUploadedFile(name, content)},
            )

    def setUp(self) -> None:
        super().setUp()
        child = self.p.child_one
        child.set_id_number(CHILD_ONE_ID)
        child.save()

    def good_rows(self) -> list[list[Any]]:
        return [
            ["王小一", CHILD_ONE_ID, "", "", "dual_worker", ""],
            ["王小二", "", datetime.date(2019, 9, 1), "13700000001", "", ""],
        ]

    def test_good_rows_are_applied_as_paper_forms_with_a_report(self) -> None:
        term = open_term(self.p, capacity=1)
        response = self.upload(term, xlsx(self.good_rows()))
        job = Job.objects.get(kind=JOB_KIND)
        self.assertRedirects(response, reverse("enrolment:roster_import_result", args=[job.pk]))
        job.refresh_from_db()
        self.assertEqual(job.status, Job.Status.DONE, job.result)
        one = Enrolment.objects.get(child=self.p.child_one)
        two = Enrolment.objects.get(child=self.p.child_two)
        self.assertEqual(
            (one.source, one.status, one.priority_groups), ("paper", S.ADMITTED, ["dual_worker"])
        )
        self.assertEqual((two.source, two.status), ("paper", S.WAITLISTED))
        report = self.client_for(self.p.grassroots_admin).get(response["Location"])
        self.assertContains(report, "2 applications imported")
        self.assertContains(report, "number 1")
        # The family is told, as for an online application.
        self.assertTrue(
            Notification.objects.filter(recipient=self.p.parent, subject__startswith="Admitted")
        )

    def test_one_bad_row_imports_nothing_and_every_problem_is_listed(self) -> None:
        term = open_term(self.p, capacity=5)
        _user, _worker, no_consent = family(self.p, 3, consent=False)
        rows = [
            *self.good_rows(),
            [no_consent.name, "", no_consent.birth_date, "", "", ""],  # no mobile: not found
            ["李小朋", "", datetime.date(2016, 1, 1), "13700000002", "", ""],  # other province
            ["王小一", "", "", "", "cinema", ""],
        ]
        self.upload(term, xlsx(rows))
        job = Job.objects.get(kind=JOB_KIND)
        self.assertEqual(job.status, Job.Status.FAILED)
        self.assertEqual({e["row"] for e in job.result["errors"]}, {4, 5, 6})
        self.assertFalse(Enrolment.objects.exists())
        report = self.client_for(self.p.grassroots_admin).get(
            reverse("enrolment:roster_import_result", args=[job.pk])
        )
        self.assertContains(report, "Nothing was imported")

    def test_a_row_the_rules_refuse_rolls_back_every_row_and_frees_the_seats(self) -> None:
        term = open_term(self.p, capacity=5)
        user, _worker, no_consent = family(self.p, 4, consent=False)
        user.mobile = "13600000004"
        user.save()
        rows = [
            *self.good_rows(),
            [no_consent.name, "", no_consent.birth_date, "13600000004", "", ""],
        ]
        self.upload(term, xlsx(rows))
        job = Job.objects.get(kind=JOB_KIND)
        self.assertEqual(job.status, Job.Status.FAILED)
        self.assertEqual([e["row"] for e in job.result["errors"]], [4])
        self.assertIn("consent", job.result["errors"][0]["message"])
        self.assertFalse(Enrolment.objects.exists())
        self.assertFalse(SeatPool.objects.filter(term=term, taken__gt=0).exists())
        self.assertFalse(Notification.objects.filter(subject__startswith="Admitted").exists())

    def test_a_file_that_is_not_xlsx_is_refused_at_the_field(self) -> None:
        term = open_term(self.p)
        for content, name in (
            (b"name,id\n", "applications.csv"),
            (b"not a zip", "applications.xlsx"),
        ):
            with self.subTest(name=name):
                response = self.upload(term, content, name=name)
                self.assertEqual(response.status_code, 400)
                self.assertIn("file", response.context["form"].errors)
        self.assertFalse(Job.objects.exists())
        # A missing column shows only when the rows are read: in the background job.
        self.upload(term, xlsx([["王小一"]], header=["Child's name"]))
        job = Job.objects.get(kind=JOB_KIND)
        self.assertEqual(job.status, Job.Status.FAILED)
        self.assertIn("ID number", job.error)
        self.assertFalse(Enrolment.objects.exists())

    def test_the_template_has_the_header_row(self) -> None:
        term = open_term(self.p)
        response = self.client_for(self.p.grassroots_admin).get(
            reverse("enrolment:roster_import_template", args=[term.pk])
        )
        sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
        self.assertEqual(next(sheet.iter_rows(values_only=True)), tuple(HEADER))

    def test_only_the_host_s_managers_import(self) -> None:
        term = open_term(self.p)
        self.assertEqual(
            self.upload(term, xlsx(self.good_rows()), user=self.p.caregiver).status_code, 403
        )
        self.assertEqual(
            self.upload(term, xlsx(self.good_rows()), user=self.p.outsider).status_code, 404
        )
        self.assertFalse(Enrolment.objects.exists())

    def test_another_user_cannot_read_the_report(self) -> None:
        term = open_term(self.p)
        self.upload(term, xlsx(self.good_rows()))
        job = Job.objects.get(kind=JOB_KIND)
        response = self.client_for(self.p.city_admin).get(
            reverse("enrolment:roster_import_result", args=[job.pk])
        )
        self.assertEqual(response.status_code, 404)
