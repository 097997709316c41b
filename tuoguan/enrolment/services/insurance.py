"""Accident insurance (意外伤害保险): covers entered by parents.

Whether a cover spans a term is read by `paperwork_status.insurance_status`.

A union's bulk purchase arrives through the insurer's roster (`tuoguan/enrolment/imports.py`).
"""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from tuoguan.orgs.permissions import Actor, can_change_child, require
from tuoguan.programs.files import clean_upload

from ..models import Insurance
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
    """The guardian records the child's cover, with a photo of the policy (re-encoded)."""
    require(can_change_child(actor, child))
    errors = check_cover_fields(
        insurer=insurer, policy_number=policy_number, starts_on=starts_on, ends_on=ends_on
    )
    clean = None
    if photo:
        try:
            clean = clean_upload(photo, field="photo", images_only=True, allow_webp=True)
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
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
    enrolments_sync_for_child(child)
    return cover
