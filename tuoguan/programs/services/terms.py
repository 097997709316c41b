"""Writes to terms, their groups and staff roster. Atomic; audited through AuditedModel."""

import math
from collections.abc import Callable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from tuoguan.orgs.models import Org
from tuoguan.orgs.permissions import Actor, require

from ..calendar import years_between
from ..models import (
    SCHOOL_DEFAULT_SIZE,
    TODDLER_RULES,
    Group,
    GroupKind,
    Program,
    ProgramType,
    Term,
    TermStaff,
    TermStatus,
)
from ..permissions import can_manage_program, can_manage_term
from .calendar import calendar_ensure_years
from .days import term_days_generate
from .programs import assign, validated

# What a term's and a group's managers may write, in the order their forms show it: the
# forms, the API's serializers and the services below all read these lists.
TERM_FIELDS = (
    "name",
    "start_date",
    "end_date",
    "daily_start",
    "daily_end",
    "venue",
    "capacity",
    "age_min",
    "age_max",
    "grade_min",
    "grade_max",
    "enrol_opens_at",
    "enrol_closes_at",
    "enrol_mode",
)
# Changing one of these after approval sends the term back for approval.
SENSITIVE_FIELDS = ("capacity", "venue", "start_date", "end_date")
# After-school classes run a school year; anything longer is a typing mistake.
MAX_TERM_DAYS = 400
GROUP_FIELDS = (
    "name",
    "kind",
    "capacity",
    "carers_planned",
    "grade_min",
    "grade_max",
    "min_age_months",
    "max_age_months",
)


def _check_term(term: Term) -> None:
    """Rules that need more than the row itself: venue, length, groups."""
    errors: dict[str, str] = {}
    program = term.program
    if term.venue is None and program.type != ProgramType.ONLINE:
        errors["venue"] = _("Choose the venue where the class runs.")
    elif term.venue is not None and not _same_line(term.venue.owner, program.host):
        errors["venue"] = _("The venue belongs to a union outside this class's line.")
    if (
        term.start_date
        and term.end_date
        and (term.end_date - term.start_date).days >= MAX_TERM_DAYS
    ):
        errors["end_date"] = _("A term lasts at most %(days)s days.") % {"days": MAX_TERM_DAYS}
    if term.pk and term.capacity and term.capacity < term.groups_capacity():
        errors["capacity"] = _("The groups of this term already hold more places than that.")
    if errors:
        raise ValidationError(errors)


def _same_line(owner: Org, host: Org) -> bool:
    # A venue may belong to the host, a union above it (a city's centre) or one below it.
    return host.path.startswith(owner.path) or owner.path.startswith(host.path)


def _province_of(org: Org) -> Org | None:
    path = org.province_path()
    return Org.objects.filter(path=path).first() if path else None


@transaction.atomic
def term_create(*, actor: Actor, program: Program, **fields: Any) -> Term:
    require(can_manage_program(actor, program))
    term = Term(program=program, province=_province_of(program.host))
    assign(term, fields, TERM_FIELDS)
    validated(term, exclude=["province", "judged_standard", "decided_by"])
    _check_term(term)
    term.save()
    _days_generate(term)
    return term


# Enrolment keeps seat counters per term and group; programs cannot import it, so it
# registers here (EnrolmentConfig.ready) and hears of every capacity change in the same
# transaction: new seats go to the waitlist at once, fewer seats sell no more.
_capacity_listeners: list[Callable[[Term], object]] = []


def on_capacity_change(listener: Callable[[Term], object]) -> None:
    if listener not in _capacity_listeners:
        _capacity_listeners.append(listener)


def _capacity_changed(term: Term) -> None:
    for listener in _capacity_listeners:
        listener(term)


@transaction.atomic
def term_update(*, actor: Actor, term: Term, **fields: Any) -> Term:
    """Edit a term. After approval, a change of places, venue or dates re-opens approval."""
    require(can_manage_term(actor, term))
    term = Term.objects.select_for_update().select_related("program__host").get(pk=term.pk)
    before = {name: getattr(term, name) for name in SENSITIVE_FIELDS}
    assign(term, fields, TERM_FIELDS)
    changed = [name for name in SENSITIVE_FIELDS if getattr(term, name) != before[name]]
    if term.status == TermStatus.CLOSED:
        raise ValidationError(_("A closed term cannot be changed."))
    if term.status == TermStatus.RUNNING and changed:
        raise ValidationError(
            {changed[0]: _("The places, venue and dates of a running term cannot change.")}
        )
    validated(term, exclude=["province", "judged_standard", "decided_by"])
    _check_term(term)
    if term.status == TermStatus.REJECTED:
        # Editing a rejected term is the first step of resubmitting it.
        term.status = TermStatus.DRAFT
    term.save()
    if {"start_date", "end_date"} & set(changed):
        _days_generate(term)
    if "capacity" in changed:
        _capacity_changed(term)
    if changed:
        from .lifecycle import term_reopen_approval

        term = term_reopen_approval(actor=actor, term=term, changed=changed)
    return term


# --- Groups ------------------------------------------------------------------------------


def _group_defaults(group: Group, given: set[str], room: int) -> None:
    """Fill what the caller left out from the group kind's rule (DOMAIN.md §3).

    The default size never exceeds the places the term has left (`room`).
    """
    rule = group.rule
    if "capacity" not in given:
        group.capacity = max(1, min(rule.max_size if rule else SCHOOL_DEFAULT_SIZE, room))
    if rule and not {"min_age_months", "max_age_months"} & given:
        group.min_age_months, group.max_age_months = rule.min_months, rule.max_months
    if "carers_planned" not in given and group.capacity:
        per_carer = rule.children_per_carer if rule else SCHOOL_DEFAULT_SIZE
        group.carers_planned = max(1, math.ceil(group.capacity / per_carer))


def _check_group(group: Group, term: Term) -> None:
    toddler = term.program.type == ProgramType.TODDLER
    if toddler and group.kind not in TODDLER_RULES:
        raise ValidationError(
            {"kind": _("Groups of a toddler class are infant, small, big or mixed.")}
        )
    if not toddler and group.kind != GroupKind.SCHOOL:
        raise ValidationError({"kind": _("Only toddler classes have infant and toddler groups.")})
    others = term.groups.exclude(pk=group.pk).aggregate(total=Sum("capacity"))["total"] or 0
    if others + group.capacity > term.capacity:
        raise ValidationError(
            {
                "capacity": _(
                    "The groups would hold %(total)s places but the term has only %(capacity)s."
                )
                % {"total": others + group.capacity, "capacity": term.capacity}
            }
        )


def _locked_term(term: Term) -> Term:
    # Locking the term serialises group changes, so two edits cannot both fit the capacity.
    locked = Term.objects.select_for_update().select_related("program").get(pk=term.pk)
    if locked.status == TermStatus.CLOSED:
        raise ValidationError(_("A closed term cannot be changed."))
    return locked


@transaction.atomic
def group_create(*, actor: Actor, term: Term, **fields: Any) -> Group:
    """Add a group; capacity, age band and carers default from its kind (DOMAIN.md §3)."""
    require(can_manage_term(actor, term))
    term = _locked_term(term)
    group = Group(term=term)
    assign(group, fields, GROUP_FIELDS)
    taken = term.groups.aggregate(total=Sum("capacity"))["total"] or 0
    _group_defaults(group, set(fields), term.capacity - taken)
    validated(group)
    _check_group(group, term)
    group.save()
    _capacity_changed(term)
    return group


@transaction.atomic
def group_update(*, actor: Actor, group: Group, **fields: Any) -> Group:
    require(can_manage_term(actor, group.term))
    term = _locked_term(group.term)
    group = Group.objects.get(pk=group.pk)
    assign(group, fields, GROUP_FIELDS)
    validated(group)
    _check_group(group, term)
    group.save()
    _capacity_changed(term)
    return group


@transaction.atomic
def group_delete(*, actor: Actor, group: Group) -> None:
    require(can_manage_term(actor, group.term))
    term = _locked_term(group.term)
    group.delete()
    _capacity_changed(term)


# --- Staff roster ----------------------------------------------------------------------


@transaction.atomic
def term_staff_add(
    *, actor: Actor, term: Term, user: Any, role: str, group: Group | None = None
) -> TermStaff:
    require(can_manage_term(actor, term))
    if term.is_closed:
        raise ValidationError(_("A closed term cannot be changed."))
    if group is not None and group.term_id != term.pk:
        raise ValidationError({"group": _("The group belongs to another term.")})
    staff = TermStaff.objects.filter(term=term, user=user, role=role).first()
    staff = staff or TermStaff(term=term, user=user, role=role)
    staff.group = group
    validated(staff)
    staff.save()
    return staff


@transaction.atomic
def term_staff_remove(*, actor: Actor, staff: TermStaff) -> None:
    require(can_manage_term(actor, staff.term))
    staff.delete()


class GroupValidationError(ValidationError):
    """A group of `term_create_with_groups` was refused; `index` says which one."""

    def __init__(self, index: int, error: ValidationError) -> None:
        super().__init__(error.error_dict if hasattr(error, "error_dict") else error.error_list)
        self.index = index


@transaction.atomic
def term_create_with_groups(
    *, actor: Actor, program: Program, groups: Sequence[dict[str, Any]] = (), **fields: Any
) -> Term:
    """A term and its first groups in one step: all of it is saved, or none of it."""
    term = term_create(actor=actor, program=program, **fields)
    for index, group_fields in enumerate(groups):
        try:
            group_create(actor=actor, term=term, **group_fields)
        except ValidationError as exc:
            raise GroupValidationError(index, exc) from exc
    return term


def _days_generate(term: Term) -> None:
    # The term is planned over these years: store them, so admins see and correct them.
    calendar_ensure_years(years_between(term.start_date, term.end_date))
    term_days_generate(term=term)
