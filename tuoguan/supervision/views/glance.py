"""A region's supervision at a glance, per child union, with drill-down and .xlsx export."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from tuoguan.core.kit import paginate
from tuoguan.orgs.kit import ActorRequest, own_org, staff_actor
from tuoguan.orgs.permissions import require
from tuoguan.orgs.selectors import org_ancestors_visible, org_for

from .. import selectors
from ..exports import XLSX_TYPE, glance_workbook
from ..forms import GlanceForm
from ..glance import Glance, glance, never_visited_terms
from ..permissions import SUPERVISOR_ROLES
from ..seasons import definition


def _glance(request: ActorRequest) -> tuple[Glance, GlanceForm]:
    actor = staff_actor(request)
    require(actor.has_role(SUPERVISOR_ROLES))
    form = GlanceForm(request.GET or None)
    org = org_for(actor, request.GET["org"]) if request.GET.get("org") else own_org(actor)
    return glance(actor, org, form.period()), form


def _season_query(result: Glance) -> str:
    """The season as a query string, kept by the links that drill down."""
    season = result.season
    if season.year is None:
        return urlencode({"season": season.kind, "start": season.start, "end": season.end})
    return urlencode({"season": season.kind, "year": season.year})


@login_required
@require_GET
def region_glance(request: ActorRequest) -> HttpResponse:
    result, form = _glance(request)
    actor = request.actor
    visits = selectors.visits_for_list(
        selectors.visits_filter(selectors.visits_visible_to(actor), org=result.org).filter(
            date__range=(result.start, result.end)
        )
    )
    context = {
        "glance": result,
        "form": form,
        "crumbs": org_ancestors_visible(actor, result.org),
        "visits": paginate(request, visits),
        "never": list(never_visited_terms(actor, result.org, result.start, result.end)[:50]),
        "query": request.GET.urlencode(),
        "season_query": _season_query(result),
        "definition": definition(),
    }
    return render(request, "supervision/glance.html", context)


@login_required
@require_GET
def region_glance_export(request: ActorRequest) -> HttpResponse:
    result, _form = _glance(request)
    response = HttpResponse(glance_workbook(result), content_type=XLSX_TYPE)
    name = f"supervision-{result.org.region_code}-{result.season.slug}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


urlpatterns = [
    path("glance/", region_glance, name="glance"),
    path("glance/export.xlsx", region_glance_export, name="glance_export"),
]
