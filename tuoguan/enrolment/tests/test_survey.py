"""Needs survey services: create, publish, answer once per family, close, totals."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tuoguan.enrolment.models import NeedsSurvey, SurveyResponse
from tuoguan.enrolment.services import survey as surveys
from tuoguan.notifications.models import Notification
from tuoguan.orgs.permissions import actor_for
from tuoguan.testing import PersonaTestCase

from .survey_helpers import ANSWER, answer, close_by_clock, make_survey, make_worker


class SurveyCreateTests(PersonaTestCase):
    def test_a_new_survey_is_a_draft_nobody_can_answer(self) -> None:
        survey = make_survey(self.p, publish=False)
        self.assertEqual(survey.status, NeedsSurvey.Status.DRAFT)
        self.assertEqual(surveys.surveys_open_for(self.p.parent_worker).count(), 0)
        with self.assertRaises(ValidationError):
            answer(self.p.parent, survey)
        self.assertFalse(SurveyResponse.objects.exists())

    def test_only_an_admin_covering_the_union_creates(self) -> None:
        for user in (self.p.caregiver, self.p.outsider, self.p.grassroots_admin):
            with self.subTest(user=user.username), self.assertRaises(PermissionDenied):
                make_survey(self.p, by=user, org=self.p.city, publish=False)
        self.assertFalse(NeedsSurvey.objects.exists())

    def test_a_window_closing_before_it_opens_is_refused(self) -> None:
        now = timezone.now()
        with self.assertRaises(ValidationError) as caught:
            surveys.survey_create(
                actor=actor_for(self.p.city_admin),
                org=self.p.city,
                title="调研",
                opens_at=now + datetime.timedelta(days=2),
                closes_at=now + datetime.timedelta(days=1),
            )
        self.assertIn("closes_at", caught.exception.message_dict)
        self.assertFalse(NeedsSurvey.objects.exists())

    def test_publishing_tells_the_workers_of_the_subtree_only(self) -> None:
        survey = make_survey(self.p, publish=False)
        with self.captureOnCommitCallbacks(execute=True):
            surveys.survey_publish(actor=actor_for(self.p.city_admin), survey=survey)
        self.assertTrue(Notification.objects.filter(recipient=self.p.parent).exists())
        self.assertFalse(Notification.objects.filter(recipient=self.p.other_parent).exists())
        self.assertEqual(list(surveys.surveys_open_for(self.p.parent_worker)), [survey])
        self.assertEqual(surveys.surveys_open_for(self.p.other_parent.worker).count(), 0)

    def test_a_survey_cannot_be_published_twice(self) -> None:
        survey = make_survey(self.p)
        with self.assertRaises(ValidationError):
            surveys.survey_publish(actor=actor_for(self.p.city_admin), survey=survey)


class SurveyAnswerTests(PersonaTestCase):
    def test_a_family_answers_once_and_edits_its_answer(self) -> None:
        survey = make_survey(self.p)
        first = answer(self.p.parent, survey)
        second = answer(
            self.p.parent,
            survey,
            children=[{"age": 8, "grade": 2}, {"age": 6, "grade": 0}],
            wanted_types=["after_school", "holiday"],
        )
        self.assertEqual(first.pk, second.pk)
        self.assertEqual(SurveyResponse.objects.filter(survey=survey).count(), 1)
        saved = SurveyResponse.objects.get()
        self.assertEqual(len(saved.children), 2)
        # Stored in the order of the choices, whatever order they came in.
        self.assertEqual(saved.wanted_types, ["holiday", "after_school"])
        self.assertEqual(saved.employer, self.p.grassroots)

    def test_no_name_is_stored_with_the_children(self) -> None:
        survey = make_survey(self.p)
        answer(self.p.parent, survey, children=[{"age": 8, "grade": 2, "name": "王小一"}])
        self.assertEqual(SurveyResponse.objects.get().children, [{"age": 8, "grade": 2}])

    def test_answers_are_refused_once_the_survey_is_closed(self) -> None:
        survey = make_survey(self.p)
        answer(self.p.parent, survey)
        surveys.survey_close(actor=actor_for(self.p.city_admin), survey=survey)
        with self.assertRaises(ValidationError):
            answer(self.p.parent, survey, pay_living_costs="no")
        self.assertEqual(SurveyResponse.objects.get().pay_living_costs, "yes")

    def test_answers_are_refused_after_the_closing_time(self) -> None:
        survey = make_survey(self.p)
        answer(self.p.parent, survey)
        close_by_clock(survey)
        with self.assertRaises(ValidationError):
            answer(self.p.parent, survey, pay_living_costs="no")
        self.assertEqual(SurveyResponse.objects.get().pay_living_costs, "yes")
        self.assertEqual(surveys.survey_phase(survey), "closed")

    def test_a_worker_outside_the_subtree_cannot_answer(self) -> None:
        survey = make_survey(self.p)
        with self.assertRaises(PermissionDenied):
            answer(self.p.other_parent, survey)
        with self.assertRaises(PermissionDenied):
            answer(self.p.city_admin, survey)  # staff without a worker profile
        self.assertFalse(SurveyResponse.objects.exists())

    def test_bad_input_gives_an_error_per_field_and_saves_nothing(self) -> None:
        survey = make_survey(self.p)
        with self.assertRaises(ValidationError) as caught:
            surveys.survey_answer(
                actor=actor_for(self.p.parent),
                survey=survey,
                children=[{"age": 40, "grade": 2}],
                wanted_types=["cinema"],
                wanted_period="never",
                hours=3,
                pay_living_costs=None,
                special_needs="x" * 1001,
            )
        self.assertEqual(
            set(caught.exception.message_dict),
            {
                "children",
                "wanted_types",
                "wanted_period",
                "hours",
                "pay_living_costs",
                "special_needs",
            },
        )
        self.assertFalse(SurveyResponse.objects.exists())

    def test_malformed_children_are_refused(self) -> None:
        survey = make_survey(self.p)
        for children in ([], "8", [8], [{"age": "8", "grade": 1}], [{"age": True, "grade": 1}]):
            with self.subTest(children=children), self.assertRaises(ValidationError) as caught:
                answer(self.p.parent, survey, children=children)
            self.assertIn("children", caught.exception.message_dict)
        self.assertFalse(SurveyResponse.objects.exists())


class SurveyTotalsTests(PersonaTestCase):
    def _answers(self, survey: NeedsSurvey, start: int, count: int) -> None:
        for n in range(start, start + count):
            employer = self.p.grassroots if n % 2 else self.p.other_grassroots
            worker = make_worker(employer, n)
            answer(
                worker.user,
                survey,
                children=[{"age": 6 + n % 3, "grade": n % 3}],
                wanted_types=["holiday", "online"] if n % 2 else ["after_school"],
                pay_living_costs="yes" if n % 3 else "no",
                special_needs="花生过敏" if n == start else "",
            )

    def test_totals_per_question_and_per_unit_are_right(self) -> None:
        survey = make_survey(self.p)
        answer(
            self.p.parent,
            survey,
            children=[{"age": 9, "grade": 3}, {"age": 6, "grade": 1}],
            wanted_types=["holiday", "after_school"],
            hours="after_school",
            special_needs="哮喘",
        )
        self._answers(survey, 1, 4)  # workers 1, 3 at grassroots; 2, 4 at the hospital
        totals = surveys.survey_totals(survey)
        self.assertEqual(totals.families, 5)
        self.assertEqual(totals.children, 6)
        self.assertEqual(totals.special_needs, 2)
        types = {value: count for value, _label, count in totals.types}
        self.assertEqual(types, {"holiday": 3, "after_school": 3, "toddler": 0, "online": 2})
        pay = {value: count for value, _label, count in totals.pay}
        self.assertEqual(pay, {"yes": 4, "no": 1, "unsure": 0})
        hours = {value: count for value, _label, count in totals.hours}
        self.assertEqual(hours["after_school"], 1)
        self.assertEqual(hours["full_day"], 4)
        grades = {value: count for value, _label, count in totals.grades}
        self.assertEqual(grades[1], 3)  # the parent's second child, workers 1 and 4
        self.assertEqual(grades[3], 1)
        units = {u["id"]: u for u in totals.units}
        self.assertEqual(units[self.p.grassroots.pk]["families"], 3)
        self.assertEqual(units[self.p.grassroots.pk]["children"], 4)
        self.assertEqual(units[self.p.grassroots.pk]["type_online"], 2)
        self.assertEqual(units[self.p.other_grassroots.pk]["families"], 2)
        self.assertEqual(units[self.p.other_grassroots.pk]["type_after_school"], 2)

    def test_totals_take_the_same_number_of_queries_for_5_or_60_answers(self) -> None:
        survey = make_survey(self.p)
        self._answers(survey, 1, 5)
        with self.assertNumQueries(5):
            surveys.survey_totals(survey)
        self._answers(survey, 6, 55)
        with self.assertNumQueries(5):
            totals = surveys.survey_totals(survey)
        self.assertEqual(totals.families, 60)

    def test_a_survey_without_answers_has_zero_totals(self) -> None:
        totals = surveys.survey_totals(make_survey(self.p))
        self.assertEqual((totals.families, totals.children, totals.units), (0, 0, []))
        self.assertEqual(ANSWER["wanted_period"], "summer")
