"""Venues (场地): where classes run, with their areas, certificates and photos."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tuoguan.core.kit import GET_POST, form_page, paginate
from tuoguan.orgs.kit import ActorRequest, staff_actor
from tuoguan.orgs.permissions import require
from tuoguan.orgs.selectors import orgs_visible_to

from .. import selectors, services
from ..forms.programs import VenueForm
from ..models import Venue
from ..permissions import HOST_ROLES, can_manage_venue
from .managed import Managed


@login_required
@require_GET
def venue_list(request: ActorRequest) -> HttpResponse:
    actor = staff_actor(request)
    venues = selectors.venues_visible_to(actor).order_by("owner__path", "name", "pk")
    context = {
        "page": paginate(request, venues),
        "can_create": actor.has_role(HOST_ROLES),
        "today": timezone.localdate(),
    }
    return render(request, "programs/venue_list.html", context)


@login_required
@GET_POST
def venue_create(request: ActorRequest) -> HttpResponse:
    actor = staff_actor(request)
    require(actor.has_role(HOST_ROLES))
    owners = orgs_visible_to(actor).filter(is_active=True)
    form = VenueForm(request.POST or None, owners=owners, initial={"owner": actor.org})
    return form_page(
        request,
        form,
        lambda: services.venue_create(
            actor=actor, owner=form.cleaned_data["owner"], **form.service_fields()
        ),
        done=lambda venue: _("Venue “%(name)s” added.") % {"name": venue.name},
        then="programs:venue_detail",
        template="programs/venue_form.html",
    )


def _certificates(venue: Venue) -> list[dict[str, Any]]:
    today = timezone.localdate()
    labels = {
        "fire": _("Fire safety"),
        "building": _("Building safety"),
        "food": _("Food safety"),
    }
    rows = []
    for kind in venue.CERTIFICATES:
        number, expires = venue.certificate(kind)
        rows.append(
            {
                "label": labels[kind],
                "number": number,
                "expires": expires,
                "expired": bool(expires and expires < today),
            }
        )
    return rows


@login_required
@require_GET
def venue_detail(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    venue = selectors.venue_for(actor, pk)
    context = {
        "venue": venue,
        "certificates": _certificates(venue),
        "terms": selectors.venue_terms(actor, venue)[:50],
        "photos": selectors.venue_photos(venue),
        "can_manage": can_manage_venue(actor, venue),
    }
    return render(request, "programs/venue_detail.html", context)


VENUE = Managed(
    name="venue",
    find=selectors.venue_for,
    can_manage=can_manage_venue,
    detail="programs:venue_detail",
)
venue_edit = VENUE.edit_view(VenueForm, services.venue_update, "programs/venue_form.html")
venue_photo_add = VENUE.photo_add_view(services.venue_photo_add)
venue_photo = VENUE.photo_view(selectors.venue_photo_for)
venue_photo_remove = VENUE.photo_remove_view(selectors.venue_photo_for)


urlpatterns = [
    path("venues/", venue_list, name="venue_list"),
    path("venues/new/", venue_create, name="venue_create"),
    path("venues/<int:pk>/", venue_detail, name="venue_detail"),
    path("venues/<int:pk>/edit/", venue_edit, name="venue_edit"),
    path("venues/<int:pk>/photos/add/", venue_photo_add, name="venue_photo_add"),
    path("venues/photos/<int:pk>/", venue_photo, name="venue_photo"),
    path("venues/photos/<int:pk>/remove/", venue_photo_remove, name="venue_photo_remove"),
]
