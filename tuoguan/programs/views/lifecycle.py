"""A term's lifecycle from its page: submit, approve or reject, open enrolment, start, close.

The services decide (and refuse with a reason); a refused step comes back as a message on
the term's page. Approving and rejecting can also be done from the approval queue.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from tuoguan.core.kit import GET_POST, form_errors, paginate, refusal
from tuoguan.orgs.kit import ActorRequest, actor_of
from tuoguan.orgs.permissions import Actor, require

from .. import selectors, services
from ..compliance import terms_compliance, with_compliance_data
from ..forms.terms import ApproveForm, ReasonForm, SummaryForm
from ..models import Term
from ..permissions import can_approve_term, can_manage_term


def _back(request: ActorRequest, term_pk: int) -> HttpResponse:
    # Only the approval queue is offered as a way back, so no open redirect is possible.
    if request.POST.get("next") == "approvals":
        return redirect("programs:approvals")
    return redirect("programs:term_detail", pk=term_pk)


def _step(service: Callable[..., Any], done: Any) -> Callable[[ActorRequest, int], HttpResponse]:
    """A POST-only view running one lifecycle service on the term `pk`."""

    @login_required
    @require_POST
    def view(request: ActorRequest, pk: int) -> HttpResponse:
        actor = request.actor
        term = selectors.term_for(actor, pk)
        try:
            service(actor=actor, term=term)
        except ValidationError as exc:
            refusal(request, exc)
        else:
            messages.success(request, str(done))
        return _back(request, term.pk)

    view.__name__ = service.__name__
    return view


term_submit = _step(services.term_submit, gettext_lazy("Term submitted for approval."))
term_redraft = _step(services.term_redraft, gettext_lazy("Term back in draft."))
term_open_enrolment = _step(services.term_open_enrolment, gettext_lazy("Enrolment opened."))
term_start = _step(services.term_start, gettext_lazy("Term started."))


def _step_with_form(
    service: Callable[..., Any],
    form_class: type[ReasonForm | SummaryForm],
    allowed: Callable[[Actor, Term], bool],
    done: Any,
    *,
    step: str,
) -> Callable[[ActorRequest, int], HttpResponse]:
    """A view asking, on the term_step page, for the one field `service` takes beside the term.

    A refusal of the step goes back as a message; one about the field stays on the form.
    """
    (field,) = form_class.base_fields  # the form's one field is the service's keyword

    @login_required
    @GET_POST
    def view(request: ActorRequest, pk: int) -> HttpResponse:
        actor = request.actor
        term = selectors.term_for(actor, pk)
        require(allowed(actor, term))
        form = form_class(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                service(actor=actor, term=term, **{field: form.cleaned_data[field]})
            except ValidationError as exc:
                if not hasattr(exc, "error_dict"):
                    refusal(request, exc)
                    return _back(request, term.pk)
                form_errors(form, exc)
            else:
                messages.success(request, str(done))
                return _back(request, term.pk)
        context = {"form": form, "term": term, "step": step}
        return render(request, "programs/term_step.html", context)

    view.__name__ = service.__name__
    return view


@login_required
@GET_POST
def term_approve(request: ActorRequest, pk: int) -> HttpResponse:
    """Approve; a term that fails a criterion is approved only with a confirmation and a note,
    asked on a page that names the failing criteria."""
    actor = actor_of(request)
    term = selectors.term_for(actor, pk)
    require(can_approve_term(actor, term))
    form = ApproveForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.term_approve(actor=actor, term=term, **form.cleaned_data)
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                refusal(request, exc)
                return _back(request, term.pk)
            form_errors(form, exc)
            status = 400
        else:
            messages.success(request, _("Term approved."))
            return _back(request, term.pk)
    (judged,) = terms_compliance(with_compliance_data(Term.objects.filter(pk=term.pk)))
    context = {
        "form": form,
        "term": term,
        "judged": judged,
        "next": "approvals"
        if "approvals" in (request.POST.get("next"), request.GET.get("next"))
        else "",
    }
    return render(request, "programs/term_approve.html", context, status=status)


term_reject = _step_with_form(
    services.term_reject,
    ReasonForm,
    can_approve_term,
    gettext_lazy("Term rejected; the host union has been told why."),
    step="reject",
)
# 结营: the term ends with a closing summary.
term_close = _step_with_form(
    services.term_close, SummaryForm, can_manage_term, gettext_lazy("Term closed."), step="close"
)


@login_required
@require_POST
def term_rejudge(request: ActorRequest, pk: int) -> HttpResponse:
    """Judge the term by the standard in force today from now on."""
    actor = request.actor
    term = selectors.term_for(actor, pk)
    try:
        services.term_rejudge(actor=actor, term=term)
    except ValidationError as exc:
        refusal(request, exc)
    else:
        messages.success(request, _("The term is now judged by the standard in force today."))
    return redirect("programs:term_compliance", pk=term.pk)


@login_required
@require_GET
def approvals(request: ActorRequest) -> HttpResponse:
    """Terms submitted by the unions below, oldest first (union admins only)."""
    actor = request.actor
    require(actor.is_admin)
    page = paginate(request, selectors.approval_queue_for(actor))
    shown = with_compliance_data(Term.objects.filter(pk__in=[t.pk for t in page.object_list]))
    judged = {result.term.pk: result for result in terms_compliance(shown)}
    rows = [(term, judged[term.pk]) for term in page.object_list]
    return render(request, "programs/approvals.html", {"page": page, "rows": rows})


urlpatterns = [
    path("terms/<int:pk>/submit/", term_submit, name="term_submit"),
    path("terms/<int:pk>/approve/", term_approve, name="term_approve"),
    path("terms/<int:pk>/reject/", term_reject, name="term_reject"),
    path("terms/<int:pk>/redraft/", term_redraft, name="term_redraft"),
    path("terms/<int:pk>/open-enrolment/", term_open_enrolment, name="term_open_enrolment"),
    path("terms/<int:pk>/start/", term_start, name="term_start"),
    path("terms/<int:pk>/close/", term_close, name="term_close"),
    path("terms/<int:pk>/rejudge/", term_rejudge, name="term_rejudge"),
    path("approvals/", approvals, name="approvals"),
]
