"""The view kit of every app's pages: what needs no union tree (for that, see orgs/kit.py).

A page is built from these: `paginate` for its list, `form_errors` to show a service's
refusal on its form, `form_page` for the usual form-and-redirect flow, `refusal` for a
refused POST that has no form, `HtmxRequest` to annotate a view that reads `request.htmx`,
and the templates `core/_form.html`, `core/_pagination.html` and `core/_back.html`.
"""

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Model
from django.forms import BaseForm
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods
from django_htmx.middleware import HtmxDetails

from .inputs import MAX_DB_INT

GET_POST = require_http_methods(["GET", "HEAD", "POST"])

Saved = TypeVar("Saved", bound=Model)


class HtmxRequest(HttpRequest):
    """A request as django-htmx's middleware leaves it (for annotations only)."""

    htmx: HtmxDetails


def wants_fragment(request: HtmxRequest) -> bool:
    """An HTMX request for part of the page; a history restore asks for the whole page."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def page_number(value: str | None) -> int:
    """`?page=` as asked, within reason: no number, one too long for `int()` to read and one
    below 1 are the first page; one past the end (even past what a database counts to) is
    the last, as `Paginator.get_page` turns it."""
    try:
        number = int(value or 1)
    except ValueError:
        return 1
    return min(max(number, 1), MAX_DB_INT)


def paginate(
    request: HttpRequest, items: Any, *, param: str = "page", per_page: int | None = None
) -> Page:
    """One page of `items` (`settings.TUOGUAN_PAGE_SIZE` rows unless `per_page` says otherwise),
    its rows fetched once: templates iterate them several times."""
    paginator = Paginator(items, per_page or settings.TUOGUAN_PAGE_SIZE)
    page = paginator.get_page(page_number(request.GET.get(param)))
    page.object_list = list(page.object_list)
    return page


def form_errors(
    form: BaseForm, exc: ValidationError, *, rename: Mapping[str, str] | None = None
) -> None:
    """Put a service's refusal on the form: each error on the field it names (`rename` maps a
    service's name to the form's), the rest on the whole form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        field = (rename or {}).get(name, name)
        form.add_error(field if field in form.fields else None, errors)


def refusal(request: HttpRequest, exc: ValidationError) -> None:
    """Tell the person why a service refused, in its own words, on the next page."""
    messages.error(request, " ".join(str(message) for message in exc.messages))


def form_page(
    request: HttpRequest,
    form: BaseForm,
    save: Callable[[], Saved],
    *,
    done: str | Callable[[Saved], str],
    then: str,
    template: str,
    context: dict[str, Any] | Callable[[], dict[str, Any]] | None = None,
    pk: int | None = None,
) -> HttpResponse:
    """A form whose valid POST runs one service call (`save`).

    On success it says `done` and goes to the `then` page of what was saved (or of `pk`); a
    refusal comes back on the form, rendered with `template` and `context` (a callable is
    only called then, so a successful POST does not read what only the form page shows).
    """
    if request.method == "POST" and form.is_valid():
        try:
            saved = save()
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, done if isinstance(done, str) else done(saved))
            return redirect(then, pk=saved.pk if pk is None else pk)
    extra = context() if callable(context) else context or {}
    return render(request, template, {"form": form, **extra})


def serve_file(field: Any, content_type: str = "") -> FileResponse:
    """A stored file, to people the caller already checked; never guessed from its name."""
    response = FileResponse(field.open("rb"), content_type=content_type or None)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, max-age=0"
    return response


# The attribute ReplyHeadersMiddleware reads: this reply may be kept by the asker's own browser
# and revalidated (ETag), rather than never stored.
REVALIDATE_PRIVATE = "tuoguan_revalidate_private"


def revalidated(response: HttpResponse, etag: str) -> HttpResponse:
    """Mark a reply behind a login as revalidatable: `ETag`, `Cache-Control: private,
    no-cache` (the person's own browser may keep it, never a shared cache, and must ask
    again each time) instead of `no-store`. Only for replies whose ETag changes with every
    change of what they show and of who may see it (e.g. the live view's poll)."""
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    patch_vary_headers(response, ("Cookie", "Accept-Language", "HX-Request", "Authorization"))
    setattr(response, REVALIDATE_PRIVATE, True)
    return response
