"""Budgets and allocations, and the one commitment every grant and allocation goes through."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from tuoguan.orgs.models import Org
from tuoguan.orgs.permissions import Actor

from ..models import YEAR_VALIDATORS, Allocation, Budget, BudgetSource, BudgetYear
from ..money import check_fen, yuan
from ..permissions import can_allocate, can_manage_budget

# The writable fields of a budget: the form, the serializer and the service read them here.
BUDGET_FIELDS = ("year", "source", "amount_fen", "note")


def _check_year(year: Any) -> int:
    try:
        number = int(year)
        for validator in YEAR_VALIDATORS:
            validator(number)
    except (TypeError, ValueError, ValidationError) as exc:
        raise ValidationError({"year": _("Give a year between 2000 and 2100.")}) from exc
    return number


def budget_year(org: Org, year: int) -> BudgetYear:
    row, _created = BudgetYear.objects.get_or_create(org=org, year=year)
    return row


def overcommit_message(org: Org, year: int, remaining_fen: int, asked_fen: int) -> str:
    return _(
        "The %(year)s budget of %(union)s cannot cover this: %(remaining)s yuan remain "
        "uncommitted, %(asked)s yuan are asked."
    ) % {"year": year, "union": org, "remaining": yuan(remaining_fen), "asked": yuan(asked_fen)}


def commit(*, org: Org, year: int, amount_fen: int, field: str = "amount_fen") -> None:
    """Commit `amount_fen` against the union's budget of `year`, or refuse with what remains.

    One conditional UPDATE: concurrent commitments queue on the row and each sees the
    others' (PostgreSQL re-reads the WHERE after the lock); the CHECK constraint is the last line.
    """
    budget_year(org, year)
    done = BudgetYear.objects.filter(
        org=org, year=year, committed_fen__lte=F("total_fen") - amount_fen
    ).update(committed_fen=F("committed_fen") + amount_fen)
    if not done:
        row = BudgetYear.objects.get(org=org, year=year)
        raise ValidationError({field: overcommit_message(org, year, row.remaining_fen, amount_fen)})


def _add_to_budget(org: Org, year: int, amount_fen: int) -> None:
    budget_year(org, year)
    BudgetYear.objects.filter(org=org, year=year).update(total_fen=F("total_fen") + amount_fen)


@transaction.atomic
def budget_add(
    *, actor: Actor, org: Org, year: int, source: str, amount_fen: int, note: str = ""
) -> Budget:
    """Set money aside for childcare in `year`, from one source (专项资金)."""
    if not can_manage_budget(actor, org):
        raise PermissionDenied
    year = _check_year(year)
    if source not in BudgetSource.values or source == BudgetSource.ALLOCATION:
        raise ValidationError({"source": _("Choose where the money comes from.")})
    check_fen(amount_fen)
    budget = Budget.objects.create(
        org=org, year=year, source=source, amount_fen=amount_fen, note=note.strip()[:200],
        created_by=actor.user,
    )  # fmt: skip
    _add_to_budget(org, year, amount_fen)
    return budget


@transaction.atomic
def allocation_create(
    *, actor: Actor, giver: Org, receiver: Org, year: int, amount_fen: int, note: str = ""
) -> Allocation:
    """Pass money down to a lower union: committed here, budget there ("allocation from …")."""
    if not can_allocate(actor, giver, receiver):
        if can_manage_budget(actor, giver):
            raise ValidationError({"receiver": _("Allocate only to a union below yours.")})
        raise PermissionDenied
    year = _check_year(year)
    check_fen(amount_fen)
    commit(org=giver, year=year, amount_fen=amount_fen)
    allocation = Allocation.objects.create(
        giver=giver, receiver=receiver, year=year, amount_fen=amount_fen,
        note=note.strip()[:200], created_by=actor.user,
    )  # fmt: skip
    Budget.objects.create(
        org=receiver, year=year, source=BudgetSource.ALLOCATION, amount_fen=amount_fen,
        note=note.strip()[:200], allocation=allocation, created_by=actor.user,
    )  # fmt: skip
    _add_to_budget(receiver, year, amount_fen)
    return allocation
