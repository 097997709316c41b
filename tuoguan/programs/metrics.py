"""The computed criteria `programs` judges from its own data (registered in apps.ready).

`attendance_rate` and `agreements_insurance` are not here: `care` and `enrolment` own those
facts and register them; until they do, compliance reports them as pending.
"""

from decimal import ROUND_DOWN, Decimal

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .calendar import calendar_pending_years
from .compliance import MetricResult, Status, fact, register_metric
from .models import CARER_ROLES, Criterion, Metric, ProgramType, Term
from .models.standard import CERTIFICATE_LABELS

CENT = Decimal("0.01")


def _num(value: Decimal | int) -> str:
    """A figure as people write it: 20 for 20.00, 4.5 for 4.50."""
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _fmt(value: Decimal) -> str:
    # Round down for display, so a figure just below a threshold never reads as meeting it.
    return _num(value.quantize(CENT, rounding=ROUND_DOWN))


def _pass(ok: bool) -> str:
    return Status.PASS if ok else Status.FAIL


def _children(term: Term) -> tuple[int, str]:
    """Enrolled children when a provider knows them, else the places planned."""
    enrolled = fact(term, "enrolled_count")
    if enrolled is not None:
        return int(enrolled), _("%(n)s children enrolled") % {"n": enrolled}
    return term.capacity, _("%(n)s places planned (no enrolment figures yet)") % {
        "n": term.capacity
    }


def _no_threshold() -> MetricResult:
    return MetricResult(None, Status.PENDING, _("The criterion has no threshold."))


def _no_venue(term: Term) -> MetricResult:
    if term.program.type == ProgramType.ONLINE:
        return MetricResult(None, Status.NA, _("An online class has no venue."))
    return MetricResult(None, Status.FAIL, _("No venue chosen."))


def area_per_child(term: Term, criterion: Criterion) -> MetricResult:
    if criterion.threshold is None:
        return _no_threshold()
    if term.venue is None:
        return _no_venue(term)
    children, how = _children(term)
    if children <= 0:
        return MetricResult(None, Status.PENDING, _("No children yet."))
    value = term.venue.indoor_area_m2 / Decimal(children)
    detail = _("%(area)s m² indoors for %(how)s: %(value)s m² per child (at least %(min)s m²).") % {
        "area": _num(term.venue.indoor_area_m2),
        "how": how,
        "value": _fmt(value),
        "min": _num(criterion.threshold),
    }
    return MetricResult(value, _pass(value >= criterion.threshold), detail)


def venue_area(term: Term, criterion: Criterion) -> MetricResult:
    if criterion.threshold is None:
        return _no_threshold()
    if term.venue is None:
        return _no_venue(term)
    area = term.venue.indoor_area_m2
    detail = _("%(area)s m² indoors (at least %(min)s m²).") % {
        "area": _num(area),
        "min": _num(criterion.threshold),
    }
    return MetricResult(area, _pass(area >= criterion.threshold), detail)


def carer_ratio(term: Term, criterion: Criterion) -> MetricResult:
    """Carers (tutors, caregivers) on the roster against each group's children."""
    carers = [s for s in term.staff.all() if s.role in CARER_ROLES]
    groups = list(term.groups.all())
    by_group: dict[int, int] | None = fact(term, "group_enrolled_counts")
    if not groups:
        children, _how = _children(term)
        return _ratio_verdict([(str(term), children, len(carers), criterion.threshold)])
    checks = []
    for group in groups:
        assigned = sum(
            1 for s in carers if s.group_id == group.pk or (len(groups) == 1 and not s.group_id)
        )
        children = by_group.get(group.pk, group.capacity) if by_group else group.capacity
        checks.append(
            (group.name, children, assigned, group.children_per_carer(criterion.threshold))
        )
    return _ratio_verdict(checks)


def _ratio_verdict(checks: list[tuple[str, int, int, Decimal | None]]) -> MetricResult:
    worst: Decimal | None = Decimal(0)
    problems = []
    for name, children, carers, per_carer in checks:
        if per_carer is None:
            return _no_threshold()
        if children <= 0:
            continue
        if carers == 0:
            worst = None
            problems.append(
                _("%(group)s: no carer for %(n)s children") % {"group": name, "n": children}
            )
            continue
        ratio = Decimal(children) / Decimal(carers)
        if worst is not None:
            worst = max(worst, ratio)
        if carers * per_carer < children:
            problems.append(
                _("%(group)s: %(carers)s carers for %(n)s children (1 per %(max)s allowed)")
                % {"group": name, "carers": carers, "n": children, "max": _num(per_carer)}
            )
    if problems:
        return MetricResult(worst, Status.FAIL, "; ".join(problems))
    return MetricResult(worst, Status.PASS, _("Every group is within its carer ratio."))


def min_children(term: Term, criterion: Criterion) -> MetricResult:
    if criterion.threshold is None:
        return _no_threshold()
    children, how = _children(term)
    detail = _("%(how)s (at least %(min)s children).") % {
        "how": how,
        "min": _num(criterion.threshold),
    }
    return MetricResult(Decimal(children), _pass(children >= criterion.threshold), detail)


def min_days(term: Term, criterion: Criterion) -> MetricResult:
    if criterion.threshold is None:
        return _no_threshold()
    days = term.care_day_count()
    detail = _("%(n)s care days (at least %(min)s days).") % {
        "n": days,
        "min": _num(criterion.threshold),
    }
    if days >= criterion.threshold:
        return MetricResult(Decimal(days), Status.PASS, detail)
    pending = getattr(term, "pending_years_cached", None)
    if pending is None:
        pending = calendar_pending_years(term.start_date, term.end_date)
    if pending:
        # Too few days may only be the missing adjusted working days of an unpublished year.
        note = _("The holiday arrangement of %(years)s is not announced yet.") % {
            "years": ", ".join(map(str, pending))
        }
        return MetricResult(Decimal(days), Status.PENDING, f"{detail} {note}")
    return MetricResult(Decimal(days), Status.FAIL, detail)


def certificates_valid(term: Term, criterion: Criterion) -> MetricResult:
    """Each named certificate exists and does not expire before the term's last day."""
    if term.venue is None:
        return _no_venue(term)
    kinds = [criterion.param] if criterion.param else list(term.venue.CERTIFICATES)
    problems, valid = [], 0
    for kind in kinds:
        if kind not in CERTIFICATE_LABELS:
            return MetricResult(None, Status.PENDING, _("Unknown certificate: %(k)s") % {"k": kind})
        number, expires = term.venue.certificate(kind)
        label = str(CERTIFICATE_LABELS[kind])
        if not number:
            problems.append(_("no %(cert)s") % {"cert": label})
        elif expires is not None and expires < term.end_date:
            problems.append(
                _("%(cert)s expires on %(date)s, before the term ends")
                % {"cert": label, "date": date_format(expires)}
            )
        else:
            valid += 1
    if problems:
        return MetricResult(Decimal(valid), Status.FAIL, "; ".join(problems))
    return MetricResult(Decimal(valid), Status.PASS, _("Valid for the whole term."))


def fire_exits(term: Term, criterion: Criterion) -> MetricResult:
    if criterion.threshold is None:
        return _no_threshold()
    if term.venue is None:
        return _no_venue(term)
    exits = term.venue.fire_exits
    detail = _("%(n)s fire exits (at least %(min)s).") % {
        "n": exits,
        "min": _num(criterion.threshold),
    }
    return MetricResult(Decimal(exits), _pass(exits >= criterion.threshold), detail)


def register_builtin_metrics() -> None:
    register_metric(Metric.AREA_PER_CHILD, area_per_child)
    register_metric(Metric.VENUE_AREA, venue_area)
    register_metric(Metric.CARER_RATIO, carer_ratio)
    register_metric(Metric.MIN_CHILDREN, min_children)
    register_metric(Metric.MIN_DAYS, min_days)
    register_metric(Metric.CERTIFICATES_VALID, certificates_valid)
    register_metric(Metric.FIRE_EXITS, fire_exits)
