"""Reads of meals, food samples and suppliers, scoped to who asks; and the allergy warning.

The allergy warning reads each child's health note through enrolment's own reader
(`health_note_read`: the guardian's words, audited for staff) only when a dish of the day
names an allergen, and keeps of it only the allergens that conflict: the page shows the
child's name and the allergen, never the note.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from tuoguan.enrolment.models import Enrolment
from tuoguan.enrolment.services.health import health_note_read
from tuoguan.orgs.permissions import Actor, get_or_404, subtree_q
from tuoguan.programs.models import Program, Term, TermDay
from tuoguan.programs.permissions import HOST_ROLES

from .models import (
    MEAL_ORDER,
    ON_ROSTER,
    Allergen,
    Dish,
    FoodSample,
    Meal,
    Supplier,
    allergens_named,
)
from .permissions import roster_entries


def terms_for_meals(actor: Actor) -> QuerySet[Term]:
    """Terms one works for: the host line's for its admins and class managers, else those one
    is on the staff roster of. Anyone else (a caregiver not rostered, a reviewer, another
    province, a family) finds nothing: 404."""
    rostered = Q(Exists(roster_entries(OuterRef("pk"), actor.user)))
    if actor.has_role(HOST_ROLES):
        return Term.objects.filter(subtree_q(actor, "program__host__path") | rostered)
    return Term.objects.filter(rostered)


def term_for_meals(actor: Actor, pk: Any) -> Term:
    return get_or_404(terms_for_meals(actor).select_related("program__host"), pk=pk)


def meals_visible_to(actor: Actor) -> QuerySet[Meal]:
    return (
        Meal.objects.filter(term__in=terms_for_meals(actor))
        .prefetch_related("dishes__sample")
        .order_by("-date", "kind", "pk")
    )


def dishes_visible_to(actor: Actor) -> QuerySet[Dish]:
    return Dish.objects.filter(meal__term__in=terms_for_meals(actor)).select_related(
        "meal__term__program__host"
    )


def dish_for(actor: Actor, pk: Any) -> Dish:
    return get_or_404(dishes_visible_to(actor), pk=pk)


def samples_visible_to(actor: Actor) -> QuerySet[FoodSample]:
    return (
        FoodSample.objects.filter(dish__meal__term__in=terms_for_meals(actor))
        .select_related("dish__meal__term__program__host", "kept_by", "discarded_by")
        .order_by("-kept_at", "-pk")
    )


def sample_for(actor: Actor, pk: Any) -> FoodSample:
    return get_or_404(samples_visible_to(actor), pk=pk)


def suppliers_visible_to(actor: Actor) -> QuerySet[Supplier]:
    programs = Term.objects.filter(pk__in=terms_for_meals(actor)).values("program_id")
    return (
        Supplier.objects.filter(program__in=programs)
        .select_related("program__host")
        .order_by("program_id", "name", "pk")
    )


def supplier_for(actor: Actor, pk: Any) -> Supplier:
    return get_or_404(suppliers_visible_to(actor), pk=pk)


def program_for_suppliers(actor: Actor, pk: Any) -> Program:
    """A class one works for (its terms' `terms_for_meals`); 404 otherwise."""
    programs = Term.objects.filter(pk__in=terms_for_meals(actor)).values("program_id")
    return get_or_404(Program.objects.filter(pk__in=programs).select_related("host"), pk=pk)


def suppliers_of(program: Program) -> list[Supplier]:
    return list(Supplier.objects.filter(program=program).order_by("name", "pk"))


def serving_order(meals: list[Meal]) -> list[Meal]:
    """Meals by date, then as they are served (breakfast before lunch)."""
    return sorted(meals, key=lambda m: (m.date, MEAL_ORDER.get(m.kind, 99), m.pk))


def meals_of(term: Term, start: datetime.date, end: datetime.date) -> list[Meal]:
    """The term's meals from `start` to `end` (inclusive), dishes and samples with them."""
    dishes = Dish.objects.select_related("sample__kept_by", "sample__discarded_by", "supplier")
    return serving_order(
        list(
            Meal.objects.filter(term=term, date__gte=start, date__lte=end).prefetch_related(
                Prefetch("dishes", queryset=dishes.order_by("pk"))
            )
        )
    )


def care_days_between(term: Term, start: datetime.date, end: datetime.date) -> list[datetime.date]:
    return list(
        TermDay.objects.filter(
            term=term, is_care_day=True, date__gte=start, date__lte=end
        ).values_list("date", flat=True)
    )


def meals_for_child_day_term(term: Term, date: datetime.date) -> list[Meal]:
    """The day's meals of a term's groups (the roster's)."""
    return meals_of(term, date, date)


# --- Allergy warnings ----------------------------------------------------------------------


@dataclass
class Conflict:
    enrolment: Enrolment
    dish: Dish
    allergens: list[str] = field(default_factory=list)

    @property
    def labels(self) -> list[str]:
        return [str(Allergen(code).label) for code in self.allergens]


def allergy_conflicts(
    actor: Actor, meals: list[Meal], enrolments: list[Enrolment] | None = None
) -> list[Conflict]:
    """Each (child, dish) whose allergens the child's declared allergies name.

    `enrolments`: the children to check (default: the term's children on the roster). A
    note the actor may not read (outside the term, not the class's caregiver) warns nothing.
    """
    dishes = [d for m in meals for d in m.dishes.all() if d.allergens]
    if not dishes:
        return []
    if enrolments is None:
        terms = {m.term_id for m in meals}
        enrolments = list(
            Enrolment.objects.filter(term_id__in=terms, status__in=ON_ROSTER)
            .select_related("child", "term__program__host", "group")
            .order_by("child__name", "pk")
        )
    conflicts = []
    for enrolment in enrolments:
        try:
            note = health_note_read(actor=actor, enrolment=enrolment)
        except PermissionDenied:
            continue
        declared = allergens_named(note.allergies) if note is not None else set()
        if not declared:
            continue
        for dish in dishes:
            common = [code for code in dish.allergens if code in declared]
            if common:
                conflicts.append(Conflict(enrolment, dish, common))
    return conflicts


def conflicts_by_enrolment(conflicts: list[Conflict]) -> dict[int, list[Conflict]]:
    out: dict[int, list[Conflict]] = defaultdict(list)
    for conflict in conflicts:
        out[conflict.enrolment.pk].append(conflict)
    return dict(out)


def conflicts_by_dish(conflicts: list[Conflict]) -> dict[int, list[Conflict]]:
    out: dict[int, list[Conflict]] = defaultdict(list)
    for conflict in conflicts:
        out[conflict.dish.pk].append(conflict)
    return dict(out)


# --- Food sample flags ----------------------------------------------------------------------


def sample_problem(dish: Dish, now: datetime.datetime | None = None) -> str:
    """ "missing" (a dish of a past day without a sample), "due" (today's, not yet kept),
    "early" (discarded before 48 hours) or "" (kept as it should be)."""
    now = now or timezone.now()
    sample = getattr(dish, "sample", None)
    if sample is None:
        return "missing" if dish.meal.date < timezone.localtime(now).date() else "due"
    return "early" if sample.discarded_early else ""
