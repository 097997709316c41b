from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from tuoguan.audit import context
from tuoguan.audit.middleware import context_fields
from tuoguan.orgs.middleware import attach_actor
from tuoguan.orgs.permissions import Actor, actor_for

from . import fastpath
from .models import ApiToken


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
        # Every API request reads its token: one prepared statement (accounts.fastpath).
        found = fastpath.token_read(ApiToken.hash_key(key), timezone.now())
        if found is None or not found.token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        token, user = found.token, found.token.user
        django_request = request._request
        django_request.user = user
        wanted = django_request.headers.get("X-Membership")
        if wanted:
            actor = actor_for(user, wanted)
        else:
            # The default membership (actor_for's) came with the token; a parent has none.
            actor = Actor(user=user, membership=found.first_membership)
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
