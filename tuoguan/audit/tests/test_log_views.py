"""The audit log pages: scoped to the admin's subtree, filtered, paginated, read-only."""

import datetime
from unittest import mock

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tuoguan.audit.context import acting_as
from tuoguan.audit.models import AuditEntry
from tuoguan.audit.services import audit_record
from tuoguan.testing import PersonaTestCase

LOG = reverse("audit:log")


def entry_url(entry: AuditEntry) -> str:
    return reverse("audit:entry", kwargs={"pk": entry.pk})


class LogScopeTest(PersonaTestCase):
    in_grassroots: AuditEntry
    in_province: AuditEntry
    far_away: AuditEntry
    no_org: AuditEntry

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        p = cls.p
        cls.in_grassroots = audit_record(action="view", instance=p.child_one, reason="晨检核对")
        cls.in_province = audit_record(action="update", instance=p.province, reason="省级变更")
        cls.far_away = audit_record(action="view", instance=p.other_child, reason="四川查阅")
        # A staff user has no worker profile, so the entry belongs to no union.
        cls.no_org = audit_record(action="update", instance=p.reviewer, reason="无单位")

    def reasons_seen_by(self, user: object) -> set[str]:
        response = self.client_for(user).get(LOG)
        self.assertEqual(response.status_code, 200)
        return {e.reason for e in response.context["page_obj"]}

    def test_province_admin_sees_its_subtree_not_another_province(self) -> None:
        seen = self.reasons_seen_by(self.p.province_admin)
        self.assertIn("晨检核对", seen)
        self.assertIn("省级变更", seen)
        self.assertNotIn("四川查阅", seen)

    def test_city_admin_does_not_see_entries_of_the_province_above(self) -> None:
        seen = self.reasons_seen_by(self.p.city_admin)
        self.assertIn("晨检核对", seen)
        self.assertNotIn("省级变更", seen)

    def test_entries_without_a_union_are_for_national_admins_only(self) -> None:
        from tuoguan.orgs.models import Role
        from tuoguan.orgs.services import membership_grant

        self.assertNotIn("无单位", self.reasons_seen_by(self.p.province_admin))
        membership_grant(
            actor=None, user=self.p.reviewer, org=self.p.national, role=Role.UNION_ADMIN
        )
        self.assertIn("无单位", self.reasons_seen_by(self.p.reviewer))

    def test_an_entry_detail_shows_its_fields(self) -> None:
        with acting_as(
            user_id=self.p.city_admin.pk, membership_label="市管理员 · 大连", ip="10.9.8.7"
        ):
            entry = audit_record(action="view", instance=self.p.child_one, reason="家访")
        response = self.client_for(self.p.city_admin).get(entry_url(entry))
        self.assertContains(response, "家访")
        self.assertContains(response, "10.9.8.7")
        self.assertContains(response, "市管理员 · 大连")
        self.assertContains(response, self.p.city_admin.real_name)

    def test_outsider_gets_404_on_an_entry_of_another_province(self) -> None:
        response = self.client_for(self.p.outsider).get(entry_url(self.in_grassroots))
        self.assertEqual(response.status_code, 404)

    def test_city_admin_gets_404_on_a_province_level_entry(self) -> None:
        response = self.client_for(self.p.city_admin).get(entry_url(self.in_province))
        self.assertEqual(response.status_code, 404)

    def test_caregiver_and_reviewer_get_403(self) -> None:
        for user in (self.p.caregiver, self.p.reviewer):
            self.assertEqual(self.client_for(user).get(LOG).status_code, 403)
            response = self.client_for(user).get(entry_url(self.in_grassroots))
            self.assertEqual(response.status_code, 403)

    def test_parent_gets_403(self) -> None:
        self.assertEqual(self.client_for(self.p.parent).get(LOG).status_code, 403)

    def test_anonymous_is_sent_to_login(self) -> None:
        for url in (LOG, entry_url(self.in_grassroots)):
            response = self.client.get(url)
            self.assertEqual(response.status_code, 302)
            self.assertIn(reverse("accounts:login"), response["Location"])

    def test_there_is_no_way_to_change_an_entry_through_the_pages(self) -> None:
        client = self.client_for(self.p.province_admin)
        for url in (LOG, entry_url(self.in_grassroots)):
            self.assertEqual(client.post(url, {"reason": "x"}).status_code, 405)
            self.assertEqual(client.delete(url).status_code, 405)
        self.assertTrue(AuditEntry.objects.filter(pk=self.in_grassroots.pk).exists())


class LogFilterTest(PersonaTestCase):
    by_city: AuditEntry
    by_grassroots: AuditEntry
    old: AuditEntry

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        p = cls.p
        with acting_as(user_id=p.city_admin.pk):
            cls.by_city = audit_record(action="view", instance=p.child_one, reason="查看一")
        with acting_as(user_id=p.grassroots_admin.pk):
            cls.by_grassroots = audit_record(
                action="update", instance=p.grassroots, changed_fields=["address"], reason="改地址"
            )
        ten_days_ago = timezone.now() - datetime.timedelta(days=10)
        with mock.patch("django.utils.timezone.now", return_value=ten_days_ago):
            cls.old = audit_record(action="view", instance=p.child_two, reason="旧的查看")

    def ids_for(self, **params: str) -> set[int]:
        response = self.client_for(self.p.province_admin).get(LOG, params)
        self.assertEqual(response.status_code, 200)
        return {e.pk for e in response.context["page_obj"]}

    def test_filter_by_action(self) -> None:
        ids = self.ids_for(action="view", reason="查看")
        self.assertEqual(ids, {self.by_city.pk, self.old.pk})

    def test_filter_by_record_type_and_id(self) -> None:
        ids = self.ids_for(record_type="accounts.Child", object_id=str(self.p.child_one.pk))
        self.assertIn(self.by_city.pk, ids)
        self.assertNotIn(self.old.pk, ids)
        self.assertNotIn(self.by_grassroots.pk, ids)

    def test_filter_by_actor_name_or_mobile(self) -> None:
        self.assertEqual(self.ids_for(who="市管理"), {self.by_city.pk})
        self.assertEqual(self.ids_for(who=self.p.grassroots_admin.mobile), {self.by_grassroots.pk})

    def test_filter_by_dates(self) -> None:
        today = timezone.localdate()
        week_ago = (today - datetime.timedelta(days=7)).isoformat()
        recent = self.ids_for(date_from=week_ago, reason="查看")
        self.assertEqual(recent, {self.by_city.pk})
        older = self.ids_for(date_to=week_ago, reason="查看")
        self.assertEqual(older, {self.old.pk})

    def test_filter_by_reason(self) -> None:
        self.assertEqual(self.ids_for(reason="地址"), {self.by_grassroots.pk})

    def test_a_wrong_filter_gets_a_field_error_and_no_rows(self) -> None:
        response = self.client_for(self.p.province_admin).get(
            LOG, {"date_from": "2026-05-02", "date_to": "2026-05-01", "action": "hack"}
        )
        self.assertEqual(response.status_code, 200)
        form = response.context["form"]
        self.assertIn("date_to", form.errors)
        self.assertIn("action", form.errors)
        self.assertEqual(len(response.context["page_obj"]), 0)
        response = self.client_for(self.p.province_admin).get(LOG, {"date_from": "yesterday"})
        self.assertIn("date_from", response.context["form"].errors)

    def test_htmx_gets_only_the_table_fragment(self) -> None:
        response = self.client_for(self.p.province_admin).get(
            LOG, {"reason": "地址"}, HTTP_HX_REQUEST="true"
        )
        self.assertTemplateUsed(response, "audit/_log_table.html")
        self.assertTemplateNotUsed(response, "audit/log.html")
        self.assertNotContains(response, "<html")
        self.assertContains(response, 'id="audit-log-results"')
        self.assertContains(response, "改地址")
        self.assertIn("HX-Request", response["Vary"])

    def test_the_full_page_has_the_htmx_filter_form(self) -> None:
        response = self.client_for(self.p.province_admin).get(LOG)
        self.assertContains(response, 'hx-target="#audit-log-results"')
        self.assertContains(response, f'hx-get="{LOG}"')
        self.assertContains(response, "<h1>")


class LogPaginationTest(PersonaTestCase):
    def add_entries(self, count: int) -> None:
        with acting_as(user_id=self.p.city_admin.pk, membership_label="市管理员", ip="10.0.0.1"):
            for i in range(count):
                audit_record(action="view", instance=self.p.child_one, reason=f"批量 {i}")

    def queries_for_log(self) -> int:
        client = self.client_for(self.p.province_admin)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(LOG)
        self.assertEqual(response.status_code, 200)
        return len(captured)

    def test_the_query_count_does_not_grow_with_the_rows(self) -> None:
        self.add_entries(10)
        few = self.queries_for_log()
        self.add_entries(190)
        many = self.queries_for_log()
        self.assertEqual(few, many)
        self.assertLessEqual(many, 12)

    def test_fifty_per_page_newest_first(self) -> None:
        self.add_entries(60)
        client = self.client_for(self.p.province_admin)
        first = client.get(LOG, {"reason": "批量"}).context["page_obj"]
        self.assertEqual(len(first), 50)
        self.assertEqual(first[0].reason, "批量 59")
        second = client.get(LOG, {"reason": "批量", "page": "2"}).context["page_obj"]
        self.assertEqual(len(second), 10)
        self.assertEqual(second[len(second) - 1].reason, "批量 0")
