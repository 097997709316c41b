"""Writes of the funds app: budgets and allocations, grants, fees, expenses (one module each)."""

from .budgets import (
    BUDGET_FIELDS,
    allocation_create,
    budget_add,
    overcommit_message,
)
from .expenses import EXPENSE_FIELDS, expense_record
from .fees import (
    PAYMENT_FIELDS,
    fee_rule_set,
    fees_remind,
    payment_record,
    refund_due,
    refund_record,
)
from .grants import (
    GRANT_FIELDS,
    designation_grants_create,
    grant_approve,
    grant_create,
    grant_disburse,
    grant_reject,
)

__all__ = [
    "BUDGET_FIELDS",
    "EXPENSE_FIELDS",
    "GRANT_FIELDS",
    "PAYMENT_FIELDS",
    "allocation_create",
    "budget_add",
    "designation_grants_create",
    "expense_record",
    "fee_rule_set",
    "fees_remind",
    "grant_approve",
    "grant_create",
    "grant_disburse",
    "grant_reject",
    "overcommit_message",
    "payment_record",
    "refund_due",
    "refund_record",
]
