"""Photos of the child's day: the guardian's separate media consent, tagging only children
with it, who sees which photo (a parent never another child's, nor one tagging a child whose
guardian refused), EXIF stripped and thumbnails made, files served only to those who may see
them and deleted with the photo, the gallery and the API."""

import io
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from PIL import Image
from rest_framework.test import APIClient

from tuoguan.accounts import services as people
from tuoguan.audit.models import AuditEntry
from tuoguan.care import services
from tuoguan.care.liveview_selectors import child_day
from tuoguan.care.models import CarePolicy, MediaConsent, Photo
from tuoguan.care.photo_selectors import photos_visible_to
from tuoguan.enrolment.models import EnrolmentStatus
from tuoguan.programs import services as programs
from tuoguan.programs.models import StaffRole
from tuoguan.programs.tests.factories import image_upload
from tuoguan.testing import PASSWORD

from .support import CareCase, actor, confirmed, running_term, today


def stored_files() -> list[str]:
    """The photo files in storage (the test class's temporary media folder)."""
    root = Path(settings.MEDIA_ROOT) / "day-photos"
    return sorted(str(p) for p in root.rglob("*") if p.is_file())


class PhotoCase(CareCase):
    def setUp(self) -> None:
        self.term = running_term(self.p)
        self.group = self.term.groups.get()
        self.carer = actor(self.p.caregiver)
        self.manager = actor(self.p.grassroots_admin)
        # Families 1 and 2 agree to photos; 3 refuses; 4 was never asked.
        self.one, self.two, self.three, self.four = (
            confirmed(self.p, self.term, n) for n in (1, 2, 3, 4)
        )
        for enrolment, choice in ((self.one, "allowed"), (self.two, "allowed"),
                                  (self.three, "refused")):  # fmt: skip
            self.consent(enrolment, choice)

    def guardian(self, enrolment: Any) -> Any:
        return actor(enrolment.guardian.user)

    def consent(self, enrolment: Any, photos: str, cameras: str = "refused") -> MediaConsent:
        return services.media_consent_set(
            actor=self.guardian(enrolment), child=enrolment.child, photos=photos, cameras=cameras
        )

    def post(self, *tagged: Any, caption: str = "搭积木", **options: Any) -> Photo:
        return services.photos_post(
            actor=self.carer,
            group=self.group,
            images=options.pop("images", None) or [image_upload()],
            caption=caption,
            children=[e.pk for e in tagged],
            **options,
        )[0]

    def seen_by(self, enrolment: Any) -> set[int]:
        return set(photos_visible_to(self.guardian(enrolment)).values_list("pk", flat=True))


class TaggingTests(PhotoCase):
    def test_a_child_whose_guardian_refused_or_was_never_asked_is_never_tagged(self) -> None:
        files = stored_files()  # the class's media folder holds earlier tests' files too
        for refused in (self.three, self.four):
            with self.subTest(child=refused.child.name):
                with self.assertRaises(ValidationError) as caught:
                    self.post(self.one, refused)
                message = caught.exception.message_dict["children"][0]
                self.assertIn(refused.child.name, message)
                self.assertIn("has not agreed to photos", message)
        self.assertFalse(Photo.objects.exists())
        self.assertEqual(stored_files(), files)

    def test_the_refusal_is_translated(self) -> None:
        with translation.override("zh-hans"), self.assertRaises(ValidationError) as caught:
            self.post(self.three)
        self.assertIn("家长未同意拍照，不能标记", caught.exception.message_dict["children"][0])

    def test_a_child_of_another_group_or_not_confirmed_cannot_be_tagged(self) -> None:
        other_term = running_term(self.p)
        stranger = confirmed(self.p, other_term, 5)
        self.consent(stranger, "allowed")
        with self.assertRaises(ValidationError) as caught:
            self.post(stranger)
        self.assertEqual(
            caught.exception.message_dict["children"], ["Choose children of this group."]
        )

    def test_the_tag_picker_shows_refused_children_disabled_with_a_warning(self) -> None:
        page = self.client_for(self.p.caregiver)
        with translation.override("zh-hans"):
            html = page.get(
                reverse("care:group_photos", kwargs={"pk": self.group.pk}),
                headers={"accept-language": "zh-hans"},
            ).content.decode()
        self.assertIn("家长未同意拍照，不能标记", html)
        self.assertIn("data-photo-refused", html)
        for enrolment, disabled in ((self.one, False), (self.three, True), (self.four, True)):
            tag = html.split(f'value="{enrolment.pk}"')[1].split(">")[0]
            self.assertEqual("disabled" in tag, disabled, enrolment.child.name)

    def test_the_page_posts_tagged_photos_and_refuses_a_forged_tag(self) -> None:
        page = self.client_for(self.p.caregiver)
        url = reverse("care:group_photos", kwargs={"pk": self.group.pk})
        refused = page.post(
            url, {"caption": "午睡", "children": [self.three.pk], "photo1": image_upload()}
        )
        self.assertEqual(refused.status_code, 200)
        self.assertContains(refused, "has not agreed to photos")
        self.assertFalse(Photo.objects.exists())
        sent = page.post(
            url,
            {"caption": "午睡", "children": [self.one.pk], "photo1": image_upload(),
             "photo2": image_upload(fmt="PNG", name="b.png")},
        )  # fmt: skip
        self.assertRedirects(sent, url)
        self.assertEqual(Photo.objects.filter(caption="午睡").count(), 2)
        for photo in Photo.objects.all():
            self.assertEqual([t.enrolment_id for t in photo.tags.all()], [self.one.pk])
        self.assertContains(page.get(url), "午睡")


class VisibilityTests(PhotoCase):
    def test_a_parent_never_sees_another_childs_photo(self) -> None:
        of_one, of_two = self.post(self.one), self.post(self.two)
        both = self.post(self.one, self.two)
        self.assertEqual(self.seen_by(self.one), {of_one.pk, both.pk})
        self.assertEqual(self.seen_by(self.two), {of_two.pk, both.pk})
        self.assertEqual(self.seen_by(self.three), set())
        parent = self.client_for(self.one.guardian.user)
        for name in ("care:photo_image", "care:photo_thumbnail"):
            self.assertEqual(parent.get(reverse(name, kwargs={"pk": of_two.pk})).status_code, 404)
            own = parent.get(reverse(name, kwargs={"pk": of_one.pk}))
            self.assertEqual(own.status_code, 200)
            self.assertEqual(own["Content-Type"], "image/jpeg")

    def test_a_parent_never_sees_the_photo_of_a_child_whose_guardian_then_refused(self) -> None:
        both = self.post(self.one, self.two)
        self.assertIn(both.pk, self.seen_by(self.one))
        self.consent(self.two, "refused")
        self.assertEqual(self.seen_by(self.one), set())
        self.assertEqual(self.seen_by(self.two), set())
        image = reverse("care:photo_image", kwargs={"pk": both.pk})
        self.assertEqual(self.client_for(self.one.guardian.user).get(image).status_code, 404)
        # Staff still see it, marked as withheld from families, so that they can delete it.
        self.assertIn(both.pk, set(photos_visible_to(self.carer).values_list("pk", flat=True)))
        page = self.client_for(self.p.caregiver).get(
            reverse("care:group_photos", kwargs={"pk": self.group.pk})
        )
        self.assertContains(page, "data-photo-withheld", count=1)

    def test_untagged_group_photos_reach_the_groups_families_only_if_the_class_allows(self):
        group_photo = self.post()
        outsider_term = running_term(self.p)
        outsider = confirmed(self.p, outsider_term, 6)
        for enrolment in (self.one, self.three, outsider):
            self.assertNotIn(group_photo.pk, self.seen_by(enrolment))
        services.care_policy_update(
            actor=self.manager, program=self.term.program, families_see_group_photos=True
        )
        self.assertTrue(CarePolicy.objects.get(program=self.term.program).families_see_group_photos)
        for enrolment in (self.one, self.three):
            self.assertIn(group_photo.pk, self.seen_by(enrolment))
        self.assertNotIn(group_photo.pk, self.seen_by(outsider))

    def test_a_caregiver_of_another_class_gets_404(self) -> None:
        photo = self.post(self.one)
        user = people.user_create(username="carer2", real_name="别班老师", password=PASSWORD)
        other = running_term(self.p, caregiver=False)
        programs.term_staff_add(actor=self.manager, term=other, user=user, role=StaffRole.CAREGIVER)
        client = self.client_for(user)
        for name in ("care:photo_image", "care:photo_thumbnail"):
            self.assertEqual(client.get(reverse(name, kwargs={"pk": photo.pk})).status_code, 404)
        self.assertEqual(
            client.post(reverse("care:photo_remove", kwargs={"pk": photo.pk})).status_code, 404
        )
        self.assertTrue(Photo.objects.filter(pk=photo.pk).exists())

    def test_the_live_views_photos_cost_the_same_queries_whatever_the_count(self) -> None:
        guardian = self.guardian(self.one)
        counts = []
        for n in (1, 5):
            for _ in range(n):
                self.post(self.one, self.two)
            with CaptureQueriesContext(connection) as read:
                photos = child_day(guardian, self.one, today())["photos"]
                names = [[t.enrolment.child.name for t in p.tags.all()] for p in photos]
            counts.append(len(read))
            self.assertEqual(len(photos), 1 + (n == 5) * 5)
            self.assertTrue(all(self.one.child.name in tags for tags in names))
        self.assertEqual(counts[0], counts[1])
        self.assertEqual(child_day(self.guardian(self.three), self.three, today())["photos"], [])

    def test_the_gallery_takes_as_many_queries_for_one_photo_as_for_many(self) -> None:
        client = self.client_for(self.one.guardian.user)
        url = reverse("care:child_photos", kwargs={"pk": self.one.pk})
        self.post(self.one, self.two)
        client.get(url)
        with CaptureQueriesContext(connection) as one:
            self.assertContains(client.get(url), "<img", count=1)
        for _ in range(4):
            self.post(self.one, self.two)
        with CaptureQueriesContext(connection) as many:
            self.assertContains(client.get(url), "<img", count=5)
        self.assertEqual(len(one), len(many))

    def test_the_gallery_shows_the_childs_photos_with_their_captions_as_alt_text(self) -> None:
        self.post(self.one, caption="画画")
        self.post(self.two, caption="跳绳")
        page = self.client_for(self.one.guardian.user).get(
            reverse("care:child_photos", kwargs={"pk": self.one.pk})
        )
        self.assertContains(page, 'alt="画画"')
        self.assertNotContains(page, "跳绳")
        self.assertNotContains(page, self.two.child.name)  # who else is tagged stays hidden
        other = self.client_for(self.two.guardian.user)
        self.assertEqual(
            other.get(reverse("care:child_photos", kwargs={"pk": self.one.pk})).status_code, 404
        )


class ImageTests(PhotoCase):
    def test_the_stored_photo_is_a_jpeg_without_exif_or_gps_with_a_thumbnail(self) -> None:
        upload = image_upload(size=(1600, 1200))
        with Image.open(io.BytesIO(upload.read())) as sent:
            self.assertIn(0x8825, sent.getexif())  # the upload does carry a GPS block
        upload.seek(0)
        photo = self.post(self.one, images=[upload])
        for field, long_side in ((photo.image, 1600), (photo.thumbnail, 480)):
            with field.open("rb") as stored, Image.open(stored) as image:
                self.assertEqual(image.format, "JPEG")
                self.assertEqual(max(image.size), long_side)
                self.assertEqual(dict(image.getexif()), {})
                self.assertNotIn("exif", image.info)
                self.assertEqual(image.getexif().get_ifd(0x8825), {})
        png = self.post(self.one, images=[image_upload(fmt="PNG", name="p.png")])
        with png.image.open("rb") as stored, Image.open(stored) as image:
            self.assertEqual(image.format, "JPEG")

    @override_settings(TUOGUAN_MAX_IMAGE_PIXELS=1000)
    def test_an_image_with_too_many_pixels_is_refused_and_nothing_stored(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            self.post(self.one, images=[image_upload(size=(100, 100))])
        self.assertIn("images", caught.exception.message_dict)
        self.assertFalse(Photo.objects.exists())

    def test_deleting_a_photo_deletes_both_files(self) -> None:
        photo = self.post(self.one)
        names = [photo.image.name, photo.thumbnail.name]
        self.assertTrue(all(default_storage.exists(n) for n in names))
        with self.assertRaises(PermissionDenied):
            services.photo_remove(actor=self.guardian(self.one), photo=photo)
        with self.captureOnCommitCallbacks(execute=True):
            services.photo_remove(actor=self.carer, photo=photo)
        self.assertFalse(Photo.objects.filter(pk=photo.pk).exists())
        self.assertFalse(any(default_storage.exists(n) for n in names))

    def test_only_its_author_or_a_manager_deletes_a_photo(self) -> None:
        photo = self.post(self.one)
        user = people.user_create(username="carer3", real_name="同班老师", password=PASSWORD)
        programs.term_staff_add(
            actor=self.manager, term=self.term, user=user, role=StaffRole.CAREGIVER
        )
        with self.assertRaises(PermissionDenied):
            services.photo_remove(actor=actor(user), photo=photo)
        page = self.client_for(self.p.grassroots_admin)
        with self.captureOnCommitCallbacks(execute=True):
            gone = page.post(reverse("care:photo_remove", kwargs={"pk": photo.pk}))
        self.assertRedirects(gone, reverse("care:group_photos", kwargs={"pk": self.group.pk}))
        self.assertFalse(default_storage.exists(photo.image.name))


class MediaConsentTests(PhotoCase):
    def test_the_guardian_chooses_on_the_family_page_and_the_choice_is_audited(self) -> None:
        parent = self.client_for(self.four.guardian.user)
        url = reverse("care:media_consent", kwargs={"pk": self.four.pk})
        with translation.override("zh-hans"):
            shown = parent.get(url, headers={"accept-language": "zh-hans"})
        self.assertContains(shown, "单独同意")
        self.assertFalse(MediaConsent.objects.filter(child=self.four.child).exists())
        sent = parent.post(url, {"photos": "allowed", "cameras": "refused"})
        self.assertRedirects(sent, reverse("care:child_today", kwargs={"pk": self.four.pk}))
        consent = MediaConsent.objects.get(child=self.four.child)
        self.assertEqual((consent.photos, consent.cameras), ("allowed", "refused"))
        self.assertEqual(consent.chosen_by, self.four.guardian.user)
        self.assertTrue(
            AuditEntry.objects.filter(model="care.MediaConsent", object_id=str(consent.pk)).exists()
        )
        self.post(self.four)  # now taggable

    def test_another_family_cannot_choose_for_the_child(self) -> None:
        other = self.client_for(self.one.guardian.user)
        url = reverse("care:media_consent", kwargs={"pk": self.three.pk})
        self.assertEqual(
            other.post(url, {"photos": "allowed", "cameras": "allowed"}).status_code, 404
        )
        self.assertEqual(MediaConsent.objects.get(child=self.three.child).photos, "refused")

    def test_refusing_photos_blocks_neither_enrolment_nor_check_in(self) -> None:
        self.three.refresh_from_db()
        self.assertEqual(self.three.status, EnrolmentStatus.CONFIRMED)
        attendance = services.attendance_check_in(actor=self.carer, enrolment=self.three)
        self.assertTrue(attendance.is_in)


class PhotoApiTests(PhotoCase):
    def api(self, user: Any) -> APIClient:
        client = APIClient()
        client.force_login(user)
        return client

    def test_staff_post_tagged_photos_and_a_family_lists_only_its_own(self) -> None:
        carer = self.api(self.p.caregiver)
        sent = carer.post(
            "/api/v1/photos/",
            {"group": self.group.pk, "caption": "户外", "children": [self.one.pk],
             "images": [image_upload(), image_upload(name="2.jpg")]},
            format="multipart",
        )  # fmt: skip
        self.assertEqual(sent.status_code, 201, sent.content)
        self.assertEqual([row["children"] for row in sent.json()], [[self.one.pk]] * 2)
        self.post(self.two)
        self.post(self.one, self.two)
        refused = carer.post(
            "/api/v1/photos/",
            {"group": self.group.pk, "children": [self.three.pk], "images": [image_upload()]},
            format="multipart",
        )
        self.assertEqual(refused.status_code, 400)
        self.assertIn("children", refused.json())
        staff = carer.get("/api/v1/photos/").json()["results"]
        self.assertEqual(len(staff), 4)
        self.assertEqual(staff[0]["children"], [self.one.pk, self.two.pk])
        family = self.api(self.one.guardian.user).get("/api/v1/photos/").json()["results"]
        self.assertEqual(len(family), 3)  # who else is tagged is not the family's to know
        self.assertTrue(all(row["children"] == [self.one.pk] for row in family))
        self.assertEqual(
            self.api(self.three.guardian.user).get("/api/v1/photos/").json()["results"], []
        )

    def test_a_family_cannot_post_and_the_author_deletes(self) -> None:
        parent = self.api(self.one.guardian.user)
        refused = parent.post(
            "/api/v1/photos/",
            {"group": self.group.pk, "images": [image_upload()]},
            format="multipart",
        )
        self.assertEqual(refused.status_code, 404)
        photo = self.post(self.one)
        self.assertEqual(parent.delete(f"/api/v1/photos/{photo.pk}/").status_code, 403)
        with self.captureOnCommitCallbacks(execute=True):
            gone = self.api(self.p.caregiver).delete(f"/api/v1/photos/{photo.pk}/")
        self.assertEqual(gone.status_code, 204)
        self.assertFalse(default_storage.exists(photo.image.name))

    def test_the_guardian_reads_and_sets_the_media_consent(self) -> None:
        parent = self.api(self.four.guardian.user)
        rows = parent.get("/api/v1/media-consents/").json()
        self.assertEqual(
            [(r["child"], r["photos"], r["cameras"]) for r in rows],
            [(self.four.child_id, "not_asked", "not_asked")],
        )
        sent = parent.post(
            "/api/v1/media-consents/",
            {"child": self.four.child_id, "photos": "allowed", "cameras": "refused"},
            format="json",
        )
        self.assertEqual(sent.status_code, 200, sent.content)
        self.assertEqual(MediaConsent.objects.get(child=self.four.child).photos, "allowed")
        foreign = parent.post(
            "/api/v1/media-consents/",
            {"child": self.one.child_id, "photos": "refused", "cameras": "refused"},
            format="json",
        )
        self.assertEqual(foreign.status_code, 404)
        self.assertEqual(MediaConsent.objects.get(child=self.one.child).photos, "allowed")


class ChinesePageTests(PhotoCase):
    def test_the_photo_pages_speak_chinese(self) -> None:
        self.post(self.one, caption="搭积木")
        pages = (
            (self.p.caregiver, reverse("care:group_photos", kwargs={"pk": self.group.pk}),
             ("每日照片", "照片中的孩子", "发布"), ("Photos of the day", "Post", "Children in")),
            (self.one.guardian.user, reverse("care:child_photos", kwargs={"pk": self.one.pk}),
             ("照片",), ("Photo of the day", "No photos")),
            (self.four.guardian.user, reverse("care:media_consent", kwargs={"pk": self.four.pk}),
             ("拍照与监控同意", "同意", "不同意"), ("I agree", "What you decide", "Cameras:")),
        )  # fmt: skip
        for user, url, chinese, english in pages:
            with self.subTest(url=url), translation.override("zh-hans"):
                html = self.client_for(user).get(url, headers={"accept-language": "zh-hans"})
                text = html.content.decode()
                for words in chinese:
                    self.assertIn(words, text)
                for words in english:
                    self.assertNotIn(words, text)


class LiveViewTests(PhotoCase):
    """The photo reaches the live view of the families who may see it at their next poll."""

    def poll(self, enrolment: Any, etag: str = "") -> Any:
        client = self.client_for(enrolment.guardian.user)
        headers = {"HX-Request": "true", **({"If-None-Match": etag} if etag else {})}
        return client.get(reverse("care:child_today", args=[enrolment.pk]), headers=headers)

    def test_a_tagged_photo_shows_at_the_next_poll_of_the_tagged_childs_family_only(self) -> None:
        one, two = self.poll(self.one)["ETag"], self.poll(self.two)["ETag"]
        photo = self.post(self.one, caption="做手工")
        seen = self.poll(self.one, one)
        self.assertEqual(seen.status_code, 200)
        self.assertContains(seen, reverse("care:photo_thumbnail", args=[photo.pk]))
        self.assertContains(seen, 'alt="做手工"')
        self.assertEqual(self.poll(self.two, two).status_code, 304)

    def test_a_deleted_photo_leaves_the_live_view_at_the_next_poll(self) -> None:
        photo = self.post(self.one, caption="做手工")
        thumbnail = reverse("care:photo_thumbnail", args=[photo.pk])
        etag = self.poll(self.one)["ETag"]
        self.assertContains(self.poll(self.one), thumbnail)
        services.photo_remove(actor=self.manager, photo=photo)
        gone = self.poll(self.one, etag)
        self.assertEqual(gone.status_code, 200)
        self.assertNotContains(gone, thumbnail)

    def test_a_refusal_after_the_fact_changes_every_family_of_the_group(self) -> None:
        photo = self.post(self.one, self.two, caption="合影")
        etag = self.poll(self.two)["ETag"]
        self.consent(self.one, "refused")
        hidden = self.poll(self.two, etag)
        self.assertEqual(hidden.status_code, 200)
        self.assertNotContains(hidden, reverse("care:photo_thumbnail", args=[photo.pk]))
