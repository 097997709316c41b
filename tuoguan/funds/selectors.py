"""Reads of budgets, grants, fees and expenses, scoped to who asks (funds.permissions)."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from tuoguan.enrolment.models import Enrolment, EnrolmentStatus
from tuoguan.orgs.models import Org
from tuoguan.orgs.permissions import Actor, get_or_404, subtree_q
from tuoguan.programs.models import Program
from tuoguan.programs.permissions import programs_visible_q

from .models import Allocation, Budget, BudgetYear, Expense, Grant, Payment, Refund, fee_fen_of
from .permissions import class_money_visible_q, grants_visible_q, union_money_visible_q

# Children who hold their place and owe its fee.
OWING_STATUSES = (EnrolmentStatus.ADMITTED, EnrolmentStatus.CONFIRMED)
LEFT_STATUSES = (EnrolmentStatus.WITHDRAWN, EnrolmentStatus.REMOVED)


def budgets_visible_to(actor: Actor) -> QuerySet[Budget]:
    return Budget.objects.filter(union_money_visible_q(actor)).select_related(
        "org", "allocation__giver"
    )


def budget_years_visible_to(actor: Actor) -> QuerySet[BudgetYear]:
    return BudgetYear.objects.filter(union_money_visible_q(actor)).select_related("org")


def budget_year_of(org: Org, year: int) -> BudgetYear:
    """The union's year as it stands (unsaved and empty when nothing was budgeted)."""
    return BudgetYear.objects.filter(org=org, year=year).first() or BudgetYear(org=org, year=year)


def allocations_visible_to(actor: Actor) -> QuerySet[Allocation]:
    return Allocation.objects.filter(
        union_money_visible_q(actor, "giver__path") | union_money_visible_q(actor, "receiver__path")
    ).select_related("giver", "receiver")


def grants_visible_to(actor: Actor) -> QuerySet[Grant]:
    return Grant.objects.filter(grants_visible_q(actor)).select_related("org", "program__host")


def grant_for(actor: Actor, pk: Any) -> Grant:
    return get_or_404(grants_visible_to(actor), pk=pk)


def program_for(actor: Actor, pk: Any) -> Program:
    return get_or_404(
        Program.objects.filter(programs_visible_q(actor)).select_related("host"), pk=pk
    )


def grantable_programs(actor: Actor, org: Org) -> QuerySet[Program]:
    return Program.objects.filter(programs_visible_q(actor), host__path__startswith=org.path)


def lower_unions(actor: Actor, org: Org) -> QuerySet[Org]:
    return Org.objects.filter(subtree_q(actor), path__startswith=org.path, is_active=True).exclude(
        pk=org.pk
    )


def expenses_visible_to(actor: Actor) -> QuerySet[Expense]:
    return Expense.objects.filter(class_money_visible_q(actor)).select_related("program__host")


def expense_for(actor: Actor, pk: Any) -> Expense:
    return get_or_404(expenses_visible_to(actor), pk=pk)


def payments_visible_to(actor: Actor) -> QuerySet[Payment]:
    """Staff: the payments of classes they see; a family: its own."""
    return Payment.objects.filter(
        class_money_visible_q(actor, "program__host__path")
        | Q(enrolment__guardian__user=actor.user)
    ).select_related("enrolment__child", "program")


def enrolment_for(actor: Actor, pk: Any) -> Enrolment:
    """An enrolment of a class the actor's staff sees (not a family's view)."""
    return get_or_404(
        Enrolment.objects.filter(
            class_money_visible_q(actor, "term__program__host__path")
        ).select_related("term__program__host", "child", "guardian"),
        pk=pk,
    )


@dataclass
class FeeRow:
    enrolment: Enrolment
    due_fen: int
    paid_fen: int
    refunded_fen: int | None

    @property
    def outstanding_fen(self) -> int:
        if self.enrolment.status not in OWING_STATUSES:
            return 0
        return max(self.due_fen - self.paid_fen, 0)

    @property
    def may_refund(self) -> bool:
        return (
            self.enrolment.status in LEFT_STATUSES
            and self.refunded_fen is None
            and self.paid_fen > 0
        )


def _fee_rows(enrolments: QuerySet[Enrolment]) -> list[FeeRow]:
    rows = list(
        enrolments.select_related("child", "guardian", "term__program").annotate(
            paid=Coalesce(Sum("funds_payments__amount_fen"), 0)
        )
    )
    refunds = dict(
        Refund.objects.filter(enrolment__in=[e.pk for e in rows]).values_list(
            "enrolment_id", "amount_fen"
        )
    )
    return [
        FeeRow(
            enrolment=e,
            due_fen=fee_fen_of(e.term.program),
            paid_fen=int(e.paid),  # type: ignore[attr-defined]
            refunded_fen=refunds.get(e.pk),
        )
        for e in rows
    ]


def fee_rows(program: Program) -> list[FeeRow]:
    """Every child holding or having left a place in the class, with what is due and paid."""
    return _fee_rows(
        Enrolment.objects.filter(
            term__program=program, status__in=(*OWING_STATUSES, *LEFT_STATUSES)
        ).order_by("term__start_date", "pk")
    )


def family_fee_rows(actor: Actor) -> list[FeeRow]:
    return [
        row
        for row in _fee_rows(
            Enrolment.objects.filter(
                guardian__user=actor.user, status__in=(*OWING_STATUSES, *LEFT_STATUSES)
            ).order_by("-term__start_date", "pk")
        )
        if row.due_fen > 0
    ]


def family_payments(actor: Actor) -> QuerySet[Payment]:
    return (
        Payment.objects.filter(enrolment__guardian__user=actor.user)
        .select_related("enrolment__child", "enrolment__term__program")
        .order_by("-paid_on", "-pk")
    )


def enrolments_of_books(actor: Actor) -> QuerySet[Enrolment]:
    """Enrolments of classes the actor's staff sees (a payment's or refund's choice)."""
    return Enrolment.objects.filter(class_money_visible_q(actor, "term__program__host__path"))
