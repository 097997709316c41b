from django.urls import reverse

from tuoguan.audit.models import AuditEntry
from tuoguan.orgs import services
from tuoguan.orgs.middleware import SESSION_KEY
from tuoguan.orgs.models import Membership, Org, Role

from .base import OrgsTestCase, anonymous


class MembershipAddPageTest(OrgsTestCase):
    def url(self, org: Org) -> str:
        return reverse("orgs:membership_add", args=[org.pk])

    def grant(self, user: object, org: Org, login: str = "13700000001", role: str = "caregiver"):
        return self.client_for(user).post(self.url(org), {"login": login, "role": role})

    def parent_roles(self) -> list[str]:
        return list(Membership.objects.filter(user=self.p.parent).values_list("role", flat=True))

    def test_anonymous_is_sent_to_login(self) -> None:
        self.assertRedirectsToLogin(anonymous().get(self.url(self.p.grassroots)))

    def test_outsider_gets_404(self) -> None:
        self.assertEqual(self.grant(self.p.outsider, self.p.grassroots).status_code, 404)
        self.assertEqual(self.parent_roles(), [])

    def test_a_read_only_role_gets_403(self) -> None:
        self.assertEqual(self.grant(self.p.reviewer, self.p.grassroots).status_code, 403)
        self.assertEqual(self.grant(self.p.caregiver, self.p.grassroots).status_code, 403)
        self.assertEqual(self.parent_roles(), [])

    def test_an_admin_grants_a_role_found_by_mobile_number(self) -> None:
        response = self.grant(self.p.grassroots_admin, self.p.grassroots)
        self.assertRedirects(response, reverse("orgs:detail", args=[self.p.grassroots.pk]))
        membership = Membership.objects.get(user=self.p.parent)
        self.assertEqual((membership.org, membership.role), (self.p.grassroots, Role.CAREGIVER))
        self.assertAudited(membership, AuditEntry.Action.CREATE, self.p.grassroots_admin)

    def test_a_role_is_found_by_username_too(self) -> None:
        self.grant(self.p.city_admin, self.p.county, login="parent", role="inspector")
        self.assertEqual(self.parent_roles(), [Role.INSPECTOR])

    def test_an_unknown_login_is_a_field_error(self) -> None:
        response = self.grant(self.p.grassroots_admin, self.p.grassroots, login="13799999999")
        self.assertIn("login", response.context["form"].errors)
        self.assertEqual(self.parent_roles(), [])

    def test_an_unknown_role_is_a_field_error(self) -> None:
        response = self.grant(self.p.grassroots_admin, self.p.grassroots, role="king")
        self.assertIn("role", response.context["form"].errors)
        self.assertEqual(self.parent_roles(), [])

    def test_a_role_already_held_is_a_field_error(self) -> None:
        response = self.grant(
            self.p.grassroots_admin, self.p.grassroots, login="gang_carer", role="caregiver"
        )
        self.assertIn("role", response.context["form"].errors)
        self.assertEqual(Membership.objects.filter(user=self.p.caregiver).count(), 1)

    def test_no_role_is_granted_at_an_inactive_union(self) -> None:
        Org.objects.filter(pk=self.p.grassroots.pk).update(is_active=False)
        response = self.grant(self.p.city_admin, self.p.grassroots)
        self.assertTrue(response.context["form"].non_field_errors())
        self.assertEqual(self.parent_roles(), [])

    def test_a_revoked_role_is_granted_again(self) -> None:
        membership = Membership.objects.get(user=self.p.caregiver)
        Membership.objects.filter(pk=membership.pk).update(is_active=False)
        self.grant(self.p.grassroots_admin, self.p.grassroots, login="gang_carer")
        membership.refresh_from_db()
        self.assertTrue(membership.is_active)


class MembershipRevokePageTest(OrgsTestCase):
    def setUp(self) -> None:
        self.membership = Membership.objects.get(user=self.p.caregiver)
        self.url = reverse("orgs:membership_revoke", args=[self.membership.pk])

    def assertStillActive(self) -> None:
        self.membership.refresh_from_db()
        self.assertTrue(self.membership.is_active)

    def test_anonymous_is_sent_to_login(self) -> None:
        self.assertRedirectsToLogin(anonymous().post(self.url))
        self.assertStillActive()

    def test_outsider_gets_404(self) -> None:
        self.assertEqual(self.client_for(self.p.outsider).post(self.url).status_code, 404)
        self.assertStillActive()

    def test_a_read_only_role_gets_403(self) -> None:
        self.assertEqual(self.client_for(self.p.reviewer).post(self.url).status_code, 403)
        self.assertStillActive()

    def test_get_is_not_allowed(self) -> None:
        response = self.client_for(self.p.grassroots_admin).get(self.url)
        self.assertEqual(response.status_code, 405)
        self.assertStillActive()

    def test_an_admin_revokes_a_role(self) -> None:
        response = self.client_for(self.p.grassroots_admin).post(self.url)
        self.assertRedirects(response, reverse("orgs:detail", args=[self.p.grassroots.pk]))
        self.membership.refresh_from_db()
        self.assertFalse(self.membership.is_active)
        entry = self.assertAudited(
            self.membership, AuditEntry.Action.UPDATE, self.p.grassroots_admin
        )
        self.assertEqual(entry.changed_fields, ["is_active"])

    def test_htmx_revocation_returns_the_people_fragment(self) -> None:
        response = self.client_for(self.p.city_admin).post(self.url, headers={"HX-Request": "true"})
        self.assertTemplateUsed(response, "orgs/_memberships.html")
        self.assertTemplateNotUsed(response, "base.html")
        self.assertContains(response, "status-warn")
        self.membership.refresh_from_db()
        self.assertFalse(self.membership.is_active)


class SwitchMembershipTest(OrgsTestCase):
    url = reverse("orgs:switch_membership")

    def setUp(self) -> None:
        self.second = services.membership_grant(
            actor=None, user=self.p.city_admin, org=self.p.county, role=Role.INSPECTOR
        )

    def test_anonymous_is_sent_to_login(self) -> None:
        self.assertRedirectsToLogin(anonymous().post(self.url, {"membership": self.second.pk}))

    def test_a_user_switches_to_another_of_their_memberships(self) -> None:
        client = self.client_for(self.p.city_admin)
        self.assertEqual(client.get(reverse("orgs:tree")).context["root"], self.p.city)
        response = client.post(self.url, {"membership": self.second.pk})
        self.assertRedirects(response, reverse("core:home"), fetch_redirect_response=False)
        self.assertEqual(client.session[SESSION_KEY], self.second.pk)
        self.assertEqual(client.get(reverse("orgs:tree")).context["root"], self.p.county)

    def test_someone_elses_membership_is_refused(self) -> None:
        client = self.client_for(self.p.city_admin)
        others = Membership.objects.get(user=self.p.outsider)
        response = client.post(self.url, {"membership": others.pk})
        self.assertEqual(response.status_code, 404)
        self.assertNotIn(SESSION_KEY, client.session)
        self.assertEqual(client.get(reverse("orgs:tree")).context["root"], self.p.city)

    def test_a_malformed_or_missing_membership_is_a_404(self) -> None:
        client = self.client_for(self.p.city_admin)
        self.assertEqual(client.post(self.url, {"membership": "x"}).status_code, 404)
        self.assertEqual(client.post(self.url).status_code, 404)

    def test_a_safe_next_is_followed_and_another_site_is_not(self) -> None:
        client = self.client_for(self.p.city_admin)
        data = {"membership": self.second.pk}
        response = client.post(self.url, {**data, "next": "/orgs/"})
        self.assertRedirects(response, "/orgs/", fetch_redirect_response=False)
        response = client.post(self.url, {**data, "next": "https://evil.example/"})
        self.assertRedirects(response, reverse("core:home"), fetch_redirect_response=False)
