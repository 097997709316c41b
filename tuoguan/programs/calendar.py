"""Reading China's work calendar: pure, never writes (the writes are services/calendar.py).

Statutory holidays are off, adjusted working days (调休) are on, every other weekday is a
workday. A year stored in the database (seeded from the `holidays` package, maybe corrected
by an admin) is read from its rows; a year not stored yet reads as the package has it, which
is what seeding it would store.
"""

import datetime
from collections.abc import Iterable
from functools import lru_cache

import holidays

from .models import CalendarDay, CalendarSource, CalendarYear

Kind = CalendarDay.Kind


@lru_cache(maxsize=64)
def package_year(year: int) -> tuple[dict[datetime.date, str], frozenset[datetime.date]]:
    """(holidays with their names, adjusted working days) the package knows for `year`."""
    calendar = holidays.China(years=year, language="zh_CN")
    days_off = {day: str(name) for day, name in calendar.items() if day.year == year}
    # weekend_workdays also lists a few odd days of other years; keep this year's only.
    workdays = frozenset(day for day in calendar.weekend_workdays if day.year == year)
    return days_off, workdays


def package_days(year: int) -> list[CalendarDay]:
    """The special days of `year` as the package has them (unsaved rows)."""
    days_off, workdays = package_year(year)
    rows = [CalendarDay(date=day, kind=Kind.HOLIDAY, name=name) for day, name in days_off.items()]
    rows += [CalendarDay(date=day, kind=Kind.ADJUSTED_WORKDAY) for day in workdays]
    return sorted(rows, key=lambda row: row.date)


def package_calendar_year(year: int) -> CalendarYear:
    """`year` as seeding it from the package would store it (unsaved)."""
    _days_off, workdays = package_year(year)
    return CalendarYear(year=year, announced=bool(workdays), source=CalendarSource.PACKAGE)


def years_between(start: datetime.date, end: datetime.date) -> range:
    return range(start.year, end.year + 1)


def calendar_years_known(years: Iterable[int]) -> dict[int, CalendarYear]:
    """year → its stored row, or the package's reading of it when not stored yet."""
    wanted = set(years)
    known = {cy.year: cy for cy in CalendarYear.objects.filter(year__in=wanted)}
    for year in wanted - known.keys():
        known[year] = package_calendar_year(year)
    return known


def calendar_kinds(start: datetime.date, end: datetime.date) -> dict[datetime.date, str]:
    """The special days between `start` and `end` (inclusive) → their kind."""
    years = set(years_between(start, end))
    stored = set(CalendarYear.objects.filter(year__in=years).values_list("year", flat=True))
    kinds: dict[datetime.date, str] = dict(
        CalendarDay.objects.filter(date__range=(start, end), date__year__in=stored).values_list(
            "date", "kind"
        )
    )
    for year in years - stored:
        kinds.update((row.date, row.kind) for row in package_days(year) if start <= row.date <= end)
    return kinds


def calendar_year_days(year: int) -> tuple[CalendarYear, list[CalendarDay]]:
    """A year of the calendar and its special days, stored or as the package has them."""
    calendar_year = calendar_years_known([year])[year]
    if calendar_year.pk is None:
        return calendar_year, package_days(year)
    return calendar_year, list(CalendarDay.objects.filter(date__year=year).order_by("date"))


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
    """The years of this span whose adjusted working days are not known yet."""
    years = calendar_years_known(years_between(start, end))
    return sorted(year for year, cy in years.items() if not cy.announced)
