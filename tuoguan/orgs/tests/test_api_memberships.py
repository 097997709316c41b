from typing import Any

from django.urls import reverse
from rest_framework.test import APIClient

from tuoguan.audit.models import AuditEntry
from tuoguan.orgs.models import Membership, Org, Role

from .base import OrgsTestCase

LIST = reverse("membership-list")


def revoke_url(membership: Membership) -> str:
    return reverse("membership-revoke", args=[membership.pk])


class MembershipListApiTest(OrgsTestCase):
    def users(self, user: Any, **params: Any) -> set[int]:
        response = self.api_for(user).get(LIST, params)
        self.assertEqual(response.status_code, 200, response.content)
        return {row["user"] for row in response.json()["results"]}

    def test_anonymous_gets_401(self) -> None:
        self.assertEqual(APIClient().get(LIST).status_code, 401)

    def test_an_admin_sees_the_roles_in_their_subtree(self) -> None:
        users = self.users(self.p.city_admin)
        self.assertEqual(
            users, {self.p.city_admin.pk, self.p.grassroots_admin.pk, self.p.caregiver.pk}
        )

    def test_a_caregiver_sees_only_their_own_roles(self) -> None:
        self.assertEqual(self.users(self.p.caregiver), {self.p.caregiver.pk})

    def test_the_org_filter_narrows_and_a_malformed_one_is_a_400(self) -> None:
        users = self.users(self.p.province_admin, org=self.p.grassroots.pk)
        self.assertEqual(users, {self.p.grassroots_admin.pk, self.p.caregiver.pk})
        response = self.api_for(self.p.province_admin).get(LIST, {"org": "x"})
        self.assertEqual(response.status_code, 400)

    def test_outsider_gets_404_for_a_role_in_another_province(self) -> None:
        membership = Membership.objects.get(user=self.p.caregiver)
        url = reverse("membership-detail", args=[membership.pk])
        self.assertEqual(self.api_for(self.p.outsider).get(url).status_code, 404)


class MembershipCreateApiTest(OrgsTestCase):
    def post(self, user: Any, **data: Any) -> Any:
        return self.api_for(user).post(LIST, data, format="json")

    def granted(self) -> bool:
        return Membership.objects.filter(user=self.p.parent).exists()

    def test_anonymous_gets_401(self) -> None:
        response = APIClient().post(LIST, {}, format="json")
        self.assertEqual(response.status_code, 401)

    def test_an_admin_grants_a_role(self) -> None:
        response = self.post(
            self.p.grassroots_admin, org=self.p.grassroots.pk, login="13700000001", role="caregiver"
        )
        self.assertEqual(response.status_code, 201, response.content)
        membership = Membership.objects.get(user=self.p.parent)
        self.assertEqual(response.json()["id"], membership.pk)
        self.assertEqual(membership.role, Role.CAREGIVER)
        self.assertAudited(membership, AuditEntry.Action.CREATE, self.p.grassroots_admin)

    def test_a_read_only_role_gets_403(self) -> None:
        response = self.post(
            self.p.reviewer, org=self.p.grassroots.pk, login="parent", role="caregiver"
        )
        self.assertEqual(response.status_code, 403)
        self.assertFalse(self.granted())

    def test_a_union_outside_the_scope_does_not_exist(self) -> None:
        response = self.post(
            self.p.outsider, org=self.p.grassroots.pk, login="parent", role="caregiver"
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("org", response.json())
        self.assertFalse(self.granted())

    def test_bad_input_is_a_400_with_field_errors(self) -> None:
        org = self.p.grassroots.pk
        for data, field in [
            ({"org": org, "login": "nobody", "role": "caregiver"}, "login"),
            ({"org": org, "login": "parent", "role": "king"}, "role"),
            ({"org": org, "login": ["parent"], "role": "caregiver"}, "login"),
            ({"org": "x", "login": "parent", "role": "caregiver"}, "org"),
            ({"org": org, "login": "gang_carer", "role": "caregiver"}, "role"),
        ]:
            with self.subTest(data=data):
                response = self.post(self.p.grassroots_admin, **data)
                self.assertEqual(response.status_code, 400)
                self.assertIn(field, response.json())
        self.assertFalse(self.granted())
        self.assertEqual(Membership.objects.filter(user=self.p.caregiver).count(), 1)

    def test_no_role_is_granted_at_an_inactive_union(self) -> None:
        Org.objects.filter(pk=self.p.grassroots.pk).update(is_active=False)
        response = self.post(
            self.p.city_admin, org=self.p.grassroots.pk, login="parent", role="caregiver"
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("org", response.json())
        self.assertFalse(self.granted())

    def test_malformed_json_is_a_400(self) -> None:
        response = self.api_for(self.p.grassroots_admin).post(
            LIST, "{not json", content_type="application/json"
        )
        self.assertEqual(response.status_code, 400)


class MembershipRevokeApiTest(OrgsTestCase):
    def setUp(self) -> None:
        self.membership = Membership.objects.get(user=self.p.caregiver)

    def post(self, user: Any) -> Any:
        return self.api_for(user).post(revoke_url(self.membership), format="json")

    def active(self) -> bool:
        self.membership.refresh_from_db()
        return self.membership.is_active

    def test_anonymous_gets_401(self) -> None:
        self.assertEqual(APIClient().post(revoke_url(self.membership)).status_code, 401)
        self.assertTrue(self.active())

    def test_outsider_gets_404(self) -> None:
        self.assertEqual(self.post(self.p.outsider).status_code, 404)
        self.assertTrue(self.active())

    def test_a_read_only_role_gets_403(self) -> None:
        self.assertEqual(self.post(self.p.reviewer).status_code, 403)
        self.assertTrue(self.active())

    def test_an_admin_revokes_a_role(self) -> None:
        response = self.post(self.p.city_admin)
        self.assertEqual(response.status_code, 200, response.content)
        self.assertFalse(response.json()["is_active"])
        self.assertFalse(self.active())
        self.assertAudited(self.membership, AuditEntry.Action.UPDATE, self.p.city_admin)
