"""What every page of the programs app shares."""

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Model
from django.forms import BaseForm
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from tuoguan.orgs.models import Org, Role
from tuoguan.orgs.permissions import Actor, require

from ..forms.base import add_service_errors

PAGE_SIZE = 50
GET_POST = require_http_methods(["GET", "HEAD", "POST"])
# Who supervises: reads the compliance of the classes below.
SUPERVISOR_ROLES = frozenset({Role.UNION_ADMIN, Role.REVIEWER, Role.INSPECTOR})

Saved = TypeVar("Saved", bound=Model)


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


def form_page(
    request: HttpRequest,
    form: BaseForm,
    save: Callable[[], Saved],
    *,
    done: str | Callable[[Saved], str],
    then: str,
    template: str,
    context: dict[str, Any] | None = None,
    pk: int | None = None,
) -> HttpResponse:
    """A form whose valid POST runs one service call (`save`).

    On success it says `done` and goes to the `then` page of what was saved (or of `pk`); a
    refusal comes back on the form, rendered with `template`.
    """
    if request.method == "POST" and form.is_valid():
        try:
            saved = save()
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, done if isinstance(done, str) else done(saved))
            return redirect(then, pk=saved.pk if pk is None else pk)
    return render(request, template, {"form": form, **(context or {})})


def serve_file(field: Any, content_type: str = "") -> FileResponse:
    """A stored file, to people the caller already checked; never guessed from its name."""
    response = FileResponse(field.open("rb"), content_type=content_type or None)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, max-age=0"
    return response
