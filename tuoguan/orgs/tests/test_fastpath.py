"""The default membership read through its compiled statement (orgs.fastpath) is the ORM's."""

from typing import Any

from tuoguan.orgs import services
from tuoguan.orgs.models import Membership, Org, Role
from tuoguan.orgs.permissions import actor_for, default_membership

from .base import OrgsTestCase


def _fields(membership: Membership | None) -> list[dict[str, Any]]:
    if membership is None:
        return []
    rows: tuple[Any, ...] = (membership, membership.org)
    return [{f.attname: getattr(r, f.attname) for f in r._meta.concrete_fields} for r in rows]


class DefaultMembershipTest(OrgsTestCase):
    def _assert_same(self, user: Any) -> None:
        compiled = default_membership(user)
        self.assertEqual(_fields(compiled), _fields(default_membership(user, compiled=False)))
        self.assertEqual(actor_for(user).membership, compiled)

    def test_none_one_several_revoked_and_of_an_inactive_union(self) -> None:
        p = self.p
        for user in (p.parent, p.caregiver, p.city_admin, p.province_admin, p.outsider):
            self._assert_same(user)
        # A second membership higher up comes first; revoked, the first one is back.
        higher = services.membership_grant(
            actor=None, user=p.caregiver, org=p.province, role=Role.REVIEWER
        )
        self._assert_same(p.caregiver)
        self.assertEqual(default_membership(p.caregiver), higher)
        Membership.objects.filter(pk=higher.pk).update(is_active=False)
        self._assert_same(p.caregiver)
        Org.objects.filter(pk=p.province.pk).update(is_active=False)
        self._assert_same(p.province_admin)
        self.assertIsNone(default_membership(p.province_admin))
