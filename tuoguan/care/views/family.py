"""The family's pages on the phone: today's status, the check-in code, absences, pickups."""

import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tuoguan.core.kit import (
    GET_POST,
    form_errors,
    paginate,
    refusal,
    revalidated,
    wants_fragment,
)
from tuoguan.orgs.kit import ActorRequest

from .. import camera_selectors, liveview_selectors, online_selectors, selectors, services
from ..codes import check_in_code, qr_svg
from ..forms import AbsenceForm, TemporaryPickupForm


@login_required
def family(request: ActorRequest) -> HttpResponse:
    day = timezone.localdate()
    page = paginate(request, selectors.family_care_enrolments(request.actor, day))
    rows = selectors.roster_rows(list(page.object_list), day)
    return render(request, "care/family.html", {"page": page, "rows": rows, "day": day})


def _today_context(request: ActorRequest, enrolment: Any, day: datetime.date) -> dict[str, Any]:
    context: dict[str, Any] = {
        "enrolment": enrolment,
        "day": day,
        **liveview_selectors.child_day(request.actor, enrolment, day),
        "poll_seconds": settings.TUOGUAN_LIVE_POLL_SECONDS,
    }
    attendance = context["attendance"]
    if context["is_care_day"] and attendance is None and enrolment.status == "confirmed":
        context["qr"] = qr_svg(
            check_in_code(enrolment, day),
            title=_("Check-in code of %(child)s for today") % {"child": enrolment.child.name},
        )
    if attendance is not None and attendance.is_in:
        context["pickup_code"] = liveview_selectors.pickup_code_of(enrolment, day)
    return context


@login_required
def child_today(request: ActorRequest, pk: int) -> HttpResponse:
    """The live view of the child's day. Its fragment is polled every 15 s with the ETag of
    what the page shows: 304 when nothing changed, at the cost of one indexed query."""
    day = timezone.localdate()
    # The stamp is read before the day: an event between the two shows now and its new
    # stamp answers 200 once more at the next poll, never the other way round.
    known = getattr(request, "care_day_stamp", None)  # read by LiveViewPollMiddleware
    if known is not None and known[:3] == (pk, day, request.user.pk):
        stamp: str | None = known[3]
    else:
        stamp = liveview_selectors.child_day_stamp(request.user.pk, pk, day)
    if stamp is None:
        raise Http404
    fragment = wants_fragment(request)
    # The fragment's ETag: the page hands it to the fragment (`data-etag`), which sends it.
    etag = liveview_selectors.day_etag(pk, day, stamp, request.LANGUAGE_CODE, "fragment")
    if fragment and liveview_selectors.etag_matches(request.headers.get("If-None-Match", ""), etag):
        return revalidated(HttpResponseNotModified(), etag)
    enrolment = selectors.family_enrolment_for(request.actor, pk)
    context = {**_today_context(request, enrolment, day), "etag": etag}
    if fragment:
        return revalidated(render(request, "care/_child_status.html", context), etag)
    # Beside the polled day: the room cameras the child may be watched on, online sessions.
    context["camera_rows"] = camera_selectors.cameras_for_child(request.actor, enrolment)
    context["online_sessions"] = online_selectors.sessions_for_child(enrolment)
    context["online_total"] = online_selectors.child_online_attendance(enrolment)
    return render(request, "care/child_today.html", context)


@login_required
def child_history(request: ActorRequest, pk: int) -> HttpResponse:
    """The term's care days of the child so far, each with its record, latest first."""
    enrolment = selectors.family_enrolment_for(request.actor, pk)
    page = paginate(request, liveview_selectors.past_care_days(enrolment))
    dates = [d.date for d in page.object_list]
    days = liveview_selectors.history_days(enrolment, dates)
    return render(
        request, "care/child_history.html", {"enrolment": enrolment, "page": page, "days": days}
    )


@login_required
@GET_POST
def absence(request: ActorRequest, pk: int) -> HttpResponse:
    enrolment = selectors.family_enrolment_for(request.actor, pk)
    form = AbsenceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.absence_report(actor=request.actor, enrolment=enrolment, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The class knows that the child will not come."))
            return redirect("care:child_today", pk=enrolment.pk)
    return render(request, "care/absence.html", {"form": form, "enrolment": enrolment})


@login_required
@GET_POST
def temporary_pickup(request: ActorRequest, pk: int) -> HttpResponse:
    enrolment = selectors.family_enrolment_for(request.actor, pk)
    form = TemporaryPickupForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.temporary_pickup_add(
                actor=request.actor, enrolment=enrolment, **form.cleaned_data
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The person may collect the child on that day only."))
            return redirect("care:child_today", pk=enrolment.pk)
    return render(request, "care/temporary_pickup.html", {"form": form, "enrolment": enrolment})


@login_required
@require_POST
def pickup_code(request: ActorRequest, pk: int) -> HttpResponse:
    enrolment = selectors.family_enrolment_for(request.actor, pk)
    try:
        services.pickup_code_issue(actor=request.actor, enrolment=enrolment)
    except ValidationError as exc:
        refusal(request, exc)
    return redirect("care:child_today", pk=enrolment.pk)
