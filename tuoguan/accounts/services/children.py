"""Children: registered with separate consent, changed and erased by their guardian only.

Staff reads of a child's record are logged with the reason given (`child_view`).
"""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoguan.audit.services import audit_view
from tuoguan.orgs.permissions import Actor, can_change_child, is_guardian, require

from ..models import Child, Worker, id_number_validator
from .consent import consent_grant, consent_policy_current

CHILD_FIELDS = ("name", "sex", "birth_date", "school", "grade", "relationship")
CHILD_VIEW_REASON_MIN, CHILD_VIEW_REASON_MAX = 4, 500


def _check_birth_date(birth_date: datetime.date) -> None:
    today = timezone.localdate()
    if birth_date > today:
        raise ValidationError({"birth_date": _("The birth date cannot be in the future.")})
    if (today - birth_date).days > 18 * 366:
        raise ValidationError({"birth_date": _("A child in the programme is under 18.")})


def _apply_id_number(child: Child, id_number: str | None) -> None:
    if id_number is None:
        return
    child.set_id_number(id_number)
    if child.id_number_index:
        clash = Child.objects.filter(id_number_index=child.id_number_index).exclude(pk=child.pk)
        if clash.exists():
            raise ValidationError(
                {"id_number": _("A child with this ID number is already registered.")}
            )


@transaction.atomic
def child_create(
    *, actor: Actor, guardian: Worker, id_number: str | None = None, **fields: Any
) -> Child:
    """A parent registers a child of their own family (staff never create children)."""
    require(guardian.user_id == actor.user.pk)
    child = Child(guardian=guardian, **{k: fields[k] for k in CHILD_FIELDS if k in fields})
    _check_birth_date(child.birth_date)
    _apply_id_number(child, id_number)
    child.full_clean()
    child.save()
    return child


@transaction.atomic
def child_update(
    *, actor: Actor, child: Child, id_number: str | None = None, **fields: Any
) -> Child:
    require(can_change_child(actor, child))
    for name in CHILD_FIELDS:
        if name in fields:
            setattr(child, name, fields[name])
    _check_birth_date(child.birth_date)
    _apply_id_number(child, id_number)
    child.full_clean()
    child.save()
    return child


@transaction.atomic
def child_delete(*, actor: Actor, child: Child) -> None:
    """A guardian erases a child's record (PIPL Art. 47)."""
    require(can_change_child(actor, child))
    child.delete()


@transaction.atomic
def child_register(
    *,
    actor: Actor,
    guardian: Worker,
    consent: bool,
    ip: str | None,
    id_number: str | None = None,
    **fields: Any,
) -> Child:
    """A parent adds a child and consents under the current policy, both or neither.

    PIPL Art. 29/31: a child's data is processed only with the guardian's separate consent,
    so a child is never stored without it.
    """
    policy = consent_policy_current()
    if policy is None:
        raise ValidationError(
            {"consent": _("No policy on children's data has been published yet; try later.")}
        )
    if not consent:
        raise ValidationError(
            {"consent": _("Your separate consent is needed before we can keep a child's data.")}
        )
    if id_number:
        try:
            id_number_validator(id_number)
        except ValidationError as exc:
            raise ValidationError({"id_number": exc.messages}) from exc
    child = child_create(actor=actor, guardian=guardian, id_number=id_number or None, **fields)
    consent_grant(actor=actor, child=child, policy=policy, ip=ip)
    return child


def child_view_reason_clean(reason: str | None) -> str:
    """The reason staff give before reading a child's record (Minors Online Protection Art. 36)."""
    reason = (reason or "").strip()
    if not CHILD_VIEW_REASON_MIN <= len(reason) <= CHILD_VIEW_REASON_MAX:
        raise ValidationError(
            {
                "reason": _("Say why you need this record in %(min)d to %(max)d characters.")
                % {"min": CHILD_VIEW_REASON_MIN, "max": CHILD_VIEW_REASON_MAX}
            }
        )
    return reason


@transaction.atomic
def child_view(*, actor: Actor, child: Child, reason: str | None) -> Child:
    """Someone other than the guardian reads a child's record: logged with the reason.

    `child` comes from a scoped selector, so visibility is already settled; the guardian's own
    reads are not logged (they are the data subject's representative).
    """
    if is_guardian(actor, child):
        return child
    audit_view(instance=child, reason=child_view_reason_clean(reason))
    return child
