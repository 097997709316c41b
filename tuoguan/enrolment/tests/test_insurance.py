"""Accident insurance entered by the parent: cover dates against the term, and the photo."""

import io
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.formats import date_format
from PIL import Image

from tuoguan.enrolment.models import EnrolmentStatus, Insurance
from tuoguan.enrolment.services import insurance, paperwork
from tuoguan.programs.tests.factories import image_upload

from .paperwork_support import DAY, PaperworkCase, actor, complete, seat, term_around


def insurance_item(enrolment: object) -> object:
    return next(i for i in paperwork.paperwork_checklist(enrolment) if i.key == "insurance")  # type: ignore[arg-type]


class CoverTests(PaperworkCase):
    def setUp(self) -> None:
        self.term = term_around(self.p)
        self.enrolment = seat(self.term, self.p.child_one)

    def add(self, starts_on: Any, ends_on: Any, **extra: Any) -> Insurance:
        fields: dict[str, Any] = {"insurer": "平安保险", "policy_number": "PA-001", **extra}
        return insurance.insurance_add(
            actor=actor(self.p.parent),
            child=self.p.child_one,
            starts_on=starts_on,
            ends_on=ends_on,
            **fields,
        )

    def test_a_cover_spanning_the_term_completes_the_item(self) -> None:
        self.add(self.term.start_date, self.term.end_date)
        item = insurance_item(self.enrolment)
        self.assertTrue(item.done)  # type: ignore[attr-defined]
        self.assertIn("PA-001", item.detail)  # type: ignore[attr-defined]

    def test_a_cover_ending_before_the_last_day_is_flagged_as_expiring(self) -> None:
        self.add(self.term.start_date - 30 * DAY, self.term.end_date - DAY)
        item = insurance_item(self.enrolment)
        self.assertFalse(item.done)  # type: ignore[attr-defined]
        self.assertIn("expires on", item.detail)  # type: ignore[attr-defined]
        self.assertIn(date_format(self.term.end_date - DAY), item.detail)  # type: ignore[attr-defined]

    def test_a_cover_starting_after_the_first_day_is_flagged(self) -> None:
        self.add(self.term.start_date + DAY, self.term.end_date + DAY)
        item = insurance_item(self.enrolment)
        self.assertFalse(item.done)  # type: ignore[attr-defined]
        self.assertIn("the first days are not covered", item.detail)  # type: ignore[attr-defined]

    def test_a_cover_of_other_dates_is_flagged_as_mismatched(self) -> None:
        self.add(self.term.end_date + DAY, self.term.end_date + 300 * DAY)
        item = insurance_item(self.enrolment)
        self.assertIn("does not cover the term", item.detail)  # type: ignore[attr-defined]
        self.assertEqual(paperwork.paperwork_missing(self.enrolment)[0], "agreement")
        self.assertIn("insurance", paperwork.paperwork_missing(self.enrolment))

    def test_two_covers_end_to_end_are_not_combined(self) -> None:
        middle = self.term.start_date + 5 * DAY
        self.add(self.term.start_date, middle)
        self.add(middle + DAY, self.term.end_date, policy_number="PA-002")
        self.assertFalse(insurance_item(self.enrolment).done)  # type: ignore[attr-defined]

    def test_adding_the_last_missing_cover_confirms_the_place(self) -> None:
        enrolment = complete(self.enrolment, skip=("insurance",))
        self.assertEqual(enrolment.status, EnrolmentStatus.ADMITTED)
        self.add(self.term.start_date, self.term.end_date)
        enrolment.refresh_from_db()
        self.assertEqual(enrolment.status, EnrolmentStatus.CONFIRMED)

    def test_bad_facts_are_refused_by_field_and_nothing_saved(self) -> None:
        cases: dict[str, dict[str, Any]] = {
            "ends_on": {"starts_on": self.term.end_date, "ends_on": self.term.start_date},
            "insurer": {"insurer": " "},
            "policy_number": {"policy_number": ""},
        }
        for field, change in cases.items():
            fields: dict[str, Any] = {
                "starts_on": self.term.start_date,
                "ends_on": self.term.end_date,
                **change,
            }
            with self.subTest(field=field), self.assertRaises(ValidationError) as caught:
                self.add(**fields)
            self.assertIn(field, caught.exception.message_dict)
        self.assertFalse(Insurance.objects.exists())

    def test_the_photo_is_re_encoded_without_its_location(self) -> None:
        cover = self.add(self.term.start_date, self.term.end_date, photo=image_upload())
        with cover.photo.open("rb") as stored, Image.open(stored) as image:
            self.assertFalse(image.getexif())
        self.assertFalse(cover.photo.name.endswith("photo.jpg"))

    def test_a_webp_photo_is_accepted(self) -> None:
        buffer = io.BytesIO()
        Image.new("RGB", (20, 20), (0, 90, 200)).save(buffer, "WEBP")
        photo = SimpleUploadedFile("p.webp", buffer.getvalue(), content_type="image/webp")
        cover = self.add(self.term.start_date, self.term.end_date, photo=photo)
        self.assertTrue(cover.photo.name.endswith(".webp"))

    def test_a_file_that_is_not_an_image_is_refused_whatever_its_name(self) -> None:
        fake = SimpleUploadedFile("policy.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
        with self.assertRaises(ValidationError) as caught:
            self.add(self.term.start_date, self.term.end_date, photo=fake)
        self.assertIn("photo", caught.exception.message_dict)
        self.assertFalse(Insurance.objects.exists())

    def test_staff_cannot_enter_the_family_s_cover(self) -> None:
        with self.assertRaises(PermissionDenied):
            insurance.insurance_add(
                actor=actor(self.p.grassroots_admin),
                child=self.p.child_one,
                insurer="平安",
                policy_number="X",
                starts_on=self.term.start_date,
                ends_on=self.term.end_date,
            )


class InsurancePageTests(PaperworkCase):
    def setUp(self) -> None:
        self.term = term_around(self.p)
        self.enrolment = seat(self.term, self.p.child_one)
        self.url = reverse("enrolment:insurance_add", kwargs={"child_pk": self.p.child_one.pk})

    def data(self, **change: object) -> dict:
        return {
            "insurer": "平安保险",
            "policy_number": "PA-9",
            "starts_on": self.term.start_date.isoformat(),
            "ends_on": self.term.end_date.isoformat(),
            **change,
        }

    def test_the_parent_adds_a_cover_with_a_photo_and_goes_back_to_the_checklist(self) -> None:
        back = reverse("enrolment:paperwork", kwargs={"pk": self.enrolment.pk})
        response = self.client_for(self.p.parent).post(
            f"{self.url}?next={back}", self.data(photo=image_upload())
        )
        self.assertRedirects(response, back)
        cover = Insurance.objects.get()
        self.assertTrue(cover.photo)
        photo = self.client_for(self.p.parent).get(
            reverse("enrolment:insurance_photo", kwargs={"pk": cover.pk})
        )
        self.assertEqual(photo["Content-Type"], "image/jpeg")

    def test_a_foreign_next_is_ignored(self) -> None:
        response = self.client_for(self.p.parent).post(
            self.url, {**self.data(), "next": "https://evil.example/"}
        )
        self.assertRedirects(response, self.url)

    def test_an_end_before_the_start_is_shown_at_the_field(self) -> None:
        response = self.client_for(self.p.parent).post(
            self.url, self.data(ends_on=(self.term.start_date - DAY).isoformat())
        )
        self.assertIn("ends_on", response.context["form"].errors)
        self.assertFalse(Insurance.objects.exists())

    def test_a_malformed_date_is_shown_at_the_field(self) -> None:
        response = self.client_for(self.p.parent).post(self.url, self.data(starts_on="2026-13-45"))
        self.assertIn("starts_on", response.context["form"].errors)
        self.assertFalse(Insurance.objects.exists())

    def test_the_host_admin_gets_403_on_the_form_but_sees_the_photo(self) -> None:
        cover = insurance.insurance_add(
            actor=actor(self.p.parent),
            child=self.p.child_one,
            insurer="平安",
            policy_number="X",
            starts_on=self.term.start_date,
            ends_on=self.term.end_date,
            photo=image_upload(),
        )
        admin = self.client_for(self.p.grassroots_admin)
        self.assertEqual(admin.get(self.url).status_code, 403)
        photo = reverse("enrolment:insurance_photo", kwargs={"pk": cover.pk})
        self.assertEqual(admin.get(photo).status_code, 200)
        self.assertEqual(self.client_for(self.p.outsider).get(photo).status_code, 404)
        self.assertEqual(self.client_for(self.p.other_parent).get(photo).status_code, 404)

    def test_outsider_gets_404(self) -> None:
        self.assertEqual(self.client_for(self.p.outsider).get(self.url).status_code, 404)

    def test_another_family_gets_404(self) -> None:
        self.assertEqual(self.client_for(self.p.other_parent).get(self.url).status_code, 404)

    def test_anonymous_is_sent_to_log_in(self) -> None:
        self.assert_login_redirect(self.anonymous().get(self.url))
