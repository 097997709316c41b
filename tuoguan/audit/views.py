"""The audit log pages: read-only by design; nothing here edits or deletes an entry."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from tuoguan.core.lookups import require

from . import selectors
from .forms import AuditFilterForm

PAGE_SIZE = 50


def _wants_fragment(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    # A history restore asks for the whole page again, although it comes through HTMX.
    return bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]


@login_required
@require_GET
def log(request: HttpRequest) -> HttpResponse:
    """The log of one's subtree, newest first, filtered by the form above it."""
    actor = request.actor  # type: ignore[attr-defined]
    require(actor.is_admin)
    form = AuditFilterForm(request.GET or None)
    entries = selectors.entries_visible_to(actor)
    if form.is_bound and not form.is_valid():
        # A wrong filter shows nothing rather than the whole log under a misleading form.
        entries = entries.none()
    elif form.is_bound:
        entries = selectors.entries_filtered(entries, form.cleaned_data)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page_obj": page}
    template = "audit/_log_table.html" if _wants_fragment(request) else "audit/log.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
@require_GET
def entry(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    require(actor.is_admin)
    return render(request, "audit/entry.html", {"entry": selectors.entry_for(actor, pk)})
