from django.contrib.auth import get_user_model
from django.urls import reverse

from tuoguan.orgs.models import Org

from .base import OrgsTestCase


class AdminTest(OrgsTestCase):
    def setUp(self) -> None:
        self.admin = get_user_model().objects.create_superuser(
            username="root", password="Tuoguan-test-2026", real_name="超级管理员"
        )
        self.client = self.client_for(self.admin)

    def test_the_union_tree_and_memberships_are_listed(self) -> None:
        for name in ("admin:orgs_org_changelist", "admin:orgs_membership_changelist"):
            response = self.client.get(reverse(name))
            self.assertEqual(response.status_code, 200)
        # The tree view opens at the national union; the search reaches any node.
        changelist = reverse("admin:orgs_org_changelist")
        self.assertContains(self.client.get(changelist), "全总")
        self.assertContains(self.client.get(changelist, {"q": "大连港"}), "大连港集团工会")

    def test_a_union_opens_with_the_tree_position_form(self) -> None:
        url = reverse("admin:orgs_org_change", args=[self.p.grassroots.pk])
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "treebeard_ref_node")

    def test_staff_without_superuser_rights_are_not_let_in(self) -> None:
        response = self.client_for(self.p.province_admin).get(reverse("admin:orgs_org_changelist"))
        self.assertEqual(response.status_code, 302)
        self.assertTrue(Org.objects.exists())
