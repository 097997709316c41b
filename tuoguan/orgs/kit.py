"""The view kit's part that needs the union tree: who acts, on pages and in the API.

`ActiveMembershipMiddleware` (and, for a token, `BearerTokenAuthentication`) sets
`request.actor`; views annotate their request as `ActorRequest` (pages) or
`ActorApiRequest` (DRF views) to read it typed. Viewsets inherit `orgs.api.ScopedViewSet`:
DRF's view classes load the authentication classes, which import this module, so they
cannot be imported here.
"""

from typing import cast

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from rest_framework.request import Request

from tuoguan.core.kit import HtmxRequest

from .models import Membership, Org
from .permissions import Actor, require


class ActorRequest(HtmxRequest):
    """A page request: the actor and the membership they act through (annotations only)."""

    actor: Actor
    membership: Membership | None


class ActorApiRequest(Request):
    """A DRF request; DRF hands unknown attributes to the Django request that carries them."""

    actor: Actor
    membership: Membership | None


def actor_of(request: HttpRequest) -> Actor:
    """The actor of a page request, for code that is handed a plain HttpRequest."""
    return cast(ActorRequest, request).actor


def api_actor_of(request: Request) -> Actor:
    """The actor of a DRF request: actor_of's twin, for handlers DRF types as `Request`."""
    return cast(ActorApiRequest, request).actor


def staff_actor(request: HttpRequest) -> Actor:
    """The actor, who must act through a membership: parents have no staff pages (403)."""
    actor = actor_of(request)
    require(actor.membership is not None)
    return actor


def own_org(actor: Actor) -> Org:
    """The union the actor acts for; a parent (no membership) is refused (403)."""
    org = actor.org
    if org is None:
        raise PermissionDenied
    return org
