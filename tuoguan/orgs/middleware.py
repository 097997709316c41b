from collections.abc import Callable
from typing import cast

from django.http import HttpRequest, HttpResponse

from .kit import ActorRequest
from .permissions import Actor, actor_for

SESSION_KEY = "active_membership_id"


class ActiveMembershipMiddleware:
    """Attach `request.actor` and `request.membership`: the role the user acts in now.

    Pages take the membership chosen in the header (kept in the session); API clients may
    name one with the `X-Membership` header; otherwise the highest-level one is used.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        wanted = request.headers.get("X-Membership") or request.session.get(SESSION_KEY)
        attach_actor(request, actor_for(request.user, wanted))
        return self.get_response(request)


def attach_actor(request: HttpRequest, actor: Actor) -> None:
    typed = cast(ActorRequest, request)
    typed.actor = actor
    typed.membership = actor.membership
