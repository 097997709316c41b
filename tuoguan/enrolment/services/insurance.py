"""Accident insurance (意外伤害保险): covers entered by parents.

Whether a cover spans a term is read by `paperwork_status.insurance_status`, and who may
accept a cover by `paperwork_status.can_accept_cover`.

A union's bulk purchase arrives through the insurer's roster (`services/insurer_roster.py`).
"""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from tuoguan.core.files import clean_upload
from tuoguan.orgs.permissions import Actor, can_change_child, require

from ..models import Insurance
from ..paperwork_status import can_accept_cover
from .paperwork import enrolments_sync_for_child

MAX_COVER_DAYS = 3 * 366


def insurances_of(child: Any) -> QuerySet[Insurance]:
    return (
        Insurance.objects.filter(child=child)
        .select_related("bought_by")
        .order_by("-ends_on", "-pk")
    )


def check_cover_fields(
    *, insurer: str, policy_number: str, starts_on: Any, ends_on: Any
) -> dict[str, str]:
    """Errors by field for the facts of a cover (shared with the roster import)."""
    errors: dict[str, str] = {}
    if not insurer.strip():
        errors["insurer"] = _("Name the insurance company.")
    elif len(insurer.strip()) > 120:
        errors["insurer"] = _("The insurer's name is longer than 120 characters.")
    if not policy_number.strip():
        errors["policy_number"] = _("Enter the policy number.")
    elif len(policy_number.strip()) > 60:
        errors["policy_number"] = _("The policy number is longer than 60 characters.")
    if not isinstance(starts_on, datetime.date):
        errors["starts_on"] = _("Enter the date the cover starts.")
    if not isinstance(ends_on, datetime.date):
        errors["ends_on"] = _("Enter the date the cover ends.")
    if not errors.keys() & {"starts_on", "ends_on"}:
        if ends_on < starts_on:
            errors["ends_on"] = _("The cover cannot end before it starts.")
        elif (ends_on - starts_on).days > MAX_COVER_DAYS:
            errors["ends_on"] = _("A cover of more than three years is a typing mistake.")
    return errors


def _duplicate(child: Any, policy_number: str, exclude: int | None = None) -> dict[str, str]:
    same = Insurance.objects.filter(child=child, policy_number__iexact=policy_number.strip())
    if exclude is not None:
        same = same.exclude(pk=exclude)
    if policy_number.strip() and same.exists():
        return {
            "policy_number": _("Policy %(number)s is already recorded for %(child)s.")
            % {"number": policy_number.strip(), "child": child.name}
        }
    return {}


def _checked(child: Any, fields: dict[str, Any], photo: Any, exclude: int | None = None) -> Any:
    """The cleaned photo (or None) once the cover's facts pass; raises with errors by field."""
    errors = check_cover_fields(**fields)
    if "policy_number" not in errors:
        errors.update(_duplicate(child, fields["policy_number"], exclude))
    clean = None
    if photo:
        try:
            clean = clean_upload(photo, field="photo", images_only=True, allow_webp=True)
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    return clean


def _sync(child: Any) -> None:
    enrolments_sync_for_child(child)


@transaction.atomic
def insurance_add(
    *,
    actor: Actor,
    child: Any,
    insurer: str,
    policy_number: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    photo: Any = None,
) -> Insurance:
    """The guardian records the child's cover, with a photo of the policy (re-encoded).

    A policy number already recorded for the same child is refused.
    """
    require(can_change_child(actor, child))
    fields = {
        "insurer": insurer,
        "policy_number": policy_number,
        "starts_on": starts_on,
        "ends_on": ends_on,
    }
    clean = _checked(child, fields, photo)
    cover = Insurance(
        child=child,
        insurer=insurer.strip(),
        policy_number=policy_number.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        source=Insurance.Source.PARENT,
    )
    if clean is not None:
        cover.photo.save(clean.content.name, clean.content, save=False)
    cover.save()
    _sync(child)
    return cover


def _check_changeable(actor: Actor, cover: Insurance) -> None:
    require(can_change_child(actor, cover.child))
    if cover.source != Insurance.Source.PARENT:
        raise ValidationError(
            _("The union bought this cover; ask the union to correct its insurer roster.")
        )
    if cover.accepted_at is not None:
        raise ValidationError(
            _(
                "The class accepted this cover on %(date)s; it can no longer be changed here. "
                "Ask the class manager to correct it."
            )
            % {"date": date_format(timezone.localdate(cover.accepted_at))}
        )


def _locked(cover: Insurance) -> Insurance:
    return Insurance.objects.select_for_update().select_related("child__guardian").get(pk=cover.pk)


@transaction.atomic
def insurance_update(
    *,
    actor: Actor,
    cover: Insurance,
    insurer: str,
    policy_number: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    photo: Any = None,
) -> Insurance:
    """The guardian corrects a cover entered by mistake, until the class has accepted it."""
    cover = _locked(cover)
    _check_changeable(actor, cover)
    fields = {
        "insurer": insurer,
        "policy_number": policy_number,
        "starts_on": starts_on,
        "ends_on": ends_on,
    }
    clean = _checked(cover.child, fields, photo, exclude=cover.pk)
    cover.insurer, cover.policy_number = insurer.strip(), policy_number.strip()
    cover.starts_on, cover.ends_on = starts_on, ends_on
    if clean is not None:
        cover.photo.save(clean.content.name, clean.content, save=False)
    cover.save()
    _sync(cover.child)
    return cover


@transaction.atomic
def insurance_withdraw(*, actor: Actor, cover: Insurance) -> None:
    """The guardian withdraws a cover entered by mistake, until the class has accepted it."""
    cover = _locked(cover)
    _check_changeable(actor, cover)
    child = cover.child
    cover.delete()
    _sync(child)


@transaction.atomic
def insurance_accept(*, actor: Actor, cover: Insurance) -> Insurance:
    """The class manager has checked the policy: the cover is settled, the parent can no
    longer change it."""
    cover = _locked(cover)
    require(can_accept_cover(actor, cover))
    if cover.accepted_at is None:
        cover.accepted_at, cover.accepted_by = timezone.now(), actor.user
        cover.save()
    return cover
