"""The parent's enrolment pages: open terms, apply (one-time token), my applications, offers."""

from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tuoguan.enrolment.models import Enrolment, EnrolmentStatus, Offer
from tuoguan.notifications.models import Notification
from tuoguan.programs.models import EnrolMode
from tuoguan.testing import PersonaTestCase

from .allocation_support import apply, family, open_term

S = EnrolmentStatus
TERMS = reverse("enrolment:terms_open")
MINE = reverse("enrolment:my_enrolments")


def apply_url(term: Any) -> str:
    return reverse("enrolment:apply", args=[term.pk])


def url(name: str, enrolment: Enrolment) -> str:
    return reverse(f"enrolment:{name}", args=[enrolment.pk])


class ParentTestCase(PersonaTestCase):
    def client_for(self, user: Any) -> Client:
        client = super().client_for(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    def form_token(self, client: Client, term: Any) -> str:
        response = client.get(apply_url(term))
        self.assertEqual(response.status_code, 200)
        return str(response.context["form"].initial["form_token"])

    def post_apply(self, client: Client, term: Any, children: list[Any], **extra: Any) -> Any:
        token = extra.pop("token", None) or self.form_token(client, term)
        data = {"form_token": token, "children": [c.pk for c in children], **extra}
        return client.post(apply_url(term), data)


class TermsOpenPageTests(ParentTestCase):
    def test_the_parent_sees_open_terms_with_places_and_each_child_s_chance(self) -> None:
        term = open_term(self.p, capacity=12, grade_min=2, grade_max=6)
        response = self.client_for(self.p.parent).get(TERMS)
        self.assertContains(response, term.name)
        card = response.context["cards"][0]
        self.assertEqual(card.places_left, 12)
        chances = {c.child.pk: c for c in card.children}
        self.assertTrue(chances[self.p.child_one.pk].eligible)  # grade 3
        self.assertFalse(chances[self.p.child_two.pk].eligible)  # grade 1
        self.assertContains(response, "This term takes pupils of grade")
        self.assertContains(response, "12 places left")
        self.assertContains(response, "Closes in")

    def test_the_page_s_queries_depend_on_its_size_not_on_the_number_of_terms(self) -> None:
        client = self.client_for(self.p.parent)
        for _n in range(10):
            open_term(self.p)
        client.get(TERMS)  # rules rows are created on first sight
        with CaptureQueriesContext(connection) as ten:
            client.get(TERMS)
        for _n in range(5):
            open_term(self.p)
        client.get(TERMS)
        with CaptureQueriesContext(connection) as fifteen:
            response = client.get(TERMS)
        self.assertEqual(len(response.context["cards"]), 10)
        self.assertEqual(len(ten), len(fifteen))

    def test_a_lottery_term_says_lottery_instead_of_places_left(self) -> None:
        open_term(self.p, mode=EnrolMode.LOTTERY)
        response = self.client_for(self.p.parent).get(TERMS)
        self.assertContains(response, "allocated by lottery")

    def test_a_family_of_another_province_does_not_see_the_term(self) -> None:
        term = open_term(self.p)
        response = self.client_for(self.p.other_parent).get(TERMS)
        self.assertNotContains(response, term.name)
        self.assertEqual(self.client_for(self.p.other_parent).get(apply_url(term)).status_code, 404)

    def test_staff_without_a_family_get_the_no_worker_page_and_404_on_apply(self) -> None:
        term = open_term(self.p)
        client = self.client_for(self.p.grassroots_admin)
        self.assertTemplateUsed(client.get(TERMS), "accounts/family_no_worker.html")
        self.assertEqual(client.get(apply_url(term)).status_code, 404)

    def test_anonymous_is_sent_to_login(self) -> None:
        term = open_term(self.p)
        for address in (TERMS, apply_url(term), MINE):
            response = Client().get(address)
            self.assertEqual(response.status_code, 302)
            self.assertIn(reverse("accounts:login"), response["Location"])

    def test_an_unknown_term_is_a_404(self) -> None:
        self.assertEqual(
            self.client_for(self.p.parent)
            .get(reverse("enrolment:apply", args=[999999]))
            .status_code,
            404,
        )


class ApplyPageTests(ParentTestCase):
    def test_a_child_is_admitted_at_once_and_the_parent_is_told(self) -> None:
        term = open_term(self.p, capacity=5)
        client = self.client_for(self.p.parent)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.post_apply(client, term, [self.p.child_one])
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Admitted")
        enrolment = Enrolment.objects.get(child=self.p.child_one, term=term)
        self.assertEqual(enrolment.status, S.ADMITTED)
        self.assertEqual(enrolment.source, "online")
        self.assertContains(response, reverse("enrolment:paperwork", args=[enrolment.pk]))
        notice = Notification.objects.get(recipient=self.p.parent, subject__startswith="Admitted")
        # The message links to the application's own page, which the parent can open.
        self.assertEqual(notice.url, url("detail", enrolment))
        self.assertContains(
            client.get(notice.url), reverse("enrolment:paperwork", args=[enrolment.pk])
        )

    def test_a_replayed_form_never_applies_twice(self) -> None:
        term = open_term(self.p, capacity=5)
        client = self.client_for(self.p.parent)
        token = self.form_token(client, term)
        first = self.post_apply(client, term, [self.p.child_one], token=token)
        self.assertEqual(first.status_code, 200)
        Enrolment.objects.filter(term=term).update(status=S.WITHDRAWN)  # even after leaving
        second = self.post_apply(client, term, [self.p.child_one], token=token)
        self.assertRedirects(second, MINE)
        self.assertEqual(Enrolment.objects.filter(term=term).count(), 1)

    def test_a_forged_token_is_refused(self) -> None:
        term = open_term(self.p, capacity=5)
        client = self.client_for(self.p.parent)
        self.form_token(client, term)
        response = self.post_apply(client, term, [self.p.child_one], token="forged")
        self.assertRedirects(response, MINE)
        self.assertFalse(Enrolment.objects.exists())

    def test_a_full_term_puts_the_child_on_the_waitlist_with_its_position(self) -> None:
        term = open_term(self.p, capacity=1)
        apply(self.p, term, family(self.p, 1)[2])
        response = self.post_apply(self.client_for(self.p.parent), term, [self.p.child_one])
        self.assertContains(response, "On the waitlist, number 1")
        self.assertEqual(Enrolment.objects.get(child=self.p.child_one).status, S.WAITLISTED)

    def test_a_lottery_term_answers_applied(self) -> None:
        term = open_term(self.p, mode=EnrolMode.LOTTERY)
        response = self.post_apply(self.client_for(self.p.parent), term, [self.p.child_one])
        self.assertContains(response, "the lottery is drawn after applications close")
        self.assertEqual(Enrolment.objects.get().status, S.APPLIED)

    def test_siblings_apply_together(self) -> None:
        term = open_term(self.p, mode=EnrolMode.LOTTERY)
        response = self.post_apply(
            self.client_for(self.p.parent),
            term,
            [self.p.child_one, self.p.child_two],
            keep_together="on",
            priority_groups=["dual_worker"],
        )
        self.assertEqual(response.status_code, 200)
        rows = list(Enrolment.objects.filter(term=term))
        self.assertEqual(len(rows), 2)
        self.assertTrue(all(r.keep_together for r in rows))
        self.assertEqual(len({r.sibling_key for r in rows}), 1)
        self.assertTrue(rows[0].sibling_key)
        self.assertEqual(rows[0].priority_groups, ["dual_worker"])

    def test_an_ineligible_child_is_refused_with_the_reason_and_nothing_is_saved(self) -> None:
        term = open_term(self.p, capacity=5, grade_min=2)
        client = self.client_for(self.p.parent)
        response = self.post_apply(client, term, [self.p.child_one, self.p.child_two])
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "This term takes pupils of grade", status_code=400)
        # All or nothing: the eligible sibling took no seat either.
        self.assertFalse(Enrolment.objects.exists())
        # The re-rendered form carries a fresh token that works once.
        token = response.context["form"].data["form_token"]
        again = self.post_apply(client, term, [self.p.child_one], token=token)
        self.assertEqual(again.status_code, 200)

    def test_bad_input_gives_field_errors(self) -> None:
        term = open_term(self.p, capacity=5)
        client = self.client_for(self.p.parent)
        response = self.post_apply(
            client, term, [], keep_together="on", priority_groups=["no-such-group"]
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("children", response.context["form"].errors)
        self.assertIn("priority_groups", response.context["form"].errors)
        other = self.post_apply(client, term, [self.p.other_child])
        self.assertIn("children", other.context["form"].errors)
        self.assertFalse(Enrolment.objects.exists())


class MyEnrolmentPageTests(ParentTestCase):
    def test_the_parent_sees_status_position_and_the_paperwork_link(self) -> None:
        term = open_term(self.p, capacity=1)
        seated = apply(self.p, term, self.p.child_one)
        waiting = apply(self.p, term, self.p.child_two)
        response = self.client_for(self.p.parent).get(MINE)
        self.assertContains(response, reverse("enrolment:paperwork", args=[seated.pk]))
        self.assertContains(response, "Number 1")
        self.assertContains(response, url("withdraw", waiting))

    def test_another_family_s_enrolment_is_a_404(self) -> None:
        term = open_term(self.p, capacity=3)
        _user, _worker, child = family(self.p, 7)
        theirs = apply(self.p, term, child)
        client = self.client_for(self.p.parent)
        self.assertEqual(client.get(url("detail", theirs)).status_code, 404)
        for name in ("withdraw", "offer_accept", "offer_decline"):
            self.assertEqual(client.post(url(name, theirs)).status_code, 404)
        self.assertEqual(Enrolment.objects.get(pk=theirs.pk).status, S.ADMITTED)
        # Staff of the host read the roster, not the family's pages.
        self.assertEqual(
            self.client_for(self.p.grassroots_admin).get(url("detail", theirs)).status_code, 404
        )
        self.assertNotContains(client.get(MINE), child.name)

    def test_outsider_gets_404(self) -> None:
        term = open_term(self.p, capacity=3)
        enrolment = apply(self.p, term)
        client = self.client_for(self.p.outsider)
        self.assertEqual(client.get(apply_url(term)).status_code, 404)
        self.assertEqual(client.get(url("detail", enrolment)).status_code, 404)
        self.assertEqual(client.get(url("withdraw", enrolment)).status_code, 404)
        for name in ("withdraw", "offer_accept", "offer_decline"):
            self.assertEqual(client.post(url(name, enrolment)).status_code, 404)
        self.assertEqual(Enrolment.objects.get(pk=enrolment.pk).status, S.ADMITTED)

    def test_withdrawal_asks_for_confirmation_then_frees_the_seat(self) -> None:
        term = open_term(self.p, capacity=1)
        seated = apply(self.p, term, self.p.child_one)
        client = self.client_for(self.p.parent)
        confirm = client.get(url("withdraw", seated))
        self.assertContains(confirm, "Yes, withdraw")
        self.assertEqual(Enrolment.objects.get(pk=seated.pk).status, S.ADMITTED)
        self.assertRedirects(client.post(url("withdraw", seated)), MINE)
        self.assertEqual(Enrolment.objects.get(pk=seated.pk).status, S.WITHDRAWN)

    def test_an_offer_is_shown_with_its_deadline_and_can_be_accepted(self) -> None:
        term = open_term(self.p, capacity=1)
        user, _worker, child = family(self.p, 8)
        first = apply(self.p, term, child)
        mine = apply(self.p, term, self.p.child_one)
        from tuoguan.enrolment.services import enrolment_withdraw

        from .allocation_support import actor

        enrolment_withdraw(actor=actor(user), enrolment=first)
        self.assertEqual(Enrolment.objects.get(pk=mine.pk).status, S.OFFERED)
        client = self.client_for(self.p.parent)
        page = client.get(url("detail", mine))
        self.assertContains(page, "A place is offered")
        self.assertContains(page, url("offer_accept", mine))
        response = client.post(url("offer_accept", mine), HTTP_HX_REQUEST="true")
        self.assertTemplateUsed(response, "enrolment/my_enrolment_card.html")
        self.assertEqual(Enrolment.objects.get(pk=mine.pk).status, S.ADMITTED)
        self.assertEqual(Offer.objects.get(enrolment=mine).status, Offer.Status.ACCEPTED)

    def test_declining_without_an_offer_says_so_and_changes_nothing(self) -> None:
        term = open_term(self.p, capacity=1)
        seated = apply(self.p, term, self.p.child_one)
        client = self.client_for(self.p.parent)
        response = client.post(url("offer_decline", seated), follow=True)
        self.assertContains(response, "There is no open offer")
        self.assertEqual(Enrolment.objects.get(pk=seated.pk).status, S.ADMITTED)
