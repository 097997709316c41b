"""The attendance rate: one definition, read by the pages, the API, the standards and enrolment.

    rate = days present ÷ care days elapsed since the child's admission

* care days: the term's calendar days that are care days (`TermDay.is_care_day`);
* elapsed: before today (a day counts once it is over), and not after the term's last day;
* since admission: from the day the child was admitted (`Enrolment.decided_at`, or the
  application's day), or from the term's first day if admitted before it;
* present: a check-in on one of those days. A reported absence is a day not present.

A group's or a term's rate adds up the days of its children with a place (admitted or
confirmed): Σ present ÷ Σ elapsed. No care day elapsed yet: no rate (None), never 0 or 100.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.db.models import Count
from django.utils import timezone

from tuoguan.enrolment.models import Enrolment, EnrolmentStatus
from tuoguan.programs.models import Term, TermDay

from .models import Attendance

SEATED = (EnrolmentStatus.ADMITTED, EnrolmentStatus.CONFIRMED)


@dataclass(frozen=True)
class Rate:
    present: int
    days: int

    @property
    def value(self) -> Decimal | None:
        """The rate in percent, rounded down to one decimal (never reads above the truth)."""
        if self.days == 0:
            return None
        return (Decimal(100 * self.present) / Decimal(self.days)).quantize(
            Decimal("0.1"), rounding=ROUND_DOWN
        )

    @property
    def share(self) -> float | None:
        return None if self.days == 0 else self.present / self.days

    def __add__(self, other: "Rate") -> "Rate":
        return Rate(self.present + other.present, self.days + other.days)


NO_DAYS = Rate(0, 0)


def admission_day(enrolment: Enrolment) -> datetime.date:
    admitted = enrolment.decided_at or enrolment.created_at
    day = timezone.localdate(admitted) if admitted else enrolment.term.start_date
    return max(day, enrolment.term.start_date)


def _last_elapsed(term: Term, today: datetime.date) -> datetime.date:
    return min(term.end_date, today - datetime.timedelta(days=1))


def enrolment_rates(
    enrolments: Iterable[Enrolment], *, today: datetime.date | None = None
) -> dict[int, Rate]:
    """{enrolment pk: Rate}, in three queries whatever the number of enrolments."""
    enrolments = list(enrolments)
    if not enrolments:
        return {}
    today = today or timezone.localdate()
    term_ids = {e.term_id for e in enrolments}
    care_days: dict[int, list[datetime.date]] = defaultdict(list)
    for term_id, day in TermDay.objects.filter(term_id__in=term_ids, is_care_day=True).values_list(
        "term_id", "date"
    ):
        care_days[term_id].append(day)
    present: dict[int, set[datetime.date]] = defaultdict(set)
    for enrolment_id, day in Attendance.objects.filter(
        enrolment_id__in=[e.pk for e in enrolments], date__lt=today
    ).values_list("enrolment_id", "date"):
        present[enrolment_id].add(day)
    rates = {}
    for enrolment in enrolments:
        first, last = admission_day(enrolment), _last_elapsed(enrolment.term, today)
        days = {d for d in care_days[enrolment.term_id] if first <= d <= last}
        rates[enrolment.pk] = Rate(len(present[enrolment.pk] & days), len(days))
    return rates


def seated_enrolments(terms: Sequence[Any]) -> list[Enrolment]:
    return list(
        Enrolment.objects.filter(term__in=[t.pk for t in terms], status__in=SEATED)
        .select_related("term", "child")
        .order_by("pk")
    )


def term_rates(terms: Sequence[Any], *, today: datetime.date | None = None) -> dict[int, Rate]:
    """{term pk: Rate of its seated children}."""
    enrolments = seated_enrolments(terms)
    rates = enrolment_rates(enrolments, today=today)
    totals: dict[int, Rate] = defaultdict(lambda: NO_DAYS)
    for enrolment in enrolments:
        totals[enrolment.term_id] = totals[enrolment.term_id] + rates[enrolment.pk]
    return {t.pk: totals[t.pk] for t in terms}


def group_rates(term: Term, *, today: datetime.date | None = None) -> dict[int | None, Rate]:
    """{group pk (None: no group): Rate} of a term's seated children."""
    enrolments = seated_enrolments([term])
    rates = enrolment_rates(enrolments, today=today)
    totals: dict[int | None, Rate] = defaultdict(lambda: NO_DAYS)
    for enrolment in enrolments:
        totals[enrolment.group_id] = totals[enrolment.group_id] + rates[enrolment.pk]
    return dict(totals)


def previous_period_rate(*, child: Any, term: Any) -> float | None:
    """The child's share of days present in their last term of the same class that ended
    before `term` begins; None without such a term or without care days in it."""
    previous = (
        Enrolment.objects.filter(
            child=child,
            status__in=SEATED,
            term__program_id=term.program_id,
            term__end_date__lt=term.start_date,
        )
        .select_related("term")
        .order_by("-term__end_date", "-pk")
        .first()
    )
    if previous is None:
        return None
    return enrolment_rates([previous])[previous.pk].share


def present_counts(term: Term, day: datetime.date) -> dict[int | None, int]:
    """{group pk: children checked in on `day`}."""
    rows = Attendance.objects.filter(term=term, date=day).values("group_id").annotate(n=Count("pk"))
    return {row["group_id"]: row["n"] for row in rows}
