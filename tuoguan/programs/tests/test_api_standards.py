"""API of standards (read) and evidence (upload, review)."""

from typing import Any

from django.urls import reverse
from rest_framework.test import APIClient

from tuoguan.programs import services
from tuoguan.programs.models import Evidence, Standard
from tuoguan.programs.standards import term_standard
from tuoguan.testing import PersonaTestCase

from .factories import actor, make_term, pdf_upload
from .support import TempMedia, api_for

STANDARDS = reverse("standard-list")
EVIDENCE = reverse("evidence-list")


class StandardApiTest(PersonaTestCase):
    def setUp(self) -> None:
        national = services.standard_ensure_national_default()
        assert national is not None
        self.national: Standard = national

    def test_standards_are_read_with_their_criteria(self) -> None:
        client = api_for(self.p.city_admin)
        rows = client.get(STANDARDS).json()["results"]
        self.assertEqual([row["id"] for row in rows], [self.national.pk])
        codes = {c["code"] for c in rows[0]["criteria"]}
        self.assertIn("fire_certificate", codes)
        criteria = client.get(reverse("standard-criteria", args=[self.national.pk])).json()
        veto = [c["code"] for c in criteria if c["is_veto"]]
        self.assertEqual(sorted(veto), ["agreements_insurance", "fire_certificate"])

    def test_a_province_standard_is_hidden_from_another_province(self) -> None:
        own = services.standard_create(
            actor=actor(self.p.province_admin),
            org=self.p.province,
            title="辽宁标准",
            effective_from=self.national.effective_from,
        )
        url = reverse("standard-detail", args=[own.pk])
        self.assertEqual(api_for(self.p.caregiver).get(url).status_code, 200)
        self.assertEqual(api_for(self.p.outsider).get(url).status_code, 404)
        self.assertEqual(APIClient().get(url).status_code, 401)

    def test_the_standards_api_is_read_only(self) -> None:
        response = api_for(self.p.province_admin).post(STANDARDS, {"title": "x"}, format="json")
        self.assertEqual(response.status_code, 405)


class EvidenceApiTest(TempMedia, PersonaTestCase):
    def setUp(self) -> None:
        self.term = make_term(self.p)
        standard = term_standard(self.term)
        assert standard is not None
        self.pickup = standard.criteria.get(code="proc_pickup")
        self.computed = standard.criteria.get(code="fire_exits")

    def upload(self, user, **changes):  # type: ignore[no-untyped-def]
        body = {"term": self.term.pk, "criterion": self.pickup.pk, "file": pdf_upload(), **changes}
        return api_for(user).post(EVIDENCE, body, format="multipart")

    def test_the_class_uploads_and_the_union_above_reviews(self) -> None:
        response = self.upload(self.p.grassroots_admin, note="接送制度")
        self.assertEqual(response.status_code, 201, response.content)
        evidence_id = response.json()["id"]
        queue = api_for(self.p.city_admin).get(EVIDENCE, {"awaiting_my_review": "true"}).json()
        self.assertEqual([row["id"] for row in queue["results"]], [evidence_id])
        review = reverse("evidence-review", args=[evidence_id])
        city = api_for(self.p.city_admin)
        self.assertEqual(city.post(review, {"accepted": False}, format="json").status_code, 400)
        response = city.post(review, {"accepted": True, "comment": "齐全"}, format="json")
        self.assertEqual(response.json()["status"], "accepted")

    def test_bad_uploads_are_400_and_save_nothing(self) -> None:
        from django.core.files.uploadedfile import SimpleUploadedFile

        cases: list[dict[str, Any]] = [
            {"criterion": self.computed.pk},
            {"file": SimpleUploadedFile("a.exe", b"MZ\x90\x00", content_type="application/pdf")},
            {"term": "abc"},
        ]
        for change in cases:
            self.assertEqual(self.upload(self.p.grassroots_admin, **change).status_code, 400)
        response = api_for(self.p.grassroots_admin).post(
            EVIDENCE, {"term": self.term.pk}, format="json"
        )
        self.assertIn(response.status_code, (400, 415))
        self.assertFalse(Evidence.objects.exists())

    def test_roles_are_enforced(self) -> None:
        for user in (self.p.caregiver, self.p.reviewer, self.p.parent):
            self.assertEqual(self.upload(user).status_code, 403)
        self.assertEqual(self.upload(self.p.outsider).status_code, 400)  # the term is unknown
        evidence = services.evidence_upload(
            actor=actor(self.p.grassroots_admin), term=self.term, criterion=self.pickup,
            file=pdf_upload(),
        )  # fmt: skip
        review = reverse("evidence-review", args=[evidence.pk])
        body = {"accepted": True}
        self.assertEqual(
            api_for(self.p.grassroots_admin).post(review, body, format="json").status_code, 403
        )
        self.assertEqual(
            api_for(self.p.outsider).post(review, body, format="json").status_code, 404
        )
        self.assertEqual(APIClient().post(review, body, format="json").status_code, 401)
        evidence.refresh_from_db()
        self.assertEqual(evidence.status, Evidence.Status.PENDING)
        detail = reverse("evidence-detail", args=[evidence.pk])
        self.assertEqual(api_for(self.p.outsider).get(detail).status_code, 404)
        self.assertEqual(
            api_for(self.p.caregiver).get(detail).json()["criterion_code"], "proc_pickup"
        )
