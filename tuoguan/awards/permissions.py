"""Who may see and act on selection campaigns and their entries.

Built on `orgs.permissions`. A campaign is seen by every union on its organiser's line: the
organiser's subtree (who may enter) and the unions above it. It is run by the organising
union's admins (or an admin above). An entry is seen where its class is seen (the host's
subtree and the unions above). A union decides on an entry it holds, or, for a union below
it that does not act, on its behalf: any admin whose union covers the holder and lies
strictly below the organiser; the organiser's reviewers then score it.
"""

from typing import Any

from django.db.models import Q

from tuoguan.orgs.models import Org
from tuoguan.orgs.permissions import Actor, covers, subtree_q
from tuoguan.programs.permissions import can_manage_program

from .models import CAMPAIGN_LEVELS, NominationStatus


def _ancestors_or_self(org: Org) -> list[str]:
    return [org.path[:i] for i in range(org.steplen, len(org.path) + 1, org.steplen)]


def campaigns_visible_q(actor: Actor) -> Q:
    if actor.membership is None:
        return Q(pk__in=[])
    return subtree_q(actor, "organiser__path") | Q(
        organiser__path__in=_ancestors_or_self(actor.membership.org)
    )


def can_create_campaign(actor: Actor) -> bool:
    return actor.is_admin and actor.org is not None and actor.org.level in CAMPAIGN_LEVELS


def can_manage_campaign(actor: Actor, campaign: Any) -> bool:
    return actor.is_admin and covers(actor, campaign.organiser)


def entries_visible_q(actor: Actor) -> Q:
    return subtree_q(actor, "program__host__path")


def can_enter(actor: Actor, campaign: Any, program: Any) -> bool:
    """The class's manager or an admin of its host (or above) enters it, while entries are
    open, when the class lies strictly below the organiser."""
    host = program.host
    below = host.path.startswith(campaign.organiser.path) and host.pk != campaign.organiser_id
    return bool(campaign.is_open and below and can_manage_program(actor, program))


def deciding_org(actor: Actor, entry: Any) -> Org | None:
    """The union for which `actor` may decide on `entry` now: theirs, when it covers the
    holder and lies strictly below the organiser; None otherwise."""
    org = actor.org
    if not actor.is_admin or org is None or entry.status != NominationStatus.PENDING:
        return None
    organiser = entry.campaign.organiser
    if not entry.holder.path.startswith(org.path) or org.pk == organiser.pk:
        return None
    return org if org.path.startswith(organiser.path) else None


def can_recommend(actor: Actor, entry: Any) -> bool:
    return deciding_org(actor, entry) is not None


def can_withdraw(actor: Actor, entry: Any) -> bool:
    return entry.status in (NominationStatus.PENDING, NominationStatus.IN_REVIEW) and bool(
        can_manage_program(actor, entry.program)
    )


# --- Scoring ---------------------------------------------------------------------------------


def reviewer_of(actor: Actor, campaign: Any) -> Any:
    """The actor's assignment to `campaign` through the membership they act through, or None."""
    if actor.membership is None:
        return None
    return (
        campaign.reviewers.filter(membership=actor.membership)
        .select_related("membership__org")
        .first()
    )


def is_reviewer_anywhere(actor: Actor, campaign: Any) -> bool:
    """Assigned through any of their memberships: such a person sees scores only as a reviewer."""
    return bool(campaign.reviewers.filter(membership__user=actor.user).exists())


def can_assign_reviewers(actor: Actor, campaign: Any) -> bool:
    from .models import CampaignStatus

    return can_manage_campaign(actor, campaign) and campaign.status in (
        CampaignStatus.DRAFT,
        CampaignStatus.OPEN,
        CampaignStatus.REVIEW,
    )


def can_score(actor: Actor, entry: Any) -> bool:
    """An assigned reviewer without a tie to the class, while the campaign is under review."""
    from .models import CampaignStatus

    if entry.campaign.status != CampaignStatus.REVIEW:
        return False
    if entry.status != NominationStatus.IN_REVIEW:
        return False
    reviewer = reviewer_of(actor, entry.campaign)
    if reviewer is None or reviewer.conflicts_with(entry):
        return False
    return not reviewer.scorecards.filter(entry=entry).exists()


def can_see_results(actor: Actor, campaign: Any) -> bool:
    """The organiser's admins who are not themselves reviewers of the campaign."""
    return can_manage_campaign(actor, campaign) and not is_reviewer_anywhere(actor, campaign)


def scorecards_visible_q(actor: Actor) -> Q:
    """A reviewer's own scorecards, and the others' of an entry once they sent theirs; all of
    a campaign's for its organiser's admins who do not review it."""
    from django.db.models import Exists, OuterRef

    from .models import Reviewer, Scorecard

    if actor.membership is None:
        return Q(pk__in=[])
    own = Q(reviewer__membership__user=actor.user)
    sent = Scorecard.objects.filter(
        entry_id=OuterRef("entry_id"), reviewer__membership__user=actor.user
    )
    visible = own | Q(Exists(sent))
    if actor.is_admin:
        reviews = Reviewer.objects.filter(
            campaign_id=OuterRef("entry__campaign_id"), membership__user=actor.user
        )
        visible |= subtree_q(actor, "entry__campaign__organiser__path") & ~Q(Exists(reviews))
    return visible


def can_revoke_designation(actor: Actor, designation: Any) -> bool:
    """The admins of the union that gave the title, or of a union above it."""
    return actor.is_admin and covers(actor, designation.org)
