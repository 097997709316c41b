"""Helpers shared by the orgs tests."""

from typing import Any

from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from tuoguan.audit.models import AuditEntry
from tuoguan.orgs import services
from tuoguan.orgs.models import Org
from tuoguan.orgs.permissions import Actor, actor_for
from tuoguan.testing import PersonaTestCase


class OrgsTestCase(PersonaTestCase):
    def actor(self, user: Any) -> Actor:
        return actor_for(user)

    def api_for(self, user: Any) -> APIClient:
        client = APIClient()
        client.force_login(user)
        return client

    def assertRedirectsToLogin(self, response: Any) -> None:
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(reverse("accounts:login")))

    def assertAudited(self, instance: Any, action: str, user: Any) -> AuditEntry:
        entry = AuditEntry.objects.filter(
            model=instance._meta.label, object_id=str(instance.pk), action=action
        ).first()
        self.assertIsNotNone(entry, f"no {action} entry for {instance!r}")
        assert entry is not None
        self.assertEqual(entry.actor_id, user.pk)
        return entry

    def reload(self, org: Org) -> Org:
        return Org.objects.get(pk=org.pk)

    def add_orgs(self, parent: Org, count: int, prefix: str = "测试") -> list[Org]:
        level_code = parent.region_code
        return [
            services.org_create(
                actor=None,
                parent=parent,
                name=f"{prefix}{i:03d}工会",
                region_code=level_code,
                kind="enterprise" if parent.level == 3 else "",
            )
            for i in range(count)
        ]


def anonymous() -> Client:
    return Client()
