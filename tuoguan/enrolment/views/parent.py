"""The parent's enrolment pages (mobile first, inside WeChat's browser): open terms, apply,
my applications with offers, paperwork links and withdrawal.

Every page acts on the logged-in worker's own family: another family's application is a 404.
Writes are the allocation engineer's services; a double tap on "apply" is stopped by the
one-time form token (services/idempotency.py).
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tuoguan.accounts.models import Worker
from tuoguan.accounts.selectors import family_children, worker_of, worker_or_404
from tuoguan.core.kit import GET_POST, paginate
from tuoguan.orgs.kit import ActorRequest

from ..fastpath import waitlist_position
from ..forms.enrol import ApplyForm
from ..models import Enrolment, EnrolmentStatus
from ..selectors import family_enrolments
from ..services import enrolment_apply, enrolment_withdraw, offer_accept, offer_decline
from ..services import parent as family
from ..services.idempotency import form_token_consume, form_token_issue

TERMS_PAGE_SIZE = 10  # each term checks every child's eligibility: keep pages short


# --- Terms open to the family -----------------------------------------------------------------


@login_required
@require_GET
def terms_open(request: ActorRequest) -> HttpResponse:
    worker = worker_of(request.user)
    if worker is None:
        return render(request, "accounts/family_no_worker.html")
    page = paginate(request, family.terms_open_for(worker), per_page=TERMS_PAGE_SIZE)
    children = list(family_children(request.actor))
    context = {
        "page": page,
        "cards": family.term_cards(list(page.object_list), worker, children),
        "has_children": bool(children),
        "now": timezone.now(),
    }
    return render(request, "enrolment/terms_open.html", context)


# --- Applying ---------------------------------------------------------------------------------


def _apply_context(
    request: ActorRequest, worker: Worker, term: Any, form: ApplyForm | None
) -> dict[str, Any]:
    children = list(family_children(request.actor))
    card = family.term_cards([term], worker, children)[0]
    eligible = [c.child.pk for c in card.children if c.eligible]
    if form is None:
        form = ApplyForm(
            initial={"form_token": form_token_issue(request)},
            children=family_children(request.actor).filter(pk__in=eligible),
            term=term,
        )
    return {"term": term, "card": card, "form": form, "now": timezone.now()}


def _apply_all(request: ActorRequest, term: Any, form: ApplyForm) -> list[Enrolment] | None:
    """Apply for every chosen child, all or nothing; errors go on the form."""
    data = form.cleaned_data
    children = list(data["children"])
    keep = bool(data.get("keep_together")) and len(children) > 1
    sibling_key = f"sib-{data['form_token'][:20]}" if keep else ""
    try:
        with transaction.atomic():
            return [
                enrolment_apply(
                    actor=request.actor,
                    child=child,
                    term=term,
                    priority_groups=data.get("priority_groups") or [],
                    sibling_key=sibling_key,
                    keep_together=keep,
                    source="online",
                )
                for child in children
            ]
    except ValidationError as exc:
        for message in exc.messages:
            form.add_error(None, message)
        return None


@login_required
@GET_POST
def apply(request: ActorRequest, term_pk: int) -> HttpResponse:
    worker = worker_or_404(request.user)
    term = family.term_for_parent(request.actor, worker, term_pk)
    if request.method != "POST":
        return render(request, "enrolment/apply.html", _apply_context(request, worker, term, None))
    if not form_token_consume(request, request.POST.get("form_token")):
        # A double tap, a retry or a replayed form: the first submission already counted.
        messages.info(request, _("This form was already sent; here is where your children stand."))
        return redirect("enrolment:my_enrolments")
    form = ApplyForm(
        request.POST,
        children=family_children(request.actor),
        term=term,
    )
    enrolments = _apply_all(request, term, form) if form.is_valid() else None
    if enrolments is None:
        # A new token: the consumed one cannot be sent again.
        data = request.POST.copy()
        data["form_token"] = form_token_issue(request)
        form.data = data
        context = _apply_context(request, worker, term, form)
        return render(request, "enrolment/apply.html", context, status=400)
    outcomes = [{"enrolment": e, "position": waitlist_position(e)} for e in enrolments]
    return render(request, "enrolment/apply_done.html", {"term": term, "outcomes": outcomes})


# --- My applications --------------------------------------------------------------------------


def _decorate(enrolment: Enrolment) -> Enrolment:
    enrolment.position = family.waitlist_position_of(enrolment)  # type: ignore[attr-defined]
    enrolment.has_seat = enrolment.status in (  # type: ignore[attr-defined]
        EnrolmentStatus.ADMITTED,
        EnrolmentStatus.CONFIRMED,
    )
    return enrolment


@login_required
@require_GET
def my_enrolments(request: ActorRequest) -> HttpResponse:
    worker = worker_of(request.user)
    if worker is None:
        return render(request, "accounts/family_no_worker.html")
    enrolments = family_enrolments(request.actor).order_by("child__birth_date", "child_id", "-pk")
    page = paginate(request, enrolments)
    for enrolment in page.object_list:
        _decorate(enrolment)
    return render(request, "enrolment/my_enrolments.html", {"page": page, "now": timezone.now()})


@login_required
@require_GET
def detail(request: ActorRequest, pk: int) -> HttpResponse:
    """One application: where the notifications link to."""
    enrolment = _decorate(family.family_enrolment_for(request.actor, pk))
    return render(
        request, "enrolment/my_enrolment.html", {"enrolment": enrolment, "now": timezone.now()}
    )


def _after_act(request: ActorRequest, pk: int, notice: str, failed: bool) -> HttpResponse:
    if request.htmx:
        enrolment = _decorate(family.family_enrolment_for(request.actor, pk))
        context = {
            "enrolment": enrolment,
            "notice": notice,
            "failed": failed,
            "now": timezone.now(),
        }
        return render(request, "enrolment/my_enrolment_card.html", context)
    messages.add_message(request, messages.ERROR if failed else messages.SUCCESS, notice)
    return redirect("enrolment:my_enrolments")


def _act(request: ActorRequest, pk: int, service: Any, done: str) -> HttpResponse:
    enrolment = family.family_enrolment_for(request.actor, pk)
    try:
        service(actor=request.actor, enrolment=enrolment)
    except ValidationError as exc:
        return _after_act(request, pk, " ".join(exc.messages), failed=True)
    return _after_act(request, pk, done % {"child": enrolment.child.name}, failed=False)


@login_required
@require_POST
def offer_accept_view(request: ActorRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        offer_accept,
        _("The place is accepted. Complete the paperwork to confirm %(child)s's place."),
    )


@login_required
@require_POST
def offer_decline_view(request: ActorRequest, pk: int) -> HttpResponse:
    return _act(request, pk, offer_decline, _("The offer for %(child)s is declined."))


@login_required
@GET_POST
def withdraw(request: ActorRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST withdraws (the seat passes to the waitlist)."""
    if request.method == "POST":
        return _act(
            request, pk, enrolment_withdraw, _("The application of %(child)s is withdrawn.")
        )
    enrolment = _decorate(family.family_enrolment_for(request.actor, pk))
    return render(request, "enrolment/my_withdraw.html", {"enrolment": enrolment})


urlpatterns: list[URLPattern] = [
    path("terms/", terms_open, name="terms_open"),
    path("terms/<int:term_pk>/apply/", apply, name="apply"),
    path("my/", my_enrolments, name="my_enrolments"),
    path("my/<int:pk>/", detail, name="detail"),
    path("my/<int:pk>/accept/", offer_accept_view, name="offer_accept"),
    path("my/<int:pk>/decline/", offer_decline_view, name="offer_decline"),
    path("my/<int:pk>/withdraw/", withdraw, name="withdraw"),
]
