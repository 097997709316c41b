from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from tuoguan.accounts.services import token_issue
from tuoguan.audit.models import AuditEntry
from tuoguan.orgs import services
from tuoguan.orgs.models import Level, Org

from .base import OrgsTestCase

LIST = reverse("org-list")
NEW = {"name": "大连造船厂工会", "region_code": "210202", "kind": "enterprise"}


def detail(org: Org, action: str = "") -> str:
    if action:
        return reverse(f"org-{action}", args=[org.pk])
    return reverse("org-detail", args=[org.pk])


class OrgListApiTest(OrgsTestCase):
    def ids(self, response: Any) -> set[int]:
        self.assertEqual(response.status_code, 200, response.content)
        return {row["id"] for row in response.json()["results"]}

    def test_anonymous_gets_401(self) -> None:
        self.assertEqual(APIClient().get(LIST).status_code, 401)

    def test_the_list_is_the_actors_subtree(self) -> None:
        ids = self.ids(self.api_for(self.p.city_admin).get(LIST))
        expected = {self.p.city, self.p.county, self.p.grassroots, self.p.other_grassroots}
        self.assertEqual(ids, {o.pk for o in expected})

    def test_rows_name_their_parent(self) -> None:
        rows = self.api_for(self.p.city_admin).get(LIST).json()["results"]
        parents = {row["id"]: row["parent"] for row in rows}
        self.assertEqual(parents[self.p.grassroots.pk], self.p.county.pk)
        self.assertEqual(parents[self.p.city.pk], self.p.province.pk)

    def test_q_searches_within_the_scope(self) -> None:
        ids = self.ids(self.api_for(self.p.city_admin).get(LIST, {"q": "医院"}))
        self.assertEqual(ids, {self.p.other_grassroots.pk})

    def test_parent_filters_to_the_unions_directly_below(self) -> None:
        ids = self.ids(self.api_for(self.p.city_admin).get(LIST, {"parent": self.p.county.pk}))
        self.assertEqual(ids, {self.p.grassroots.pk, self.p.other_grassroots.pk})

    def test_an_invisible_parent_is_a_404_and_a_malformed_one_a_400(self) -> None:
        client = self.api_for(self.p.city_admin)
        self.assertEqual(client.get(LIST, {"parent": self.p.other_city.pk}).status_code, 404)
        response = client.get(LIST, {"parent": "abc"})
        self.assertEqual(response.status_code, 400)
        self.assertIn("parent", response.json())

    def test_the_list_costs_the_same_queries_for_many_unions(self) -> None:
        client = self.api_for(self.p.city_admin)
        self.add_orgs(self.p.city, 10)
        client.get(LIST)
        few = self.count_queries(client)
        self.add_orgs(self.p.city, 100, prefix="测试乙")
        self.assertEqual(self.count_queries(client), few)

    def count_queries(self, client: APIClient) -> int:
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(client.get(LIST).status_code, 200)
        return len(queries)


class OrgRetrieveApiTest(OrgsTestCase):
    def test_outsider_gets_404(self) -> None:
        self.assertEqual(self.api_for(self.p.outsider).get(detail(self.p.county)).status_code, 404)

    def test_a_bearer_token_acts_through_its_users_membership(self) -> None:
        _, key = token_issue(user=self.p.city_admin, name="kiosk")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        response = client.get(detail(self.p.county))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["level"], Level.COUNTY)
        self.assertEqual(client.get(detail(self.p.province)).status_code, 404)


class OrgCreateApiTest(OrgsTestCase):
    def post(self, user: Any, **data: Any) -> Any:
        return self.api_for(user).post(LIST, data, format="json")

    def created(self) -> bool:
        return Org.objects.filter(name=NEW["name"]).exists()

    def test_anonymous_gets_401(self) -> None:
        response = APIClient().post(LIST, {**NEW, "parent": self.p.county.pk}, format="json")
        self.assertEqual(response.status_code, 401)
        self.assertFalse(self.created())

    def test_an_admin_creates_a_union_below_a_parent(self) -> None:
        response = self.post(self.p.city_admin, parent=self.p.county.pk, **NEW)
        self.assertEqual(response.status_code, 201, response.content)
        org = Org.objects.get(name=NEW["name"])
        self.assertEqual(response.json()["parent"], self.p.county.pk)
        self.assertEqual(
            (org.level, Org.objects.get_parent(org)), (Level.GRASSROOTS, self.p.county)
        )
        self.assertAudited(org, AuditEntry.Action.CREATE, self.p.city_admin)

    def test_a_read_only_role_gets_403(self) -> None:
        response = self.post(self.p.reviewer, parent=self.p.county.pk, **NEW)
        self.assertEqual(response.status_code, 403)
        self.assertFalse(self.created())

    def test_an_invisible_parent_does_not_exist(self) -> None:
        response = self.post(self.p.outsider, parent=self.p.county.pk, **NEW)
        self.assertEqual(response.status_code, 400)
        self.assertIn("parent", response.json())
        self.assertFalse(self.created())

    def test_bad_input_is_a_400_with_field_errors(self) -> None:
        cases: list[tuple[dict[str, Any], str]] = [
            ({**NEW, "parent": self.p.county.pk, "region_code": "abc"}, "region_code"),
            ({**NEW, "parent": self.p.county.pk, "kind": ""}, "kind"),
            ({**NEW, "parent": self.p.county.pk, "kind": "castle"}, "kind"),
            ({**NEW, "parent": self.p.grassroots.pk}, "parent"),
            ({**NEW, "parent": "abc"}, "parent"),
            ({**NEW, "parent": self.p.county.pk, "name": ["x"]}, "name"),
            ({**NEW}, "parent"),
        ]
        for data, field in cases:
            with self.subTest(field=field, data=data):
                response = self.post(self.p.city_admin, **data)
                self.assertEqual(response.status_code, 400)
                self.assertIn(field, response.json())
        self.assertFalse(self.created())
        self.assertEqual(self.reload(self.p.grassroots).numchild, 0)

    def test_malformed_json_is_a_400(self) -> None:
        client = self.api_for(self.p.city_admin)
        response = client.post(LIST, '{"name": ', content_type="application/json")
        self.assertEqual(response.status_code, 400)
        response = client.post(LIST, "[1, 2]", content_type="application/json")
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Org.objects.filter(level=Level.GRASSROOTS, name="").exists())


class OrgUpdateApiTest(OrgsTestCase):
    def patch(self, user: Any, org: Org, data: Any) -> Any:
        return self.api_for(user).patch(detail(org), data, format="json")

    def test_outsider_gets_404(self) -> None:
        self.assertEqual(self.patch(self.p.outsider, self.p.county, {"name": "x"}).status_code, 404)

    def test_a_read_only_role_gets_403(self) -> None:
        self.assertEqual(self.patch(self.p.reviewer, self.p.county, {"name": "x"}).status_code, 403)
        self.assertEqual(self.reload(self.p.county).name, "大连市中山区总工会")

    def test_an_admin_changes_some_fields(self) -> None:
        response = self.patch(self.p.city_admin, self.p.county, {"contact_name": "刘主席"})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["contact_name"], "刘主席")
        county = self.reload(self.p.county)
        self.assertEqual((county.contact_name, county.name), ("刘主席", "大连市中山区总工会"))
        entry = self.assertAudited(county, AuditEntry.Action.UPDATE, self.p.city_admin)
        self.assertEqual(entry.changed_fields, ["contact_name"])

    def test_bad_input_is_a_400_and_saves_nothing(self) -> None:
        for data, field in [
            ({"region_code": "abc"}, "region_code"),
            ({"kind": "school"}, "kind"),
            ({"name": ""}, "name"),
            ({"contact_name": "刘", "contact_phone": "call me"}, "contact_phone"),
        ]:
            with self.subTest(data=data):
                response = self.patch(self.p.city_admin, self.p.county, data)
                self.assertEqual(response.status_code, 400)
                self.assertIn(field, response.json())
        county = self.reload(self.p.county)
        self.assertEqual((county.region_code, county.kind, county.contact_name), ("210202", "", ""))

    def test_level_and_activity_are_not_changed_here(self) -> None:
        self.patch(self.p.city_admin, self.p.county, {"level": 4, "is_active": False})
        county = self.reload(self.p.county)
        self.assertEqual((county.level, county.is_active), (Level.COUNTY, True))

    def test_put_is_not_offered(self) -> None:
        response = self.api_for(self.p.city_admin).put(detail(self.p.county), {}, format="json")
        self.assertEqual(response.status_code, 405)


class OrgMoveApiTest(OrgsTestCase):
    def setUp(self) -> None:
        self.xigang = services.org_create(
            actor=None, parent=self.p.city, name="西岗区总工会", region_code="210203"
        )

    def move(self, user: Any, org: Org, parent: Any) -> Any:
        return self.api_for(user).post(detail(org, "move"), {"parent": parent}, format="json")

    def test_outsider_gets_404(self) -> None:
        response = self.move(self.p.outsider, self.p.grassroots, self.xigang.pk)
        self.assertEqual(response.status_code, 404)

    def test_a_read_only_role_gets_403(self) -> None:
        response = self.move(self.p.reviewer, self.p.grassroots, self.xigang.pk)
        self.assertEqual(response.status_code, 403)
        self.assertEqual(Org.objects.get_parent(self.reload(self.p.grassroots)), self.p.county)

    def test_an_admin_moves_a_union(self) -> None:
        response = self.move(self.p.city_admin, self.p.grassroots, self.xigang.pk)
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["parent"], self.xigang.pk)
        grassroots = self.reload(self.p.grassroots)
        self.assertEqual(Org.objects.get_parent(grassroots), self.xigang)
        self.assertAudited(grassroots, AuditEntry.Action.UPDATE, self.p.city_admin)

    def test_an_impossible_parent_is_a_400(self) -> None:
        for org, parent in [
            (self.p.county, self.p.grassroots.pk),  # its own descendant
            (self.p.county, self.xigang.pk),  # the same level
            (self.p.county, self.p.other_city.pk),  # outside the scope
            (self.p.county, "abc"),
            (self.p.county, None),
        ]:
            with self.subTest(parent=parent):
                response = self.move(self.p.city_admin, org, parent)
                self.assertEqual(response.status_code, 400)
                self.assertIn("parent", response.json())
        self.assertEqual(Org.objects.get_parent(self.reload(self.p.county)), self.p.city)

    def test_an_admin_may_not_move_their_own_union(self) -> None:
        response = self.move(self.p.city_admin, self.p.city, self.p.province.pk)
        self.assertEqual(response.status_code, 403)


class OrgDeactivateApiTest(OrgsTestCase):
    def post(self, user: Any, org: Org, data: Any = None) -> Any:
        return self.api_for(user).post(detail(org, "deactivate"), data or {}, format="json")

    def test_anonymous_gets_401(self) -> None:
        response = APIClient().post(detail(self.p.county, "deactivate"), {}, format="json")
        self.assertEqual(response.status_code, 401)

    def test_outsider_gets_404(self) -> None:
        self.assertEqual(self.post(self.p.outsider, self.p.county).status_code, 404)
        self.assertTrue(self.reload(self.p.county).is_active)

    def test_a_read_only_role_gets_403(self) -> None:
        self.assertEqual(self.post(self.p.reviewer, self.p.county).status_code, 403)
        self.assertTrue(self.reload(self.p.county).is_active)

    def test_an_admin_deactivates_a_subtree_and_reactivates_the_union(self) -> None:
        response = self.post(self.p.city_admin, self.p.county)
        self.assertEqual(response.status_code, 200, response.content)
        self.assertFalse(response.json()["is_active"])
        for org in (self.p.county, self.p.grassroots, self.p.other_grassroots):
            self.assertFalse(self.reload(org).is_active)
            self.assertAudited(org, AuditEntry.Action.UPDATE, self.p.city_admin)
        response = self.post(self.p.city_admin, self.p.county, {"active": True})
        self.assertTrue(response.json()["is_active"])
        self.assertTrue(self.reload(self.p.county).is_active)
        self.assertFalse(self.reload(self.p.grassroots).is_active)

    def test_reactivating_below_an_inactive_union_is_a_400(self) -> None:
        self.post(self.p.city_admin, self.p.county)
        response = self.post(self.p.city_admin, self.p.grassroots, {"active": True})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self.reload(self.p.grassroots).is_active)

    def test_a_malformed_flag_is_a_400(self) -> None:
        response = self.post(self.p.city_admin, self.p.county, {"active": "perhaps"})
        self.assertEqual(response.status_code, 400)
        self.assertIn("active", response.json())
        self.assertTrue(self.reload(self.p.county).is_active)

    def test_an_admin_may_not_deactivate_their_own_union(self) -> None:
        self.assertEqual(self.post(self.p.city_admin, self.p.city).status_code, 403)
        self.assertTrue(self.reload(self.p.city).is_active)
