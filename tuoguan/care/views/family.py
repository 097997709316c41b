"""The family's pages on the phone: today's status, the check-in code, absences, pickups."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tuoguan.core.kit import GET_POST, form_errors, paginate, refusal, wants_fragment
from tuoguan.orgs.kit import ActorRequest

from .. import camera_selectors, meal_selectors, online_selectors, selectors, services
from ..codes import check_in_code, qr_svg
from ..forms import AbsenceForm, TemporaryPickupForm


@login_required
def family(request: ActorRequest) -> HttpResponse:
    day = timezone.localdate()
    page = paginate(request, selectors.family_care_enrolments(request.actor, day))
    rows = selectors.roster_rows(list(page.object_list), day)
    return render(request, "care/family.html", {"page": page, "rows": rows, "day": day})


@login_required
def child_today(request: ActorRequest, pk: int) -> HttpResponse:
    enrolment = selectors.family_enrolment_for(request.actor, pk)
    day = timezone.localdate()
    events = selectors.child_day_events(enrolment, day)
    context = {"enrolment": enrolment, "day": day, **events}
    attendance = events["attendance"]
    if events["is_care_day"] and attendance is None and enrolment.status == "confirmed":
        context["qr"] = qr_svg(
            check_in_code(enrolment, day),
            title=_("Check-in code of %(child)s for today") % {"child": enrolment.child.name},
        )
    if attendance is not None and attendance.is_in:
        context["pickup_code"] = selectors.pickup_code_of(enrolment, day)
    if wants_fragment(request):
        return render(request, "care/_child_status.html", context)
    # Today's menu of the child's group, and the dishes the guardian's note warns of.
    menu = meal_selectors.meals_for_child_day(enrolment, day)
    context["todays_menu"] = menu
    context["menu_conflicts"] = meal_selectors.conflicts_by_dish(
        meal_selectors.allergy_conflicts(request.actor, menu, [enrolment])
    )
    context["camera_rows"] = camera_selectors.cameras_for_child(request.actor, enrolment)
    context["online_sessions"] = online_selectors.sessions_for_child(enrolment)
    context["online_total"] = online_selectors.child_online_attendance(enrolment)
    return render(request, "care/child_today.html", context)


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
