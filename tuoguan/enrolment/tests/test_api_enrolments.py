"""The enrolment API: applying, the scoped lists, offers, withdrawal, removal and draws."""

import json
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from tuoguan.accounts import services as people
from tuoguan.enrolment.models import Draw, Enrolment, EnrolmentRules, EnrolmentStatus, Offer
from tuoguan.enrolment.services import enrolment_withdraw
from tuoguan.programs.models import EnrolMode, Term, TermStatus
from tuoguan.testing import PersonaTestCase

from .allocation_support import actor, apply, close_window, family, open_term

S = EnrolmentStatus
LIST = reverse("enrolment-list")


def apply_url(term: Any) -> str:
    return reverse("enrolment-apply", kwargs={"term_id": getattr(term, "pk", term)})


def detail(enrolment: Enrolment, name: str = "detail") -> str:
    return reverse(f"enrolment-{name}", kwargs={"pk": enrolment.pk})


class ApiTestCase(PersonaTestCase):
    def api(self, user: Any) -> APIClient:
        _token, key = people.token_issue(user=user, name="test")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        return client

    def post(self, user: Any, url: str, data: Any = None, **extra: Any) -> Any:
        return self.api(user).post(url, data if data is not None else {}, format="json", **extra)


class ApplyApiTest(ApiTestCase):
    def setUp(self) -> None:
        self.term = open_term(self.p, capacity=1)

    def test_a_parent_applies_and_learns_the_status_at_once(self) -> None:
        response = self.post(self.p.parent, apply_url(self.term), {"child": self.p.child_one.pk})
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertEqual((body["status"], body["waitlist_position"]), (S.ADMITTED, None))
        self.assertEqual(Enrolment.objects.get(pk=body["id"]).child, self.p.child_one)

    def test_a_waitlisted_parent_sees_the_position(self) -> None:
        apply(self.p, self.term, family(self.p, 1)[2])
        response = self.post(
            self.p.parent,
            apply_url(self.term),
            {
                "child": self.p.child_one.pk,
                "priority_groups": ["dual_worker"],
                "sibling_key": "王家",
            },
        )
        self.assertEqual(response.status_code, 201)
        body = response.json()
        self.assertEqual((body["status"], body["waitlist_position"]), (S.WAITLISTED, 1))
        self.assertEqual(body["priority_groups"], ["dual_worker"])

    def test_the_answer_to_an_application_is_what_reading_it_back_gives(self) -> None:
        # The apply answer is built from the row in hand; it must not drift from the
        # serializer that every read uses.
        statuses = []
        for child in (self.p.child_one, self.p.child_two):  # one place: admitted, waitlisted
            answer = self.post(self.p.parent, apply_url(self.term), {"child": child.pk}).json()
            statuses.append(answer["status"])
            read_back = self.api(self.p.parent).get(
                reverse("enrolment-detail", kwargs={"pk": answer["id"]})
            )
            self.assertEqual(answer, read_back.json())
        self.assertEqual(statuses, [S.ADMITTED, S.WAITLISTED])

    def test_refusals_come_with_their_codes_and_messages_and_save_nothing(self) -> None:
        close_window(self.term)
        response = self.post(self.p.parent, apply_url(self.term), {"child": self.p.child_one.pk})
        self.assertEqual(response.status_code, 400)
        refusals = response.json()["refusals"]
        self.assertEqual([r["code"] for r in refusals], ["window_closed"])
        self.assertTrue(refusals[0]["message"])
        self.assertFalse(Enrolment.objects.exists())

    def test_a_child_of_another_family_is_not_found(self) -> None:
        response = self.post(self.p.parent, apply_url(self.term), {"child": self.p.other_child.pk})
        self.assertEqual(response.status_code, 404)
        self.assertFalse(Enrolment.objects.exists())

    def test_a_forged_or_unpublished_term_is_not_found(self) -> None:
        draft = Term.objects.create(
            program=self.term.program,
            name="草稿",
            start_date=self.term.start_date,
            end_date=self.term.end_date,
            capacity=5,
            status=TermStatus.DRAFT,
        )
        for term_id in (999999, draft.pk):
            response = self.post(self.p.parent, apply_url(term_id), {"child": self.p.child_one.pk})
            self.assertEqual(response.status_code, 404)
        self.assertFalse(Enrolment.objects.exists())

    def test_a_term_outside_the_family_union_line_is_not_found_unless_its_scope_says_so(
        self,
    ) -> None:
        user, _worker, child = family(self.p, 1, employer=self.p.other_grassroots)
        response = self.post(user, apply_url(self.term), {"child": child.pk})
        self.assertEqual(response.status_code, 404)
        EnrolmentRules.objects.update_or_create(
            term=self.term, defaults={"employer_scope": self.p.county}
        )
        response = self.post(user, apply_url(self.term), {"child": child.pk})
        self.assertEqual(response.status_code, 201, response.content)

    def test_wrong_types_are_400_and_save_nothing(self) -> None:
        bodies = [
            {},
            {"child": "abc"},
            {"child": [self.p.child_one.pk]},
            {"child": self.p.child_one.pk, "priority_groups": "police"},
            {"child": self.p.child_one.pk, "priority_groups": ["no-such-group"]},
            {"child": self.p.child_one.pk, "priority_groups": ["police"]},
            {"child": self.p.child_one.pk, "keep_together": "perhaps"},
            {"child": self.p.child_one.pk, "sibling_key": "x" * 41},
            {"child": self.p.child_one.pk, "sibling_key": {"a": 1}},
            ["not", "an", "object"],
        ]
        for body in bodies:
            response = self.post(self.p.parent, apply_url(self.term), body)
            self.assertEqual(response.status_code, 400, (body, response.content))
        self.assertFalse(Enrolment.objects.exists())

    def test_malformed_json_is_400(self) -> None:
        response = self.api(self.p.parent).post(
            apply_url(self.term), "{not json", content_type="application/json"
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Enrolment.objects.exists())

    def test_anonymous_is_refused(self) -> None:
        response = APIClient().post(
            apply_url(self.term), {"child": self.p.child_one.pk}, format="json"
        )
        self.assertIn(response.status_code, (401, 403))

    def test_outsider_gets_404(self) -> None:
        response = self.post(self.p.outsider, apply_url(self.term), {"child": self.p.child_one.pk})
        self.assertEqual(response.status_code, 404)
        self.assertFalse(Enrolment.objects.exists())


class ListApiTest(ApiTestCase):
    term: Term
    mine: Enrolment
    theirs: Enrolment

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.term = open_term(cls.p, capacity=1)
        cls.mine = apply(cls.p, cls.term, cls.p.child_one)
        cls.theirs = apply(cls.p, cls.term, family(cls.p, 1)[2])

    def ids(self, user: Any, query: str = "") -> list[int]:
        response = self.api(user).get(LIST + query)
        self.assertEqual(response.status_code, 200, response.content)
        return [row["id"] for row in response.json()["results"]]

    def test_a_parent_sees_only_the_family(self) -> None:
        self.assertEqual(self.ids(self.p.parent), [self.mine.pk])

    def test_staff_see_the_terms_of_their_subtree(self) -> None:
        both = [self.mine.pk, self.theirs.pk]
        for user in (
            self.p.grassroots_admin,
            self.p.city_admin,
            self.p.province_admin,
            self.p.caregiver,
        ):
            self.assertEqual(self.ids(user), both)

    def test_outsider_sees_nothing(self) -> None:
        self.assertEqual(self.ids(self.p.outsider), [])

    def test_filters_narrow_the_list_and_bad_filters_are_400(self) -> None:
        self.assertEqual(self.ids(self.p.grassroots_admin, "?status=waitlisted"), [self.theirs.pk])
        self.assertEqual(
            self.ids(self.p.grassroots_admin, f"?term={self.term.pk}&status=admitted"),
            [self.mine.pk],
        )
        for query in ("?status=nope", "?term=abc"):
            self.assertEqual(self.api(self.p.grassroots_admin).get(LIST + query).status_code, 400)

    def test_the_list_costs_the_same_queries_for_more_rows(self) -> None:
        client = self.api(self.p.grassroots_admin)
        client.get(LIST)
        with CaptureQueriesContext(connection) as few:
            client.get(LIST)
        for n in range(2, 8):
            apply(self.p, self.term, family(self.p, n)[2])
        with CaptureQueriesContext(connection) as many:
            rows = client.get(LIST).json()["results"]
        self.assertEqual(len(rows), 8)
        self.assertEqual(len(many.captured_queries), len(few.captured_queries))
        positions = sorted(r["waitlist_position"] for r in rows if r["status"] == S.WAITLISTED)
        self.assertEqual(positions, list(range(1, 8)))

    def test_one_enrolment_is_read_by_its_family_and_staff_only(self) -> None:
        self.assertEqual(self.api(self.p.parent).get(detail(self.mine)).status_code, 200)
        self.assertEqual(self.api(self.p.caregiver).get(detail(self.mine)).status_code, 200)
        for user in (self.p.outsider, self.p.other_parent):
            self.assertEqual(self.api(user).get(detail(self.mine)).status_code, 404)
        self.assertEqual(self.api(self.p.parent).get(detail(self.theirs)).status_code, 404)
        self.assertIn(APIClient().get(detail(self.mine)).status_code, (401, 403))


class ActionApiTest(ApiTestCase):
    def setUp(self) -> None:
        self.term = open_term(self.p, capacity=1)
        self.seated_user, _w, child = family(self.p, 1)
        self.seated = apply(self.p, self.term, child)
        self.waiting = apply(self.p, self.term, self.p.child_one)

    def offer(self) -> None:
        enrolment_withdraw(actor=actor(self.seated_user), enrolment=self.seated)

    def test_the_parent_withdraws_and_the_seat_is_offered_on(self) -> None:
        response = self.post(self.seated_user, detail(self.seated, "withdraw"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["status"], S.WITHDRAWN)
        self.assertEqual(Enrolment.objects.get(pk=self.waiting.pk).status, S.OFFERED)
        response = self.api(self.p.parent).get(detail(self.waiting))
        self.assertIsNotNone(response.json()["offer_expires_at"])

    def test_staff_cannot_withdraw_for_a_family(self) -> None:
        self.assertEqual(
            self.post(self.p.grassroots_admin, detail(self.seated, "withdraw")).status_code, 403
        )
        self.assertEqual(Enrolment.objects.get(pk=self.seated.pk).status, S.ADMITTED)

    def test_accepting_and_declining_an_offer(self) -> None:
        self.offer()
        self.assertEqual(
            self.post(self.p.grassroots_admin, detail(self.waiting, "accept-offer")).status_code,
            403,
        )
        response = self.post(self.p.parent, detail(self.waiting, "accept-offer"))
        self.assertEqual((response.status_code, response.json()["status"]), (200, S.ADMITTED))
        response = self.post(self.p.parent, detail(self.waiting, "decline-offer"))
        self.assertEqual(response.status_code, 400)

    def test_declining_an_offer_lapses_the_application(self) -> None:
        self.offer()
        response = self.post(self.p.parent, detail(self.waiting, "decline-offer"))
        self.assertEqual((response.status_code, response.json()["status"]), (200, S.LAPSED))
        self.assertFalse(Offer.objects.filter(status=Offer.Status.OPEN).exists())

    def test_removal_needs_a_reason_and_a_host_role(self) -> None:
        url = detail(self.seated, "remove")
        self.assertEqual(self.post(self.p.grassroots_admin, url, {}).status_code, 400)
        self.assertEqual(self.post(self.p.grassroots_admin, url, {"reason": 5}).status_code, 200)
        self.assertEqual(Enrolment.objects.get(pk=self.seated.pk).status, S.REMOVED)

    def test_read_only_roles_and_parents_get_403_on_admin_actions(self) -> None:
        for user in (self.p.caregiver, self.p.parent):
            for name in ("remove", "admit"):
                response = self.post(user, detail(self.waiting, name), {"reason": "x"})
                self.assertEqual(response.status_code, 403, (user, name))
        self.assertEqual(Enrolment.objects.get(pk=self.waiting.pk).status, S.WAITLISTED)

    def test_manual_admission_refuses_beyond_capacity(self) -> None:
        response = self.post(
            self.p.grassroots_admin, detail(self.waiting, "admit"), {"reason": "特殊困难"}
        )
        self.assertEqual(response.status_code, 400)
        Term.objects.filter(pk=self.term.pk).update(capacity=2)
        response = self.post(
            self.p.grassroots_admin, detail(self.waiting, "admit"), {"reason": "特殊困难"}
        )
        self.assertEqual((response.status_code, response.json()["status"]), (200, S.ADMITTED))

    def test_the_host_checks_a_priority_claim(self) -> None:
        url = detail(self.waiting, "check-priority")
        self.assertEqual(self.post(self.p.grassroots_admin, url, {}).status_code, 400)
        self.assertEqual(self.post(self.p.caregiver, url, {"accepted": False}).status_code, 403)
        response = self.post(self.p.grassroots_admin, url, {"accepted": False})
        self.assertEqual(response.status_code, 200)
        self.assertTrue(Enrolment.objects.get(pk=self.waiting.pk).priority_rejected)

    def test_outsider_gets_404_on_every_action(self) -> None:
        for name in (
            "withdraw",
            "accept-offer",
            "decline-offer",
            "remove",
            "admit",
            "check-priority",
        ):
            response = self.post(self.p.outsider, detail(self.waiting, name), {"reason": "x"})
            self.assertEqual(response.status_code, 404, name)
        self.assertEqual(Enrolment.objects.get(pk=self.waiting.pk).status, S.WAITLISTED)

    def test_anonymous_is_refused_on_every_action(self) -> None:
        for name in (
            "withdraw",
            "accept-offer",
            "decline-offer",
            "remove",
            "admit",
            "check-priority",
        ):
            self.assertIn(APIClient().post(detail(self.waiting, name)).status_code, (401, 403))


class DrawApiTest(ApiTestCase):
    def setUp(self) -> None:
        term = open_term(self.p, mode=EnrolMode.LOTTERY, capacity=1)
        apply(self.p, term, self.p.child_one)
        apply(self.p, term, family(self.p, 1)[2])
        self.term = close_window(term)
        self.url = reverse("draw-run", kwargs={"term_id": self.term.pk})

    def run_draw(self, user: Any, data: Any = None) -> Any:
        with self.captureOnCommitCallbacks(execute=True):
            return self.post(user, self.url, data or {})

    def test_the_host_runs_the_draw_and_gets_the_job(self) -> None:
        response = self.run_draw(self.p.grassroots_admin)
        self.assertEqual(response.status_code, 202, response.content)
        body = response.json()
        self.assertEqual(body["job_url"], reverse("core:job", kwargs={"pk": body["job"]}))
        draw = Draw.objects.get(pk=body["id"])
        self.assertEqual(draw.status, Draw.Status.DONE)
        read = self.api(self.p.grassroots_admin).get(reverse("draw-detail", kwargs={"pk": draw.pk}))
        self.assertEqual((read.status_code, read.json()["verified"]), (200, True))

    def test_anyone_reads_the_draw_as_its_public_page_shows_it(self) -> None:
        draw_id = self.run_draw(self.p.grassroots_admin).json()["id"]
        url = reverse("draw-detail", kwargs={"pk": draw_id})
        for user in (self.p.parent, self.p.outsider, self.p.other_parent):
            self.assertEqual(self.api(user).get(url).status_code, 200)
        self.assertEqual(APIClient().get(url).status_code, 200)

    def test_who_may_not_draw(self) -> None:
        self.assertEqual(self.run_draw(self.p.caregiver).status_code, 403)
        for user in (self.p.outsider, self.p.parent):
            self.assertEqual(self.run_draw(user).status_code, 404)
        self.assertFalse(Draw.objects.exists())

    def test_a_redraw_needs_a_reason_and_bad_input_is_400(self) -> None:
        self.assertEqual(self.run_draw(self.p.grassroots_admin).status_code, 202)
        self.assertEqual(self.run_draw(self.p.grassroots_admin).status_code, 400)
        self.assertEqual(
            self.run_draw(self.p.grassroots_admin, {"seed": "x" * 65, "reason": "r"}).status_code,
            400,
        )
        self.assertEqual(Draw.objects.count(), 1)
        response = self.run_draw(self.p.grassroots_admin, {"reason": "重新公证"})
        self.assertEqual(response.status_code, 202)
        self.assertEqual(Draw.objects.filter(status=Draw.Status.SUPERSEDED).count(), 1)

    def test_malformed_json_is_400(self) -> None:
        response = self.api(self.p.grassroots_admin).post(
            self.url, "{", content_type="application/json"
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(json.loads(response.content).keys() >= {"detail"}, True)
