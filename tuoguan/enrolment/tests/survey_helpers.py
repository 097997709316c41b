"""Shared builders of the needs survey tests."""

import datetime
from typing import Any

from django.utils import timezone

from tuoguan.accounts import services as people
from tuoguan.accounts.models import Worker
from tuoguan.enrolment.models import NeedsSurvey, SurveyResponse
from tuoguan.enrolment.services import survey as surveys
from tuoguan.orgs.permissions import actor_for

ANSWER: dict[str, Any] = {
    "children": [{"age": 8, "grade": 2}],
    "wanted_types": ["holiday"],
    "wanted_period": "summer",
    "hours": "full_day",
    "pay_living_costs": "yes",
    "special_needs": "",
}


def make_survey(p: Any, *, by: Any = None, org: Any = None, publish: bool = True) -> NeedsSurvey:
    now = timezone.now()
    survey = surveys.survey_create(
        actor=actor_for(by or p.city_admin),
        org=org or p.city,
        title="2026年暑期托管需求调研",
        intro="请如实填写。",
        opens_at=now - datetime.timedelta(hours=1),
        closes_at=now + datetime.timedelta(days=7),
    )
    if publish:
        survey = surveys.survey_publish(actor=actor_for(by or p.city_admin), survey=survey)
    return survey


def answer(user: Any, survey: NeedsSurvey, **overrides: Any) -> SurveyResponse:
    return surveys.survey_answer(actor=actor_for(user), survey=survey, **{**ANSWER, **overrides})


def make_worker(employer: Any, n: int) -> Worker:
    user = people.user_create(
        username=f"survey_w{n}", real_name=f"职工{n}", password=None, mobile=f"135{n:08d}"
    )
    return people.worker_create(user=user, employer=employer)


def close_by_clock(survey: NeedsSurvey) -> None:
    """Move the closing time into the past, as if the deadline had passed."""
    NeedsSurvey.objects.filter(pk=survey.pk).update(
        closes_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    survey.refresh_from_db()
