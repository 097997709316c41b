"""The pages classes and venues share: edit one, add, show and remove its photos."""

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tuoguan.core.kit import GET_POST, form_page, serve_file
from tuoguan.orgs.kit import ActorRequest
from tuoguan.orgs.permissions import Actor, require

from .. import services
from ..forms.programs import PhotoForm

View = Callable[[ActorRequest, int], HttpResponse]


@dataclass(frozen=True)
class Managed:
    """Something a host union manages from its own page, with photos: a class or a venue."""

    # The services' keyword for it, its variable in templates, and its photos' foreign key.
    name: str
    find: Callable[[Actor, int], Any]
    can_manage: Callable[[Actor, Any], bool]
    detail: str  # the URL name of its page

    def _managed(self, request: ActorRequest, pk: int) -> tuple[Actor, Any]:
        actor = request.actor
        subject = self.find(actor, pk)
        require(self.can_manage(actor, subject))
        return actor, subject

    def edit_view(self, form_class: type[Any], update: Callable[..., Any], template: str) -> View:
        @login_required
        @GET_POST
        def view(request: ActorRequest, pk: int) -> HttpResponse:
            actor, subject = self._managed(request, pk)
            form = form_class(request.POST or None, instance=copy.copy(subject))
            return form_page(
                request,
                form,
                lambda: update(actor=actor, **{self.name: subject}, **form.service_fields()),
                done=_("Changes saved."),
                then=self.detail,
                template=template,
                context={self.name: subject},
                pk=subject.pk,
            )

        view.__name__ = f"{self.name}_edit"
        return view

    def photo_add_view(self, add: Callable[..., Any]) -> View:
        @login_required
        @GET_POST
        def view(request: ActorRequest, pk: int) -> HttpResponse:
            actor, subject = self._managed(request, pk)
            form = PhotoForm(request.POST or None, request.FILES or None)
            return form_page(
                request,
                form,
                lambda: add(
                    actor=actor,
                    **{self.name: subject},
                    image=form.cleaned_data["image"],
                    caption=form.cleaned_data["caption"],
                ),
                done=_("Photo added."),
                then=self.detail,
                template="programs/photo_form.html",
                context={"subject": subject, self.name: subject},
                pk=subject.pk,
            )

        view.__name__ = f"{self.name}_photo_add"
        return view

    def photo_view(self, find_photo: Callable[[Actor, int], Any]) -> Callable[..., FileResponse]:
        @login_required
        @require_GET
        def view(request: ActorRequest, pk: int) -> FileResponse:
            photo = find_photo(request.actor, pk)
            return serve_file(photo.image)

        view.__name__ = f"{self.name}_photo"
        return view

    def photo_remove_view(self, find_photo: Callable[[Actor, int], Any]) -> View:
        @login_required
        @require_POST
        def view(request: ActorRequest, pk: int) -> HttpResponse:
            photo = find_photo(request.actor, pk)
            services.photo_remove(actor=request.actor, photo=photo)
            messages.success(request, _("Photo removed."))
            return redirect(self.detail, pk=getattr(photo, f"{self.name}_id"))

        view.__name__ = f"{self.name}_photo_remove"
        return view
