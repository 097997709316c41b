"""Staff on duty and the live carer ratio of each group.

The ratio a group keeps is its kind's for 托育 (DOMAIN.md §3, `Group.children_per_carer`),
otherwise the carer-ratio threshold of the standard the term is judged by, otherwise 1 tutor
per 35 pupils (DOMAIN.md §2). A breach is `children > carers × children per carer`: the first
child above the ratio opens a `RatioBreach` and tells the class managers; the breach closes
when the ratio is kept again, so its duration is on record.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoguan.orgs.permissions import Actor, require
from tuoguan.programs.models import (
    SCHOOL_DEFAULT_SIZE,
    Group,
    TermStaff,
)
from tuoguan.programs.standards import term_standard

from ..models import CareAlert, DutyShift, RatioBreach
from ..permissions import can_care, can_manage_care
from ..selectors import carer_ratio_criteria, carers_on_duty, children_present, open_breaches
from .common import class_managers, fire_once, group_day_url, require_care_day, tell


@dataclass(frozen=True)
class Ratio:
    children: int
    carers: int
    children_per_carer: Decimal

    @property
    def allowed(self) -> Decimal:
        return self.carers * self.children_per_carer

    @property
    def breached(self) -> bool:
        return self.children > 0 and self.children > self.allowed


def school_children_per_carer(term: Any) -> Decimal:
    """The standard's carer ratio for pupils' groups, else DOMAIN.md §2's 35 per tutor."""
    cached = getattr(term, "_care_school_ratio", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    value = Decimal(SCHOOL_DEFAULT_SIZE)
    standard = term_standard(term)
    if standard is not None:
        criterion = carer_ratio_criteria(standard).first()
        value = school_ratio_of(criterion.threshold if criterion is not None else None)
    term._care_school_ratio = value
    return value


def school_ratio_of(threshold: Decimal | None) -> Decimal:
    """Children per carer of a pupils' group from the standard's threshold (none or 0: 35)."""
    return Decimal(threshold) if threshold else Decimal(SCHOOL_DEFAULT_SIZE)


def children_per_carer(group: Group, school: Decimal | None = None) -> Decimal:
    """The group's children per carer; `school`: the term's school ratio, when read already."""
    if school is None and group.rule is None:
        school = school_children_per_carer(group.term)
    per_carer = group.children_per_carer(school)
    return per_carer if per_carer is not None else Decimal(SCHOOL_DEFAULT_SIZE)


def group_ratio(group: Group, day: datetime.date) -> Ratio:
    """Children checked in and not out, against carers clocked in, now."""
    children = children_present(group, day).count()
    carers = carers_on_duty(group, day).count()
    return Ratio(children, carers, children_per_carer(group))


@dataclass(frozen=True)
class KnownRatio:
    """The ratio and the open breach's id as the caller read them (a check-in's facts)."""

    ratio: Ratio
    open_breach_id: int | None


def ratio_sync(
    group: Group, *, now: datetime.datetime | None = None, known: KnownRatio | None = None
) -> Ratio:
    """Open or close the group's breach record to match the ratio now; alert on opening.
    `known`: the ratio and open breach the caller read in its own query, not read again."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    if known is None:
        ratio = group_ratio(group, day)
        open_breach = open_breaches(group).first()
    else:
        ratio = known.ratio
        open_breach = None
        if known.open_breach_id is not None:
            open_breach = open_breaches(group).filter(pk=known.open_breach_id).first()
    if ratio.breached and open_breach is None:
        _breach_open(group, ratio, now, day)
    elif ratio.breached and open_breach is not None:
        if ratio.children > open_breach.children or ratio.carers != open_breach.carers:
            open_breach.children = max(open_breach.children, ratio.children)
            open_breach.carers = ratio.carers
            open_breach.save(update_fields=["children", "carers"])
    elif open_breach is not None:
        open_breach.ended_at = now
        open_breach.save(update_fields=["ended_at"])
    return ratio


def _breach_open(group: Group, ratio: Ratio, now: datetime.datetime, day: datetime.date) -> None:
    try:
        with transaction.atomic():
            breach = RatioBreach.objects.create(
                group=group,
                term=group.term,
                date=day,
                started_at=now,
                children=ratio.children,
                carers=ratio.carers,
                children_per_carer=ratio.children_per_carer,
            )
    except IntegrityError:
        return  # another request opened it a moment ago
    alert = fire_once(kind=CareAlert.Kind.RATIO, key=f"ratio:{breach.pk}", term=group.term, day=day)
    if alert is None:
        return
    alert.recipients = tell(
        class_managers(group.term),
        subject=_("Staff ratio breached in %(group)s") % {"group": group.name},
        body=_(
            "%(children)s children present with %(carers)s carers on duty; at most "
            "%(per)s children per carer are allowed. Send a carer to the group."
        )
        % {
            "children": ratio.children,
            "carers": ratio.carers,
            "per": f"{ratio.children_per_carer.normalize():f}",
        },
        url=group_day_url(group),
    )
    alert.save(update_fields=["recipients"])


def _staff_of(actor: Actor, group: Group, staff: TermStaff | None) -> TermStaff:
    if staff is None:
        staff = TermStaff.objects.filter(term=group.term, user=actor.user).order_by("pk").first()
        if staff is None:
            raise ValidationError(
                _("You are not on the staff roster of this term."), code="not_rostered"
            )
    if staff.term_id != group.term_id:
        raise ValidationError(_("This person is on another term's roster."), code="other_term")
    if staff.user_id != actor.user.pk:
        require(can_manage_care(actor, group.term))
    return staff


@transaction.atomic
def duty_clock_in(
    *,
    actor: Actor,
    group: Group,
    staff: TermStaff | None = None,
    now: datetime.datetime | None = None,
) -> DutyShift:
    """Clock a rostered person in to a group (oneself, or anyone for a class manager)."""
    require(can_care(actor, group.term))
    now = now or timezone.now()
    day = timezone.localdate(now)
    require_care_day(group.term, day)
    staff = _staff_of(actor, group, staff)
    try:
        with transaction.atomic():
            shift = DutyShift.objects.create(staff=staff, group=group, date=day, started_at=now)
    except IntegrityError as exc:
        raise ValidationError(
            _("%(name)s is already on duty; clock out first.") % {"name": staff.user.real_name},
            code="already_on_duty",
        ) from exc
    ratio_sync(group, now=now)
    return shift


@transaction.atomic
def duty_clock_out(
    *, actor: Actor, shift: DutyShift, now: datetime.datetime | None = None
) -> DutyShift:
    require(can_care(actor, shift.group.term))
    if shift.staff.user_id != actor.user.pk:
        require(can_manage_care(actor, shift.group.term))
    if shift.ended_at is not None:
        raise ValidationError(_("This shift has already ended."), code="already_ended")
    now = now or timezone.now()
    shift.ended_at = now
    shift.save(update_fields=["ended_at"])
    ratio_sync(shift.group, now=now)
    return shift
