"""The public notice (公示), its objections, and the designations that follow it.

The notice and the list of designations are public pages (no login): anyone reads them and
anyone may object. The organiser's admins answer objections, designate and revoke.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tuoguan.audit.middleware import client_ip
from tuoguan.core.kit import GET_POST, form_errors, form_page, paginate, refusal
from tuoguan.orgs.kit import ActorRequest
from tuoguan.orgs.permissions import require

from . import notice, selectors
from .forms import DesignationFilterForm, ObjectionAnswerForm, ObjectionForm, RevokeForm
from .permissions import can_manage_campaign


@require_GET
def notice_page(request: ActorRequest, pk: int) -> HttpResponse:
    campaign = selectors.public_campaign(pk)
    context = {"campaign": campaign, "entries": list(selectors.notice_entries(campaign))}
    return render(request, "awards/notice.html", context)


@GET_POST
def objection_create(request: ActorRequest, pk: int) -> HttpResponse:
    entry = selectors.public_entry(pk)
    form = ObjectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            notice.objection_lodge(entry=entry, address=client_ip(request), **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(
                request, _("Objection received; the organiser will investigate and answer you.")
            )
            return redirect("awards:notice", pk=entry.campaign_id)
    return render(request, "awards/objection_form.html", {"form": form, "entry": entry})


@login_required
@require_GET
def objection_list(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    campaign = selectors.campaign_for(actor, pk)
    require(can_manage_campaign(actor, campaign))
    context = {
        "campaign": campaign,
        "page": paginate(request, selectors.campaign_objections(campaign)),
    }
    return render(request, "awards/objection_list.html", context)


@login_required
@GET_POST
def objection_answer(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    objection = selectors.objection_for(actor, pk)
    campaign = objection.entry.campaign
    require(can_manage_campaign(actor, campaign))
    form = ObjectionAnswerForm(request.POST or None)
    return form_page(
        request,
        form,
        lambda: notice.objection_answer(actor=actor, objection=objection, **form.cleaned_data),
        done=_("Answer recorded."),
        then="awards:objection_list",
        pk=campaign.pk,
        template="awards/objection_answer.html",
        context={"objection": objection, "campaign": campaign},
    )


@login_required
@require_POST
def campaign_publish_notice(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    campaign = selectors.campaign_for(actor, pk)
    require(can_manage_campaign(actor, campaign))
    try:
        notice.campaign_publish_notice(actor=actor, campaign=campaign)
    except ValidationError as exc:
        refusal(request, exc)
    else:
        messages.success(request, _("The notice is published."))
    return redirect("awards:campaign_detail", pk=campaign.pk)


@login_required
@require_POST
def campaign_designate(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    campaign = selectors.campaign_for(actor, pk)
    require(can_manage_campaign(actor, campaign))
    try:
        made = notice.campaign_designate(actor=actor, campaign=campaign)
    except ValidationError as exc:
        refusal(request, exc)
    else:
        messages.success(request, _("%(n)s classes designated.") % {"n": len(made)})
    return redirect("awards:campaign_detail", pk=campaign.pk)


@require_GET
def designation_list(request: ActorRequest) -> HttpResponse:
    form = DesignationFilterForm(request.GET or None, regions=selectors.region_choices())
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    designations = selectors.public_designations(
        level=data.get("level"), year=data.get("year"), region=data.get("region")
    )
    return render(
        request, "awards/designations.html", {"form": form, "page": paginate(request, designations)}
    )


@login_required
@GET_POST
def designation_revoke(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    designation = selectors.designation_for(actor, pk)
    require(
        actor.is_admin and actor.org is not None and designation.org.path.startswith(actor.org.path)
    )
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            notice.designation_revoke(actor=actor, designation=designation, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Designation revoked."))
            return redirect("awards:designation_list")
    context = {"form": form, "heading": _("Revoke the designation"), "designation": designation}
    return render(request, "awards/form.html", context)


urlpatterns = [
    path("<int:pk>/notice/", notice_page, name="notice"),
    path("<int:pk>/notice/publish/", campaign_publish_notice, name="campaign_publish_notice"),
    path("<int:pk>/designate/", campaign_designate, name="campaign_designate"),
    path("<int:pk>/objections/", objection_list, name="objection_list"),
    path("entries/<int:pk>/object/", objection_create, name="objection_create"),
    path("objections/<int:pk>/answer/", objection_answer, name="objection_answer"),
    path("designations/", designation_list, name="designation_list"),
    path("designations/<int:pk>/revoke/", designation_revoke, name="designation_revoke"),
]
