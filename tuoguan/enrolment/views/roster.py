"""The roster of a term for the union and the class manager: statuses, paperwork per child,
filters, reminders, export, the paper applications import, admission and removal by hand,
and the lottery draw.

Access: outside the subtree → 404; caregivers, inspectors and reviewers read (roster roles);
acting is for the host's admins and class managers (403 for the others).
"""

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tuoguan.core.jobs import job_create
from tuoguan.core.kit import GET_POST, form_errors, paginate, refusal
from tuoguan.core.models import Job
from tuoguan.orgs.kit import ActorRequest
from tuoguan.orgs.permissions import get_or_404, require
from tuoguan.programs.models import EnrolMode, TermStatus
from tuoguan.programs.selectors import terms_visible_to

from ..exports import EXPORT_JOB_KIND, XLSX_TYPE, roster_export
from ..forms.enrol import DrawForm, ReasonForm, RosterFilterForm, RosterImportForm
from ..models import ACTIVE_STATUSES, Enrolment
from ..permissions import ROSTER_READER_ROLES
from ..selectors import draw_latest
from ..services import draw_run, enrolment_admit_manually, enrolment_remove
from ..services import roster as rosters
from ..services import roster_import as paper

ROSTER_STATUSES = (TermStatus.ENROLLING, TermStatus.RUNNING, TermStatus.APPROVED, TermStatus.CLOSED)


# --- The terms and the roster -----------------------------------------------------------------


@login_required
@require_GET
def roster_terms(request: ActorRequest) -> HttpResponse:
    """Terms of the subtree with their numbers, each linking to its roster."""
    actor = request.actor
    require(actor.has_role(ROSTER_READER_ROLES))
    terms = (
        terms_visible_to(actor)
        .filter(status__in=ROSTER_STATUSES)
        .annotate(
            active=Count("enrolments", filter=Q(enrolments__status__in=ACTIVE_STATUSES)),
            missing=Count("enrolments", filter=Q(enrolments__status="admitted")),
        )
        .order_by("-start_date", "pk")
    )
    page = paginate(request, terms)
    return render(request, "enrolment/roster_terms.html", {"page": page})


@login_required
@require_GET
def roster(request: ActorRequest, term_pk: int) -> HttpResponse:
    actor = request.actor
    term = rosters.roster_term_for(actor, term_pk)
    form = RosterFilterForm(request.GET or None, term=term)
    filters = form.filters()
    page = paginate(request, rosters.roster_enrolments(term, **filters))
    context = {
        "term": term,
        "form": form,
        "page": page,
        "rows": rosters.roster_rows(list(page.object_list)),
        "columns": rosters.paperwork_columns(),
        "can_manage": rosters.can_manage_roster(actor, term),
    }
    if request.htmx:
        return render(request, "enrolment/_roster_table.html", context)
    is_lottery = term.enrol_mode == EnrolMode.LOTTERY
    context.update(
        counts=rosters.roster_counts(term),
        last_reminder=rosters.last_reminder(term),
        is_lottery=is_lottery,
        draw=draw_latest(term) if is_lottery else None,
        draw_form=DrawForm(),
        export_query=request.GET.urlencode(),
    )
    return render(request, "enrolment/roster.html", context)


# --- Acting on one enrolment ------------------------------------------------------------------


def _manageable(request: ActorRequest, term_pk: int, pk: int) -> tuple[Any, Enrolment]:
    actor = request.actor
    term = rosters.roster_term_for(actor, term_pk)
    enrolment = rosters.roster_enrolment_for(actor, term, pk)
    require(rosters.can_manage_roster(actor, term))
    return term, enrolment


def _reason_act(request: ActorRequest, term_pk: int, pk: int, *, admit: bool) -> HttpResponse:
    term, enrolment = _manageable(request, term_pk, pk)
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        service = enrolment_admit_manually if admit else enrolment_remove
        try:
            service(actor=request.actor, enrolment=enrolment, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            done = _("%(child)s is admitted.") if admit else _("%(child)s is removed.")
            messages.success(request, done % {"child": enrolment.child.name})
            return redirect("enrolment:roster", term_pk=term.pk)
    context = {"term": term, "enrolment": enrolment, "form": form, "admit": admit}
    status = 400 if form.errors else 200
    return render(request, "enrolment/roster_reason.html", context, status=status)


@login_required
@GET_POST
def roster_admit(request: ActorRequest, term_pk: int, pk: int) -> HttpResponse:
    return _reason_act(request, term_pk, pk, admit=True)


@login_required
@GET_POST
def roster_remove(request: ActorRequest, term_pk: int, pk: int) -> HttpResponse:
    return _reason_act(request, term_pk, pk, admit=False)


# --- Acting on the whole roster ---------------------------------------------------------------


@login_required
@require_POST
def roster_remind(request: ActorRequest, term_pk: int) -> HttpResponse:
    actor = request.actor
    term = rosters.roster_term_for(actor, term_pk)
    group = RosterFilterForm(request.POST, term=term).filters()["group"]
    try:
        outcome = rosters.roster_remind(
            actor=actor,
            term=term,
            group=group,
            language=get_language() or "zh-hans",
            confirmed=request.POST.get("confirm") == "again",
        )
    except rosters.RemindedRecently as exc:
        context = {"term": term, "group": group, "message": exc.messages[0], "last": exc.last}
        return render(request, "enrolment/roster_remind_confirm.html", context)
    if outcome.job is not None:
        return redirect("core:job", pk=outcome.job.pk)
    messages.success(
        request,
        _("%(count)d families were reminded of their missing paperwork.") % {"count": outcome.sent},
    )
    return redirect("enrolment:roster", term_pk=term.pk)


@login_required
@require_GET
def roster_export_view(request: ActorRequest, term_pk: int) -> HttpResponse:
    actor = request.actor
    term = rosters.roster_term_for(actor, term_pk)
    filters = RosterFilterForm(request.GET or None, term=term).filters()
    export = roster_export(
        actor=actor, term=term, filters=filters, language=get_language() or "zh-hans"
    )
    if export.job is not None:
        return redirect("core:job", pk=export.job.pk)
    response = HttpResponse(export.content, content_type=XLSX_TYPE)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="roster-{term.pk}-{stamp}.xlsx"'
    return response


@login_required
@require_GET
def roster_export_download(request: ActorRequest, job_pk: int) -> FileResponse:
    """The file a background export wrote; only for the person who asked for it."""
    job = get_or_404(Job.objects.filter(owner=request.actor.user, kind=EXPORT_JOB_KIND), pk=job_pk)
    stored = job.result.get("path") if isinstance(job.result, dict) else None
    if not stored or not default_storage.exists(stored):
        raise Http404
    response = FileResponse(
        default_storage.open(stored, "rb"), content_type=XLSX_TYPE, filename=f"roster-{job.pk}.xlsx"
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def roster_draw(request: ActorRequest, term_pk: int) -> HttpResponse:
    actor = request.actor
    term = rosters.roster_term_for(actor, term_pk)
    require(rosters.can_manage_roster(actor, term))
    form = DrawForm(request.POST)
    if form.is_valid():
        try:
            draw = draw_run(
                actor=actor,
                term=term,
                seed=form.cleaned_data["seed"] or None,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            refusal(request, exc)
        else:
            if draw.job_id:
                return redirect("core:job", pk=draw.job_id)
            return redirect("enrolment:draw_public", pk=draw.pk)
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("enrolment:roster", term_pk=term.pk)


# --- Paper applications -----------------------------------------------------------------------


@login_required
@GET_POST
def roster_import(request: ActorRequest, term_pk: int) -> HttpResponse:
    """Upload paper applications: the file is checked here, the rows in a background job."""
    actor = request.actor
    term = rosters.roster_term_for(actor, term_pk)
    require(rosters.can_manage_roster(actor, term))
    form = RosterImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = job_create(
            owner=request.actor.user,
            kind=paper.JOB_KIND,
            title=_("Paper applications: %(file)s")
            % {"file": form.cleaned_data["file"].name[:150]},
        )
        stored = default_storage.save(
            f"imports/applications/{uuid.uuid4().hex}.xlsx", ContentFile(form.content)
        )
        paper.roster_import_task.enqueue(
            job_id=job.pk,
            path=stored,
            term_id=term.pk,
            membership_id=actor.membership.pk if actor.membership else None,
            language=get_language() or "zh-hans",
        )
        return redirect("enrolment:roster_import_result", job_pk=job.pk)
    status = 400 if form.errors else 200
    return render(
        request, "enrolment/roster_import.html", {"term": term, "form": form}, status=status
    )


@login_required
@require_GET
def roster_import_template(request: ActorRequest, term_pk: int) -> HttpResponse:
    actor = request.actor
    term = rosters.roster_term_for(actor, term_pk)
    require(rosters.can_manage_roster(actor, term))
    response = HttpResponse(paper.applications_template(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="paper-applications-template.xlsx"'
    return response


@login_required
@require_GET
def roster_import_result(request: ActorRequest, job_pk: int) -> HttpResponse:
    job = get_or_404(Job.objects.filter(owner=request.actor.user, kind=paper.JOB_KIND), pk=job_pk)
    result = job.result if isinstance(job.result, dict) else {}
    error_count = result.get("error_count", 0)
    lines = result.get("errors", []) if error_count else result.get("applied", [])
    term_pk = result.get("term")
    context = {
        "job": job,
        "page": paginate(request, lines),
        "error_count": error_count,
        "applied_count": len(result.get("applied", [])),
        "roster_url": reverse("enrolment:roster", args=[term_pk]) if term_pk else "",
    }
    return render(request, "enrolment/roster_import_result.html", context)


urlpatterns: list[URLPattern] = [
    path("rosters/", roster_terms, name="roster_terms"),
    path("terms/<int:term_pk>/roster/", roster, name="roster"),
    path("terms/<int:term_pk>/roster/remind/", roster_remind, name="roster_remind"),
    path("terms/<int:term_pk>/roster/export/", roster_export_view, name="roster_export"),
    path("terms/<int:term_pk>/roster/draw/", roster_draw, name="roster_draw"),
    path("terms/<int:term_pk>/roster/import/", roster_import, name="roster_import"),
    path(
        "terms/<int:term_pk>/roster/import/template/",
        roster_import_template,
        name="roster_import_template",
    ),
    path("terms/<int:term_pk>/roster/<int:pk>/admit/", roster_admit, name="roster_admit"),
    path("terms/<int:term_pk>/roster/<int:pk>/remove/", roster_remove, name="roster_remove"),
    path("roster-exports/<int:job_pk>/", roster_export_download, name="roster_export_download"),
    path("roster-imports/<int:job_pk>/", roster_import_result, name="roster_import_result"),
]
