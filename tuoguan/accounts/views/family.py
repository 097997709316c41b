"""The parent's family pages (mobile first, one column) and the audited staff view of a child.

Access: every page needs a login except `policy`, which is public on purpose — a guardian
may read the rules on children's data before registering (PIPL Art. 31). Family pages act
on the logged-in worker's own children only; a child outside the actor's scope is a 404,
one that staff may see but not change is a 403 (orgs.permissions).
"""

import datetime
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoguan.accounts import selectors, services
from tuoguan.accounts.forms.family import ChildAddForm, ChildEditForm, ConsentForm, ReasonForm
from tuoguan.accounts.models import Child
from tuoguan.audit.middleware import client_ip
from tuoguan.core.kit import GET_POST, form_errors, paginate
from tuoguan.orgs.kit import ActorRequest
from tuoguan.orgs.permissions import can_change_child, is_guardian, require


def _no_worker(request: ActorRequest) -> HttpResponse:
    return render(request, "accounts/family_no_worker.html")


def _decorate(child: Child, today: datetime.date) -> Child:
    child.age = child.age_on(today)  # type: ignore[attr-defined]
    child.consent_state = selectors.consent_state(child)  # type: ignore[attr-defined]
    return child


def _own_child(request: ActorRequest, pk: int) -> Child:
    """A child the actor may change: invisible → 404, visible to staff only → 403."""
    actor = request.actor
    child = selectors.child_detail_for(actor, pk)
    require(can_change_child(actor, child))
    return child


def _card_or_family(request: ActorRequest, child: Child) -> HttpResponse:
    """HTMX swaps the child's card in place; a plain form post goes back to the family."""
    if request.htmx:
        child = selectors.child_detail_for(request.actor, child.pk)
        return render(
            request,
            "accounts/_child_card.html",
            {"child": _decorate(child, timezone.localdate())},
        )
    return redirect("accounts:family")


@login_required
def family(request: ActorRequest) -> HttpResponse:
    worker = selectors.worker_of(request.user)
    if worker is None:
        return _no_worker(request)
    page = paginate(request, selectors.family_children(request.actor))
    today = timezone.localdate()
    children = [_decorate(child, today) for child in page]
    return render(
        request,
        "accounts/family.html",
        {"worker": worker, "page": page, "children": children},
    )


@login_required
@GET_POST
def child_add(request: ActorRequest) -> HttpResponse:
    worker = selectors.worker_of(request.user)
    if worker is None:
        return _no_worker(request)
    policy = services.consent_policy_current()
    form = ChildAddForm(request.POST) if request.method == "POST" else ChildAddForm()
    if request.method == "POST" and form.is_valid():
        try:
            child = services.child_register(
                actor=request.actor,
                guardian=worker,
                consent=form.cleaned_data["consent"],
                ip=client_ip(request),
                id_number=form.cleaned_data["id_number"] or None,
                **form.child_fields(),
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("%(name)s has been added.") % {"name": child.name})
            return redirect("accounts:family")
    return render(request, "accounts/child_form.html", {"form": form, "policy": policy})


@login_required
@GET_POST
def child_edit(request: ActorRequest, pk: int) -> HttpResponse:
    child = _own_child(request, pk)
    masked = child.id_number_masked
    if request.method == "POST":
        form = ChildEditForm(request.POST, masked_id=masked)
    else:
        initial = {f: getattr(child, f) for f in services.CHILD_FIELDS}
        form = ChildEditForm(initial=initial, masked_id=masked)
    if request.method == "POST" and form.is_valid():
        try:
            services.child_update(
                actor=request.actor,
                child=child,
                id_number=form.id_number_change(),
                **form.child_fields(),
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The record of %(name)s was saved.") % {"name": child})
            return redirect("accounts:family")
    return render(request, "accounts/child_form.html", {"form": form, "child": child})


@login_required
@GET_POST
def child_delete(request: ActorRequest, pk: int) -> HttpResponse:
    """PIPL Art. 47: the guardian erases a child's record (after a confirmation page)."""
    child = _own_child(request, pk)
    if request.method == "POST":
        name = child.name
        services.child_delete(actor=request.actor, child=child)
        messages.success(request, _("All data about %(name)s was deleted.") % {"name": name})
        return redirect("accounts:family")
    return render(request, "accounts/child_delete.html", {"child": child})


@login_required
@GET_POST
def consent_grant(request: ActorRequest, pk: int) -> HttpResponse:
    """Consent (again) under the current policy, which is shown before the box is ticked."""
    child = _own_child(request, pk)
    policy = services.consent_policy_current()
    form = ConsentForm(request.POST) if request.method == "POST" else ConsentForm()
    if request.method == "POST" and form.is_valid():
        if policy is None:
            form.add_error("consent", _("No policy has been published yet; try later."))
        else:
            try:
                services.consent_grant(
                    actor=request.actor, child=child, policy=policy, ip=client_ip(request)
                )
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("Thank you: your consent is recorded."))
                return _card_or_family(request, child)
    return render(
        request, "accounts/consent_grant.html", {"child": child, "policy": policy, "form": form}
    )


@login_required
@GET_POST
def consent_withdraw(request: ActorRequest, pk: int) -> HttpResponse:
    child = _own_child(request, pk)
    if request.method == "POST":
        services.consent_withdraw(actor=request.actor, child=child)
        messages.success(
            request,
            _("Consent withdrawn: %(name)s's data is no longer used.") % {"name": child.name},
        )
        return _card_or_family(request, child)
    return render(request, "accounts/consent_withdraw.html", {"child": child})


def policy(request: HttpRequest) -> HttpResponse:
    """Public: the current policy on children's personal information."""
    return render(request, "accounts/policy.html", {"policy": services.consent_policy_current()})


@login_required
@GET_POST
def family_export(request: ActorRequest) -> HttpResponse:
    """The guardian downloads the family's data as JSON (a POST: each export is logged)."""
    worker = selectors.worker_of(request.user)
    if worker is None:
        return _no_worker(request)
    if request.method != "POST":
        return render(request, "accounts/family_export.html", {"worker": worker})
    data = services.family_export(actor=request.actor, worker=worker)
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    filename = f"tuoguan-family-{timezone.localdate():%Y%m%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _reason_data(request: ActorRequest) -> Any:
    if request.method == "POST":
        return request.POST
    return request.GET if "reason" in request.GET else None


@login_required
@GET_POST
def child_detail(request: ActorRequest, pk: int) -> HttpResponse:
    """The guardian reads freely; anyone else first states a reason, which is logged."""
    actor = request.actor
    child = _decorate(selectors.child_detail_for(actor, pk), timezone.localdate())
    context: dict[str, Any] = {"child": child, "is_guardian": is_guardian(actor, child)}
    if context["is_guardian"]:
        context["consent"] = selectors.child_current_consent(child)
        return render(request, "accounts/child_detail.html", context)
    if child.consent_state != "given":  # type: ignore[attr-defined]
        # Without consent the record is not processed at all: nothing personal is shown.
        return render(request, "accounts/child_consent_missing.html", context)
    form = ReasonForm(_reason_data(request))
    if not form.is_bound or not form.is_valid():
        return render(request, "accounts/child_reason.html", {**context, "form": form})
    services.child_view(actor=actor, child=child, reason=form.cleaned_data["reason"])
    context["consent"] = selectors.child_current_consent(child)
    context["reason"] = form.cleaned_data["reason"]
    return render(request, "accounts/child_detail.html", context)


urlpatterns: list[URLPattern] = [
    path("family/", family, name="family"),
    path("family/children/add/", child_add, name="child_add"),
    path("family/children/<int:pk>/edit/", child_edit, name="child_edit"),
    path("family/children/<int:pk>/delete/", child_delete, name="child_delete"),
    path("family/children/<int:pk>/consent/", consent_grant, name="consent_grant"),
    path("family/children/<int:pk>/consent/withdraw/", consent_withdraw, name="consent_withdraw"),
    path("family/export/", family_export, name="family_export"),
    path("policy/", policy, name="policy"),
    path("children/<int:pk>/", child_detail, name="child_detail"),
]
