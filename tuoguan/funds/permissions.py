"""Who may see and act on budgets, grants, fees and expenses.

Built on `orgs.permissions`. A union's budgets, allocations, grants and ledger are read by
the staff readers (admins, reviewers, inspectors) of its subtree's line; only an admin whose
union covers it adds budgets, allocates and approves its grants. A class's grants, expenses,
fees and ledger are seen where the class is seen; its host's admins and class managers
record expenses and payments, caregivers only read. A family sees only its own fees.
"""

from typing import Any

from django.db.models import Q

from tuoguan.orgs.models import Org, Role
from tuoguan.orgs.permissions import Actor, covers, subtree_q
from tuoguan.programs.permissions import HOST_ROLES

# Roles that read a union's money: its admins, reviewers and inspectors.
MONEY_READERS = frozenset({Role.UNION_ADMIN, Role.REVIEWER, Role.INSPECTOR})


def union_money_visible_q(actor: Actor, path_field: str = "org__path") -> Q:
    if not actor.has_role(MONEY_READERS):
        return Q(pk__in=[])
    return subtree_q(actor, path_field)


def can_read_union_money(actor: Actor, org: Org) -> bool:
    return actor.has_role(MONEY_READERS) and covers(actor, org)


def can_manage_budget(actor: Actor, org: Org) -> bool:
    return actor.is_admin and covers(actor, org)


def can_allocate(actor: Actor, giver: Org, receiver: Org) -> bool:
    """Down the tree only: the receiver lies strictly below the giver."""
    return (
        can_manage_budget(actor, giver)
        and receiver.path.startswith(giver.path)
        and receiver.pk != giver.pk
    )


def grants_visible_q(actor: Actor) -> Q:
    """The grants of a union one reads the money of, and those paid to a class one sees."""
    return union_money_visible_q(actor) | subtree_q(actor, "program__host__path")


def can_approve_grant(actor: Actor, grant: Any) -> bool:
    return can_manage_budget(actor, grant.org)


def can_grant_to(actor: Actor, org: Org, program: Any) -> bool:
    """A union grants to classes of its own subtree."""
    return can_manage_budget(actor, org) and program.host.path.startswith(org.path)


# --- A class's money ---------------------------------------------------------------------------


def class_money_visible_q(actor: Actor, path_field: str = "program__host__path") -> Q:
    return subtree_q(actor, path_field)


def can_keep_class_books(actor: Actor, program: Any) -> bool:
    """Record expenses, payments and refunds: the class's host admins and managers."""
    return actor.has_role(HOST_ROLES) and covers(actor, program.host)


def can_set_fee_rule(actor: Actor, program: Any) -> bool:
    return can_keep_class_books(actor, program)
