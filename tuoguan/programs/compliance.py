"""Whether a term meets its construction standard, computed live and never stored.

Provider registry
-----------------
Computed criteria name a *metric*. `programs` registers the metrics it can judge from its own
data (metrics.py). Facts owned by later apps reach it through the registry, so `programs`
never imports them (DESIGN §3 "Dependencies run one way"). In the later app's
`AppConfig.ready()`::

    from tuoguan.programs import compliance

    # A fact: a batch loader, terms -> {term pk: value}. Return no entry (or None) for a
    # term you have no figure for yet; programs then falls back (e.g. to planned places).
    compliance.register_fact("enrolled_count", enrolled_counts)
    # A metric: (term, criterion) -> MetricResult; read your facts with compliance.fact().
    compliance.register_metric("agreements_insurance", agreements_insurance_metric)

Facts are loaded once per batch of terms (`prime_facts`), so a metric that reads them
costs no query per term. Known fact names: `enrolled_count` (int, admitted children of a
term), `group_enrolled_counts` ({group pk: int}); a later app may add its own.
"""

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .calendar import calendar_years_known
from .models import Criterion, CriterionKind, Evidence, Standard, Term, TermStaff, TermStatus
from .standards import standards_for_terms

logger = logging.getLogger(__name__)


class Status(models.TextChoices):
    PASS = "pass", gettext_lazy("Pass")
    FAIL = "fail", gettext_lazy("Fail")
    PENDING = "pending", gettext_lazy("Pending")
    NA = "na", gettext_lazy("Not applicable")


class Verdict(models.TextChoices):
    COMPLIANT = "compliant", gettext_lazy("Compliant")
    NON_COMPLIANT = "non_compliant", gettext_lazy("Non-compliant")
    PENDING = "pending", gettext_lazy("Pending")


@dataclass(frozen=True)
class MetricResult:
    value: Decimal | None
    status: str
    detail: str = ""


MetricFn = Callable[[Term, Criterion], MetricResult]
FactLoader = Callable[[Sequence[Term]], Mapping[int, Any]]

_metrics: dict[str, MetricFn] = {}
_facts: dict[str, FactLoader] = {}


def register_metric(name: str, fn: MetricFn) -> None:
    """Judge criteria whose `metric` is `name` with `fn(term, criterion) -> MetricResult`."""
    _metrics[name] = fn


def register_fact(name: str, loader: FactLoader) -> None:
    """Provide a figure about terms: `loader(terms) -> {term pk: value}`, one batch at a time."""
    _facts[name] = loader


def registered_metrics() -> list[str]:
    return sorted(_metrics)


@contextmanager
def overriding(*, metrics: Mapping[str, MetricFn] | None = None,
               facts: Mapping[str, FactLoader] | None = None) -> Iterator[None]:  # fmt: skip
    """Swap providers for a block (tests; a later app's providers without that app)."""
    saved = dict(_metrics), dict(_facts)
    _metrics.update(metrics or {})
    _facts.update(facts or {})
    try:
        yield
    finally:
        _metrics.clear()
        _facts.clear()
        _metrics.update(saved[0])
        _facts.update(saved[1])


def _fact_cache(term: Term) -> dict[str, Mapping[int, Any]]:
    cache: dict[str, Mapping[int, Any]] = term.__dict__.setdefault("_compliance_facts", {})
    return cache


def prime_facts(terms: Sequence[Term]) -> None:
    """Load every registered fact for all `terms` at once (one call per loader)."""
    for name, loader in _facts.items():
        values = loader(terms)
        for term in terms:
            _fact_cache(term)[name] = {term.pk: values.get(term.pk)}


def fact(term: Term, name: str) -> Any:
    """A registered fact about `term`, or None when no app provides it (yet)."""
    cache = _fact_cache(term)
    if name not in cache:
        loader = _facts.get(name)
        cache[name] = {term.pk: loader([term]).get(term.pk)} if loader else {}
    return cache[name].get(term.pk)


# --- Evaluation ---------------------------------------------------------------------------


@dataclass
class ComplianceRow:
    criterion: Criterion
    status: str
    value: Decimal | None = None
    detail: str = ""
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def is_veto_failure(self) -> bool:
        return self.criterion.is_veto and self.status == Status.FAIL

    def get_status_display(self) -> str:
        return str(Status(self.status).label)


@dataclass
class TermCompliance:
    term: Term
    standard: Standard | None
    rows: list[ComplianceRow]
    verdict: str

    @property
    def veto_failed(self) -> bool:
        return any(row.is_veto_failure for row in self.rows)

    @property
    def failing(self) -> list[ComplianceRow]:
        return [row for row in self.rows if row.status == Status.FAIL]

    @property
    def pending(self) -> list[ComplianceRow]:
        return [row for row in self.rows if row.status == Status.PENDING]

    def get_verdict_display(self) -> str:
        return str(Verdict(self.verdict).label)


def with_compliance_data(queryset: QuerySet[Term]) -> QuerySet[Term]:
    """What the built-in metrics read, fetched in a fixed number of queries."""
    return (
        queryset.select_related("program__host", "venue")
        .annotate(care_days_annotated=Count("days", filter=Q(days__is_care_day=True)))
        .prefetch_related(
            "groups",
            Prefetch("staff", queryset=TermStaff.objects.only("id", "term_id", "role", "group_id")),
            Prefetch(
                "evidence",
                queryset=Evidence.objects.select_related("criterion").order_by(
                    "-created_at", "-pk"
                ),
            ),
        )
    )


def _evidence_row(criterion: Criterion, term: Term) -> ComplianceRow:
    # Matched by code, so evidence given under one version still counts after a re-judge.
    items = [e for e in term.evidence.all() if e.criterion.code == criterion.code]
    statuses = {e.status for e in items}
    if Evidence.Status.ACCEPTED in statuses:
        return ComplianceRow(criterion, Status.PASS, detail=_("Evidence accepted."), evidence=items)
    if Evidence.Status.PENDING in statuses:
        return ComplianceRow(
            criterion, Status.PENDING, detail=_("Evidence awaiting review."), evidence=items
        )
    if items:
        detail = _("Evidence rejected: %(comment)s") % {"comment": items[0].review_comment}
        return ComplianceRow(criterion, Status.FAIL, detail=detail, evidence=items)
    return ComplianceRow(criterion, Status.PENDING, detail=_("No evidence uploaded yet."))


def _computed_row(criterion: Criterion, term: Term) -> ComplianceRow:
    fn = _metrics.get(criterion.metric)
    if fn is None:
        return ComplianceRow(criterion, Status.PENDING, detail=_("Not available yet."))
    try:
        result = fn(term, criterion)
    except Exception:
        logger.exception("metric %s failed for term %s", criterion.metric, term.pk)
        return ComplianceRow(criterion, Status.PENDING, detail=_("Could not be computed."))
    return ComplianceRow(criterion, result.status, result.value, result.detail)


def _row(criterion: Criterion, term: Term) -> ComplianceRow:
    if not criterion.applies_to_type(term.program.type):
        return ComplianceRow(criterion, Status.NA)
    if criterion.kind == CriterionKind.EVIDENCE:
        return _evidence_row(criterion, term)
    return _computed_row(criterion, term)


def _verdict(rows: list[ComplianceRow], standard: Standard | None) -> str:
    statuses = {row.status for row in rows}
    if standard is None:
        return Verdict.PENDING
    # A failed veto criterion is covered here too: any failure is non-compliant.
    if Status.FAIL in statuses:
        return Verdict.NON_COMPLIANT
    return Verdict.PENDING if Status.PENDING in statuses else Verdict.COMPLIANT


def terms_compliance(terms: Iterable[Term]) -> list[TermCompliance]:
    """Judge several terms; pass terms from `with_compliance_data` to keep queries bounded."""
    batch = list(terms)
    standards = standards_for_terms(batch)
    years = calendar_years_known(
        y for t in batch for y in range(t.start_date.year, t.end_date.year + 1)
    )
    prime_facts(batch)
    results = []
    for term in batch:
        term.pending_years_cached = sorted(  # type: ignore[attr-defined]
            y for y in range(term.start_date.year, term.end_date.year + 1) if not years[y].announced
        )
        standard = standards[term.pk]
        rows = [_row(c, term) for c in standard.criteria.all()] if standard else []
        results.append(TermCompliance(term, standard, rows, _verdict(rows, standard)))
    return results


def term_compliance(term: Term) -> TermCompliance:
    fresh = with_compliance_data(Term.objects.filter(pk=term.pk)).get()
    return terms_compliance([fresh])[0]


# Terms that claim to be ready: drafts and rejected terms are still being written.
JUDGED_STATUSES = (
    TermStatus.SUBMITTED,
    TermStatus.APPROVED,
    TermStatus.ENROLLING,
    TermStatus.RUNNING,
    TermStatus.CLOSED,
)
