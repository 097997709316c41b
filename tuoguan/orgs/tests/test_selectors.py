from django.http import Http404

from tuoguan.orgs import selectors
from tuoguan.orgs.models import Org, Role

from .base import OrgsTestCase


class OrgScopingTest(OrgsTestCase):
    def test_a_city_admin_sees_exactly_the_city_subtree(self) -> None:
        visible = set(selectors.orgs_visible_to(self.actor(self.p.city_admin)))
        expected = {self.p.city, self.p.county, self.p.grassroots, self.p.other_grassroots}
        self.assertEqual(visible, expected)

    def test_a_parent_without_a_role_sees_no_union(self) -> None:
        self.assertFalse(selectors.orgs_visible_to(self.actor(self.p.parent)).exists())

    def test_org_for_outside_the_subtree_is_a_404(self) -> None:
        with self.assertRaises(Http404):
            selectors.org_for(self.actor(self.p.outsider), self.p.grassroots.pk)
        with self.assertRaises(Http404):
            selectors.org_for(self.actor(self.p.city_admin), self.p.province.pk)

    def test_org_for_a_malformed_id_is_a_404(self) -> None:
        with self.assertRaises(Http404):
            selectors.org_for(self.actor(self.p.city_admin), "abc")

    def test_org_children_lists_one_level_down(self) -> None:
        children = selectors.org_children(self.actor(self.p.province_admin), self.p.county)
        self.assertEqual(list(children), [self.p.grassroots, self.p.other_grassroots])

    def test_search_matches_name_short_name_and_region_code_within_scope(self) -> None:
        actor = self.actor(self.p.province_admin)
        self.assertEqual(list(selectors.org_search(actor, "港集团")), [self.p.grassroots])
        Org.objects.filter(pk=self.p.other_grassroots.pk).update(short_name="中山医院")
        self.assertEqual(list(selectors.org_search(actor, "山医")), [self.p.other_grassroots])
        self.assertEqual(
            set(selectors.org_search(actor, "210202")),
            {self.p.county, self.p.grassroots, self.p.other_grassroots},
        )
        # The hospital union of 绵阳 lies in another province.
        self.assertEqual(list(selectors.org_search(actor, "医院")), [self.p.other_grassroots])

    def test_an_empty_search_finds_nothing(self) -> None:
        self.assertFalse(selectors.org_search(self.actor(self.p.province_admin), "  ").exists())

    def test_parent_candidates_are_higher_active_unions_in_scope_but_the_current_parent(
        self,
    ) -> None:
        actor = self.actor(self.p.province_admin)
        candidates = set(selectors.org_parent_candidates(actor, self.p.grassroots))
        self.assertEqual(candidates, {self.p.province, self.p.city})


class BreadcrumbsTest(OrgsTestCase):
    def test_breadcrumbs_start_at_the_actors_own_union(self) -> None:
        city = self.actor(self.p.city_admin)
        province = self.actor(self.p.province_admin)
        grassroots = self.p.grassroots
        self.assertEqual(
            selectors.org_ancestors_visible(city, grassroots), [self.p.city, self.p.county]
        )
        self.assertEqual(
            selectors.org_ancestors_visible(province, grassroots),
            [self.p.province, self.p.city, self.p.county],
        )

    def test_the_actors_own_union_has_no_breadcrumbs(self) -> None:
        actor = self.actor(self.p.city_admin)
        self.assertEqual(selectors.org_ancestors_visible(actor, self.p.city), [])

    def test_breadcrumbs_of_many_orgs_take_one_query(self) -> None:
        actor = self.actor(self.p.province_admin)
        orgs = [self.p.grassroots, self.p.other_grassroots, self.p.county]
        with self.assertNumQueries(1):
            crumbs = selectors.org_breadcrumbs(actor, orgs)
        self.assertEqual(crumbs[self.p.county.pk], [self.p.province, self.p.city])


class PeopleTest(OrgsTestCase):
    def test_a_reviewer_sees_the_people_of_a_union_in_the_subtree(self) -> None:
        memberships = selectors.memberships_for_org(self.actor(self.p.reviewer), self.p.grassroots)
        self.assertEqual(
            {(m.user, m.role) for m in memberships},
            {(self.p.grassroots_admin, Role.UNION_ADMIN), (self.p.caregiver, Role.CAREGIVER)},
        )

    def test_a_caregiver_sees_only_their_own_role(self) -> None:
        memberships = selectors.memberships_for_org(self.actor(self.p.caregiver), self.p.grassroots)
        self.assertEqual([m.user for m in memberships], [self.p.caregiver])

    def test_workers_are_counted_over_the_subtree(self) -> None:
        actor = self.actor(self.p.province_admin)
        self.assertEqual(selectors.workers_count(actor, self.p.province), 1)
        self.assertEqual(selectors.workers_count(actor, self.p.other_grassroots), 0)

    def test_workers_are_not_counted_for_a_caregiver(self) -> None:
        actor = self.actor(self.p.caregiver)
        self.assertIsNone(selectors.workers_count(actor, self.p.grassroots))

    def test_a_user_is_found_by_mobile_or_username(self) -> None:
        self.assertEqual(selectors.user_for_login("13700000001"), self.p.parent)
        self.assertEqual(selectors.user_for_login(" parent "), self.p.parent)
        self.assertIsNone(selectors.user_for_login("nobody"))
        self.assertIsNone(selectors.user_for_login(""))
