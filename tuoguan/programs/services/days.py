"""A term's days: generated from the work calendar, with exceptions made by hand."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tuoguan.orgs.permissions import Actor, require

from ..calendar import care_days, date_range, is_workday
from ..models import Term, TermDay
from ..permissions import can_manage_term

Source = TermDay.Source


def term_days_generate(*, term: Term) -> None:
    """(Re)build the term's days from the calendar, keeping hand-made exceptions in range.

    Rows are bulk-written: they are derived data, and the changes that cause them (dates,
    calendar corrections, manual exceptions) are audited where they happen.
    """
    start, end = term.start_date, term.end_date
    term.days.exclude(date__range=(start, end)).delete()
    workdays = set(care_days(start, end))
    existing = {row.date: row for row in term.days.all()}
    to_create, to_update = [], []
    for day in date_range(start, end):
        row = existing.get(day)
        wanted = day in workdays
        if row is None:
            to_create.append(TermDay(term=term, date=day, is_care_day=wanted))
        elif row.source == Source.CALENDAR and row.is_care_day != wanted:
            row.is_care_day = wanted
            to_update.append(row)
    TermDay.objects.bulk_create(to_create)
    TermDay.objects.bulk_update(to_update, ["is_care_day"])


def _set_day(*, actor: Actor, term: Term, date: datetime.date, care: bool) -> TermDay:
    require(can_manage_term(actor, term))
    if term.is_closed:
        raise ValidationError(_("A closed term cannot be changed."))
    if not term.start_date <= date <= term.end_date:
        raise ValidationError({"date": _("The day must lie within the term.")})
    row = TermDay.objects.select_for_update().filter(term=term, date=date).first()
    row = row or TermDay(term=term, date=date)
    row.is_care_day = care
    # Back to what the calendar says is no exception any more.
    row.source = (
        Source.CALENDAR
        if is_workday(date) == care
        else (Source.MANUAL_ADDED if care else Source.MANUAL_REMOVED)
    )
    row.save()
    return row


@transaction.atomic
def term_day_add(*, actor: Actor, term: Term, date: datetime.date) -> TermDay:
    """Run the class on `date` although the calendar has it off (e.g. a Saturday outing)."""
    return _set_day(actor=actor, term=term, date=date, care=True)


@transaction.atomic
def term_day_remove(*, actor: Actor, term: Term, date: datetime.date) -> TermDay:
    """Do not run the class on `date` although it is a workday."""
    return _set_day(actor=actor, term=term, date=date, care=False)
