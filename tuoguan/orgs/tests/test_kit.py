"""The view kit's tree half: who acts, as pages and the API read it."""

from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.request import Request

from tuoguan.orgs import services
from tuoguan.orgs.kit import actor_of, api_actor_of, own_org, staff_actor
from tuoguan.orgs.middleware import SESSION_KEY, ActiveMembershipMiddleware
from tuoguan.orgs.models import Role
from tuoguan.orgs.permissions import Actor, actor_for

from .base import OrgsTestCase


class ActorOfTest(OrgsTestCase):
    def setUp(self) -> None:
        # The city's admin also reviews for the province: two memberships to act through.
        self.user = self.p.city_admin
        self.admin = self.user.memberships.get(role=Role.UNION_ADMIN)
        self.reviewer = services.membership_grant(
            actor=None, user=self.user, org=self.p.province, role=Role.REVIEWER
        )

    def request(self, chosen: object = None, **headers: str) -> HttpRequest:
        """A page request after the middleware, with `chosen` kept in the session."""
        request = RequestFactory().get("/", headers=headers)
        request.user = self.user
        request.session = SessionStore()
        if chosen is not None:
            request.session[SESSION_KEY] = chosen
        ActiveMembershipMiddleware(lambda _request: HttpResponse())(request)
        return request

    def test_it_is_the_membership_chosen_in_the_header(self) -> None:
        actor = actor_of(self.request(self.admin.pk))
        self.assertEqual(actor, Actor(user=self.user, membership=self.admin))
        self.assertEqual(actor.org, self.p.city)
        self.assertTrue(actor.is_admin)

    def test_without_a_choice_it_is_the_highest_membership(self) -> None:
        self.assertEqual(actor_of(self.request()).membership, self.reviewer)

    def test_someone_elses_or_a_revoked_membership_is_not_acted_through(self) -> None:
        outsiders = self.p.outsider.memberships.get()
        self.assertEqual(actor_of(self.request(outsiders.pk)).membership, self.reviewer)
        self.assertEqual(actor_of(self.request("not a number")).membership, self.reviewer)
        services.membership_revoke(actor=actor_for(self.p.province_admin), membership=self.admin)
        self.assertEqual(actor_of(self.request(self.admin.pk)).membership, self.reviewer)

    def test_an_api_client_names_its_membership_in_a_header(self) -> None:
        request = self.request(**{"X-Membership": str(self.admin.pk)})
        self.assertEqual(actor_of(request).membership, self.admin)

    def test_the_api_twin_reads_the_same_actor_through_drf(self) -> None:
        request = self.request(self.admin.pk)
        self.assertEqual(api_actor_of(Request(request)), actor_of(request))


class StaffActorTest(OrgsTestCase):
    def request(self, user: object) -> HttpRequest:
        request = RequestFactory().get("/")
        request.user = user  # type: ignore[assignment]
        request.session = SessionStore()
        ActiveMembershipMiddleware(lambda _request: HttpResponse())(request)
        return request

    def test_staff_act_for_their_own_union(self) -> None:
        actor = staff_actor(self.request(self.p.grassroots_admin))
        self.assertEqual(own_org(actor), self.p.grassroots)

    def test_a_parent_has_no_staff_pages_and_no_union(self) -> None:
        request = self.request(self.p.parent)
        with self.assertRaises(PermissionDenied):
            staff_actor(request)
        with self.assertRaises(PermissionDenied):
            own_org(actor_of(request))


class PageNumberTest(OrgsTestCase):
    def test_a_list_page_answers_any_page_number_within_its_pages(self) -> None:
        self.add_orgs(self.p.county, 60)
        client = self.client_for(self.p.city_admin)
        url = reverse("orgs:children", args=[self.p.county.pk])
        htmx = {"HX-Request": "true"}
        pages = {"-3": 1, "0": 1, "abc": 1, "9" * 5000: 1, "2": 2, "99999999999999999999": 2}
        for asked, number in pages.items():
            with self.subTest(asked[:20]):
                response = client.get(url, {"page": asked}, headers=htmx)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response.context["page"].number, number)
