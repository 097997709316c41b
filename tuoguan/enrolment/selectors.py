"""Reads of enrolments, waitlist positions and draws, scoped to who asks (permissions.py).

Parents read their own family's applications; staff read the rosters of terms hosted in
their subtree. The only unscoped read is `draw_public`: draw results are published on
purpose, with children anonymised.
"""

from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from tuoguan.accounts.models import Child, Worker
from tuoguan.accounts.selectors import worker_of
from tuoguan.core import rawsql
from tuoguan.core.models import Job
from tuoguan.orgs.models import Org
from tuoguan.orgs.permissions import Actor, get_or_404
from tuoguan.programs.models import Group, Program, Term, TermStaff, TermStatus
from tuoguan.programs.selectors import term_for

from .models import (
    ACTIVE_STATUSES,
    Agreement,
    Draw,
    Enrolment,
    EnrolmentRules,
    EnrolmentStatus,
    Insurance,
    Offer,
    Pickup,
)
from .permissions import draws_visible_q, enrolments_visible_q

# Terms a parent may look up to apply for: published ones (never drafts or rejected).
PUBLISHED_TERM_STATUSES = (
    TermStatus.APPROVED,
    TermStatus.ENROLLING,
    TermStatus.RUNNING,
    TermStatus.CLOSED,
)


def with_waitlist_position(queryset: QuerySet[Enrolment]) -> QuerySet[Enrolment]:
    """Annotate `waitlist_ahead` (waitlisted rows of the same term with a smaller rank) and
    `open_offer_expires_at`, in the same query whatever the number of rows."""
    ahead = (
        Enrolment.objects.filter(
            term=OuterRef("term"),
            status=EnrolmentStatus.WAITLISTED,
            waitlist_rank__lt=OuterRef("waitlist_rank"),
        )
        .order_by()
        .values("term")
        .annotate(n=Count("pk"))
        .values("n")
    )
    offer = Offer.objects.filter(enrolment=OuterRef("pk"), status=Offer.Status.OPEN).values(
        "expires_at"
    )[:1]
    return queryset.annotate(
        waitlist_ahead=Coalesce(Subquery(ahead, output_field=IntegerField()), Value(0)),
        open_offer_expires_at=Subquery(offer),
    )


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


def enrolments_visible_to(actor: Actor) -> QuerySet[Enrolment]:
    return with_waitlist_position(
        Enrolment.objects.filter(enrolments_visible_q(actor)).select_related(
            "term__program__host", "child", "guardian__user", "group"
        )
    ).order_by("pk")


def enrolment_for(actor: Actor, pk: Any) -> Enrolment:
    return get_or_404(enrolments_visible_to(actor), pk=pk)


def family_enrolments(actor: Actor) -> QuerySet[Enrolment]:
    """The actor's own children's applications, whatever memberships they also hold."""
    return with_waitlist_position(
        Enrolment.objects.filter(guardian__user=actor.user).select_related(
            "term__program__host", "child", "guardian__user", "group"
        )
    ).order_by("-created_at", "-pk")


def enrolments_filter(
    queryset: QuerySet[Enrolment], *, term: Any = None, status: str | None = None
) -> QuerySet[Enrolment]:
    if term is not None:
        queryset = queryset.filter(term=term)
    if status:
        queryset = queryset.filter(status=status)
    return queryset


def term_for_applicant(actor: Actor, pk: Any) -> Term:
    """A published term a parent may apply for; 404 for drafts, unknown ids, terms of
    unions outside the worker's chain (not for this family: a class serves its own union's
    subtree) and anyone without a family (staff apply through the paper-form import)."""
    worker = worker_of(actor.user)
    if worker is None:
        raise Http404
    path, step = worker.employer.path, worker.employer.steplen
    chain = [path[:i] for i in range(step, len(path) + 1, step)]
    return get_or_404(
        Term.objects.filter(status__in=PUBLISHED_TERM_STATUSES)
        # The host's subtree, or a wider employer scope the term's rules set.
        .filter(Q(program__host__path__in=chain) | Q(rules__employer_scope__path__in=chain))
        .select_related("program__host", "province"),
        pk=pk,
    )


def term_for_staff(actor: Actor, pk: Any) -> Term:
    """A term in the actor's subtree (404 otherwise); actions check their role (403)."""
    return term_for(actor, pk)


def draws_visible_to(actor: Actor) -> QuerySet[Draw]:
    return Draw.objects.filter(draws_visible_q(actor)).select_related(
        "term__program__host", "job", "run_by"
    )


def draw_for(actor: Actor, pk: Any) -> Draw:
    return get_or_404(draws_visible_to(actor), pk=pk)


def draw_public(pk: Any) -> Draw:
    """Any draw, for the public verification page (it shows no personal data)."""
    return get_or_404(Draw.objects.select_related("term__program__host"), pk=pk)


def draw_latest(term: Term) -> Draw | None:
    """The term's live draw (running or done), else its most recent one."""
    draws = Draw.objects.filter(term=term).order_by("-started_at", "-pk")
    live = draws.filter(status__in=[Draw.Status.RUNNING, Draw.Status.DONE]).first()
    return live or draws.first()


def draw_child_initials(enrolment_ids: list[int]) -> dict[int, str]:
    """Anonymised labels for the public page: the first character of the name and "**"."""
    rows = Enrolment.objects.filter(pk__in=enrolment_ids).values_list("pk", "child__name")
    return {pk: f"{(name or '?')[:1]}**" for pk, name in rows}


# --- Paperwork (agreements, insurance, pickups, health notes) ---------------------------------


def _visible_enrolments(actor: Actor) -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(enrolments_visible_q(actor))


def enrolment_for_paperwork(actor: Actor, pk: Any) -> Enrolment:
    """An enrolment with what the paperwork pages read (program, venue, child, guardian)."""
    return get_or_404(
        Enrolment.objects.filter(enrolments_visible_q(actor)).select_related(
            "term__program__host", "term__venue", "child", "guardian__user"
        ),
        pk=pk,
    )


def enrolment_for_health(actor: Actor, pk: Any) -> Enrolment:
    """Like `enrolment_for_paperwork`, and also for the people on the term's staff roster
    (a volunteer tutor may have no membership covering the host)."""
    on_roster = Exists(TermStaff.objects.filter(term=OuterRef("term"), user=actor.user))
    return get_or_404(
        Enrolment.objects.filter(enrolments_visible_q(actor) | Q(on_roster)).select_related(
            "term__program__host", "term__venue", "child", "guardian__user"
        ),
        pk=pk,
    )


def paperwork_child_for(actor: Actor, pk: Any) -> Child:
    """A child of the actor's family, or one with an enrolment the actor's roster shows."""
    enrolled = Exists(_visible_enrolments(actor).filter(child=OuterRef("pk")))
    return get_or_404(
        Child.objects.filter(Q(guardian__user=actor.user) | Q(enrolled)).select_related(
            "guardian__user", "guardian__employer"
        ),
        pk=pk,
    )


def pickup_for(actor: Actor, pk: Any) -> Pickup:
    enrolled = Exists(_visible_enrolments(actor).filter(child=OuterRef("child")))
    return get_or_404(
        Pickup.objects.filter(Q(child__guardian__user=actor.user) | Q(enrolled)).select_related(
            "child__guardian__user"
        ),
        pk=pk,
    )


def insurance_for(actor: Actor, pk: Any) -> Insurance:
    enrolled = Exists(_visible_enrolments(actor).filter(child=OuterRef("child")))
    return get_or_404(
        Insurance.objects.filter(Q(child__guardian__user=actor.user) | Q(enrolled)).select_related(
            "child__guardian__user"
        ),
        pk=pk,
    )


def agreement_for(actor: Actor, pk: Any) -> Agreement:
    return get_or_404(
        Agreement.objects.filter(enrolment__in=_visible_enrolments(actor)).select_related(
            "template__org",
            "enrolment__term__program__host",
            "enrolment__child",
            "enrolment__guardian__user",
        ),
        pk=pk,
    )


def insurance_import_job_for(user: Any, pk: Any) -> Job:
    """One of the user's own insurer roster imports; anyone else's is a 404."""
    return get_or_404(Job.objects.filter(owner=user, kind="insurance_import"), pk=pk)


# --- One application's facts, in one query (enrolment morning) --------------------------------


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


@cache
def _facts_sql() -> str:
    # Portable SQL (SQLite and PostgreSQL); the ORM's compilation of the same reads cost
    # more CPU than the database spends on them (bench/README.md).
    columns = ", ".join(part.sql for part in _PARTS)
    active = ", ".join(["%s"] * len(ACTIVE_STATUSES))
    return f"""
        SELECT {columns},
            EXISTS(SELECT 1 FROM accounts_childconsent cc
                   JOIN accounts_consentpolicy cp ON cp.id = cc.policy_id
                   WHERE cc.child_id = c.id AND cc.withdrawn_at IS NULL
                     AND cp.is_current = %s),
            EXISTS(SELECT 1 FROM enrolment_enrolment e
                   WHERE e.child_id = c.id AND e.status IN ({active})),
            EXISTS(SELECT 1 FROM enrolment_enrolment e
                   JOIN programs_term ot ON ot.id = e.term_id
                   WHERE e.child_id = c.id AND e.status IN ({active})
                     AND ot.start_date <= t.end_date AND ot.end_date >= t.start_date),
            EXISTS(SELECT 1 FROM programs_group g WHERE g.term_id = t.id),
            sp.id, sp.capacity
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
    """  # noqa: S608 - only column lists and placeholders are formatted in


def apply_facts(*, term_id: int, child_id: int) -> ApplyFacts:
    """The facts of one application (Http404 for an unknown term); `child` is None for an
    unknown child. Nothing here is scoped: the service decides who may apply for whom."""
    params = [True, *ACTIVE_STATUSES, *ACTIVE_STATUSES, child_id, term_id]
    row = rawsql.fetch_one(_facts_sql(), params)
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
    consent, other_active, overlapping, groups, pool_id, pool_capacity = row[start:]
    return ApplyFacts(
        term=term,
        child=child,
        has_consent=bool(consent),
        has_other_active=bool(other_active),
        has_overlapping=bool(overlapping),
        has_groups=bool(groups),
        term_pool_id=pool_id,
        term_pool_capacity=pool_capacity,
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
    employer_path = worker.employer.path
    if employer_path.startswith(term.program.host.path):
        return True
    rules = getattr(term, "_enrolment_rules", None)
    scope = rules.employer_scope if rules is not None else None
    return scope is not None and employer_path.startswith(scope.path)
