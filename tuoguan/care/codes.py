"""The check-in QR code on the parent's phone: signed, bound to child, term and date.

The code is `django.core.signing` over {enrolment, child, term, date}: a code of another day
or of another child fails `check_in_code_read`, a changed character fails the signature, and
a code already used finds the child checked in (the unique constraint of Attendance).
"""

import datetime
import functools
from dataclasses import dataclass
from typing import Any

import segno
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils.html import escape
from django.utils.translation import gettext as _

SALT = "tuoguan.care.check-in"
QR_MASK = 2


@dataclass(frozen=True)
class CheckInCode:
    enrolment_id: int
    child_id: int
    term_id: int
    date: datetime.date


def check_in_code(enrolment: Any, day: datetime.date) -> str:
    payload = {
        "e": enrolment.pk,
        "c": enrolment.child_id,
        "t": enrolment.term_id,
        "d": day.isoformat(),
    }
    return signing.dumps(payload, salt=SALT)


def check_in_code_read(code: str, *, today: datetime.date) -> CheckInCode:
    """The code's content, or a ValidationError saying why it cannot be used today."""
    try:
        payload = signing.loads((code or "").strip(), salt=SALT)
        read = CheckInCode(
            int(payload["e"]),
            int(payload["c"]),
            int(payload["t"]),
            datetime.date.fromisoformat(payload["d"]),
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise ValidationError(
            {"code": _("This code is not a check-in code of this platform.")}, code="bad_code"
        ) from exc
    if read.date != today:
        raise ValidationError(
            {"code": _("This code is for another day. Open today's code on the phone.")},
            code="stale_code",
        )
    return read


@functools.lru_cache(maxsize=512)
def qr_svg(text: str, *, title: str) -> str:
    """The code as an inline SVG image, named for screen readers.

    The live view draws it on every answer until the child is checked in; the same code
    (one a day per child) is drawn once per process, and with a fixed mask: trying all eight
    for the best was three quarters of the drawing, and a scanner reads any of them."""
    qr = segno.make(text, error="m", mask=QR_MASK)
    svg: str = qr.svg_inline(scale=6, border=2, svgclass="qr-image")
    return svg.replace("<svg ", f'<svg role="img" aria-label="{escape(title)}" ', 1)
