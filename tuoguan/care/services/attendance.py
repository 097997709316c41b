"""Check-in and check-out at the door, absences, the day's close and corrections.

* Only a confirmed enrolment is checked in; for an admitted one the refusal names the
  paperwork still missing (enrolment's paperwork status, the single definition).
* A flagged morning health check blocks the check-in until a class manager overrides it.
* A second check-in of the same child the same day is refused: by the read here, and by the
  database's unique constraint when two arrive at once.
* A check-out names who came: a listed pickup person, today's pickup person for the day, or
  a one-time code from the parent's phone. Anyone else is refused; the refusal is recorded
  and the guardians are told.
"""

import datetime
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoguan.accounts.models import mobile_validator
from tuoguan.core.files import clean_upload
from tuoguan.enrolment.models import Enrolment, EnrolmentStatus, Pickup
from tuoguan.enrolment.paperwork_status import PAPERWORK_ITEMS, paperwork_missing
from tuoguan.enrolment.services.paperwork import paperwork_remind
from tuoguan.enrolment.services.pickups import normalise_mobile
from tuoguan.orgs.permissions import Actor, is_guardian, require

from .. import fastpath
from ..codes import check_in_code_read
from ..guards import checkin_guards
from ..guards import register_checkin_guard as register_checkin_guard
from ..models import (
    ON_ROSTER,
    Absence,
    Attendance,
    AttendanceCorrection,
    CheckInMethod,
    CheckOutMethod,
    CheckoutRefusal,
    DayClose,
    HealthCheck,
    KioskDevice,
    PickupCode,
    TemporaryPickup,
)
from ..permissions import can_care, can_manage_care
from ..selectors import (
    CheckInFacts,
    check_in_facts,
    enrolment_to_check_in,
    kiosk_enrolment_to_check_in,
)
from .common import child_today_url, guardians_of, local_time, require_care_day, tell
from .duty import KnownRatio, Ratio, children_per_carer, ratio_sync, school_ratio_of


class PickupRefused(ValidationError):
    """The person who came may not collect the child; the refusal is on record."""

    def __init__(self, refusal: CheckoutRefusal) -> None:
        super().__init__(
            _("%(name)s may not collect %(child)s. The refusal is recorded and the guardians told.")
            % {"name": refusal.person_name, "child": refusal.attendance.child.name},
            code="pickup_refused",
        )
        self.refusal = refusal


def missing_labels(enrolment: Enrolment) -> list[str]:
    return [str(PAPERWORK_ITEMS[key]) for key in paperwork_missing(enrolment)]


def _require_open_day(enrolment: Enrolment, facts: CheckInFacts) -> None:
    if enrolment.group_id and facts.day_closed:
        raise ValidationError(_("The day of this group is closed."), code="day_closed")


def _check_can_come(enrolment: Enrolment, facts: CheckInFacts) -> None:
    if enrolment.status not in ON_ROSTER:
        raise ValidationError(
            _("%(child)s has no place in this term.") % {"child": enrolment.child.name},
            code="no_place",
        )
    if enrolment.status != EnrolmentStatus.CONFIRMED:
        missing = missing_labels(enrolment)
        raise ValidationError(
            _("%(child)s cannot be checked in: the place is not confirmed. Missing: %(items)s.")
            % {"child": enrolment.child.name, "items": "；".join(missing) or _("confirmation")},
            code="unconfirmed",
        )
    if facts.blocking_check_id is not None:
        blocking = HealthCheck.objects.get(pk=facts.blocking_check_id)
        raise ValidationError(
            _(
                "%(child)s was flagged at the morning health check (%(what)s): a class manager "
                "must admit the child with a reason first."
            )
            % {"child": enrolment.child.name, "what": _flag_text(blocking)},
            code="health_flag",
        )


def _flag_text(check: HealthCheck) -> str:
    parts = [f"{check.temperature}℃", *check.symptom_labels()]
    return "、".join(parts)


# Later apps may stop a term's check-ins (supervision: a veto-level finding until its
# rectification is accepted); care cannot import them, so they register a guard from ready()
# that returns the reason, or None (care.guards).
_checkin_guards = checkin_guards


def _require_not_suspended(term: Any, facts: CheckInFacts | None = None) -> None:
    known = facts.guard_reasons if facts is not None else {}
    for guard in _checkin_guards:
        reason = known[guard] if guard in known else guard(term)
        if reason:
            raise ValidationError(
                _("Check-ins of this term are suspended: %(reason)s") % {"reason": reason},
                code="suspended",
            )


class _CheckedInMeanwhile(Exception):
    """The child's check-in of the day was written by another request after the read."""


def attendance_check_in(
    *,
    actor: Actor | None,
    enrolment: Enrolment,
    code: str = "",
    kiosk: KioskDevice | None = None,
    now: datetime.datetime | None = None,
) -> Attendance:
    """Check a child in: by a caregiver's tap, a scanned code, or at a kiosk (`kiosk`).

    The enrolment may come with what the check-in decides on (`selectors.
    enrolment_for_check_in`, `enrolment_to_check_in`); otherwise that is read here, once.
    """
    now = now or timezone.now()
    try:
        return _check_in(actor=actor, enrolment=enrolment, code=code, kiosk=kiosk, now=now)
    except _CheckedInMeanwhile as exc:
        # Another tap or kiosk checked the child in between the read and the write: the
        # transaction is rolled back, the earlier check-in is read after it.
        day = timezone.localdate(now)
        earlier = Attendance.objects.filter(child_id=enrolment.child_id, date=day).first()
        raise _already_in(enrolment, earlier.checked_in_at if earlier else None) from exc.__cause__


@transaction.atomic
def _check_in(
    *,
    actor: Actor | None,
    enrolment: Enrolment,
    code: str,
    kiosk: KioskDevice | None,
    now: datetime.datetime,
) -> Attendance:
    term = enrolment.term
    day = timezone.localdate(now)
    if kiosk is not None:
        require(kiosk.is_active and kiosk.program_id == term.program_id)
        facts = check_in_facts(enrolment, None, day)
    else:
        require(actor is not None)
        assert actor is not None  # noqa: S101 - for the type checker; `require` refused None
        facts = check_in_facts(enrolment, actor, day)
        require(can_care(actor, term, rostered=facts.rostered))
    if code or kiosk is not None:
        read = check_in_code_read(code, today=day)
        if (read.enrolment_id, read.child_id, read.term_id) != (
            enrolment.pk,
            enrolment.child_id,
            enrolment.term_id,
        ):
            raise ValidationError(
                {"code": _("This code belongs to another child.")}, code="other_child"
            )
    require_care_day(term, day, known=facts.care_day)
    _require_not_suspended(term, facts)
    _require_open_day(enrolment, facts)
    if facts.earlier_at is not None:
        raise _already_in(enrolment, facts.earlier_at)
    _check_can_come(enrolment, facts)
    method = CheckInMethod.KIOSK if kiosk else CheckInMethod.QR if code else CheckInMethod.TAP
    attendance = Attendance(
        enrolment=enrolment,
        term=term,
        group=enrolment.group,
        child=enrolment.child,
        date=day,
        checked_in_at=now,
        checked_in_by=actor.user if actor is not None and kiosk is None else None,
        check_in_method=method,
        kiosk=kiosk,
        province_id=term.province_id,
    )
    # PostgreSQL: the fast read took the row's id (care.fastpath), so the row, its audit
    # entry and the parent's notice go as one statement at the block's end.
    attendance.pk = getattr(enrolment, "door_next_id", None)
    with fastpath.inserts_together():
        attendance.insert_row(refused=lambda _error: _CheckedInMeanwhile())
        if facts.absent:
            # The parent came after all: the absence they reported no longer stands.
            Absence.objects.filter(enrolment=enrolment, date=day).delete()
        # The notice's outside deliveries follow within a minute (notifications_dispatch):
        # the morning rush is enrolment morning's, a write per channel saved per check-in.
        tell(
            guardians_of(enrolment.child),
            subject=_("%(child)s checked in at %(time)s")
            % {"child": enrolment.child.name, "time": local_time(now)},
            url=child_today_url(enrolment),
            batched=True,
        )
    group = enrolment.group
    if group is not None:
        per_carer = children_per_carer(group, school_ratio_of(facts.school_threshold))
        # The read's count and this child: the row just written is not in it.
        ratio = Ratio(facts.children_present + 1, facts.carers_on_duty, per_carer)
        ratio_sync(group, now=now, known=KnownRatio(ratio, facts.open_breach_id))
    return attendance


def _already_in(enrolment: Enrolment, earlier_at: datetime.datetime | None) -> ValidationError:
    when = local_time(earlier_at) if earlier_at is not None else ""
    return ValidationError(
        _("%(child)s was already checked in today at %(time)s.")
        % {"child": enrolment.child.name, "time": when},
        code="already_checked_in",
    )


def attendance_check_in_by_code(
    *,
    actor: Actor | None,
    code: str,
    enrolments: Any = None,
    kiosk: KioskDevice | None = None,
    now: datetime.datetime | None = None,
) -> Attendance:
    """A scanned code names the child; `enrolments` are those the scanner may check in
    (None at a kiosk: the kiosk's, `selectors.kiosk_enrolments`)."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    read = check_in_code_read(code, today=day)
    if enrolments is None and kiosk is not None:
        enrolment = kiosk_enrolment_to_check_in(kiosk, read.enrolment_id, day)
    else:
        enrolment = enrolment_to_check_in(enrolments, actor, read.enrolment_id, day)
    if enrolment is None:
        raise ValidationError(
            {"code": _("This child is not expected here today.")}, code="not_here"
        )
    return attendance_check_in(actor=actor, enrolment=enrolment, code=code, kiosk=kiosk, now=now)


def _require_in(attendance: Attendance) -> None:
    if attendance.checked_out_at is not None:
        raise ValidationError(
            _("%(child)s was already checked out at %(time)s.")
            % {"child": attendance.child.name, "time": local_time(attendance.checked_out_at)},
            code="already_out",
        )


@transaction.atomic
def attendance_check_out(
    *,
    actor: Actor,
    attendance: Attendance,
    pickup: Pickup | None = None,
    temporary_pickup: TemporaryPickup | None = None,
    now: datetime.datetime | None = None,
) -> Attendance:
    """Hand the child to a listed pickup person or to today's pickup person for the day."""
    require(can_care(actor, attendance.term))
    _require_in(attendance)
    now = now or timezone.now()
    day = timezone.localdate(now)
    if pickup is not None:
        if pickup.child_id != attendance.child_id or not pickup.is_active:
            raise ValidationError(
                {"pickup": _("This person is not on the child's pickup list.")},
                code="not_listed",
            )
        attendance.pickup, attendance.check_out_method = pickup, CheckOutMethod.LISTED
    elif temporary_pickup is not None:
        if temporary_pickup.child_id != attendance.child_id or not temporary_pickup.valid_on(day):
            raise ValidationError(
                {"temporary_pickup": _("This pickup person for the day is not valid today.")},
                code="temporary_expired",
            )
        attendance.temporary_pickup = temporary_pickup
        attendance.check_out_method = CheckOutMethod.TEMPORARY
    else:
        raise ValidationError(_("Choose who came to collect the child."), code="nobody")
    return _checked_out(actor, attendance, now)


def _checked_out(actor: Actor, attendance: Attendance, now: datetime.datetime) -> Attendance:
    attendance.checked_out_at, attendance.checked_out_by = now, actor.user
    attendance.save()
    tell(
        guardians_of(attendance.child),
        subject=_("%(child)s was collected at %(time)s by %(who)s")
        % {
            "child": attendance.child.name,
            "time": local_time(now),
            "who": attendance.collected_by() or _("a person with the pickup code"),
        },
        url=child_today_url(attendance.enrolment),
    )
    if attendance.group is not None:
        ratio_sync(attendance.group, now=now)
    return attendance


def attendance_check_out_by_code(
    *, actor: Actor, attendance: Attendance, code: str, person_name: str = "",
    now: datetime.datetime | None = None,
) -> Attendance:  # fmt: skip
    """Hand the child to whoever shows today's one-time code; a wrong code is a refusal."""
    require(can_care(actor, attendance.term))
    now = now or timezone.now()
    day = timezone.localdate(now)
    with transaction.atomic():
        _require_in(attendance)
        used = PickupCode.objects.filter(
            child_id=attendance.child_id, date=day, code=(code or "").strip(), used_at__isnull=True
        ).update(used_at=now)
        if used:
            attendance.check_out_method = CheckOutMethod.CODE
            return _checked_out(actor, attendance, now)
    refusal = pickup_refuse(
        actor=actor,
        attendance=attendance,
        person_name=person_name or _("someone with a wrong pickup code"),
        note=_("Pickup code not valid."),
    )
    raise PickupRefused(refusal)


@transaction.atomic
def pickup_refuse(
    *, actor: Actor, attendance: Attendance, person_name: str, note: str = ""
) -> CheckoutRefusal:
    """Someone not authorised came: the child stays, the refusal is recorded, guardians told."""
    require(can_care(actor, attendance.term))
    name = (person_name or "").strip()
    if not name:
        raise ValidationError({"person_name": _("Write down who came.")}, code="required")
    refusal = CheckoutRefusal.objects.create(
        attendance=attendance,
        person_name=name[:60],
        note=(note or "").strip()[:300],
        refused_by=actor.user,
    )
    tell(
        guardians_of(attendance.child),
        subject=_("We refused to hand %(child)s to %(name)s")
        % {"child": attendance.child.name, "name": refusal.person_name},
        body=_(
            "%(name)s came to collect %(child)s at %(time)s and is not on the pickup list. "
            "The child stays with us. Add a pickup person for the day if you sent them."
        )
        % {
            "name": refusal.person_name,
            "child": attendance.child.name,
            "time": local_time(refusal.refused_at),
        },
        url=child_today_url(attendance.enrolment),
    )
    return refusal


# --- The family's side ---------------------------------------------------------------------


def _require_family(actor: Actor, enrolment: Enrolment) -> None:
    require(is_guardian(actor, enrolment.child) and enrolment.status in ON_ROSTER)


def _require_day_of_term(enrolment: Enrolment, day: datetime.date, *, field: str = "date") -> None:
    today = timezone.localdate()
    if day < today:
        raise ValidationError({field: _("The day has already passed.")}, code="past")
    term = enrolment.term
    if not term.start_date <= day <= term.end_date:
        raise ValidationError({field: _("The day is outside the term.")}, code="outside_term")
    try:
        require_care_day(term, day)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc


@transaction.atomic
def absence_report(
    *, actor: Actor, enrolment: Enrolment, date: datetime.date, reason: str, note: str = ""
) -> Absence:
    """The parent says, in advance or in the morning, that the child will not come."""
    _require_family(actor, enrolment)
    _require_day_of_term(enrolment, date)
    if Attendance.objects.filter(child_id=enrolment.child_id, date=date).exists():
        raise ValidationError(
            {"date": _("The child is already checked in that day.")}, code="already_in"
        )
    absence, _created = Absence.objects.update_or_create(
        enrolment=enrolment,
        date=date,
        defaults={"reason": reason, "note": (note or "").strip()[:200], "reported_by": actor.user},
    )
    return absence


@transaction.atomic
def absence_withdraw(*, actor: Actor, absence: Absence) -> None:
    _require_family(actor, absence.enrolment)
    absence.delete()


def _person_errors(name: str, relation: str, mobile: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not (name or "").strip():
        errors["name"] = _("Enter the person's name.")
    elif len(name.strip()) > 60:
        errors["name"] = _("The name is longer than 60 characters.")
    if not (relation or "").strip():
        errors["relation"] = _("Say how the person is related to the child.")
    elif len(relation.strip()) > 30:
        errors["relation"] = _("The relation is longer than 30 characters.")
    try:
        mobile_validator(mobile)
    except ValidationError:
        errors["mobile"] = _("Enter an 11-digit mainland mobile number starting with 1.")
    return errors


@transaction.atomic
def temporary_pickup_add(
    *,
    actor: Actor,
    enrolment: Enrolment,
    date: datetime.date,
    name: str,
    relation: str,
    mobile: str,
    photo: Any = None,
) -> TemporaryPickup:
    """A person who may collect the child on `date` only; it expires at the end of that day."""
    _require_family(actor, enrolment)
    _require_day_of_term(enrolment, date)
    mobile = normalise_mobile(mobile)
    errors = _person_errors(name, relation, mobile)
    clean = None
    if photo:
        try:
            clean = clean_upload(photo, field="photo", images_only=True, allow_webp=True)
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    person = TemporaryPickup(
        child=enrolment.child,
        date=date,
        name=name.strip(),
        relation=relation.strip(),
        mobile=mobile,
        created_by=actor.user,
    )
    if clean is not None:
        person.photo.save(clean.content.name or "", clean.content, save=False)
    person.save()
    return person


@transaction.atomic
def pickup_code_issue(*, actor: Actor, enrolment: Enrolment) -> PickupCode:
    """Today's one-time pickup code, shown on the parent's phone to whoever collects."""
    _require_family(actor, enrolment)
    today = timezone.localdate()
    for _attempt in range(5):
        code = f"{secrets.randbelow(10**6):06d}"
        try:
            with transaction.atomic():
                return PickupCode.objects.create(
                    child=enrolment.child, date=today, code=code, created_by=actor.user
                )
        except IntegrityError:
            continue
    raise ValidationError(_("Try again."), code="retry")


# --- The staff's day ----------------------------------------------------------------------


@transaction.atomic
def day_close(*, actor: Actor, group: Any, date: datetime.date | None = None) -> DayClose:
    """Close a group's day; refused while a checked-in child is not checked out."""
    require(can_care(actor, group.term))
    day = date or timezone.localdate()
    still_in = list(
        Attendance.objects.filter(group=group, date=day, checked_out_at__isnull=True)
        .select_related("child")
        .order_by("child__name")
    )
    if still_in:
        raise ValidationError(
            _("The day cannot be closed: %(children)s still checked in, not checked out.")
            % {"children": "、".join(a.child.name for a in still_in)},
            code="children_in",
        )
    close, created = DayClose.objects.get_or_create(
        group=group, date=day, defaults={"closed_by": actor.user}
    )
    if not created:
        raise ValidationError(_("The day of this group is already closed."), code="closed")
    return close


@transaction.atomic
def attendance_correct(
    *,
    actor: Actor,
    attendance: Attendance,
    reason: str,
    checked_in_at: datetime.datetime | None = None,
    checked_out_at: datetime.datetime | None = None,
) -> Attendance:
    """Change a time afterwards (a forgotten sign-out, a wrong time), with a reason."""
    require(can_manage_care(actor, attendance.term))
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    if not reason:
        errors["reason"] = _("Say why the record is corrected.")
    new_in = checked_in_at or attendance.checked_in_at
    new_out = checked_out_at or attendance.checked_out_at
    if checked_in_at is None and checked_out_at is None:
        errors["checked_out_at"] = _("Give the correct time.")
    for field, value in (("checked_in_at", checked_in_at), ("checked_out_at", checked_out_at)):
        if value is not None and timezone.localdate(value) != attendance.date:
            errors[field] = _("The time must be on the day of the record.")
        if value is not None and value > timezone.now():
            errors[field] = _("The time cannot be in the future.")
    if new_out is not None and new_out < new_in:
        errors["checked_out_at"] = _("The check-out cannot be before the check-in.")
    if errors:
        raise ValidationError(errors)
    for field, value in (("checked_in_at", checked_in_at), ("checked_out_at", checked_out_at)):
        before = getattr(attendance, field)
        if value is None or value == before:
            continue
        AttendanceCorrection.objects.create(
            attendance=attendance,
            field=field,
            before=before,
            after=value,
            reason=reason[:300],
            corrected_by=actor.user,
        )
        setattr(attendance, field, value)
    if checked_out_at is not None and not attendance.check_out_method:
        attendance.check_out_method = CheckOutMethod.CORRECTION
        attendance.checked_out_by = actor.user
    attendance.corrected = True
    attendance.save()
    if attendance.group is not None:
        ratio_sync(attendance.group)
    return attendance


def paperwork_notify(*, actor: Actor, enrolment: Enrolment) -> int:
    """The manager's one tap: tell the family what is missing (enrolment's reminder)."""
    require(can_manage_care(actor, enrolment.term))
    return paperwork_remind(actor=actor, enrolments=[enrolment])
