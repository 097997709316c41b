"""Classes (托管班): the list with its filters, a class's page, create and edit, photos."""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tuoguan.orgs.models import Level
from tuoguan.orgs.permissions import require
from tuoguan.orgs.selectors import orgs_visible_to

from .. import selectors, services
from ..forms.base import add_service_errors
from ..forms.programs import PhotoForm, ProgramFilterForm, ProgramForm
from ..models import TargetGroup
from ..permissions import HOST_ROLES, can_manage_program
from .base import GET_POST, actor_of, is_htmx, paginate, serve_file, staff_actor


@login_required
@require_GET
def program_list(request: HttpRequest) -> HttpResponse:
    """The classes of the actor's subtree, filtered by type, status, year, region, union."""
    actor = staff_actor(request)
    unions = orgs_visible_to(actor).filter(level__lt=Level.GRASSROOTS)
    form = ProgramFilterForm(request.GET or None, orgs=unions)
    programs = selectors.programs_filter(selectors.programs_visible_to(actor), **form.filters())
    page = paginate(request, selectors.programs_for_list(programs))
    context = {
        "form": form,
        "page": page,
        "can_create": actor.has_role(HOST_ROLES),
    }
    template = "programs/_program_table.html" if is_htmx(request) else "programs/program_list.html"
    return render(request, template, context)


@login_required
@GET_POST
def program_create(request: HttpRequest) -> HttpResponse:
    actor = staff_actor(request)
    require(actor.has_role(HOST_ROLES))
    hosts = orgs_visible_to(actor).filter(is_active=True)
    form = ProgramForm(request.POST or None, hosts=hosts, initial={"host": actor.org})
    if request.method == "POST" and form.is_valid():
        try:
            program = services.program_create(
                actor=actor, host=form.cleaned_data["host"], **form.service_fields()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Class “%(name)s” created.") % {"name": program.name})
            return redirect("programs:detail", pk=program.pk)
    return render(request, "programs/program_form.html", {"form": form})


@login_required
@require_GET
def program_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A class with its terms (each with its compliance), groups, venues and photos."""
    actor = actor_of(request)
    program = selectors.program_for(actor, pk)
    judged = selectors.program_terms_judged(program)
    venues = {r.term.venue_id: r.term.venue for r in judged if r.term.venue is not None}
    context = {
        "program": program,
        "judged": judged,
        "venues": list(venues.values()),
        "photos": selectors.program_photos(program),
        "target_labels": [
            str(TargetGroup(value).label)
            for value in program.target_groups
            if value in TargetGroup.values
        ],
        "can_manage": can_manage_program(actor, program),
    }
    return render(request, "programs/program_detail.html", context)


@login_required
@GET_POST
def program_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    program = selectors.program_for(actor, pk)
    require(can_manage_program(actor, program))
    form = ProgramForm(request.POST or None, instance=copy.copy(program))
    if request.method == "POST" and form.is_valid():
        try:
            services.program_update(actor=actor, program=program, **form.service_fields())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("programs:detail", pk=program.pk)
    return render(request, "programs/program_form.html", {"form": form, "program": program})


@login_required
@GET_POST
def program_photo_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    program = selectors.program_for(actor, pk)
    require(can_manage_program(actor, program))
    form = PhotoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.program_photo_add(
                actor=actor,
                program=program,
                image=form.cleaned_data["image"],
                caption=form.cleaned_data["caption"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Photo added."))
            return redirect("programs:detail", pk=program.pk)
    context = {"form": form, "subject": program, "back": program}
    return render(request, "programs/photo_form.html", context)


@login_required
@require_GET
def program_photo(request: HttpRequest, pk: int) -> FileResponse:
    photo = selectors.program_photo_for(actor_of(request), pk)
    return serve_file(photo.image)


@login_required
@require_POST
def program_photo_remove(request: HttpRequest, pk: int) -> HttpResponse:
    photo = selectors.program_photo_for(actor_of(request), pk)
    services.photo_remove(actor=actor_of(request), photo=photo)
    messages.success(request, _("Photo removed."))
    return redirect("programs:detail", pk=photo.program_id)


urlpatterns = [
    path("", program_list, name="list"),
    path("new/", program_create, name="create"),
    path("<int:pk>/", program_detail, name="detail"),
    path("<int:pk>/edit/", program_edit, name="edit"),
    path("<int:pk>/photos/add/", program_photo_add, name="photo_add"),
    path("photos/<int:pk>/", program_photo, name="photo"),
    path("photos/<int:pk>/remove/", program_photo_remove, name="photo_remove"),
]
