"""Entries travel upward: the class enters, each union recommends within its quota."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from tuoguan.awards import services
from tuoguan.awards.models import NominationStatus
from tuoguan.programs.tests.factories import image_upload, make_program, make_term

from .factories import actor, make_campaign, make_entry

pytestmark = pytest.mark.django_db


def client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def api(user) -> APIClient:
    c = APIClient()
    c.force_login(user)
    return c


def test_a_class_enters_with_its_answers_and_waits_at_the_union_above_its_host(personas):
    campaign = make_campaign(personas)
    term = make_term(personas)
    response = client(personas.grassroots_admin).post(
        reverse("awards:entry_create", args=[campaign.pk]),
        {
            "term": term.pk,
            "answer_0": "职工子女暑期托管，寓教于乐",
            "video_url": "https://v.example.cn/2",
            "file": image_upload(),
        },
    )
    entry = campaign.entries.get()
    assert response.status_code == 302
    assert entry.holder == personas.county and entry.status == NominationStatus.PENDING
    assert entry.answers == {"服务特色": "职工子女暑期托管，寓教于乐"}
    material = entry.files.get()
    assert material.content_type == "image/jpeg"
    served = client(personas.city_admin).get(reverse("awards:material", args=[material.pk]))
    assert served.status_code == 200
    assert (
        client(personas.outsider).get(reverse("awards:material", args=[material.pk])).status_code
        == 404
    )


def test_an_entry_must_answer_every_question(personas):
    campaign = make_campaign(personas)
    with pytest.raises(ValidationError):
        services.nomination_enter(
            actor=actor(personas.grassroots_admin), campaign=campaign, term=make_term(personas),
            answers={},
        )  # fmt: skip


def test_a_class_enters_a_campaign_once(personas):
    campaign = make_campaign(personas)
    entry = make_entry(personas, campaign)
    with pytest.raises(ValidationError):
        make_entry(personas, campaign, term=make_term(personas, program=entry.program, name="二期"))


def test_a_draft_campaign_takes_no_entries(personas):
    campaign = make_campaign(personas, opened=False)
    with pytest.raises(PermissionDenied):
        make_entry(personas, campaign)


def test_a_class_outside_the_organisers_subtree_cannot_enter(personas):
    campaign = make_campaign(personas, by=personas.city_admin)
    foreign = make_program(personas, by=personas.outsider, host=personas.other_grassroots_far)
    with pytest.raises(PermissionDenied):
        make_entry(personas, campaign, by=personas.outsider, term=make_term(
            personas, by=personas.outsider, program=foreign))  # fmt: skip


def test_the_city_recommends_the_entry_and_it_reaches_the_province_for_review(personas):
    campaign = make_campaign(personas)
    entry = make_entry(personas, campaign)
    response = client(personas.city_admin).post(
        reverse("awards:entry_decide", args=[entry.pk]), {"recommend": "yes", "note": "择优推荐"}
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == NominationStatus.IN_REVIEW and entry.holder == personas.province
    step = entry.steps.get()
    assert step.org == personas.city and step.recommended and step.by == personas.city_admin


def test_neither_the_class_nor_the_organiser_recommends_and_the_reviewer_may_not(personas):
    campaign = make_campaign(personas)
    entry = make_entry(personas, campaign)
    for user in (personas.grassroots_admin, personas.province_admin, personas.reviewer):
        url = reverse("awards:entry_decide", args=[entry.pk])
        assert client(user).post(url, {"recommend": "yes"}).status_code == 403
    assert client(personas.outsider).get(url).status_code == 404


def test_a_union_recommends_no_more_than_its_quota(personas):
    campaign = make_campaign(personas, recommend_quota=2)
    entries = [make_entry(personas, campaign, name=f"第{i}班") for i in range(3)]
    city = actor(personas.city_admin)
    for entry in entries[:2]:
        services.nomination_decide(actor=city, entry=entry, recommend=True)
    with pytest.raises(ValidationError, match="2"):
        services.nomination_decide(actor=city, entry=entries[2], recommend=True)
    entries[2].refresh_from_db()
    assert entries[2].status == NominationStatus.PENDING


def test_not_recommending_says_why(personas):
    campaign = make_campaign(personas)
    entry = make_entry(personas, campaign)
    city = actor(personas.city_admin)
    with pytest.raises(ValidationError):
        services.nomination_decide(actor=city, entry=entry, recommend=False)
    declined = services.nomination_decide(actor=city, entry=entry, recommend=False, note="人数不足")
    assert declined.status == NominationStatus.DECLINED


def test_the_list_of_entries_to_decide_shows_only_the_unions_own(personas):
    campaign = make_campaign(personas)
    entry = make_entry(personas, campaign)
    page = client(personas.city_admin).get(reverse("awards:entries_to_decide")).content.decode()
    assert entry.program.name in page
    page = client(personas.province_admin).get(reverse("awards:entries_to_decide")).content.decode()
    assert entry.program.name not in page


def test_the_api_enters_recommends_and_reports_eligibility(personas):
    campaign = make_campaign(personas)
    term = make_term(personas)
    created = api(personas.grassroots_admin).post(
        "/api/v1/entries/",
        {"campaign": campaign.pk, "term": term.pk, "answers": {"服务特色": "寓教于乐"}},
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["holder"] == personas.county.pk
    assert {r["kind"] for r in body["eligibility"]["results"]} >= {"children", "attendance"}
    decided = api(personas.city_admin).post(
        f"/api/v1/entries/{body['id']}/decide/", {"recommend": True}, format="json"
    )
    assert decided.json()["status"] == "in_review"
    assert api(personas.outsider).get(f"/api/v1/entries/{body['id']}/").status_code == 404


def test_the_class_withdraws_its_entry(personas):
    campaign = make_campaign(personas)
    entry = make_entry(personas, campaign)
    response = client(personas.grassroots_admin).post(
        reverse("awards:entry_withdraw", args=[entry.pk])
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == NominationStatus.WITHDRAWN
