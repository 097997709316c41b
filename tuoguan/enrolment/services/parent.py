"""What a parent reads before and after applying: the terms open to the family, the places
left, the window's countdown and, for each child, whether they may apply and why not.

Eligibility itself is the allocation services' (`check_eligibility`); this module only
gathers, for a page of terms, what the parent pages show, in a bounded number of queries.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from tuoguan.accounts.models import Child, Worker
from tuoguan.orgs.permissions import Actor, get_or_404
from tuoguan.programs.models import EnrolMode, Group, Term, TermStatus

from ..models import Enrolment, SeatPool
from ..selectors import family_enrolments, term_for_applicant
from .eligibility import Refusal, check_eligibility

# Refusals that only say "not yet": the term is shown as opening soon instead.
NOT_YET = frozenset({"window_not_open"})


def _chain(worker: Worker) -> list[str]:
    """Paths of the worker's employer and every union above it."""
    path, step = worker.employer.path, worker.employer.steplen
    return [path[:i] for i in range(step, len(path) + 1, step)]


def terms_open_for(worker: Worker) -> QuerySet[Term]:
    """Enrolling terms hosted by a union above (or at) the worker's employer whose window is
    open or still to come, soonest deadline first."""
    return (
        Term.objects.filter(
            program__host__path__in=_chain(worker),
            status=TermStatus.ENROLLING,
            enrol_opens_at__isnull=False,
            enrol_closes_at__gt=timezone.now(),
        )
        .select_related("program__host", "venue")
        .prefetch_related(Prefetch("groups", queryset=Group.objects.order_by("pk")))
        .order_by("enrol_closes_at", "pk")
    )


def term_for_parent(actor: Actor, worker: Worker, pk: Any) -> Term:
    """A published term the family may look at: 404 for drafts, unknown ids and terms of
    unions outside the worker's chain (they are not for this family)."""
    return term_for_applicant(actor, pk)


def places_left(terms: list[Term]) -> dict[int, int]:
    """Free places per term (one query); a term nobody applied to yet has all its places."""
    free = {
        pool.term_id: pool.free
        for pool in SeatPool.objects.filter(term__in=terms, group__isnull=True)
    }
    return {term.pk: free.get(term.pk, term.capacity) for term in terms}


@dataclass
class ChildChance:
    child: Child
    refusals: list[Refusal]
    enrolment: Enrolment | None = None

    @property
    def eligible(self) -> bool:
        return not self.refusals

    @property
    def already_applied(self) -> bool:
        return any(r.code == "already_applied" for r in self.refusals)


@dataclass
class TermCard:
    term: Term
    phase: str  # "upcoming" or "open"
    places_left: int
    is_lottery: bool
    children: list[ChildChance] = field(default_factory=list)

    @property
    def can_apply(self) -> bool:
        return self.phase == "open" and any(c.eligible for c in self.children)


def window_phase(term: Term, now: datetime.datetime | None = None) -> str:
    now = now or timezone.now()
    if term.enrol_opens_at is not None and now < term.enrol_opens_at:
        return "upcoming"
    if term.enrol_closes_at is not None and now > term.enrol_closes_at:
        return "closed"
    return "open"


def child_chances(term: Term, worker: Worker, children: list[Child]) -> list[ChildChance]:
    groups = list(term.groups.all())
    chances = []
    for child in children:
        refusals = check_eligibility(term=term, child=child, guardian=worker, groups=groups)
        chances.append(ChildChance(child, [r for r in refusals if r.code not in NOT_YET]))
    return chances


def term_cards(terms: list[Term], worker: Worker, children: list[Child]) -> list[TermCard]:
    """One card per term with each child's chance; queries grow with the page, not the data."""
    now = timezone.now()
    free = places_left(terms)
    return [
        TermCard(
            term=term,
            phase=window_phase(term, now),
            places_left=free[term.pk],
            is_lottery=term.enrol_mode == EnrolMode.LOTTERY,
            children=child_chances(term, worker, children),
        )
        for term in terms
    ]


def family_enrolment_for(actor: Actor, pk: Any) -> Enrolment:
    """One of the family's own applications; any other is a 404, staff's reach included."""
    return get_or_404(family_enrolments(actor), pk=pk)


def waitlist_position_of(enrolment: Enrolment) -> int | None:
    """From the `waitlist_ahead` annotation of the family selectors (no extra query)."""
    if enrolment.status != "waitlisted":
        return None
    return int(getattr(enrolment, "waitlist_ahead", 0) or 0) + 1
