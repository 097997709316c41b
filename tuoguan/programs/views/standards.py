"""Construction standards (建设标准): versions, criteria, publishing; the work calendar."""

import copy
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tuoguan.orgs.permissions import require

from .. import selectors, services
from ..forms.base import add_service_errors
from ..forms.standards import CriterionForm, NewVersionForm, StandardForm
from ..models import Criterion, Standard
from ..permissions import can_manage_standard
from ..standards import standard_for
from .base import GET_POST, own_org, paginate, refusal, staff_actor


@login_required
@require_GET
def standard_list(request: HttpRequest) -> HttpResponse:
    """The standards set in the actor's subtree and above it; the one in force for them."""
    actor = staff_actor(request)
    org = own_org(actor)
    standards = selectors.standards_visible_to(actor).order_by("org__path", "-version")
    in_force = standard_for(org, timezone.localdate())
    context = {
        "page": paginate(request, standards),
        "in_force": in_force,
        "inherited": in_force is not None and in_force.org_id != org.pk,
        "can_create": can_manage_standard(actor, org),
    }
    return render(request, "programs/standard_list.html", context)


def _criteria_by_area(standard: Standard) -> list[tuple[str, list[Criterion]]]:
    criteria = sorted(standard.criteria.all(), key=lambda c: (c.area, c.order, c.pk))
    return [
        (items[0].get_area_display(), items)
        for _area, group in groupby(criteria, key=lambda c: c.area)
        if (items := list(group))
    ]


@login_required
@require_GET
def standard_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = staff_actor(request)
    standard = selectors.standard_for_actor(actor, pk)
    context = {
        "standard": standard,
        "areas": _criteria_by_area(standard),
        "can_edit": can_manage_standard(actor, standard.org) and not standard.published,
        "can_copy": can_manage_standard(actor, own_org(actor)),
    }
    return render(request, "programs/standard_detail.html", context)


@login_required
@GET_POST
def standard_create(request: HttpRequest) -> HttpResponse:
    """An empty draft standard of the actor's own union."""
    actor = staff_actor(request)
    org = own_org(actor)
    require(can_manage_standard(actor, org))
    form = StandardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            standard = services.standard_create(actor=actor, org=org, **form.service_fields())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Draft standard created; add its criteria."))
            return redirect("programs:standard_detail", pk=standard.pk)
    return render(request, "programs/standard_form.html", {"form": form})


@login_required
@GET_POST
def standard_new_version(request: HttpRequest, pk: int) -> HttpResponse:
    """A draft copy of a standard (one's own, or the inherited one) as one's union's next."""
    actor = staff_actor(request)
    source = selectors.standard_for_actor(actor, pk)
    org = own_org(actor)
    require(can_manage_standard(actor, org))
    form = NewVersionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            standard = services.standard_new_version(
                actor=actor,
                standard=source,
                org=org,
                effective_from=form.cleaned_data["effective_from"],
                title=form.cleaned_data["title"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("New draft version created."))
            return redirect("programs:standard_detail", pk=standard.pk)
    context = {"form": form, "source": source}
    return render(request, "programs/standard_form.html", context)


@login_required
@GET_POST
def standard_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = staff_actor(request)
    standard = selectors.standard_for_actor(actor, pk)
    require(can_manage_standard(actor, standard.org))
    form = StandardForm(request.POST or None, instance=copy.copy(standard))
    if request.method == "POST" and form.is_valid():
        try:
            services.standard_update(actor=actor, standard=standard, **form.service_fields())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("programs:standard_detail", pk=standard.pk)
    context = {"form": form, "standard": standard}
    return render(request, "programs/standard_form.html", context)


@login_required
@require_POST
def standard_publish(request: HttpRequest, pk: int) -> HttpResponse:
    actor = staff_actor(request)
    standard = selectors.standard_for_actor(actor, pk)
    try:
        services.standard_publish(actor=actor, standard=standard)
    except ValidationError as exc:
        refusal(request, exc)
    else:
        messages.success(request, _("Standard published; it can no longer change."))
    return redirect("programs:standard_detail", pk=standard.pk)


@login_required
@GET_POST
def criterion_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = staff_actor(request)
    standard = selectors.standard_for_actor(actor, pk)
    require(can_manage_standard(actor, standard.org))
    form = CriterionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.criterion_add(actor=actor, standard=standard, **form.service_fields())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Criterion added."))
            return redirect("programs:standard_detail", pk=standard.pk)
    context = {"form": form, "standard": standard}
    return render(request, "programs/criterion_form.html", context)


@login_required
@GET_POST
def criterion_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = staff_actor(request)
    criterion = selectors.criterion_for(actor, pk)
    standard = criterion.standard
    require(can_manage_standard(actor, standard.org))
    form = CriterionForm(request.POST or None, instance=copy.copy(criterion))
    if request.method == "POST" and form.is_valid():
        try:
            services.criterion_update(actor=actor, criterion=criterion, **form.service_fields())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("programs:standard_detail", pk=standard.pk)
    context = {"form": form, "standard": standard, "criterion": criterion}
    return render(request, "programs/criterion_form.html", context)


@login_required
@require_POST
def criterion_remove(request: HttpRequest, pk: int) -> HttpResponse:
    actor = staff_actor(request)
    criterion = selectors.criterion_for(actor, pk)
    try:
        services.criterion_remove(actor=actor, criterion=criterion)
    except ValidationError as exc:
        refusal(request, exc)
    else:
        messages.success(request, _("Criterion removed."))
    return redirect("programs:standard_detail", pk=criterion.standard_id)


urlpatterns = [
    path("standards/", standard_list, name="standard_list"),
    path("standards/new/", standard_create, name="standard_create"),
    path("standards/<int:pk>/", standard_detail, name="standard_detail"),
    path("standards/<int:pk>/edit/", standard_edit, name="standard_edit"),
    path("standards/<int:pk>/new-version/", standard_new_version, name="standard_new_version"),
    path("standards/<int:pk>/publish/", standard_publish, name="standard_publish"),
    path("standards/<int:pk>/criteria/add/", criterion_add, name="criterion_add"),
    path("criteria/<int:pk>/edit/", criterion_edit, name="criterion_edit"),
    path("criteria/<int:pk>/remove/", criterion_remove, name="criterion_remove"),
]
