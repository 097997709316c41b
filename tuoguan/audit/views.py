"""The audit log pages: read-only by design; nothing here edits or deletes an entry."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from tuoguan.core.kit import HtmxRequest, paginate, wants_fragment
from tuoguan.core.lookups import require

from . import selectors
from .forms import AuditFilterForm


class ActorRequest(HtmxRequest):
    # audit sits below orgs (DESIGN §3): the actor orgs' middleware sets is typed loosely here.
    actor: Any


@login_required
@require_GET
def log(request: ActorRequest) -> HttpResponse:
    """The log of one's subtree, newest first, filtered by the form above it."""
    actor = request.actor
    require(actor.is_admin)
    form = AuditFilterForm(request.GET or None)
    entries = selectors.entries_visible_to(actor)
    if form.is_bound and not form.is_valid():
        # A wrong filter shows nothing rather than the whole log under a misleading form.
        entries = entries.none()
    elif form.is_bound:
        entries = selectors.entries_filtered(entries, form.cleaned_data)
    page = paginate(request, entries)
    context = {"form": form, "page_obj": page}
    template = "audit/_log_table.html" if wants_fragment(request) else "audit/log.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
@require_GET
def entry(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    require(actor.is_admin)
    return render(request, "audit/entry.html", {"entry": selectors.entry_for(actor, pk)})
