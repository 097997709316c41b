"""API of terms and groups: /api/v1/terms/ with its lifecycle actions, /api/v1/groups/."""

from typing import Any

from django.urls import resolve, reverse
from rest_framework.test import APIClient

from tuoguan.programs.models import Group, Term, TermDay, TermStatus
from tuoguan.testing import PersonaTestCase

from .factories import make_group, make_program, make_term, make_venue, with_carer
from .support import api_for, count_queries

TERMS = reverse("term-list")
GROUPS = reverse("group-list")


def action(name: str, term: Term) -> str:
    return reverse(f"term-{name}", args=[term.pk])


class RoutesTest(PersonaTestCase):
    def test_the_enrolment_routes_under_terms_still_resolve_to_enrolment(self) -> None:
        self.assertEqual(resolve("/api/v1/terms/7/enrolments/").url_name, "enrolment-apply")
        self.assertEqual(resolve("/api/v1/terms/7/draws/").url_name, "draw-run")
        self.assertEqual(resolve("/api/v1/terms/7/").url_name, "term-detail")
        self.assertEqual(resolve("/api/v1/terms/7/open-enrolment/").url_name, "term-open-enrolment")


class TermApiCreateTest(PersonaTestCase):
    def setUp(self) -> None:
        self.program = make_program(self.p)
        self.venue = make_venue(self.p)

    def body(self, **changes):  # type: ignore[no-untyped-def]
        return {
            "program": self.program.pk,
            "name": "2021年暑期",
            "start_date": "2021-07-12",
            "end_date": "2021-08-13",
            "venue": self.venue.pk,
            "capacity": 40,
            "groups": [
                {"name": "低年级组", "capacity": 20, "grade_min": 1, "grade_max": 3},
                {"name": "高年级组", "capacity": 20, "grade_min": 4, "grade_max": 6},
            ],
            **changes,
        }

    def test_a_term_is_created_with_its_groups(self) -> None:
        response = api_for(self.p.grassroots_admin).post(TERMS, self.body(), format="json")
        self.assertEqual(response.status_code, 201, response.content)
        data = response.json()
        self.assertEqual(data["care_days"], 25)
        self.assertEqual([g["name"] for g in data["groups"]], ["低年级组", "高年级组"])
        self.assertEqual(data["status"], "draft")

    def test_bad_input_is_400_at_the_field_and_saves_nothing(self) -> None:
        client = api_for(self.p.grassroots_admin)
        cases: list[tuple[dict[str, Any], str]] = [
            ({"end_date": "2021-07-01"}, "end_date"),
            ({"capacity": 0}, "capacity"),
            ({"capacity": "many"}, "capacity"),
            ({"start_date": "2021-02-30"}, "start_date"),
            ({"venue": None}, "venue"),
            ({"program": 999999}, "program"),
        ]
        for change, field in cases:
            with self.subTest(field):
                response = client.post(TERMS, self.body(**change), format="json")
                self.assertEqual(response.status_code, 400)
                self.assertIn(field, response.json())
        self.assertFalse(Term.objects.exists())

    def test_groups_beyond_the_term_say_which_group(self) -> None:
        response = api_for(self.p.grassroots_admin).post(
            TERMS, self.body(capacity=30), format="json"
        )
        self.assertEqual(response.status_code, 400)
        groups = response.json()["groups"]
        self.assertEqual(groups[0], {})
        self.assertIn("capacity", groups[1])
        self.assertFalse(Term.objects.exists())
        self.assertFalse(Group.objects.exists())

    def test_a_toddler_group_above_its_kind_maximum_is_400(self) -> None:
        self.program.type = "toddler"
        self.program.save()
        body = self.body(groups=[{"name": "乳儿班", "kind": "infant", "capacity": 11}])
        response = api_for(self.p.grassroots_admin).post(TERMS, body, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertIn("capacity", response.json()["groups"][0])
        self.assertFalse(Term.objects.exists())

    def test_malformed_json_and_wrong_types_are_400(self) -> None:
        client = api_for(self.p.grassroots_admin)
        self.assertEqual(client.post(TERMS, "{", content_type="application/json").status_code, 400)
        self.assertEqual(
            client.post(TERMS, self.body(groups="two"), format="json").status_code, 400
        )
        self.assertFalse(Term.objects.exists())

    def test_read_only_roles_get_403_and_anonymous_401(self) -> None:
        for user in (self.p.caregiver, self.p.reviewer, self.p.parent):
            response = api_for(user).post(TERMS, self.body(), format="json")
            self.assertEqual(response.status_code, 403)
        self.assertEqual(APIClient().post(TERMS, self.body(), format="json").status_code, 401)
        # The outsider cannot even name the class: it does not exist for them.
        response = api_for(self.p.outsider).post(TERMS, self.body(), format="json")
        self.assertEqual(response.status_code, 400)
        self.assertIn("program", response.json())
        self.assertFalse(Term.objects.exists())


class TermApiLifecycleTest(PersonaTestCase):
    def setUp(self) -> None:
        self.term = make_term(self.p)
        self.host = api_for(self.p.grassroots_admin)
        self.city = api_for(self.p.city_admin)

    def test_the_whole_lifecycle(self) -> None:
        with_carer(self.p, self.term)
        self.assertEqual(self.host.post(action("submit", self.term)).json()["status"], "submitted")
        self.assertEqual(self.city.post(action("approve", self.term)).json()["status"], "approved")
        response = self.host.post(action("open-enrolment", self.term))
        self.assertEqual(response.json()["status"], "enrolling")
        self.assertEqual(self.host.post(action("start", self.term)).json()["status"], "running")
        self.assertEqual(
            self.host.post(action("close", self.term), {}, format="json").status_code, 400
        )
        response = self.host.post(
            action("close", self.term), {"summary": "圆满结营"}, format="json"
        )
        self.assertEqual(response.json()["status"], "closed")
        self.assertEqual(response.json()["closing_summary"], "圆满结营")

    def test_reject_needs_a_reason_and_refused_steps_are_400(self) -> None:
        self.host.post(action("submit", self.term))
        self.assertEqual(
            self.city.post(action("reject", self.term), {}, format="json").status_code, 400
        )
        response = self.city.post(
            action("reject", self.term), {"reason": "场地不足"}, format="json"
        )
        self.assertEqual(response.json()["status"], "rejected")
        response = self.city.post(action("approve", self.term))
        self.assertEqual(response.status_code, 400)
        self.assertIn("cannot be approved", str(response.json()))
        self.assertEqual(self.host.post(action("redraft", self.term)).json()["status"], "draft")

    def test_roles_are_enforced(self) -> None:
        self.assertEqual(
            api_for(self.p.caregiver).post(action("submit", self.term)).status_code, 403
        )
        self.assertEqual(
            api_for(self.p.outsider).post(action("submit", self.term)).status_code, 404
        )
        self.host.post(action("submit", self.term))
        self.assertEqual(self.host.post(action("approve", self.term)).status_code, 403)
        response = self.host.post(action("reject", self.term), {"reason": "x"}, format="json")
        self.assertEqual(response.status_code, 403)
        self.term.refresh_from_db()
        self.assertEqual(self.term.status, TermStatus.SUBMITTED)

    def test_edit_after_approval_reopens_it(self) -> None:
        with_carer(self.p, self.term)
        self.host.post(action("submit", self.term))
        self.city.post(action("approve", self.term))
        url = reverse("term-detail", args=[self.term.pk])
        response = self.host.patch(url, {"capacity": 25}, format="json")
        self.assertEqual(response.json()["status"], "submitted")
        self.assertEqual(self.host.patch(url, {"capacity": -1}, format="json").status_code, 400)

    def test_places_beyond_any_sensible_number_get_a_plain_limit(self) -> None:
        url = reverse("term-detail", args=[self.term.pk])
        for capacity in (10001, 3_000_000_000):
            response = self.host.patch(url, {"capacity": capacity}, format="json")
            self.assertEqual(response.status_code, 400)
            self.assertEqual(response.json(), {"capacity": ["Places cannot exceed 10000."]})
        group = make_group(self.p, self.term)
        response = self.host.patch(
            reverse("group-detail", args=[group.pk]), {"capacity": 20000}, format="json"
        )
        self.assertEqual(response.json(), {"capacity": ["Places cannot exceed 10000."]})
        self.term.refresh_from_db()
        self.assertEqual(self.term.capacity, 30)

    def test_days_change_one_at_a_time(self) -> None:
        response = self.host.post(
            action("days", self.term), {"date": "2021-07-17", "care": True}, format="json"
        )
        self.assertEqual(response.json()["care_days"], 26)
        self.assertTrue(TermDay.objects.get(term=self.term, date="2021-07-17").is_care_day)
        response = self.host.post(
            action("days", self.term), {"date": "2022-01-01", "care": True}, format="json"
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("date", response.json())

    def test_compliance_lists_every_criterion_with_its_status(self) -> None:
        response = api_for(self.p.province_admin).get(action("compliance", self.term))
        data = response.json()
        self.assertEqual(data["verdict"], "non_compliant")
        statuses = {row["criterion"]["code"]: row["status"] for row in data["criteria"]}
        self.assertEqual(statuses["min_days_holiday"], "pass")
        self.assertEqual(statuses["carer_ratio"], "fail")
        self.assertEqual(statuses["proc_pickup"], "pending")
        self.assertEqual(statuses["min_days_after_school"], "na")
        self.assertEqual(
            api_for(self.p.outsider).get(action("compliance", self.term)).status_code, 404
        )

    def test_list_filters_and_query_bound(self) -> None:
        client = api_for(self.p.province_admin)
        self.assertEqual(client.get(TERMS, {"status": "draft"}).json()["count"], 1)
        self.assertEqual(client.get(TERMS, {"status": "closed"}).json()["count"], 0)
        self.assertEqual(client.get(TERMS, {"program": self.term.program_id}).json()["count"], 1)
        self.assertEqual(client.get(TERMS, {"program": "x"}).status_code, 400)
        self.assertEqual(api_for(self.p.outsider).get(TERMS).json()["count"], 0)
        few = count_queries(lambda: client.get(TERMS))
        for _ in range(5):
            make_group(self.p, make_term(self.p), capacity=10)
        self.assertEqual(count_queries(lambda: client.get(TERMS)), few)


class GroupApiTest(PersonaTestCase):
    def setUp(self) -> None:
        self.term = make_term(self.p)

    def test_create_edit_delete(self) -> None:
        client = api_for(self.p.grassroots_admin)
        response = client.post(GROUPS, {"term": self.term.pk, "name": "一年级"}, format="json")
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(response.json()["capacity"], 30)  # defaults to what the term has left
        url = reverse("group-detail", args=[response.json()["id"]])
        self.assertEqual(client.patch(url, {"capacity": 31}, format="json").status_code, 400)
        self.assertEqual(client.patch(url, {"capacity": 12}, format="json").json()["capacity"], 12)
        self.assertEqual(client.get(GROUPS, {"term": self.term.pk}).json()["count"], 1)
        self.assertEqual(api_for(self.p.caregiver).delete(url).status_code, 403)
        self.assertEqual(api_for(self.p.outsider).delete(url).status_code, 404)
        self.assertEqual(client.delete(url).status_code, 204)
        self.assertFalse(Group.objects.exists())

    def test_bad_input_is_400(self) -> None:
        client = api_for(self.p.grassroots_admin)
        for body in ({"term": self.term.pk, "name": "x", "capacity": 0},
                     {"term": self.term.pk, "name": "x", "kind": "infant"},
                     {"term": "abc", "name": "x"}):  # fmt: skip
            self.assertEqual(client.post(GROUPS, body, format="json").status_code, 400)
        self.assertFalse(Group.objects.exists())
