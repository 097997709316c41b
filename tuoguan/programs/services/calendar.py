"""China's work calendar, kept as data and seeded lazily from the `holidays` package.

Statutory holidays are off, adjusted working days (调休) are on, every other weekday is a
workday. A year is "announced" when its adjusted working days are known: from the package
(it has them for the years the State Council already published) or because a union admin
confirmed the year after entering its arrangement.
"""

import datetime
from collections.abc import Iterable

import holidays
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tuoguan.orgs.permissions import Actor, require

from ..models import CalendarDay, CalendarSource, CalendarYear, Term, TermStatus
from ..permissions import can_edit_calendar

Kind = CalendarDay.Kind


def _package_year(year: int) -> tuple[dict[datetime.date, str], set[datetime.date]]:
    """(holidays with their names, adjusted working days) the package knows for `year`."""
    calendar = holidays.China(years=year, language="zh_CN")
    days_off = {day: str(name) for day, name in calendar.items() if day.year == year}
    # weekend_workdays also lists a few odd days of other years; keep this year's only.
    workdays = {day for day in calendar.weekend_workdays if day.year == year}
    return days_off, workdays


@transaction.atomic
def calendar_seed_year(*, year: int) -> CalendarYear:
    """Fill `year` from the package once; safe to call again and from two processes at once."""
    existing = CalendarYear.objects.filter(year=year).first()
    if existing is not None:
        return existing
    days_off, workdays = _package_year(year)
    notes = "" if workdays else _("Adjusted working days not published yet.")
    try:
        with transaction.atomic():
            calendar_year = CalendarYear.objects.create(
                year=year, announced=bool(workdays), source=CalendarSource.PACKAGE, notes=notes
            )
    except IntegrityError:
        # Someone else seeded it between our read and our write: theirs stands.
        return CalendarYear.objects.get(year=year)
    rows = [CalendarDay(date=day, kind=Kind.HOLIDAY, name=name) for day, name in days_off.items()]
    rows += [CalendarDay(date=day, kind=Kind.ADJUSTED_WORKDAY) for day in workdays]
    # Bulk insert: ~30 rows of public data a year are bookkeeping, the year row is audited.
    CalendarDay.objects.bulk_create(rows, ignore_conflicts=True)
    return calendar_year


def _years(start: datetime.date, end: datetime.date) -> range:
    return range(start.year, end.year + 1)


def calendar_ensure_years(years: Iterable[int]) -> dict[int, CalendarYear]:
    wanted = set(years)
    known = {cy.year: cy for cy in CalendarYear.objects.filter(year__in=wanted)}
    for year in sorted(wanted - known.keys()):
        known[year] = calendar_seed_year(year=year)
    return known


def calendar_kinds(start: datetime.date, end: datetime.date) -> dict[datetime.date, str]:
    """The special days between `start` and `end` (inclusive), seeding missing years."""
    calendar_ensure_years(_years(start, end))
    return dict(CalendarDay.objects.filter(date__range=(start, end)).values_list("date", "kind"))


def _is_workday(day: datetime.date, kinds: dict[datetime.date, str]) -> bool:
    kind = kinds.get(day)
    if kind == Kind.ADJUSTED_WORKDAY:
        return True
    if kind == Kind.HOLIDAY:
        return False
    return day.weekday() < 5


def is_workday(day: datetime.date) -> bool:
    return _is_workday(day, calendar_kinds(day, day))


def date_range(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    return [start + datetime.timedelta(days=n) for n in range((end - start).days + 1)]


def care_days(
    start: datetime.date, end: datetime.date, weekdays_only_workdays: bool = True
) -> list[datetime.date]:
    """Days a class runs between `start` and `end`: the workdays, or every day if asked."""
    if end < start:
        return []
    if not weekdays_only_workdays:
        return date_range(start, end)
    kinds = calendar_kinds(start, end)
    return [day for day in date_range(start, end) if _is_workday(day, kinds)]


def calendar_pending_years(start: datetime.date, end: datetime.date) -> list[int]:
    years = calendar_ensure_years(_years(start, end))
    return sorted(year for year, cy in years.items() if not cy.announced)


# --- Corrections by an admin ----------------------------------------------------------------


@transaction.atomic
def calendar_set_day(
    *, actor: Actor, date: datetime.date, kind: str | None, name: str = ""
) -> CalendarDay | None:
    """Make `date` a holiday, an adjusted workday, or (kind=None) an ordinary day."""
    require(can_edit_calendar(actor))
    if kind is not None and kind not in Kind.values:
        raise ValidationError({"kind": _("Choose holiday or adjusted working day.")})
    calendar_seed_year(year=date.year)
    row = CalendarDay.objects.filter(date=date).first()
    if kind is None:
        if row is not None:
            row.delete()
        row = None
    else:
        row = row or CalendarDay(date=date)
        row.kind, row.name, row.source = kind, name[:120], CalendarSource.MANUAL
        row.full_clean(validate_unique=False)
        row.save()
    _terms_refresh(date, date)
    return row


@transaction.atomic
def calendar_announce_year(*, actor: Actor, year: int, notes: str = "") -> CalendarYear:
    """Confirm that `year`'s arrangement as entered is the one the State Council published."""
    require(can_edit_calendar(actor))
    calendar_year = calendar_seed_year(year=year)
    calendar_year.announced, calendar_year.source = True, CalendarSource.MANUAL
    calendar_year.notes = notes
    calendar_year.save()
    _terms_refresh(datetime.date(year, 1, 1), datetime.date(year, 12, 31))
    return calendar_year


def _terms_refresh(start: datetime.date, end: datetime.date) -> None:
    """Rebuild the care days of the not-yet-closed terms that the change touches."""
    from .days import term_days_generate

    terms = Term.objects.filter(start_date__lte=end, end_date__gte=start).exclude(
        status=TermStatus.CLOSED
    )
    for term in terms:
        term_days_generate(term=term)
