"""The public notice, objections, designations and their revocation."""

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tuoguan.awards import notice, services
from tuoguan.awards.models import (
    CampaignStatus,
    Designation,
    NominationStatus,
    Objection,
    ObjectionStatus,
)
from tuoguan.programs import compliance
from tuoguan.programs.tests.factories import make_term

from .factories import actor, assign, facts, in_review, make_campaign, make_entry, score

pytestmark = pytest.mark.django_db
OBJECTION: dict[str, Any] = {
    "name": "王职工",
    "phone": "13900001111",
    "text": "该班实际托管人数不足二十人，材料不实。",
}


def start(personas, campaign):
    return services.campaign_start_review(actor=actor(personas.province_admin), campaign=campaign)


@pytest.fixture
def on_notice(personas):
    """Two entries scored; with a quota of one, the better goes on notice."""
    campaign = make_campaign(personas, quota=1)
    best, other = (
        in_review(personas, campaign, name="一班"),
        in_review(personas, campaign, name="二班"),
    )
    assign(personas, campaign, personas.reviewer)
    start(personas, campaign)
    with facts():
        score(personas.reviewer, best, 30, 30, 20, 20)
        score(personas.reviewer, other, 10, 10, 10, 10)
        notice.campaign_publish_notice(actor=actor(personas.province_admin), campaign=campaign)
    best.refresh_from_db()
    other.refresh_from_db()
    return best, other


def ended(campaign):
    """As if the notice period had run out."""
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    type(campaign).objects.filter(pk=campaign.pk).update(
        notice_starts=yesterday - datetime.timedelta(days=6), notice_ends=yesterday
    )


def test_the_notice_lists_only_the_entries_within_the_quota_with_frozen_ranks(personas, on_notice):
    best, other = on_notice
    assert (best.status, best.rank, str(best.average)) == (NominationStatus.ON_NOTICE, 1, "100.00")
    assert other.status == NominationStatus.IN_REVIEW and other.rank is None
    page = Client().get(reverse("awards:notice", args=[best.campaign_id])).content.decode()
    assert "一班" in page and "二班" not in page


def test_a_notice_not_yet_published_is_not_public(personas):
    campaign = make_campaign(personas)
    assert Client().get(reverse("awards:notice", args=[campaign.pk])).status_code == 404


def test_anyone_objects_with_contact_details_and_the_admin_reads_them(personas, on_notice):
    best, _other = on_notice
    response = Client().post(reverse("awards:objection_create", args=[best.pk]), OBJECTION)
    assert response.status_code == 302
    objection = Objection.objects.get()
    assert (objection.phone, objection.status) == ("13900001111", ObjectionStatus.OPEN)
    c = Client()
    c.force_login(personas.province_admin)
    page = c.get(reverse("awards:objection_list", args=[best.campaign_id])).content.decode()
    assert "13900001111" in page and "材料不实" in page


def test_an_objection_without_a_valid_phone_or_reason_is_refused(personas, on_notice):
    best, _other = on_notice
    with pytest.raises(ValidationError) as refused:
        notice.objection_lodge(entry=best, name="王", phone="abc", text="短", address="1.2.3.4")
    assert {"phone", "text"} <= set(refused.value.error_dict)


def test_one_address_lodges_at_most_five_objections_an_hour(personas, on_notice):
    best, _other = on_notice
    for i in range(5):
        notice.objection_lodge(
            entry=best, address="10.0.0.1", **{**OBJECTION, "phone": f"1390000{i:04d}"}
        )
    with pytest.raises(ValidationError):
        notice.objection_lodge(
            entry=best, address="10.0.0.1", **{**OBJECTION, "phone": "13911112222"}
        )
    notice.objection_lodge(entry=best, address="10.0.0.2", **{**OBJECTION, "phone": "13911112222"})
    assert Objection.objects.count() == 6


def test_objections_are_taken_only_during_the_notice(personas, on_notice):
    best, _other = on_notice
    ended(best.campaign)
    best.refresh_from_db()
    with pytest.raises(ValidationError):
        notice.objection_lodge(entry=best, address="10.0.0.1", **OBJECTION)


def test_an_upheld_objection_removes_the_entry(personas, on_notice):
    best, _other = on_notice
    objection = notice.objection_lodge(entry=best, address="10.0.0.1", **OBJECTION)
    c = Client()
    c.force_login(personas.province_admin)
    response = c.post(
        reverse("awards:objection_answer", args=[objection.pk]),
        {"upheld": "yes", "answer": "经核查属实，取消推荐。"},
    )
    assert response.status_code == 302
    best.refresh_from_db()
    objection.refresh_from_db()
    assert best.status == NominationStatus.REMOVED
    assert (
        objection.status == ObjectionStatus.UPHELD
        and objection.answered_by == personas.province_admin
    )


def test_a_reviewer_reads_the_campaign_but_may_not_answer_objections(personas, on_notice):
    best, _other = on_notice
    objection = notice.objection_lodge(entry=best, address="10.0.0.1", **OBJECTION)
    c = Client()
    c.force_login(personas.reviewer)
    assert c.get(reverse("awards:objection_answer", args=[objection.pk])).status_code == 403
    c.force_login(personas.outsider)
    assert c.get(reverse("awards:objection_answer", args=[objection.pk])).status_code == 404


def test_designation_waits_for_the_end_of_the_notice_and_every_answer(personas, on_notice):
    best, _other = on_notice
    admin = actor(personas.province_admin)
    with pytest.raises(ValidationError):
        notice.campaign_designate(actor=admin, campaign=best.campaign)
    objection = notice.objection_lodge(entry=best, address="10.0.0.1", **OBJECTION)
    ended(best.campaign)
    with pytest.raises(ValidationError):
        notice.campaign_designate(actor=admin, campaign=best.campaign)
    notice.objection_answer(actor=admin, objection=objection, upheld=False, answer="经核查不属实。")
    made = notice.campaign_designate(actor=admin, campaign=best.campaign)
    assert [(d.program_id, d.level, d.year) for d in made] == [(best.program_id, 1, 2026)]
    best.refresh_from_db()
    assert best.status == NominationStatus.DESIGNATED
    assert best.campaign.status == CampaignStatus.CLOSED


def designated(personas, on_notice):
    best, _other = on_notice
    ended(best.campaign)
    return notice.campaign_designate(actor=actor(personas.province_admin), campaign=best.campaign)[
        0
    ]


def test_the_public_list_shows_designations_by_region_level_and_year(personas, on_notice):
    designation = designated(personas, on_notice)
    url = reverse("awards:designation_list")
    page = Client().get(url, {"region": personas.province.pk, "level": 1, "year": 2026})
    assert designation.program.name in page.content.decode()
    other = Client().get(url, {"region": personas.other_province.pk}).content.decode()
    assert designation.program.name not in other
    listed = APIClient().get("/api/v1/designations/", {"year": 2026}).json()
    assert [row["id"] for row in listed["results"]] == [designation.pk]


def test_revoking_a_designation_is_audited_with_its_reason(personas, on_notice):
    from tuoguan.audit.models import AuditEntry

    designation = designated(personas, on_notice)
    with pytest.raises(PermissionDenied):
        notice.designation_revoke(
            actor=actor(personas.city_admin), designation=designation, reason="x"
        )
    with pytest.raises(ValidationError):
        notice.designation_revoke(
            actor=actor(personas.province_admin), designation=designation, reason=" "
        )
    notice.designation_revoke(
        actor=actor(personas.province_admin), designation=designation, reason="发生较大安全事故"
    )
    designation.refresh_from_db()
    assert designation.revoked_reason == "发生较大安全事故" and not designation.is_active
    audited = AuditEntry.objects.filter(
        action="update", model="awards.Designation", object_id=str(designation.pk)
    ).get()
    assert "revoked_reason" in audited.changed_fields
    assert designation.revoked_by == personas.province_admin
    assert Designation.objects.filter(revoked_at__isnull=True).count() == 0


def test_a_national_campaign_takes_only_classes_designated_by_their_province(personas, on_notice):
    designation = designated(personas, on_notice)
    from tuoguan.accounts import services as people
    from tuoguan.orgs import services as orgs
    from tuoguan.orgs.models import Role

    national_admin = people.user_create(username="qz", real_name="全总管理员", password=None)
    orgs.membership_grant(
        actor=None, user=national_admin, org=personas.national, role=Role.UNION_ADMIN
    )
    national = make_campaign(personas, by=national_admin, requires_lower_designation=True,
                             title="2026年度全国工会爱心托管班")  # fmt: skip
    with pytest.raises(ValidationError):
        make_entry(personas, national)  # an undesignated class
    entry = make_entry(personas, national, term=make_term(personas, program=designation.program))
    assert entry.program == designation.program


def test_the_designation_is_a_fact_for_later_apps(personas, on_notice):
    designation = designated(personas, on_notice)
    term = designation.program.terms.first()
    assert compliance.fact(term, "designations") == [(1, 2026)]
