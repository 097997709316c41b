"""Writes to the union tree and its memberships. Atomic, audited (via AuditedModel)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tuoguan.audit.services import audit_record

from .models import Level, Membership, Org
from .permissions import Actor, can_add_child_org, can_change_org, can_restructure_org, require

EDITABLE_FIELDS = (
    "name",
    "short_name",
    "kind",
    "region_code",
    "address",
    "contact_name",
    "contact_phone",
)


def _validated(org: Org) -> Org:
    org.full_clean(exclude=["path", "depth", "numchild"])
    return org


@transaction.atomic
def org_create_root(**fields: Any) -> Org:
    """The national union. Only seed data and the shell create a root."""
    org = Org(level=Level.NATIONAL, **fields)
    _validated(org)
    root: Org = Org.objects.add_root(instance=org)
    return root


@transaction.atomic
def org_create(*, actor: Actor | None, parent: Org, **fields: Any) -> Org:
    """Add a union directly under `parent`, one level down. `actor=None` is the system."""
    if actor is not None:
        require(can_add_child_org(actor, parent))
    if parent.level >= Level.GRASSROOTS:
        raise ValidationError(_("A grassroots union cannot have unions below it."))
    level = fields.pop("level", None)
    if level is None:
        level = parent.level + 1
    if int(level) <= parent.level:
        raise ValidationError({"level": _("A union must sit below its parent's level.")})
    org = Org(level=level, **fields)
    _validated(org)
    # The manager locks the parent row and reads its current path, so a stale `parent`
    # object or two unions added at once cannot produce the same path.
    child: Org = Org.objects.add_child(parent, instance=org)
    return child


@transaction.atomic
def org_update(*, actor: Actor, org: Org, **fields: Any) -> Org:
    require(can_change_org(actor, org))
    for name, value in fields.items():
        if name not in EDITABLE_FIELDS:
            raise ValueError(f"{name} is not editable here")
        setattr(org, name, value)
    _validated(org)
    org.save()
    return org


@transaction.atomic
def org_move(*, actor: Actor, org: Org, new_parent: Org) -> Org:
    require(can_restructure_org(actor, org) and can_add_child_org(actor, new_parent))
    if new_parent.path.startswith(org.path):
        raise ValidationError({"parent": _("A union cannot move under itself.")})
    if new_parent.level >= org.level:
        raise ValidationError({"parent": _("The new parent must be a higher level union.")})
    old_parent = org.get_parent()
    Org.objects.move(org, new_parent, pos="last-child")
    org.refresh_from_db()
    audit_record(
        action="update",
        instance=org,
        changed_fields=["parent"],
        reason=f"moved from {old_parent} to {new_parent}",
    )
    return org


@transaction.atomic
def org_set_active(*, actor: Actor, org: Org, active: bool) -> Org:
    """Deactivate (or reactivate) a union and, when deactivating, its whole subtree."""
    require(can_restructure_org(actor, org))
    if not active:
        for node in Org.objects.filter(path__startswith=org.path, is_active=True):
            node.is_active = False
            node.save()
    else:
        org.is_active = True
        org.save()
    org.refresh_from_db()
    return org


@transaction.atomic
def membership_grant(*, actor: Actor | None, user: Any, org: Org, role: str) -> Membership:
    if actor is not None:
        require(can_change_org(actor, org))
    membership, created = Membership.objects.get_or_create(user=user, org=org, role=role)
    if not created and not membership.is_active:
        membership.is_active = True
        membership.save()
    return membership


@transaction.atomic
def membership_revoke(*, actor: Actor, membership: Membership) -> Membership:
    require(can_change_org(actor, membership.org))
    membership.is_active = False
    membership.save()
    return membership
