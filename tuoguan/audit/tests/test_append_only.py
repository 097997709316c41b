"""The log is append-only: no code path changes or deletes an entry (only retention does)."""

from django.contrib.admin.sites import site
from django.test import RequestFactory

from tuoguan.audit.models import AppendOnlyError, AuditEntry
from tuoguan.audit.services import audit_record
from tuoguan.testing import PersonaTestCase


class AppendOnlyTest(PersonaTestCase):
    def setUp(self) -> None:
        self.entry = audit_record(action="view", instance=self.p.child_one, reason="检查")

    def test_saving_an_existing_entry_raises(self) -> None:
        self.entry.reason = "篡改"
        with self.assertRaises(AppendOnlyError):
            self.entry.save()
        self.entry.refresh_from_db()
        self.assertEqual(self.entry.reason, "检查")

    def test_deleting_an_entry_raises(self) -> None:
        with self.assertRaises(AppendOnlyError):
            self.entry.delete()
        self.assertTrue(AuditEntry.objects.filter(pk=self.entry.pk).exists())

    def test_a_queryset_update_raises(self) -> None:
        with self.assertRaises(AppendOnlyError):
            AuditEntry.objects.filter(pk=self.entry.pk).update(reason="篡改")
        with self.assertRaises(AppendOnlyError):
            AuditEntry.objects.update(reason="篡改")

    def test_a_queryset_delete_raises(self) -> None:
        with self.assertRaises(AppendOnlyError):
            AuditEntry.objects.filter(pk=self.entry.pk).delete()
        with self.assertRaises(AppendOnlyError):
            AuditEntry.objects.all().delete()
        self.assertTrue(AuditEntry.objects.filter(pk=self.entry.pk).exists())

    def test_bulk_update_and_the_base_manager_raise_too(self) -> None:
        self.entry.reason = "篡改"
        with self.assertRaises(AppendOnlyError):
            AuditEntry.objects.bulk_update([self.entry], ["reason"])
        with self.assertRaises(AppendOnlyError):
            AuditEntry._base_manager.filter(pk=self.entry.pk).delete()

    def test_deleting_a_user_keeps_who_acted(self) -> None:
        from tuoguan.accounts.services import user_create

        user = user_create(username="temp", real_name="临时", password=None)
        entry = AuditEntry.objects.create(
            actor=user, action="view", model="accounts.Child", object_id="1"
        )
        user_id = user.pk
        user.delete()
        kept = AuditEntry.objects.select_related("actor").get(pk=entry.pk)
        self.assertEqual(kept.actor_id, user_id)
        self.assertIsNone(kept.actor)
        self.assertIn(str(user_id), kept.actor_display)
        # Loaded lazily, the gone user reads the same.
        self.assertIn(str(user_id), AuditEntry.objects.get(pk=entry.pk).actor_display)

    def test_the_admin_offers_no_add_change_or_delete(self) -> None:
        request = RequestFactory().get("/admin/")
        request.user = self.p.province_admin
        model_admin = site._registry[AuditEntry]
        self.assertFalse(model_admin.has_add_permission(request))
        self.assertFalse(model_admin.has_change_permission(request, self.entry))
        self.assertFalse(model_admin.has_delete_permission(request, self.entry))
