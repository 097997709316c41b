"""The union's worker roster: list, profile, verification, registration and .xlsx import."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tuoguan.core.jobs import job_create
from tuoguan.core.kit import form_errors, paginate
from tuoguan.orgs.kit import ActorRequest
from tuoguan.orgs.permissions import PEOPLE_READER_ROLES, can_change_worker, require

from .. import imports, selectors, services
from ..forms.workers import WorkerCreateForm, WorkerFilterForm, WorkerImportForm
from ..tasks import worker_import as worker_import_task

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_GET
def worker_list(request: ActorRequest) -> HttpResponse:
    actor = request.actor
    require(actor.has_role(PEOPLE_READER_ROLES))
    form = WorkerFilterForm(request.GET or None, actor=actor)
    workers = selectors.workers_search(actor, **form.filters())
    page = paginate(request, workers)
    context = {"form": form, "page": page, "can_register": actor.is_admin}
    template = "accounts/_worker_table.html" if request.htmx else "accounts/worker_list.html"
    return render(request, template, context)


@login_required
@require_GET
def worker_detail(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    worker = selectors.worker_for(actor, pk)
    context = {
        "worker": worker,
        "children": selectors.worker_children_names(actor, worker),
        "can_verify": can_change_worker(actor, worker),
    }
    return render(request, "accounts/worker_detail.html", context)


@login_required
@require_POST
def worker_verify(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    worker = selectors.worker_for_change(actor, pk)
    verified = request.POST.get("verified", "1") != "0"
    services.worker_verify(actor=actor, worker=worker, verified=verified)
    if request.htmx:
        return render(
            request, "accounts/_worker_verify.html", {"worker": worker, "can_verify": True}
        )
    if verified:
        message = _("%(name)s's membership is verified.")
    else:
        message = _("The verification of %(name)s is withdrawn.")
    messages.success(request, message % {"name": worker})
    return redirect("accounts:worker_detail", pk=worker.pk)


@login_required
@require_http_methods(["GET", "POST"])
def worker_create(request: ActorRequest) -> HttpResponse:
    actor = request.actor
    require(actor.is_admin)
    form = WorkerCreateForm(request.POST if request.method == "POST" else None, actor=actor)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            worker = services.worker_register(
                actor=actor,
                real_name=data["real_name"],
                mobile=data["mobile"],
                employer=data["employer"],
                member_number=data["member_number"],
                password=data["password"] or None,
                verified=data["verified"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("%(name)s is registered.") % {"name": worker})
            return redirect("accounts:worker_detail", pk=worker.pk)
    return render(request, "accounts/worker_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def worker_import(request: ActorRequest) -> HttpResponse:
    """Upload a roster: the file is checked here, the rows in a background job."""
    actor = request.actor
    require(actor.is_admin)
    if request.method == "POST":
        form = WorkerImportForm(request.POST, request.FILES)
    else:
        form = WorkerImportForm()
    if request.method == "POST" and form.is_valid():
        job = job_create(
            owner=request.user,
            kind="worker_import",
            title=_("Roster import: %(file)s") % {"file": form.cleaned_data["file"].name[:150]},
        )
        # The bytes go to storage, not into the task's arguments (which live in the database).
        stored = default_storage.save(
            f"imports/roster/{uuid.uuid4().hex}.xlsx", ContentFile(form.content)
        )
        worker_import_task.enqueue(
            job_id=job.pk,
            path=stored,
            membership_id=actor.membership.pk if actor.membership else None,
            language=get_language() or "zh-hans",
        )
        return redirect("core:job", pk=job.pk)
    return render(request, "accounts/import_form.html", {"form": form})


@login_required
@require_GET
def worker_import_template(request: ActorRequest) -> HttpResponse:
    actor = request.actor
    require(actor.is_admin)
    content = imports.roster_template(employers=selectors.employer_orgs_for(actor).iterator())
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="worker-roster-template.xlsx"'
    return response


@login_required
@require_GET
def worker_import_result(request: ActorRequest, job_pk: int) -> HttpResponse:
    job = selectors.import_job_for(request.user, job_pk)
    errors = job.result.get("errors", []) if isinstance(job.result, dict) else []
    page = paginate(request, errors)
    context = {
        "job": job,
        "page": page,
        "error_count": job.result.get("error_count", 0),
        "reported": len(errors),
    }
    return render(request, "accounts/import_result.html", context)


urlpatterns: list[URLPattern] = [
    path("workers/", worker_list, name="worker_list"),
    path("workers/new/", worker_create, name="worker_create"),
    path("workers/import/", worker_import, name="worker_import"),
    path("workers/import/template/", worker_import_template, name="worker_import_template"),
    path("workers/import/<int:job_pk>/", worker_import_result, name="worker_import_result"),
    path("workers/<int:pk>/", worker_detail, name="worker_detail"),
    path("workers/<int:pk>/verify/", worker_verify, name="worker_verify"),
]
