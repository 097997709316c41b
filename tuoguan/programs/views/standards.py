"""Construction standards (建设标准): versions, criteria, publishing; the work calendar."""

import copy
from collections.abc import Callable
from itertools import groupby
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.forms import BaseForm
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tuoguan.core.kit import GET_POST, form_page, paginate, refusal
from tuoguan.orgs.kit import ActorRequest, own_org, staff_actor
from tuoguan.orgs.permissions import Actor, require

from .. import selectors, services
from ..forms.standards import CriterionForm, NewVersionForm, StandardForm
from ..models import Criterion, Standard
from ..permissions import can_manage_standard
from ..standards import standard_for


@login_required
@require_GET
def standard_list(request: ActorRequest) -> HttpResponse:
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
def standard_detail(request: ActorRequest, pk: int) -> HttpResponse:
    actor = staff_actor(request)
    standard = selectors.standard_for_actor(actor, pk)
    context = {
        "standard": standard,
        "areas": _criteria_by_area(standard),
        "can_edit": can_manage_standard(actor, standard.org) and not standard.published,
        "can_copy": can_manage_standard(actor, own_org(actor)),
    }
    return render(request, "programs/standard_detail.html", context)


def _managed_standard(request: ActorRequest, pk: int) -> tuple[Actor, Standard]:
    """The actor and the standard `pk`, which they must be allowed to change (403)."""
    actor = staff_actor(request)
    standard = selectors.standard_for_actor(actor, pk)
    require(can_manage_standard(actor, standard.org))
    return actor, standard


def _standard_form_page(
    request: ActorRequest,
    form: BaseForm,
    save: Callable[[], Model],
    *,
    done: str,
    template: str,
    standard: Standard,
    **context: Any,
) -> HttpResponse:
    """A form on a standard or its criteria, which comes back to the standard's page."""
    return form_page(
        request,
        form,
        save,
        done=done,
        then="programs:standard_detail",
        template=template,
        context={"standard": standard, **context},
        pk=standard.pk,
    )


def _standard_step(
    request: ActorRequest, step: Callable[[], object], *, done: str, standard_pk: int
) -> HttpResponse:
    """A POST running one service; a refusal comes back as a message on the standard's page."""
    try:
        step()
    except ValidationError as exc:
        refusal(request, exc)
    else:
        messages.success(request, done)
    return redirect("programs:standard_detail", pk=standard_pk)


@login_required
@GET_POST
def standard_create(request: ActorRequest) -> HttpResponse:
    """An empty draft standard of the actor's own union."""
    actor = staff_actor(request)
    org = own_org(actor)
    require(can_manage_standard(actor, org))
    form = StandardForm(request.POST or None)
    return form_page(
        request,
        form,
        lambda: services.standard_create(actor=actor, org=org, **form.service_fields()),
        done=_("Draft standard created; add its criteria."),
        then="programs:standard_detail",
        template="programs/standard_form.html",
    )


@login_required
@GET_POST
def standard_new_version(request: ActorRequest, pk: int) -> HttpResponse:
    """A draft copy of a standard (one's own, or the inherited one) as one's union's next."""
    actor = staff_actor(request)
    source = selectors.standard_for_actor(actor, pk)
    org = own_org(actor)
    require(can_manage_standard(actor, org))
    form = NewVersionForm(request.POST or None)
    return form_page(
        request,
        form,
        lambda: services.standard_new_version(
            actor=actor,
            standard=source,
            org=org,
            effective_from=form.cleaned_data["effective_from"],
            title=form.cleaned_data["title"],
        ),
        done=_("New draft version created."),
        then="programs:standard_detail",
        template="programs/standard_form.html",
        context={"source": source},
    )


@login_required
@GET_POST
def standard_edit(request: ActorRequest, pk: int) -> HttpResponse:
    actor, standard = _managed_standard(request, pk)
    form = StandardForm(request.POST or None, instance=copy.copy(standard))
    return _standard_form_page(
        request,
        form,
        lambda: services.standard_update(actor=actor, standard=standard, **form.service_fields()),
        done=_("Changes saved."),
        template="programs/standard_form.html",
        standard=standard,
    )


@login_required
@require_POST
def standard_publish(request: ActorRequest, pk: int) -> HttpResponse:
    actor = staff_actor(request)
    standard = selectors.standard_for_actor(actor, pk)
    return _standard_step(
        request,
        lambda: services.standard_publish(actor=actor, standard=standard),
        done=_("Standard published; it can no longer change."),
        standard_pk=standard.pk,
    )


@login_required
@GET_POST
def criterion_add(request: ActorRequest, pk: int) -> HttpResponse:
    actor, standard = _managed_standard(request, pk)
    form = CriterionForm(request.POST or None)
    return _standard_form_page(
        request,
        form,
        lambda: services.criterion_add(actor=actor, standard=standard, **form.service_fields()),
        done=_("Criterion added."),
        template="programs/criterion_form.html",
        standard=standard,
    )


@login_required
@GET_POST
def criterion_edit(request: ActorRequest, pk: int) -> HttpResponse:
    actor = staff_actor(request)
    criterion = selectors.criterion_for(actor, pk)
    standard = criterion.standard
    require(can_manage_standard(actor, standard.org))
    form = CriterionForm(request.POST or None, instance=copy.copy(criterion))
    return _standard_form_page(
        request,
        form,
        lambda: services.criterion_update(
            actor=actor, criterion=criterion, **form.service_fields()
        ),
        done=_("Changes saved."),
        template="programs/criterion_form.html",
        standard=standard,
        criterion=criterion,
    )


@login_required
@require_POST
def criterion_remove(request: ActorRequest, pk: int) -> HttpResponse:
    actor = staff_actor(request)
    criterion = selectors.criterion_for(actor, pk)
    return _standard_step(
        request,
        lambda: services.criterion_remove(actor=actor, criterion=criterion),
        done=_("Criterion removed."),
        standard_pk=criterion.standard_id,
    )


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
