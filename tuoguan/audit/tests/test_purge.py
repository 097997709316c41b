"""`audit_purge`: entries leave the log only after the retention period, never before."""

import datetime
from io import StringIO
from unittest import mock

from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from tuoguan.audit.models import AuditEntry
from tuoguan.audit.services import RetentionTooShort, audit_purge, audit_record
from tuoguan.testing import PersonaTestCase


class PurgeTest(PersonaTestCase):
    def entry_aged(self, days: int) -> AuditEntry:
        then = timezone.now() - datetime.timedelta(days=days)
        with mock.patch("django.utils.timezone.now", return_value=then):
            return audit_record(action="view", instance=self.p.child_one, reason=f"{days} 天前")

    @override_settings(TUOGUAN_AUDIT_RETENTION_DAYS=365)
    def test_the_command_deletes_only_entries_older_than_the_retention(self) -> None:
        old, recent = self.entry_aged(400), self.entry_aged(300)
        out = StringIO()
        call_command("audit_purge", stdout=out)
        self.assertFalse(AuditEntry.objects.filter(pk=old.pk).exists())
        self.assertTrue(AuditEntry.objects.filter(pk=recent.pk).exists())
        # Today's entries (the personas' own) are all still there.
        self.assertTrue(AuditEntry.objects.filter(reason="").exists())
        self.assertIn("Deleted 1 ", out.getvalue())

    @override_settings(TUOGUAN_AUDIT_RETENTION_DAYS=365)
    def test_a_dry_run_deletes_nothing(self) -> None:
        old = self.entry_aged(400)
        out = StringIO()
        call_command("audit_purge", "--dry-run", stdout=out)
        self.assertTrue(AuditEntry.objects.filter(pk=old.pk).exists())
        self.assertIn("1 audit entries", out.getvalue())

    @override_settings(TUOGUAN_AUDIT_RETENTION_DAYS=90)
    def test_a_retention_under_six_months_is_refused(self) -> None:
        old = self.entry_aged(100)
        with self.assertRaisesMessage(CommandError, "183"):
            call_command("audit_purge", stdout=StringIO())
        with self.assertRaises(RetentionTooShort):
            audit_purge()
        self.assertTrue(AuditEntry.objects.filter(pk=old.pk).exists())

    def test_the_default_retention_keeps_two_year_old_entries(self) -> None:
        two_years = self.entry_aged(2 * 365)
        self.assertEqual(audit_purge(), 0)
        self.assertTrue(AuditEntry.objects.filter(pk=two_years.pk).exists())

    def test_the_help_states_the_rule(self) -> None:
        from tuoguan.audit.management.commands.audit_purge import Command

        self.assertIn("Art. 21", Command.help)
        self.assertIn("TUOGUAN_AUDIT_RETENTION_DAYS", Command.help)
        self.assertIn("183", Command.help)
