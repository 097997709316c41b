"""accounts.fastpath reads a token as the ORM does: the same token, user and membership."""

from datetime import timedelta
from typing import Any

from django.forms.models import model_to_dict
from django.utils import timezone

from tuoguan.accounts.fastpath import token_read
from tuoguan.accounts.models import ApiToken
from tuoguan.accounts.services import token_issue, token_revoke
from tuoguan.orgs.models import Membership, Org, Role
from tuoguan.orgs.permissions import memberships_of
from tuoguan.testing import PersonaTestCase


def _same_user(hand: Any, orm: Any) -> None:
    assert type(hand) is type(orm)
    assert model_to_dict(hand) == model_to_dict(orm)
    assert hand.password == orm.password and hand.last_login == orm.last_login


class TokenReadTest(PersonaTestCase):
    def _check(self, user: Any) -> None:
        token, key = token_issue(user=user, name="kiosk")
        found = token_read(ApiToken.hash_key(key), timezone.now())
        assert found is not None
        orm = ApiToken.objects.select_related("user").get(pk=token.pk, revoked_at=None)
        assert found.token.pk == orm.pk
        assert found.token.last_used_at == orm.last_used_at
        _same_user(found.token.user, orm.user)
        first = memberships_of(user).first()
        assert found.first_membership_id == (first.pk if first else None)
        if first is None:
            assert found.first_membership is None
        else:
            assert found.first_membership is not None
            assert model_to_dict(found.first_membership) == model_to_dict(first)
            assert model_to_dict(found.first_membership.org) == model_to_dict(first.org)
            assert found.first_membership.org.path == first.org.path

    def test_a_parents_token_reads_as_the_orm_reads_it_with_no_membership(self) -> None:
        self._check(self.p.parent)

    def test_a_staff_token_reads_its_first_membership_as_memberships_of_orders_them(self) -> None:
        self._check(self.p.province_admin)
        self._check(self.p.caregiver)

    def test_a_revoked_membership_or_inactive_union_is_passed_over_as_the_orm_does(self) -> None:
        extra = Membership.objects.create(
            user=self.p.caregiver, org=self.p.province, role=Role.INSPECTOR
        )
        self._check(self.p.caregiver)
        extra.is_active = False
        extra.save()
        self._check(self.p.caregiver)
        province = self.p.province
        extra.is_active = True
        extra.save()
        Org.objects.filter(pk=province.pk).update(is_active=False)
        self._check(self.p.caregiver)

    def test_a_revoked_or_unknown_token_reads_as_nothing(self) -> None:
        token, key = token_issue(user=self.p.parent, name="old")
        token_revoke(user=self.p.parent, token=token)
        assert token_read(ApiToken.hash_key(key), timezone.now()) is None
        assert token_read(ApiToken.hash_key("tg_nothing"), timezone.now()) is None

    def test_last_used_is_stamped_at_most_once_a_minute(self) -> None:
        token, key = token_issue(user=self.p.parent, name="kiosk")
        start = timezone.now()
        token_read(ApiToken.hash_key(key), start)
        token.refresh_from_db()
        assert token.last_used_at == start
        token_read(ApiToken.hash_key(key), start + timedelta(seconds=30))
        token.refresh_from_db()
        assert token.last_used_at == start
        later = start + timedelta(minutes=2)
        token_read(ApiToken.hash_key(key), later)
        token.refresh_from_db()
        assert token.last_used_at == later
