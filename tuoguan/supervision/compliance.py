"""Facts and a metric that supervision lends to the construction standards of `programs`.

Registered in `SupervisionConfig.ready()`; programs never imports supervision (DESIGN §3).
Facts (`compliance.fact(term, name)`), also read by the demonstration selection:

* `rectifications_open`: orders of the term not yet accepted;
* `rectifications_overdue`: those of them past their deadline;
* `checkins_suspended`: the reason check-ins are suspended, or None.

The three are read in one query per batch of terms (`_facts_of`), not one each.

The metric `rectifications` judges a criterion "no order past its deadline": it fails when
more orders are overdue than the criterion's threshold (0 by default) allows.
"""

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from tuoguan.programs import compliance

from .models import OPEN_STATUSES, Rectification


@dataclass(frozen=True)
class TermFacts:
    open: int = 0
    overdue: int = 0
    suspended: str | None = None


FACTS = ("rectifications_open", "rectifications_overdue", "checkins_suspended")
_batch = threading.local()


def _load(terms: Sequence[Any]) -> dict[int, TermFacts]:
    """The three facts of every term in one query: the open orders, oldest first."""
    today = timezone.localdate()
    found: dict[int, TermFacts] = {}
    rows = (
        Rectification.objects.filter(term__in=[t.pk for t in terms], status__in=OPEN_STATUSES)
        .order_by("created_at", "pk")
        .values_list("term_id", "deadline", "suspends_checkins", "item__label")
    )
    for term_id, deadline, suspends, label in rows:
        was = found.get(term_id, TermFacts())
        found[term_id] = TermFacts(
            open=was.open + 1,
            overdue=was.overdue + (deadline < today),
            # The reason is the oldest open suspending finding (selectors.suspensions_for_terms).
            suspended=was.suspended or (label if suspends else None),
        )
    return found


def _facts_of(terms: Sequence[Any], name: str) -> dict[int, TermFacts]:
    """The three loaders of one batch share one query.

    `programs.compliance.prime_facts` calls every loader in turn with the same sequence of
    terms: the first loads all three facts, the other two read that load. A loader called
    again for a name already served (a later batch, maybe after writes) loads afresh.
    """
    last = getattr(_batch, "last", None)
    if last is not None and last[0] is terms and name not in last[2]:
        last[2].add(name)
        if len(last[2]) == len(FACTS):
            _batch.last = None  # every fact served: keep no reference to the batch
        return last[1]  # type: ignore[no-any-return]
    values = _load(terms)
    _batch.last = (terms, values, {name})
    return values


def open_counts(terms: Sequence[Any]) -> dict[int, int]:
    facts = _facts_of(terms, "rectifications_open")
    return {t.pk: facts.get(t.pk, TermFacts()).open for t in terms}


def overdue_counts(terms: Sequence[Any]) -> dict[int, int]:
    facts = _facts_of(terms, "rectifications_overdue")
    return {t.pk: facts.get(t.pk, TermFacts()).overdue for t in terms}


def suspension_reasons(terms: Sequence[Any]) -> dict[int, str | None]:
    facts = _facts_of(terms, "checkins_suspended")
    return {t.pk: facts.get(t.pk, TermFacts()).suspended for t in terms}


def rectifications_metric(term: Any, criterion: Any) -> compliance.MetricResult:
    opened = compliance.fact(term, "rectifications_open") or 0
    overdue = compliance.fact(term, "rectifications_overdue") or 0
    allowed = criterion.threshold or Decimal(0)
    detail = _("%(open)s rectification orders open, %(overdue)s past their deadline.") % {
        "open": opened,
        "overdue": overdue,
    }
    status = compliance.Status.FAIL if overdue > allowed else compliance.Status.PASS
    return compliance.MetricResult(Decimal(overdue), status, detail)


def register() -> None:
    compliance.register_fact("rectifications_open", open_counts)
    compliance.register_fact("rectifications_overdue", overdue_counts)
    compliance.register_fact("checkins_suspended", suspension_reasons)
    compliance.register_metric("rectifications", rectifications_metric)
