"""Reads of enrolments, waitlist positions and draws, scoped to who asks (permissions.py).

Parents read their own family's applications; staff read the rosters of terms hosted in
their subtree. The only unscoped read is `draw_public`: draw results are published on
purpose, with children anonymised.
"""

from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from tuoguan.accounts.models import Child, Worker
from tuoguan.accounts.selectors import worker_of
from tuoguan.core.models import Job
from tuoguan.orgs.permissions import Actor, get_or_404
from tuoguan.programs.models import Term, TermStaff, TermStatus
from tuoguan.programs.selectors import term_for

from .models import (
    Agreement,
    Draw,
    Enrolment,
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


def employer_chain(worker: Worker) -> list[str]:
    """The paths of the worker's employer and every union above it: a term is open to the
    family when its host, or the wider employer scope its rules set, is one of them (the
    rule of `term_for_applicant`, which fastpath.term_open_to applies to a loaded term)."""
    path, step = worker.employer.path, worker.employer.steplen
    return [path[:i] for i in range(step, len(path) + 1, step)]


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
    chain = employer_chain(worker)
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
