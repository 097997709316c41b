"""Campaigns: who opens them, their default conditions and rubric, and their API twin."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from tuoguan.awards import services
from tuoguan.awards.models import CampaignStatus, Condition, ConditionKind

from .factories import actor, campaign_fields, make_campaign

pytestmark = pytest.mark.django_db


def client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def api(user) -> APIClient:
    c = APIClient()
    c.force_login(user)
    return c


def test_a_new_campaign_starts_with_the_domain_conditions_and_a_100_point_rubric(personas):
    campaign = make_campaign(personas, opened=False)
    conditions = {c.kind: (c.threshold, c.is_veto) for c in campaign.conditions.all()}
    assert conditions == {
        ConditionKind.CHILDREN: (Decimal(20), False),
        ConditionKind.CARE_DAYS: (Decimal(20), False),
        ConditionKind.ATTENDANCE: (Decimal(70), False),
        ConditionKind.PAPERWORK: (Decimal(100), True),
        ConditionKind.INCIDENTS: (Decimal(0), True),
        ConditionKind.RECTIFICATIONS: (Decimal(0), False),
    }
    assert campaign.rubric_total() == 100
    assert campaign.organiser == personas.province and campaign.level == 1
    assert campaign.status == CampaignStatus.DRAFT


def test_only_an_admin_of_a_city_province_or_national_union_opens_a_campaign(personas):
    for user in (personas.grassroots_admin, personas.reviewer, personas.caregiver):
        with pytest.raises(PermissionDenied):
            services.campaign_create(actor=actor(user), **campaign_fields())
    city = services.campaign_create(actor=actor(personas.city_admin), **campaign_fields())
    assert city.level == 2 and city.organiser == personas.city


def test_a_union_runs_one_campaign_a_year(personas):
    make_campaign(personas)
    with pytest.raises(ValidationError) as refused:
        services.campaign_create(actor=actor(personas.province_admin), **campaign_fields())
    assert "year" in refused.value.error_dict


def test_entries_must_close_after_they_open(personas):
    fields = campaign_fields()
    fields["applications_close"] = fields["applications_open"] - datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        services.campaign_create(actor=actor(personas.province_admin), **fields)
    assert "applications_close" in refused.value.error_dict


def test_the_organiser_makes_a_condition_a_veto_and_moves_its_threshold(personas):
    campaign = make_campaign(personas, opened=False)
    children = campaign.conditions.get(kind=ConditionKind.CHILDREN)
    response = client(personas.province_admin).post(
        reverse("awards:condition_edit", args=[children.pk]),
        {"threshold": "10", "is_veto": "on"},
    )
    assert response.status_code == 302
    children.refresh_from_db()
    assert (children.threshold, children.is_veto) == (Decimal(10), True)


def test_a_lower_admin_sees_the_campaign_but_may_not_change_it(personas):
    campaign = make_campaign(personas, opened=False)
    page = client(personas.city_admin).get(reverse("awards:campaign_detail", args=[campaign.pk]))
    assert page.status_code == 200 and campaign.title in page.content.decode()
    edit = client(personas.city_admin).get(reverse("awards:campaign_edit", args=[campaign.pk]))
    assert edit.status_code == 403


def test_another_province_does_not_see_the_campaign(personas):
    campaign = make_campaign(personas)
    page = client(personas.outsider).get(reverse("awards:campaign_detail", args=[campaign.pk]))
    assert page.status_code == 404
    listed = api(personas.outsider).get("/api/v1/campaigns/").json()
    assert campaign.pk not in [row["id"] for row in listed["results"]]


def test_the_rubric_is_replaced_from_its_lines(personas):
    campaign = make_campaign(personas, opened=False)
    response = client(personas.province_admin).post(
        reverse("awards:rubric_edit", args=[campaign.pk]), {"items": "安全管理 40\n特色亮点 60"}
    )
    assert response.status_code == 302
    assert [(i.name, i.points) for i in campaign.rubric.all()] == [
        ("安全管理", 40),
        ("特色亮点", 60),
    ]


def test_a_campaign_in_review_keeps_its_rules(personas):
    campaign = make_campaign(personas)
    type(campaign).objects.filter(pk=campaign.pk).update(status=CampaignStatus.REVIEW)
    condition = Condition.objects.get(campaign=campaign, kind=ConditionKind.CHILDREN)
    with pytest.raises(ValidationError):
        services.condition_update(
            actor=actor(personas.province_admin),
            condition=condition,
            threshold=Decimal(1),
            is_veto=False,
        )


def test_the_api_creates_opens_and_sets_a_condition(personas):
    c = api(personas.province_admin)
    fields = campaign_fields()
    body = {**fields, **{k: fields[k].isoformat() for k in fields if k.endswith(("open", "close"))}}
    created = c.post("/api/v1/campaigns/", body, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert c.post(f"/api/v1/campaigns/{pk}/open/").json()["status"] == "open"
    changed = c.post(
        f"/api/v1/campaigns/{pk}/conditions/attendance/",
        {"threshold": "75.0", "is_veto": True},
        format="json",
    )
    assert changed.status_code == 200
    attendance = next(x for x in changed.json()["conditions"] if x["kind"] == "attendance")
    assert attendance["threshold"] == "75.0" and attendance["is_veto"] is True
    refused = api(personas.city_admin).post(f"/api/v1/campaigns/{pk}/open/")
    assert refused.status_code == 403
