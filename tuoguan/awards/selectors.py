"""Reads of campaigns and entries, scoped to who asks (awards.permissions). A read never writes."""

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from tuoguan.orgs.models import Level, Membership, Org
from tuoguan.orgs.permissions import Actor, get_or_404, subtree_q
from tuoguan.programs.compliance import with_compliance_data
from tuoguan.programs.models import Program, Term
from tuoguan.programs.permissions import HOST_ROLES, programs_visible_q

from .eligibility import Eligibility, terms_eligibility
from .models import (
    Campaign,
    CampaignStatus,
    Condition,
    Designation,
    Nomination,
    NominationFile,
    Objection,
    Reviewer,
    Score,
    Scorecard,
)
from .permissions import campaigns_visible_q, entries_visible_q, scorecards_visible_q


def campaigns_visible_to(actor: Actor) -> QuerySet[Campaign]:
    return (
        Campaign.objects.filter(campaigns_visible_q(actor))
        .select_related("organiser")
        .annotate(entry_count=Count("entries", distinct=True))
    )


def campaign_for(actor: Actor, pk: Any) -> Campaign:
    return get_or_404(
        Campaign.objects.filter(campaigns_visible_q(actor))
        .select_related("organiser")
        .prefetch_related("conditions", "rubric"),
        pk=pk,
    )


def condition_for(actor: Actor, pk: Any) -> Condition:
    return get_or_404(
        Condition.objects.filter(
            campaign__in=Campaign.objects.filter(campaigns_visible_q(actor))
        ).select_related("campaign__organiser"),
        pk=pk,
    )


def _entries(queryset: QuerySet[Nomination]) -> QuerySet[Nomination]:
    return queryset.select_related(
        "campaign__organiser", "program__host", "term", "holder"
    ).prefetch_related("files")


def entries_visible_to(actor: Actor) -> QuerySet[Nomination]:
    return _entries(Nomination.objects.filter(entries_visible_q(actor)))


def entry_for(actor: Actor, pk: Any) -> Nomination:
    return get_or_404(
        entries_visible_to(actor).prefetch_related(
            Prefetch("steps", queryset=_steps()), "campaign__conditions"
        ),
        pk=pk,
    )


def _steps() -> QuerySet[Any]:
    from .models import Recommendation

    return Recommendation.objects.select_related("org", "by")


def campaign_entries(actor: Actor, campaign: Campaign) -> QuerySet[Nomination]:
    return entries_visible_to(actor).filter(campaign=campaign)


def entries_to_decide(actor: Actor) -> QuerySet[Nomination]:
    """Pending entries whose holder lies in the actor's subtree, for their union's decision."""
    if actor.membership is None or not actor.is_admin:
        return Nomination.objects.none()
    return (
        entries_visible_to(actor)
        .filter(status="pending", holder__path__startswith=actor.membership.org.path)
        .exclude(campaign__organiser=actor.membership.org)
    )


def material_for(actor: Actor, pk: Any) -> NominationFile:
    return get_or_404(
        NominationFile.objects.filter(
            entry__in=Nomination.objects.filter(entries_visible_q(actor))
        ),
        pk=pk,
    )


def enterable_terms(actor: Actor, campaign: Campaign) -> QuerySet[Term]:
    """Terms of classes the actor runs, hosted strictly below the organiser, not entered yet."""
    if not actor.has_role(HOST_ROLES):
        return Term.objects.none()
    entered = Nomination.objects.filter(campaign=campaign).values("program_id")
    programs = (
        Program.objects.filter(programs_visible_q(actor))
        .filter(host__path__startswith=campaign.organiser.path)
        .exclude(host=campaign.organiser)
    )
    return (
        Term.objects.filter(program__in=programs)
        .exclude(program__in=entered)
        .select_related("program__host")
        .order_by("-start_date", "pk")
    )


def eligibility_of(entries: list[Nomination]) -> dict[int, Eligibility]:
    """{entry pk: Eligibility} for entries of one campaign, facts loaded in one batch."""
    if not entries:
        return {}
    conditions = list(entries[0].campaign.conditions.all())
    terms = list(with_compliance_data(Term.objects.filter(pk__in={e.term_id for e in entries})))
    by_term = terms_eligibility(conditions, terms)
    return {e.pk: by_term[e.term_id] for e in entries}


# --- Scoring ---------------------------------------------------------------------------------


def reviewers_of(campaign: Campaign) -> QuerySet[Reviewer]:
    return campaign.reviewers.select_related("membership__user", "membership__org")


def reviewer_for(actor: Actor, pk: Any) -> Reviewer:
    return get_or_404(
        Reviewer.objects.filter(
            campaign__in=Campaign.objects.filter(campaigns_visible_q(actor))
        ).select_related("campaign__organiser", "membership__org"),
        pk=pk,
    )


def reviewer_candidates(campaign: Campaign) -> QuerySet[Membership]:
    """Active reviewers, admins and inspectors of the organiser's subtree not yet asked."""
    from .services import REVIEWER_ROLES

    asked = campaign.reviewers.values("membership_id")
    return (
        Membership.objects.filter(
            is_active=True,
            role__in=REVIEWER_ROLES,
            org__path__startswith=campaign.organiser.path,
        )
        .exclude(pk__in=asked)
        .select_related("user", "org")
        .order_by("org__path", "role", "pk")
    )


def scorecards_visible_to(actor: Actor) -> QuerySet[Scorecard]:
    return (
        Scorecard.objects.filter(scorecards_visible_q(actor))
        .select_related("reviewer__membership__user", "entry")
        .prefetch_related(Prefetch("scores", queryset=Score.objects.select_related("item")))
    )


def scorecard_for(actor: Actor, pk: Any) -> Scorecard:
    return get_or_404(scorecards_visible_to(actor), pk=pk)


def entry_scorecards(actor: Actor, entry: Nomination) -> list[Scorecard]:
    return list(scorecards_visible_to(actor).filter(entry=entry).order_by("pk"))


def entries_to_score(actor: Actor) -> list[tuple[Nomination, bool, bool]]:
    """(entry, conflicted, already scored) of every entry under review in the campaigns the
    actor reviews through the membership they act through."""
    if actor.membership is None:
        return []
    reviews = list(
        Reviewer.objects.filter(
            membership=actor.membership, campaign__status=CampaignStatus.REVIEW
        ).select_related("campaign__organiser", "membership__org")
    )
    if not reviews:
        return []
    by_campaign = {r.campaign_id: r for r in reviews}
    scored = set(Scorecard.objects.filter(reviewer__in=reviews).values_list("entry_id", flat=True))
    entries = _entries(
        Nomination.objects.filter(campaign__in=list(by_campaign), status="in_review")
    ).order_by("campaign", "applied_at", "pk")
    return [(e, by_campaign[e.campaign_id].conflicts_with(e), e.pk in scored) for e in entries]


# --- Public notice, objections, designations (public pages read these without an actor) ------

PUBLIC_STATUSES = (CampaignStatus.NOTICE, CampaignStatus.CLOSED)
LISTED = ("on_notice", "removed", "designated")


def public_campaign(pk: Any) -> Campaign:
    """A campaign whose notice has been published: anyone may read its list."""
    return get_or_404(
        Campaign.objects.filter(status__in=PUBLIC_STATUSES).select_related("organiser"), pk=pk
    )


def notice_entries(campaign: Campaign) -> QuerySet[Nomination]:
    return (
        Nomination.objects.filter(campaign=campaign, status__in=LISTED)
        .select_related("program__host")
        .order_by("rank", "pk")
    )


def public_entry(pk: Any) -> Nomination:
    """An entry on public notice (objections are lodged against it)."""
    return get_or_404(
        Nomination.objects.filter(
            status="on_notice", campaign__status=CampaignStatus.NOTICE
        ).select_related("campaign__organiser", "program__host"),
        pk=pk,
    )


def campaign_objections(campaign: Campaign) -> QuerySet[Objection]:
    return (
        Objection.objects.filter(entry__campaign=campaign)
        .select_related("entry__program__host", "answered_by")
        .order_by("status", "pk")
    )


def objections_managed_by(actor: Actor) -> QuerySet[Objection]:
    """The objections to campaigns the actor's union (or one below it) organises."""
    return (
        Objection.objects.filter(subtree_q(actor, "entry__campaign__organiser__path"))
        .select_related("entry__program", "entry__campaign")
        .order_by("status", "pk")
    )


def objection_for(actor: Actor, pk: Any) -> Objection:
    return get_or_404(
        Objection.objects.filter(
            entry__campaign__in=Campaign.objects.filter(campaigns_visible_q(actor))
        ).select_related("entry__campaign__organiser", "entry__program__host"),
        pk=pk,
    )


def public_designations(
    *, level: int | None = None, year: int | None = None, region: Any = None
) -> QuerySet[Designation]:
    """Unrevoked designations, by level, year and the region (a union's subtree) of the class."""
    queryset = Designation.objects.filter(revoked_at__isnull=True).select_related(
        "program__host", "org"
    )
    if level is not None:
        queryset = queryset.filter(level=level)
    if year:
        queryset = queryset.filter(year=year)
    if region is not None:
        queryset = queryset.filter(program__host__path__startswith=region.path)
    return queryset.order_by("-year", "level", "program__host__path", "pk")


def designation_for(actor: Actor, pk: Any) -> Designation:
    """A designation of a class on the actor's line (its subtree or the unions above it)."""
    if actor.membership is None:
        return get_or_404(Designation.objects.none(), pk=pk)
    visible = Q(program__in=Program.objects.filter(programs_visible_q(actor))) | Q(
        org__path__startswith=actor.membership.org.path
    )
    return get_or_404(
        Designation.objects.filter(visible).select_related("program__host", "org"), pk=pk
    )


def region_choices() -> QuerySet[Org]:
    """The national union and the provinces: the regions the public list is filtered by."""
    return Org.objects.filter(level__lte=Level.PROVINCE, is_active=True).order_by("path")
