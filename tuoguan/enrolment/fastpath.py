"""The enrolment morning path's hand-written SQL and hand-built answers (bench/README.md).

Hand-written SQL lives here only for a path a benchmark measures, and each copy of an ORM or
serializer original is held equal to it by a test:

* `apply_facts`: one query for the term, its rules and scope, the child, guardian and
  employer, consent, the child's other applications and the term's seat pool. Consent
  (`accounts.models.CONSENT_IN_FORCE`) and overlapping terms (`models.overlapping_q`) are
  the ORM's own predicates, compiled by Django and spliced in; `term_open_to` is
  `selectors.term_for_applicant` on the loaded term. Held by
  tests/test_fastpath_rules.py (Hypothesis: facts and outcome equal the ORM rules').
* `apply_groups`: the term's groups with their pools, as `seat_pools_ensure` keeps them;
  tests/test_allocation.py.
* `waitlist_position`: the count `selectors.with_waitlist_position` annotates;
  tests/test_allocation.py, tests/test_api_enrolments.py.
* `pool_take`, `pool_give_back`, `waitlist_rank_next`: the seat counters' conditional
  UPDATEs, never past capacity nor below zero, one rank per waitlisted child;
  tests/test_concurrency.py, tests/test_allocation.py, tests/test_fastpath_seats.py.
* `idempotency_answer`, `idempotency_answer_insert`: the stored answer of a key, as the
  ORM reads and writes `IdempotencyKey`; tests/test_idempotency.py.
* `apply_facts`' `new_id` (PostgreSQL: the enrolment's id from its sequence, up front) and
  `inserts_together`: an admitted application's row, audit entry, inbox notice and stored
  answer in one statement, each row equal, field by field, to what the plain path writes
  (the SQLite path, and PostgreSQL's without the block): tests/test_apply_statements.py,
  which also counts the statements of an admitted and a waitlisted application.
* `draw_results_write`: a draw's outcome for every applicant, seat pool and draw in a few
  UPDATEs (`core.rawsql.bulk_set`, held equal to `bulk_update` by
  tuoguan/core/tests/test_rawsql.py); the outcome applied is checked whole by
  tests/test_lottery_draws.py.
* `enrolment_answer`, `apply_input`: EnrolmentSerializer's output and ApplySerializer's
  validated data, built by hand; tests/test_api_enrolments.py, tests/test_apply_input.py.
* Elsewhere: the INSERT of an application and its audit entry (`AuditedModel.insert_row`,
  audit/fastpath.py), the token read (accounts/fastpath.py), the notice and its delivery
  task (notifications/fastpath.py, core/fastpath.py).
"""

from contextlib import AbstractContextManager
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db import connection
from django.db.models import DateField, IntegerField, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils import timezone

from tuoguan.accounts.models import CONSENT_IN_FORCE, Child, ChildConsent, Worker
from tuoguan.core import rawsql
from tuoguan.orgs.models import Org
from tuoguan.programs.models import Group, Program, TargetGroup, Term

from .models import (
    ACTIVE_STATUSES,
    MAX_SIBLING_KEY,
    Draw,
    Enrolment,
    EnrolmentRules,
    EnrolmentStatus,
    IdempotencyKey,
    SeatPool,
)
from .models.allocation import overlapping_q
from .selectors import PUBLISHED_TERM_STATUSES, employer_chain


def waitlist_position(enrolment: Enrolment) -> int | None:
    """1 + the waitlisted enrolments of the term ranked before this one; None if not waiting."""
    if enrolment.status != EnrolmentStatus.WAITLISTED or enrolment.waitlist_rank is None:
        return None
    # Prepared SQL (core.rawsql): every waitlisted application is told its position.
    row = rawsql.fetch_one(
        "SELECT COUNT(*) FROM enrolment_enrolment "
        "WHERE term_id = %s AND status = %s AND waitlist_rank < %s",
        [enrolment.term_id, EnrolmentStatus.WAITLISTED.value, enrolment.waitlist_rank],
    )
    return int(row[0] if row else 0) + 1


@dataclass
class ApplyFacts:
    """Everything the rules and the seat need to decide one application, read at once.

    `term` carries its program (with the host union), its rules (`rules_for` finds them)
    and their employer scope; `child` carries its guardian and the guardian's employer.
    `has_other_active` says whether the child holds any active application at all, and
    `has_overlapping` whether one of them is for this term or overlapping dates, so the
    rules read the child's other applications only when one could refuse this one.
    """

    term: Term
    child: Child | None
    has_consent: bool
    has_other_active: bool
    has_overlapping: bool
    has_groups: bool
    term_pool_id: int | None
    term_pool_capacity: int | None
    # PostgreSQL: the id the application will have, taken from the sequence by this query,
    # so that its row, audit entry, notice and stored answer go as one statement
    # (core.rawsql.inserts_together). None on SQLite, which numbers the row when inserted.
    new_id: int | None = None


@dataclass
class GroupPool:
    group: Group
    pool_id: int | None
    pool_capacity: int | None


_TERM = rawsql.Columns(Term, "t")
_PROGRAM = rawsql.Columns(Program, "p", ["id", "host", "name", "target_groups"])
_HOST = rawsql.Columns(Org, "h", ["id", "path", "depth", "name"])
_RULES = rawsql.Columns(EnrolmentRules, "r")
_SCOPE = rawsql.Columns(Org, "s", ["id", "path", "depth", "name"])
_CHILD = rawsql.Columns(Child, "c", ["id", "guardian", "name", "birth_date", "grade"])
_GUARDIAN = rawsql.Columns(Worker, "w", ["id", "user", "employer", "verified"])
_EMPLOYER = rawsql.Columns(Org, "emp", ["id", "path", "depth", "name"])
_PARTS = (_TERM, _PROGRAM, _HOST, _RULES, _SCOPE, _CHILD, _GUARDIAN, _EMPLOYER)


def _compiled(queryset: QuerySet[Any]) -> tuple[str, tuple[Any, ...]]:
    sql, params = (
        queryset.order_by().values("pk").query.get_compiler(connection=connection).as_sql()
    )
    return sql, tuple(params)


def _outer(column: str, field: Any) -> RawSQL:
    # A column of the outer query below, for a correlated subquery the ORM compiles.
    return RawSQL(column, (), output_field=field)  # noqa: S611 - a constant column name


@cache
def _facts_sql(vendor: str) -> tuple[str, tuple[Any, ...]]:
    # Compiled once per database vendor, not per call (bench/README.md).
    columns = ", ".join(part.sql for part in _PARTS)
    child = _outer("c.id", IntegerField())
    consent, consent_params = _compiled(ChildConsent.objects.filter(CONSENT_IN_FORCE, child=child))
    active = Enrolment.objects.filter(child=child, status__in=ACTIVE_STATUSES)
    other, other_params = _compiled(active)
    overlapping, overlapping_params = _compiled(
        active.filter(
            overlapping_q(_outer("t.start_date", DateField()), _outer("t.end_date", DateField()))
        )
    )
    # An id is taken for each application the facts are read for; one refused leaves a gap,
    # as a rolled-back INSERT does.
    new_id = (
        f"nextval(pg_get_serial_sequence('{Enrolment._meta.db_table}', 'id'))"
        if vendor == "postgresql"
        else "NULL"
    )
    sql = f"""
        SELECT {columns},
            EXISTS({consent}),
            EXISTS({other}),
            EXISTS({overlapping}),
            EXISTS(SELECT 1 FROM programs_group g WHERE g.term_id = t.id),
            sp.id, sp.capacity, {new_id}
        FROM programs_term t
        LEFT JOIN enrolment_seatpool sp ON sp.term_id = t.id AND sp.group_id IS NULL
        JOIN programs_program p ON p.id = t.program_id
        JOIN orgs_org h ON h.id = p.host_id
        LEFT JOIN enrolment_enrolmentrules r ON r.term_id = t.id
        LEFT JOIN orgs_org s ON s.id = r.employer_scope_id
        LEFT JOIN accounts_child c ON c.id = %s
        LEFT JOIN accounts_worker w ON w.id = c.guardian_id
        LEFT JOIN orgs_org emp ON emp.id = w.employer_id
        WHERE t.id = %s
    """  # noqa: S608 - only column lists and the ORM's compiled subqueries are formatted in
    return sql, consent_params + other_params + overlapping_params


def apply_facts(*, term_id: int, child_id: int) -> ApplyFacts:
    """The facts of one application (Http404 for an unknown term); `child` is None for an
    unknown child. Nothing here is scoped: the service decides who may apply for whom."""
    sql, params = _facts_sql(connection.vendor)
    row = rawsql.fetch_one(sql, [*params, child_id, term_id])
    if row is None:
        raise Http404
    loaded, start = [], 0
    for part in _PARTS:
        loaded.append(part.instance(row, start))
        start += part.width
    term, program, host, rules, scope, child, guardian, employer = loaded
    program.host = host
    term.program = program
    if rules is not None:
        rules.employer_scope = scope
        term._enrolment_rules = rules  # what eligibility.rules_for looks for
    if child is not None:
        guardian.employer = employer
        child.guardian = guardian
    consent, other_active, overlapping, groups, pool_id, pool_capacity, new_id = row[start:]
    return ApplyFacts(
        term=term,
        child=child,
        has_consent=bool(consent),
        has_other_active=bool(other_active),
        has_overlapping=bool(overlapping),
        has_groups=bool(groups),
        term_pool_id=pool_id,
        term_pool_capacity=pool_capacity,
        new_id=new_id,
    )


_GROUP = rawsql.Columns(Group, "g")


@cache
def _groups_sql() -> str:
    return f"""
        SELECT {_GROUP.sql}, sp.id, sp.capacity FROM programs_group g
        LEFT JOIN enrolment_seatpool sp ON sp.group_id = g.id
        WHERE g.term_id = %s ORDER BY g.id
    """  # noqa: S608 - only the column list is formatted in


def apply_groups(*, term_id: int) -> list[GroupPool]:
    """The term's groups by id (the order seats are tried in), each with its seat pool."""
    rows = rawsql.fetch_all(_groups_sql(), [term_id])
    width = _GROUP.width
    return [GroupPool(_GROUP.instance(row), row[width], row[width + 1]) for row in rows]


def term_open_to(term: Term, worker: Worker) -> bool:
    """Whether the family of `worker` may apply for `term`: the rule of
    `term_for_applicant`, on a term already loaded (term.program.host and its rules)."""
    if term.status not in PUBLISHED_TERM_STATUSES:
        return False
    chain = employer_chain(worker)
    if term.program.host.path in chain:
        return True
    rules = getattr(term, "_enrolment_rules", None)
    scope = rules.employer_scope if rules is not None else None
    return scope is not None and scope.path in chain


# --- Seats (services/seats.py runs them; the lock order is its docstring's) --------------
# Written once: these run several times per application on enrolment morning.
_TAKE = "UPDATE enrolment_seatpool SET taken = taken + %s WHERE id = %s AND taken + %s <= capacity"
_GIVE_BACK = "UPDATE enrolment_seatpool SET taken = taken - %s WHERE id = %s AND taken >= %s"
_RANKS = (
    "UPDATE enrolment_seatpool SET waitlist_seq = waitlist_seq + 1 "
    "WHERE term_id = %s AND group_id IS NULL RETURNING waitlist_seq, capacity - taken"
)


def pool_take(pool_id: int, count: int = 1) -> bool:
    """Take `count` seats of one pool if they are free; True when taken."""
    return rawsql.execute(_TAKE, [count, pool_id, count]) == 1


def pool_give_back(pool_id: int, count: int = 1) -> None:
    rawsql.execute(_GIVE_BACK, [count, pool_id, count])


def waitlist_rank_next(term_id: int) -> tuple[int, int] | None:
    """The term's next waitlist rank and its free seats, or None when it has no pool yet."""
    row = rawsql.fetch_one(_RANKS, [term_id])
    return None if row is None else (int(row[0]), int(row[1]))


# --- Idempotency keys (services/idempotency.py) -----------------------------------------
_STORED = rawsql.Columns(IdempotencyKey, "k", ["fingerprint", "status_code", "response"])
# Prepared once: every POST with a key reads it, and on enrolment morning that is each one.
_SELECT_ANSWER = (
    f"SELECT {_STORED.sql} FROM enrolment_idempotencykey k "  # noqa: S608 - column list
    "WHERE k.user_id = %s AND k.key = %s"
)


def idempotency_answer(user_id: int, key: str) -> tuple[str, int, Any] | None:
    """The stored (fingerprint, status code, body) of this user's key, or None."""
    row = rawsql.fetch_one(_SELECT_ANSWER, [user_id, key])
    if row is None:
        return None
    fingerprint, status_code, body = _STORED.values(row)
    return fingerprint, status_code, body


def idempotency_answer_insert(values: dict[str, Any], refused: rawsql.Refused) -> None:
    """The stored answer, sent with the request's last inserts when they wait in
    `inserts_together` (one statement), else at once."""
    rawsql.insert_later(IdempotencyKey, values, refused=refused)


def inserts_together() -> AbstractContextManager[None]:
    """core.rawsql's block: the inserts queued inside go as one statement (PostgreSQL)."""
    return rawsql.inserts_together()


# --- A draw's results (services/draws.py) ----------------------------------------------
def draw_results_write(
    enrolments: list[tuple[Any, ...]],
    pools: list[tuple[int, int, int]],
    draws: list[tuple[int, str]],
    now: Any,
) -> None:
    """Write the decided enrolments (id, status, group, rank, tier; only those still
    applied), the pools' counters (id, taken, waitlist seq) and the draws' outcomes (id,
    canonical JSON; only those still running): tens of thousands of rows, few statements."""
    rawsql.bulk_set(
        Enrolment,
        [
            ("status", "text"),
            ("group_id", "bigint"),
            ("waitlist_rank", "integer"),
            ("priority_tier", "integer"),
        ],
        enrolments,
        also={"decided_at": now, "updated_at": now},
        only_if={"status": EnrolmentStatus.APPLIED.value},
    )
    rawsql.bulk_set(SeatPool, [("taken", "integer"), ("waitlist_seq", "integer")], pools)
    rawsql.bulk_set(
        Draw,
        [("outcome", "jsonb")],
        draws,
        also={"status": Draw.Status.DONE.value, "finished_at": now},
        only_if={"status": Draw.Status.RUNNING.value},
    )


# --- The API's answers built by hand (api/enrolments.py) --------------------------------
def _when(value: Any) -> str:
    # What serializers.DateTimeField gives (local time, ISO 8601, "Z" for UTC), without its
    # per-call machinery; the test of enrolment_answer holds them equal.
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def enrolment_answer(enrolment: Enrolment) -> dict[str, Any]:
    """EnrolmentSerializer's output for a row in hand whose term (with its program) and
    child are loaded, without the serializer's per-call field construction (enrolment
    morning, bench/README.md). The tests hold the two equal."""
    waiting = enrolment.status == EnrolmentStatus.WAITLISTED
    ahead = getattr(enrolment, "waitlist_ahead", None)
    offer = getattr(enrolment, "open_offer_expires_at", None)
    return {
        "id": enrolment.pk,
        "term": enrolment.term_id,
        "term_name": str(enrolment.term),
        "child": enrolment.child_id,
        "child_name": enrolment.child.name,
        "group": enrolment.group_id,
        "status": str(enrolment.status),
        "status_display": enrolment.get_status_display(),
        "waitlist_position": (
            (int(ahead) + 1 if ahead is not None else waitlist_position(enrolment))
            if waiting
            else None
        ),
        "offer_expires_at": _when(offer) if offer else None,
        "priority_groups": enrolment.priority_groups,
        "priority_tier": enrolment.priority_tier,
        "sibling_key": enrolment.sibling_key,
        "keep_together": enrolment.keep_together,
        "join_request": enrolment.join_request,
        "source": enrolment.source,
        "reason": enrolment.reason,
        "created_at": _when(enrolment.created_at),
        "decided_at": _when(enrolment.decided_at) if enrolment.decided_at else None,
    }


_TARGET_GROUPS = frozenset(TargetGroup.values)


def apply_input(data: Any) -> dict[str, Any] | None:
    """ApplySerializer's validated data for a plain, well-formed body, without building the
    serializer (enrolment morning, bench/README.md); None for
    anything else, which the serializer then checks and explains. The tests hold the two
    equal wherever this one answers."""
    if not isinstance(data, dict):
        return None
    child = data.get("child")
    groups = data.get("priority_groups", [])
    sibling_key = data.get("sibling_key", "")
    keep_together = data.get("keep_together", False)
    plain = (
        type(child) is int
        and child >= 1
        and type(groups) is list
        and len(groups) <= len(_TARGET_GROUPS)
        and all(type(g) is str and g in _TARGET_GROUPS for g in groups)
        and type(sibling_key) is str
        and len(sibling_key) <= MAX_SIBLING_KEY
        and sibling_key == sibling_key.strip()
        and type(keep_together) is bool
    )
    if not plain:
        return None
    return {
        "child": child,
        "priority_groups": groups,
        "sibling_key": sibling_key,
        "keep_together": keep_together,
    }
