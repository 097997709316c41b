"""Reads of classes, terms, venues, standards and evidence, scoped to who asks.

Staff see what their membership's subtree covers (programs.permissions); parents browse
enrolling terms through the enrolment app, not through these.
"""

import datetime
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from tuoguan.orgs.models import Org
from tuoguan.orgs.permissions import Actor, get_or_404, subtree_q

from .calendar import calendar_year_days
from .compliance import (
    JUDGED_STATUSES,
    TermCompliance,
    Verdict,
    terms_compliance,
    with_compliance_data,
)
from .models import (
    CalendarDay,
    CalendarYear,
    Criterion,
    CriterionKind,
    Evidence,
    Group,
    Program,
    ProgramPhoto,
    Standard,
    Term,
    TermDay,
    TermStaff,
    TermStatus,
    Venue,
    VenuePhoto,
)
from .permissions import (
    REVIEW_ROLES,
    programs_visible_q,
    standards_visible_q,
    terms_visible_q,
    venues_visible_q,
)
from .standards import term_standard


def _strictly_below_q(actor: Actor, path_field: str) -> Q:
    if actor.membership is None:
        return Q(pk__in=[])
    own = actor.membership.org.path
    return Q(**{f"{path_field}__startswith": own}) & ~Q(**{path_field: own})


# --- Programs ------------------------------------------------------------------------------


def programs_visible_to(actor: Actor) -> QuerySet[Program]:
    return (
        Program.objects.filter(programs_visible_q(actor))
        .select_related("host")
        .annotate(term_count=Count("terms", distinct=True))
    )


def program_for(actor: Actor, pk: Any) -> Program:
    return get_or_404(programs_visible_to(actor), pk=pk)


def program_terms(program: Program) -> QuerySet[Term]:
    """The terms of a class already fetched through `program_for`, with what a page shows."""
    return (
        Term.objects.filter(program=program)
        .select_related("venue")
        .prefetch_related("groups")
        .annotate(care_days_annotated=Count("days", filter=Q(days__is_care_day=True)))
    )


def programs_filter(
    queryset: QuerySet[Program],
    *,
    type: str | None = None,
    status: str | None = None,
    year: int | None = None,
    region: str | None = None,
    org: Org | None = None,
) -> QuerySet[Program]:
    """List filters; `org` must come from a scoped selector (it narrows, never widens)."""
    if type:
        queryset = queryset.filter(type=type)
    if status or year:
        terms = Term.objects.filter(program=OuterRef("pk"))
        if status:
            terms = terms.filter(status=status)
        if year:
            terms = terms.filter(start_date__lte=datetime.date(year, 12, 31)).filter(
                end_date__gte=datetime.date(year, 1, 1)
            )
        queryset = queryset.filter(Exists(terms))
    if region:
        queryset = queryset.filter(host__region_code__startswith=region)
    if org is not None:
        queryset = queryset.filter(host__path__startswith=org.path)
    return queryset


# --- Terms ---------------------------------------------------------------------------------


def terms_visible_to(actor: Actor) -> QuerySet[Term]:
    return Term.objects.filter(terms_visible_q(actor)).select_related(
        "program__host", "venue", "judged_standard"
    )


def term_for(actor: Actor, pk: Any) -> Term:
    return get_or_404(terms_visible_to(actor), pk=pk)


def terms_filter(
    queryset: QuerySet[Term],
    *,
    type: str | None = None,
    status: str | None = None,
    year: int | None = None,
    region: str | None = None,
    org: Org | None = None,
) -> QuerySet[Term]:
    if type:
        queryset = queryset.filter(program__type=type)
    if status:
        queryset = queryset.filter(status=status)
    if year:
        queryset = queryset.filter(
            start_date__lte=datetime.date(year, 12, 31), end_date__gte=datetime.date(year, 1, 1)
        )
    if region:
        queryset = queryset.filter(program__host__region_code__startswith=region)
    if org is not None:
        queryset = queryset.filter(program__host__path__startswith=org.path)
    return queryset


def approval_queue_for(actor: Actor) -> QuerySet[Term]:
    """Submitted terms whose host lies strictly below the actor's union (admins only)."""
    if not actor.is_admin:
        return Term.objects.none()
    return (
        terms_visible_to(actor)
        .filter(_strictly_below_q(actor, "program__host__path"), status=TermStatus.SUBMITTED)
        .order_by("submitted_at", "pk")
    )


def group_for(actor: Actor, pk: Any) -> Group:
    return get_or_404(
        Group.objects.filter(subtree_q(actor, "term__program__host__path")).select_related(
            "term__program__host"
        ),
        pk=pk,
    )


# --- Venues ------------------------------------------------------------------------------


def venues_visible_to(actor: Actor) -> QuerySet[Venue]:
    return Venue.objects.filter(venues_visible_q(actor)).select_related("owner")


def venue_for(actor: Actor, pk: Any) -> Venue:
    return get_or_404(venues_visible_to(actor), pk=pk)


def venues_usable_for(actor: Actor, host: Org) -> QuerySet[Venue]:
    """Venues a class at `host` may use: the host's own, its ancestors' and descendants'."""
    step = host.steplen
    ancestors = [host.path[:i] for i in range(step, len(host.path) + 1, step)]
    return venues_visible_to(actor).filter(
        Q(owner__path__in=ancestors) | Q(owner__path__startswith=host.path)
    )


# --- Standards and evidence ------------------------------------------------------------------


def standards_visible_to(actor: Actor) -> QuerySet[Standard]:
    return (
        Standard.objects.filter(standards_visible_q(actor))
        .select_related("org")
        .prefetch_related(Prefetch("criteria", queryset=Criterion.objects.order_by("order", "pk")))
    )


def standard_for_actor(actor: Actor, pk: Any) -> Standard:
    return get_or_404(standards_visible_to(actor), pk=pk)


def evidence_visible_to(actor: Actor) -> QuerySet[Evidence]:
    return Evidence.objects.filter(subtree_q(actor, "term__program__host__path")).select_related(
        "term__program__host", "criterion", "uploaded_by", "reviewer"
    )


def evidence_for(actor: Actor, pk: Any) -> Evidence:
    return get_or_404(evidence_visible_to(actor), pk=pk)


def evidence_review_queue_for(actor: Actor) -> QuerySet[Evidence]:
    """Evidence awaiting review from terms strictly below the actor's union."""
    if not actor.has_role(REVIEW_ROLES):
        return Evidence.objects.none()
    return (
        evidence_visible_to(actor)
        .filter(_strictly_below_q(actor, "term__program__host__path"))
        .filter(status=Evidence.Status.PENDING)
        .order_by("created_at", "pk")
    )


# --- What the pages and the API read beside the above (added with the pages) ----------------


def programs_for_list(queryset: QuerySet[Program]) -> QuerySet[Program]:
    """A list page's classes, each with its terms newest first, in two queries per page."""
    newest_first = Term.objects.order_by("-start_date", "-pk").only(
        "id", "program_id", "name", "status", "start_date", "end_date"
    )
    return queryset.prefetch_related(
        Prefetch("terms", queryset=newest_first, to_attr="terms_newest_first")
    ).order_by("host__path", "name", "pk")


def program_photos(program: Program) -> QuerySet[ProgramPhoto]:
    return ProgramPhoto.objects.filter(program=program).order_by("pk")


def program_photo_for(actor: Actor, pk: Any) -> ProgramPhoto:
    return get_or_404(
        ProgramPhoto.objects.filter(subtree_q(actor, "program__host__path")).select_related(
            "program__host"
        ),
        pk=pk,
    )


def venue_photo_for(actor: Actor, pk: Any) -> VenuePhoto:
    return get_or_404(
        VenuePhoto.objects.filter(subtree_q(actor, "venue__owner__path")).select_related(
            "venue__owner"
        ),
        pk=pk,
    )


def venue_terms(actor: Actor, venue: Venue) -> QuerySet[Term]:
    """The terms run at `venue` that the actor sees, newest first."""
    return terms_visible_to(actor).filter(venue=venue).order_by("-start_date", "-pk")


def venue_photos(venue: Venue) -> QuerySet[VenuePhoto]:
    return VenuePhoto.objects.filter(venue=venue).order_by("pk")


def term_groups(term: Term) -> QuerySet[Group]:
    return Group.objects.filter(term=term).order_by("pk")


def term_roster(term: Term) -> QuerySet[TermStaff]:
    return TermStaff.objects.filter(term=term).select_related("user", "group").order_by("pk")


def term_days(term: Term) -> QuerySet[TermDay]:
    return TermDay.objects.filter(term=term).order_by("date")


def staff_for(actor: Actor, pk: Any) -> TermStaff:
    return get_or_404(
        TermStaff.objects.filter(subtree_q(actor, "term__program__host__path")).select_related(
            "term__program__host", "user"
        ),
        pk=pk,
    )


def criterion_for(actor: Actor, pk: Any) -> Criterion:
    return get_or_404(
        Criterion.objects.filter(standard__in=standards_visible_to(actor)).select_related(
            "standard__org"
        ),
        pk=pk,
    )


def evidence_criteria(term: Term) -> list[Criterion]:
    """The evidence criteria of the standard judging `term` that apply to its type."""
    standard = term_standard(term)
    if standard is None:
        return []
    return [
        c
        for c in standard.criteria.all()
        if c.kind == CriterionKind.EVIDENCE and c.applies_to_type(term.program.type)
    ]


def calendar_year_for(year: int) -> tuple[CalendarYear, list[CalendarDay]]:
    """A year of the national work calendar and its special days (as the package has them
    until the year is stored)."""
    return calendar_year_days(year)


def calendar_years() -> QuerySet[CalendarYear]:
    return CalendarYear.objects.order_by("-year")


def program_terms_judged(program: Program) -> list[Any]:
    """The class's terms, newest first, each with its live compliance (TermCompliance)."""
    terms = Term.objects.filter(program=program).order_by("-start_date", "-pk")
    return terms_compliance(with_compliance_data(terms).prefetch_related("staff__user"))


def groups_visible_to(actor: Actor) -> QuerySet[Group]:
    return (
        Group.objects.filter(subtree_q(actor, "term__program__host__path"))
        .select_related("term__program__host")
        .order_by("term_id", "pk")
    )


def with_care_days(queryset: QuerySet[Term]) -> QuerySet[Term]:
    """Terms with their care-day count and groups, for lists that show them (bounded)."""
    return queryset.annotate(
        care_days_annotated=Count("days", filter=Q(days__is_care_day=True))
    ).prefetch_related(Prefetch("groups", queryset=Group.objects.order_by("pk")))


def subtree_noncompliant(
    actor: Actor, *, queryset: QuerySet[Term] | None = None
) -> list[TermCompliance]:
    """The actor's subtree's terms that are non-compliant or pending, worst first.

    `queryset` narrows the terms (a year, a region); it is intersected with what the actor
    sees, so it cannot widen it.
    """
    terms = terms_visible_to(actor).filter(status__in=JUDGED_STATUSES)
    if queryset is not None:
        terms = terms.filter(pk__in=queryset.values("pk"))
    results = terms_compliance(with_compliance_data(terms))
    open_ = [r for r in results if r.verdict != Verdict.COMPLIANT]
    order = {Verdict.NON_COMPLIANT: 0, Verdict.PENDING: 1}
    return sorted(open_, key=lambda r: (order[Verdict(r.verdict)], not r.veto_failed))
