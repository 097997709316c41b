"""Pages of selection campaigns and their entries."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tuoguan.core.kit import GET_POST, form_errors, form_page, paginate, refusal, serve_file
from tuoguan.orgs.kit import ActorRequest, staff_actor
from tuoguan.orgs.permissions import require

from . import selectors, services
from .forms import (
    CampaignForm,
    ConditionForm,
    DecisionForm,
    EntryForm,
    MaterialForm,
    ReviewerForm,
    RubricForm,
    ScoreForm,
)
from .permissions import (
    can_assign_reviewers,
    can_create_campaign,
    can_manage_campaign,
    can_recommend,
    can_score,
    can_see_results,
    can_withdraw,
)
from .ranking import campaign_standings


@login_required
@require_GET
def campaign_list(request: ActorRequest) -> HttpResponse:
    actor = staff_actor(request)
    campaigns = selectors.campaigns_visible_to(actor).order_by("-year", "level", "pk")
    context = {
        "page": paginate(request, campaigns),
        "can_create": can_create_campaign(actor),
        "to_decide": selectors.entries_to_decide(actor).count(),
    }
    return render(request, "awards/campaign_list.html", context)


@login_required
@GET_POST
def campaign_create(request: ActorRequest) -> HttpResponse:
    actor = staff_actor(request)
    require(can_create_campaign(actor))
    form = CampaignForm(request.POST or None)
    return form_page(
        request,
        form,
        lambda: services.campaign_create(actor=actor, **form.cleaned_data),
        done=_("Campaign created as a draft: check its conditions and rubric, then open it."),
        then="awards:campaign_detail",
        template="awards/form.html",
        context={"heading": _("New selection campaign")},
    )


@login_required
@require_GET
def campaign_detail(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    campaign = selectors.campaign_for(actor, pk)
    entries = list(selectors.campaign_entries(actor, campaign))
    eligibility = selectors.eligibility_of(entries)
    rows = [(entry, eligibility[entry.pk]) for entry in entries]
    context = {
        "campaign": campaign,
        "conditions": list(campaign.conditions.all()),
        "rubric": list(campaign.rubric.all()),
        "rows": rows,
        "can_manage": can_manage_campaign(actor, campaign),
        "can_assign": can_assign_reviewers(actor, campaign),
        "can_see_results": can_see_results(actor, campaign),
        "reviewers": list(selectors.reviewers_of(campaign)),
        "can_enter": campaign.is_open and selectors.enterable_terms(actor, campaign).exists(),
    }
    return render(request, "awards/campaign_detail.html", context)


@login_required
@GET_POST
def campaign_edit(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    campaign = selectors.campaign_for(actor, pk)
    require(can_manage_campaign(actor, campaign))
    form = CampaignForm(request.POST or None, instance=campaign)
    return form_page(
        request,
        form,
        lambda: services.campaign_update(actor=actor, campaign=campaign, **form.cleaned_data),
        done=_("Saved."),
        then="awards:campaign_detail",
        template="awards/form.html",
        context={"heading": _("Edit the campaign"), "campaign": campaign},
    )


@login_required
@GET_POST
def condition_edit(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    condition = selectors.condition_for(actor, pk)
    require(can_manage_campaign(actor, condition.campaign))
    form = ConditionForm(request.POST or None, instance=condition)
    return form_page(
        request,
        form,
        lambda: services.condition_update(
            actor=actor,
            condition=condition,
            threshold=form.cleaned_data["threshold"],
            is_veto=form.cleaned_data["is_veto"],
        ),
        done=_("Condition saved."),
        then="awards:campaign_detail",
        pk=condition.campaign_id,
        template="awards/form.html",
        context={"heading": condition.get_kind_display(), "campaign": condition.campaign},
    )


@login_required
@GET_POST
def rubric_edit(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    campaign = selectors.campaign_for(actor, pk)
    require(can_manage_campaign(actor, campaign))
    current = "\n".join(f"{item.name} {item.points}" for item in campaign.rubric.all())
    form = RubricForm(request.POST or None, initial={"items": current})
    return form_page(
        request,
        form,
        lambda: services.rubric_set(
            actor=actor, campaign=campaign, items=form.cleaned_data["items"]
        ),
        done=_("Rubric saved."),
        then="awards:campaign_detail",
        pk=campaign.pk,
        template="awards/form.html",
        context={"heading": _("Rubric"), "campaign": campaign},
    )


@login_required
@require_POST
def campaign_open(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    campaign = selectors.campaign_for(actor, pk)
    require(can_manage_campaign(actor, campaign))
    try:
        services.campaign_open(actor=actor, campaign=campaign)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The campaign is open for entries."))
    return redirect("awards:campaign_detail", pk=campaign.pk)


# --- Entries ---------------------------------------------------------------------------------


@login_required
@GET_POST
def entry_create(request: ActorRequest, pk: int) -> HttpResponse:
    actor = staff_actor(request)
    campaign = selectors.campaign_for(actor, pk)
    terms = selectors.enterable_terms(actor, campaign)
    require(campaign.is_open and terms.exists())
    form = EntryForm(request.POST or None, request.FILES or None, campaign=campaign, terms=terms)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry = services.nomination_enter(
                actor=actor,
                campaign=campaign,
                term=data["term"],
                answers=form.answers(),
                video_url=data["video_url"],
                files=[data["file"]] if data.get("file") else [],
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Entry sent; the union above will consider it."))
            return redirect("awards:entry_detail", pk=entry.pk)
    return render(
        request,
        "awards/form.html",
        {"form": form, "heading": _("Enter a class"), "campaign": campaign},
    )


@login_required
@require_GET
def entry_detail(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    entry = selectors.entry_for(actor, pk)
    context = {
        "entry": entry,
        "eligibility": selectors.eligibility_of([entry])[entry.pk],
        "steps": list(entry.steps.all()),
        "materials": list(entry.files.all()),
        "answers": [(q, entry.answers.get(q, "")) for q in entry.campaign.questions],
        "can_decide": can_recommend(actor, entry),
        "can_change": can_withdraw(actor, entry),
        "can_score": can_score(actor, entry),
        "scorecards": selectors.entry_scorecards(actor, entry),
    }
    return render(request, "awards/entry_detail.html", context)


@login_required
@require_GET
def entries_to_decide(request: ActorRequest) -> HttpResponse:
    actor = staff_actor(request)
    entries = selectors.entries_to_decide(actor).order_by("campaign", "applied_at", "pk")
    return render(request, "awards/to_decide.html", {"page": paginate(request, entries)})


@login_required
@GET_POST
def entry_decide(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    entry = selectors.entry_for(actor, pk)
    require(can_recommend(actor, entry))
    form = DecisionForm(request.POST or None)
    return form_page(
        request,
        form,
        lambda: services.nomination_decide(actor=actor, entry=entry, **form.cleaned_data),
        done=_("Decision saved."),
        then="awards:entry_detail",
        template="awards/form.html",
        context={"heading": _("Recommend the entry"), "entry": entry},
    )


@login_required
@require_POST
def entry_withdraw(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    entry = selectors.entry_for(actor, pk)
    require(can_withdraw(actor, entry))
    services.nomination_withdraw(actor=actor, entry=entry)
    messages.success(request, _("Entry withdrawn."))
    return redirect("awards:entry_detail", pk=entry.pk)


@login_required
@GET_POST
def material_add(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    entry = selectors.entry_for(actor, pk)
    require(can_withdraw(actor, entry))
    form = MaterialForm(request.POST or None, request.FILES or None)
    return form_page(
        request,
        form,
        lambda: services.material_add(
            actor=actor,
            entry=entry,
            upload=form.cleaned_data["file"],
            title=form.cleaned_data["title"],
        ),
        done=_("Material added."),
        then="awards:entry_detail",
        pk=entry.pk,
        template="awards/form.html",
        context={"heading": _("Add a photo or document"), "entry": entry},
    )


@login_required
@require_GET
def material(request: ActorRequest, pk: int) -> FileResponse:
    found = selectors.material_for(request.actor, pk)
    return serve_file(found.file, found.content_type)


# --- Reviewers, scores and results ------------------------------------------------------------


@login_required
@GET_POST
def reviewer_add(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    campaign = selectors.campaign_for(actor, pk)
    require(can_assign_reviewers(actor, campaign))
    form = ReviewerForm(request.POST or None, candidates=selectors.reviewer_candidates(campaign))
    return form_page(
        request,
        form,
        lambda: services.reviewer_add(actor=actor, campaign=campaign, **form.cleaned_data),
        done=_("Reviewer added."),
        then="awards:campaign_detail",
        pk=campaign.pk,
        template="awards/form.html",
        context={
            "heading": _("Add a reviewer"),
            "campaign": campaign,
            "reviewers": list(selectors.reviewers_of(campaign)),
        },
    )


@login_required
@require_POST
def reviewer_remove(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    reviewer = selectors.reviewer_for(actor, pk)
    require(can_assign_reviewers(actor, reviewer.campaign))
    try:
        services.reviewer_remove(actor=actor, reviewer=reviewer)
    except ValidationError as exc:
        refusal(request, exc)
    else:
        messages.success(request, _("Reviewer removed."))
    return redirect("awards:campaign_detail", pk=reviewer.campaign_id)


@login_required
@require_POST
def campaign_start_review(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    campaign = selectors.campaign_for(actor, pk)
    require(can_manage_campaign(actor, campaign))
    try:
        services.campaign_start_review(actor=actor, campaign=campaign)
    except ValidationError as exc:
        refusal(request, exc)
    else:
        messages.success(request, _("Entries are closed; the reviewers may score."))
    return redirect("awards:campaign_detail", pk=campaign.pk)


@login_required
@require_GET
def my_reviews(request: ActorRequest) -> HttpResponse:
    actor = staff_actor(request)
    return render(request, "awards/my_reviews.html", {"rows": selectors.entries_to_score(actor)})


@login_required
@GET_POST
def entry_score(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    entry = selectors.entry_for(actor, pk)
    require(can_score(actor, entry))
    form = ScoreForm(request.POST or None, items=entry.campaign.rubric.all())
    if request.method == "POST" and form.is_valid():
        try:
            services.scorecard_submit(
                actor=actor,
                entry=entry,
                points=form.points(),
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Scores sent."))
            return redirect("awards:entry_detail", pk=entry.pk)
    context = {
        "form": form,
        "heading": _("Score the entry"),
        "entry": entry,
        "eligibility": selectors.eligibility_of([entry])[entry.pk],
    }
    return render(request, "awards/score_form.html", context)


@login_required
@require_GET
def campaign_results(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    campaign = selectors.campaign_for(actor, pk)
    require(can_see_results(actor, campaign))
    context = {"campaign": campaign, "standings": campaign_standings(campaign)}
    return render(request, "awards/results.html", context)


urlpatterns = [
    path("", campaign_list, name="campaign_list"),
    path("new/", campaign_create, name="campaign_create"),
    path("<int:pk>/", campaign_detail, name="campaign_detail"),
    path("<int:pk>/edit/", campaign_edit, name="campaign_edit"),
    path("<int:pk>/rubric/", rubric_edit, name="rubric_edit"),
    path("<int:pk>/open/", campaign_open, name="campaign_open"),
    path("<int:pk>/enter/", entry_create, name="entry_create"),
    path("conditions/<int:pk>/", condition_edit, name="condition_edit"),
    path("entries/to-decide/", entries_to_decide, name="entries_to_decide"),
    path("entries/<int:pk>/", entry_detail, name="entry_detail"),
    path("entries/<int:pk>/decide/", entry_decide, name="entry_decide"),
    path("entries/<int:pk>/withdraw/", entry_withdraw, name="entry_withdraw"),
    path("entries/<int:pk>/materials/", material_add, name="material_add"),
    path("materials/<int:pk>/", material, name="material"),
    path("<int:pk>/reviewers/", reviewer_add, name="reviewer_add"),
    path("reviewers/<int:pk>/remove/", reviewer_remove, name="reviewer_remove"),
    path("<int:pk>/review/", campaign_start_review, name="campaign_start_review"),
    path("<int:pk>/results/", campaign_results, name="campaign_results"),
    path("reviews/", my_reviews, name="my_reviews"),
    path("entries/<int:pk>/score/", entry_score, name="entry_score"),
]
