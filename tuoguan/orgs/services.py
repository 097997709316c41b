"""Writes to the union tree and its memberships. Atomic, audited (via AuditedModel)."""

from collections.abc import Callable
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


# Later apps give a new national union its defaults (the national standard, the default
# agreement) in the same transaction; orgs cannot import them, so they register from ready().
_root_listeners: list[Callable[[Org], None]] = []


def on_root_created(listener: Callable[[Org], None]) -> None:
    if listener not in _root_listeners:
        _root_listeners.append(listener)


def _validated(org: Org) -> Org:
    org.full_clean(exclude=["path", "depth", "numchild"])
    return org


@transaction.atomic
@transaction.atomic
def org_create_root(**fields: Any) -> Org:
    """The national union, with the defaults later apps give it. Only seed data and the
    shell create a root."""
    org = Org(level=Level.NATIONAL, **fields)
    _validated(org)
    root: Org = Org.objects.add_root(instance=org)
    for listener in _root_listeners:
        listener(root)
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
    # Only the edited columns: a stale object must never write back treebeard's
    # path/numchild, which moves and additions elsewhere may have changed.
    org.save(update_fields=[*fields, "updated_at"])
    return org


@transaction.atomic
def org_move(*, actor: Actor, org: Org, new_parent: Org) -> Org:
    require(can_restructure_org(actor, org) and can_add_child_org(actor, new_parent))
    if new_parent.path.startswith(org.path):
        raise ValidationError({"parent": _("A union cannot move under itself.")})
    if new_parent.level >= org.level:
        raise ValidationError({"parent": _("The new parent must be a higher level union.")})
    old_parent = Org.objects.get_parent(org)
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


# --- Checked entry points for pages and the API ----------------------------------------------
# They apply the same rules as the services above, but report an impossible parent or
# reactivation as a ValidationError (400 / a form error) rather than a refusal (403).


def org_check_can_hold_children(parent: Org) -> None:
    if parent.level >= Level.GRASSROOTS:
        raise ValidationError({"parent": _("A grassroots union cannot have unions below it.")})
    if not parent.is_active:
        raise ValidationError(
            {"parent": _("This union is inactive; reactivate it before adding unions below it.")}
        )


@transaction.atomic
def org_add_child(*, actor: Actor, parent: Org, **fields: Any) -> Org:
    """Add a union below `parent` on behalf of a person (level is always parent + 1)."""
    require(can_change_org(actor, parent))
    org_check_can_hold_children(parent)
    fields.pop("level", None)
    return org_create(actor=actor, parent=parent, **fields)


@transaction.atomic
def org_reactivate(*, actor: Actor, org: Org) -> Org:
    """Reactivate one union; its parent must be active (a live union under a closed one is lost)."""
    require(can_restructure_org(actor, org))
    parent = Org.objects.get_parent(org)
    if parent is not None and not parent.is_active:
        raise ValidationError(_("Reactivate the union above it first."))
    return org_set_active(actor=actor, org=org, active=True)


def membership_check_new(*, user: Any, org: Org, role: str) -> None:
    if not org.is_active:
        # memberships_of() ignores roles at inactive unions: such a grant would do nothing.
        raise ValidationError(
            {"org": _("This union is inactive; reactivate it before granting roles there.")}
        )
    if Membership.objects.filter(user=user, org=org, role=role, is_active=True).exists():
        raise ValidationError({"role": _("This person already holds this role at this union.")})


@transaction.atomic
def membership_add(*, actor: Actor, user: Any, org: Org, role: str) -> Membership:
    """Grant a role on behalf of a person; granting one already held is an input error."""
    require(can_change_org(actor, org))
    membership_check_new(user=user, org=org, role=role)
    return membership_grant(actor=actor, user=user, org=org, role=role)


def org_check_new_parent(*, org: Org, new_parent: Org) -> None:
    if new_parent.path.startswith(org.path):
        raise ValidationError({"parent": _("A union cannot move under itself.")})
    if new_parent.level >= org.level:
        raise ValidationError({"parent": _("The new parent must be a higher level union.")})
    org_check_can_hold_children(new_parent)


@transaction.atomic
def org_move_below(*, actor: Actor, org: Org, new_parent: Org) -> Org:
    """Move on behalf of a person: an impossible new parent is an input error, not a refusal."""
    require(can_restructure_org(actor, org))
    org_check_new_parent(org=org, new_parent=new_parent)
    return org_move(actor=actor, org=org, new_parent=new_parent)
