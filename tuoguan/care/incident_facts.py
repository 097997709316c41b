"""Facts and metrics that incidents and drills lend to the construction standards of
`programs` (registered in `CareConfig.ready()`; programs never imports care, DESIGN §3).
Also read by the demonstration selection's veto ("no serious incident"):

* `serious_incidents`: the term's serious and critical incidents (int);
* `fire_drill_missing`: True when the term's fifth care day has passed without a fire drill
  held on or before it, False when one was, None while fewer than five care days have passed.
"""

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoguan.programs import compliance
from tuoguan.programs.compliance import MetricResult, Status, fact
from tuoguan.programs.models import Criterion, Metric, Term, TermDay

from .models import Drill, EmergencyKind, Incident, Severity

SERIOUS = (Severity.SERIOUS, Severity.CRITICAL)
DRILL_BY_CARE_DAY = 5


def serious_incident_counts(terms: Sequence[Any]) -> dict[int, int]:
    rows = (
        Incident.objects.filter(term__in=[t.pk for t in terms], severity__in=SERIOUS)
        .values("term_id")
        .annotate(n=Count("pk"))
    )
    counts = {row["term_id"]: row["n"] for row in rows}
    return {t.pk: counts.get(t.pk, 0) for t in terms}


def fire_drill_missing(terms: Sequence[Any], today: datetime.date | None = None) -> dict:
    """One query: each term's fifth care day and whether a fire drill was held by then."""
    today = today or timezone.localdate()
    fifth = (
        TermDay.objects.filter(term=OuterRef("pk"), is_care_day=True)
        .order_by("date")
        .values("date")[DRILL_BY_CARE_DAY - 1 : DRILL_BY_CARE_DAY]
    )
    drilled = Drill.objects.filter(
        term=OuterRef("pk"), kind=EmergencyKind.FIRE, date__lte=OuterRef("fifth")
    )
    rows = (
        Term.objects.filter(pk__in=[t.pk for t in terms])
        .annotate(fifth=Subquery(fifth), drilled=Exists(drilled))
        .values_list("pk", "fifth", "drilled")
    )
    result: dict[int, bool | None] = {}
    for pk, by, drilled_in_time in rows:
        if drilled_in_time:
            result[pk] = False
        elif by is None or by >= today:
            # Fewer than five care days, or the fifth is still to come: not yet due.
            result[pk] = None
        else:
            result[pk] = True
    return result


def serious_incidents_metric(term: Term, criterion: Criterion) -> MetricResult:
    count = fact(term, "serious_incidents") or 0
    allowed = criterion.threshold or Decimal(0)
    status = Status.FAIL if count > allowed else Status.PASS
    if count:
        detail = _("Serious or critical incidents this term: %(n)s.") % {"n": count}
    else:
        detail = _("No serious or critical incident this term.")
    return MetricResult(Decimal(count), status, detail)


def fire_drill_metric(term: Term, criterion: Criterion) -> MetricResult:
    missing = fact(term, "fire_drill_missing")
    if missing is None:
        return MetricResult(None, Status.PENDING, _("Fewer than five care days so far."))
    if missing:
        return MetricResult(
            Decimal(0), Status.FAIL, _("No fire drill was held by the fifth care day.")
        )
    return MetricResult(Decimal(1), Status.PASS, _("A fire drill was held in time."))


def register() -> None:
    compliance.register_fact("serious_incidents", serious_incident_counts)
    compliance.register_fact("fire_drill_missing", fire_drill_missing)
    compliance.register_metric(Metric.SERIOUS_INCIDENTS, serious_incidents_metric)
    compliance.register_metric(Metric.FIRE_DRILL, fire_drill_metric)
