"""The roster export (.xlsx): at once for a small roster, as a job for a large one."""

import io
import shutil
import tempfile
from typing import Any
from unittest import mock

from django.test import Client, override_settings
from django.urls import reverse
from openpyxl import load_workbook

from tuoguan.audit.models import AuditEntry
from tuoguan.core.models import Job
from tuoguan.enrolment import exports
from tuoguan.testing import PersonaTestCase

from .allocation_support import apply, open_term
from .paperwork_support import complete
from .roster_helpers import seat_many


class RosterExportTests(PersonaTestCase):
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

    def test_a_small_roster_downloads_at_once_with_paperwork_in_words(self) -> None:
        term = open_term(self.p, capacity=1)
        complete(apply(self.p, term, self.p.child_one))
        apply(self.p, term, self.p.child_two)
        response = self.client_for(self.p.grassroots_admin).get(
            reverse("enrolment:roster_export", args=[term.pk])
        )
        self.assertEqual(response["Content-Type"], exports.XLSX_TYPE)
        rows = list(
            load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True)
        )
        self.assertEqual(rows[0][:3], ("Child", "Sex", "Birth date"))
        self.assertEqual(len(rows), 3)
        by_child = {row[0]: row for row in rows[1:]}
        self.assertEqual(by_child["王小一"][8], "Confirmed")
        self.assertIn("✓ done", by_child["王小一"])
        self.assertEqual(by_child["王小二"][9], 1)  # waitlist position
        self.assertNotIn("✗ missing", by_child["王小二"])  # no seat: paperwork does not apply
        self.assertTrue(AuditEntry.objects.filter(action="export", object_id=str(term.pk)))

    def test_the_export_follows_the_filters(self) -> None:
        term = open_term(self.p, capacity=1)
        apply(self.p, term, self.p.child_one)
        apply(self.p, term, self.p.child_two)
        response = self.client_for(self.p.grassroots_admin).get(
            reverse("enrolment:roster_export", args=[term.pk]), {"status": "waitlisted"}
        )
        rows = list(
            load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True)
        )
        self.assertEqual([row[0] for row in rows[1:]], ["王小二"])

    def test_a_large_roster_is_written_by_a_job_and_downloaded_by_its_owner_only(self) -> None:
        term = open_term(self.p, capacity=300)
        seat_many(self.p, term, 3, start=1)
        client = self.client_for(self.p.grassroots_admin)
        with (
            mock.patch.object(exports, "BACKGROUND_THRESHOLD", 2),
            self.captureOnCommitCallbacks(execute=True),
        ):
            response = client.get(reverse("enrolment:roster_export", args=[term.pk]))
        job = Job.objects.get(kind=exports.EXPORT_JOB_KIND)
        self.assertRedirects(response, reverse("core:job", args=[job.pk]))
        job.refresh_from_db()
        self.assertEqual(job.status, Job.Status.DONE, job.error)
        self.assertEqual((job.done, job.total), (6, 6))
        download = client.get(job.result["url"])
        content = b"".join(download.streaming_content)  # type: ignore[attr-defined]
        rows = list(load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True))
        self.assertEqual(len(rows), 7)
        other = self.client_for(self.p.city_admin).get(job.result["url"])
        self.assertEqual(other.status_code, 404)
