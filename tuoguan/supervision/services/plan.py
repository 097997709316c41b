"""A season's plan: every running term of the subtree visited at least once.

Visits are spread across the inspectors (the least loaded first, never two on one day), and
an inspector never inspects a class of their own grassroots union (conflict of interest).
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoguan.orgs.models import Role
from tuoguan.orgs.permissions import Actor, require

from ..models import Visit, VisitStatus
from ..permissions import can_plan_visits, has_conflict
from ..selectors import inspector_candidates, terms_to_visit
from .visits import visit_plan


@dataclass
class SeasonPlan:
    planned: list[Visit] = field(default_factory=list)
    already: list[Any] = field(default_factory=list)
    unplanned: list[tuple[Any, str]] = field(default_factory=list)


def _days(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    days = [start + datetime.timedelta(n) for n in range((end - start).days + 1)]
    return [d for d in days if d.weekday() < 5] or days


@transaction.atomic
def visits_plan_season(
    *, actor: Actor, start: datetime.date, end: datetime.date, announced: bool = True
) -> SeasonPlan:
    """Plan one visit to each approved, enrolling or running term between `start` and `end`
    that has none yet in that period."""
    require(can_plan_visits(actor))
    org = actor.org
    assert org is not None  # noqa: S101 - can_plan_visits needs a membership
    if end < start:
        raise ValidationError({"end": _("The season ends after it starts.")})
    if (end - start).days > 366:
        raise ValidationError({"end": _("A season is at most a year long.")})
    start = max(start, timezone.localdate())
    # Admins may be sent by hand; the generated plan spreads the work of the inspectors.
    inspectors = list(inspector_candidates(actor, org, roles=(Role.INSPECTOR,)))
    if not inspectors:
        raise ValidationError(_("Your union has no inspector to send."))
    season = Visit.objects.filter(date__range=(start, end)).exclude(status=VisitStatus.CANCELLED)
    load: Counter[int] = Counter()
    busy: set[tuple[int, datetime.date]] = set()
    for visit in season.filter(planner=org).prefetch_related("inspectors"):
        for user in visit.inspectors.all():
            load[user.pk] += 1
            busy.add((user.pk, visit.date))
    visited = set(season.values_list("term_id", flat=True))
    result = SeasonPlan()
    from ..permissions import grassroots_paths_of

    paths = {user.pk: grassroots_paths_of(user) for user in inspectors}
    for term in terms_to_visit(actor, org).filter(start_date__lte=end, end_date__gte=start):
        if term.pk in visited:
            result.already.append(term)
            continue
        days = _days(max(start, term.start_date), min(end, term.end_date))
        free = [u for u in inspectors if not has_conflict(u, term, paths[u.pk])]
        if not free:
            result.unplanned.append(
                (term, _("every inspector belongs to the class's grassroots union"))
            )
            continue
        chosen = min(free, key=lambda u: (load[u.pk], u.pk))
        # The first day the chosen inspector is free, past the days of the load before it.
        offset = min(load[chosen.pk], len(days) - 1)
        day = next((d for d in days[offset:] if (chosen.pk, d) not in busy), days[offset])
        result.planned.append(
            visit_plan(actor=actor, term=term, date=day, inspectors=[chosen], announced=announced)
        )
        load[chosen.pk] += 1
        busy.add((chosen.pk, day))
    return result
