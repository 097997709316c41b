"""The parent's family page: own children only, consent status, bounded queries."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tuoguan.accounts import services
from tuoguan.accounts.models import Child
from tuoguan.testing import PersonaTestCase

FAMILY = reverse("accounts:family")


def _href(name: str, pk: int) -> str:
    return f'href="{reverse(name, args=[pk])}"'


class FamilyPageTest(PersonaTestCase):
    def test_the_parent_sees_each_child_with_grade_and_masked_id_number(self) -> None:
        response = self.client_for(self.p.parent).get(FAMILY)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "王小一")
        self.assertContains(response, "王小二")
        self.assertContains(response, "2102**********1239")
        self.assertNotContains(response, "210202201703051239")

    def test_another_family_is_not_listed(self) -> None:
        response = self.client_for(self.p.parent).get(FAMILY)
        self.assertNotContains(response, self.p.other_child.name)

    def test_the_page_links_to_adding_a_child_and_to_the_export(self) -> None:
        response = self.client_for(self.p.parent).get(FAMILY)
        self.assertContains(response, reverse("accounts:child_add"))
        self.assertContains(response, reverse("accounts:family_export"))

    def test_a_withdrawn_consent_shows_a_call_to_consent_again(self) -> None:
        services.consent_withdraw(actor=self.p.actor(self.p.parent), child=self.p.child_one)
        response = self.client_for(self.p.parent).get(FAMILY)
        self.assertContains(response, _href("accounts:consent_grant", self.p.child_one.pk))
        self.assertNotContains(response, _href("accounts:consent_grant", self.p.child_two.pk))

    def test_a_new_policy_version_asks_every_child_for_consent_again(self) -> None:
        services.consent_policy_publish(version="2026.2", title="新规则", text="新版本……")
        response = self.client_for(self.p.parent).get(FAMILY)
        for child in (self.p.child_one, self.p.child_two):
            self.assertContains(response, _href("accounts:consent_grant", child.pk))

    def test_staff_without_a_worker_profile_get_a_friendly_page(self) -> None:
        response = self.client_for(self.p.province_admin).get(FAMILY)
        self.assertEqual(response.status_code, 200)
        self.assertTemplateUsed(response, "accounts/family_no_worker.html")

    def test_the_outsider_has_no_family_here(self) -> None:
        response = self.client_for(self.p.outsider).get(FAMILY)
        self.assertTemplateUsed(response, "accounts/family_no_worker.html")
        self.assertNotContains(response, "王小一")

    def test_anonymous_is_sent_to_log_in(self) -> None:
        response = self.client.get(FAMILY)
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("accounts:login"), response["Location"])


class FamilyPageQueryCountTest(PersonaTestCase):
    def _add_children(self, count: int) -> None:
        for i in range(count):
            child = Child.objects.create(
                guardian=self.p.parent_worker,
                name=f"孩子{i}",
                sex="F",
                birth_date=datetime.date(2018, 1, 1),
                grade=2,
                relationship="mother",
            )
            if i % 2:
                services.consent_grant(
                    actor=self.p.actor(self.p.parent), child=child, policy=self.p.policy, ip=None
                )

    def _queries(self) -> int:
        client = self.client_for(self.p.parent)
        client.get(FAMILY)  # warm the session and caches
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(FAMILY)
        self.assertEqual(response.status_code, 200)
        return len(ctx.captured_queries)

    def test_the_query_count_does_not_grow_with_the_number_of_children(self) -> None:
        with_two = self._queries()
        self._add_children(8)
        with_ten = self._queries()
        self.assertEqual(with_two, with_ten)
        self.assertLessEqual(with_ten, 12)
