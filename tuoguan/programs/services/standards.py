"""Writes to construction standards and their criteria; the national default; re-judging.

Published versions never change, so that a term judged by one can be judged again the same
way later; a change is a new version (`standard_new_version`).
"""

import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tuoguan.orgs.models import Org
from tuoguan.orgs.permissions import Actor, require

from ..models import (
    HEALTH_SYMPTOMS,
    Area,
    Criterion,
    CriterionKind,
    Metric,
    ProgramType,
    Standard,
    Term,
)
from ..permissions import can_manage_standard, can_rejudge_term
from ..standards import standard_for
from .programs import assign, validated

# What a standard's owners may write of a criterion, in the order its form shows it: the form
# and the services below read this one list.
CRITERION_FIELDS = (
    "area",
    "code",
    "label",
    "kind",
    "metric",
    "param",
    "threshold",
    "applies_to",
    "is_veto",
    "order",
)
# The national programme started in 2018 (DOMAIN.md §1): every class since is judged.
NATIONAL_DEFAULT_FROM = datetime.date(2018, 1, 1)
ON_SITE = [ProgramType.HOLIDAY, ProgramType.AFTER_SCHOOL, ProgramType.TODDLER]


def _national_criteria() -> list[dict[str, Any]]:
    """DOMAIN.md §2–3 defaults. Labels are stored in the language active when seeding."""
    c, e = CriterionKind.COMPUTED, CriterionKind.EVIDENCE

    def row(code: str, area: str, label: str, kind: str = c, **extra: Any) -> dict[str, Any]:
        extra.setdefault("applies_to", ON_SITE)
        return {"code": code, "area": area, "label": label, "kind": kind, **extra}

    def proc(
        code: str, area: str, label: str, applies_to: list[str] | None = None
    ) -> dict[str, Any]:
        return row(code, area, label, e, applies_to=ON_SITE if applies_to is None else applies_to)

    return [
        row("indoor_area_per_child", Area.VENUE_FACILITIES,
            _("At least 4 m² of indoor space per child"),
            metric=Metric.AREA_PER_CHILD, threshold=Decimal("4")),
        row("indoor_area_total", Area.VENUE_FACILITIES, _("At least 80 m² of indoor space"),
            metric=Metric.VENUE_AREA, threshold=Decimal("80")),
        row("building_certificate", Area.VENUE_FACILITIES,
            _("Building safety check passed and valid for the whole term"),
            metric=Metric.CERTIFICATES_VALID, param="building"),
        row("fire_certificate", Area.FIRE_SAFETY,
            _("Fire safety check passed and valid for the whole term"),
            metric=Metric.CERTIFICATES_VALID, param="fire", is_veto=True),
        row("fire_exits", Area.FIRE_SAFETY, _("At least two fire exits"),
            metric=Metric.FIRE_EXITS, threshold=Decimal("2")),
        row("food_certificate", Area.FOOD_SAFETY,
            _("Food safety check passed and valid for the whole term"),
            metric=Metric.CERTIFICATES_VALID, param="food"),
        # Toddler groups keep their kind's ratio (1:3, 1:5, 1:7); the threshold is for pupils.
        row("carer_ratio", Area.STAFFING,
            _("Enough carers for every group (toddlers by group kind; pupils 1 per 35)"),
            metric=Metric.CARER_RATIO, threshold=Decimal("35")),
        row("agreements_insurance", Area.AGREEMENTS_INSURANCE,
            _("A signed care agreement and accident insurance for every admitted child"),
            metric=Metric.AGREEMENTS_INSURANCE, threshold=Decimal("100"), is_veto=True,
            applies_to=[]),
        row("min_children_holiday", Area.SIZE_DURATION, _("At least 20 children"),
            metric=Metric.MIN_CHILDREN, threshold=Decimal("20"), applies_to=[ProgramType.HOLIDAY]),
        row("min_days_holiday", Area.SIZE_DURATION, _("At least 20 care days"),
            metric=Metric.MIN_DAYS, threshold=Decimal("20"), applies_to=[ProgramType.HOLIDAY]),
        row("min_days_after_school", Area.SIZE_DURATION, _("At least 100 care days"),
            metric=Metric.MIN_DAYS, threshold=Decimal("100"),
            applies_to=[ProgramType.AFTER_SCHOOL]),
        row("attendance_rate", Area.SIZE_DURATION, _("Attendance rate of at least 70%"),
            metric=Metric.ATTENDANCE_RATE, threshold=Decimal("70"), applies_to=[]),
        # Judged by daily care's incident reports; pending until that app is installed.
        row("no_serious_incident", Area.LIFE_SAFETY, _("No serious or critical incident"),
            metric=Metric.SERIOUS_INCIDENTS, threshold=Decimal("0"), applies_to=[]),
        # Judged by daily care's inspections; pending until that app is installed.
        row("daily_inspection", Area.PROCEDURES,
            _("A completed daily inspection (每日巡检) on at least 90% of care days"),
            metric=Metric.DAILY_INSPECTION, threshold=Decimal("90"), applies_to=[]),
        proc("proc_pickup", Area.PROCEDURES,
             _("Pick-up and drop-off attendance procedure (接送出勤)")),
        proc("proc_catering", Area.FOOD_SAFETY, _("Food and catering safety procedure (餐饮安全)")),
        proc("proc_epidemic", Area.EPIDEMIC, _("Epidemic control procedure (疫情防控)")),
        proc("proc_emergency", Area.LIFE_SAFETY, _("Emergency handling procedure (应急处理)"), []),
        proc("proc_daily_inspection", Area.PROCEDURES, _("Daily inspection procedure (每日巡检)")),
        proc("proc_cleaning", Area.PROCEDURES, _("Cleaning procedure (清洁)")),
        proc("proc_safety_patrol", Area.LIFE_SAFETY, _("Safety patrol procedure (安全巡查)")),
    ]  # fmt: skip


@transaction.atomic
def standard_ensure_national_default() -> Standard | None:
    """The root union's standard with DOMAIN.md's defaults; created once, None without a root."""
    root = Org.objects.filter(depth=1).order_by("path").first()
    if root is None:
        return None
    existing = Standard.objects.filter(org=root).order_by("-version").first()
    if existing is not None:
        return existing
    # Stored in the platform's language, whatever the language of whoever created the root.
    with translation.override(settings.LANGUAGE_CODE):
        return _national_default_create(root)


def _national_default_create(root: Org) -> Standard:
    try:
        with transaction.atomic():
            standard = Standard.objects.create(
                org=root,
                version=1,
                title=_("National default construction standard"),
                effective_from=NATIONAL_DEFAULT_FROM,
                published=True,
                published_at=timezone.now(),
            )
    except IntegrityError:
        # Created concurrently (two first requests at once): use that one.
        return Standard.objects.get(org=root, version=1)
    Criterion.objects.bulk_create(
        Criterion(standard=standard, order=n * 10, **fields)
        for n, fields in enumerate(_national_criteria(), start=1)
    )
    return standard


def _next_version(org: Org) -> int:
    # Locking the org row serialises version numbering for that union.
    Org.objects.select_for_update().filter(pk=org.pk).first()
    current = Standard.objects.filter(org=org).aggregate(top=Max("version"))["top"]
    return (current or 0) + 1


def _editable(actor: Actor, standard: Standard) -> None:
    require(can_manage_standard(actor, standard.org))
    if standard.published:
        raise ValidationError(_("A published standard cannot change; make a new version."))


def _symptoms_in_order(codes: list[str]) -> list[str]:
    """The list's own order, whatever order they were ticked in; unknown codes are refused."""
    unknown = set(codes) - set(HEALTH_SYMPTOMS)
    if unknown:
        raise ValidationError({"health_symptoms": _("Choose symptoms from the list.")})
    return [code for code in HEALTH_SYMPTOMS if code in codes]


@transaction.atomic
def standard_create(
    *, actor: Actor, org: Org, title: str, effective_from: datetime.date,
    health_symptoms: list[str] | None = None,
) -> Standard:  # fmt: skip
    """An empty draft version for `org`; criteria are added before publishing."""
    require(can_manage_standard(actor, org))
    standard = Standard(
        org=org, version=_next_version(org), title=title, effective_from=effective_from
    )
    if health_symptoms is not None:
        standard.health_symptoms = _symptoms_in_order(health_symptoms)
    validated(standard)
    standard.save()
    return standard


@transaction.atomic
def standard_new_version(
    *,
    actor: Actor,
    standard: Standard,
    effective_from: datetime.date,
    org: Org | None = None,
    title: str = "",
) -> Standard:
    """A draft copy of `standard` with all its criteria, as the next version of `org`.

    `org` defaults to the standard's own union; a province starts its own standard by
    copying the national one it inherits.
    """
    org = org or standard.org
    require(can_manage_standard(actor, org))
    copy = Standard(
        org=org,
        version=_next_version(org),
        title=title or standard.title,
        effective_from=effective_from,
        health_symptoms=list(standard.health_symptoms),
    )
    validated(copy)
    copy.save()
    for criterion in standard.criteria.all():
        criterion.pk, criterion.standard = None, copy
        criterion._state.adding = True
        criterion.save()
    return copy


@transaction.atomic
def standard_update(
    *, actor: Actor, standard: Standard, title: str | None = None,
    effective_from: datetime.date | None = None, health_symptoms: list[str] | None = None,
) -> Standard:  # fmt: skip
    _editable(actor, standard)
    if title is not None:
        standard.title = title
    if effective_from is not None:
        standard.effective_from = effective_from
    if health_symptoms is not None:
        standard.health_symptoms = _symptoms_in_order(health_symptoms)
    validated(standard)
    standard.save()
    return standard


@transaction.atomic
def standard_publish(*, actor: Actor, standard: Standard) -> Standard:
    _editable(actor, standard)
    if not standard.criteria.exists():
        raise ValidationError(_("A standard needs at least one criterion."))
    standard.published, standard.published_at = True, timezone.now()
    standard.save()
    return standard


def _check_code_free(criterion: Criterion) -> None:
    clash = Criterion.objects.filter(standard=criterion.standard, code=criterion.code)
    if clash.exclude(pk=criterion.pk).exists():
        raise ValidationError({"code": _("This standard already has a criterion with this code.")})


@transaction.atomic
def criterion_add(*, actor: Actor, standard: Standard, **fields: Any) -> Criterion:
    _editable(actor, standard)
    criterion = Criterion(standard=standard)
    assign(criterion, fields, CRITERION_FIELDS)
    validated(criterion)
    _check_code_free(criterion)
    criterion.save()
    return criterion


@transaction.atomic
def criterion_update(*, actor: Actor, criterion: Criterion, **fields: Any) -> Criterion:
    _editable(actor, criterion.standard)
    assign(criterion, fields, CRITERION_FIELDS)
    validated(criterion)
    _check_code_free(criterion)
    criterion.save()
    return criterion


@transaction.atomic
def criterion_remove(*, actor: Actor, criterion: Criterion) -> None:
    _editable(actor, criterion.standard)
    criterion.delete()


@transaction.atomic
def term_rejudge(*, actor: Actor, term: Term, on_date: datetime.date | None = None) -> Term:
    """Judge the term by the standard in force today (or `on_date`) from now on."""
    require(can_rejudge_term(actor, term))
    standard = standard_for(term.program.host, on_date or timezone.localdate())
    if standard is None:
        raise ValidationError(_("No standard is in force for this class."))
    term = Term.objects.select_for_update().get(pk=term.pk)
    term.judged_standard = standard
    term.save()
    return term
