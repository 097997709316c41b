"""The guardian downloads the family's data (PIPL portability), and the export is logged."""

import json

from django.urls import reverse

from tuoguan.audit.models import AuditEntry
from tuoguan.testing import PersonaTestCase

EXPORT = reverse("accounts:family_export")


class FamilyExportTest(PersonaTestCase):
    def test_get_explains_the_export_and_logs_nothing(self) -> None:
        response = self.client_for(self.p.parent).get(EXPORT)
        self.assertEqual(response.status_code, 200)
        self.assertFalse(AuditEntry.objects.filter(action="export").exists())

    def test_the_guardian_downloads_children_with_full_id_numbers_and_consents(self) -> None:
        response = self.client_for(self.p.parent).post(EXPORT)
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response["Content-Disposition"])
        data = json.loads(response.content)
        self.assertEqual(data["guardian"]["real_name"], "王家长")
        children = {c["name"]: c for c in data["children"]}
        self.assertEqual(set(children), {"王小一", "王小二"})
        self.assertEqual(children["王小一"]["id_number"], "210202201703051239")
        self.assertEqual(children["王小二"]["id_number"], "")
        self.assertEqual(children["王小一"]["consents"][0]["policy_version"], "2026.1")
        self.assertNotIn("李小朋", response.content.decode())

    def test_each_export_writes_an_audit_entry(self) -> None:
        self.client_for(self.p.parent).post(EXPORT, REMOTE_ADDR="10.3.3.3")
        entry = AuditEntry.objects.get(action="export")
        self.assertEqual(entry.actor_id, self.p.parent.pk)
        self.assertEqual(entry.model, "accounts.Worker")
        self.assertEqual(entry.object_id, str(self.p.parent_worker.pk))
        self.assertEqual(entry.ip, "10.3.3.3")

    def test_staff_and_the_outsider_have_no_family_to_export(self) -> None:
        for user in (self.p.grassroots_admin, self.p.outsider):
            with self.subTest(user=user.username):
                response = self.client_for(user).post(EXPORT)
                self.assertTemplateUsed(response, "accounts/family_no_worker.html")
                self.assertNotIn(b"210202201703051239", response.content)
        self.assertFalse(AuditEntry.objects.filter(action="export").exists())

    def test_anonymous_is_sent_to_log_in(self) -> None:
        response = self.client.post(EXPORT)
        self.assertEqual(response.status_code, 302)
        self.assertFalse(AuditEntry.objects.filter(action="export").exists())
