"""Classes (托管班): the list with its filters, a class's page, create and edit, photos."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tuoguan.core.kit import GET_POST, form_page, paginate
from tuoguan.orgs.kit import ActorRequest, staff_actor
from tuoguan.orgs.models import Level
from tuoguan.orgs.permissions import require
from tuoguan.orgs.selectors import orgs_visible_to

from .. import selectors, services
from ..forms.programs import ProgramFilterForm, ProgramForm
from ..models import TargetGroup
from ..permissions import HOST_ROLES, can_manage_program
from .managed import Managed


@login_required
@require_GET
def program_list(request: ActorRequest) -> HttpResponse:
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
    template = "programs/_program_table.html" if request.htmx else "programs/program_list.html"
    return render(request, template, context)


@login_required
@GET_POST
def program_create(request: ActorRequest) -> HttpResponse:
    actor = staff_actor(request)
    require(actor.has_role(HOST_ROLES))
    hosts = orgs_visible_to(actor).filter(is_active=True)
    form = ProgramForm(request.POST or None, hosts=hosts, initial={"host": actor.org})
    return form_page(
        request,
        form,
        lambda: services.program_create(
            actor=actor, host=form.cleaned_data["host"], **form.service_fields()
        ),
        done=lambda program: _("Class “%(name)s” created.") % {"name": program.name},
        then="programs:detail",
        template="programs/program_form.html",
    )


@login_required
@require_GET
def program_detail(request: ActorRequest, pk: int) -> HttpResponse:
    """A class with its terms (each with its compliance), groups, venues and photos."""
    actor = request.actor
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


PROGRAM = Managed(
    name="program",
    find=selectors.program_for,
    can_manage=can_manage_program,
    detail="programs:detail",
)
program_edit = PROGRAM.edit_view(ProgramForm, services.program_update, "programs/program_form.html")
program_photo_add = PROGRAM.photo_add_view(services.program_photo_add)
program_photo = PROGRAM.photo_view(selectors.program_photo_for)
program_photo_remove = PROGRAM.photo_remove_view(selectors.program_photo_for)


urlpatterns = [
    path("", program_list, name="list"),
    path("new/", program_create, name="create"),
    path("<int:pk>/", program_detail, name="detail"),
    path("<int:pk>/edit/", program_edit, name="edit"),
    path("<int:pk>/photos/add/", program_photo_add, name="photo_add"),
    path("photos/<int:pk>/", program_photo, name="photo"),
    path("photos/<int:pk>/remove/", program_photo_remove, name="photo_remove"),
]
