"""What an inspector's phone sends: answers, photos and free items, each idempotent.

Every change carries a client id made on the phone. A change already received (a resend
after a lost reply, or the outbox flushed twice) creates nothing and answers as before.
Two phones changing the same item resolve item by item: the change made later (by the
phone's clock, clamped to the server's) holds; the other is kept as `applied=False`.
"""

import datetime
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoguan.core.files import clean_upload
from tuoguan.orgs.permissions import Actor, require

from ..models import AnswerChange, ChecklistItem, ItemResult, Visit, VisitPhoto
from ..permissions import can_inspect
from .visits import _locked, visit_begin

MAX_NOTES = 2000
MAX_PHOTOS_PER_ITEM = 10
MAX_LABEL = 200


@dataclass(frozen=True)
class AnswerOutcome:
    client_id: str
    item_key: str
    applied: bool
    duplicate: bool
    item: ChecklistItem


def _client_id(value: Any, field: str = "client_id") -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError) as exc:
        raise ValidationError({field: _("A client id is a UUID.")}) from exc


def _item(visit: Visit, key: str) -> ChecklistItem:
    item = visit.items.select_for_update().filter(key=str(key)[:80]).first()
    if item is None:
        raise ValidationError({"item_key": _("The checklist has no item %(key)s.") % {"key": key}})
    return item


def _when(value: datetime.datetime | None, now: datetime.datetime) -> datetime.datetime:
    # A phone whose clock runs ahead would otherwise win every conflict.
    if value is None:
        return now
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return min(value, now)


def _answer(actor: Actor, visit: Visit, answer: dict[str, Any], now: Any) -> AnswerOutcome:
    client_id = _client_id(answer.get("client_id"))
    key = str(answer.get("item_key", ""))
    seen = AnswerChange.objects.filter(client_id=client_id).select_related("item").first()
    if seen is not None:
        if seen.item.visit_id != visit.pk:
            raise ValidationError({"client_id": _("This client id belongs to another visit.")})
        return AnswerOutcome(str(client_id), seen.item.key, seen.applied, True, seen.item)
    result = str(answer.get("result") or "")
    if result and result not in ItemResult.values:
        raise ValidationError({"result": _("Choose pass, fail or not applicable.")})
    notes = str(answer.get("notes") or "")
    if len(notes) > MAX_NOTES:
        raise ValidationError({"notes": _("Notes have at most 2000 characters.")})
    item = _item(visit, key)
    changed_at = _when(answer.get("changed_at"), now)
    applies = item.answered_at is None or changed_at >= item.answered_at
    AnswerChange.objects.create(
        item=item,
        client_id=client_id,
        result=result,
        notes=notes,
        changed_at=changed_at,
        received_at=now,
        by=actor.user,
        applied=applies,
    )
    if applies:
        item.result, item.notes = result, notes
        item.answered_at, item.answered_by = changed_at, actor.user
        item.save()
    return AnswerOutcome(str(client_id), item.key, applies, False, item)


@transaction.atomic
def visit_answers_sync(
    *, actor: Actor, visit: Visit, answers: list[dict[str, Any]]
) -> list[AnswerOutcome]:
    """Apply a phone's answers in the order they were made; a resend creates nothing twice."""
    require(can_inspect(actor, visit))
    visit = _locked(visit)
    if not visit.is_open:
        raise ValidationError(_("The visit is signed off: its checklist no longer changes."))
    now = timezone.now()
    ordered = sorted(answers, key=lambda a: _when(a.get("changed_at"), now))
    outcomes = [_answer(actor, visit, answer, now) for answer in ordered]
    visit_begin(visit)
    return outcomes


@transaction.atomic
def visit_photo_add(
    *, actor: Actor, visit: Visit, item_key: str, client_id: Any, image: Any
) -> tuple[VisitPhoto, bool]:
    """Attach a photo to an item, re-encoded (EXIF stripped); the same client id once only."""
    require(can_inspect(actor, visit))
    visit = _locked(visit)
    cid = _client_id(client_id)
    seen = VisitPhoto.objects.filter(client_id=cid).first()
    if seen is not None:
        if seen.visit_id != visit.pk:
            raise ValidationError({"client_id": _("This client id belongs to another visit.")})
        return seen, False
    if not visit.is_open:
        raise ValidationError(_("The visit is signed off: its checklist no longer changes."))
    item = _item(visit, item_key)
    if item.photos.count() >= MAX_PHOTOS_PER_ITEM:
        raise ValidationError({"image": _("An item has at most 10 photos.")})
    clean = clean_upload(image, field="image", images_only=True, allow_webp=True)
    photo = VisitPhoto(
        visit=visit,
        item=item,
        client_id=cid,
        content_type=clean.content_type,
        size=clean.size,
        taken_by=actor.user,
    )
    photo.image.save(clean.content.name or "", clean.content, save=False)
    try:
        with transaction.atomic():
            photo.save()
    except IntegrityError:  # the same photo sent twice at once: the first one holds
        return VisitPhoto.objects.get(client_id=cid), False
    visit_begin(visit)
    return photo, True


@transaction.atomic
def visit_item_add(
    *, actor: Actor, visit: Visit, client_id: Any, label: str, is_veto: bool = False
) -> tuple[ChecklistItem, bool]:
    """A free item beside the standard's criteria; its key comes from the phone's client id."""
    require(can_inspect(actor, visit))
    visit = _locked(visit)
    key = f"free-{_client_id(client_id)}"
    seen = visit.items.filter(key=key).first()
    if seen is not None:
        return seen, False
    if not visit.is_open:
        raise ValidationError(_("The visit is signed off: its checklist no longer changes."))
    label = (label or "").strip()
    if not label:
        raise ValidationError({"label": _("Say what the item checks.")})
    if len(label) > MAX_LABEL:
        raise ValidationError({"label": _("An item has at most 200 characters.")})
    last = visit.items.order_by("-order").values_list("order", flat=True).first() or 0
    item = ChecklistItem(visit=visit, key=key, label=label, is_veto=is_veto, order=last + 1)
    item.save()
    return item, True
