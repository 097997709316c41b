import datetime
import shutil
import tempfile

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image

from tuoguan.core.files import MAX_UPLOAD_BYTES
from tuoguan.notifications.models import Notification
from tuoguan.programs import services
from tuoguan.programs.compliance import Verdict, overriding, term_compliance
from tuoguan.programs.models import Evidence, ProgramPhoto
from tuoguan.programs.standards import term_standard
from tuoguan.testing import PersonaTestCase

from .factories import actor, image_upload, make_program, make_term, pdf_upload
from .test_compliance import passing
from .test_standards import province_standard


class MediaTestCase(PersonaTestCase):
    """Uploads go to a temporary folder, removed after the class."""

    _media: str
    _override: override_settings

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls._media = tempfile.mkdtemp(prefix="tuoguan-test-media-")
        cls._override = override_settings(MEDIA_ROOT=cls._media)
        cls._override.enable()

    @classmethod
    def tearDownClass(cls) -> None:
        cls._override.disable()
        shutil.rmtree(cls._media, ignore_errors=True)
        super().tearDownClass()


class EvidenceUploadTest(MediaTestCase):
    def setUp(self) -> None:
        self.term = make_term(self.p)
        standard = term_standard(self.term)
        assert standard is not None
        self.criterion = standard.criteria.get(code="proc_pickup")
        self.admin = actor(self.p.grassroots_admin)

    def _upload(self, file: SimpleUploadedFile, **kwargs: object) -> Evidence:
        fields = {"actor": self.admin, "term": self.term, "criterion": self.criterion, **kwargs}
        return services.evidence_upload(file=file, **fields)  # type: ignore[arg-type]

    def _refused(self, file: SimpleUploadedFile, field: str = "file", **kwargs: object) -> None:
        with self.assertRaises(ValidationError) as caught:
            self._upload(file, **kwargs)
        self.assertIn(field, caught.exception.message_dict)
        self.assertFalse(Evidence.objects.exists())

    def test_a_pdf_is_kept_under_a_random_name_and_the_reviewers_hear_of_it(self) -> None:
        evidence = self._upload(pdf_upload("王小一家长签字.pdf"))
        self.assertEqual(evidence.content_type, "application/pdf")
        self.assertNotIn("王小一", evidence.file.name)
        self.assertTrue(evidence.file.name.endswith(".pdf"))
        self.assertTrue(Notification.objects.filter(recipient=self.p.city_admin).exists())

    def test_a_photo_is_re_encoded_without_its_exif(self) -> None:
        upload = image_upload(exif=True)
        with Image.open(upload) as original:
            self.assertTrue(original.getexif())
        upload.seek(0)
        evidence = self._upload(upload)
        with evidence.file.open("rb") as stored, Image.open(stored) as image:
            self.assertEqual(image.format, "JPEG")
            self.assertFalse(image.getexif())
            self.assertNotIn("exif", image.info)

    def test_a_png_stays_a_png(self) -> None:
        evidence = self._upload(image_upload("scan.png", fmt="PNG"))
        self.assertEqual(evidence.content_type, "image/png")

    def test_a_file_over_five_megabytes_is_refused(self) -> None:
        self._refused(pdf_upload(size=MAX_UPLOAD_BYTES + 1))

    def test_a_text_file_named_pdf_is_refused(self) -> None:
        self._refused(SimpleUploadedFile("fake.pdf", b"hello", content_type="application/pdf"))

    def test_a_gif_is_refused(self) -> None:
        self._refused(image_upload("a.gif", fmt="GIF", exif=False))

    def test_an_empty_file_is_refused(self) -> None:
        self._refused(SimpleUploadedFile("empty.pdf", b"", content_type="application/pdf"))

    def test_evidence_for_a_computed_criterion_is_refused(self) -> None:
        standard = term_standard(self.term)
        assert standard is not None
        computed = standard.criteria.get(code="fire_exits")
        self._refused(pdf_upload(), field="criterion", criterion=computed)

    def test_a_caregiver_cannot_upload(self) -> None:
        with self.assertRaises(PermissionDenied):
            self._upload(pdf_upload(), actor=actor(self.p.caregiver))


class EvidenceReviewTest(MediaTestCase):
    def setUp(self) -> None:
        self.term = make_term(self.p)
        standard = term_standard(self.term)
        assert standard is not None
        self.criterion = standard.criteria.get(code="proc_pickup")
        self.evidence = services.evidence_upload(
            actor=actor(self.p.grassroots_admin),
            term=self.term,
            criterion=self.criterion,
            file=pdf_upload(),
        )

    def _row(self) -> object:
        result = term_compliance(self.term)
        return next(r for r in result.rows if r.criterion.code == self.criterion.code)

    def test_pending_evidence_leaves_the_criterion_pending(self) -> None:
        self.assertEqual(self._row().status, "pending")  # type: ignore[attr-defined]

    def test_a_provincial_reviewer_accepts_and_the_criterion_passes(self) -> None:
        services.evidence_review(
            actor=actor(self.p.reviewer), evidence=self.evidence, accepted=True
        )
        row = self._row()
        self.assertEqual(row.status, "pass")  # type: ignore[attr-defined]
        self.assertEqual(row.evidence, [Evidence.objects.get()])  # type: ignore[attr-defined]
        self.assertTrue(Notification.objects.filter(recipient=self.p.grassroots_admin).exists())

    def test_a_rejection_needs_a_comment_and_then_fails_the_criterion(self) -> None:
        reviewer = actor(self.p.city_admin)
        with self.assertRaises(ValidationError) as caught:
            services.evidence_review(actor=reviewer, evidence=self.evidence, accepted=False)
        self.assertIn("review_comment", caught.exception.message_dict)
        self.assertEqual(Evidence.objects.get().status, "pending")
        services.evidence_review(
            actor=reviewer, evidence=self.evidence, accepted=False, comment="缺少家长签字页"
        )
        row = self._row()
        self.assertEqual(row.status, "fail")  # type: ignore[attr-defined]
        self.assertIn("缺少家长签字页", row.detail)  # type: ignore[attr-defined]

    def test_accepted_evidence_still_counts_after_a_rejudge(self) -> None:
        services.evidence_review(
            actor=actor(self.p.reviewer), evidence=self.evidence, accepted=True
        )
        newer = province_standard(self.p, datetime.date(2020, 1, 1))
        services.term_rejudge(actor=actor(self.p.city_admin), term=self.term)
        row = self._row()
        self.assertEqual(row.criterion.standard, newer)  # type: ignore[attr-defined]
        self.assertEqual(row.status, "pass")  # type: ignore[attr-defined]

    def test_the_host_cannot_review_its_own_evidence(self) -> None:
        with self.assertRaises(PermissionDenied):
            services.evidence_review(
                actor=actor(self.p.grassroots_admin), evidence=self.evidence, accepted=True
            )

    def test_the_outsider_cannot_review(self) -> None:
        with self.assertRaises(PermissionDenied):
            services.evidence_review(
                actor=actor(self.p.outsider), evidence=self.evidence, accepted=True
            )

    def test_a_term_meeting_every_criterion_is_compliant(self) -> None:
        admin, reviewer = actor(self.p.grassroots_admin), actor(self.p.reviewer)
        services.term_staff_add(actor=admin, term=self.term, user=self.p.caregiver, role="tutor")
        standard = term_standard(self.term)
        assert standard is not None
        for criterion in standard.criteria.filter(kind="evidence"):
            evidence = services.evidence_upload(
                actor=admin, term=self.term, criterion=criterion, file=pdf_upload()
            )
            services.evidence_review(actor=reviewer, evidence=evidence, accepted=True)
        # Daily care's own criteria are judged by its tests (care/tests/test_inspections.py).
        passes = {"attendance_rate": passing, "agreements_insurance": passing,
                  "daily_inspection": passing}  # fmt: skip
        with overriding(metrics=passes):
            result = term_compliance(self.term)
        self.assertEqual([r.criterion.code for r in result.failing + result.pending], [])
        self.assertEqual(result.verdict, Verdict.COMPLIANT)


class PhotoTest(MediaTestCase):
    def test_a_class_photo_is_stored_without_exif(self) -> None:
        program = make_program(self.p)
        photo = services.program_photo_add(
            actor=actor(self.p.grassroots_admin), program=program, image=image_upload()
        )
        with photo.image.open("rb") as stored, Image.open(stored) as image:
            self.assertFalse(image.getexif())

    def test_a_pdf_is_not_a_photo(self) -> None:
        program = make_program(self.p)
        with self.assertRaises(ValidationError) as caught:
            services.program_photo_add(
                actor=actor(self.p.grassroots_admin), program=program, image=pdf_upload()
            )
        self.assertIn("image", caught.exception.message_dict)
        self.assertFalse(ProgramPhoto.objects.exists())
