"""Facts and metrics that meals lend to the standards' food-safety area (registered in
`CareConfig.ready()`; programs never imports care):

* `food_samples_missing`: how many dishes of the term's past days have no sample kept or had
  it discarded before 48 hours (int), None when no dish was served yet;
* `supplier_licences_expired`: how many of the class's suppliers hold a licence expired
  today (int), None when the class has no supplier recorded.

Without data the metrics say "not yet measured" (pending).
"""

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoguan.programs import compliance
from tuoguan.programs.compliance import MetricResult, Status, fact
from tuoguan.programs.models import Criterion, Metric, Term

from .models import SAMPLE_MIN_HOURS, Dish, Supplier


def food_samples_missing(
    terms: Sequence[Any], today: datetime.date | None = None
) -> dict[int, int | None]:
    """One query: per term, the dishes served before today and those without a good sample."""
    today = today or timezone.localdate()
    bad = Q(sample__isnull=True) | Q(
        sample__discarded_at__lt=F("sample__kept_at") + datetime.timedelta(hours=SAMPLE_MIN_HOURS)
    )
    rows = (
        Dish.objects.filter(meal__term__in=[t.pk for t in terms], meal__date__lt=today)
        .values("meal__term_id")
        .annotate(served=Count("pk"), bad=Count("pk", filter=bad))
    )
    counts = {row["meal__term_id"]: row["bad"] for row in rows if row["served"]}
    return {t.pk: counts.get(t.pk) for t in terms}


def supplier_licences_expired(
    terms: Sequence[Any], today: datetime.date | None = None
) -> dict[int, int | None]:
    today = today or timezone.localdate()
    programs = {t.pk: t.program_id for t in terms}
    rows = (
        Supplier.objects.filter(program_id__in=set(programs.values()))
        .values("program_id")
        .annotate(n=Count("pk"), expired=Count("pk", filter=Q(licence_expires__lt=today)))
    )
    by_program = {row["program_id"]: row["expired"] for row in rows if row["n"]}
    return {pk: by_program.get(program) for pk, program in programs.items()}


def food_samples_metric(term: Term, criterion: Criterion) -> MetricResult:
    missing = fact(term, "food_samples_missing")
    if missing is None:
        return MetricResult(None, Status.PENDING, _("Not yet measured: no dish served so far."))
    if missing:
        return MetricResult(
            Decimal(missing),
            Status.FAIL,
            _("Dishes without a food sample kept for 48 hours: %(n)s.") % {"n": missing},
        )
    return MetricResult(Decimal(0), Status.PASS, _("A food sample was kept of every dish."))


def supplier_licences_metric(term: Term, criterion: Criterion) -> MetricResult:
    expired = fact(term, "supplier_licences_expired")
    if expired is None:
        return MetricResult(None, Status.PENDING, _("Not yet measured: no supplier recorded."))
    if expired:
        return MetricResult(
            Decimal(expired),
            Status.FAIL,
            _("Suppliers whose food-business licence has expired: %(n)s.") % {"n": expired},
        )
    return MetricResult(Decimal(0), Status.PASS, _("Every supplier's licence is in date."))


def register() -> None:
    compliance.register_fact("food_samples_missing", food_samples_missing)
    compliance.register_fact("supplier_licences_expired", supplier_licences_expired)
    compliance.register_metric(Metric.FOOD_SAMPLES, food_samples_metric)
    compliance.register_metric(Metric.SUPPLIER_LICENCES, supplier_licences_metric)
