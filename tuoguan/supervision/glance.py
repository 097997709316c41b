"""A region's supervision at a glance: per child union of the one looked at, for a season
(seasons.py: a term or holiday of the school year, or custom dates).

Each figure is one grouped query over the whole subtree (the child union read from the
host's tree path), so the page costs the same number of queries however many unions,
classes and visits lie below. A read: it never writes.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone

from tuoguan.orgs.models import Org
from tuoguan.orgs.permissions import Actor
from tuoguan.orgs.selectors import org_children
from tuoguan.programs.models import Area, Term

from .models import DONE_STATUSES, OPEN_STATUSES, ChecklistItem, Visit, VisitStatus
from .seasons import Season
from .selectors import rectifications_visible_to, visits_visible_to

SEASON_TERM_STATUSES = ("approved", "enrolling", "running", "closed")


@dataclass
class GlanceRow:
    org: Org
    planned: int = 0
    done: int = 0
    findings: dict[str, int] = field(default_factory=dict)
    open: int = 0
    overdue: int = 0
    never_visited: int = 0
    days_to_close: float | None = None

    @property
    def findings_total(self) -> int:
        return sum(self.findings.values())

    def findings_by_area(self) -> list[tuple[str, int]]:
        labels = dict(Area.choices)
        return [(str(labels.get(k, k)), n) for k, n in sorted(self.findings.items())]


@dataclass
class Glance:
    org: Org
    season: Season
    rows: list[GlanceRow]
    total: GlanceRow

    @property
    def start(self) -> datetime.date:
        return self.season.start

    @property
    def end(self) -> datetime.date:
        return self.season.end


def _grouped(queryset: QuerySet[Any], path: str, width: int) -> QuerySet[Any]:
    return queryset.annotate(child=Substr(path, 1, width)).values("child")


def glance(actor: Actor, org: Org, season: Season) -> Glance:
    """`org` must come from a scoped selector (orgs.selectors.org_for)."""
    start, end = season.start, season.end
    children = list(org_children(actor, org))
    width = len(org.path) + org.steplen
    rows = {child.path: GlanceRow(child) for child in children}
    host = "term__program__host__path"
    visits = (
        visits_visible_to(actor)
        .filter(**{f"{host}__startswith": org.path}, date__range=(start, end))
        .exclude(status=VisitStatus.CANCELLED)
    )
    for row in _grouped(visits.order_by(), host, width).annotate(
        planned=Count("pk", distinct=True),
        done=Count("pk", filter=Q(status__in=DONE_STATUSES), distinct=True),
    ):
        if row["child"] in rows:
            rows[row["child"]].planned, rows[row["child"]].done = row["planned"], row["done"]
    items = ChecklistItem.objects.filter(visit__in=visits.values("pk"), result="fail")
    for row in (
        _grouped(items.order_by(), f"visit__{host}", width)
        .annotate(n=Count("pk"))
        .values("child", "area", "n")
    ):
        if row["child"] in rows:
            rows[row["child"]].findings[row["area"] or "free"] = row["n"]
    spans = _rectifications(actor, org, rows, width, start, end)
    _never_visited(actor, org, rows, width, start, end)
    ordered = [rows[child.path] for child in children]
    total = _total(org, ordered)
    every = [value for child, values in spans.items() if child in rows for value in values]
    total.days_to_close = round(sum(every) / len(every), 1) if every else None
    return Glance(org, season, ordered, total)


def _rectifications(
    actor: Actor, org: Org, rows: dict[str, GlanceRow], width: int, start: Any, end: Any
) -> dict[str, list[float]]:
    today = timezone.localdate()
    host = "term__program__host__path"
    orders = rectifications_visible_to(actor).filter(
        **{f"{host}__startswith": org.path}, visit__date__range=(start, end)
    )
    for row in _grouped(orders.order_by(), host, width).annotate(
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        overdue=Count("pk", filter=Q(status__in=OPEN_STATUSES, deadline__lt=today)),
    ):
        if row["child"] in rows:
            rows[row["child"]].open, rows[row["child"]].overdue = row["open"], row["overdue"]
    spans: dict[str, list[float]] = defaultdict(list)
    closed = _grouped(orders.filter(closed_at__isnull=False).order_by(), host, width)
    for row in closed.values("child", "closed_at", "created_at"):
        spans[row["child"]].append((row["closed_at"] - row["created_at"]).total_seconds() / 86400)
    for child, values in spans.items():
        if child in rows:
            rows[child].days_to_close = round(sum(values) / len(values), 1)
    return spans


def _never_visited(
    actor: Actor, org: Org, rows: dict[str, GlanceRow], width: int, start: Any, end: Any
) -> None:
    from tuoguan.programs.selectors import terms_visible_to

    done = Visit.objects.filter(
        term=OuterRef("pk"), date__range=(start, end), status__in=DONE_STATUSES
    )
    terms = (
        terms_visible_to(actor)
        .filter(program__host__path__startswith=org.path, status__in=SEASON_TERM_STATUSES)
        .filter(start_date__lte=end, end_date__gte=start)
        .filter(~Exists(done))
    )
    for row in _grouped(terms.order_by(), "program__host__path", width).annotate(n=Count("pk")):
        if row["child"] in rows:
            rows[row["child"]].never_visited = row["n"]


def _total(org: Org, rows: list[GlanceRow]) -> GlanceRow:
    total = GlanceRow(org)
    for row in rows:
        total.planned += row.planned
        total.done += row.done
        total.open += row.open
        total.overdue += row.overdue
        total.never_visited += row.never_visited
        for area, n in row.findings.items():
            total.findings[area] = total.findings.get(area, 0) + n
    return total


def never_visited_terms(
    actor: Actor, org: Org, start: datetime.date, end: datetime.date
) -> QuerySet[Term]:
    """The terms of `org`'s subtree with no visit done in the season (the drill-down)."""
    from tuoguan.programs.selectors import terms_visible_to

    done = Visit.objects.filter(
        term=OuterRef("pk"), date__range=(start, end), status__in=DONE_STATUSES
    )
    return (
        terms_visible_to(actor)
        .filter(program__host__path__startswith=org.path, status__in=SEASON_TERM_STATUSES)
        .filter(start_date__lte=end, end_date__gte=start)
        .filter(~Exists(done))
        .order_by(F("program__host__path"), "start_date", "pk")
    )
