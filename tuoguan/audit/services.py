from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from . import context, fastpath
from .models import AuditEntry


def audit_record(
    *,
    action: str,
    instance: models.Model,
    changed_fields: list[str] | None = None,
    object_id: Any = None,
    reason: str = "",
) -> AuditEntry:
    """Append one entry for `instance`, attributed to whoever the audit context names."""
    values = _entry_values(action, instance, changed_fields, object_id, reason)
    # The entry is append-only, so the instance returned is complete as built.
    entry = AuditEntry(**values)
    entry.pk = fastpath.entry_insert(values)
    entry._state.adding = False
    return entry


def insert_with_entry(instance: models.Model, values: dict[str, Any]) -> Any:
    """Insert a new row and its "create" entry (audit.fastpath), returning the row's id.
    The entry's record text is taken before the row has its id."""
    return fastpath.row_and_entry_insert(
        instance, values, _entry_values("create", instance, None, "", "")
    )


def insert_later_with_entry(
    instance: models.Model, values: dict[str, Any], refused: Any = None
) -> None:
    """A new row whose id is known (in `values`) and its "create" entry, queued together
    (audit.fastpath): one statement with whatever the caller's block inserts after them."""
    fastpath.row_and_entry_insert_later(
        type(instance), values, _entry_values("create", instance, None, None, ""), refused
    )


def _entry_values(
    action: str,
    instance: models.Model,
    changed_fields: list[str] | None,
    object_id: Any,
    reason: str,
) -> dict[str, Any]:
    ctx = context.current()
    secret: frozenset[str] = getattr(instance, "audit_secret_fields", frozenset())
    fields = [
        # Secret columns are named (so a reader knows they changed) but never valued;
        # and we only ever store names, never values, for any field.
        f"{name} (secret)" if name in secret else name
        for name in (changed_fields or [])
    ]
    org_path = instance.audit_org_path() if hasattr(instance, "audit_org_path") else ""
    return {
        "at": timezone.now(),
        "actor_id": ctx.user_id,
        "membership_id": ctx.membership_id,
        "membership_label": ctx.membership_label[:200],
        "action": action,
        "model": instance._meta.label,
        "object_id": str(object_id if object_id is not None else instance.pk),
        "object_repr": str(instance)[:200],
        "changed_fields": fields,
        "org_path": org_path or "",
        "ip": ctx.ip,
        "reason": (reason or ctx.reason)[:500],
    }


def audit_record_many(*, action: str, instances: Sequence[models.Model], reason: str = "") -> int:
    """Append one entry per instance in a few inserts, for services that write many rows at
    once with `bulk_create` (a lottery over thousands of terms); same fields as above."""
    ctx = context.current()
    entries = [
        AuditEntry(
            actor_id=ctx.user_id,
            membership_id=ctx.membership_id,
            membership_label=ctx.membership_label[:200],
            action=action,
            model=instance._meta.label,
            object_id=str(instance.pk),
            object_repr=str(instance)[:200],
            changed_fields=[],
            org_path=(instance.audit_org_path() if hasattr(instance, "audit_org_path") else "")
            or "",
            ip=ctx.ip,
            reason=(reason or ctx.reason)[:500],
        )
        for instance in instances
    ]
    AuditEntry.objects.bulk_create(entries, batch_size=1000)
    return len(entries)


def audit_view(*, instance: models.Model, reason: str = "") -> AuditEntry:
    """Record that someone read a sensitive record (a child's, for instance)."""
    return audit_record(action=AuditEntry.Action.VIEW, instance=instance, reason=reason)


# Cybersecurity Law Art. 21: network logs are kept for no less than six months.
MINIMUM_RETENTION_DAYS = 183


class RetentionTooShort(ValueError):
    """The configured retention would delete logs the law requires us to keep."""


def audit_retention_cutoff(*, now: Any = None, days: int | None = None) -> Any:
    """The instant before which entries may go; refuses a retention under six months."""
    days = settings.TUOGUAN_AUDIT_RETENTION_DAYS if days is None else days
    if days < MINIMUM_RETENTION_DAYS:
        raise RetentionTooShort(
            f"A retention of {days} days is under the legal minimum of "
            f"{MINIMUM_RETENTION_DAYS} days (Cybersecurity Law Art. 21)."
        )
    return (now or timezone.now()) - timedelta(days=days)


def audit_purge(*, now: Any = None, days: int | None = None) -> int:
    """Delete entries older than the retention period; the log's only exit."""
    return AuditEntry.objects.purge_older_than(audit_retention_cutoff(now=now, days=days))
