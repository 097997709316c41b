"""Writing China's work calendar: seeding a year from the `holidays` package, an admin's
corrections and confirmations. Reading it is `programs/calendar.py`, which never writes.
"""

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tuoguan.orgs.permissions import Actor, require

from ..calendar import package_calendar_year, package_days
from ..models import CalendarDay, CalendarSource, CalendarYear, Term, TermStatus
from ..permissions import can_edit_calendar

Kind = CalendarDay.Kind


@transaction.atomic
def calendar_seed_year(*, year: int) -> CalendarYear:
    """Fill `year` from the package once; safe to call again and from two processes at once."""
    existing = CalendarYear.objects.filter(year=year).first()
    if existing is not None:
        return existing
    calendar_year = package_calendar_year(year)
    if not calendar_year.announced:
        calendar_year.notes = _("Adjusted working days not published yet.")
    try:
        with transaction.atomic():
            calendar_year.save()
    except IntegrityError:
        # Someone else seeded it between our read and our write: theirs stands.
        return CalendarYear.objects.get(year=year)
    rows = package_days(year)
    # Bulk insert: ~30 rows of public data a year are bookkeeping, the year row is audited.
    CalendarDay.objects.bulk_create(rows, ignore_conflicts=True)
    return calendar_year


def calendar_ensure_years(years: Iterable[int]) -> dict[int, CalendarYear]:
    """Store the years not stored yet (a term is planned over them, an admin edits one)."""
    wanted = set(years)
    known = {cy.year: cy for cy in CalendarYear.objects.filter(year__in=wanted)}
    for year in sorted(wanted - known.keys()):
        known[year] = calendar_seed_year(year=year)
    return known


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
