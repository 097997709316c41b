"""Eligibility is judged from live facts at the moment of review; unmeasured never passes."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tuoguan.awards.eligibility import term_eligibility
from tuoguan.awards.models import ConditionKind

from .factories import FakeRate, facts, make_campaign, make_entry

pytestmark = pytest.mark.django_db


def judged(campaign, entry):
    return term_eligibility(list(campaign.conditions.all()), entry.term)


def result(eligibility, kind):
    return next(r for r in eligibility.results if r.condition.kind == kind)


def drop_care_days(term, n):
    last = term.days.filter(is_care_day=True).order_by("-date").values_list("pk", flat=True)[:n]
    term.days.filter(pk__in=list(last)).update(is_care_day=False)


@pytest.fixture
def entered(personas):
    campaign = make_campaign(personas)
    return campaign, make_entry(personas, campaign)


@pytest.mark.parametrize(("children", "passes"), [(19, False), (20, True)])
def test_twenty_children_meet_the_condition_and_nineteen_do_not(entered, children, passes):
    campaign, entry = entered
    with facts(enrolled_count=children):
        assert result(judged(campaign, entry), ConditionKind.CHILDREN).passed is passes


@pytest.mark.parametrize(("rate", "passes"), [("69.9", False), ("70.0", True)])
def test_attendance_of_70_percent_meets_the_condition_and_69_9_does_not(entered, rate, passes):
    campaign, entry = entered
    with facts(attendance_rate=FakeRate(rate)):
        found = result(judged(campaign, entry), ConditionKind.ATTENDANCE)
    assert found.passed is passes and found.figure == Decimal(rate)


def test_care_days_come_from_the_terms_calendar(entered):
    campaign, entry = entered
    with facts():
        days = result(judged(campaign, entry), ConditionKind.CARE_DAYS)
    # Five weeks of summer 2021 without a holiday: 25 working days, at least 20.
    assert days.figure == Decimal(25) and days.passed


def test_twenty_care_days_pass_and_nineteen_fail(entered):
    campaign, entry = entered
    drop_care_days(entry.term, 5)  # 20 left
    with facts():
        assert result(judged(campaign, entry), ConditionKind.CARE_DAYS).passed
    drop_care_days(entry.term, 1)  # 19 left
    with facts():
        assert not result(judged(campaign, entry), ConditionKind.CARE_DAYS).passed


def test_one_child_without_agreement_or_insurance_vetoes_the_entry(entered):
    campaign, entry = entered
    with facts(agreements_insurance=(24, 25)):
        eligibility = judged(campaign, entry)
    assert not eligibility.eligible
    assert result(eligibility, ConditionKind.PAPERWORK).figure == Decimal("96.0")
    assert "96%" in eligibility.veto_reason


@pytest.mark.parametrize(("incidents", "eligible"), [(0, True), (1, False)])
def test_a_serious_incident_vetoes_the_entry(entered, incidents, eligible):
    campaign, entry = entered
    with facts(serious_incidents=incidents):
        assert judged(campaign, entry).eligible is eligible


def test_an_open_rectification_fails_its_condition_but_only_vetoes_when_marked(entered):
    campaign, entry = entered
    with facts(rectifications_open=1):
        eligibility = judged(campaign, entry)
    assert eligibility.eligible and not eligibility.meets_all
    campaign.conditions.filter(kind=ConditionKind.RECTIFICATIONS).update(is_veto=True)
    with facts(rectifications_open=1):
        assert not judged(campaign, entry).eligible


@pytest.mark.parametrize(
    "missing", ["enrolled_count", "attendance_rate", "agreements_insurance", "serious_incidents"]
)
def test_a_fact_not_yet_measured_never_passes(entered, missing):
    campaign, entry = entered
    with facts(**{missing: None}):
        eligibility = judged(campaign, entry)
    unmeasured = [r for r in eligibility.results if not r.measured]
    assert len(unmeasured) == 1 and not unmeasured[0].passed


def test_an_attendance_rate_without_a_passed_care_day_is_not_yet_measured(entered):
    campaign, entry = entered
    with facts(attendance_rate=FakeRate(None)):
        found = result(judged(campaign, entry), ConditionKind.ATTENDANCE)
    assert not found.measured and not found.passed


def test_the_entry_page_shows_each_failed_condition_with_its_figure_in_chinese(personas, entered):
    _campaign, entry = entered
    c = Client()
    c.force_login(personas.province_admin)
    with facts(enrolled_count=19, agreements_insurance=None), translation.override("zh-hans"):
        page = c.get(
            reverse("awards:entry_detail", args=[entry.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
        ).content.decode()
    assert "尚未测量" in page
    assert "≥ 20" in page and "19" in page
    assert "一票否决" in page


def test_the_live_enrolment_fact_is_read_when_no_test_provider_stands_in(entered):
    """No child admitted yet: the registered enrolment fact has no figure for the term."""
    campaign, entry = entered
    found = result(judged(campaign, entry), ConditionKind.CHILDREN)
    assert not found.measured and not found.passed
