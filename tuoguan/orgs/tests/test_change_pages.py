from django.urls import reverse

from tuoguan.audit.models import AuditEntry
from tuoguan.orgs import services
from tuoguan.orgs.models import Level, Org

from .base import OrgsTestCase, anonymous

GRASSROOTS_DATA = {"name": "大连造船厂工会", "region_code": "210202", "kind": "enterprise"}


class CreatePageTest(OrgsTestCase):
    def url(self, org: Org) -> str:
        return reverse("orgs:create", args=[org.pk])

    def test_anonymous_is_sent_to_login(self) -> None:
        self.assertRedirectsToLogin(anonymous().get(self.url(self.p.county)))

    def test_outsider_gets_404(self) -> None:
        response = self.client_for(self.p.outsider).post(self.url(self.p.county), GRASSROOTS_DATA)
        self.assertEqual(response.status_code, 404)
        self.assertFalse(Org.objects.filter(name=GRASSROOTS_DATA["name"]).exists())

    def test_a_read_only_role_gets_403(self) -> None:
        for user in (self.p.reviewer, self.p.caregiver):
            target = self.p.county if user == self.p.reviewer else self.p.grassroots
            response = self.client_for(user).post(self.url(target), GRASSROOTS_DATA)
            self.assertEqual(response.status_code, 403)
        self.assertFalse(Org.objects.filter(name=GRASSROOTS_DATA["name"]).exists())

    def test_an_admin_adds_a_grassroots_union_one_level_down(self) -> None:
        client = self.client_for(self.p.city_admin)
        self.assertContains(client.get(self.url(self.p.county)), 'name="kind"')
        response = client.post(self.url(self.p.county), GRASSROOTS_DATA)
        org = Org.objects.get(name=GRASSROOTS_DATA["name"])
        self.assertRedirects(response, reverse("orgs:detail", args=[org.pk]))
        self.assertEqual(org.level, Level.GRASSROOTS)
        self.assertEqual(Org.objects.get_parent(org), self.p.county)
        self.assertEqual(self.reload(self.p.county).numchild, 3)
        self.assertAudited(org, AuditEntry.Action.CREATE, self.p.city_admin)

    def test_kind_is_not_asked_above_grassroots_level(self) -> None:
        client = self.client_for(self.p.city_admin)
        self.assertNotContains(client.get(self.url(self.p.city)), 'name="kind"')
        response = client.post(
            self.url(self.p.city),
            {"name": "西岗区总工会", "region_code": "210203", "kind": "school"},
        )
        org = Org.objects.get(name="西岗区总工会")
        self.assertRedirects(response, reverse("orgs:detail", args=[org.pk]))
        self.assertEqual((org.level, org.kind), (Level.COUNTY, ""))

    def test_a_bad_region_code_is_a_field_error_and_saves_nothing(self) -> None:
        data = {**GRASSROOTS_DATA, "region_code": "abc"}
        response = self.client_for(self.p.city_admin).post(self.url(self.p.county), data)
        self.assertEqual(response.status_code, 200)
        self.assertIn("region_code", response.context["form"].errors)
        self.assertFalse(Org.objects.filter(name=GRASSROOTS_DATA["name"]).exists())

    def test_a_missing_kind_at_grassroots_level_is_a_field_error(self) -> None:
        data = {**GRASSROOTS_DATA, "kind": ""}
        response = self.client_for(self.p.city_admin).post(self.url(self.p.county), data)
        self.assertIn("kind", response.context["form"].errors)
        self.assertFalse(Org.objects.filter(name=GRASSROOTS_DATA["name"]).exists())

    def test_a_grassroots_union_cannot_get_a_child(self) -> None:
        client = self.client_for(self.p.city_admin)
        self.assertContains(client.get(self.url(self.p.grassroots)), 'class="message error"')
        response = client.post(self.url(self.p.grassroots), GRASSROOTS_DATA)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].non_field_errors())
        self.assertFalse(Org.objects.filter(name=GRASSROOTS_DATA["name"]).exists())
        self.assertEqual(self.reload(self.p.grassroots).numchild, 0)

    def test_an_inactive_union_cannot_get_a_child(self) -> None:
        Org.objects.filter(pk=self.p.county.pk).update(is_active=False)
        response = self.client_for(self.p.city_admin).post(self.url(self.p.county), GRASSROOTS_DATA)
        self.assertTrue(response.context["form"].non_field_errors())
        self.assertFalse(Org.objects.filter(name=GRASSROOTS_DATA["name"]).exists())


class EditPageTest(OrgsTestCase):
    def url(self, org: Org) -> str:
        return reverse("orgs:edit", args=[org.pk])

    def data(self, **changes: str) -> dict[str, str]:
        org = self.p.grassroots
        return {
            "name": org.name,
            "short_name": org.short_name,
            "kind": org.kind,
            "region_code": org.region_code,
            "address": "大连市中山区港湾街1号",
            "contact_name": "张主席",
            "contact_phone": "0411-82620000",
            **changes,
        }

    def test_anonymous_is_sent_to_login(self) -> None:
        self.assertRedirectsToLogin(anonymous().post(self.url(self.p.grassroots), self.data()))

    def test_outsider_gets_404(self) -> None:
        response = self.client_for(self.p.outsider).post(self.url(self.p.grassroots), self.data())
        self.assertEqual(response.status_code, 404)

    def test_a_read_only_role_gets_403(self) -> None:
        response = self.client_for(self.p.caregiver).post(self.url(self.p.grassroots), self.data())
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.reload(self.p.grassroots).address, "")

    def test_an_admin_edits_their_own_union(self) -> None:
        client = self.client_for(self.p.grassroots_admin)
        response = client.post(self.url(self.p.grassroots), self.data(short_name="大港工会"))
        self.assertRedirects(response, reverse("orgs:detail", args=[self.p.grassroots.pk]))
        org = self.reload(self.p.grassroots)
        self.assertEqual((org.short_name, org.contact_name), ("大港工会", "张主席"))
        entry = self.assertAudited(org, AuditEntry.Action.UPDATE, self.p.grassroots_admin)
        self.assertIn("short_name", entry.changed_fields)

    def test_bad_input_is_a_field_error_and_saves_nothing(self) -> None:
        client = self.client_for(self.p.grassroots_admin)
        response = client.post(self.url(self.p.grassroots), self.data(region_code="abc", kind=""))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(set(response.context["form"].errors), {"region_code", "kind"})
        # The page keeps showing the saved name, not the refused input.
        self.assertEqual(response.context["org"].region_code, "210202")
        org = self.reload(self.p.grassroots)
        self.assertEqual((org.region_code, org.address), ("210202", ""))


class MovePageTest(OrgsTestCase):
    def setUp(self) -> None:
        self.xigang = services.org_create(
            actor=None, parent=self.p.city, name="西岗区总工会", region_code="210203"
        )

    def url(self, org: Org) -> str:
        return reverse("orgs:move", args=[org.pk])

    def test_anonymous_is_sent_to_login(self) -> None:
        self.assertRedirectsToLogin(anonymous().get(self.url(self.p.grassroots)))

    def test_outsider_gets_404(self) -> None:
        response = self.client_for(self.p.outsider).post(
            self.url(self.p.grassroots), {"parent": self.xigang.pk}
        )
        self.assertEqual(response.status_code, 404)

    def test_a_read_only_role_gets_403(self) -> None:
        response = self.client_for(self.p.reviewer).post(
            self.url(self.p.grassroots), {"parent": self.xigang.pk}
        )
        self.assertEqual(response.status_code, 403)
        self.assertEqual(Org.objects.get_parent(self.reload(self.p.grassroots)), self.p.county)

    def test_an_admin_may_not_move_their_own_union(self) -> None:
        response = self.client_for(self.p.grassroots_admin).get(self.url(self.p.grassroots))
        self.assertEqual(response.status_code, 403)

    def test_an_admin_moves_a_union_with_its_subtree(self) -> None:
        client = self.client_for(self.p.city_admin)
        page = client.get(self.url(self.p.grassroots))
        self.assertContains(page, "西岗区总工会")
        response = client.post(self.url(self.p.grassroots), {"parent": self.xigang.pk})
        self.assertRedirects(response, reverse("orgs:detail", args=[self.p.grassroots.pk]))
        org = self.reload(self.p.grassroots)
        self.assertEqual(Org.objects.get_parent(org), self.xigang)
        self.assertEqual(self.reload(self.p.county).numchild, 1)
        entry = self.assertAudited(org, AuditEntry.Action.UPDATE, self.p.city_admin)
        self.assertEqual(entry.changed_fields, ["parent"])

    def test_the_page_says_when_there_is_nowhere_to_move(self) -> None:
        response = self.client_for(self.p.city_admin).get(self.url(self.p.county))
        self.assertFalse(response.context["has_candidates"])
        self.assertContains(response, 'class="message error"')

    def test_moving_under_its_own_descendant_is_a_field_error(self) -> None:
        response = self.client_for(self.p.city_admin).post(
            self.url(self.p.county), {"parent": self.p.grassroots.pk}
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("parent", response.context["form"].errors)
        self.assertEqual(Org.objects.get_parent(self.reload(self.p.county)), self.p.city)

    def test_a_parent_outside_the_scope_is_a_field_error(self) -> None:
        response = self.client_for(self.p.city_admin).post(
            self.url(self.p.grassroots), {"parent": self.p.other_city.pk}
        )
        self.assertIn("parent", response.context["form"].errors)
        self.assertEqual(Org.objects.get_parent(self.reload(self.p.grassroots)), self.p.county)


class DeactivatePageTest(OrgsTestCase):
    def url(self, org: Org) -> str:
        return reverse("orgs:deactivate", args=[org.pk])

    def test_anonymous_is_sent_to_login(self) -> None:
        self.assertRedirectsToLogin(anonymous().post(self.url(self.p.county)))

    def test_outsider_gets_404(self) -> None:
        response = self.client_for(self.p.outsider).post(self.url(self.p.county))
        self.assertEqual(response.status_code, 404)
        self.assertTrue(self.reload(self.p.county).is_active)

    def test_a_read_only_role_gets_403(self) -> None:
        response = self.client_for(self.p.reviewer).post(
            self.url(self.p.county), {"action": "deactivate"}
        )
        self.assertEqual(response.status_code, 403)
        self.assertTrue(self.reload(self.p.county).is_active)

    def test_get_asks_for_confirmation_and_changes_nothing(self) -> None:
        response = self.client_for(self.p.city_admin).get(self.url(self.p.county))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["active_below"], 2)
        self.assertTrue(self.reload(self.p.county).is_active)

    def test_deactivating_cascades_to_the_subtree(self) -> None:
        response = self.client_for(self.p.city_admin).post(
            self.url(self.p.county), {"action": "deactivate"}
        )
        self.assertRedirects(response, reverse("orgs:detail", args=[self.p.county.pk]))
        for org in (self.p.county, self.p.grassroots, self.p.other_grassroots):
            self.assertFalse(self.reload(org).is_active)
            self.assertAudited(org, AuditEntry.Action.UPDATE, self.p.city_admin)
        self.assertTrue(self.reload(self.p.city).is_active)

    def test_reactivating_restores_the_union_alone(self) -> None:
        client = self.client_for(self.p.city_admin)
        client.post(self.url(self.p.county), {"action": "deactivate"})
        response = client.post(self.url(self.p.county), {"action": "reactivate"})
        self.assertRedirects(response, reverse("orgs:detail", args=[self.p.county.pk]))
        self.assertTrue(self.reload(self.p.county).is_active)
        self.assertFalse(self.reload(self.p.grassroots).is_active)

    def test_a_union_under_an_inactive_one_cannot_be_reactivated(self) -> None:
        client = self.client_for(self.p.city_admin)
        client.post(self.url(self.p.county), {"action": "deactivate"})
        response = client.post(self.url(self.p.grassroots), {"action": "reactivate"})
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].non_field_errors())
        self.assertFalse(self.reload(self.p.grassroots).is_active)

    def test_an_unknown_action_is_a_field_error(self) -> None:
        response = self.client_for(self.p.city_admin).post(
            self.url(self.p.county), {"action": "explode"}
        )
        self.assertIn("action", response.context["form"].errors)
        self.assertTrue(self.reload(self.p.county).is_active)

    def test_an_admin_may_not_deactivate_their_own_union(self) -> None:
        response = self.client_for(self.p.city_admin).post(
            self.url(self.p.city), {"action": "deactivate"}
        )
        self.assertEqual(response.status_code, 403)
        self.assertTrue(self.reload(self.p.city).is_active)
