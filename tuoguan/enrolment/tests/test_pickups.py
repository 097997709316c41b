"""Pickup persons: kept by the guardian, checked, and every change told to the class."""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from tuoguan.enrolment.models import EnrolmentStatus, Pickup
from tuoguan.enrolment.services import pickups
from tuoguan.notifications.models import Notification
from tuoguan.programs.tests.factories import image_upload

from .paperwork_support import (
    PaperworkCase,
    actor,
    add_term_staff,
    complete,
    seat,
    term_around,
)


class PickupServiceTests(PaperworkCase):
    def setUp(self) -> None:
        self.term = term_around(self.p)
        self.enrolment = seat(self.term, self.p.child_one)
        self.tutor = get_user_model().objects.create_user(
            username="tutor", real_name="志愿者老师", password="x-Tuoguan-2026"
        )
        add_term_staff(self.p, self.term, self.tutor, role="tutor")

    def add(self, **change: object) -> Pickup:
        fields: dict = {"name": "王爷爷", "relation": "爷爷", "mobile": "139 1234 5678", **change}
        return pickups.pickup_add(actor=actor(self.p.parent), child=self.p.child_one, **fields)

    def told(self, user: Any) -> list[str]:
        return list(
            Notification.objects.filter(recipient=user, subject__contains="Pickup").values_list(
                "body", flat=True
            )
        )

    def test_a_new_person_is_saved_and_the_class_is_told(self) -> None:
        pickup = self.add()
        self.assertEqual(pickup.mobile, "13912345678")
        for user in (self.p.grassroots_admin, self.tutor):
            with self.subTest(user=user.username):
                self.assertEqual(len(self.told(user)), 1)
                self.assertIn("王爷爷", self.told(user)[0])
                self.assertNotIn("13912345678", self.told(user)[0])
        self.assertEqual(self.told(self.p.parent), [])
        self.assertEqual(self.told(self.p.outsider), [])

    def test_an_edit_and_a_removal_are_told_too(self) -> None:
        keep = self.add()
        pickup = self.add(name="王姑姑", relation="姑姑", mobile="13812345678")
        pickups.pickup_update(
            actor=actor(self.p.parent),
            pickup=pickup,
            name="王姑姑",
            relation="姑妈",
            mobile="13812345679",
        )
        pickups.pickup_deactivate(actor=actor(self.p.parent), pickup=pickup)
        self.assertEqual(len(self.told(self.tutor)), 4)
        pickup.refresh_from_db()
        self.assertFalse(pickup.is_active)
        self.assertEqual(list(pickups.pickups_of(self.p.child_one)), [keep])

    def test_a_child_without_a_seat_changes_tell_nobody(self) -> None:
        pickups.pickup_add(
            actor=actor(self.p.parent),
            child=self.p.child_two,
            name="王爷爷",
            relation="爷爷",
            mobile="13912345678",
        )
        self.assertFalse(Notification.objects.filter(subject__contains="Pickup").exists())

    def test_an_invalid_mobile_is_refused_at_the_field_and_nothing_saved(self) -> None:
        for mobile in ("1391234567", "23912345678", "139-1234-567x", ""):
            with self.subTest(mobile=mobile), self.assertRaises(ValidationError) as caught:
                self.add(mobile=mobile)
            self.assertIn("mobile", caught.exception.message_dict)
        self.assertFalse(Pickup.objects.exists())
        self.assertFalse(Notification.objects.filter(subject__contains="Pickup").exists())

    def test_name_and_relation_are_required(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            self.add(name=" ", relation="")
        self.assertEqual(set(caught.exception.message_dict), {"name", "relation"})

    def test_the_last_person_cannot_be_removed_while_the_child_has_a_seat(self) -> None:
        enrolment = complete(self.enrolment)
        only = Pickup.objects.get()
        with self.assertRaises(ValidationError):
            pickups.pickup_deactivate(actor=actor(self.p.parent), pickup=only)
        only.refresh_from_db()
        self.assertTrue(only.is_active)
        enrolment.refresh_from_db()
        self.assertEqual(enrolment.status, EnrolmentStatus.CONFIRMED)

    def test_the_photo_is_re_encoded_without_its_location(self) -> None:
        pickup = self.add(photo=image_upload())
        with pickup.photo.open("rb") as stored, Image.open(stored) as image:
            self.assertFalse(image.getexif())

    def test_staff_cannot_change_the_family_s_pickups(self) -> None:
        pickup = self.add()
        with self.assertRaises(PermissionDenied):
            pickups.pickup_deactivate(actor=actor(self.p.grassroots_admin), pickup=pickup)


class PickupPageTests(PaperworkCase):
    def setUp(self) -> None:
        self.term = term_around(self.p)
        self.enrolment = seat(self.term, self.p.child_one)
        self.list_url = reverse("enrolment:pickup_list", kwargs={"child_pk": self.p.child_one.pk})
        self.add_url = reverse("enrolment:pickup_add", kwargs={"child_pk": self.p.child_one.pk})

    def test_the_parent_adds_a_person_and_sees_them_listed(self) -> None:
        client = self.client_for(self.p.parent)
        response = client.post(
            self.add_url, {"name": "王奶奶", "relation": "奶奶", "mobile": "13912345678"}
        )
        self.assertRedirects(response, self.list_url)
        self.assertContains(client.get(self.list_url), "王奶奶")
        self.assertTrue(
            Notification.objects.filter(
                recipient=self.p.grassroots_admin, subject__contains="Pickup"
            ).exists()
        )

    def test_an_invalid_mobile_is_shown_at_the_field(self) -> None:
        response = self.client_for(self.p.parent).post(
            self.add_url, {"name": "王奶奶", "relation": "奶奶", "mobile": "12345"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("mobile", response.context["form"].errors)
        self.assertFalse(Pickup.objects.exists())

    def test_the_parent_edits_and_removes_a_person(self) -> None:
        keep = pickups.pickup_add(
            actor=actor(self.p.parent),
            child=self.p.child_one,
            name="甲",
            relation="爸爸",
            mobile="13912345670",
        )
        pickup = pickups.pickup_add(
            actor=actor(self.p.parent),
            child=self.p.child_one,
            name="乙",
            relation="舅舅",
            mobile="13912345671",
        )
        client = self.client_for(self.p.parent)
        edit = reverse("enrolment:pickup_edit", kwargs={"pk": pickup.pk})
        response = client.post(edit, {"name": "乙", "relation": "舅妈", "mobile": "13912345672"})
        self.assertRedirects(response, self.list_url)
        pickup.refresh_from_db()
        self.assertEqual((pickup.relation, pickup.mobile), ("舅妈", "13912345672"))
        client.post(reverse("enrolment:pickup_deactivate", kwargs={"pk": pickup.pk}))
        pickup.refresh_from_db()
        self.assertFalse(pickup.is_active)
        keep.refresh_from_db()
        self.assertTrue(keep.is_active)

    def test_the_class_reads_the_list_but_cannot_change_it(self) -> None:
        pickup = pickups.pickup_add(
            actor=actor(self.p.parent),
            child=self.p.child_one,
            name="甲",
            relation="爸爸",
            mobile="13912345670",
        )
        carer = self.client_for(self.p.caregiver)
        self.assertContains(carer.get(self.list_url), "13912345670")
        self.assertEqual(carer.get(self.add_url).status_code, 403)
        edit = reverse("enrolment:pickup_edit", kwargs={"pk": pickup.pk})
        self.assertEqual(carer.get(edit).status_code, 403)
        remove = reverse("enrolment:pickup_deactivate", kwargs={"pk": pickup.pk})
        self.assertEqual(carer.post(remove).status_code, 403)

    def test_outsider_gets_404_everywhere(self) -> None:
        pickup = pickups.pickup_add(
            actor=actor(self.p.parent),
            child=self.p.child_one,
            name="甲",
            relation="爸爸",
            mobile="13912345670",
        )
        for user in (self.p.outsider, self.p.other_parent):
            client = self.client_for(user)
            for url in (
                self.list_url,
                self.add_url,
                reverse("enrolment:pickup_edit", kwargs={"pk": pickup.pk}),
                reverse("enrolment:pickup_photo", kwargs={"pk": pickup.pk}),
            ):
                with self.subTest(user=user.username, url=url):
                    self.assertEqual(client.get(url).status_code, 404)
            remove = reverse("enrolment:pickup_deactivate", kwargs={"pk": pickup.pk})
            self.assertEqual(client.post(remove).status_code, 404)
        pickup.refresh_from_db()
        self.assertTrue(pickup.is_active)

    def test_anonymous_is_sent_to_log_in(self) -> None:
        self.assert_login_redirect(self.anonymous().get(self.list_url))
        self.assert_login_redirect(self.anonymous().post(self.add_url, {"name": "x"}))


class PickupListQueryTests(PaperworkCase):
    def test_the_list_costs_the_same_queries_for_one_or_many_people(self) -> None:
        url = reverse("enrolment:pickup_list", kwargs={"child_pk": self.p.child_one.pk})
        client = self.client_for(self.p.parent)

        def add(n: int) -> None:
            pickups.pickup_add(
                actor=actor(self.p.parent),
                child=self.p.child_one,
                name=f"接送人{n}",
                relation="亲戚",
                mobile=f"1391234567{n}",
                photo=image_upload(),
            )

        add(0)
        client.get(url)  # warm the session and the cache of the layout
        with CaptureQueriesContext(connection) as one:
            client.get(url)
        for n in range(1, 6):
            add(n)
        with CaptureQueriesContext(connection) as many:
            response = client.get(url)
        self.assertContains(response, "接送人5")
        self.assertEqual(len(many), len(one))
