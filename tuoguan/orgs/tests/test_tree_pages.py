from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tuoguan.orgs.models import Org

from .base import OrgsTestCase, anonymous


class TreePageTest(OrgsTestCase):
    url = reverse("orgs:tree")

    def test_anonymous_is_sent_to_login(self) -> None:
        self.assertRedirectsToLogin(anonymous().get(self.url))

    def test_it_starts_at_the_actors_own_union_and_lists_its_children(self) -> None:
        response = self.client_for(self.p.city_admin).get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["root"], self.p.city)
        self.assertEqual(list(response.context["page"]), [self.p.county])
        self.assertContains(response, reverse("orgs:children", args=[self.p.county.pk]))
        self.assertNotContains(response, "四川")

    def test_it_marks_inactive_unions_and_shows_level_kind_and_region(self) -> None:
        Org.objects.filter(pk=self.p.other_grassroots.pk).update(is_active=False)
        response = self.client_for(self.p.city_admin).get(
            reverse("orgs:children", args=[self.p.county.pk])
        )
        self.assertContains(response, "210202")
        self.assertEqual(response.context["root"], self.p.county)
        html = response.content.decode()
        hospital = html[html.index("中山区人民医院工会") :]
        self.assertIn("status-warn", hospital[:400])

    def test_a_parent_without_a_role_is_refused(self) -> None:
        response = self.client_for(self.p.parent).get(self.url)
        self.assertEqual(response.status_code, 403)

    def test_search_lists_matches_with_breadcrumbs_in_scope(self) -> None:
        response = self.client_for(self.p.city_admin).get(self.url, {"q": "医院"})
        self.assertEqual(response.status_code, 200)
        results = response.context["crumbs"]
        self.assertEqual(results, [(self.p.other_grassroots, [self.p.city, self.p.county])])
        self.assertNotContains(response, "绵阳市中心医院工会")

    def test_search_as_htmx_returns_the_body_fragment(self) -> None:
        response = self.client_for(self.p.city_admin).get(
            self.url, {"q": "港"}, headers={"HX-Request": "true", "HX-Target": "tree-body"}
        )
        self.assertTemplateUsed(response, "orgs/_tree_body.html")
        self.assertTemplateNotUsed(response, "orgs/tree.html")
        self.assertContains(response, "大连港集团工会")


class ChildrenFragmentTest(OrgsTestCase):
    def url(self, org: Org) -> str:
        return reverse("orgs:children", args=[org.pk])

    def test_anonymous_is_sent_to_login(self) -> None:
        self.assertRedirectsToLogin(anonymous().get(self.url(self.p.county)))

    def test_outsider_gets_404(self) -> None:
        response = self.client_for(self.p.outsider).get(self.url(self.p.county))
        self.assertEqual(response.status_code, 404)

    def test_htmx_expansion_returns_the_children_fragment(self) -> None:
        response = self.client_for(self.p.caregiver).get(
            self.url(self.p.grassroots), headers={"HX-Request": "true"}
        )
        self.assertTemplateUsed(response, "orgs/_children.html")
        response = self.client_for(self.p.city_admin).get(
            self.url(self.p.county), headers={"HX-Request": "true"}
        )
        self.assertTemplateUsed(response, "orgs/_children.html")
        self.assertTemplateNotUsed(response, "base.html")
        self.assertEqual(
            list(response.context["page"]), [self.p.grassroots, self.p.other_grassroots]
        )

    def test_later_pages_come_as_more_items_for_the_same_list(self) -> None:
        self.add_orgs(self.p.county, 60)
        client = self.client_for(self.p.city_admin)
        first = client.get(self.url(self.p.county), headers={"HX-Request": "true"})
        self.assertContains(first, f"{self.url(self.p.county)}?page=2")
        second = client.get(self.url(self.p.county), {"page": 2}, headers={"HX-Request": "true"})
        self.assertTemplateUsed(second, "orgs/_nodes.html")
        self.assertTemplateNotUsed(second, "orgs/_children.html")
        self.assertEqual(len(second.context["page"]), 12)


class DetailPageTest(OrgsTestCase):
    def url(self, org: Org) -> str:
        return reverse("orgs:detail", args=[org.pk])

    def test_anonymous_is_sent_to_login(self) -> None:
        self.assertRedirectsToLogin(anonymous().get(self.url(self.p.grassroots)))

    def test_outsider_gets_404(self) -> None:
        response = self.client_for(self.p.outsider).get(self.url(self.p.grassroots))
        self.assertEqual(response.status_code, 404)

    def test_a_union_above_ones_own_is_a_404(self) -> None:
        response = self.client_for(self.p.grassroots_admin).get(self.url(self.p.county))
        self.assertEqual(response.status_code, 404)

    def test_it_shows_breadcrumbs_fields_children_people_and_workers(self) -> None:
        response = self.client_for(self.p.city_admin).get(self.url(self.p.grassroots))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["ancestors"], [self.p.city, self.p.county])
        self.assertContains(response, "基层管理员")
        self.assertContains(response, "13800000004")
        self.assertEqual(response.context["workers_count"], 1)
        county = self.client_for(self.p.city_admin).get(self.url(self.p.county))
        self.assertEqual(county.context["children"], [self.p.grassroots, self.p.other_grassroots])

    def test_an_admin_is_offered_every_action_below_their_own_union(self) -> None:
        response = self.client_for(self.p.city_admin).get(self.url(self.p.county))
        for name in ("edit", "create", "move", "deactivate", "membership_add"):
            self.assertContains(response, reverse(f"orgs:{name}", args=[self.p.county.pk]))

    def test_an_admin_may_not_move_or_deactivate_their_own_union(self) -> None:
        response = self.client_for(self.p.city_admin).get(self.url(self.p.city))
        self.assertContains(response, reverse("orgs:edit", args=[self.p.city.pk]))
        self.assertNotContains(response, reverse("orgs:move", args=[self.p.city.pk]))
        self.assertNotContains(response, reverse("orgs:deactivate", args=[self.p.city.pk]))

    def test_a_grassroots_union_offers_no_child_union(self) -> None:
        response = self.client_for(self.p.city_admin).get(self.url(self.p.grassroots))
        self.assertNotContains(response, reverse("orgs:create", args=[self.p.grassroots.pk]))

    def test_a_read_only_role_is_offered_no_action(self) -> None:
        response = self.client_for(self.p.reviewer).get(self.url(self.p.county))
        self.assertEqual(response.status_code, 200)
        self.assertFalse(any(response.context["can"].values()))
        self.assertNotContains(response, reverse("orgs:edit", args=[self.p.county.pk]))
        self.assertNotContains(response, "membership_revoke")


class QueryCountTest(OrgsTestCase):
    """The tree page and the search cost the same number of queries for 10 or 200 unions."""

    def count(self, url: str, params: dict[str, str]) -> int:
        client = self.client_for(self.p.city_admin)
        client.get(url, params)  # warm the session and the caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, params)
        self.assertEqual(response.status_code, 200)
        return len(queries)

    def test_tree_and_search_queries_do_not_grow_with_the_number_of_unions(self) -> None:
        checks = [
            (reverse("orgs:tree"), {}),
            (reverse("orgs:tree"), {"q": "测试"}),
            (reverse("orgs:children", args=[self.p.city.pk]), {}),
            (reverse("orgs:detail", args=[self.p.city.pk]), {}),
        ]
        self.add_orgs(self.p.city, 10)
        few = [self.count(url, params) for url, params in checks]
        self.add_orgs(self.p.city, 190, prefix="测试乙")
        many = [self.count(url, params) for url, params in checks]
        self.assertEqual(few, many)
        self.assertTrue(all(n <= 15 for n in many), many)
