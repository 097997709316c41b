"""Changing the tree: add a union below another, edit, move, deactivate or reactivate."""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tuoguan.core.kit import form_errors, form_page
from tuoguan.orgs import selectors, services
from tuoguan.orgs.forms import ActivationForm, MoveForm, OrgForm
from tuoguan.orgs.kit import ActorRequest
from tuoguan.orgs.models import Level
from tuoguan.orgs.permissions import can_change_org, can_restructure_org, require


@login_required
@require_http_methods(["GET", "POST"])
def create(request: ActorRequest, pk: int) -> HttpResponse:
    """Add a union directly below `pk`, one level down."""
    actor = request.actor
    parent = selectors.org_for(actor, pk)
    require(can_change_org(actor, parent))
    level = min(parent.level + 1, Level.GRASSROOTS)
    form = OrgForm(request.POST or None, level=level)
    return form_page(
        request,
        form,
        lambda: services.org_add_child(actor=actor, parent=parent, **form.service_fields()),
        done=lambda org: _("Union “%(name)s” added.") % {"name": org.name},
        then="orgs:detail",
        template="orgs/org_form.html",
        context=lambda: {
            "parent": parent,
            "level": Level(level),
            "can_hold_children": selectors.org_can_hold_children(parent) and parent.is_active,
            "ancestors": [*selectors.org_ancestors_visible(actor, parent), parent],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    org = selectors.org_for(actor, pk)
    require(can_change_org(actor, org))
    # The form writes into its instance while validating; a copy keeps the page's
    # heading and breadcrumbs on the saved values when the input is refused.
    form = OrgForm(request.POST or None, instance=copy.copy(org), level=org.level)
    return form_page(
        request,
        form,
        lambda: services.org_update(actor=actor, org=org, **form.service_fields()),
        done=_("Changes saved."),
        then="orgs:detail",
        template="orgs/org_form.html",
        context=lambda: {
            "org": org,
            "level": Level(org.level),
            "ancestors": [*selectors.org_ancestors_visible(actor, org), org],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def move(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    org = selectors.org_for(actor, pk)
    require(can_restructure_org(actor, org))
    candidates = selectors.org_parent_candidates(actor, org)
    form = MoveForm(request.POST or None, candidates=candidates)
    return form_page(
        request,
        form,
        lambda: services.org_move_below(
            actor=actor, org=org, new_parent=form.cleaned_data["parent"]
        ),
        done=_("Union moved."),
        then="orgs:detail",
        template="orgs/move.html",
        context=lambda: {
            "org": org,
            "has_candidates": candidates.exists(),
            "ancestors": [*selectors.org_ancestors_visible(actor, org), org],
        },
        pk=org.pk,
    )


@login_required
@require_http_methods(["GET", "POST"])
def deactivate(request: ActorRequest, pk: int) -> HttpResponse:
    """Confirm, then deactivate the union with its whole subtree (or reactivate it alone)."""
    actor = request.actor
    org = selectors.org_for(actor, pk)
    require(can_restructure_org(actor, org))
    form = ActivationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["action"] == "reactivate":
                services.org_reactivate(actor=actor, org=org)
                messages.success(request, _("Union reactivated."))
            else:
                services.org_set_active(actor=actor, org=org, active=False)
                messages.success(request, _("Union deactivated with the unions below it."))
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            return redirect("orgs:detail", pk=org.pk)
    subtree = selectors.orgs_visible_to(actor).filter(path__startswith=org.path)
    context = {
        "form": form,
        "org": org,
        "active_below": subtree.filter(is_active=True).exclude(pk=org.pk).count(),
        "ancestors": [*selectors.org_ancestors_visible(actor, org), org],
    }
    return render(request, "orgs/deactivate.html", context)


urlpatterns = [
    path("<int:pk>/add/", create, name="create"),
    path("<int:pk>/edit/", edit, name="edit"),
    path("<int:pk>/move/", move, name="move"),
    path("<int:pk>/deactivate/", deactivate, name="deactivate"),
]
