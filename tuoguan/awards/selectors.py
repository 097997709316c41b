"""Reads of campaigns and entries, scoped to who asks (awards.permissions). A read never writes."""

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from tuoguan.orgs.models import Membership
from tuoguan.orgs.permissions import Actor, get_or_404
from tuoguan.programs.compliance import with_compliance_data
from tuoguan.programs.models import Program, Term
from tuoguan.programs.permissions import HOST_ROLES, programs_visible_q

from .eligibility import Eligibility, terms_eligibility
from .models import (
    Campaign,
    CampaignStatus,
    Condition,
    Nomination,
    NominationFile,
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


def open_campaigns_for_class(actor: Actor) -> QuerySet[Campaign]:
    return campaigns_visible_to(actor).filter(status=CampaignStatus.OPEN)


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


def campaigns_filter(
    queryset: QuerySet[Campaign], *, year: int | None = None
) -> QuerySet[Campaign]:
    return queryset.filter(Q(year=year)) if year else queryset


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
