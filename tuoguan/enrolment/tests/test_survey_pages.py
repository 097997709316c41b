"""Needs survey pages: the union's list, form, totals and status; the parent's answer."""

import datetime
import re
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tuoguan.enrolment.models import NeedsSurvey, SurveyResponse
from tuoguan.testing import PersonaTestCase

from .survey_helpers import answer, close_by_clock, make_survey

LIST = reverse("enrolment:survey_list")
CREATE = reverse("enrolment:survey_create")
MINE = reverse("enrolment:my_surveys")

GOOD_ANSWER = {
    "age_1": "8",
    "grade_1": "2",
    "age_2": "",
    "grade_2": "",
    "wanted_types": ["holiday", "online"],
    "wanted_period": "summer",
    "hours": "full_day",
    "pay_living_costs": "unsure",
    "special_needs": "",
}


def url(name: str, survey: NeedsSurvey) -> str:
    return reverse(f"enrolment:{name}", args=[survey.pk])


class PageTestCase(PersonaTestCase):
    def client_for(self, user: Any) -> Client:
        client = super().client_for(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client


class UnionSurveyPageTests(PageTestCase):
    def test_anonymous_is_sent_to_login(self) -> None:
        survey = make_survey(self.p)
        for address in (LIST, CREATE, url("survey_detail", survey), url("survey_export", survey)):
            with self.subTest(address=address):
                response = Client().get(address)
                self.assertEqual(response.status_code, 302)
                self.assertIn(reverse("accounts:login"), response["Location"])

    def test_the_list_shows_the_subtree_surveys_with_their_answer_counts(self) -> None:
        survey = make_survey(self.p)
        answer(self.p.parent, survey)
        response = self.client_for(self.p.province_admin).get(LIST)
        self.assertContains(response, survey.title)
        self.assertEqual(response.context["page"].object_list[0].answer_count, 1)
        self.assertNotContains(self.client_for(self.p.outsider).get(LIST), survey.title)

    def test_a_caregiver_cannot_open_the_surveys(self) -> None:
        self.assertEqual(self.client_for(self.p.caregiver).get(LIST).status_code, 403)
        self.assertEqual(self.client_for(self.p.caregiver).get(CREATE).status_code, 403)

    def test_outsider_gets_404(self) -> None:
        survey = make_survey(self.p)
        client = self.client_for(self.p.outsider)
        for name in ("survey_detail", "survey_export"):
            self.assertEqual(client.get(url(name, survey)).status_code, 404)
        for name in ("survey_publish", "survey_close"):
            self.assertEqual(client.post(url(name, survey)).status_code, 404)
        self.assertEqual(NeedsSurvey.objects.get().status, NeedsSurvey.Status.OPEN)

    def test_an_admin_creates_a_draft_then_publishes_it(self) -> None:
        client = self.client_for(self.p.city_admin)
        now = timezone.localtime()
        response = client.post(
            CREATE,
            {
                "org": self.p.city.pk,
                "title": "寒假托管需求",
                "intro": "",
                "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
                "closes_at": (now + datetime.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
            },
        )
        survey = NeedsSurvey.objects.get()
        self.assertRedirects(response, url("survey_detail", survey))
        self.assertEqual(survey.status, NeedsSurvey.Status.DRAFT)
        self.assertEqual(survey.created_by, self.p.city_admin)
        client.post(url("survey_publish", survey))
        survey.refresh_from_db()
        self.assertEqual(survey.status, NeedsSurvey.Status.OPEN)

    def test_bad_input_gives_field_errors_and_saves_nothing(self) -> None:
        client = self.client_for(self.p.city_admin)
        now = timezone.localtime()
        response = client.post(
            CREATE,
            {
                "org": self.p.other_province.pk,
                "title": "",
                "opens_at": "tomorrow",
                "closes_at": (now - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            },
        )
        self.assertEqual(response.status_code, 200)
        form = response.context["form"]
        self.assertEqual(set(form.errors), {"org", "title", "opens_at", "closes_at"})
        self.assertFalse(NeedsSurvey.objects.exists())

    def test_the_detail_shows_totals_as_a_table_and_chart_data(self) -> None:
        survey = make_survey(self.p)
        answer(self.p.parent, survey, wanted_types=["toddler"])
        response = self.client_for(self.p.city_admin).get(url("survey_detail", survey))
        self.assertContains(response, 'id="survey-chart-data"')
        self.assertContains(response, "vendor/echarts/echarts.min.js")
        self.assertContains(response, '<th scope="row">大连港集团工会</th>', html=False)
        self.assertEqual(response.context["chart_data"]["types"]["values"], [0, 0, 1, 0])

    def test_htmx_close_answers_with_the_status_fragment(self) -> None:
        survey = make_survey(self.p)
        response = self.client_for(self.p.city_admin).post(
            url("survey_close", survey), HTTP_HX_REQUEST="true"
        )
        self.assertTemplateUsed(response, "enrolment/_survey_status.html")
        self.assertContains(response, "closed")
        survey.refresh_from_db()
        self.assertEqual(survey.status, NeedsSurvey.Status.CLOSED)

    def test_a_reviewer_reads_totals_but_cannot_close(self) -> None:
        survey = make_survey(self.p)
        client = self.client_for(self.p.reviewer)
        self.assertEqual(client.get(url("survey_detail", survey)).status_code, 200)
        self.assertEqual(client.post(url("survey_close", survey)).status_code, 403)
        self.assertEqual(NeedsSurvey.objects.get().status, NeedsSurvey.Status.OPEN)


class ParentSurveyPageTests(PageTestCase):
    def test_the_parent_sees_the_open_survey_and_answers_it(self) -> None:
        survey = make_survey(self.p)
        client = self.client_for(self.p.parent)
        self.assertContains(client.get(MINE), survey.title)
        form = client.get(url("survey_answer", survey)).context["form"]
        # Prefilled from the registered children: ages and grades, never names.
        self.assertEqual(form.initial["grade_1"], 3)
        self.assertNotIn("王小一", str(form.initial))
        response = client.post(url("survey_answer", survey), GOOD_ANSWER)
        self.assertRedirects(response, MINE)
        saved = SurveyResponse.objects.get()
        self.assertEqual(saved.children, [{"age": 8, "grade": 2}])
        self.assertEqual(saved.wanted_types, ["holiday", "online"])
        self.assertEqual(saved.pay_living_costs, "unsure")

    def test_the_form_shows_each_registered_child_s_age_and_grade_filled_in(self) -> None:
        survey = make_survey(self.p)
        html = self.client_for(self.p.parent).get(url("survey_answer", survey)).content.decode()
        today = timezone.localdate()
        for row, child in enumerate((self.p.child_one, self.p.child_two), start=1):
            with self.subTest(child.name):
                age = re.search(rf'<input[^>]*name="age_{row}"[^>]*value="(\d+)"', html)
                assert age is not None
                self.assertEqual(int(age.group(1)), child.age_on(today))
                grade = re.search(
                    rf'<select name="grade_{row}".*?<option value="(\d)" selected>', html, re.S
                )
                assert grade is not None
                self.assertEqual(int(grade.group(1)), child.grade)

    def test_editing_replaces_the_family_answer(self) -> None:
        survey = make_survey(self.p)
        client = self.client_for(self.p.parent)
        client.post(url("survey_answer", survey), GOOD_ANSWER)
        client.post(url("survey_answer", survey), {**GOOD_ANSWER, "hours": "morning"})
        self.assertEqual(SurveyResponse.objects.get().hours, "morning")
        self.assertEqual(SurveyResponse.objects.count(), 1)

    def test_bad_input_gives_field_errors_and_saves_nothing(self) -> None:
        survey = make_survey(self.p)
        response = self.client_for(self.p.parent).post(
            url("survey_answer", survey),
            {"age_1": "99", "grade_2": "3", "wanted_types": ["cinema"], "hours": "x"},
        )
        self.assertEqual(response.status_code, 200)
        errors = response.context["form"].errors
        for name in ("age_1", "age_2", "wanted_types", "wanted_period", "hours"):
            self.assertIn(name, errors)
        self.assertFalse(SurveyResponse.objects.exists())

    def test_a_closed_survey_is_read_only(self) -> None:
        survey = make_survey(self.p)
        answer(self.p.parent, survey)
        close_by_clock(survey)
        client = self.client_for(self.p.parent)
        page = client.get(url("survey_answer", survey))
        self.assertNotIn("form", page.context)
        self.assertContains(page, "This survey is closed")
        response = client.post(url("survey_answer", survey), {**GOOD_ANSWER, "hours": "morning"})
        self.assertEqual(response.status_code, 409)
        self.assertEqual(SurveyResponse.objects.get().hours, "full_day")

    def test_a_worker_of_another_province_gets_404(self) -> None:
        survey = make_survey(self.p)
        client = self.client_for(self.p.other_parent)
        self.assertEqual(client.get(url("survey_answer", survey)).status_code, 404)
        self.assertEqual(client.post(url("survey_answer", survey), GOOD_ANSWER).status_code, 404)
        self.assertNotContains(client.get(MINE), survey.title)
        self.assertFalse(SurveyResponse.objects.exists())

    def test_a_draft_is_not_shown_to_parents(self) -> None:
        survey = make_survey(self.p, publish=False)
        client = self.client_for(self.p.parent)
        self.assertEqual(client.get(url("survey_answer", survey)).status_code, 404)
        self.assertNotContains(client.get(MINE), survey.title)

    def test_anonymous_is_sent_to_login(self) -> None:
        survey = make_survey(self.p)
        for address in (MINE, url("survey_answer", survey)):
            response = Client().get(address)
            self.assertEqual(response.status_code, 302)
            self.assertIn(reverse("accounts:login"), response["Location"])
