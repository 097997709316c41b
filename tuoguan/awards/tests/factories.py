"""Small factories of the awards tests: campaigns and entries made through the services."""

import datetime
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.utils import timezone

from tuoguan.awards import services
from tuoguan.awards.models import Campaign, Nomination
from tuoguan.orgs.permissions import actor_for
from tuoguan.programs import compliance
from tuoguan.programs.tests.factories import make_program, make_term


def actor(user: Any) -> Any:
    return actor_for(user)


def campaign_fields(**overrides: Any) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "title": "2026年度辽宁工会爱心托管班省级示范点",
        "year": 2026,
        "quota": 3,
        "recommend_quota": 2,
        "grant_fen": 3_000_000,
        "applications_open": today - datetime.timedelta(days=1),
        "applications_close": today + datetime.timedelta(days=10),
        "review_close": today + datetime.timedelta(days=20),
        "questions": ["服务特色"],
        **overrides,
    }


def make_campaign(p: Any, *, by: Any = None, opened: bool = True, **overrides: Any) -> Campaign:
    by = by or p.province_admin
    campaign = services.campaign_create(actor=actor(by), **campaign_fields(**overrides))
    if opened:
        campaign = services.campaign_open(actor=actor(by), campaign=campaign)
    return campaign


def make_entry(
    p: Any, campaign: Campaign, *, by: Any = None, term: Any = None, name: str = "慧成长动力营"
) -> Nomination:
    term = term or make_term(p, program=make_program(p, name=name))
    return services.nomination_enter(
        actor=actor(by or p.grassroots_admin),
        campaign=campaign,
        term=term,
        answers=dict.fromkeys(campaign.questions, "寓教于乐"),
        video_url="https://v.example.cn/1",
    )


class FakeRate:
    """What the daily-care app's attendance fact gives: a rate in percent, or None."""

    def __init__(self, value: str | None) -> None:
        self.value = None if value is None else Decimal(value)


GOOD_FACTS: dict[str, Any] = {
    "enrolled_count": 25,
    "attendance_rate": FakeRate("85.0"),
    "agreements_insurance": (25, 25),
    "serious_incidents": 0,
    "rectifications_open": 0,
}


@contextmanager
def facts(**given: Any) -> Iterator[None]:
    """Every term's facts are GOOD_FACTS but for `given` (None: no figure for the term)."""
    values: Mapping[str, Any] = {**GOOD_FACTS, **given}

    def loader(name: str) -> Any:
        value = values[name]
        return lambda terms: {} if value is None else {t.pk: value for t in terms}

    with compliance.overriding(facts={name: loader(name) for name in values}):
        yield


def make_reviewer(p: Any, username: str, org: Any) -> Any:
    """A user with a reviewer membership at `org`."""
    from tuoguan.accounts import services as people
    from tuoguan.orgs import services as orgs
    from tuoguan.orgs.models import Role

    user = people.user_create(username=username, real_name=f"评审{username}", password=None)
    orgs.membership_grant(actor=None, user=user, org=org, role=Role.REVIEWER)
    return user


def in_review(p: Any, campaign: Campaign, *, name: str = "慧成长动力营") -> Nomination:
    """An entry the city has recommended up to the province's review."""
    entry = make_entry(p, campaign, name=name)
    return services.nomination_decide(actor=actor(p.city_admin), entry=entry, recommend=True)


def assign(p: Any, campaign: Campaign, *users: Any) -> None:
    from tuoguan.orgs.models import Membership

    for user in users:
        membership = Membership.objects.filter(user=user).get()
        services.reviewer_add(
            actor=actor(p.province_admin), campaign=campaign, membership=membership
        )


def score(user: Any, entry: Nomination, *points: int, comment: str = "") -> Any:
    items = list(entry.campaign.rubric.all())
    return services.scorecard_submit(
        actor=actor(user),
        entry=entry,
        points={i.pk: n for i, n in zip(items, points, strict=True)},
        comment=comment,
    )
