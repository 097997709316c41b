"""Writes to classes, venues and their photos. Atomic; audited through AuditedModel."""

from collections.abc import Collection
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from tuoguan.core.files import clean_upload
from tuoguan.orgs.models import Org
from tuoguan.orgs.permissions import Actor, require

from ..models import (
    TODDLER_RULES,
    FeePolicy,
    Group,
    GroupKind,
    Operator,
    Program,
    ProgramPhoto,
    ProgramType,
    Venue,
    VenuePhoto,
)
from ..permissions import can_manage_org_programs, can_manage_program, can_manage_venue

# What a class's owners may write, in the order its form shows it: the form, the API's
# serializers and the services below all read this one list.
PROGRAM_FIELDS = (
    "name",
    "type",
    "theme",
    "featured_content",
    "target_groups",
    "operator",
    "provider_name",
    "provider_licence",
    "contract_start",
    "contract_end",
    "fee_policy",
    "fee_amount",
    "contact_name",
    "contact_phone",
    "description",
    "risk_notice",
    "is_active",
)
VENUE_FIELDS = (
    "name",
    "address",
    "indoor_area_m2",
    "outdoor_area_m2",
    "fire_exits",
    "facilities",
    *(f"{kind}_cert_{part}" for kind in Venue.CERTIFICATES for part in ("number", "expires")),
)


def assign(instance: models.Model, fields: dict[str, Any], allowed: Collection[str]) -> None:
    """Set editable fields; an unknown name is a programming error, not user input."""
    for name, value in fields.items():
        if name not in allowed:
            raise TypeError(f"{name} cannot be set here")
        setattr(instance, name, value)


def validated(instance: models.Model, exclude: list[str] | None = None) -> None:
    instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)


def _normalise_program(program: Program) -> None:
    # Fields that do not apply are cleared, so no stale amount or provider is shown later.
    if program.fee_policy == FeePolicy.FREE:
        program.fee_amount = None
    if program.operator == Operator.SELF_RUN:
        program.provider_name = program.provider_licence = ""
        program.contract_start = program.contract_end = None


@transaction.atomic
def program_create(*, actor: Actor, host: Org, **fields: Any) -> Program:
    require(can_manage_org_programs(actor, host))
    program = Program(host=host)
    assign(program, fields, PROGRAM_FIELDS)
    _normalise_program(program)
    validated(program)
    program.save()
    return program


@transaction.atomic
def program_update(*, actor: Actor, program: Program, **fields: Any) -> Program:
    """Edit a class; a change of type sends its approved terms back for approval."""
    require(can_manage_program(actor, program))
    program = Program.objects.select_for_update().get(pk=program.pk)
    old_type = program.type
    assign(program, fields, PROGRAM_FIELDS)
    _normalise_program(program)
    validated(program)
    if program.type != old_type:
        _check_groups_fit_type(program)
    program.save()
    if program.type != old_type:
        from .lifecycle import term_reopen_approval

        for term in program.terms.all():
            term_reopen_approval(actor=actor, term=term, changed=["type"])
    return program


def _check_groups_fit_type(program: Program) -> None:
    groups = Group.objects.filter(term__program=program)
    if program.type == ProgramType.TODDLER:
        clash = groups.filter(kind=GroupKind.SCHOOL).exists()
    else:
        clash = groups.filter(kind__in=list(TODDLER_RULES)).exists()
    if clash:
        raise ValidationError(
            {"type": _("Some groups of this class do not fit the new type; change them first.")}
        )


@transaction.atomic
def venue_create(*, actor: Actor, owner: Org, **fields: Any) -> Venue:
    require(can_manage_org_programs(actor, owner))
    venue = Venue(owner=owner)
    assign(venue, fields, VENUE_FIELDS)
    validated(venue)
    venue.save()
    return venue


@transaction.atomic
def venue_update(*, actor: Actor, venue: Venue, **fields: Any) -> Venue:
    require(can_manage_venue(actor, venue))
    venue = Venue.objects.select_for_update().get(pk=venue.pk)
    assign(venue, fields, VENUE_FIELDS)
    validated(venue)
    venue.save()
    return venue


@transaction.atomic
def program_photo_add(
    *, actor: Actor, program: Program, image: Any, caption: str = ""
) -> ProgramPhoto:
    require(can_manage_program(actor, program))
    clean = clean_upload(image, field="image", images_only=True)
    photo = ProgramPhoto(program=program, caption=caption, uploaded_by=actor.user)
    validated(photo, exclude=["image"])
    # Only now touch storage, so a refused photo leaves no file behind.
    photo.image.save(clean.content.name or "", clean.content, save=False)
    photo.save()
    return photo


@transaction.atomic
def venue_photo_add(*, actor: Actor, venue: Venue, image: Any, caption: str = "") -> VenuePhoto:
    require(can_manage_venue(actor, venue))
    clean = clean_upload(image, field="image", images_only=True)
    photo = VenuePhoto(venue=venue, caption=caption, uploaded_by=actor.user)
    validated(photo, exclude=["image"])
    # Only now touch storage, so a refused photo leaves no file behind.
    photo.image.save(clean.content.name or "", clean.content, save=False)
    photo.save()
    return photo


@transaction.atomic
def photo_remove(*, actor: Actor, photo: ProgramPhoto | VenuePhoto) -> None:
    if isinstance(photo, ProgramPhoto):
        require(can_manage_program(actor, photo.program))
    else:
        require(can_manage_venue(actor, photo.venue))
    name, storage = photo.image.name, photo.image.storage
    photo.delete()
    # The file goes only once the row is gone for good.
    transaction.on_commit(lambda: storage.delete(name))
