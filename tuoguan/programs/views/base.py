"""What every page of the programs app shares."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import FileResponse, HttpRequest
from django.views.decorators.http import require_http_methods

from tuoguan.orgs.models import Org, Role
from tuoguan.orgs.permissions import Actor, require

PAGE_SIZE = 50
GET_POST = require_http_methods(["GET", "HEAD", "POST"])
# Who supervises: reads the compliance of the classes below.
SUPERVISOR_ROLES = frozenset({Role.UNION_ADMIN, Role.REVIEWER, Role.INSPECTOR})


def actor_of(request: HttpRequest) -> Actor:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    return actor


def staff_actor(request: HttpRequest) -> Actor:
    """The actor, who must act through a membership: parents have no class pages (403)."""
    actor = actor_of(request)
    require(actor.membership is not None)
    return actor


def own_org(actor: Actor) -> Org:
    """The union the actor acts for; a parent (no membership) is refused (403)."""
    org = actor.org
    if org is None:
        raise PermissionDenied
    return org


def paginate(request: HttpRequest, items: Any, param: str = "page") -> Page:
    """One page of `items`, its rows fetched once (templates iterate it several times)."""
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get(param))
    page.object_list = list(page.object_list)
    return page


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def refusal(request: HttpRequest, exc: ValidationError) -> None:
    """Tell the person why a service refused, in its own words."""
    messages.error(request, " ".join(str(m) for m in exc.messages))


def serve_file(field: Any, content_type: str = "") -> FileResponse:
    """A stored file, to people the caller already checked; never guessed from its name."""
    response = FileResponse(field.open("rb"), content_type=content_type or None)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, max-age=0"
    return response
