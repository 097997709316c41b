"""Venues (场地): where classes run, with their areas, certificates and photos."""

import copy
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tuoguan.orgs.permissions import require
from tuoguan.orgs.selectors import orgs_visible_to

from .. import selectors, services
from ..forms.base import add_service_errors
from ..forms.programs import PhotoForm, VenueForm
from ..models import Venue
from ..permissions import HOST_ROLES, can_manage_venue
from .base import GET_POST, actor_of, paginate, serve_file, staff_actor


@login_required
@require_GET
def venue_list(request: HttpRequest) -> HttpResponse:
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
def venue_create(request: HttpRequest) -> HttpResponse:
    actor = staff_actor(request)
    require(actor.has_role(HOST_ROLES))
    owners = orgs_visible_to(actor).filter(is_active=True)
    form = VenueForm(request.POST or None, owners=owners, initial={"owner": actor.org})
    if request.method == "POST" and form.is_valid():
        try:
            venue = services.venue_create(
                actor=actor, owner=form.cleaned_data["owner"], **form.service_fields()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Venue “%(name)s” added.") % {"name": venue.name})
            return redirect("programs:venue_detail", pk=venue.pk)
    return render(request, "programs/venue_form.html", {"form": form})


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
def venue_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    venue = selectors.venue_for(actor, pk)
    context = {
        "venue": venue,
        "certificates": _certificates(venue),
        "terms": selectors.venue_terms(actor, venue)[:50],
        "photos": selectors.venue_photos(venue),
        "can_manage": can_manage_venue(actor, venue),
    }
    return render(request, "programs/venue_detail.html", context)


@login_required
@GET_POST
def venue_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    venue = selectors.venue_for(actor, pk)
    require(can_manage_venue(actor, venue))
    form = VenueForm(request.POST or None, instance=copy.copy(venue))
    if request.method == "POST" and form.is_valid():
        try:
            services.venue_update(actor=actor, venue=venue, **form.service_fields())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("programs:venue_detail", pk=venue.pk)
    return render(request, "programs/venue_form.html", {"form": form, "venue": venue})


@login_required
@GET_POST
def venue_photo_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    venue = selectors.venue_for(actor, pk)
    require(can_manage_venue(actor, venue))
    form = PhotoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.venue_photo_add(
                actor=actor,
                venue=venue,
                image=form.cleaned_data["image"],
                caption=form.cleaned_data["caption"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Photo added."))
            return redirect("programs:venue_detail", pk=venue.pk)
    context = {"form": form, "subject": venue, "venue": venue}
    return render(request, "programs/photo_form.html", context)


@login_required
@require_GET
def venue_photo(request: HttpRequest, pk: int) -> FileResponse:
    photo = selectors.venue_photo_for(actor_of(request), pk)
    return serve_file(photo.image)


@login_required
@require_POST
def venue_photo_remove(request: HttpRequest, pk: int) -> HttpResponse:
    photo = selectors.venue_photo_for(actor_of(request), pk)
    services.photo_remove(actor=actor_of(request), photo=photo)
    messages.success(request, _("Photo removed."))
    return redirect("programs:venue_detail", pk=photo.venue_id)


urlpatterns = [
    path("venues/", venue_list, name="venue_list"),
    path("venues/new/", venue_create, name="venue_create"),
    path("venues/<int:pk>/", venue_detail, name="venue_detail"),
    path("venues/<int:pk>/edit/", venue_edit, name="venue_edit"),
    path("venues/<int:pk>/photos/add/", venue_photo_add, name="venue_photo_add"),
    path("venues/photos/<int:pk>/", venue_photo, name="venue_photo"),
    path("venues/photos/<int:pk>/remove/", venue_photo_remove, name="venue_photo_remove"),
]
