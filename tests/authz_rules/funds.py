"""Rules for budgets, grants, fees and expenses.

Liaoning's budget and grants are the province's; the grants go to the grassroots class, whose
host keeps its expenses and fees. A union's money is read by its admins, reviewers and
inspectors and those above; a grant is also seen where its class is seen. Only an admin
covering the granting union approves and disburses; a class's host admins record its
expenses and payments, its caregivers and the reviewers above only read.
"""

from .base import (
    ALLOWED,
    ANY_USER,
    NO_MEMBERSHIP,
    STAFF_READ_SUBTREE,
    UNION_ADMINS,
    api,
    as_write,
    form,
    outcomes,
    own_text,
    page,
)

STAFF_PAGES = outcomes(200, parent=403, other_parent=403)
# A union's money: its readers (and those above); a caregiver sees the union, not its money.
MONEY_READ = outcomes(404, admins=200, reviewer=200, caregiver=403, parent=403, other_parent=403)
# A class's books, read by the staff who see the class; parents are refused before the lookup.
CLASS_READ = {**STAFF_READ_SUBTREE, **dict.fromkeys(NO_MEMBERSHIP, 403)}
# Kept by the class's host admins (and the unions above); the others read only.
CLASS_KEEP = {**CLASS_READ, "caregiver": 403, "reviewer": 403}
CLASS_KEEP_WRITE = as_write(page(CLASS_KEEP)).expect
# The granting union's (the province's) admin approves and disburses.
GRANT_APPROVER = outcomes(
    404, province_admin=200, city_admin=403, grassroots_admin=403, caregiver=403, reviewer=403
)
GRANT_APPROVER_WRITE = as_write(page(GRANT_APPROVER)).expect
# A budget row of the province: its admin and reviewer read it; the unions below do not.
BUDGET_READ = outcomes(404, province_admin=200, reviewer=200)
# A payment: the class's staff and the paying family.
PAYMENT_READ = {**STAFF_READ_SUBTREE, "parent": 200}
ADMIN_FORM = outcomes(403, admins=200, outsider=200)


def _fee_program(world):
    return world.own["fee_program"].name


RULES = {
    "funds:home": page(outcomes(302, caregiver=200, parent=403, other_parent=403), role_gate=True),
    "funds:budget_list": page(MONEY_READ, obj="org", role_gate=NO_MEMBERSHIP),
    "funds:union_ledger": page(MONEY_READ, obj="org", role_gate=NO_MEMBERSHIP),
    "funds:union_ledger_xlsx": page(MONEY_READ, obj="org", role_gate=NO_MEMBERSHIP),
    "funds:budget_create": form(page(ADMIN_FORM, role_gate=True)),
    "funds:allocation_create": form(page(ADMIN_FORM, role_gate=True)),
    "funds:grant_list": page(STAFF_PAGES, role_gate=True, hides_text=own_text("grant", "note")),
    "funds:grant_create": form(page(ADMIN_FORM, role_gate=True)),
    "funds:designation_grants": form(page(ADMIN_FORM, role_gate=True)),
    "funds:grant_detail": page(STAFF_READ_SUBTREE, obj="grant"),
    "funds:grant_approve": page(GRANT_APPROVER_WRITE, method="POST", obj="grant"),
    "funds:grant_reject": page(GRANT_APPROVER_WRITE, method="POST", obj="grant"),
    "funds:grant_disburse": form(page(GRANT_APPROVER, obj="grant")),
    "funds:grant_proof": page(STAFF_READ_SUBTREE, obj="disbursed_grant"),
    # --- a class's books ---------------------------------------------------------------------
    "funds:class_ledger": page(CLASS_READ, obj="program", role_gate=NO_MEMBERSHIP),
    "funds:class_ledger_xlsx": page(CLASS_READ, obj="program", role_gate=NO_MEMBERSHIP),
    "funds:expense_list": page(CLASS_READ, obj="program", role_gate=NO_MEMBERSHIP),
    "funds:expense_create": form(page(CLASS_KEEP, obj="program", role_gate=NO_MEMBERSHIP)),
    "funds:expense_receipt": page(CLASS_READ, obj="expense", role_gate=NO_MEMBERSHIP),
    "funds:fee_list": (
        page(CLASS_READ, obj="fee_program", role_gate=NO_MEMBERSHIP),
        page(CLASS_KEEP_WRITE, method="POST", obj="fee_program", role_gate=NO_MEMBERSHIP),
    ),
    "funds:fees_remind": page(
        CLASS_KEEP_WRITE, method="POST", obj="fee_program", role_gate=NO_MEMBERSHIP
    ),
    "funds:payment_create": form(page(CLASS_KEEP, obj="enrolment", role_gate=NO_MEMBERSHIP)),
    "funds:refund_create": page(
        CLASS_KEEP_WRITE, method="POST", obj="enrolment", role_gate=NO_MEMBERSHIP
    ),
    # A family's own fees: everyone reaches the page, and sees only their own.
    "funds:my_fees": page(ANY_USER, hides_text=_fee_program),
    # --- API ---------------------------------------------------------------------------------
    "budget-list": (
        api(outcomes(200), hides="budget", hides_detail="budget-detail"),
        as_write(api(outcomes(200))),
    ),
    "budget-detail": api(BUDGET_READ, obj="budget"),
    "budget-allocate": as_write(api(outcomes(200))),
    "grant-list": (
        api(outcomes(200), hides="grant", hides_detail="grant-detail"),
        as_write(api(outcomes(200))),
    ),
    "grant-detail": api(STAFF_READ_SUBTREE, obj="grant"),
    "grant-approve": api(GRANT_APPROVER_WRITE, method="POST", obj="grant"),
    "grant-reject": api(GRANT_APPROVER_WRITE, method="POST", obj="grant"),
    "grant-disburse": api(GRANT_APPROVER_WRITE, method="POST", obj="grant"),
    "grant-designations": as_write(api(outcomes(200))),
    "payment-list": (
        api(outcomes(200), hides="payment", hides_detail="payment-detail"),
        as_write(api(outcomes(200))),
    ),
    "payment-detail": api(PAYMENT_READ, obj="payment"),
    "payment-refund": as_write(api(outcomes(200))),
    "expense-list": (
        api(outcomes(200), hides="expense", hides_detail="expense-detail"),
        as_write(api(outcomes(200))),
    ),
    "expense-detail": api(STAFF_READ_SUBTREE, obj="expense"),
}

__all__ = ["ALLOWED", "RULES", "UNION_ADMINS"]
