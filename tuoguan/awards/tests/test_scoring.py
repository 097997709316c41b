"""Independent scoring: reviewers score blind to each other, ties to the class exclude, the
platform averages (trimmed from five) and ranks within the quota."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from tuoguan.awards import services
from tuoguan.awards.models import CampaignStatus, TieBreak
from tuoguan.awards.ranking import campaign_standings, trimmed_mean

from .factories import (
    FakeRate,
    actor,
    assign,
    facts,
    in_review,
    make_campaign,
    make_reviewer,
    score,
)

pytestmark = pytest.mark.django_db


def client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def api(user) -> APIClient:
    c = APIClient()
    c.force_login(user)
    return c


def start(personas, campaign):
    return services.campaign_start_review(actor=actor(personas.province_admin), campaign=campaign)


@pytest.fixture
def review(personas):
    """The province's campaign with one entry under review and two province reviewers."""
    campaign = make_campaign(personas)
    entry = in_review(personas, campaign)
    second = make_reviewer(personas, "r2", personas.province)
    assign(personas, campaign, personas.reviewer, second)
    start(personas, campaign)
    return entry, personas.reviewer, second


def test_the_review_starts_only_with_a_reviewer(personas):
    campaign = make_campaign(personas)
    with pytest.raises(ValidationError):
        start(personas, campaign)
    assign(personas, campaign, personas.reviewer)
    assert start(personas, campaign).status == CampaignStatus.REVIEW


def test_a_reviewer_does_not_see_anothers_scores_before_sending_their_own(personas, review):
    entry, first, second = review
    with facts():
        score(second, entry, 30, 30, 20, 19, comment="第二位评审的意见")
    page = client(first).get(reverse("awards:entry_detail", args=[entry.pk])).content.decode()
    assert "第二位评审的意见" not in page
    listed = api(first).get("/api/v1/scores/", {"entry": entry.pk}).json()
    assert listed["results"] == []
    with facts():
        score(first, entry, 20, 20, 10, 10)
    page = client(first).get(reverse("awards:entry_detail", args=[entry.pk])).content.decode()
    assert "第二位评审的意见" in page
    listed = api(first).get("/api/v1/scores/", {"entry": entry.pk}).json()
    assert sorted(card["total"] for card in listed["results"]) == [60, 99]


def test_scores_are_final_once_sent(personas, review):
    entry, first, _second = review
    with facts():
        score(first, entry, 20, 20, 10, 10)
        with pytest.raises(ValidationError):
            score(first, entry, 30, 30, 20, 20)


def test_a_score_above_an_items_points_is_refused(personas, review):
    entry, first, _second = review
    with facts(), pytest.raises(ValidationError):
        score(first, entry, 31, 30, 20, 20)


def test_a_reviewer_from_the_classes_own_line_is_flagged_and_excluded(personas):
    campaign = make_campaign(personas)
    entry = in_review(personas, campaign)
    city_reviewer = make_reviewer(personas, "dl_r", personas.city)
    neighbour = make_reviewer(personas, "gang2_r", personas.other_grassroots)
    assign(personas, campaign, city_reviewer, neighbour)
    start(personas, campaign)
    reviews = client(city_reviewer).get(reverse("awards:my_reviews")).content.decode()
    assert entry.program.name in reviews and "score/" not in reviews
    refused = client(city_reviewer).get(reverse("awards:entry_score", args=[entry.pk]))
    assert refused.status_code == 403
    with facts(), pytest.raises(PermissionDenied):
        score(city_reviewer, entry, 20, 20, 10, 10)
    with facts():
        assert score(neighbour, entry, 20, 20, 10, 10).total == 60


def test_an_unassigned_reviewer_may_not_score(personas, review):
    entry, _first, _second = review
    stranger = make_reviewer(personas, "r9", personas.province)
    response = api(stranger).post(
        "/api/v1/scores/",
        {
            "entry": entry.pk,
            "scores": [{"item": i.pk, "points": 1} for i in entry.campaign.rubric.all()],
        },
        format="json",
    )
    assert response.status_code == 403


def test_a_vetoed_entry_is_not_scored_and_not_ranked(personas, review):
    entry, first, _second = review
    with facts(agreements_insurance=(24, 25)):
        with pytest.raises(ValidationError, match="96"):
            score(first, entry, 20, 20, 10, 10)
        standing = campaign_standings(entry.campaign)[0]
    assert standing.rank is None and not standing.eligibility.eligible


def test_five_reviewers_drop_the_highest_and_lowest_totals():
    assert trimmed_mean([50, 60, 70, 80, 100]) == Decimal("70.00")
    assert trimmed_mean([50, 60, 70, 100]) == Decimal("70.00")
    assert trimmed_mean([60, 61, 70]) == Decimal("63.67")
    assert trimmed_mean([]) is None


def test_the_platform_averages_five_scorecards_trimmed(personas):
    campaign = make_campaign(personas)
    entry = in_review(personas, campaign)
    users = [make_reviewer(personas, f"r{i}", personas.province) for i in range(5)]
    assign(personas, campaign, *users)
    start(personas, campaign)
    with facts():
        for user, first_item in zip(users, (0, 10, 20, 30, 30), strict=True):
            score(user, entry, first_item, 30, 20, 20)  # totals 70, 80, 90, 100, 100
        standing = campaign_standings(campaign)[0]
    assert standing.trimmed and standing.average == Decimal("90.00") and standing.rank == 1


def test_ties_go_to_the_higher_attendance_then_the_earlier_entry(personas):
    campaign = make_campaign(personas, quota=2, recommend_quota=3)
    early, late, third = (in_review(personas, campaign, name=n) for n in ("早班", "晚班", "三班"))
    assign(personas, campaign, personas.reviewer)
    start(personas, campaign)
    with facts():
        for entry in (early, late, third):
            score(personas.reviewer, entry, 20, 20, 10, 10)
    rates = {early.term_id: "80.0", late.term_id: "90.0", third.term_id: "80.0"}
    from tuoguan.programs import compliance

    with (
        facts(),
        compliance.overriding(
            facts={"attendance_rate": lambda terms: {t.pk: FakeRate(rates[t.pk]) for t in terms}}
        ),
    ):
        order = [s.entry.pk for s in campaign_standings(campaign)]
        quota = [s.within_quota for s in campaign_standings(campaign)]
    assert order == [late.pk, early.pk, third.pk]
    assert quota == [True, True, False]
    campaign.tie_break = TieBreak.EARLIER
    campaign.save()
    with facts():
        assert [s.entry.pk for s in campaign_standings(campaign)] == [early.pk, late.pk, third.pk]


def test_the_results_are_the_organisers_and_not_a_reviewers(personas, review):
    entry, first, _second = review
    url = reverse("awards:campaign_results", args=[entry.campaign_id])
    with facts():
        score(first, entry, 20, 20, 10, 10)
        page = client(personas.province_admin).get(url)
    assert page.status_code == 200 and "60" in page.content.decode()
    assert client(first).get(url).status_code == 403
    assert client(personas.outsider).get(url).status_code == 404
    assert api(first).get(f"/api/v1/campaigns/{entry.campaign_id}/results/").status_code == 403


def test_the_organisers_admin_sees_every_scorecard(personas, review):
    entry, first, second = review
    with facts():
        score(first, entry, 20, 20, 10, 10)
        score(second, entry, 30, 30, 20, 19)
    listed = api(personas.province_admin).get("/api/v1/scores/").json()
    assert sorted(card["total"] for card in listed["results"]) == [60, 99]
    assert api(personas.city_admin).get("/api/v1/scores/").json()["results"] == []
