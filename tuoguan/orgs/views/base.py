from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

from tuoguan.orgs.permissions import Actor

PAGE_SIZE = 50


def actor_of(request: HttpRequest) -> Actor:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    return actor


def paginate(request: HttpRequest, items: Any, param: str = "page") -> Page:
    """One page of `items`, its rows fetched once (templates iterate it several times)."""
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get(param))
    page.object_list = list(page.object_list)
    return page


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def htmx_target(request: HttpRequest) -> str | None:
    htmx = getattr(request, "htmx", None)
    return htmx.target if htmx else None
