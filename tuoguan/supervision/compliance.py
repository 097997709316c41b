"""Facts and a metric that supervision lends to the construction standards of `programs`.

Registered in `SupervisionConfig.ready()`; programs never imports supervision (DESIGN §3).
Facts (`compliance.fact(term, name)`), also read by the demonstration selection:

* `rectifications_open`: orders of the term not yet accepted;
* `rectifications_overdue`: those of them past their deadline;
* `checkins_suspended`: the reason check-ins are suspended, or None.

The metric `rectifications` judges a criterion "no order past its deadline": it fails when
more orders are overdue than the criterion's threshold (0 by default) allows.
"""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoguan.programs import compliance

from .models import OPEN_STATUSES, Rectification


def _counts(terms: Sequence[Any]) -> dict[int, tuple[int, int]]:
    today = timezone.localdate()
    rows = (
        Rectification.objects.filter(term__in=[t.pk for t in terms], status__in=OPEN_STATUSES)
        .values("term_id")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(deadline__lt=today)))
    )
    return {row["term_id"]: (row["open"], row["overdue"]) for row in rows}


def open_counts(terms: Sequence[Any]) -> dict[int, int]:
    counts = _counts(terms)
    return {t.pk: counts.get(t.pk, (0, 0))[0] for t in terms}


def overdue_counts(terms: Sequence[Any]) -> dict[int, int]:
    counts = _counts(terms)
    return {t.pk: counts.get(t.pk, (0, 0))[1] for t in terms}


def suspension_reasons(terms: Sequence[Any]) -> dict[int, str | None]:
    from .selectors import suspensions_for_terms

    return suspensions_for_terms([t.pk for t in terms])


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
