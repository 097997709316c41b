"""Checks and cleaning of uploaded evidence and photos (DESIGN §3 "Files").

The type is judged from the content, never from the name or the browser's word; images are
decoded and re-encoded so that EXIF (GPS position, camera, time) never reaches storage.
"""

import io
import uuid
import warnings
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# Phone photos are ~12 MP; far beyond that is a decompression bomb, not a photo.
MAX_IMAGE_PIXELS = 40_000_000
IMAGE_FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png")}
# Phones (WeChat's browser on Android) often save WebP; parents' photo uploads accept it.
WEBP_FORMAT = {"WEBP": ("image/webp", "webp")}


@dataclass(frozen=True)
class CleanFile:
    content: ContentFile  # type: ignore[type-arg]
    content_type: str

    @property
    def size(self) -> int:
        return int(self.content.size)


def _random_name(extension: str) -> str:
    # Uploaded names can carry a child's name; storage only ever sees a random one.
    return f"{uuid.uuid4().hex}.{extension}"


def clean_upload(
    upload: Any, *, field: str = "file", images_only: bool = False, allow_webp: bool = False
) -> CleanFile:
    """Validate a PDF, JPEG or PNG (or WebP if allowed) of at most 5 MB; images re-encoded."""
    size = getattr(upload, "size", None)
    if not size:
        raise ValidationError({field: _("The file is empty.")})
    if size > MAX_UPLOAD_BYTES:
        raise ValidationError({field: _("The file is larger than 5 MB.")})
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if head == b"%PDF-" and not images_only:
        return CleanFile(ContentFile(upload.read(), name=_random_name("pdf")), "application/pdf")
    return _reencode_image(upload, field=field, images_only=images_only, allow_webp=allow_webp)


def _reencode_image(
    upload: Any, *, field: str, images_only: bool, allow_webp: bool = False
) -> CleanFile:
    formats = {**IMAGE_FORMATS, **WEBP_FORMAT} if allow_webp else IMAGE_FORMATS
    wrong_type = (
        _("Upload a JPEG or PNG image.")
        if images_only
        else _("Upload a PDF document or a JPEG or PNG image.")
    )
    if allow_webp:
        wrong_type = _("Upload a JPEG, PNG or WebP image.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                if image.format not in formats:
                    raise ValidationError({field: wrong_type})
                if image.width * image.height > MAX_IMAGE_PIXELS:
                    raise ValidationError({field: _("The image has too many pixels.")})
                image_format = image.format
                image.load()
                # Turn the picture upright first: the orientation lives in the EXIF we drop.
                upright = ImageOps.exif_transpose(image)
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Warning) as exc:
        raise ValidationError({field: wrong_type}) from exc
    content_type, extension = formats[image_format]
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
