"""Photos of the child's day and the guardian's media consent.

A post is re-encoded twice over: `clean_upload` (the one gate of every upload) refuses what
is not an image, a pixel bomb or more than 5 MB, and drops EXIF; then every photo is stored
as a JPEG (at most `PHOTO_LONG_SIDE`) and a thumbnail (`THUMBNAIL_LONG_SIDE`), neither with
metadata. A child is tagged only with the guardian's photo consent ("not asked" = refused).
"""

import datetime
import io
import uuid
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image

from tuoguan.core.files import clean_upload
from tuoguan.enrolment.models import Enrolment, EnrolmentStatus
from tuoguan.orgs.permissions import Actor, require
from tuoguan.programs.models import Group

from ..models import (
    MAX_PHOTOS_A_POST,
    ON_ROSTER,
    THUMBNAIL_LONG_SIDE,
    MediaChoice,
    MediaConsent,
    Photo,
    PhotoTag,
)
from ..models.photos import PHOTO_LONG_SIDE
from ..permissions import can_care, can_remove_photo
from .liveview import day_changed


def media_consent_of(child: Any) -> MediaConsent:
    """The child's media consent; an unsaved "not asked" one when the guardian never chose."""
    found = MediaConsent.objects.filter(child=child).first()
    return found if found is not None else MediaConsent(child=child)


@transaction.atomic
def media_consent_set(*, actor: Actor, child: Any, photos: str, cameras: str) -> MediaConsent:
    """The guardian's own choice for their child; nobody else finds the child (404)."""
    if child.guardian.user_id != actor.user.pk:
        raise Http404
    errors = {}
    for name, value in (("photos", photos), ("cameras", cameras)):
        if value not in (MediaChoice.ALLOWED, MediaChoice.REFUSED):
            errors[name] = _("Choose allow or refuse.")
    if errors:
        raise ValidationError(errors)
    consent = MediaConsent.objects.select_for_update().filter(child=child).first()
    consent = consent or MediaConsent(child=child)
    if consent.pk and (consent.photos, consent.cameras) == (photos, cameras):
        return consent
    consent.photos, consent.cameras = photos, cameras
    consent.chosen_by, consent.chosen_at = actor.user, timezone.now()
    consent.save()
    # Photos tagging the child appear or vanish for every family of the child's groups today.
    today = timezone.localdate()
    groups = Enrolment.objects.filter(child=child, status__in=ON_ROSTER, group__isnull=False)
    for group_id in set(groups.values_list("group_id", flat=True)):
        day_changed(date=today, group=Group(pk=group_id))
    return consent


def photo_consents(enrolments: Iterable[Enrolment]) -> dict[int, bool]:
    """Whether each enrolment's child may be tagged (photo consent given), by enrolment id."""
    rows = list(enrolments)
    allowed = set(
        MediaConsent.objects.filter(
            child_id__in=[e.child_id for e in rows], photos=MediaChoice.ALLOWED
        ).values_list("child_id", flat=True)
    )
    return {e.pk: e.child_id in allowed for e in rows}


def taggable_enrolments(group: Group) -> list[Enrolment]:
    """The group's confirmed children, in the tag picker's order."""
    return list(
        Enrolment.objects.filter(group=group, status=EnrolmentStatus.CONFIRMED)
        .select_related("child")
        .order_by("child__name", "pk")
    )


def _tags(group: Group, children: Iterable[Any]) -> list[Enrolment]:
    wanted = set()
    for child in children:
        try:
            wanted.add(int(getattr(child, "pk", child)))
        except (TypeError, ValueError):
            raise ValidationError({"children": _("Choose children of this group.")}) from None
    if not wanted:
        return []
    found = [e for e in taggable_enrolments(group) if e.pk in wanted]
    if len(found) != len(wanted):
        raise ValidationError({"children": _("Choose children of this group.")})
    consents = photo_consents(found)
    refused = [e.child.name for e in found if not consents[e.pk]]
    if refused:
        raise ValidationError(
            {
                "children": _(
                    "%(children)s: the guardian has not agreed to photos, so they cannot be tagged."
                )
                % {"children": "、".join(refused)}
            }
        )
    return found


def _jpeg(image: Image.Image, long_side: int) -> ContentFile:  # type: ignore[type-arg]
    picture = image.copy()
    picture.thumbnail((long_side, long_side))
    if picture.mode in ("RGBA", "LA", "P", "PA"):
        rgba = picture.convert("RGBA")
        picture = Image.new("RGB", rgba.size, (255, 255, 255))
        picture.paste(rgba, mask=rgba.getchannel("A"))
    elif picture.mode not in ("RGB", "L"):
        picture = picture.convert("RGB")
    out = io.BytesIO()
    # No exif= argument: Pillow writes no metadata unless asked to.
    picture.save(out, "JPEG", quality=85, optimize=True)
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg")


def _processed(upload: Any) -> tuple[ContentFile, ContentFile]:  # type: ignore[type-arg]
    """The photo and its thumbnail, both JPEG without metadata."""
    clean = clean_upload(upload, field="images", images_only=True, allow_webp=True)
    with Image.open(clean.content) as image:
        image.load()
        return _jpeg(image, PHOTO_LONG_SIDE), _jpeg(image, THUMBNAIL_LONG_SIDE)


def _check_day(group: Group, day: datetime.date) -> None:
    term = group.term
    if day > timezone.localdate():
        raise ValidationError({"date": _("The day cannot be in the future.")})
    if not term.start_date <= day <= term.end_date:
        raise ValidationError({"date": _("Choose a day of the term.")})


@transaction.atomic
def photos_post(
    *,
    actor: Actor,
    group: Group,
    images: Iterable[Any],
    caption: str = "",
    children: Iterable[Any] = (),
    date: datetime.date | None = None,
) -> list[Photo]:
    """Post photos to the group's day, each tagging the same children (with photo consent)."""
    require(can_care(actor, group.term))
    day = date or timezone.localdate()
    _check_day(group, day)
    images = [i for i in images if i]
    if not images:
        raise ValidationError({"images": _("Choose at least one photo.")})
    if len(images) > MAX_PHOTOS_A_POST:
        raise ValidationError({"images": _("At most %(n)s photos.") % {"n": MAX_PHOTOS_A_POST}})
    tagged = _tags(group, children)
    # Every photo is decoded and checked before anything reaches storage.
    files = [_processed(upload) for upload in images]
    caption = (caption or "").strip()[:200]
    posted = []
    for image, thumbnail in files:
        photo = Photo(group=group, date=day, caption=caption, posted_by=actor.user)
        photo.image.save(image.name or "", image, save=False)
        photo.thumbnail.save(thumbnail.name or "", thumbnail, save=False)
        photo.save()
        PhotoTag.objects.bulk_create([PhotoTag(photo=photo, enrolment=e) for e in tagged])
        posted.append(photo)
    _tell_live_view(group, day, [e.pk for e in tagged])
    return posted


def _tell_live_view(group: Group, day: datetime.date, tagged: list[int]) -> None:
    """The families who may see the photo find it at their next poll: those of the children
    tagged, or the whole group's for an untagged photo."""
    if tagged:
        day_changed(date=day, enrolment_ids=tagged)
    else:
        day_changed(date=day, group=group)


@transaction.atomic
def photo_remove(*, actor: Actor, photo: Photo) -> None:
    """Delete the photo, its tags and both its files (once the deletion is committed)."""
    require(can_remove_photo(actor, photo))
    storage = photo.image.storage
    names = [name for name in (photo.image.name, photo.thumbnail.name) if name]
    tagged = list(photo.tags.values_list("enrolment_id", flat=True))
    group, day = photo.group, photo.date
    photo.delete()
    _tell_live_view(group, day, tagged)

    def delete_files() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete_files)
