"""Staff read a child's record only with a stated reason, and every such read is logged."""

import pytest
from django.urls import reverse

from tuoguan.accounts import services
from tuoguan.accounts.models import Child
from tuoguan.audit.models import AppendOnlyError, AuditEntry
from tuoguan.testing import PersonaTestCase

REASON = "核对今天的接送人信息"


def detail_url(child: Child) -> str:
    return reverse("accounts:child_detail", args=[child.pk])


def views_of(child: Child) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(action="view", model="accounts.Child", object_id=str(child.pk))
    )


class StaffChildViewTest(PersonaTestCase):
    def test_without_a_reason_staff_see_a_form_and_no_personal_field(self) -> None:
        response = self.client_for(self.p.grassroots_admin).get(detail_url(self.p.child_one))
        self.assertEqual(response.status_code, 200)
        self.assertTemplateUsed(response, "accounts/child_reason.html")
        self.assertNotContains(response, "王小一")
        self.assertNotContains(response, "2102**********1239")
        self.assertEqual(views_of(self.p.child_one), [])

    def test_a_stated_reason_shows_the_record_and_writes_exactly_one_entry(self) -> None:
        client = self.client_for(self.p.grassroots_admin)
        before = AuditEntry.objects.count()
        response = client.post(
            detail_url(self.p.child_one), {"reason": REASON}, REMOTE_ADDR="10.9.8.7"
        )
        self.assertContains(response, "王小一")
        self.assertContains(response, "2102**********1239")
        self.assertNotContains(response, "210202201703051239")
        self.assertEqual(AuditEntry.objects.count(), before + 1)
        (entry,) = views_of(self.p.child_one)
        membership = self.p.grassroots_admin.memberships.get()
        self.assertEqual(entry.reason, REASON)
        self.assertEqual(entry.ip, "10.9.8.7")
        self.assertEqual(entry.actor_id, self.p.grassroots_admin.pk)
        self.assertEqual(entry.membership_id, membership.pk)
        self.assertIn(str(membership.org), entry.membership_label)
        self.assertEqual(entry.org_path, self.p.grassroots.path)

    def test_a_reason_in_the_query_string_works_too(self) -> None:
        client = self.client_for(self.p.reviewer)
        response = client.get(detail_url(self.p.child_one), {"reason": REASON})
        self.assertContains(response, "王小一")
        self.assertEqual(len(views_of(self.p.child_one)), 1)

    def test_each_reading_is_a_new_entry(self) -> None:
        client = self.client_for(self.p.city_admin)
        client.post(detail_url(self.p.child_one), {"reason": REASON})
        client.post(detail_url(self.p.child_one), {"reason": "第二次查看原因"})
        reasons = sorted(e.reason for e in views_of(self.p.child_one))
        self.assertEqual(reasons, sorted([REASON, "第二次查看原因"]))

    def test_a_too_short_or_too_long_reason_is_refused_and_not_logged(self) -> None:
        client = self.client_for(self.p.grassroots_admin)
        for reason in ("", "  ", "看看", "x" * 501):
            with self.subTest(reason=reason[:10]):
                response = client.post(detail_url(self.p.child_one), {"reason": reason})
                self.assertTemplateUsed(response, "accounts/child_reason.html")
                self.assertIn("reason", response.context["form"].errors)
                self.assertNotContains(response, "2102**********1239")
        self.assertEqual(views_of(self.p.child_one), [])

    def test_the_guardians_own_reading_is_not_logged(self) -> None:
        response = self.client_for(self.p.parent).get(detail_url(self.p.child_one))
        self.assertContains(response, "王小一")
        self.assertContains(response, "2102**********1239")
        self.assertNotContains(response, "210202201703051239")
        self.assertEqual(views_of(self.p.child_one), [])

    def test_without_consent_staff_see_only_that_consent_is_missing(self) -> None:
        services.consent_withdraw(actor=self.p.actor(self.p.parent), child=self.p.child_one)
        response = self.client_for(self.p.grassroots_admin).post(
            detail_url(self.p.child_one), {"reason": REASON}
        )
        self.assertTemplateUsed(response, "accounts/child_consent_missing.html")
        for personal in ("王小一", "2102**********1239", "2017-03-05", "王家长"):
            self.assertNotContains(response, personal)
        self.assertEqual(views_of(self.p.child_one), [])

    def test_a_caregiver_of_the_same_union_gets_404(self) -> None:
        response = self.client_for(self.p.caregiver).post(
            detail_url(self.p.child_one), {"reason": REASON}
        )
        self.assertEqual(response.status_code, 404)
        self.assertEqual(views_of(self.p.child_one), [])

    def test_the_outsider_gets_404(self) -> None:
        response = self.client_for(self.p.outsider).post(
            detail_url(self.p.child_one), {"reason": REASON}
        )
        self.assertEqual(response.status_code, 404)
        self.assertEqual(views_of(self.p.child_one), [])

    def test_another_parent_gets_404(self) -> None:
        response = self.client_for(self.p.other_parent).get(detail_url(self.p.child_one))
        self.assertEqual(response.status_code, 404)

    def test_anonymous_is_sent_to_log_in(self) -> None:
        response = self.client.get(detail_url(self.p.child_one), {"reason": REASON})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(views_of(self.p.child_one), [])


class AuditEntryIsAppendOnlyTest(PersonaTestCase):
    def setUp(self) -> None:
        self.client_for(self.p.grassroots_admin).post(
            detail_url(self.p.child_one), {"reason": REASON}
        )
        (self.entry,) = views_of(self.p.child_one)

    def test_an_entry_cannot_be_saved_again(self) -> None:
        self.entry.reason = "改写原因"
        with pytest.raises(AppendOnlyError):
            self.entry.save()
        self.assertEqual(AuditEntry.objects.get(pk=self.entry.pk).reason, REASON)

    def test_an_entry_cannot_be_deleted(self) -> None:
        with pytest.raises(AppendOnlyError):
            self.entry.delete()
        self.assertTrue(AuditEntry.objects.filter(pk=self.entry.pk).exists())

    def test_the_queryset_refuses_update_and_delete(self) -> None:
        entries = AuditEntry.objects.filter(pk=self.entry.pk)
        with pytest.raises(AppendOnlyError):
            entries.update(reason="改写")
        with pytest.raises(AppendOnlyError):
            entries.delete()
        self.assertEqual(AuditEntry.objects.get(pk=self.entry.pk).reason, REASON)

    def test_deleting_the_child_keeps_the_log_of_who_read_it(self) -> None:
        services.child_delete(actor=self.p.actor(self.p.parent), child=self.p.child_one)
        self.assertTrue(AuditEntry.objects.filter(pk=self.entry.pk).exists())
