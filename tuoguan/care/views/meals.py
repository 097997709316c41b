"""Meals: the manager's week of menus (allergy warnings on each dish), the caregiver's food
samples of the day (留样), the class's food suppliers."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tuoguan.core.kit import GET_POST, form_errors, refusal, wants_fragment
from tuoguan.orgs.kit import ActorRequest
from tuoguan.orgs.permissions import require

from .. import meal_selectors as meals
from .. import services
from ..forms import DishForm, FoodSampleForm, SupplierForm
from ..models import SAMPLE_MIN_GRAMS, SAMPLE_MIN_HOURS
from ..permissions import can_care, can_manage_care, can_manage_kiosks
from ..services.meals import WEEK, week_start

DAY = datetime.timedelta(days=1)


def _day_param(value: str | None, default: datetime.date) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value or "")
    except ValueError:
        return default


def _week_url(term_pk: int, monday: datetime.date) -> str:
    return reverse("care:menus", kwargs={"pk": term_pk}) + f"?week={monday.isoformat()}"


@login_required
def menus(request: ActorRequest, pk: int) -> HttpResponse:
    """The week's menus of a term: each care day's meals, dishes, allergens and warnings."""
    term = meals.term_for_meals(request.actor, pk)
    require(can_care(request.actor, term))
    today = timezone.localdate()
    monday = week_start(_day_param(request.GET.get("week"), today))
    sunday = monday + 6 * DAY
    week = meals.meals_of(term, monday, sunday)
    conflicts = meals.conflicts_by_dish(meals.allergy_conflicts(request.actor, week))
    days = []
    for day in meals.care_days_between(term, monday, sunday):
        days.append(
            {
                "date": day,
                "meals": [
                    {
                        "meal": meal,
                        "dishes": [(d, conflicts.get(d.pk, [])) for d in meal.dishes.all()],
                    }
                    for meal in week
                    if meal.date == day
                ],
            }
        )
    manager = can_manage_care(request.actor, term)
    form = None
    if manager:
        form = DishForm(
            initial={"date": max(monday, min(today, sunday))},
            suppliers=meals.suppliers_of(term.program),
        )
    return render(
        request,
        "care/menus.html",
        {
            "term": term,
            "monday": monday,
            "sunday": sunday,
            "previous": monday - WEEK,
            "next": monday + WEEK,
            "days": days,
            "warnings": sum(len(c) for c in conflicts.values()),
            "manager": manager,
            "form": form,
        },
    )


@login_required
@require_POST
def dish_add(request: ActorRequest, pk: int) -> HttpResponse:
    term = meals.term_for_meals(request.actor, pk)
    require(can_manage_care(request.actor, term))
    form = DishForm(request.POST, suppliers=meals.suppliers_of(term.program))
    day = _day_param(request.POST.get("date"), timezone.localdate())
    if form.is_valid():
        try:
            dish = services.dish_add(actor=request.actor, term=term, **form.service_fields())
        except ValidationError as exc:
            refusal(request, exc)
        else:
            messages.success(request, _("%(dish)s added to the menu.") % {"dish": dish.name})
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(_week_url(term.pk, week_start(day)))


@login_required
@require_POST
def dish_remove(request: ActorRequest, pk: int) -> HttpResponse:
    dish = meals.dish_for(request.actor, pk)
    term, day = dish.meal.term, dish.meal.date
    require(can_manage_care(request.actor, term))
    try:
        services.dish_remove(actor=request.actor, dish=dish)
    except ValidationError as exc:
        refusal(request, exc)
    else:
        messages.success(request, _("Dish removed from the menu."))
    return redirect(_week_url(term.pk, week_start(day)))


@login_required
@require_POST
def menu_copy(request: ActorRequest, pk: int) -> HttpResponse:
    """Copy the week onto the next: care days only; days already planned are skipped."""
    term = meals.term_for_meals(request.actor, pk)
    require(can_manage_care(request.actor, term))
    monday = week_start(_day_param(request.POST.get("week"), timezone.localdate()))
    try:
        result = services.menu_copy_week(actor=request.actor, term=term, week_of=monday)
    except ValidationError as exc:
        refusal(request, exc)
        return redirect(_week_url(term.pk, monday))
    messages.success(
        request,
        _("Menus copied onto %(n)s care days of the next week.") % {"n": len(result.copied)},
    )
    if result.skipped:
        messages.warning(
            request,
            _("Already planned, left as they were: %(days)s.")
            % {"days": "、".join(date_format(d, "SHORT_DATE_FORMAT") for d in result.skipped)},
        )
    return redirect(_week_url(term.pk, monday + WEEK))


def _samples_context(request: ActorRequest, term: object, day: datetime.date) -> dict:
    rows = []
    now = timezone.now()
    for meal in meals.meals_of(term, day, day):  # type: ignore[arg-type]
        for dish in meal.dishes.all():
            rows.append({"meal": meal, "dish": dish, "problem": meals.sample_problem(dish, now)})
    return {
        "term": term,
        "day": day,
        "rows": rows,
        "problems": sum(1 for r in rows if r["problem"] in ("missing", "early")),
        "form": FoodSampleForm(),
        "min_grams": SAMPLE_MIN_GRAMS,
        "min_hours": SAMPLE_MIN_HOURS,
    }


def _samples_page(request: ActorRequest, term: object, day: datetime.date) -> HttpResponse:
    context = _samples_context(request, term, day)
    if wants_fragment(request):
        return render(request, "care/_samples.html", context)
    return render(request, "care/samples.html", context)


@login_required
def samples(request: ActorRequest, pk: int) -> HttpResponse:
    """The day's dishes and the sample kept of each (?date=, default today)."""
    term = meals.term_for_meals(request.actor, pk)
    require(can_care(request.actor, term))
    return _samples_page(request, term, _day_param(request.GET.get("date"), timezone.localdate()))


def _after_sample(request: ActorRequest, term: object, day: datetime.date) -> HttpResponse:
    if wants_fragment(request):
        return _samples_page(request, term, day)
    url = reverse("care:samples", kwargs={"pk": term.pk})  # type: ignore[attr-defined]
    return redirect(f"{url}?date={day.isoformat()}")


@login_required
@require_POST
def sample_keep(request: ActorRequest, pk: int) -> HttpResponse:
    dish = meals.dish_for(request.actor, pk)
    term = dish.meal.term
    require(can_care(request.actor, term))
    form = FoodSampleForm(request.POST)
    if form.is_valid():
        try:
            services.food_sample_keep(actor=request.actor, dish=dish, **form.cleaned_data)
        except ValidationError as exc:
            refusal(request, exc)
        else:
            messages.success(request, _("Sample of %(dish)s kept.") % {"dish": dish.name})
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return _after_sample(request, term, dish.meal.date)


@login_required
@require_POST
def sample_discard(request: ActorRequest, pk: int) -> HttpResponse:
    sample = meals.sample_for(request.actor, pk)
    term = sample.dish.meal.term
    require(can_care(request.actor, term))
    try:
        services.food_sample_discard(actor=request.actor, sample=sample)
    except ValidationError as exc:
        refusal(request, exc)
    else:
        if sample.discarded_early:
            messages.warning(
                request,
                _("Sample discarded before %(hours)s hours: it is flagged.")
                % {"hours": SAMPLE_MIN_HOURS},
            )
        else:
            messages.success(request, _("Sample discarded."))
    return _after_sample(request, term, sample.dish.meal.date)


@login_required
@GET_POST
def suppliers(request: ActorRequest, pk: int) -> HttpResponse:
    """The class's food suppliers with their licences; an expired licence is flagged."""
    program = meals.program_for_suppliers(request.actor, pk)
    require(can_manage_kiosks(request.actor, program))
    form = SupplierForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.supplier_save(actor=request.actor, program=program, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Supplier saved."))
            return redirect("care:suppliers", pk=program.pk)
    today = timezone.localdate()
    rows = [(s, s.expired_on(today)) for s in meals.suppliers_of(program)]
    return render(
        request,
        "care/suppliers.html",
        {"program": program, "rows": rows, "form": form, "today": today},
    )
