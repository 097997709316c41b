"""API tokens: issued to their owner once, revoked by their owner."""

import secrets

from django.db import transaction
from django.utils import timezone

from tuoguan.orgs.permissions import require

from ..models import ApiToken, User


@transaction.atomic
def token_issue(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token; the key is returned once and only its hash is kept."""
    key = "tg_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name[:60] or "token", prefix=key[:8], key_hash=ApiToken.hash_key(key)
    )
    return token, key


@transaction.atomic
def token_revoke(*, user: User, token: ApiToken) -> ApiToken:
    require(token.user_id == user.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save()
    return token


def tokens_revoke_all(*, user: User) -> int:
    """Revoke every token of `user` still in force (a new password: keys made before it end)."""
    return int(
        ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    )
