"""Terms (期): create with their first groups, the term's page with its care days, edit."""

import calendar
import copy
import datetime
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tuoguan.core.kit import GET_POST, form_errors
from tuoguan.orgs.kit import ActorRequest
from tuoguan.orgs.permissions import Actor, require

from .. import selectors, services
from ..calendar import calendar_pending_years
from ..compliance import term_compliance
from ..forms.terms import (
    BaseGroupFormSet,
    DayForm,
    GroupFormSet,
    ReasonForm,
    SummaryForm,
    TermForm,
)
from ..models import Term, TermDay, TermStatus
from ..permissions import can_manage_program, can_manage_term, term_transitions


@login_required
@GET_POST
def term_create(request: ActorRequest, pk: int) -> HttpResponse:
    """A new term of class `pk`, with its first groups in the same step (all or nothing)."""
    actor = request.actor
    program = selectors.program_for(actor, pk)
    require(can_manage_program(actor, program))
    venues = selectors.venues_usable_for(actor, program.host)
    data = request.POST or None
    form = TermForm(data, venues=venues)
    groups = cast(
        BaseGroupFormSet,
        GroupFormSet(data, prefix="groups", form_kwargs={"toddler": program.is_toddler}),
    )
    if request.method == "POST" and form.is_valid() and groups.is_valid():
        filled = groups.filled_groups()
        try:
            term = services.term_create_with_groups(
                actor=actor,
                program=program,
                groups=[group.service_fields() for _index, group in filled],
                **form.service_fields(),
            )
        except services.GroupValidationError as exc:
            form_errors(filled[exc.index][1], exc)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Term “%(name)s” created.") % {"name": term.name})
            return redirect("programs:term_detail", pk=term.pk)
    context = {"form": form, "groups": groups, "program": program}
    return render(request, "programs/term_create.html", context)


def calendar_months(term: Term, days: list[TermDay]) -> list[dict[str, Any]]:
    """The term's months as week rows (Monday first) of its days; None outside the term."""
    by_date = {day.date: day for day in days}
    months = []
    first = term.start_date.replace(day=1)
    while first <= term.end_date:
        weeks = calendar.Calendar().monthdatescalendar(first.year, first.month)
        rows = [
            [by_date.get(d) if d.month == first.month else None for d in week] for week in weeks
        ]
        months.append({"first": first, "weeks": rows})
        first = (first + datetime.timedelta(days=32)).replace(day=1)
    return months


def _calendar_context(actor: Actor, term: Term, form: DayForm | None = None) -> dict[str, Any]:
    days = list(selectors.term_days(term))
    can_manage = can_manage_term(actor, term) and not term.is_closed
    return {
        "term": term,
        "months": calendar_months(term, days),
        "weekdays": [WEEKDAYS_ABBR[n] for n in range(7)],
        "care_days": sum(1 for day in days if day.is_care_day),
        "pending_years": calendar_pending_years(term.start_date, term.end_date),
        "day_form": (form or DayForm()) if can_manage else None,
    }


@login_required
@require_GET
def term_detail(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    term = selectors.term_for(actor, pk)
    context = {
        **_calendar_context(actor, term),
        "groups": selectors.term_groups(term),
        "roster": selectors.term_roster(term),
        "judged": term_compliance(term),
        "actions": term_transitions(actor, term),
        "can_manage": can_manage_term(actor, term) and not term.is_closed,
        "reason_form": ReasonForm(),
        "summary_form": SummaryForm(),
    }
    return render(request, "programs/term_detail.html", context)


@login_required
@GET_POST
def term_edit(request: ActorRequest, pk: int) -> HttpResponse:
    """Edit a term; after approval a change of places, venue or dates needs approval again."""
    actor = request.actor
    term = selectors.term_for(actor, pk)
    require(can_manage_term(actor, term))
    venues = selectors.venues_usable_for(actor, term.program.host)
    form = TermForm(request.POST or None, instance=copy.copy(term), venues=venues)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.term_update(actor=actor, term=term, **form.service_fields())
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            if term.status != TermStatus.SUBMITTED and saved.status == TermStatus.SUBMITTED:
                messages.warning(
                    request,
                    _("Changes saved. The term was approved before, so it needs approval again."),
                )
            else:
                messages.success(request, _("Changes saved."))
            return redirect("programs:term_detail", pk=term.pk)
    return render(request, "programs/term_form.html", {"form": form, "term": term})


@login_required
@require_POST
def term_day(request: ActorRequest, pk: int) -> HttpResponse:
    """Make one day of the term a care day or a day off, against the work calendar."""
    actor = request.actor
    term = selectors.term_for(actor, pk)
    require(can_manage_term(actor, term))
    form = DayForm(request.POST)
    done = False
    if form.is_valid():
        change = (
            services.term_day_add
            if form.cleaned_data["action"] == "add"
            else services.term_day_remove
        )
        try:
            change(actor=actor, term=term, date=form.cleaned_data["date"])
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            done = True
    if request.htmx:
        context = _calendar_context(actor, term, None if done else form)
        return render(request, "programs/_calendar.html", {**context, "done": done})
    if done:
        messages.success(request, _("Care days updated."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("programs:term_detail", pk=term.pk)


urlpatterns = [
    path("<int:pk>/terms/new/", term_create, name="term_create"),
    path("terms/<int:pk>/", term_detail, name="term_detail"),
    path("terms/<int:pk>/edit/", term_edit, name="term_edit"),
    path("terms/<int:pk>/days/", term_day, name="term_day"),
]
