"""API twin of the needs survey: /api/v1/surveys/."""

import datetime
import json
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tuoguan.enrolment.models import NeedsSurvey, SurveyResponse
from tuoguan.testing import PersonaTestCase

from .survey_helpers import ANSWER, answer, close_by_clock, make_survey

LIST = reverse("survey-list")


def action(name: str, survey: NeedsSurvey) -> str:
    return reverse(f"survey-{name}", args=[survey.pk])


def post_json(client: Client, address: str, body: Any) -> Any:
    return client.post(address, json.dumps(body), content_type="application/json")


class SurveyApiTests(PersonaTestCase):
    def test_anonymous_is_refused(self) -> None:
        survey = make_survey(self.p)
        self.assertIn(Client().get(LIST).status_code, (401, 403))
        self.assertIn(post_json(Client(), action("answer", survey), ANSWER).status_code, (401, 403))

    def test_staff_list_their_subtree_and_workers_what_is_addressed_to_them(self) -> None:
        survey = make_survey(self.p)
        ids = [s["id"] for s in self.client_for(self.p.city_admin).get(LIST).json()["results"]]
        self.assertEqual(ids, [survey.pk])
        parent = self.client_for(self.p.parent).get(LIST).json()["results"]
        self.assertEqual([(s["id"], s["phase"]) for s in parent], [(survey.pk, "open")])
        self.assertEqual(self.client_for(self.p.outsider).get(LIST).json()["results"], [])
        self.assertEqual(self.client_for(self.p.other_parent).get(LIST).json()["results"], [])

    def test_an_admin_creates_publishes_and_closes(self) -> None:
        client = self.client_for(self.p.city_admin)
        now = timezone.now()
        response = post_json(
            client,
            LIST,
            {
                "org": self.p.city.pk,
                "title": "需求调研",
                "opens_at": now.isoformat(),
                "closes_at": (now + datetime.timedelta(days=2)).isoformat(),
            },
        )
        self.assertEqual(response.status_code, 201, response.content)
        survey = NeedsSurvey.objects.get(pk=response.json()["id"])
        self.assertEqual(post_json(client, action("publish", survey), {}).json()["status"], "open")
        self.assertEqual(post_json(client, action("close", survey), {}).json()["phase"], "closed")

    def test_bad_create_input_is_a_400_and_saves_nothing(self) -> None:
        client = self.client_for(self.p.city_admin)
        bodies: list[Any] = [
            {"org": self.p.other_province.pk, "title": "x", "opens_at": "x", "closes_at": 3},
            {"org": "abc", "title": ["x"]},
            [],
        ]
        for body in bodies:
            with self.subTest(body=body):
                self.assertEqual(post_json(client, LIST, body).status_code, 400)
        response = client.post(LIST, "{not json", content_type="application/json")
        self.assertEqual(response.status_code, 400)
        self.assertFalse(NeedsSurvey.objects.exists())

    def test_a_caregiver_cannot_create(self) -> None:
        response = post_json(self.client_for(self.p.caregiver), LIST, {"org": self.p.grassroots.pk})
        self.assertEqual(response.status_code, 403)

    def test_the_outsider_gets_404(self) -> None:
        survey = make_survey(self.p)
        client = self.client_for(self.p.outsider)
        self.assertEqual(client.get(action("detail", survey)).status_code, 404)
        self.assertEqual(client.get(action("totals", survey)).status_code, 404)
        self.assertEqual(post_json(client, action("close", survey), {}).status_code, 404)
        other = self.client_for(self.p.other_parent)
        self.assertEqual(post_json(other, action("answer", survey), ANSWER).status_code, 404)
        self.assertFalse(SurveyResponse.objects.exists())

    def test_a_worker_answers_and_edits_until_it_closes(self) -> None:
        survey = make_survey(self.p)
        client = self.client_for(self.p.parent)
        self.assertEqual(client.get(action("answer", survey)).status_code, 404)
        response = post_json(client, action("answer", survey), ANSWER)
        self.assertEqual(response.status_code, 200, response.content)
        post_json(client, action("answer", survey), {**ANSWER, "hours": "morning"})
        self.assertEqual(client.get(action("answer", survey)).json()["hours"], "morning")
        self.assertEqual(SurveyResponse.objects.count(), 1)
        close_by_clock(survey)
        refused = post_json(client, action("answer", survey), {**ANSWER, "hours": "afternoon"})
        self.assertEqual(refused.status_code, 400)
        self.assertEqual(SurveyResponse.objects.get().hours, "morning")

    def test_wrong_types_in_an_answer_are_a_400(self) -> None:
        survey = make_survey(self.p)
        client = self.client_for(self.p.parent)
        for body in (
            {**ANSWER, "children": "two"},
            {**ANSWER, "children": [{"age": "x", "grade": 1}]},
            {**ANSWER, "children": []},
            {**ANSWER, "wanted_types": "holiday"},
            {**ANSWER, "pay_living_costs": None},
            {},
        ):
            with self.subTest(body=body):
                self.assertEqual(post_json(client, action("answer", survey), body).status_code, 400)
        self.assertFalse(SurveyResponse.objects.exists())

    def test_totals_match_the_answers(self) -> None:
        survey = make_survey(self.p)
        answer(self.p.parent, survey, wanted_types=["toddler", "online"])
        body = self.client_for(self.p.city_admin).get(action("totals", survey)).json()
        self.assertEqual(body["families"], 1)
        counts = {row["value"]: row["count"] for row in body["questions"]["wanted_types"]}
        self.assertEqual(counts, {"holiday": 0, "after_school": 0, "toddler": 1, "online": 1})
        self.assertEqual(body["units"][0]["id"], self.p.grassroots.pk)
        self.assertEqual(
            self.client_for(self.p.parent).get(action("totals", survey)).status_code, 404
        )
