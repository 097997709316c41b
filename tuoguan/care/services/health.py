"""The morning and midday health checks (晨午检) and the epidemic flag.

A check asks the symptoms the class's standard names and those the class adds
(`symptoms_asked`). It is flagged by a temperature at or above the class's fever line or by
any symptom;
the parent is told. A flagged morning check blocks the check-in until a class manager admits
the child with a reason (`health_check_override`); the parent is told again. When N children
of a group show the same symptom within the window (CarePolicy: default 3 within 3 days),
the class managers and the host union are told, once for that outbreak.
"""

import datetime
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoguan.enrolment.models import Enrolment
from tuoguan.orgs.permissions import Actor, require
from tuoguan.programs.standards import term_standard

from ..models import SYMPTOMS, TODDLER_STEPS, CareAlert, EpidemicFlag, HealthCheck, HealthRound
from ..permissions import can_care, can_manage_care
from .attendance import ON_ROSTER
from .common import (
    child_today_url,
    class_managers,
    fire_once,
    group_day_url,
    guardians_of,
    host_union,
    is_toddler_group,
    policy_for,
    require_care_day,
    tell,
)
from .liveview import day_changed


def symptoms_asked(term: Any) -> list[str]:
    """What the check asks besides the temperature: the symptoms the class's standard names
    (every one when no standard judges it) and those the class adds, in the list's order."""
    standard = term_standard(term)
    required = standard.health_symptoms if standard is not None else list(SYMPTOMS)
    extra = policy_for(term.program).symptoms
    return [code for code in SYMPTOMS if code in required or code in extra]


def _temperature(value: Any) -> Decimal:
    try:
        temperature = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({"temperature": _("Enter the temperature, e.g. 36.6.")}) from exc
    if not Decimal(34) <= temperature <= Decimal(43):
        raise ValidationError({"temperature": _("A temperature between 34 and 43 °C, e.g. 36.6.")})
    return temperature


def _clean(values: Iterable[str], allowed: Iterable[str], field: str) -> list[str]:
    allowed = list(allowed)
    chosen = list(dict.fromkeys(values or []))
    unknown = [v for v in chosen if v not in allowed]
    if unknown:
        raise ValidationError({field: _("Choose from the list.")})
    return [v for v in allowed if v in chosen]


@transaction.atomic
def health_check_record(
    *,
    actor: Actor,
    enrolment: Enrolment,
    temperature: Any,
    symptoms: Iterable[str] = (),
    steps: Iterable[str] = (),
    round: str = HealthRound.MORNING,
    note: str = "",
    now: datetime.datetime | None = None,
) -> HealthCheck:
    """Record (or redo) a child's check of this round today."""
    term = enrolment.term
    require(can_care(actor, term))
    if enrolment.status not in ON_ROSTER:
        raise ValidationError(_("The child has no place in this term."), code="no_place")
    now = now or timezone.now()
    day = timezone.localdate(now)
    require_care_day(term, day)
    policy = policy_for(term.program)
    group = enrolment.group
    toddler = is_toddler_group(group)
    if round not in HealthRound.values:
        raise ValidationError({"round": _("Choose from the list.")})
    if round == HealthRound.MIDDAY and not toddler:
        raise ValidationError(
            {"round": _("The midday check is for 托育 groups.")}, code="midday_toddler_only"
        )
    value = _temperature(temperature)
    symptoms = _clean(symptoms, symptoms_asked(term), "symptoms")
    steps = _clean(steps, TODDLER_STEPS, "steps")
    if toddler and len(steps) < len(TODDLER_STEPS):
        raise ValidationError(
            {"steps": _("A 托育 check goes through all four steps (一摸二看三问四查).")},
            code="steps_missing",
        )
    if value >= policy.fever_from and "fever" not in symptoms:
        symptoms = ["fever", *symptoms]
    flagged = bool(symptoms)
    check, created = HealthCheck.objects.get_or_create(
        child_id=enrolment.child_id,
        date=day,
        round=round,
        defaults={
            "enrolment": enrolment,
            "term": term,
            "group": group,
            "temperature": value,
            "symptoms": symptoms,
            "steps": steps,
            "note": (note or "").strip()[:300],
            "flagged": flagged,
            "recorded_by": actor.user,
        },
    )
    if not created:
        was_flagged = check.flagged
        check.temperature, check.symptoms, check.steps = value, symptoms, steps
        check.note, check.flagged, check.recorded_by = (
            (note or "").strip()[:300],
            flagged,
            actor.user,
        )
        if flagged != was_flagged or not flagged:
            check.override_by, check.override_reason, check.override_at = None, "", None
        check.save()
    day_changed(date=day, enrolment_ids=[enrolment.pk], now=now)
    if flagged:
        tell(
            guardians_of(enrolment.child),
            subject=_("%(child)s: something was noticed at the %(round)s")
            % {"child": enrolment.child.name, "round": check.get_round_display()},
            body=_("Temperature %(t)s ℃; %(symptoms)s. The class will call you if needed.")
            % {"t": value, "symptoms": "、".join(check.symptom_labels())},
            url=child_today_url(enrolment),
        )
        if group is not None:
            for symptom in symptoms:
                epidemic_check(group=group, symptom=symptom, day=day)
    return check


@transaction.atomic
def health_check_override(*, actor: Actor, check: HealthCheck, reason: str) -> HealthCheck:
    """A class manager admits a flagged child, with a reason; the parent is told."""
    require(can_manage_care(actor, check.term))
    reason = (reason or "").strip()
    if not check.flagged:
        raise ValidationError(_("This check raised no flag."), code="not_flagged")
    if check.override_at is not None:
        raise ValidationError(_("The child has already been admitted."), code="already")
    if not reason:
        raise ValidationError({"reason": _("Say why the child may stay.")}, code="required")
    check.override_by, check.override_reason = actor.user, reason[:300]
    check.override_at = timezone.now()
    check.save()
    tell(
        guardians_of(check.child),
        subject=_("%(child)s was admitted after the health check") % {"child": check.child.name},
        body=_("Reason given by %(who)s: %(reason)s")
        % {"who": actor.user.real_name or actor.user.username, "reason": check.override_reason},
        url=child_today_url(check.enrolment),
    )
    day_changed(date=check.date, enrolment_ids=[check.enrolment_id])
    return check


def epidemic_check(*, group: Any, symptom: str, day: datetime.date) -> EpidemicFlag | None:
    """Raise the group's flag for `symptom` when its children reach the class's threshold
    within its window; once per outbreak (none raised for it within the window)."""
    policy = policy_for(group.term.program)
    since = day - datetime.timedelta(days=policy.epidemic_days - 1)
    checks = HealthCheck.objects.filter(group=group, date__gte=since, date__lte=day, flagged=True)
    children = {c.child_id for c in checks.only("child_id", "symptoms") if symptom in c.symptoms}
    if len(children) < policy.epidemic_children:
        return None
    if EpidemicFlag.objects.filter(group=group, symptom=symptom, date__gte=since).exists():
        return None
    try:
        with transaction.atomic():
            flag = EpidemicFlag.objects.create(
                group=group,
                term=group.term,
                symptom=symptom,
                date=day,
                children=len(children),
                window_days=policy.epidemic_days,
            )
    except IntegrityError:
        return None
    alert = fire_once(
        kind=CareAlert.Kind.EPIDEMIC, key=f"epidemic:{flag.pk}", term=group.term, day=day
    )
    if alert is not None:
        alert.recipients = tell(
            [*class_managers(group.term), *host_union(group.term)],
            subject=_("Epidemic alert in %(group)s: %(symptom)s")
            % {"group": group.name, "symptom": flag.get_symptom_display()},
            body=_(
                "%(n)s children of %(group)s showed %(symptom)s within %(days)s days. Follow "
                "the epidemic procedure: isolate, inform the parents and the health authority."
            )
            % {
                "n": flag.children,
                "group": group.name,
                "symptom": flag.get_symptom_display(),
                "days": flag.window_days,
            },
            url=group_day_url(group),
        )
        alert.save(update_fields=["recipients"])
    return flag
