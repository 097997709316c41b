"""`AuditedModel`: every create, update and delete of a domain row lands in the audit log.

The log is written from `save()`/`delete()` rather than from each service so that no write
path — service, admin, shell, import — can forget it. Secret fields are listed in
`audit_secret_fields`: the log says that they changed, never what they hold.
"""

import inspect
from collections.abc import Callable
from typing import Any, ClassVar

from django.db import IntegrityError, connection, models
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init
from django.utils import timezone

from . import fastpath, services


class AuditedModel(models.Model):
    audit_secret_fields: ClassVar[frozenset[str]] = frozenset()
    # Fields whose change is bookkeeping, not an act worth a log line.
    audit_ignored_fields: ClassVar[frozenset[str]] = frozenset({"updated_at", "last_login"})

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        creating = self._state.adding
        changed = [] if creating else self._audit_changed_fields()
        super().save(*args, **kwargs)
        if creating:
            services.audit_record(action="create", instance=self)
        elif changed:
            services.audit_record(action="update", instance=self, changed_fields=changed)
        self._audit_loaded = self._audit_snapshot()

    def insert_row(
        self, refused: Callable[[IntegrityError], Exception | None] | None = None
    ) -> None:
        """Insert this new row with one prepared INSERT (audit.fastpath) and log its creation,
        as `save()` would, for the paths where the ORM's compilation is the cost.

        Only for models whose `save()` does nothing else; sets the id and the timestamps.
        An id already set (taken up front from the sequence) is written: the row and its
        entry then wait in core.rawsql's `inserts_together` block, if one is open, and go
        with the block's other inserts. `refused(error)` turns the database's refusal of
        the row into the caller's exception (raised here, or where the block sends it).
        """
        now = timezone.now()
        for field in self._meta.concrete_fields:
            auto = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
            if auto and getattr(self, field.attname) is None:
                setattr(self, field.attname, now)
        values = {
            f.attname: getattr(self, f.attname)
            for f in self._meta.concrete_fields
            if not f.primary_key
        }
        try:
            if self.pk is not None:
                services.insert_later_with_entry(
                    self, {self._meta.pk.attname: self.pk, **values}, refused
                )
            elif connection.vendor == "postgresql":
                self.pk = services.insert_with_entry(self, values)
            else:
                self.pk = fastpath.row_insert(type(self), values)
                services.audit_record(action="create", instance=self)
        except IntegrityError as exc:
            translated = refused(exc) if refused is not None else None
            if translated is None:
                raise
            raise translated from None
        self._state.adding, self._state.db = False, connection.alias
        self._audit_loaded = self._audit_snapshot()

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        pk = self.pk
        services.audit_record(action="delete", instance=self, object_id=pk)
        return super().delete(*args, **kwargs)

    def audit_org_path(self) -> str:
        """Path of the org whose admins may read this row's log entries."""
        return ""

    def _audit_snapshot(self) -> dict[str, Any]:
        # Only fields present on the instance: getattr on a deferred field (`.only()`)
        # would fetch it from the database, one query per field, on every save.
        return {
            f.attname: self.__dict__[f.attname]
            for f in self._meta.concrete_fields
            if f.attname in self.__dict__
        }

    def refresh_from_db(
        self, using: Any = None, fields: Any = None, from_queryset: Any = None
    ) -> None:
        # Values reloaded from the database are the new baseline, or the next save would
        # report changes made by someone else as its own.
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)
        reloaded = {
            f.attname
            for f in self._meta.concrete_fields
            if fields is None or f.name in fields or f.attname in fields
        }
        baseline = {k: v for k, v in self._audit_snapshot().items() if k in reloaded}
        self._audit_loaded = {**getattr(self, "_audit_loaded", {}), **baseline}

    def _audit_changed_fields(self) -> list[str]:
        loaded: dict[str, Any] = getattr(self, "_audit_loaded", {})
        now = self._audit_snapshot()
        return sorted(
            name
            for name, value in now.items()
            if name in loaded and loaded[name] != value and name not in self.audit_ignored_fields
        )

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any) -> Any:
        attnames = _plain_attnames(cls)
        if (
            attnames is not None
            and len(values) == len(attnames)
            and not pre_init.has_listeners(cls)
            and not post_init.has_listeners(cls)
        ):
            # What Model.__init__(*values) leaves, without its per-field setattr loop: a
            # fifth of a check-in's Python went into loading its dozen rows
            # (bench/README.md, "checkin"). Only for models whose fields all store their
            # value as it comes (`_plain_attnames`); the others take the ORM's way.
            instance = cls.__new__(cls)
            state = ModelState()
            state.adding, state.db = False, db
            instance._state = state
            instance.__dict__.update(zip(attnames, values, strict=True))
        else:
            instance = super().from_db(db, field_names, values)
        instance._audit_loaded = dict(zip(field_names, values, strict=False))
        return instance


_PLAIN_DESCRIPTORS = (DeferredAttribute, ForeignKeyDeferredAttribute)
_plain: dict[type, tuple[str, ...] | None] = {}


def _plain_attnames(cls: type[models.Model]) -> tuple[str, ...] | None:
    """The concrete fields' attnames when loading a row is only storing each value in the
    instance's __dict__ (as Model.__init__'s setattr does through these descriptors), else
    None: a field with a descriptor of its own (files, images), or a model with its own
    __init__ or __setattr__."""
    if cls not in _plain:
        fields = cls._meta.concrete_fields
        plain = (
            cls.__init__ is models.Model.__init__
            and cls.__setattr__ is models.Model.__setattr__
            and all(
                type(inspect.getattr_static(cls, f.attname, None)) in _PLAIN_DESCRIPTORS
                for f in fields
            )
        )
        _plain[cls] = tuple(f.attname for f in fields) if plain else None
    return _plain[cls]
