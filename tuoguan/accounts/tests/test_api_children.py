"""The children API: a parent's own family, consent, and staff reads with a reason."""

import datetime
import json
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tuoguan.accounts import services
from tuoguan.accounts.models import Child, ChildConsent
from tuoguan.audit.models import AuditEntry
from tuoguan.testing import PersonaTestCase

LIST = reverse("child-list")
VALID_ID = "510703201601010027"
REASON = "核对保险投保名单"


def detail(child: Child) -> str:
    return reverse("child-detail", args=[child.pk])


def consent_url(child: Child) -> str:
    return reverse("child-consent", args=[child.pk])


def new_child(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "王小四",
        "sex": "F",
        "birth_date": "2018-05-20",
        "school": "",
        "grade": 2,
        "relationship": "father",
        "consent": True,
    }
    data.update(overrides)
    return data


class ApiTestCase(PersonaTestCase):
    def api(self, user: Any) -> APIClient:
        _, key = services.token_issue(user=user, name="test")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        return client

    def view_entries(self) -> int:
        return AuditEntry.objects.filter(action="view", model="accounts.Child").count()


class ParentApiTest(ApiTestCase):
    def test_the_parent_lists_only_their_own_children_with_masked_id_numbers(self) -> None:
        response = self.api(self.p.parent).get(LIST)
        self.assertEqual(response.status_code, 200)
        rows = {row["name"]: row for row in response.json()["results"]}
        self.assertEqual(set(rows), {"王小一", "王小二"})
        self.assertEqual(rows["王小一"]["id_number_masked"], "2102**********1239")
        self.assertNotIn("id_number", rows["王小一"])
        self.assertNotIn("210202201703051239", response.content.decode())
        self.assertTrue(rows["王小一"]["has_consent"])
        self.assertEqual(rows["王小一"]["consent_status"], "given")

    def test_the_parent_reads_a_child_without_giving_a_reason_or_being_logged(self) -> None:
        response = self.api(self.p.parent).get(detail(self.p.child_one))
        self.assertEqual(response.json()["birth_date"], "2017-03-05")
        self.assertEqual(self.view_entries(), 0)

    def test_creating_with_consent_saves_the_child_and_the_consent(self) -> None:
        response = self.api(self.p.parent).post(
            LIST, new_child(id_number=VALID_ID), format="json", REMOTE_ADDR="10.2.2.2"
        )
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertNotIn("id_number", body)
        self.assertEqual(body["id_number_masked"], "5107**********0027")
        self.assertNotIn(VALID_ID, response.content.decode())
        child = Child.objects.get(pk=body["id"])
        self.assertEqual(child.id_number(), VALID_ID)
        consent = ChildConsent.objects.get(child=child)
        self.assertEqual((consent.policy, consent.ip), (self.p.policy, "10.2.2.2"))

    def test_creating_without_consent_saves_nothing(self) -> None:
        client = self.api(self.p.parent)
        for body in (
            new_child(consent=False),
            {k: v for k, v in new_child().items() if k != "consent"},
        ):
            response = client.post(LIST, body, format="json")
            self.assertEqual(response.status_code, 400)
            self.assertIn("consent", response.json())
        self.assertFalse(Child.objects.filter(name="王小四").exists())

    def test_bad_values_are_400_at_the_field_and_save_nothing(self) -> None:
        tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
        cases: dict[str, list[Any]] = {
            "birth_date": [tomorrow, "abc", 5, None],
            "name": ["", "  ", ["a"], {"x": 1}],
            "grade": [9, "abc", -1, 2.5],
            "sex": ["Q", 1],
            "id_number": ["12345", "510703201601010020", ["510703201601010027"]],
            "consent": ["maybe", [True]],
        }
        client = self.api(self.p.parent)
        for field, values in cases.items():
            for value in values:
                with self.subTest(field=field, value=value):
                    response = client.post(LIST, new_child(**{field: value}), format="json")
                    self.assertEqual(response.status_code, 400, response.content)
                    self.assertIn(field, response.json())
        self.assertFalse(Child.objects.filter(name="王小四").exists())

    def test_malformed_json_and_a_non_object_body_are_400(self) -> None:
        client = self.api(self.p.parent)
        for raw in ("{not json", "[1, 2]", '"text"', "null"):
            with self.subTest(raw=raw):
                response = client.post(LIST, raw, content_type="application/json")
                self.assertEqual(response.status_code, 400)
        response = client.patch(detail(self.p.child_one), "{oops", content_type="application/json")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(Child.objects.count(), 3)

    def test_a_duplicate_id_number_is_400(self) -> None:
        client = self.api(self.p.parent)
        client.post(LIST, new_child(id_number=VALID_ID), format="json")
        response = client.post(LIST, new_child(name="重复", id_number=VALID_ID), format="json")
        self.assertEqual(response.status_code, 400)
        self.assertIn("id_number", response.json())
        self.assertFalse(Child.objects.filter(name="重复").exists())

    def test_staff_without_a_worker_profile_cannot_create(self) -> None:
        response = self.api(self.p.grassroots_admin).post(LIST, new_child(), format="json")
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Child.objects.filter(name="王小四").exists())

    def test_the_guardian_patches_a_child(self) -> None:
        response = self.api(self.p.parent).patch(
            detail(self.p.child_one), {"school": "实验小学", "grade": 4}, format="json"
        )
        self.assertEqual(response.status_code, 200, response.content)
        child = Child.objects.get(pk=self.p.child_one.pk)
        self.assertEqual((child.school, child.grade), ("实验小学", 4))
        self.assertEqual(child.id_number(), "210202201703051239")

    def test_a_patch_with_bad_values_changes_nothing(self) -> None:
        client = self.api(self.p.parent)
        for body in ({"grade": 9}, {"birth_date": "abc"}, {"name": ""}, {"id_number": "1"}):
            with self.subTest(body=body):
                response = client.patch(detail(self.p.child_one), body, format="json")
                self.assertEqual(response.status_code, 400)
        child = Child.objects.get(pk=self.p.child_one.pk)
        self.assertEqual((child.name, child.grade), ("王小一", 3))

    def test_an_empty_id_number_removes_it(self) -> None:
        response = self.api(self.p.parent).patch(
            detail(self.p.child_one), {"id_number": ""}, format="json"
        )
        self.assertEqual(response.json()["id_number_masked"], "")
        self.assertEqual(Child.objects.get(pk=self.p.child_one.pk).id_number_encrypted, "")

    def test_put_is_not_offered(self) -> None:
        response = self.api(self.p.parent).put(detail(self.p.child_one), new_child(), format="json")
        self.assertEqual(response.status_code, 405)

    def test_the_guardian_deletes_a_child(self) -> None:
        response = self.api(self.p.parent).delete(detail(self.p.child_two))
        self.assertEqual(response.status_code, 204)
        self.assertFalse(Child.objects.filter(pk=self.p.child_two.pk).exists())

    def test_consent_is_withdrawn_and_given_again(self) -> None:
        client = self.api(self.p.parent)
        response = client.delete(consent_url(self.p.child_one))
        self.assertEqual(response.json()["consent_status"], "withdrawn")
        self.assertFalse(self.p.child_one.has_consent())
        response = client.post(consent_url(self.p.child_one), {"policy_version": "2026.1"})
        self.assertEqual(response.json()["consent_status"], "given")
        self.assertTrue(self.p.child_one.has_consent())

    def test_consent_to_an_old_policy_version_is_refused(self) -> None:
        services.consent_policy_publish(version="2026.2", title="新规则", text="新版本")
        response = self.api(self.p.parent).post(
            consent_url(self.p.child_one), {"policy_version": "2026.1"}, format="json"
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("policy_version", response.json())
        self.assertFalse(self.p.child_one.has_consent())

    def test_a_new_policy_version_shows_as_outdated(self) -> None:
        services.consent_policy_publish(version="2026.2", title="新规则", text="新版本")
        response = self.api(self.p.parent).get(detail(self.p.child_one))
        self.assertEqual(response.json()["consent_status"], "outdated")
        self.assertFalse(response.json()["has_consent"])

    def test_another_parents_child_is_404_everywhere(self) -> None:
        client = self.api(self.p.parent)
        child = self.p.other_child
        self.assertEqual(client.get(detail(child)).status_code, 404)
        self.assertEqual(client.patch(detail(child), {"name": "x"}).status_code, 404)
        self.assertEqual(client.delete(detail(child)).status_code, 404)
        self.assertEqual(client.post(consent_url(child)).status_code, 404)
        self.assertEqual(Child.objects.get(pk=child.pk).name, "李小朋")

    def test_the_list_query_count_does_not_grow_with_the_children(self) -> None:
        client = self.api(self.p.parent)

        def count() -> int:
            with CaptureQueriesContext(connection) as ctx:
                self.assertEqual(client.get(LIST).status_code, 200)
            return len(ctx.captured_queries)

        client.get(LIST)  # the token's first use stamps last_used_at: not part of the bound
        with_two = count()
        for i in range(8):
            client.post(LIST, new_child(name=f"孩子{i}"), format="json")
        self.assertEqual(Child.objects.filter(guardian=self.p.parent_worker).count(), 10)
        self.assertEqual(count(), with_two)


class StaffApiTest(ApiTestCase):
    def test_staff_list_shows_minimal_fields_and_writes_no_audit_line(self) -> None:
        response = self.api(self.p.grassroots_admin).get(LIST)
        rows = {row["id"]: row for row in response.json()["results"]}
        self.assertEqual(set(rows), {self.p.child_one.pk, self.p.child_two.pk})
        self.assertEqual(
            set(rows[self.p.child_one.pk]), {"id", "name", "grade", "has_consent", "consent_status"}
        )
        self.assertNotIn("2102", response.content.decode())
        self.assertEqual(self.view_entries(), 0)

    def test_staff_list_hides_the_name_of_a_child_without_consent(self) -> None:
        services.consent_withdraw(actor=self.p.actor(self.p.parent), child=self.p.child_one)
        response = self.api(self.p.province_admin).get(LIST)
        rows = {row["id"]: row for row in response.json()["results"]}
        self.assertIsNone(rows[self.p.child_one.pk]["name"])
        self.assertNotIn("王小一", response.content.decode())

    def test_retrieving_without_a_reason_is_400_and_logs_nothing(self) -> None:
        client = self.api(self.p.grassroots_admin)
        for url in (detail(self.p.child_one), detail(self.p.child_one) + "?reason=ab"):
            response = client.get(url)
            self.assertEqual(response.status_code, 400)
            self.assertIn("reason", response.json())
            self.assertNotIn("王小一", response.content.decode())
        self.assertEqual(self.view_entries(), 0)

    def test_retrieving_with_a_reason_shows_the_record_and_logs_it(self) -> None:
        membership = self.p.reviewer.memberships.get()
        client = self.api(self.p.reviewer)
        response = client.get(detail(self.p.child_one), {"reason": REASON}, REMOTE_ADDR="10.5.5.5")
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual(body["birth_date"], "2017-03-05")
        self.assertEqual(body["id_number_masked"], "2102**********1239")
        self.assertNotIn("210202201703051239", response.content.decode())
        entry = AuditEntry.objects.get(action="view", model="accounts.Child")
        self.assertEqual(
            (entry.reason, entry.ip, entry.actor_id, entry.membership_id),
            (REASON, "10.5.5.5", self.p.reviewer.pk, membership.pk),
        )
        self.assertIn(str(membership.org), entry.membership_label)

    def test_a_child_without_consent_shows_no_personal_field_to_staff(self) -> None:
        services.consent_withdraw(actor=self.p.actor(self.p.parent), child=self.p.child_one)
        response = self.api(self.p.grassroots_admin).get(
            detail(self.p.child_one), {"reason": REASON}
        )
        self.assertEqual(response.status_code, 200)
        self.assertIsNone(response.json()["name"])
        self.assertNotIn("2017-03-05", response.content.decode())
        self.assertEqual(self.view_entries(), 0)

    def test_staff_may_not_change_delete_or_consent(self) -> None:
        client = self.api(self.p.grassroots_admin)
        child = self.p.child_one
        self.assertEqual(client.patch(detail(child), {"name": "x"}).status_code, 403)
        self.assertEqual(client.delete(detail(child)).status_code, 403)
        self.assertEqual(client.delete(consent_url(child)).status_code, 403)
        self.assertEqual(Child.objects.get(pk=child.pk).name, "王小一")
        self.assertTrue(child.has_consent())

    def test_a_caregiver_sees_no_child(self) -> None:
        client = self.api(self.p.caregiver)
        self.assertEqual(client.get(LIST).json()["results"], [])
        response = client.get(detail(self.p.child_one), {"reason": REASON})
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.view_entries(), 0)

    def test_the_outsider_gets_404_on_every_endpoint(self) -> None:
        client = self.api(self.p.outsider)
        child = self.p.child_one
        listed = {row["id"] for row in client.get(LIST).json()["results"]}
        self.assertNotIn(child.pk, listed)
        self.assertNotIn(self.p.child_two.pk, listed)
        self.assertEqual(client.get(detail(child), {"reason": REASON}).status_code, 404)
        self.assertEqual(client.patch(detail(child), {"name": "x"}).status_code, 404)
        self.assertEqual(client.delete(detail(child)).status_code, 404)
        self.assertEqual(client.post(consent_url(child)).status_code, 404)
        self.assertEqual(client.delete(consent_url(child)).status_code, 404)
        self.assertTrue(Child.objects.filter(pk=child.pk, name="王小一").exists())
        self.assertEqual(self.view_entries(), 0)


class AnonymousApiTest(ApiTestCase):
    def test_anonymous_gets_401_and_nothing_happens(self) -> None:
        client = APIClient()
        child = self.p.child_one
        self.assertEqual(client.get(LIST).status_code, 401)
        self.assertEqual(client.get(detail(child)).status_code, 401)
        self.assertEqual(client.post(LIST, new_child(), format="json").status_code, 401)
        self.assertEqual(client.delete(detail(child)).status_code, 401)
        self.assertEqual(client.delete(consent_url(child)).status_code, 401)
        self.assertTrue(child.has_consent())
        self.assertFalse(Child.objects.filter(name="王小四").exists())

    def test_a_bad_token_gets_401(self) -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION="Bearer tg_nope")
        self.assertEqual(client.get(LIST).status_code, 401)

    def test_json_bodies_round_trip(self) -> None:
        # Sanity: the API speaks JSON with non-ASCII names intact.
        response = self.api(self.p.parent).post(
            LIST, json.dumps(new_child(name="张小五")), content_type="application/json"
        )
        self.assertEqual(response.json()["name"], "张小五")
