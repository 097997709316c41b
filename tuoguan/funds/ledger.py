"""Ledgers of a union and of a class for a year: opening balance, money in, money out, balance.

All in integer fen. The opening balance is what earlier years left; each row carries the
running balance, so the last row's balance is the closing one (a test sums them).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoguan.core.xlsx import ExportWorkbook
from tuoguan.orgs.models import Org
from tuoguan.programs.models import Program

from .models import COMMITTED_STATUSES, Allocation, Budget, Expense, Grant, Payment, Refund
from .money import yuan


@dataclass(frozen=True)
class LedgerRow:
    date: datetime.date
    kind: str
    description: str
    in_fen: int
    out_fen: int
    balance_fen: int


@dataclass
class Ledger:
    title: str
    year: int
    opening_fen: int
    rows: list[LedgerRow] = field(default_factory=list)

    @property
    def in_fen(self) -> int:
        return sum(row.in_fen for row in self.rows)

    @property
    def out_fen(self) -> int:
        return sum(row.out_fen for row in self.rows)

    @property
    def balance_fen(self) -> int:
        return self.opening_fen + self.in_fen - self.out_fen


def _sum(queryset: object) -> int:
    return int(queryset.aggregate(s=Sum("amount_fen"))["s"] or 0)  # type: ignore[attr-defined]


def _build(title: str, year: int, opening: int, entries: list[tuple]) -> Ledger:
    ledger = Ledger(title=title, year=year, opening_fen=opening)
    balance = opening
    for date, kind, description, money_in, money_out in sorted(entries, key=lambda e: e[0]):
        balance += money_in - money_out
        ledger.rows.append(LedgerRow(date, kind, description, money_in, money_out, balance))
    return ledger


def _day(moment: datetime.datetime | None) -> datetime.date:
    return timezone.localdate(moment) if moment else timezone.localdate()


def union_ledger(org: Org, year: int) -> Ledger:
    """Budgets in; allocations to lower unions and approved grants out."""
    committed = Grant.objects.filter(org=org, status__in=COMMITTED_STATUSES)
    opening = (
        _sum(Budget.objects.filter(org=org, year__lt=year))
        - _sum(Allocation.objects.filter(giver=org, year__lt=year))
        - _sum(committed.filter(year__lt=year))
    )
    entries: list[tuple] = []
    for b in Budget.objects.filter(org=org, year=year).select_related("allocation__giver"):
        entries.append((_day(b.created_at), _("Budget"), b.source_text(), b.amount_fen, 0))
    for a in Allocation.objects.filter(giver=org, year=year).select_related("receiver"):
        text = _("Allocation to %(union)s") % {"union": a.receiver}
        entries.append((_day(a.created_at), _("Allocation"), text, 0, a.amount_fen))
    for g in committed.filter(year=year).select_related("program"):
        text = f"{g.program.name} · {g.get_kind_display()}"
        entries.append((_day(g.approved_at), _("Grant"), text, 0, g.amount_fen))
    return _build(str(org), year, opening, entries)


def class_ledger(program: Program, year: int) -> Ledger:
    """Grants and families' payments in; expenses and refunds out."""
    grants = Grant.objects.filter(program=program, status__in=COMMITTED_STATUSES)
    payments = Payment.objects.filter(program=program)
    refunds = Refund.objects.filter(program=program)
    expenses = Expense.objects.filter(program=program)
    opening = (
        _sum(grants.filter(year__lt=year))
        + _sum(payments.filter(paid_on__year__lt=year))
        - _sum(refunds.filter(refunded_on__year__lt=year))
        - _sum(expenses.filter(spent_on__year__lt=year))
    )
    entries: list[tuple] = []
    for g in grants.filter(year=year).select_related("org"):
        text = f"{g.org} · {g.get_kind_display()}"
        entries.append((_day(g.approved_at), _("Grant"), text, g.amount_fen, 0))
    for p in payments.filter(paid_on__year=year).select_related("enrolment__child"):
        text = f"{p.enrolment.child.name if p.enrolment else '—'} · {p.receipt_number}"
        entries.append((p.paid_on, _("Fee paid"), text, p.amount_fen, 0))
    for r in refunds.filter(refunded_on__year=year).select_related("enrolment__child"):
        child = r.enrolment.child.name if r.enrolment else "—"
        entries.append((r.refunded_on, _("Refund"), child, 0, r.amount_fen))
    for e in expenses.filter(spent_on__year=year):
        entries.append((e.spent_on, _("Expense"), e.description, 0, e.amount_fen))
    return _build(program.name, year, opening, entries)


def years_of(org: Org | None = None, program: Program | None = None) -> list[int]:
    """The years a ledger has something in, and this year."""
    years = {timezone.localdate().year}
    if org is not None:
        years |= set(Budget.objects.filter(org=org).values_list("year", flat=True))
    if program is not None:
        years |= set(Grant.objects.filter(Q(program=program)).values_list("year", flat=True))
    return sorted(years, reverse=True)


def _y(fen: int) -> Decimal:
    return Decimal(fen) / 100


def ledger_xlsx(ledger: Ledger) -> bytes:
    """The ledger as .xlsx: amounts in yuan as numbers (Decimal fen / 100), totals at the end."""
    workbook = ExportWorkbook()
    sheet = workbook.sheet(
        _("Ledger"),
        header=[_("Date"), _("Entry"), _("Description"), _("In (yuan)"), _("Out (yuan)"),
                _("Balance (yuan)")],
        widths=[12, 12, 40, 14, 14, 14],
    )  # fmt: skip
    sheet.append(["", _("Opening balance"), ledger.title, None, None, _y(ledger.opening_fen)])
    for row in ledger.rows:
        sheet.append([
            row.date.isoformat(), row.kind, row.description,
            _y(row.in_fen) if row.in_fen else None, _y(row.out_fen) if row.out_fen else None,
            _y(row.balance_fen),
        ])  # fmt: skip
    sheet.append(["", _("Total"), str(ledger.year), _y(ledger.in_fen), _y(ledger.out_fen),
                  _y(ledger.balance_fen)])  # fmt: skip
    return workbook.content()


__all__ = ["Ledger", "LedgerRow", "class_ledger", "ledger_xlsx", "union_ledger", "years_of", "yuan"]
