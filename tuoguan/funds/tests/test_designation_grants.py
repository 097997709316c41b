"""Designation grants of a campaign in one step: one approved grant per designation, or none."""

import pytest
from django.core.exceptions import ValidationError

from tuoguan.awards.models import Designation
from tuoguan.awards.tests.factories import make_campaign
from tuoguan.funds import services
from tuoguan.funds.models import Grant, GrantKind, GrantStatus
from tuoguan.funds.selectors import budget_year_of
from tuoguan.programs import designations
from tuoguan.programs.tests.factories import make_program

from .factories import YEAR, actor, budget

pytestmark = pytest.mark.django_db


def designated(p, count, **campaign):
    chosen = make_campaign(p, **campaign)
    for n in range(count):
        Designation.objects.create(
            program=make_program(p, name=f"示范班{n}"), level=chosen.level, year=chosen.year,
            campaign=chosen, org=chosen.organiser,
        )  # fmt: skip
    return f"c{chosen.pk}"


def create(p, key, **extra):
    return services.designation_grants_create(
        actor=actor(p.province_admin), org=p.province, key=key, year=YEAR, **extra
    )


def test_each_designation_of_the_campaign_gets_its_approved_grant(personas):
    budget(personas, 100_000)
    key = designated(personas, 3)
    made = create(personas, key)
    assert len(made) == 3
    assert {g.kind for g in made} == {GrantKind.DESIGNATION}
    assert {g.status for g in made} == {GrantStatus.APPROVED}
    assert {g.amount_fen for g in made} == {3_000_000}
    assert budget_year_of(personas.province, YEAR).committed_fen == 9_000_000


def test_the_grants_are_refused_whole_when_the_budget_cannot_cover_all(personas):
    budget(personas, 89_999)
    key = designated(personas, 3)
    with pytest.raises(ValidationError) as refused:
        create(personas, key)
    assert "89,999.00" in " ".join(refused.value.messages)
    assert not Grant.objects.exists()
    assert budget_year_of(personas.province, YEAR).committed_fen == 0


def test_a_second_run_grants_only_what_is_not_granted_yet(personas):
    budget(personas, 200_000)
    key = designated(personas, 2)
    create(personas, key)
    with pytest.raises(ValidationError, match="已"):
        create(personas, key)
    assert Grant.objects.count() == 2


def test_the_amount_may_be_given_when_the_campaign_names_none(personas):
    budget(personas, 100_000)
    key = designated(personas, 2, grant_fen=0)
    with pytest.raises(ValidationError):
        create(personas, key)
    assert {g.amount_fen for g in create(personas, key, amount_fen=1_000_000)} == {1_000_000}


def test_another_provinces_campaign_is_not_granted_from_here(personas):
    budget(personas, 100_000)
    key = designated(personas, 1, by=personas.outsider, title="四川示范点")
    with pytest.raises(ValidationError):
        create(personas, key)


def test_without_a_provider_designations_are_not_available(personas):
    budget(personas, 100_000)
    key = designated(personas, 1)
    saved = list(designations._providers)
    designations._providers.clear()
    try:
        with pytest.raises(ValidationError, match="无法获取"):
            create(personas, key)
    finally:
        designations._providers.extend(saved)
