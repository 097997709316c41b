"""Kiosks: shared tablets at an entrance, signed in with a device token of one class.

The token is shown once when issued and kept only as its SHA-256. It opens the kiosk's
screen (today's list and the scanner) and its API; nothing else accepts it.
"""

import datetime
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoguan.orgs.permissions import Actor, require
from tuoguan.programs.models import Program

from ..models import KioskDevice
from ..permissions import can_manage_kiosks
from ..selectors import kiosk_for_token

TOKEN_PREFIX = "kiosk_"  # noqa: S105 - a label before the secret, not a secret
TOUCH_EVERY_SECONDS = 60


@transaction.atomic
def kiosk_issue(*, actor: Actor, program: Program, name: str) -> tuple[KioskDevice, str]:
    """A new kiosk of `program` and its token (shown once)."""
    require(can_manage_kiosks(actor, program))
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Name the kiosk, e.g. “front door”.")})
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    device = KioskDevice.objects.create(
        program=program,
        name=name[:60],
        token_hash=KioskDevice.hash_token(token),
        issued_by=actor.user,
    )
    return device, token


@transaction.atomic
def kiosk_revoke(*, actor: Actor, device: KioskDevice) -> KioskDevice:
    require(can_manage_kiosks(actor, device.program))
    if device.revoked_at is None:
        device.revoked_at = timezone.now()
        device.save(update_fields=["revoked_at", "updated_at"])
    return device


def kiosk_authenticate(token: str) -> KioskDevice | None:
    """The active kiosk of this token, or None (revoked, unknown, class inactive)."""
    if not token or not token.startswith(TOKEN_PREFIX):
        return None
    now = timezone.now()
    before = now - datetime.timedelta(seconds=TOUCH_EVERY_SECONDS)
    # PostgreSQL: the stamp rides in the read (care.fastpath.kiosk_stamp).
    device = kiosk_for_token(KioskDevice.hash_token(token.strip()), stamp=(now, before))
    if device is None:
        return None
    if device.last_seen_at is None or device.last_seen_at < before:
        if not getattr(device, "door_stamped", False):
            KioskDevice.objects.filter(pk=device.pk).update(last_seen_at=now)
        device.last_seen_at = now
    return device
