"""The national work calendar: a year's holidays and adjusted working days (调休).

Every member of staff may read it; admins of the national union or a province correct a day
or confirm a year once the State Council publishes its arrangement (DOMAIN.md §2).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tuoguan.core.kit import form_errors, refusal
from tuoguan.orgs.kit import ActorRequest, staff_actor
from tuoguan.orgs.permissions import require

from .. import selectors, services
from ..forms.standards import AnnounceForm, CalendarDayForm
from ..permissions import can_edit_calendar

# The package and the State Council: 2004 is the first year `holidays` knows for China.
FIRST_YEAR, LAST_YEAR = 2004, 2100


def _year(value: object) -> int:
    try:
        year = int(str(value))
    except (TypeError, ValueError):
        return timezone.localdate().year
    return year if FIRST_YEAR <= year <= LAST_YEAR else timezone.localdate().year


def _page(
    request: ActorRequest, year: int, day_form: CalendarDayForm | None = None
) -> HttpResponse:
    actor = request.actor
    calendar_year, days = selectors.calendar_year_for(year)
    editable = can_edit_calendar(actor)
    context = {
        "year": year,
        "calendar_year": calendar_year,
        "days": days,
        "years": selectors.calendar_years(),
        "day_form": (day_form or CalendarDayForm()) if editable else None,
        "announce_form": AnnounceForm(initial={"notes": calendar_year.notes}) if editable else None,
        "previous_year": year - 1 if year > FIRST_YEAR else None,
        "next_year": year + 1 if year < LAST_YEAR else None,
    }
    return render(request, "programs/calendar.html", context)


@login_required
@require_GET
def calendar_year(request: ActorRequest) -> HttpResponse:
    staff_actor(request)
    return _page(request, _year(request.GET.get("year")))


@login_required
@require_POST
def calendar_day(request: ActorRequest) -> HttpResponse:
    actor = staff_actor(request)
    require(can_edit_calendar(actor))
    form = CalendarDayForm(request.POST)
    if form.is_valid():
        day = form.cleaned_data["date"]
        try:
            services.calendar_set_day(
                actor=actor,
                date=day,
                kind=form.cleaned_data["kind"] or None,
                name=form.cleaned_data["name"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Calendar corrected; the terms concerned were updated."))
            return redirect(f"{reverse('programs:calendar')}?year={day.year}")
    return _page(request, _year(request.POST.get("year")), day_form=form)


@login_required
@require_POST
def calendar_announce(request: ActorRequest) -> HttpResponse:
    actor = staff_actor(request)
    require(can_edit_calendar(actor))
    year = _year(request.POST.get("year"))
    form = AnnounceForm(request.POST)
    if form.is_valid():
        try:
            services.calendar_announce_year(
                actor=actor, year=year, notes=form.cleaned_data["notes"]
            )
        except ValidationError as exc:
            refusal(request, exc)
        else:
            messages.success(
                request, _("The arrangement of %(year)s is marked as announced.") % {"year": year}
            )
    return redirect(f"{reverse('programs:calendar')}?year={year}")


urlpatterns = [
    path("calendar/", calendar_year, name="calendar"),
    path("calendar/day/", calendar_day, name="calendar_day"),
    path("calendar/announce/", calendar_announce, name="calendar_announce"),
]
