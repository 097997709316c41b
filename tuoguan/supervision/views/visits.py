"""Pages of visits: the list by region, the calendar, planning, a visit, its PDF and photos."""

import calendar
import datetime
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tuoguan.core.kit import GET_POST, form_errors, paginate, refusal, serve_file
from tuoguan.orgs.kit import ActorRequest, own_org, staff_actor
from tuoguan.orgs.permissions import require

from .. import selectors, services
from ..forms import SeasonPlanForm, VisitFilterForm, VisitPlanForm, parse_month
from ..models import VisitStatus
from ..pdf import visit_pdf, visit_pdf_filename
from ..permissions import (
    can_acknowledge,
    can_change_visit,
    can_inspect,
    can_plan_visits,
)
from ..providers import attendance_on
from ..seasons import definition as seasons_definition


@login_required
@require_GET
def visit_list(request: ActorRequest) -> HttpResponse:
    """The visits of the actor's region, filtered by region code, status and month."""
    actor = staff_actor(request)
    form = VisitFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    visits = selectors.visits_filter(
        selectors.visits_visible_to(actor),
        region=filters.get("region"),
        status=filters.get("status"),
        month=filters.get("month"),
    )
    page = paginate(request, selectors.visits_for_list(visits))
    context = {"form": form, "page": page, "can_plan": can_plan_visits(actor)}
    return render(request, "supervision/visit_list.html", context)


@login_required
@require_GET
def my_visits(request: ActorRequest) -> HttpResponse:
    """An inspector's own visits still to do, nearest first: the installed app opens here."""
    actor = staff_actor(request)
    visits = selectors.visits_filter(selectors.visits_visible_to(actor), inspector=actor.user)
    visits = visits.filter(status__in=(VisitStatus.PLANNED, VisitStatus.IN_PROGRESS))
    page = paginate(request, selectors.visits_for_list(visits))
    return render(request, "supervision/my_visits.html", {"page": page})


def _month(value: str | None) -> datetime.date:
    return parse_month(value or "") or timezone.localdate().replace(day=1)


@login_required
@require_GET
def visit_calendar(request: ActorRequest) -> HttpResponse:
    """The month's visits day by day, with the months before and after."""
    actor = staff_actor(request)
    month = _month(request.GET.get("month"))
    found = selectors.visits_filter(selectors.visits_visible_to(actor), month=month)
    visits = list(found.order_by("date", "term__program__host__path", "pk")[:500])
    days = [(day, list(group)) for day, group in groupby(visits, key=lambda v: v.date)]
    last = calendar.monthrange(month.year, month.month)[1]
    context = {
        "month": month,
        "days": days,
        "previous": (month - datetime.timedelta(days=1)).replace(day=1),
        "next": month.replace(day=last) + datetime.timedelta(days=1),
        "can_plan": can_plan_visits(actor),
    }
    return render(request, "supervision/visit_calendar.html", context)


@login_required
@GET_POST
def visit_create(request: ActorRequest) -> HttpResponse:
    actor = staff_actor(request)
    require(can_plan_visits(actor))
    org = own_org(actor)
    form = VisitPlanForm(
        request.POST or None,
        terms=selectors.terms_to_visit(actor, org),
        inspectors=selectors.inspector_candidates(actor, org),
        initial={"date": timezone.localdate(), "term": request.GET.get("term")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.visit_plan(actor=actor, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Visit planned."))
            return redirect("supervision:visit_detail", pk=visit.pk)
    return render(request, "supervision/visit_form.html", {"form": form})


@login_required
@GET_POST
def visit_plan_season(request: ActorRequest) -> HttpResponse:
    """Generate the season's plan: every running term visited once, conflicts avoided."""
    actor = staff_actor(request)
    require(can_plan_visits(actor))
    form = SeasonPlanForm(request.POST or None)
    plan = None
    if request.method == "POST" and form.is_valid():
        season = form.cleaned_data["period"]
        try:
            plan = services.visits_plan_season(
                actor=actor,
                start=season.start,
                end=season.end,
                announced=form.cleaned_data["announced"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("%(n)s visits planned.") % {"n": len(plan.planned)})
    context = {"form": form, "plan": plan, "definition": seasons_definition()}
    return render(request, "supervision/plan_season.html", context)


@login_required
@require_GET
def visit_detail(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    visit = selectors.visit_for(actor, pk)
    items = selectors.checklist(visit)
    context = {
        "visit": visit,
        "items": items,
        "attendance": attendance_on(visit.term, visit.date),
        "rectifications": list(selectors.rectifications_filter(visit.rectifications.all())),
        "can_inspect": can_inspect(actor, visit),
        "can_change": can_change_visit(actor, visit),
        "can_acknowledge": can_acknowledge(actor, visit),
        "conflicts": [c for item in items for c in item.changes.all() if not c.applied],
    }
    return render(request, "supervision/visit_detail.html", context)


@login_required
@require_POST
def visit_cancel(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    visit = selectors.visit_for(actor, pk)
    require(can_change_visit(actor, visit))
    try:
        services.visit_cancel(actor=actor, visit=visit)
    except ValidationError as exc:
        refusal(request, exc)
    else:
        messages.success(request, _("Visit cancelled."))
    return redirect("supervision:visit_detail", pk=visit.pk)


@login_required
@require_GET
def visit_report(request: ActorRequest, pk: int) -> HttpResponse:
    """The visit's report as a PDF, with its photos."""
    visit = selectors.visit_for(request.actor, pk)
    response = HttpResponse(visit_pdf(visit), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{visit_pdf_filename(visit)}"'
    response["Cache-Control"] = "private, max-age=0"
    return response


@login_required
@require_GET
def photo(request: ActorRequest, pk: int) -> FileResponse:
    found = selectors.photo_for(request.actor, pk)
    return serve_file(found.image, found.content_type)


urlpatterns = [
    path("visits/", visit_list, name="visit_list"),
    path("visits/mine/", my_visits, name="my_visits"),
    path("visits/calendar/", visit_calendar, name="visit_calendar"),
    path("visits/plan/", visit_create, name="visit_create"),
    path("visits/plan/season/", visit_plan_season, name="visit_plan_season"),
    path("visits/<int:pk>/", visit_detail, name="visit_detail"),
    path("visits/<int:pk>/cancel/", visit_cancel, name="visit_cancel"),
    path("visits/<int:pk>/report.pdf", visit_report, name="visit_report"),
    path("photos/<int:pk>/", photo, name="photo"),
]
