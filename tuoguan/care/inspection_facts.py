"""Facts and the metric that daily safety inspections lend to the construction standards
(registered in `CareConfig.ready()`), and a selector later capabilities read:

* `daily_inspection`: (care days inspected, care days elapsed) of the term so far — the care
  days before today, and today once inspected;
* `camera_reported_broken(program, date)`: True when that day's inspection of one of the
  class's terms failed the "cameras working" item (the live view shows no camera as live).
"""

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoguan.programs import compliance
from tuoguan.programs.compliance import MetricResult, Status, fact
from tuoguan.programs.models import Criterion, Metric, TermDay, TermStatus

from .models import InspectionResult, SafetyInspection
from .services.inspections import CAMERAS

# Daily care (and so an inspection) happens only in an approved term: before approval the
# criterion is not yet measured, whatever the dates say.
CARED_FOR = (TermStatus.APPROVED, TermStatus.ENROLLING, TermStatus.RUNNING, TermStatus.CLOSED)


def inspection_counts(
    terms: Sequence[Any], today: datetime.date | None = None
) -> dict[int, tuple[int, int]]:
    """term pk → (care days inspected, care days elapsed), in one query."""
    today = today or timezone.localdate()
    inspected = SafetyInspection.objects.filter(term=OuterRef("term"), date=OuterRef("date"))
    cared = [t.pk for t in terms if t.status in CARED_FOR]
    rows = (
        TermDay.objects.filter(term__in=cared, is_care_day=True, date__lte=today)
        .annotate(done=Exists(inspected))
        .filter(Q(date__lt=today) | Q(done=True))
        .values("term_id")
        .annotate(elapsed=Count("pk"), inspected=Count("pk", filter=Q(done=True)))
    )
    found = {r["term_id"]: (r["inspected"], r["elapsed"]) for r in rows}
    return {t.pk: found.get(t.pk, (0, 0)) for t in terms}


def missing_days(term: Any, today: datetime.date | None = None) -> list[datetime.date]:
    """The term's care days before today without a completed inspection."""
    today = today or timezone.localdate()
    done = SafetyInspection.objects.filter(term=term).values("date")
    return list(
        TermDay.objects.filter(term=term, is_care_day=True, date__lt=today)
        .exclude(date__in=done)
        .order_by("date")
        .values_list("date", flat=True)
    )


def daily_inspection_metric(term: Any, criterion: Criterion) -> MetricResult:
    inspected, elapsed = fact(term, "daily_inspection") or (0, 0)
    if not elapsed:
        return MetricResult(None, Status.PENDING, _("No care day has passed yet."))
    share = (Decimal(inspected) * 100 / Decimal(elapsed)).quantize(Decimal("0.1"))
    needed = criterion.threshold if criterion.threshold is not None else Decimal(100)
    status = Status.PASS if share >= needed else Status.FAIL
    detail = _("Inspected on %(done)s of %(days)s care days so far (%(share)s%%).") % {
        "done": inspected,
        "days": elapsed,
        "share": share,
    }
    return MetricResult(share, status, detail)


def camera_reported_broken(program: Any, date: datetime.date) -> bool:
    """Whether that day's inspection of the class found its cameras not working."""
    return InspectionResult.objects.filter(
        inspection__term__program=program, inspection__date=date, code=CAMERAS, passed=False
    ).exists()


def cameras_broken_today(terms: Sequence[Any]) -> dict[int, bool]:
    today = timezone.localdate()
    broken = set(
        InspectionResult.objects.filter(
            inspection__term__in=[t.pk for t in terms],
            inspection__date=today,
            code=CAMERAS,
            passed=False,
        ).values_list("inspection__term_id", flat=True)
    )
    return {t.pk: t.pk in broken for t in terms}


def register() -> None:
    compliance.register_fact("daily_inspection", inspection_counts)
    compliance.register_fact("cameras_reported_broken_today", cameras_broken_today)
    compliance.register_metric(Metric.DAILY_INSPECTION, daily_inspection_metric)
