"""Separate guardian consent: withdraw, consent again, new policy versions, the policy page."""

from django.urls import reverse

from tuoguan.accounts import selectors, services
from tuoguan.accounts.models import Child, ChildConsent
from tuoguan.testing import PersonaTestCase


def withdraw_url(child: Child) -> str:
    return reverse("accounts:consent_withdraw", args=[child.pk])


def grant_url(child: Child) -> str:
    return reverse("accounts:consent_grant", args=[child.pk])


class ConsentWithdrawTest(PersonaTestCase):
    def test_get_explains_and_withdraws_nothing(self) -> None:
        response = self.client_for(self.p.parent).get(withdraw_url(self.p.child_one))
        self.assertEqual(response.status_code, 200)
        self.assertTrue(self.p.child_one.has_consent())

    def test_withdrawing_stops_the_child_being_used(self) -> None:
        response = self.client_for(self.p.parent).post(withdraw_url(self.p.child_one))
        self.assertRedirects(response, reverse("accounts:family"))
        child = Child.objects.get(pk=self.p.child_one.pk)
        self.assertFalse(child.has_consent())
        self.assertIsNotNone(ChildConsent.objects.get(child=child).withdrawn_at)
        consented = selectors.children_with_consent(Child.objects.all())
        self.assertNotIn(child, consented)
        self.assertIn(self.p.child_two, consented)

    def test_htmx_gets_the_childs_card_back(self) -> None:
        response = self.client_for(self.p.parent).post(
            withdraw_url(self.p.child_one), HTTP_HX_REQUEST="true"
        )
        self.assertTemplateUsed(response, "accounts/_child_card.html")
        self.assertTemplateNotUsed(response, "base.html")
        self.assertContains(response, f'href="{grant_url(self.p.child_one)}"')

    def test_staff_other_parents_and_outsiders_cannot_withdraw(self) -> None:
        expected = {self.p.grassroots_admin: 403, self.p.other_parent: 404, self.p.outsider: 404}
        for user, code in expected.items():
            with self.subTest(user=user.username):
                response = self.client_for(user).post(withdraw_url(self.p.child_one))
                self.assertEqual(response.status_code, code)
        self.assertTrue(self.p.child_one.has_consent())

    def test_anonymous_is_sent_to_log_in(self) -> None:
        response = self.client.post(withdraw_url(self.p.child_one))
        self.assertEqual(response.status_code, 302)
        self.assertTrue(self.p.child_one.has_consent())


class ConsentGrantTest(PersonaTestCase):
    def test_a_new_policy_version_makes_old_consents_not_count(self) -> None:
        services.consent_policy_publish(version="2026.2", title="新规则", text="新版本的内容")
        self.assertFalse(self.p.child_one.has_consent())
        self.assertEqual(selectors.children_with_consent(Child.objects.all()).count(), 0)

    def test_the_page_shows_the_new_policy_text_before_consent(self) -> None:
        services.consent_policy_publish(version="2026.2", title="新规则", text="新版本的内容")
        response = self.client_for(self.p.parent).get(grant_url(self.p.child_one))
        self.assertContains(response, "新版本的内容")
        self.assertContains(response, "2026.2")

    def test_consenting_again_counts_under_the_current_version(self) -> None:
        policy = services.consent_policy_publish(version="2026.2", title="新规则", text="新版本")
        response = self.client_for(self.p.parent).post(
            grant_url(self.p.child_one), {"consent": "on"}, REMOTE_ADDR="10.0.0.7"
        )
        self.assertRedirects(response, reverse("accounts:family"))
        consent = ChildConsent.objects.get(child=self.p.child_one, policy=policy)
        self.assertEqual(consent.ip, "10.0.0.7")
        self.assertTrue(self.p.child_one.has_consent())
        self.assertFalse(self.p.child_two.has_consent())

    def test_consenting_again_after_a_withdrawal(self) -> None:
        client = self.client_for(self.p.parent)
        client.post(withdraw_url(self.p.child_one))
        client.post(grant_url(self.p.child_one), {"consent": "on"})
        self.assertTrue(self.p.child_one.has_consent())
        self.assertEqual(ChildConsent.objects.filter(child=self.p.child_one).count(), 2)

    def test_without_the_box_ticked_nothing_is_recorded(self) -> None:
        services.consent_withdraw(actor=self.p.actor(self.p.parent), child=self.p.child_one)
        response = self.client_for(self.p.parent).post(grant_url(self.p.child_one), {})
        self.assertIn("consent", response.context["form"].errors)
        self.assertFalse(self.p.child_one.has_consent())

    def test_staff_other_parents_and_outsiders_cannot_consent(self) -> None:
        services.consent_withdraw(actor=self.p.actor(self.p.parent), child=self.p.child_one)
        expected = {self.p.grassroots_admin: 403, self.p.other_parent: 404, self.p.outsider: 404}
        for user, code in expected.items():
            with self.subTest(user=user.username):
                response = self.client_for(user).post(
                    grant_url(self.p.child_one), {"consent": "on"}
                )
                self.assertEqual(response.status_code, code)
        self.assertFalse(self.p.child_one.has_consent())

    def test_anonymous_is_sent_to_log_in(self) -> None:
        response = self.client.get(grant_url(self.p.child_one))
        self.assertEqual(response.status_code, 302)


class PolicyPageTest(PersonaTestCase):
    def test_anyone_can_read_the_current_policy_without_logging_in(self) -> None:
        response = self.client.get(reverse("accounts:policy"))
        self.assertContains(response, self.p.policy.title)
        self.assertContains(response, self.p.policy.text)

    def test_only_the_current_version_is_shown(self) -> None:
        services.consent_policy_publish(version="2026.2", title="第二版规则", text="第二版内容")
        response = self.client.get(reverse("accounts:policy"))
        self.assertContains(response, "第二版内容")
        self.assertNotContains(response, self.p.policy.text)

    def test_with_no_policy_published_the_page_says_so(self) -> None:
        type(self.p.policy).objects.update(is_current=False)
        response = self.client.get(reverse("accounts:policy"))
        self.assertEqual(response.status_code, 200)
        self.assertIsNone(response.context["policy"])
