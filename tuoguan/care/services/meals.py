"""Meals (餐饮安全): a class manager plans each care day's menu (dishes, ingredients,
allergens) and copies a week onto the next; a caregiver keeps a sample of each dish served
(留样: at least 125 g, refrigerated at 0–8 °C, kept at least 48 hours) and records who
discarded it; the class's suppliers carry their food-business licence and its expiry.

Copying a week copies each day's meals onto the same weekday of the next week when that day
is a care day of the term; a day of the next week that already has a menu is skipped (never
overwritten) and named in the result.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoguan.core.files import clean_upload
from tuoguan.orgs.permissions import Actor, require
from tuoguan.programs.models import Program, Term, TermDay

from ..models import (
    SAMPLE_MIN_GRAMS,
    Allergen,
    Dish,
    FoodSample,
    Meal,
    MealKind,
    Supplier,
)
from ..models.meals import SAMPLE_MAX_CELSIUS, SAMPLE_MIN_CELSIUS
from ..permissions import can_care, can_manage_care, can_manage_kiosks
from .common import require_care_day
from .liveview import day_changed

WEEK = datetime.timedelta(days=7)


def week_start(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def _clean_allergens(allergens: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(allergens or []))
    if any(code not in Allergen.values for code in chosen):
        raise ValidationError({"allergens": _("Choose allergens from the list.")})
    return sorted(chosen, key=Allergen.values.index)


@transaction.atomic
def dish_add(
    *,
    actor: Actor,
    term: Term,
    date: datetime.date,
    kind: str,
    name: str,
    ingredients: str = "",
    allergens: Iterable[str] = (),
    supplier: Supplier | None = None,
) -> Dish:
    """Add a dish to the day's meal of that kind (the meal is created with its first dish)."""
    require(can_manage_care(actor, term))
    errors: dict[str, str] = {}
    if kind not in MealKind.values:
        errors["kind"] = _("Choose from the list.")
    name = (name or "").strip()
    if not name:
        errors["name"] = _("Name the dish.")
    if supplier is not None and supplier.program_id != term.program_id:
        errors["supplier"] = _("Choose a supplier of this class.")
    try:
        codes = _clean_allergens(allergens)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
        codes = []
    if errors:
        raise ValidationError(errors)
    require_care_day(term, date)
    meal, _created = Meal.objects.get_or_create(term=term, date=date, kind=kind)
    # Every family of the term sees the day's menu on the live view.
    day_changed(date=date, term=term)
    return Dish.objects.create(
        meal=meal,
        name=name[:80],
        ingredients=(ingredients or "").strip()[:300],
        allergens=codes,
        supplier=supplier,
    )


@transaction.atomic
def dish_remove(*, actor: Actor, dish: Dish) -> None:
    """Take a dish off the menu; the meal goes with its last dish. A dish already sampled
    stays: its sample is the record of what was served."""
    meal = dish.meal
    require(can_manage_care(actor, meal.term))
    if FoodSample.objects.filter(dish=dish).exists():
        raise ValidationError(_("This dish was served and sampled: it stays on the record."))
    dish.delete()
    if not meal.dishes.exists():
        meal.delete()
    day_changed(date=meal.date, term=meal.term)


@dataclass
class WeekCopy:
    copied: list[datetime.date] = field(default_factory=list)
    skipped: list[datetime.date] = field(default_factory=list)


@transaction.atomic
def menu_copy_week(*, actor: Actor, term: Term, week_of: datetime.date) -> WeekCopy:
    """Copy the week's menus (Monday to Sunday of `week_of`) onto the next week: onto its care
    days only, skipping any day that already has a menu (listed in `skipped`)."""
    require(can_manage_care(actor, term))
    start = week_start(week_of)
    source = list(
        Meal.objects.filter(term=term, date__gte=start, date__lt=start + WEEK).prefetch_related(
            "dishes"
        )
    )
    if not source:
        raise ValidationError(_("This week has no menu to copy."), code="empty_week")
    targets = {m.date + WEEK for m in source}
    care = set(
        TermDay.objects.filter(term=term, date__in=targets, is_care_day=True).values_list(
            "date", flat=True
        )
    )
    planned = set(Meal.objects.filter(term=term, date__in=targets).values_list("date", flat=True))
    result = WeekCopy()
    for target in sorted(targets):
        if target not in care:
            continue
        if target in planned:
            result.skipped.append(target)
            continue
        for meal in (m for m in source if m.date + WEEK == target):
            copy = Meal.objects.create(term=term, date=target, kind=meal.kind)
            for dish in meal.dishes.all():
                Dish.objects.create(
                    meal=copy,
                    name=dish.name,
                    ingredients=dish.ingredients,
                    allergens=list(dish.allergens),
                    supplier_id=dish.supplier_id,
                )
        result.copied.append(target)
        day_changed(date=target, term=term)
    return result


def _decimal(value: Any) -> Decimal | None:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


@transaction.atomic
def food_sample_keep(
    *,
    actor: Actor,
    dish: Dish,
    grams: Any,
    temperature: Any,
    kept_at: datetime.datetime | None = None,
) -> FoodSample:
    """Record the sample kept of a dish: at least 125 g, in the fridge at 0–8 °C."""
    require(can_care(actor, dish.meal.term))
    errors: dict[str, str] = {}
    try:
        weight = int(grams)
    except (TypeError, ValueError):
        weight = 0
    if weight < SAMPLE_MIN_GRAMS:
        errors["grams"] = _("A food sample must weigh at least %(min)s g.") % {
            "min": SAMPLE_MIN_GRAMS
        }
    elif weight > 5000:
        errors["grams"] = _("Enter the weight in grams.")
    celsius = _decimal(temperature)
    if celsius is None or not SAMPLE_MIN_CELSIUS <= celsius <= SAMPLE_MAX_CELSIUS:
        errors["temperature"] = _("Keep the sample refrigerated, between %(lo)s and %(hi)s °C.") % {
            "lo": SAMPLE_MIN_CELSIUS,
            "hi": SAMPLE_MAX_CELSIUS,
        }
    now = timezone.now()
    kept_at = kept_at or now
    if kept_at > now + datetime.timedelta(minutes=5):
        errors["kept_at"] = _("The time cannot be in the future.")
    if FoodSample.objects.filter(dish=dish).exists():
        errors["dish"] = _("A sample of this dish is already kept.")
    if errors or celsius is None:
        raise ValidationError(errors)
    return FoodSample.objects.create(
        dish=dish, grams=weight, temperature=celsius, kept_at=kept_at, kept_by=actor.user
    )


@transaction.atomic
def food_sample_discard(
    *, actor: Actor, sample: FoodSample, at: datetime.datetime | None = None
) -> FoodSample:
    """Record who discarded the sample and when; before 48 hours it is flagged, not refused
    (the sample is gone either way: the record must say so)."""
    require(can_care(actor, sample.dish.meal.term))
    if sample.discarded_at is not None:
        raise ValidationError(_("This sample was already discarded."), code="discarded")
    at = at or timezone.now()
    if at < sample.kept_at:
        raise ValidationError({"discarded_at": _("A sample is discarded after it was kept.")})
    sample.discarded_at, sample.discarded_by = at, actor.user
    sample.save(update_fields=["discarded_at", "discarded_by", "updated_at"])
    return sample


@transaction.atomic
def supplier_save(
    *,
    actor: Actor,
    program: Program,
    name: str,
    licence_number: str,
    licence_expires: datetime.date,
    licence_document: Any = None,
    supplier: Supplier | None = None,
) -> Supplier:
    """Add a food supplier of the class (or change one) with its food-business licence."""
    require(can_manage_kiosks(actor, program))
    errors: dict[str, str] = {}
    name, licence_number = (name or "").strip(), (licence_number or "").strip()
    if not name:
        errors["name"] = _("Name the supplier.")
    if not licence_number:
        errors["licence_number"] = _("Enter the food-business licence number.")
    if not isinstance(licence_expires, datetime.date):
        errors["licence_expires"] = _("Enter the date the licence is valid until.")
    clean = None
    if licence_document:
        try:
            clean = clean_upload(licence_document, field="licence_document")
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    if supplier is None:
        supplier = Supplier(program=program)
    elif supplier.program_id != program.pk:
        raise ValidationError(_("Choose a supplier of this class."))
    supplier.name, supplier.licence_number = name[:120], licence_number[:60]
    supplier.licence_expires = licence_expires
    if clean is not None:
        supplier.licence_document.save(clean.content.name or "", clean.content, save=False)
    supplier.save()
    return supplier
