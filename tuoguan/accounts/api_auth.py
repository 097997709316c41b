import datetime
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from tuoguan.audit import context
from tuoguan.audit.middleware import context_fields
from tuoguan.core import rawsql
from tuoguan.orgs.middleware import attach_actor
from tuoguan.orgs.permissions import Actor, actor_for

from .models import ApiToken, User

TOUCH_EVERY = datetime.timedelta(minutes=1)

# Every API request reads its token; on enrolment morning that is every application, so the
# read is prepared SQL (core.rawsql): the token, its user, and whether the user holds any
# membership (the first one by the order of `memberships_of`, which a parent has none of).
_TOKEN = rawsql.Columns(ApiToken, "tok", ["id", "user", "last_used_at"])
_USER = rawsql.Columns(User, "u")
_TOKEN_SQL = f"""
    SELECT {_TOKEN.sql}, {_USER.sql},
        (SELECT m.id FROM orgs_membership m JOIN orgs_org o ON o.id = m.org_id
         WHERE m.user_id = u.id AND m.is_active = %s AND o.is_active = %s
         ORDER BY o.depth, o.path, m.role LIMIT 1)
    FROM accounts_apitoken tok JOIN accounts_user u ON u.id = tok.user_id
    WHERE tok.key_hash = %s AND tok.revoked_at IS NULL
"""  # noqa: S608 - only column lists are formatted in
# "Last used" is written at most once a minute: a kiosk polling every second must not write
# each time. On PostgreSQL the write rides in the read's statement (a data-modifying WITH
# runs to completion whether or not the query reads it): one round trip per request.
_TOUCH = (
    "UPDATE accounts_apitoken SET last_used_at = %s WHERE key_hash = %s "
    "AND revoked_at IS NULL AND (last_used_at IS NULL OR last_used_at < %s)"
)
_TOKEN_SQL_PG = f"WITH touched AS ({_TOUCH}) {_TOKEN_SQL}"


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <key>` with a personal token from the tokens page."""

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Malformed Authorization header."))
        try:
            key = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed(_("Malformed Authorization header.")) from exc
        key_hash, now = ApiToken.hash_key(key), timezone.now()
        touch = [now, key_hash, now - TOUCH_EVERY]
        if connection.vendor == "postgresql":
            found = rawsql.fetch_one(_TOKEN_SQL_PG, [*touch, True, True, key_hash])
        else:
            rawsql.execute(_TOUCH, touch)
            found = rawsql.fetch_one(_TOKEN_SQL, [True, True, key_hash])
        user = _USER.instance(found, _TOKEN.width) if found is not None else None
        if found is None or user is None or not user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        token = _TOKEN.instance(found)
        token.user = user
        django_request = request._request
        django_request.user = user
        wanted = django_request.headers.get("X-Membership")
        if wanted or found[-1] is not None:
            actor = actor_for(user, wanted)
        else:
            # No membership (a parent): nothing more to read.
            actor = Actor(user=user, membership=None)
        attach_actor(django_request, actor)
        context.update(**context_fields(django_request))
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """Describes the Bearer token scheme in the OpenAPI schema (/api/schema/)."""

    target_class = "tuoguan.accounts.api_auth.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "description": "A personal API token."}
