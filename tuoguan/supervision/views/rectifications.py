"""Pages of rectification orders: the list, one order, answering, reviewing, extending."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tuoguan.core.kit import GET_POST, form_errors, paginate, serve_file
from tuoguan.orgs.kit import ActorRequest, staff_actor
from tuoguan.orgs.permissions import require

from .. import selectors, services
from ..forms import (
    RectificationAnswerForm,
    RectificationExtendForm,
    RectificationFilterForm,
    RectificationReassignForm,
    RectificationReviewForm,
)
from ..permissions import can_answer_rectification, can_decide_rectification


@login_required
@require_GET
def rectification_list(request: ActorRequest) -> HttpResponse:
    actor = staff_actor(request)
    form = RectificationFilterForm(request.GET or None)
    state = form.cleaned_data.get("state") if form.is_bound and form.is_valid() else "open"
    orders = selectors.rectifications_filter(
        selectors.rectifications_visible_to(actor), state=state or "open"
    )
    return render(
        request,
        "supervision/rectification_list.html",
        {"form": form, "page": paginate(request, orders), "state": state or "open"},
    )


@login_required
@require_GET
def rectification_detail(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    order = selectors.rectification_for(actor, pk)
    context = {
        "order": order,
        "events": list(order.events.select_related("by")),
        "evidence": list(order.evidence.all()),
        "can_answer": can_answer_rectification(actor, order),
        "can_decide": can_decide_rectification(actor, order),
    }
    return render(request, "supervision/rectification_detail.html", context)


@login_required
@GET_POST
def rectification_answer(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    order = selectors.rectification_for(actor, pk)
    require(can_answer_rectification(actor, order))
    form = RectificationAnswerForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.rectification_answer(
                actor=actor,
                rectification=order,
                answer=data["answer"],
                files=[data["file"]] if data.get("file") else [],
            )
        except ValidationError as exc:
            form_errors(form, exc, rename={"files": "file"})
        else:
            messages.success(request, _("Answer sent; the inspector will review it."))
            return redirect("supervision:rectification_detail", pk=order.pk)
    return render(
        request,
        "supervision/rectification_form.html",
        {"order": order, "form": form, "heading": _("Answer the order")},
    )


@login_required
@GET_POST
def rectification_review(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    order = selectors.rectification_for(actor, pk)
    require(can_decide_rectification(actor, order))
    form = RectificationReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == "accept":
                services.rectification_accept(actor=actor, rectification=order, note=data["reason"])
            else:
                services.rectification_send_back(
                    actor=actor, rectification=order, reason=data["reason"]
                )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Decision saved."))
            return redirect("supervision:rectification_detail", pk=order.pk)
    return render(
        request,
        "supervision/rectification_form.html",
        {"order": order, "form": form, "heading": _("Review the answer")},
    )


@login_required
@GET_POST
def rectification_extend(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    order = selectors.rectification_for(actor, pk)
    require(can_decide_rectification(actor, order))
    form = RectificationExtendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.rectification_extend(actor=actor, rectification=order, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc, rename={"extension_reason": "reason"})
        else:
            messages.success(request, _("Deadline extended."))
            return redirect("supervision:rectification_detail", pk=order.pk)
    return render(
        request,
        "supervision/rectification_form.html",
        {"order": order, "form": form, "heading": _("Extend the deadline")},
    )


@login_required
@GET_POST
def rectification_reassign(request: ActorRequest, pk: int) -> HttpResponse:
    """Give the order to another person at the class (the inspector or their union)."""
    actor = request.actor
    order = selectors.rectification_for(actor, pk)
    require(can_decide_rectification(actor, order) and order.is_open)
    form = RectificationReassignForm(
        request.POST or None,
        owners=selectors.owner_candidates(order.term),
        initial={"owner": order.owner_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.rectification_reassign(actor=actor, rectification=order, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Owner changed."))
            return redirect("supervision:rectification_detail", pk=order.pk)
    return render(
        request,
        "supervision/rectification_form.html",
        {"order": order, "form": form, "heading": _("Change the owner")},
    )


@login_required
@require_GET
def rectification_evidence(request: ActorRequest, pk: int) -> FileResponse:
    found = selectors.rectification_evidence_for(request.actor, pk)
    return serve_file(found.file, found.content_type)


urlpatterns = [
    path("rectifications/", rectification_list, name="rectification_list"),
    path("rectifications/<int:pk>/", rectification_detail, name="rectification_detail"),
    path("rectifications/<int:pk>/answer/", rectification_answer, name="rectification_answer"),
    path("rectifications/<int:pk>/review/", rectification_review, name="rectification_review"),
    path("rectifications/<int:pk>/extend/", rectification_extend, name="rectification_extend"),
    path(
        "rectifications/<int:pk>/reassign/", rectification_reassign, name="rectification_reassign"
    ),
    path("rectification-evidence/<int:pk>/", rectification_evidence, name="rectification_evidence"),
]
