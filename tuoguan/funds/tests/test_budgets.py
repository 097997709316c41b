"""Budgets and allocations: a union never commits more than its budget of the year."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tuoguan.funds import services
from tuoguan.funds.models import Budget, BudgetSource, BudgetYear, GrantStatus
from tuoguan.funds.selectors import budget_year_of

from .factories import YEAR, actor, budget, grant

pytestmark = pytest.mark.django_db


def test_budgets_of_a_year_add_up_in_the_union_year(personas):
    budget(personas, 200_000)
    services.budget_add(
        actor=actor(personas.province_admin), org=personas.province, year=YEAR,
        source=BudgetSource.GOVERNMENT, amount_fen=100_000_00,
    )  # fmt: skip
    row = budget_year_of(personas.province, YEAR)
    assert (row.total_fen, row.committed_fen) == (300_000_00, 0)


def test_exactly_the_balance_is_accepted_and_one_fen_more_refused(personas):
    budget(personas, 1_000)
    first = grant(personas, 60_000)
    services.grant_approve(actor=actor(personas.province_admin), grant=first)
    too_much = grant(personas, 40_001)
    with pytest.raises(ValidationError) as refused:
        services.grant_approve(actor=actor(personas.province_admin), grant=too_much)
    assert "400.00" in str(refused.value) and "400.01" in str(refused.value)
    exact = grant(personas, 40_000)
    services.grant_approve(actor=actor(personas.province_admin), grant=exact)
    row = budget_year_of(personas.province, YEAR)
    assert row.committed_fen == row.total_fen == 100_000
    too_much.refresh_from_db()
    assert too_much.status == GrantStatus.PENDING


def test_the_refusal_shows_the_remaining_balance_in_yuan_formatted(personas):
    budget(personas, 1_234_567)
    big = grant(personas, 2_000_000_00)
    with pytest.raises(ValidationError) as refused:
        services.grant_approve(actor=actor(personas.province_admin), grant=big)
    assert "1,234,567.00" in " ".join(refused.value.messages)


def test_a_union_without_a_budget_commits_nothing(personas):
    with pytest.raises(ValidationError, match=r"0\.00"):
        services.grant_approve(actor=actor(personas.province_admin), grant=grant(personas, 1))


def test_the_database_refuses_overcommitment_whatever_the_code(personas):
    from django.db import IntegrityError, transaction
    from django.db.models import F

    budget(personas, 10)
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetYear.objects.filter(org=personas.province).update(committed_fen=F("total_fen") + 1)


def test_an_allocation_is_committed_here_and_becomes_budget_below(personas):
    budget(personas, 100_000)
    allocation = services.allocation_create(
        actor=actor(personas.province_admin), giver=personas.province, receiver=personas.city,
        year=YEAR, amount_fen=30_000_00, note="示范点专项",
    )  # fmt: skip
    assert budget_year_of(personas.province, YEAR).remaining_fen == 70_000_00
    received = Budget.objects.get(org=personas.city)
    assert received.source == BudgetSource.ALLOCATION and received.allocation == allocation
    assert "辽宁" in received.source_text()
    assert budget_year_of(personas.city, YEAR).total_fen == 30_000_00


def test_an_allocation_beyond_the_budget_is_refused_and_gives_nothing_below(personas):
    budget(personas, 100)
    with pytest.raises(ValidationError, match=r"100\.00"):
        services.allocation_create(
            actor=actor(personas.province_admin), giver=personas.province,
            receiver=personas.city, year=YEAR, amount_fen=100_01,
        )  # fmt: skip
    assert not Budget.objects.filter(org=personas.city).exists()


def test_allocations_go_down_the_tree_only(personas):
    budget(personas, 100, org=personas.city, by=personas.city_admin)
    with pytest.raises(ValidationError):
        services.allocation_create(
            actor=actor(personas.city_admin), giver=personas.city, receiver=personas.city,
            year=YEAR, amount_fen=1,
        )  # fmt: skip
    with pytest.raises(ValidationError, match="下级"):
        services.allocation_create(
            actor=actor(personas.city_admin), giver=personas.city, receiver=personas.province,
            year=YEAR, amount_fen=1,
        )  # fmt: skip


@pytest.mark.parametrize("amount", [0, -5, 10**13])
def test_a_budget_of_no_money_negative_or_huge_is_refused(personas, amount):
    with pytest.raises(ValidationError):
        services.budget_add(
            actor=actor(personas.province_admin), org=personas.province, year=YEAR,
            source=BudgetSource.DONATIONS, amount_fen=amount,
        )  # fmt: skip


def test_a_reviewer_and_an_outsider_add_no_budget(personas):
    for user in (personas.reviewer, personas.outsider, personas.caregiver):
        with pytest.raises(PermissionDenied):
            budget(personas, 1, by=user)
