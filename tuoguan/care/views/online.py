"""Online sessions (线上托管): the term's carers schedule them, tick the children present and
score contests (HTMX fragments); a guardian joins through our redirect, which records the
child's attendance once."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tuoguan.core.inputs import db_int
from tuoguan.core.kit import GET_POST, form_errors, paginate, refusal, wants_fragment
from tuoguan.enrolment.models import Enrolment
from tuoguan.orgs.kit import ActorRequest
from tuoguan.orgs.permissions import require
from tuoguan.programs.models import Term

from .. import online_selectors, selectors, services
from ..forms import ContestScoreForm, OnlineSessionForm
from ..models import ON_ROSTER, OnlineSession
from ..permissions import can_care
from ..services.online import invited


@login_required
@GET_POST
def online_sessions(request: ActorRequest, pk: int) -> HttpResponse:
    """The term's online sessions, how many attended each, and a new one scheduled here."""
    term = selectors.term_for_incidents(request.actor, pk)
    require(can_care(request.actor, term))
    places = term.enrolments.filter(status__in=ON_ROSTER).select_related("child")
    form = OnlineSessionForm(request.POST or None, term=term, places=places)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.online_session_save(
                actor=request.actor, term=term, **form.cleaned_data
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Online session scheduled."))
            return redirect("care:online_session", pk=session.pk)
    return render(
        request,
        "care/online_sessions.html",
        {
            "term": term,
            "form": form,
            "page": paginate(request, online_selectors.term_sessions(term)),
            "term_total": online_selectors.term_online_attendance(term),
            "per_child": _per_child(term, places),
        },
    )


def _per_child(term: Term, places: QuerySet[Enrolment]) -> list[tuple[Enrolment, int]]:
    counts = online_selectors.online_counts_by_child(term)
    return [(e, counts.get(e.pk, 0)) for e in places.order_by("child__name", "pk")]


def _session_context(session: OnlineSession) -> dict[str, object]:
    present = online_selectors.attendance_by_child(session)
    scores = online_selectors.scores_by_child(session)
    rows = [
        {"enrolment": e, "attendance": present.get(e.pk), "score": scores.get(e.pk)}
        for e in invited(session)
    ]
    return {
        "session": session,
        "rows": rows,
        "present": len(present),
        "score_form": ContestScoreForm() if session.is_contest else None,
    }


def _session_page(request: ActorRequest, session: OnlineSession) -> HttpResponse:
    context = _session_context(session)
    if wants_fragment(request):
        return render(request, "care/_online_roster.html", context)
    return render(request, "care/online_session.html", context)


@login_required
def online_session(request: ActorRequest, pk: int) -> HttpResponse:
    session = online_selectors.staff_session_for(request.actor, pk)
    require(can_care(request.actor, session.term))
    return _session_page(request, session)


def _invited_place(request: ActorRequest, session: OnlineSession) -> Enrolment | None:
    number = db_int(request.POST.get("enrolment"))
    return invited(session).filter(pk=number).first() if number else None


@login_required
@require_POST
def online_attend(request: ActorRequest, pk: int) -> HttpResponse:
    """The host ticks a child present."""
    session = online_selectors.staff_session_for(request.actor, pk)
    require(can_care(request.actor, session.term))
    place = _invited_place(request, session)
    if place is None:
        messages.error(request, _("The child is not invited to this session."))
    else:
        services.online_attendance_record(actor=request.actor, session=session, enrolment=place)
    if wants_fragment(request):
        return _session_page(request, session)
    return redirect("care:online_session", pk=session.pk)


@login_required
@require_POST
def online_score(request: ActorRequest, pk: int) -> HttpResponse:
    """A contest's score for one child."""
    session = online_selectors.staff_session_for(request.actor, pk)
    require(can_care(request.actor, session.term))
    place = _invited_place(request, session)
    form = ContestScoreForm(request.POST)
    if place is None or not form.is_valid():
        messages.error(request, _("Choose an invited child and give a score from 0 to 1000."))
    else:
        try:
            services.contest_score_save(
                actor=request.actor, session=session, enrolment=place, **form.cleaned_data
            )
        except ValidationError as exc:
            refusal(request, exc)
    if wants_fragment(request):
        return _session_page(request, session)
    return redirect("care:online_session", pk=session.pk)


@login_required
@require_POST
def online_join(request: ActorRequest, pk: int) -> HttpResponse:
    """A guardian joins: the child's attendance is recorded once, then off to the link."""
    session = online_selectors.family_session_for(request.actor, pk)
    try:
        url = services.online_session_join(actor=request.actor, session=session)
    except ValidationError as exc:
        refusal(request, exc)
        return redirect("care:family")
    # The link was checked to be https:// when the session was scheduled.
    return HttpResponseRedirect(url)
