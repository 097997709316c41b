"""The inspector's phone page: the checklist, kept and sent by static/js/inspect.js offline.

Without JavaScript every item is a form of its own that posts here; with it, answers and
photos go to the outbox in IndexedDB first and to the API (/api/v1/visits/<pk>/answers/,
…/photos/) when the network allows. Both end in the same services.
"""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tuoguan.core.kit import GET_POST, form_errors, refusal
from tuoguan.orgs.kit import ActorRequest
from tuoguan.orgs.permissions import require

from .. import selectors, services
from ..forms import AcknowledgeForm, AnswerForm, FreeItemForm, SignForm
from ..models import ItemResult
from ..permissions import can_acknowledge, can_inspect, is_inspector
from ..providers import attendance_on


@login_required
@GET_POST
def visit_inspect(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    visit = selectors.visit_for(actor, pk)
    require(is_inspector(actor, visit))
    items = selectors.checklist(visit)
    context = {
        "visit": visit,
        "items": items,
        "results": ItemResult.choices,
        "fresh_id": uuid.uuid4,
        "attendance": attendance_on(visit.term, visit.date),
        "editable": can_inspect(actor, visit),
        "item_form": FreeItemForm(initial={"client_id": uuid.uuid4()}),
        "blank_item": {"key": "__KEY__", "label": "", "is_veto": True},
    }
    return render(request, "supervision/visit_inspect.html", context)


@login_required
@require_POST
def visit_start(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    visit = selectors.visit_for(actor, pk)
    require(can_inspect(actor, visit))
    services.visit_start(actor=actor, visit=visit)
    return redirect("supervision:visit_inspect", pk=visit.pk)


@login_required
@require_POST
def visit_answer(request: ActorRequest, pk: int) -> HttpResponse:
    """One item's judgement and, optionally, a photo (the page without JavaScript)."""
    actor = request.actor
    visit = selectors.visit_for(actor, pk)
    require(can_inspect(actor, visit))
    form = AnswerForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("supervision:visit_inspect", pk=visit.pk)
    data = form.cleaned_data
    try:
        services.visit_answers_sync(
            actor=actor,
            visit=visit,
            answers=[{k: data[k] for k in ("client_id", "item_key", "result", "notes")}],
        )
        if data.get("image"):
            services.visit_photo_add(
                actor=actor,
                visit=visit,
                item_key=data["item_key"],
                client_id=uuid.uuid4(),
                image=data["image"],
            )
    except ValidationError as exc:
        refusal(request, exc)
    else:
        messages.success(request, _("Saved."))
    return redirect(f"{visit.get_inspect_url()}#item-{data['item_key']}")


@login_required
@require_POST
def visit_item_add(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    visit = selectors.visit_for(actor, pk)
    require(can_inspect(actor, visit))
    form = FreeItemForm(request.POST)
    if form.is_valid():
        try:
            services.visit_item_add(actor=actor, visit=visit, **form.cleaned_data)
        except ValidationError as exc:
            refusal(request, exc)
        else:
            messages.success(request, _("Item added."))
    return redirect("supervision:visit_inspect", pk=visit.pk)


@login_required
@GET_POST
def visit_sign(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    visit = selectors.visit_for(actor, pk)
    require(can_inspect(actor, visit))
    items = selectors.checklist(visit)
    failed = [i for i in items if i.result == "fail"]
    form = SignForm(
        request.POST or None,
        failed=failed,
        owners=selectors.owner_candidates(visit.term),
        owner=selectors.default_owner(visit.term) if failed else None,
        deadline=services.default_deadline(visit),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.visit_sign(actor=actor, visit=visit, **form.sign_data())
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Visit signed off."))
            return redirect("supervision:visit_detail", pk=visit.pk)
    context = {
        "visit": visit,
        "form": form,
        "failed": failed,
        "unanswered": [i for i in items if not i.result],
    }
    return render(request, "supervision/visit_sign.html", context)


@login_required
@GET_POST
def visit_acknowledge(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    visit = selectors.visit_for(actor, pk)
    require(can_acknowledge(actor, visit))
    form = AcknowledgeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.visit_acknowledge(actor=actor, visit=visit, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Visit acknowledged."))
            return redirect("supervision:visit_detail", pk=visit.pk)
    return render(request, "supervision/visit_acknowledge.html", {"visit": visit, "form": form})


urlpatterns = [
    path("visits/<int:pk>/inspect/", visit_inspect, name="visit_inspect"),
    path("visits/<int:pk>/start/", visit_start, name="visit_start"),
    path("visits/<int:pk>/answer/", visit_answer, name="visit_answer"),
    path("visits/<int:pk>/items/add/", visit_item_add, name="visit_item_add"),
    path("visits/<int:pk>/sign/", visit_sign, name="visit_sign"),
    path("visits/<int:pk>/acknowledge/", visit_acknowledge, name="visit_acknowledge"),
]
