"""Expenses of a class, each with its receipt."""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoguan.core.files import clean_upload
from tuoguan.orgs.permissions import Actor
from tuoguan.programs.models import Program

from ..models import Expense, ExpenseCategory
from ..money import check_fen
from ..permissions import can_keep_class_books

EXPENSE_FIELDS = ("spent_on", "category", "amount_fen", "description", "receipt")


@transaction.atomic
def expense_record(
    *,
    actor: Actor,
    program: Program,
    spent_on: datetime.date,
    category: str,
    amount_fen: int,
    description: str,
    receipt: Any,
) -> Expense:
    if not can_keep_class_books(actor, program):
        raise PermissionDenied
    if not isinstance(spent_on, datetime.date) or spent_on > timezone.localdate():
        raise ValidationError({"spent_on": _("Give the date of the expense, not in the future.")})
    if category not in ExpenseCategory.values:
        raise ValidationError({"category": _("Choose a category.")})
    check_fen(amount_fen)
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": _("Say what the money was spent on.")})
    if not receipt:
        raise ValidationError({"receipt": _("Attach the receipt (a photo or a PDF).")})
    clean = clean_upload(receipt, field="receipt")
    expense = Expense(
        program=program, spent_on=spent_on, category=category, amount_fen=amount_fen,
        description=description[:200], receipt_type=clean.content_type, recorded_by=actor.user,
    )  # fmt: skip
    expense.receipt.save(clean.content.name or "receipt", clean.content, save=False)
    expense.save()
    return expense
