"""audit.fastpath writes what the ORM writes: the same row and the same log entry."""

from typing import Any

from django.db import connection
from django.utils import timezone

from tuoguan.accounts.models import ChildConsent
from tuoguan.audit.context import acting_as
from tuoguan.audit.models import AuditEntry
from tuoguan.testing import PersonaTestCase

# Differ by nature between two rows: their own id, when they were logged.
_ENTRY_OWN = {"id", "object_id", "at"}


def _row(consent: ChildConsent) -> dict[str, Any]:
    values = ChildConsent.objects.filter(pk=consent.pk).values().get()
    return {k: v for k, v in values.items() if k != "id"}


def _entry(consent: ChildConsent) -> dict[str, Any]:
    entry = AuditEntry.objects.filter(
        model=ChildConsent._meta.label, object_id=str(consent.pk)
    ).values()
    found = entry.get()
    return {k: v for k, v in found.items() if k not in _ENTRY_OWN}


class FastPathWritesTest(PersonaTestCase):
    def _consent(self) -> ChildConsent:
        return ChildConsent(
            child=self.p.child_one,
            policy=self.p.policy,
            granted_by=self.p.parent,
            granted_at=timezone.now().replace(microsecond=0),
            ip="10.0.0.1",
        )

    def test_a_row_inserted_by_hand_and_its_entry_equal_what_save_writes(self) -> None:
        with acting_as(user_id=self.p.parent.pk, ip="192.0.2.9"):
            by_orm = self._consent()
            by_orm.save()
            by_hand = self._consent()
            by_hand.granted_at = by_orm.granted_at
            by_hand.insert_row()
        assert by_hand.pk is not None and by_hand.pk != by_orm.pk
        assert _row(by_hand) == _row(by_orm)
        assert _entry(by_hand) == _entry(by_orm)
        assert _entry(by_hand)["action"] == "create"

    def test_the_entry_carries_the_new_rows_id_on_either_database(self) -> None:
        with acting_as(user_id=self.p.parent.pk, ip="192.0.2.9"):
            consent = self._consent()
            consent.insert_row()
        entry = AuditEntry.objects.get(model=ChildConsent._meta.label, object_id=str(consent.pk))
        assert entry.actor_id == self.p.parent.pk, connection.vendor
