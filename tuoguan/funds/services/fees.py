"""Fees of a class: payments recorded, refunds computed by the class's rule, reminders sent."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoguan.enrolment.models import Enrolment, EnrolmentStatus
from tuoguan.notifications.services import notify
from tuoguan.orgs.permissions import Actor
from tuoguan.programs.calendar import care_days
from tuoguan.programs.models import Program

from ..models import FeeRule, Payment, PaymentMethod, Refund, RefundRule, fee_fen_of
from ..money import check_fen, yuan
from ..permissions import can_keep_class_books, can_set_fee_rule

PAYMENT_FIELDS = ("amount_fen", "method", "receipt_number", "paid_on")
# Enrolments that have left the class; only these are refunded.
LEFT_STATUSES = (EnrolmentStatus.WITHDRAWN, EnrolmentStatus.REMOVED)


def refund_rule_of(program: Program) -> str:
    rule = FeeRule.objects.filter(program=program).values_list("refund", flat=True).first()
    return str(rule or RefundRule.PRO_RATA)


@transaction.atomic
def fee_rule_set(*, actor: Actor, program: Program, refund: str) -> FeeRule:
    if not can_set_fee_rule(actor, program):
        raise PermissionDenied
    if refund not in RefundRule.values:
        raise ValidationError({"refund": _("Choose a refund rule.")})
    rule, _created = FeeRule.objects.get_or_create(program=program, defaults={"refund": refund})
    if rule.refund != refund:
        rule.refund = refund
        rule.save()
    return rule


def paid_fen(enrolment: Enrolment) -> int:
    total = Payment.objects.filter(enrolment=enrolment).aggregate(s=Sum("amount_fen"))["s"]
    return int(total or 0)


@transaction.atomic
def payment_record(
    *,
    actor: Actor,
    enrolment: Enrolment,
    amount_fen: int,
    method: str,
    receipt_number: str,
    paid_on: datetime.date,
) -> Payment:
    """Record what a family paid (online payment is out of scope: the class records it)."""
    program = enrolment.term.program
    if not can_keep_class_books(actor, program):
        raise PermissionDenied
    if fee_fen_of(program) <= 0:
        raise ValidationError(_("This class is free: there is nothing to pay."))
    check_fen(amount_fen)
    if method not in PaymentMethod.values:
        raise ValidationError({"method": _("Choose how the family paid.")})
    receipt_number = (receipt_number or "").strip()
    if not receipt_number or len(receipt_number) > 40:
        raise ValidationError(
            {"receipt_number": _("Give the receipt number (at most 40 characters).")}
        )
    if not isinstance(paid_on, datetime.date) or paid_on > timezone.localdate():
        raise ValidationError({"paid_on": _("Give the date of payment, not in the future.")})
    if Payment.objects.filter(program=program, receipt_number=receipt_number).exists():
        raise ValidationError({"receipt_number": _("This receipt number is already recorded.")})
    return Payment.objects.create(
        program=program,
        enrolment=enrolment, amount_fen=amount_fen, method=method,
        receipt_number=receipt_number, paid_on=paid_on, recorded_by=actor.user,
    )  # fmt: skip


@dataclass(frozen=True)
class RefundDue:
    amount_fen: int
    rule: str
    days_total: int
    days_unused: int


def refund_due(
    *, paid: int, start: datetime.date, end: datetime.date, left_on: datetime.date, rule: str
) -> RefundDue:
    """What the rule gives back of `paid` to a family that left on `left_on`: pro rata of the
    care days after that day (rounded down to the fen), or nothing."""
    days = care_days(start, end)
    unused = sum(1 for day in days if day > left_on)
    if rule != RefundRule.PRO_RATA or not days:
        return RefundDue(0, rule, len(days), unused)
    return RefundDue(paid * unused // len(days), rule, len(days), unused)


def left_on(enrolment: Enrolment) -> datetime.date:
    """The day the child left: enrolment stamps `decided_at` when a child withdraws or is
    removed (else, for older rows, the enrolment's last change)."""
    return timezone.localdate(enrolment.decided_at or enrolment.updated_at)


@transaction.atomic
def refund_record(*, actor: Actor, enrolment: Enrolment) -> Refund:
    """Refund a withdrawn family by the class's rule: computed, never typed."""
    enrolment = (
        Enrolment.objects.select_for_update()
        .select_related("term__program__host")
        .get(pk=enrolment.pk)
    )
    program = enrolment.term.program
    if not can_keep_class_books(actor, program):
        raise PermissionDenied
    if enrolment.status not in LEFT_STATUSES:
        raise ValidationError(_("Only a child who has left the class is refunded."))
    if Refund.objects.filter(enrolment=enrolment).exists():
        raise ValidationError(_("This family has already been refunded."))
    paid = paid_fen(enrolment)
    if paid <= 0:
        raise ValidationError(_("Nothing was paid for this child."))
    due = refund_due(
        paid=paid, start=enrolment.term.start_date, end=enrolment.term.end_date,
        left_on=left_on(enrolment), rule=refund_rule_of(program),
    )  # fmt: skip
    return Refund.objects.create(
        program=program,
        enrolment=enrolment, amount_fen=due.amount_fen, rule=due.rule, days_total=due.days_total,
        days_unused=due.days_unused, refunded_on=timezone.localdate(), recorded_by=actor.user,
    )  # fmt: skip


@transaction.atomic
def fees_remind(*, actor: Actor, program: Program, rows: list[Any]) -> int:
    """Remind every family with an outstanding fee (`rows` from selectors.fee_rows)."""
    if not can_keep_class_books(actor, program):
        raise PermissionDenied
    url = reverse("funds:my_fees")
    sent = 0
    for row in rows:
        if row.outstanding_fen <= 0:
            continue
        notify(
            recipient=row.enrolment.guardian.user_id,
            subject=_("Fee outstanding: %(class)s") % {"class": program.name},
            body=_("%(amount)s yuan remain to be paid for %(child)s.")
            % {"amount": yuan(row.outstanding_fen), "child": row.enrolment.child.name},
            url=url,
        )
        sent += 1
    return sent
