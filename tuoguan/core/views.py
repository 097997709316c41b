from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from .kit import HtmxRequest
from .models import Job


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each person to where their work starts."""
    actor = request.actor  # type: ignore[attr-defined]
    if actor.membership is not None:
        return redirect("orgs:detail", pk=actor.membership.org_id)
    if hasattr(request.user, "worker"):
        return redirect("accounts:family")
    return render(request, "core/home.html")


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    Job.objects.exists()  # the database answers a query
    return JsonResponse({"status": "ok"})


@login_required
def job_detail(request: HtmxRequest, pk: int) -> HttpResponse:
    """The progress bar of one's own background job; HTMX polls the fragment."""
    job = get_object_or_404(Job, pk=pk, owner=request.user)
    template = "core/_job.html" if request.htmx else "core/job_detail.html"
    return render(request, template, {"job": job})
