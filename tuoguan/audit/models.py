from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete an audit entry."""


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("Audit entries cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit entries cannot be deleted.")

    def purge_older_than(self, cutoff: Any) -> int:
        """Retention is the only way an entry leaves the log (see `audit_purge`)."""
        return models.QuerySet.delete(self.filter(at__lt=cutoff))[0]


class AuditEntry(models.Model):
    """One line of the append-only access and change log (审计日志)."""

    class Action(models.TextChoices):
        CREATE = "create", _("created")
        UPDATE = "update", _("changed")
        DELETE = "delete", _("deleted")
        VIEW = "view", _("viewed")
        EXPORT = "export", _("exported")
        LOGIN = "login", _("logged in")

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        # DO_NOTHING, not SET_NULL: deleting a user must not erase who did what. Without a
        # database constraint the id simply outlives the row (see `actor_display`).
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
    )
    # Kept as plain values, not a foreign key: the entry must outlive the membership.
    membership_id = models.BigIntegerField(_("membership id"), null=True, blank=True)
    membership_label = models.CharField(_("acting as"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    # Indexed by the (model, object_id, at) index below and a plain object_id index: every
    # audited write maintains each index, so none doubles another (no LIKE indexes).
    model = models.CharField(_("record type"), max_length=100)
    object_id = models.CharField(_("record id"), max_length=64)
    object_repr = models.CharField(_("record"), max_length=200, blank=True)
    changed_fields = models.JSONField(_("changed fields"), default=list, blank=True)
    # Path of the org the record belongs to (treebeard), so admins read their subtree.
    org_path = models.CharField(_("org path"), max_length=255, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    objects: ClassVar[AuditEntryQuerySet] = AuditEntryQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-id"]
        # Django's internal manager (related lookups, cascades) must not bypass the
        # append-only queryset either.
        base_manager_name = "objects"
        indexes = [
            models.Index(fields=["model", "object_id", "at"]),
            models.Index(fields=["object_id"], name="audit_entry_object_id"),
            # Admins read their subtree (LIKE 'path%') or the entries of no union (= ''):
            # one pattern index serves both (PostgreSQL; SQLite ignores the operator class).
            models.Index(
                fields=["org_path"], name="audit_entry_org_path", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.model}#{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit entries cannot be deleted.")

    @property
    def record_type(self) -> str:
        """The record's model in words ("child"), or its label when the model is gone."""
        from .labels import record_type_label

        return record_type_label(self.model)

    @property
    def changed_field_labels(self) -> list[str]:
        """The changed fields in words ("status" → "状态"), as the reader's language has them."""
        from .labels import field_label

        return [field_label(self.model, name) for name in self.changed_fields]

    @property
    def actor_display(self) -> str:
        """Who acted, also when their account has since been deleted."""
        if self.actor_id is None:
            return gettext("system")
        try:
            # select_related caches None for a deleted user; a lazy load raises instead.
            user = self.actor
        except ObjectDoesNotExist:
            user = None
        if user is None:
            return gettext("deleted user #%(id)s") % {"id": self.actor_id}
        return str(user)
