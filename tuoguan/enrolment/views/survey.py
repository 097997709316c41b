"""Needs survey pages: the union's list, form, totals with charts and export; the parent's answer.

Staff pages follow the survey's union subtree (outside → 404, read-only role → 403); the
parent pages show only the surveys addressed to the worker's own employer chain.
"""

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tuoguan.accounts.selectors import worker_of, worker_or_404
from tuoguan.core.kit import GET_POST, form_errors, paginate
from tuoguan.orgs.kit import ActorRequest
from tuoguan.orgs.permissions import Actor, require

from ..exports import XLSX_TYPE, survey_workbook
from ..forms.survey import SurveyAnswerForm, SurveyForm
from ..models import NeedsSurvey
from ..services import survey as surveys

# --- The union's pages ------------------------------------------------------------------------


@login_required
@require_GET
def survey_list(request: ActorRequest) -> HttpResponse:
    actor = request.actor
    require(surveys.can_read_surveys(actor))
    page = paginate(request, surveys.surveys_visible_to(actor))
    now = timezone.now()
    for survey in page.object_list:
        survey.phase = surveys.survey_phase(survey, now)
    context = {"page": page, "can_create": actor.is_admin}
    return render(request, "enrolment/survey_list.html", context)


@login_required
@GET_POST
def survey_create(request: ActorRequest) -> HttpResponse:
    actor = request.actor
    require(actor.is_admin)
    form = SurveyForm(request.POST if request.method == "POST" else None, actor=actor)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            survey = surveys.survey_create(
                actor=actor,
                org=data["org"],
                title=data["title"],
                intro=data["intro"],
                opens_at=data["opens_at"],
                closes_at=data["closes_at"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The survey is saved as a draft. Publish it when ready."))
            return redirect("enrolment:survey_detail", pk=survey.pk)
    return render(request, "enrolment/survey_form.html", {"form": form})


def _detail_context(actor: Actor, survey: NeedsSurvey, request: ActorRequest) -> dict[str, Any]:
    totals = surveys.survey_totals(survey)
    units = paginate(request, totals.units)
    return {
        "survey": survey,
        "phase": surveys.survey_phase(survey),
        "can_manage": surveys.can_manage_survey(actor, survey),
        "totals": totals,
        "units": units,
        "chart_data": totals.chart_data(),
    }


@login_required
@require_GET
def survey_detail(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    survey = surveys.survey_for(actor, pk)
    return render(request, "enrolment/survey_detail.html", _detail_context(actor, survey, request))


def _status_change(request: ActorRequest, pk: int, *, publish: bool) -> HttpResponse:
    actor = request.actor
    survey = surveys.survey_for_change(actor, pk)
    try:
        if publish:
            survey = surveys.survey_publish(actor=actor, survey=survey)
            notice, level = _("The survey is published to the workers."), messages.SUCCESS
        else:
            survey = surveys.survey_close(actor=actor, survey=survey)
            notice = _("The survey is closed; answers are now read-only.")
            level = messages.SUCCESS
    except ValidationError as exc:
        notice, level = " ".join(exc.messages), messages.ERROR
    if request.htmx:
        context = {
            "survey": survey,
            "phase": surveys.survey_phase(survey),
            "can_manage": True,
            "notice": notice,
            "notice_is_error": level == messages.ERROR,
        }
        return render(request, "enrolment/_survey_status.html", context)
    messages.add_message(request, level, notice)
    return redirect("enrolment:survey_detail", pk=survey.pk)


@login_required
@require_POST
def survey_publish(request: ActorRequest, pk: int) -> HttpResponse:
    return _status_change(request, pk, publish=True)


@login_required
@require_POST
def survey_close(request: ActorRequest, pk: int) -> HttpResponse:
    return _status_change(request, pk, publish=False)


@login_required
@require_GET
def survey_export(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    survey = surveys.survey_for(actor, pk)
    response = HttpResponse(survey_workbook(survey), content_type=XLSX_TYPE)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.pk}-{stamp}.xlsx"'
    return response


# --- The parent's pages -----------------------------------------------------------------------


@login_required
@require_GET
def my_surveys(request: ActorRequest) -> HttpResponse:
    worker = worker_of(request.user)
    if worker is None:
        return render(request, "accounts/family_no_worker.html")
    published = surveys.surveys_published_for(worker)
    now = timezone.now()
    items = list(published.filter(closes_at__gt=now - datetime.timedelta(days=90))[:50])
    for survey in items:
        survey.phase = surveys.survey_phase(survey, now)  # type: ignore[attr-defined]
    context = {
        "open": [s for s in items if s.phase in ("open", "upcoming")],  # type: ignore[attr-defined]
        "closed": [s for s in items if s.phase == "closed"],  # type: ignore[attr-defined]
    }
    return render(request, "enrolment/my_surveys.html", context)


@login_required
@GET_POST
def survey_answer(request: ActorRequest, pk: int) -> HttpResponse:
    worker = worker_or_404(request.user)
    survey = surveys.survey_for_worker(worker, pk)
    response = surveys.survey_response_of(survey, worker)
    phase = surveys.survey_phase(survey)
    context: dict[str, Any] = {"survey": survey, "phase": phase, "response": response}
    if response is not None:
        context["labels"] = surveys.survey_answer_labels(response)
    if phase != "open":
        if request.method == "POST":
            # The survey closed while the form was open: say so on the read-only page.
            messages.error(request, _("This survey is not open for answers; nothing was saved."))
            return render(request, "enrolment/survey_answer.html", context, status=409)
        return render(request, "enrolment/survey_answer.html", context)
    children = list(worker.children.all())
    if request.method == "POST":
        form = SurveyAnswerForm(request.POST)
    else:
        form = SurveyAnswerForm(initial=SurveyAnswerForm.initial_from(response, children))
    if request.method == "POST" and form.is_valid():
        try:
            surveys.survey_answer(actor=request.actor, survey=survey, **form.answer_fields())
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(
                request, _("Thank you. You can change your answer until the survey closes.")
            )
            return redirect("enrolment:my_surveys")
    context["form"] = form
    return render(request, "enrolment/survey_answer.html", context)


urlpatterns: list[URLPattern] = [
    path("surveys/", survey_list, name="survey_list"),
    path("surveys/new/", survey_create, name="survey_create"),
    path("surveys/<int:pk>/", survey_detail, name="survey_detail"),
    path("surveys/<int:pk>/publish/", survey_publish, name="survey_publish"),
    path("surveys/<int:pk>/close/", survey_close, name="survey_close"),
    path("surveys/<int:pk>/export/", survey_export, name="survey_export"),
    path("surveys/<int:pk>/answer/", survey_answer, name="survey_answer"),
    path("my/surveys/", my_surveys, name="my_surveys"),
]
