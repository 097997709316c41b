"""A term's groups (班组) and staff roster."""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tuoguan.core.kit import GET_POST, form_page, refusal
from tuoguan.orgs.kit import ActorRequest
from tuoguan.orgs.permissions import require

from .. import selectors, services
from ..forms.terms import GroupForm, StaffForm
from ..permissions import can_manage_term


@login_required
@GET_POST
def group_create(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    term = selectors.term_for(actor, pk)
    require(can_manage_term(actor, term))
    form = GroupForm(request.POST or None, toddler=term.program.is_toddler)
    return form_page(
        request,
        form,
        lambda: services.group_create(actor=actor, term=term, **form.service_fields()),
        done=_("Group added."),
        then="programs:term_detail",
        template="programs/group_form.html",
        context={"term": term},
        pk=term.pk,
    )


@login_required
@GET_POST
def group_edit(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    group = selectors.group_for(actor, pk)
    term = group.term
    require(can_manage_term(actor, term))
    form = GroupForm(
        request.POST or None, instance=copy.copy(group), toddler=term.program.is_toddler
    )
    return form_page(
        request,
        form,
        lambda: services.group_update(actor=actor, group=group, **form.service_fields()),
        done=_("Changes saved."),
        then="programs:term_detail",
        template="programs/group_form.html",
        context={"term": term, "group": group},
        pk=term.pk,
    )


@login_required
@require_POST
def group_delete(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    group = selectors.group_for(actor, pk)
    try:
        services.group_delete(actor=actor, group=group)
    except ValidationError as exc:
        refusal(request, exc)
    else:
        messages.success(request, _("Group “%(name)s” removed.") % {"name": group.name})
    return redirect("programs:term_detail", pk=group.term_id)


@login_required
@GET_POST
def staff_add(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    term = selectors.term_for(actor, pk)
    require(can_manage_term(actor, term))
    form = StaffForm(request.POST or None, groups=selectors.term_groups(term))
    return form_page(
        request,
        form,
        lambda: services.term_staff_add(
            actor=actor,
            term=term,
            user=form.cleaned_data["login"],
            role=form.cleaned_data["role"],
            group=form.cleaned_data["group"],
        ),
        done=_("Added to the roster."),
        then="programs:term_detail",
        template="programs/staff_form.html",
        context={"term": term},
        pk=term.pk,
    )


@login_required
@require_POST
def staff_remove(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    staff = selectors.staff_for(actor, pk)
    services.term_staff_remove(actor=actor, staff=staff)
    messages.success(request, _("Removed from the roster."))
    return redirect("programs:term_detail", pk=staff.term_id)


urlpatterns = [
    path("terms/<int:pk>/groups/new/", group_create, name="group_create"),
    path("groups/<int:pk>/edit/", group_edit, name="group_edit"),
    path("groups/<int:pk>/delete/", group_delete, name="group_delete"),
    path("terms/<int:pk>/staff/add/", staff_add, name="staff_add"),
    path("staff/<int:pk>/remove/", staff_remove, name="staff_remove"),
]
