"""Rectification orders (整改): answered by the class, accepted or sent back from above,
extended once, and chased once a day while overdue."""

import datetime
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoguan.core.files import clean_upload
from tuoguan.orgs.permissions import Actor, require

from ..models import (
    OPEN_STATUSES,
    Rectification,
    RectificationEvent,
    RectificationEvidence,
    RectificationStatus,
)
from ..permissions import can_answer_rectification, can_decide_rectification
from .notices import class_managers, class_staff, planner_admins, rectification_url, tell
from .visits import owner_at_class

MAX_TEXT = 4000
MAX_FILES = 5
Kind = RectificationEvent.Kind


def _locked(rectification: Rectification) -> Rectification:
    fresh = Rectification.objects.select_for_update().get(pk=rectification.pk)
    for name in ("status", "deadline", "extended_at", "extension_reason", "answer", "owner_id"):
        setattr(rectification, name, getattr(fresh, name))
    return rectification


def _text(value: str, field: str, missing: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: missing})
    if len(value) > MAX_TEXT:
        raise ValidationError({field: _("At most 4000 characters.")})
    return value


def _event(rectification: Rectification, kind: str, actor: Actor, text: str = "") -> None:
    RectificationEvent.objects.create(
        rectification=rectification, kind=kind, text=text, by=actor.user
    )


def _deciders(rectification: Rectification) -> list[Any]:
    visit = rectification.visit
    return [*visit.inspectors.all(), *planner_admins(visit)]


@transaction.atomic
def rectification_answer(
    *, actor: Actor, rectification: Rectification, answer: str, files: Sequence[Any] = ()
) -> Rectification:
    """The class says what it did, with evidence (PDF or images, each re-encoded)."""
    require(can_answer_rectification(actor, rectification))
    rectification = _locked(rectification)
    if rectification.status != RectificationStatus.OPEN:
        raise ValidationError(_("This order is not waiting for an answer."))
    text = _text(answer, "answer", _("Say what the class did."))
    if len(files) > MAX_FILES:
        raise ValidationError({"files": _("At most 5 files at a time.")})
    cleaned = [clean_upload(f, field="files") for f in files]
    for clean in cleaned:
        evidence = RectificationEvidence(
            rectification=rectification,
            content_type=clean.content_type,
            size=clean.size,
            uploaded_by=actor.user,
        )
        evidence.file.save(clean.content.name or "", clean.content, save=False)
        evidence.save()
    rectification.answer, rectification.answered_at = text, timezone.now()
    rectification.status = RectificationStatus.ANSWERED
    rectification.save()
    _event(rectification, Kind.ANSWERED, actor, text)
    tell(
        _deciders(rectification),
        actor=actor,
        subject=_("Rectification answered: %(item)s") % {"item": rectification.item.label},
        body=text,
        url=rectification_url(rectification),
    )
    return rectification


@transaction.atomic
def rectification_accept(
    *, actor: Actor, rectification: Rectification, note: str = ""
) -> Rectification:
    """Close the order; a suspension it carried is lifted now."""
    require(can_decide_rectification(actor, rectification))
    rectification = _locked(rectification)
    if rectification.status != RectificationStatus.ANSWERED:
        raise ValidationError(_("Only an answered order can be accepted."))
    rectification.status = RectificationStatus.ACCEPTED
    rectification.closed_at, rectification.closed_by = timezone.now(), actor.user
    rectification.save()
    _event(rectification, Kind.ACCEPTED, actor, (note or "").strip()[:MAX_TEXT])
    term = rectification.term
    people = [rectification.owner, *class_managers(term)]
    if rectification.suspends_checkins:
        people += [*class_staff(term), *_deciders(rectification)]
        subject = _("Check-ins of %(term)s may resume") % {"term": term}
    else:
        subject = _("Rectification accepted: %(item)s") % {"item": rectification.item.label}
    tell(people, actor=actor, subject=subject, url=rectification_url(rectification))
    return rectification


@transaction.atomic
def rectification_send_back(
    *, actor: Actor, rectification: Rectification, reason: str
) -> Rectification:
    """Not corrected yet: the order goes back to the class with the reason."""
    require(can_decide_rectification(actor, rectification))
    rectification = _locked(rectification)
    if rectification.status != RectificationStatus.ANSWERED:
        raise ValidationError(_("Only an answered order can be sent back."))
    text = _text(reason, "reason", _("Say why the answer is not enough."))
    rectification.status = RectificationStatus.OPEN
    rectification.save()
    _event(rectification, Kind.SENT_BACK, actor, text)
    tell(
        [rectification.owner, *class_managers(rectification.term)],
        actor=actor,
        subject=_("Rectification sent back: %(item)s") % {"item": rectification.item.label},
        body=text,
        url=rectification_url(rectification),
    )
    return rectification


@transaction.atomic
def rectification_extend(
    *, actor: Actor, rectification: Rectification, deadline: datetime.date, reason: str
) -> Rectification:
    """A later deadline, once per order, with a reason."""
    require(can_decide_rectification(actor, rectification))
    rectification = _locked(rectification)
    if rectification.status not in OPEN_STATUSES:
        raise ValidationError(_("A closed order has no deadline to extend."))
    if rectification.extended_at is not None:
        raise ValidationError(_("The deadline of an order can be extended once only."))
    text = _text(reason, "extension_reason", _("Say why the class needs more time."))
    if deadline <= rectification.deadline:
        raise ValidationError({"deadline": _("The new deadline is later than the current one.")})
    old = rectification.deadline
    rectification.deadline, rectification.extension_reason = deadline, text
    rectification.extended_at = timezone.now()
    rectification.overdue_alerted_on = None
    rectification.save()
    _event(
        rectification,
        Kind.EXTENDED,
        actor,
        f"{old.isoformat()} → {deadline.isoformat()}：{text}",
    )
    tell(
        [rectification.owner, *class_managers(rectification.term)],
        actor=actor,
        subject=_("Deadline extended to %(date)s: %(item)s")
        % {"date": deadline.isoformat(), "item": rectification.item.label},
        body=text,
        url=rectification_url(rectification),
    )
    return rectification


@transaction.atomic
def rectification_reassign(
    *, actor: Actor, rectification: Rectification, owner: Any, reason: str = ""
) -> Rectification:
    """Give the order to another person at the class, any time before it is accepted."""
    require(can_decide_rectification(actor, rectification))
    rectification = _locked(rectification)
    if rectification.status not in OPEN_STATUSES:
        raise ValidationError(_("An accepted order keeps its owner."))
    if owner.pk == rectification.owner_id:
        raise ValidationError({"owner": _("This person already owns the order.")})
    owner_at_class(rectification.term, owner)
    note = (reason or "").strip()
    if len(note) > MAX_TEXT:
        raise ValidationError({"reason": _("At most 4000 characters.")})
    before = rectification.owner
    rectification.owner = owner
    rectification.save()
    text = f"{_name(before)} → {_name(owner)}" + (f"：{note}" if note else "")
    _event(rectification, Kind.REASSIGNED, actor, text)
    tell(
        [owner, before],
        actor=actor,
        subject=_("Rectification now owned by %(name)s: %(item)s")
        % {"name": _name(owner), "item": rectification.item.label},
        body=_("Deadline %(date)s.") % {"date": rectification.deadline.isoformat()}
        + (f" {note}" if note else ""),
        url=rectification_url(rectification),
    )
    return rectification


def _name(user: Any) -> str:
    return str(user.real_name or user.username)


def rectifications_alert_overdue(*, today: datetime.date | None = None) -> int:
    """Tell the owner, the class managers and the inspector's union about each open order
    past its deadline; at most once a day per order. Returns how many orders were chased."""
    today = today or timezone.localdate()
    due = (
        Rectification.objects.filter(status__in=OPEN_STATUSES, deadline__lt=today)
        .exclude(overdue_alerted_on__gte=today)
        .select_related("item", "visit__planner", "term__program__host", "owner")
        .order_by("pk")
    )
    chased = 0
    for rectification in due:
        with transaction.atomic():
            claimed = (
                Rectification.objects.filter(pk=rectification.pk)
                .exclude(overdue_alerted_on__gte=today)
                .update(overdue_alerted_on=today)
            )
            if not claimed:
                continue  # another runner chased it today
            days = (today - rectification.deadline).days
            people = [
                rectification.owner,
                *class_managers(rectification.term),
                *planner_admins(rectification.visit),
            ]
            tell(
                people,
                actor=None,
                subject=_("Rectification overdue by %(days)s days: %(item)s")
                % {"days": days, "item": rectification.item.label},
                body=_("%(term)s · deadline %(date)s")
                % {"term": rectification.term, "date": rectification.deadline.isoformat()},
                url=rectification_url(rectification),
            )
            chased += 1
    return chased
