"""Photos of the child's day: the caregiver's post to the group's day (tags, consent
warnings), the family's term gallery, the guardian's media consent, and the files, served
only to those who may see the photo (never from a public media URL)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tuoguan.core.kit import GET_POST, form_errors, paginate, refusal, serve_file
from tuoguan.orgs.kit import ActorRequest
from tuoguan.orgs.permissions import require

from .. import photo_selectors, selectors, services
from ..forms import MediaConsentForm, PhotoPostForm
from ..models import MediaChoice
from ..permissions import can_care, can_remove_photo


@login_required
@GET_POST
def group_photos(request: ActorRequest, pk: int) -> HttpResponse:
    """Post photos to the group's day and see the day's photos."""
    group = selectors.group_for(request.actor, pk)
    require(can_care(request.actor, group.term))
    day = timezone.localdate()
    enrolments = services.taggable_enrolments(group)
    consents = services.photo_consents(enrolments)
    form = PhotoPostForm(
        request.POST or None, request.FILES or None, enrolments=enrolments, consents=consents
    )
    if request.method == "POST" and form.is_valid():
        try:
            posted = services.photos_post(
                actor=request.actor, group=group, date=day, **form.service_fields()
            )
        except ValidationError as exc:
            form_errors(form, exc, rename={"images": "photo1", "date": "photo1"})
        else:
            messages.success(request, _("%(n)s photos posted.") % {"n": len(posted)})
            return redirect("care:group_photos", pk=group.pk)
    photos = photo_selectors.group_photos(group, day)
    return render(
        request,
        "care/group_photos.html",
        {
            "group": group,
            "term": group.term,
            "day": day,
            "form": form,
            "refused": [e.child.name for e in enrolments if not consents[e.pk]],
            "photos": photos,
            "removable": {p.pk for p in photos if can_remove_photo(request.actor, p)},
        },
    )


@login_required
@require_POST
def photo_remove(request: ActorRequest, pk: int) -> HttpResponse:
    photo = photo_selectors.photo_for(request.actor, pk)
    group_pk = photo.group_id
    try:
        services.photo_remove(actor=request.actor, photo=photo)
    except ValidationError as exc:
        refusal(request, exc)
    else:
        messages.success(request, _("Photo deleted."))
    return redirect("care:group_photos", pk=group_pk)


@login_required
def photo_image(request: ActorRequest, pk: int) -> HttpResponseBase:
    photo = photo_selectors.photo_for(request.actor, pk)
    return serve_file(photo.image, "image/jpeg")


@login_required
def photo_thumbnail(request: ActorRequest, pk: int) -> HttpResponseBase:
    photo = photo_selectors.photo_for(request.actor, pk)
    return serve_file(photo.thumbnail, "image/jpeg")


@login_required
def child_photos(request: ActorRequest, pk: int) -> HttpResponse:
    """The family's gallery of the child's term, newest first."""
    enrolment = selectors.family_enrolment_for(request.actor, pk)
    page = paginate(request, photo_selectors.child_photos(request.actor, enrolment))
    consent = services.media_consent_of(enrolment.child)
    return render(
        request,
        "care/child_photos.html",
        {"enrolment": enrolment, "page": page, "photos": page.object_list, "consent": consent},
    )


@login_required
@GET_POST
def media_consent(request: ActorRequest, pk: int) -> HttpResponse:
    """The guardian's separate choice about photos and cameras (never needed to enrol)."""
    enrolment = selectors.family_enrolment_for(request.actor, pk)
    child = enrolment.child
    consent = services.media_consent_of(child)
    initial = {
        name: value
        for name, value in (("photos", consent.photos), ("cameras", consent.cameras))
        if value != MediaChoice.NOT_ASKED
    }
    form = MediaConsentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.media_consent_set(actor=request.actor, child=child, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Your choice is saved. You can change it at any time."))
            return redirect("care:child_today", pk=enrolment.pk)
    return render(
        request,
        "care/media_consent.html",
        {"enrolment": enrolment, "form": form, "consent": consent},
    )
