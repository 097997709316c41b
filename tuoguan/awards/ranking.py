"""The standing of a campaign's entries: averages of independent scores, ranked in the quota.

Read-only. An entry under review is ranked when no veto condition fails (judged live, now)
and at least one reviewer without a conflict has scored it. With five or more scorecards the
highest and the lowest are dropped before averaging (a trimmed mean), so one reviewer
cannot carry or sink an entry. Equal averages are ordered by the campaign's tie-break rule.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Prefetch

from .eligibility import Eligibility
from .models import Campaign, ConditionKind, Nomination, NominationStatus, Scorecard, TieBreak
from .selectors import eligibility_of

TRIM_FROM = 5


def trimmed_mean(totals: list[int]) -> Decimal | None:
    """The mean of `totals`, without one highest and one lowest when there are five or more."""
    if not totals:
        return None
    kept = sorted(totals)[1:-1] if len(totals) >= TRIM_FROM else list(totals)
    return (Decimal(sum(kept)) / len(kept)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass
class Standing:
    entry: Nomination
    eligibility: Eligibility
    totals: list[int] = field(default_factory=list)
    average: Decimal | None = None
    rank: int | None = None
    within_quota: bool = False

    @property
    def trimmed(self) -> bool:
        return len(self.totals) >= TRIM_FROM


def _tie_value(campaign: Campaign, eligibility: Eligibility) -> Decimal:
    kind = {
        TieBreak.ATTENDANCE: ConditionKind.ATTENDANCE,
        TieBreak.CHILDREN: ConditionKind.CHILDREN,
    }
    wanted = kind.get(campaign.tie_break)  # type: ignore[call-overload]
    if wanted is None:
        return Decimal(0)
    figure = eligibility.figure(wanted)
    return Decimal(-1) if figure is None else figure


def rank(campaign: Campaign, standings: list[Standing]) -> list[Standing]:
    """Order the standings, number the ranked ones and mark those within the quota."""
    ranked = [s for s in standings if s.eligibility.eligible and s.average is not None]
    ranked.sort(
        key=lambda s: (
            -(s.average or 0),
            -_tie_value(campaign, s.eligibility),
            s.entry.applied_at,
            s.entry.pk,
        )
    )
    for position, standing in enumerate(ranked, start=1):
        standing.rank = position
        standing.within_quota = position <= campaign.quota
    rest = [s for s in standings if s.rank is None]
    return ranked + rest


def campaign_standings(campaign: Campaign) -> list[Standing]:
    entries = list(
        Nomination.objects.filter(campaign=campaign, status=NominationStatus.IN_REVIEW)
        .select_related("campaign__organiser", "program__host", "term")
        .prefetch_related(
            "campaign__conditions",
            Prefetch("scorecards", queryset=Scorecard.objects.only("entry_id", "total")),
        )
    )
    eligibility = eligibility_of(entries)
    standings = []
    for entry in entries:
        totals = [card.total for card in entry.scorecards.all()]
        standings.append(Standing(entry, eligibility[entry.pk], totals, trimmed_mean(totals)))
    return rank(campaign, standings)
