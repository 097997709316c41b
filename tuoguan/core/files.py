"""Checks and cleaning of every uploaded document and photo (DESIGN §3 "Files").

The one gate of every upload point (program and venue photos, evidence, insurance and pickup
photos, and every later one): the form field (`UploadField`) or serializer field
(`UploadSerializerField`) runs `upload_check` when the request is parsed, and the service's
`clean_upload` checks again and re-encodes. The type is judged from the content, never from
the name or the browser's word. An image's size is read from its header and refused beyond
`settings.TUOGUAN_MAX_IMAGE_PIXELS` before a single pixel is decoded (a 20,000 × 20,000 PNG
is 1.2 MB on disk and 1.6 GB in memory). Images are then decoded and re-encoded, so that EXIF
(GPS position, camera, time) never reaches storage.
"""

import io
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from PIL import Image, ImageOps, UnidentifiedImageError
from rest_framework import serializers

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
IMAGE_FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png")}
# Phones (WeChat's browser on Android) often save WebP; parents' photo uploads accept it.
WEBP_FORMAT = {"WEBP": ("image/webp", "webp")}
PDF_MAGIC = b"%PDF-"


@dataclass(frozen=True)
class CleanFile:
    content: ContentFile  # type: ignore[type-arg]
    content_type: str

    @property
    def size(self) -> int:
        return int(self.content.size)


@dataclass(frozen=True)
class UploadKind:
    """What an upload point accepts."""

    images_only: bool = False
    allow_webp: bool = False

    @property
    def formats(self) -> dict[str, tuple[str, str]]:
        return {**IMAGE_FORMATS, **WEBP_FORMAT} if self.allow_webp else IMAGE_FORMATS

    def wrong_type(self) -> str:
        if self.allow_webp:
            return _("Upload a JPEG, PNG or WebP image.")
        if self.images_only:
            return _("Upload a JPEG or PNG image.")
        return _("Upload a PDF document or a JPEG or PNG image.")


def too_many_pixels_message() -> str:
    return _(
        "The image is too large: it has more than %(limit)s million pixels. Send a smaller "
        "photo (a phone photo has about 12 million)."
    ) % {"limit": f"{settings.TUOGUAN_MAX_IMAGE_PIXELS / 1_000_000:g}"}


def _random_name(extension: str) -> str:
    # Uploaded names can carry a child's name; storage only ever sees a random one.
    return f"{uuid.uuid4().hex}.{extension}"


def _head(upload: Any, size: int) -> bytes:
    upload.seek(0)
    head: bytes = upload.read(size)
    upload.seek(0)
    return head


def upload_check(upload: Any, kind: UploadKind) -> str:
    """Refuse (ValidationError with one message) what `kind` does not accept, without decoding.

    Returns the image format ("PNG", …) or "PDF". Size, type and an image's declared pixel
    count are read from the first bytes and the header only.
    """
    size = getattr(upload, "size", None)
    if not size:
        raise ValidationError(_("The file is empty."))
    if size > MAX_UPLOAD_BYTES:
        raise ValidationError(_("The file is larger than 5 MB."))
    if _head(upload, len(PDF_MAGIC)) == PDF_MAGIC and not kind.images_only:
        return "PDF"
    try:
        with _no_bomb_warnings(), Image.open(upload) as image:
            image_format = image.format
            width, height = image.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValidationError(too_many_pixels_message()) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Warning) as exc:
        raise ValidationError(kind.wrong_type()) from exc
    finally:
        upload.seek(0)
    if image_format not in kind.formats:
        raise ValidationError(kind.wrong_type())
    if width * height > settings.TUOGUAN_MAX_IMAGE_PIXELS:
        raise ValidationError(too_many_pixels_message())
    return str(image_format)


@contextmanager
def _no_bomb_warnings() -> Iterator[None]:
    """Pillow's own bomb warning (between its limit and twice it) raised as an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        yield


def clean_upload(
    upload: Any, *, field: str = "file", images_only: bool = False, allow_webp: bool = False
) -> CleanFile:
    """Validate a PDF, JPEG or PNG (or WebP if allowed) of at most 5 MB; images re-encoded."""
    kind = UploadKind(images_only=images_only, allow_webp=allow_webp)
    try:
        found = upload_check(upload, kind)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc
    if found == "PDF":
        return CleanFile(ContentFile(upload.read(), name=_random_name("pdf")), "application/pdf")
    return _reencode_image(upload, field=field, kind=kind)


def _reencode_image(upload: Any, *, field: str, kind: UploadKind) -> CleanFile:
    try:
        with _no_bomb_warnings(), Image.open(upload) as image:
            image_format = image.format
            image.load()
            # Turn the picture upright first: the orientation lives in the EXIF we drop.
            upright = ImageOps.exif_transpose(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValidationError({field: too_many_pixels_message()}) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Warning) as exc:
        raise ValidationError({field: kind.wrong_type()}) from exc
    if image_format not in kind.formats:
        raise ValidationError({field: kind.wrong_type()})
    content_type, extension = kind.formats[image_format]
    out = io.BytesIO()
    if image_format == "JPEG":
        if upright.mode not in ("RGB", "L"):
            upright = upright.convert("RGB")
        # No exif= argument: Pillow writes no metadata unless asked to.
        upright.save(out, "JPEG", quality=88, optimize=True)
    elif image_format == "WEBP":
        upright.save(out, "WEBP", quality=88)
    else:
        upright.save(out, "PNG", optimize=True)
    return CleanFile(ContentFile(out.getvalue(), name=_random_name(extension)), content_type)


# --- The fields of forms and serializers ------------------------------------------------------


class UploadField(forms.FileField):
    """A page's upload: refused at the form with a clear message (type, size, pixel bomb)."""

    def __init__(
        self, *args: Any, images_only: bool = False, allow_webp: bool = False, **kwargs: Any
    ) -> None:
        self.kind = UploadKind(images_only=images_only, allow_webp=allow_webp)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        upload = super().clean(data, initial)
        if upload:
            upload_check(upload, self.kind)
        return upload


@extend_schema_field(OpenApiTypes.BINARY)
class UploadSerializerField(serializers.FileField):
    """The API's upload: the same check as `UploadField`, answered as 400 on the field."""

    def __init__(self, *, images_only: bool = False, allow_webp: bool = False, **kwargs: Any):
        self.kind = UploadKind(images_only=images_only, allow_webp=allow_webp)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Any:
        upload = super().to_internal_value(data)
        try:
            upload_check(upload, self.kind)
        except ValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc
        return upload
