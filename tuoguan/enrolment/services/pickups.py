"""Pickup persons (接送人): who may collect a child. Kept by the guardian; the class is told.

A person is never deleted, only deactivated: the check-out records of the daily care app
point at them and must keep saying who collected the child.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoguan.accounts.models import mobile_validator
from tuoguan.core.files import clean_upload
from tuoguan.notifications.services import notify
from tuoguan.orgs.permissions import Actor, can_change_child, require
from tuoguan.programs.models import TermStaff
from tuoguan.programs.services.lifecycle import host_staff

from ..models import Enrolment, EnrolmentStatus, Pickup
from .paperwork import enrolments_sync_for_child

MAX_ACTIVE_PICKUPS = 6


def pickups_of(child: Any, *, active_only: bool = True) -> QuerySet[Pickup]:
    pickups = Pickup.objects.filter(child=child)
    if active_only:
        pickups = pickups.filter(is_active=True)
    return pickups.order_by("-is_active", "pk")


def normalise_mobile(value: str) -> str:
    mobile = "".join((value or "").split()).replace("-", "")
    return mobile[3:] if mobile.startswith("+86") else mobile


def _check(name: str, relation: str, mobile: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = _("Enter the person's name.")
    elif len(name.strip()) > 60:
        errors["name"] = _("The name is longer than 60 characters.")
    if not relation.strip():
        errors["relation"] = _("Say how the person is related to the child.")
    elif len(relation.strip()) > 30:
        errors["relation"] = _("The relation is longer than 30 characters.")
    try:
        mobile_validator(mobile)
    except ValidationError:
        errors["mobile"] = _("Enter an 11-digit mainland mobile number starting with 1.")
    return errors


def _photo(photo: Any, errors: dict[str, str]) -> Any:
    if not photo:
        return None
    try:
        return clean_upload(photo, field="photo", images_only=True, allow_webp=True)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
        return None


def _seats_in_running_or_coming_terms(child: Any) -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(
        child=child,
        status__in=(EnrolmentStatus.ADMITTED, EnrolmentStatus.CONFIRMED),
        term__end_date__gte=timezone.localdate(),
    ).select_related("term__program__host")


def _tell_class(actor: Actor, child: Any, what: str) -> None:
    """The host's admins and managers and the term's staff learn of the change, once each."""
    told = {actor.user.pk}
    for enrolment in _seats_in_running_or_coming_terms(child):
        term = enrolment.term
        staff = [s.user for s in TermStaff.objects.filter(term=term).select_related("user")]
        for user in [*host_staff(term), *staff]:
            if user.pk in told:
                continue
            told.add(user.pk)
            notify(
                recipient=user,
                subject=_("Pickup persons of %(child)s changed (%(term)s)")
                % {"child": child.name, "term": term},
                body=what,
                url=pickup_list_url(child),
            )


def _after_change(actor: Actor, child: Any, what: str) -> None:
    enrolments_sync_for_child(child)
    _tell_class(actor, child, what)


@transaction.atomic
def pickup_add(
    *, actor: Actor, child: Any, name: str, relation: str, mobile: str, photo: Any = None
) -> Pickup:
    require(can_change_child(actor, child))
    mobile = normalise_mobile(mobile)
    errors = _check(name, relation, mobile)
    clean = _photo(photo, errors)
    if not errors and pickups_of(child).count() >= MAX_ACTIVE_PICKUPS:
        errors["name"] = _("A child can have at most %(max)s pickup persons.") % {
            "max": MAX_ACTIVE_PICKUPS
        }
    if errors:
        raise ValidationError(errors)
    pickup = Pickup(child=child, name=name.strip(), relation=relation.strip(), mobile=mobile)
    if clean is not None:
        pickup.photo.save(clean.content.name or "", clean.content, save=False)
    pickup.save()
    _after_change(
        actor,
        child,
        _("%(name)s (%(relation)s) may now collect %(child)s.")
        % {"name": pickup.name, "relation": pickup.relation, "child": child.name},
    )
    return pickup


@transaction.atomic
def pickup_update(
    *,
    actor: Actor,
    pickup: Pickup,
    name: str,
    relation: str,
    mobile: str,
    photo: Any = None,
    remove_photo: bool = False,
) -> Pickup:
    child = pickup.child
    require(can_change_child(actor, child))
    if not pickup.is_active:
        raise ValidationError(_("This person was removed; add them again instead."))
    mobile = normalise_mobile(mobile)
    errors = _check(name, relation, mobile)
    clean = _photo(photo, errors)
    if errors:
        raise ValidationError(errors)
    pickup.name, pickup.relation, pickup.mobile = name.strip(), relation.strip(), mobile
    if clean is not None:
        pickup.photo.save(clean.content.name or "", clean.content, save=False)
    elif remove_photo and pickup.photo:
        pickup.photo.delete(save=False)
    pickup.save()
    _after_change(
        actor,
        child,
        _("The details of %(name)s (%(relation)s), who collects %(child)s, changed.")
        % {"name": pickup.name, "relation": pickup.relation, "child": child.name},
    )
    return pickup


@transaction.atomic
def pickup_deactivate(*, actor: Actor, pickup: Pickup) -> Pickup:
    """Withdraw a person's authority; refused for the last one while the child has a seat."""
    child = pickup.child
    require(can_change_child(actor, child))
    if not pickup.is_active:
        return pickup
    last = not pickups_of(child).exclude(pk=pickup.pk).exists()
    if last and _seats_in_running_or_coming_terms(child).exists():
        raise ValidationError(
            _(
                "%(child)s has a place in a class: add another pickup person before "
                "removing the last one."
            )
            % {"child": child.name}
        )
    pickup.is_active = False
    pickup.save()
    _after_change(
        actor,
        child,
        _("%(name)s (%(relation)s) may no longer collect %(child)s.")
        % {"name": pickup.name, "relation": pickup.relation, "child": child.name},
    )
    return pickup


def pickup_list_url(child: Any) -> str:
    return reverse("enrolment:pickup_list", kwargs={"child_pk": child.pk})
