"""Which standard judges a union's classes, and on which day.

A union without its own standard inherits the nearest ancestor's; the national default
sits at the root. Among a union's published versions the one in force on a date is the
latest with `effective_from` on or before it. A term is judged by the version in force on
its first day, unless it was re-judged (`Term.judged_standard`).
"""

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import F, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce, Length, Substr

from tuoguan.orgs.models import Org

from .models import Criterion, Standard, Term


def lineage_paths(org: Org) -> list[str]:
    """The org's own path and its ancestors', nearest first."""
    step = org.steplen
    return [org.path[:i] for i in range(len(org.path), 0, -step)]


def _published_on(paths: Iterable[str]) -> list[Standard]:
    return list(
        Standard.objects.filter(org__path__in=set(paths), published=True)
        .select_related("org")
        .prefetch_related(Prefetch("criteria", queryset=Criterion.objects.order_by("order", "pk")))
    )


def _pick(
    standards: Sequence[Standard], paths: list[str], on_date: datetime.date
) -> Standard | None:
    by_path: dict[str, list[Standard]] = {}
    for standard in standards:
        if standard.effective_from <= on_date:
            by_path.setdefault(standard.org.path, []).append(standard)
    for path in paths:
        if path in by_path:
            return max(by_path[path], key=lambda s: (s.effective_from, s.version))
    return None


def standard_for(org: Org, on_date: datetime.date) -> Standard | None:
    """The standard that judges `org`'s classes on `on_date`."""
    paths = lineage_paths(org)
    return _pick(_published_on(paths), paths, on_date)


def standards_for_terms(terms: Sequence[Term]) -> dict[int, Standard | None]:
    """term pk → the standard that judges it, in a bounded number of queries.

    The terms must come with `program__host` selected.
    """
    lineages = {term.pk: lineage_paths(term.program.host) for term in terms}
    all_paths = {path for paths in lineages.values() for path in paths}
    published = _published_on(all_paths)
    pinned_ids = {t.judged_standard_id for t in terms if t.judged_standard_id} - {
        s.pk for s in published
    }
    pinned = {
        s.pk: s for s in Standard.objects.filter(pk__in=pinned_ids).prefetch_related("criteria")
    }
    pinned.update({s.pk: s for s in published})
    result: dict[int, Standard | None] = {}
    for term in terms:
        if term.judged_standard_id:
            result[term.pk] = pinned.get(term.judged_standard_id)
        else:
            result[term.pk] = _pick(published, lineages[term.pk], term.start_date)
    return result


def term_standard(term: Term) -> Standard | None:
    return standards_for_terms([term])[term.pk]


def _ref(name: str, depth: int) -> Any:
    """`name` of the query `depth` levels out (0: this query's own field)."""
    ref: Any = F(name)
    for level in range(depth):
        ref = OuterRef(name if level == 0 else ref)
    return ref


def judging_standard(term: str = "", *, depth: int = 0) -> Any:
    """`term_standard` as an expression: the pk of the standard that judges the term at the
    lookup path `term` of the query `depth` levels out ("" and 0: a Term queryset's own
    row), so a read can carry it in the same query. Its pinned standard, else the published
    one in force on its first day of the nearest union of the host's line (the longest
    path that is a prefix of the host's), the latest version. Held equal to `term_standard`
    by tuoguan/programs/tests/test_standards.py."""
    prefix = f"{term}__" if term else ""
    host_path = _ref(f"{prefix}program__host__path", depth + 1)
    in_force = (
        Standard.objects.filter(
            published=True,
            effective_from__lte=_ref(f"{prefix}start_date", depth + 1),
            org__path=Substr(host_path, 1, Length("org__path")),
        )
        .order_by(Length("org__path").desc(), "-effective_from", "-version")
        .values("pk")[:1]
    )
    return Coalesce(_ref(f"{prefix}judged_standard_id", depth), Subquery(in_force))
