"""Reading the tree: the tree page with its search, in-place expansion, a union's page."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from tuoguan.core.kit import paginate
from tuoguan.orgs import selectors
from tuoguan.orgs.forms import SearchForm
from tuoguan.orgs.kit import ActorRequest, own_org
from tuoguan.orgs.models import Org
from tuoguan.orgs.permissions import (
    Actor,
    can_add_child_org,
    can_change_org,
    can_manage_memberships,
    can_restructure_org,
)

# The union page lists this many unions below; the tree page pages through all of them.
CHILDREN_ON_DETAIL = 50


@login_required
@require_GET
def tree(request: ActorRequest) -> HttpResponse:
    """The tree from the actor's own union down, with a search over their whole scope."""
    actor = request.actor
    return _render_tree(request, actor, own_org(actor))


@login_required
@require_GET
def children(request: ActorRequest, pk: int) -> HttpResponse:
    """The unions below `pk`: a fragment for in-place expansion, else the tree rooted there."""
    actor = request.actor
    org = selectors.org_for(actor, pk)
    if not request.htmx:
        return _render_tree(request, actor, org)
    page = paginate(request, selectors.org_children(actor, org))
    template = "orgs/_children.html" if page.number == 1 else "orgs/_nodes.html"
    return render(request, template, {"org": org, "page": page})


def _render_tree(request: ActorRequest, actor: Actor, root: Org) -> HttpResponse:
    form = SearchForm(request.GET)
    q = form.cleaned_data["q"].strip() if form.is_valid() else ""
    context: dict[str, Any] = {"root": root, "form": form, "q": q}
    if q:
        results = paginate(request, selectors.org_search(actor, q))
        crumbs = selectors.org_breadcrumbs(actor, results.object_list)
        context["results"] = results
        context["crumbs"] = [(org, crumbs.get(org.pk, [])) for org in results.object_list]
    else:
        context["page"] = paginate(request, selectors.org_children(actor, root))
        context["ancestors"] = selectors.org_ancestors_visible(actor, root)
    if request.htmx.target == "tree-body":
        return render(request, "orgs/_tree_body.html", context)
    return render(request, "orgs/tree.html", context)


def abilities(actor: Actor, org: Org) -> dict[str, bool]:
    """Which actions the union page offers; the views enforce the same rules."""
    restructure = can_restructure_org(actor, org)
    return {
        "edit": can_change_org(actor, org),
        "add_child": can_add_child_org(actor, org) and org.is_active,
        "move": restructure,
        "deactivate": restructure and org.is_active,
        "reactivate": restructure and not org.is_active,
        "memberships": can_manage_memberships(actor, org),
    }


@login_required
@require_GET
def detail(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    org = selectors.org_for(actor, pk)
    context = {
        "org": org,
        "ancestors": selectors.org_ancestors_visible(actor, org),
        "children": list(selectors.org_children(actor, org)[:CHILDREN_ON_DETAIL]),
        "memberships": paginate(request, selectors.memberships_for_org(actor, org)),
        "workers_count": selectors.workers_count(actor, org),
        "can": abilities(actor, org),
    }
    return render(request, "orgs/detail.html", context)


urlpatterns = [
    path("", tree, name="tree"),
    path("<int:pk>/", detail, name="detail"),
    path("<int:pk>/children/", children, name="children"),
]
