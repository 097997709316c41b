"""What care lends to the earlier apps, registered in `CareConfig.ready()` (DESIGN §3).

* programs' standards: the attendance-rate criterion (`attendance_rate`, ≥ 70% by default),
  from `rates.term_rates`; and the staffing criterion (`carer_ratio`), which keeps the
  planned roster's verdict and fails when the live ratio was breached (`RatioBreach`).
* enrolment's rule "attendance below 70% in the previous period bars the next", from
  `rates.previous_period_rate`.
"""

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from tuoguan.enrolment.services import register_attendance_provider
from tuoguan.programs import compliance
from tuoguan.programs.compliance import MetricResult, Status, fact
from tuoguan.programs.metrics import carer_ratio as planned_carer_ratio
from tuoguan.programs.models import Criterion, Metric, Term

from .models import RatioBreach
from .rates import Rate, previous_period_rate, term_rates


def attendance_rates_fact(terms: Sequence[Any]) -> dict[int, Rate]:
    return term_rates(terms)


def attendance_rate_metric(term: Term, criterion: Criterion) -> MetricResult:
    if criterion.threshold is None:
        return MetricResult(None, Status.PENDING, _("The criterion has no threshold."))
    rate: Rate | None = fact(term, "attendance_rate")
    if rate is None or rate.value is None:
        return MetricResult(None, Status.PENDING, _("Not yet measured: no care day has passed."))
    detail = _(
        "%(present)s days present of %(days)s care days: %(rate)s%% (at least %(min)s%%)."
    ) % {
        "present": rate.present,
        "days": rate.days,
        "rate": rate.value,
        "min": f"{criterion.threshold.normalize():f}",
    }
    passed = rate.value >= criterion.threshold
    return MetricResult(rate.value, Status.PASS if passed else Status.FAIL, detail)


def ratio_breaches_fact(terms: Sequence[Any]) -> dict[int, tuple[int, int]]:
    """{term pk: (breaches, minutes in breach)}."""
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for breach in RatioBreach.objects.filter(term__in=[t.pk for t in terms]).only(
        "term_id", "started_at", "ended_at"
    ):
        totals[breach.term_id][0] += 1
        totals[breach.term_id][1] += breach.minutes
    return {pk: (n, minutes) for pk, (n, minutes) in totals.items()}


def carer_ratio_metric(term: Term, criterion: Criterion) -> MetricResult:
    planned = planned_carer_ratio(term, criterion)
    breaches = fact(term, "ratio_breaches")
    if not breaches:
        return planned
    count, minutes = breaches
    detail = _("The live ratio was breached %(n)s times, %(minutes)s minutes in all.") % {
        "n": count,
        "minutes": minutes,
    }
    value = planned.value if planned.value is not None else Decimal(count)
    return MetricResult(value, Status.FAIL, f"{planned.detail} {detail}".strip())


def register() -> None:
    compliance.register_fact("attendance_rate", attendance_rates_fact)
    compliance.register_metric(Metric.ATTENDANCE_RATE, attendance_rate_metric)
    compliance.register_fact("ratio_breaches", ratio_breaches_fact)
    compliance.register_metric(Metric.CARER_RATIO, carer_ratio_metric)
    register_attendance_provider(previous_period_rate)
