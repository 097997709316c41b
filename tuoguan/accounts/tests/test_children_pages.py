"""Adding, editing and deleting a child from the family pages."""

import datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone

from tuoguan.accounts import services
from tuoguan.accounts.models import Child, ChildConsent
from tuoguan.testing import PersonaTestCase

ADD = reverse("accounts:child_add")
VALID_ID = "110101201506157899"


def child_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "name": "王小三",
        "sex": "M",
        "birth_date": "2018-06-15",
        "school": "中山路小学",
        "grade": "2",
        "relationship": "mother",
        "id_number": "",
        "consent": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


class ChildAddPageTest(PersonaTestCase):
    def _count(self) -> int:
        return Child.objects.filter(guardian=self.p.parent_worker).count()

    def test_the_form_shows_the_current_policy_and_a_separate_consent_box(self) -> None:
        response = self.client_for(self.p.parent).get(ADD)
        self.assertContains(response, self.p.policy.title)
        self.assertContains(response, self.p.policy.version)
        self.assertContains(response, "<details", html=False)
        self.assertContains(response, 'type="date"', html=False)
        self.assertContains(response, 'name="consent"', html=False)
        self.assertNotContains(response, "checked", html=False)

    def test_with_consent_the_child_and_the_consent_are_saved(self) -> None:
        client = self.client_for(self.p.parent)
        response = client.post(ADD, child_data(id_number=VALID_ID), REMOTE_ADDR="10.1.2.3")
        self.assertRedirects(response, reverse("accounts:family"))
        child = Child.objects.get(name="王小三")
        self.assertEqual(child.guardian, self.p.parent_worker)
        self.assertEqual(child.id_number(), VALID_ID)
        consent = ChildConsent.objects.get(child=child)
        self.assertEqual(consent.policy, self.p.policy)
        self.assertEqual(consent.ip, "10.1.2.3")
        self.assertEqual(consent.granted_by, self.p.parent)
        self.assertLess(timezone.now() - consent.granted_at, datetime.timedelta(minutes=1))
        self.assertTrue(child.has_consent())

    def test_without_consent_nothing_is_saved(self) -> None:
        before = self._count()
        response = self.client_for(self.p.parent).post(ADD, child_data(consent=None))
        self.assertEqual(response.status_code, 200)
        self.assertIn("consent", response.context["form"].errors)
        self.assertEqual(self._count(), before)
        self.assertFalse(ChildConsent.objects.filter(child__name="王小三").exists())

    def test_bad_input_gives_field_errors_and_saves_nothing(self) -> None:
        tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
        cases = {
            "birth_date": [tomorrow, "abc", ""],
            "name": ["", "   "],
            "grade": ["9", "x"],
            "sex": ["Q"],
            "relationship": ["neighbour"],
            "id_number": ["12345", "110101201506157890", "11010120151345789X", "1" * 19],
        }
        client = self.client_for(self.p.parent)
        before = self._count()
        for field, values in cases.items():
            for value in values:
                with self.subTest(field=field, value=value):
                    response = client.post(ADD, child_data(**{field: value}))
                    self.assertEqual(response.status_code, 200)
                    self.assertIn(field, response.context["form"].errors)
        self.assertEqual(self._count(), before)

    def test_a_duplicate_id_number_is_refused_at_the_field(self) -> None:
        client = self.client_for(self.p.parent)
        client.post(ADD, child_data(id_number=VALID_ID))
        response = client.post(ADD, child_data(name="重复", id_number=VALID_ID))
        self.assertIn("id_number", response.context["form"].errors)
        self.assertFalse(Child.objects.filter(name="重复").exists())

    def test_without_a_published_policy_the_page_explains_and_saves_nothing(self) -> None:
        type(self.p.policy).objects.update(is_current=False)
        client = self.client_for(self.p.parent)
        page = client.get(ADD)
        self.assertIsNone(page.context["policy"])
        self.assertNotContains(page, 'name="consent"')
        response = client.post(ADD, child_data())
        self.assertIn("consent", response.context["form"].errors)
        self.assertFalse(Child.objects.filter(name="王小三").exists())

    def test_staff_without_a_worker_profile_cannot_add_a_child(self) -> None:
        response = self.client_for(self.p.province_admin).post(ADD, child_data())
        self.assertTemplateUsed(response, "accounts/family_no_worker.html")
        self.assertFalse(Child.objects.filter(name="王小三").exists())

    def test_anonymous_is_sent_to_log_in(self) -> None:
        response = self.client.post(ADD, child_data())
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("accounts:login"), response["Location"])
        self.assertFalse(Child.objects.filter(name="王小三").exists())


class ChildEditPageTest(PersonaTestCase):
    def url(self, child: Child) -> str:
        return reverse("accounts:child_edit", args=[child.pk])

    def test_the_form_is_filled_and_shows_the_id_number_masked_only(self) -> None:
        response = self.client_for(self.p.parent).get(self.url(self.p.child_one))
        self.assertContains(response, "王小一")
        self.assertContains(response, "2102**********1239")
        self.assertNotContains(response, "210202201703051239")

    def test_the_guardian_changes_the_school_and_keeps_the_id_number(self) -> None:
        data = child_data(name="王小一", school="新学校", consent=None, birth_date="2017-03-05")
        response = self.client_for(self.p.parent).post(self.url(self.p.child_one), data)
        self.assertRedirects(response, reverse("accounts:family"))
        child = Child.objects.get(pk=self.p.child_one.pk)
        self.assertEqual(child.school, "新学校")
        self.assertEqual(child.id_number(), "210202201703051239")

    def test_the_guardian_replaces_or_removes_the_id_number(self) -> None:
        client = self.client_for(self.p.parent)
        client.post(self.url(self.p.child_one), child_data(name="王小一", id_number=VALID_ID))
        self.assertEqual(Child.objects.get(pk=self.p.child_one.pk).id_number(), VALID_ID)
        client.post(self.url(self.p.child_one), child_data(name="王小一", clear_id_number="on"))
        self.assertEqual(Child.objects.get(pk=self.p.child_one.pk).id_number_encrypted, "")

    def test_bad_input_changes_nothing(self) -> None:
        client = self.client_for(self.p.parent)
        for data in (child_data(name=""), child_data(grade="9"), child_data(birth_date="abc")):
            response = client.post(self.url(self.p.child_one), data)
            self.assertEqual(response.status_code, 200)
            self.assertTrue(response.context["form"].errors)
        self.assertEqual(Child.objects.get(pk=self.p.child_one.pk).name, "王小一")

    def test_another_parents_child_is_404(self) -> None:
        client = self.client_for(self.p.parent)
        self.assertEqual(client.get(self.url(self.p.other_child)).status_code, 404)
        client.post(self.url(self.p.other_child), child_data(name="改名"))
        self.assertEqual(Child.objects.get(pk=self.p.other_child.pk).name, "李小朋")

    def test_the_outsider_gets_404(self) -> None:
        response = self.client_for(self.p.outsider).get(self.url(self.p.child_one))
        self.assertEqual(response.status_code, 404)

    def test_staff_who_may_read_the_child_may_not_edit_it(self) -> None:
        client = self.client_for(self.p.grassroots_admin)
        self.assertEqual(client.post(self.url(self.p.child_one), child_data()).status_code, 403)
        self.assertEqual(Child.objects.get(pk=self.p.child_one.pk).name, "王小一")

    def test_anonymous_is_sent_to_log_in(self) -> None:
        response = self.client.get(self.url(self.p.child_one))
        self.assertEqual(response.status_code, 302)


class ChildDeletePageTest(PersonaTestCase):
    def url(self, child: Child) -> str:
        return reverse("accounts:child_delete", args=[child.pk])

    def test_get_asks_for_confirmation_and_deletes_nothing(self) -> None:
        response = self.client_for(self.p.parent).get(self.url(self.p.child_one))
        self.assertContains(response, "王小一")
        self.assertTrue(Child.objects.filter(pk=self.p.child_one.pk).exists())

    def test_the_guardian_deletes_the_child_and_its_consents(self) -> None:
        pk = self.p.child_one.pk
        response = self.client_for(self.p.parent).post(self.url(self.p.child_one))
        self.assertRedirects(response, reverse("accounts:family"))
        self.assertFalse(Child.objects.filter(pk=pk).exists())
        self.assertFalse(ChildConsent.objects.filter(child_id=pk).exists())

    def test_staff_and_other_parents_cannot_delete(self) -> None:
        expected = {self.p.grassroots_admin: 403, self.p.other_parent: 404, self.p.outsider: 404}
        for user, code in expected.items():
            with self.subTest(user=user.username):
                response = self.client_for(user).post(self.url(self.p.child_one))
                self.assertEqual(response.status_code, code)
        self.assertTrue(Child.objects.filter(pk=self.p.child_one.pk).exists())

    def test_anonymous_is_sent_to_log_in(self) -> None:
        response = self.client.post(self.url(self.p.child_one))
        self.assertEqual(response.status_code, 302)
        self.assertTrue(Child.objects.filter(pk=self.p.child_one.pk).exists())


class ChildRegisterServiceTest(PersonaTestCase):
    def test_a_refused_consent_saves_no_child(self) -> None:
        from django.core.exceptions import ValidationError

        with self.assertRaises(ValidationError) as caught:
            services.child_register(
                actor=self.p.actor(self.p.parent),
                guardian=self.p.parent_worker,
                consent=False,
                ip=None,
                name="不同意",
                sex="F",
                birth_date=datetime.date(2018, 1, 1),
                grade=1,
                relationship="father",
            )
        self.assertIn("consent", caught.exception.message_dict)
        self.assertFalse(Child.objects.filter(name="不同意").exists())

    def test_a_failing_consent_rolls_the_child_back(self) -> None:
        from unittest import mock

        from django.core.exceptions import ValidationError

        # child_register looks consent_grant up in its own module, so patch it there.
        failing = mock.patch.object(
            services.children, "consent_grant", side_effect=ValidationError("consent store down")
        )
        with failing, self.assertRaises(ValidationError):
            services.child_register(
                actor=self.p.actor(self.p.parent),
                guardian=self.p.parent_worker,
                consent=True,
                ip="127.0.0.1",
                name="回滚",
                sex="F",
                birth_date=datetime.date(2018, 1, 1),
                grade=1,
                relationship="father",
            )
        self.assertFalse(Child.objects.filter(name="回滚").exists())
