"""Who may apply for a term, and why not: each failed rule is a `Refusal` the parent can read.

Rules (DOMAIN.md §4, issue 4), each configurable per term in `EnrolmentRules`:

* the term is enrolling and its window is open (server time, to the second);
* guardian consent for the child's data under the current policy (PIPL Art. 29, 31);
* a verified union member — or, where the term allows it, a request to join the union
  (`join_request_needed`), which is not a refusal;
* the employer lies within `rules.employer_scope`, by default the host union's subtree;
* the child's age on the term's first day and school grade lie within the term's ranges
  (each range that is set must hold), and some group of the term takes the child;
* one active enrolment per child among terms whose dates overlap, and one per term;
* one period per child per season when the union says so (`season_of`);
* attendance of the previous period at least 70% when `rules.attendance_bar` is on. The
  figures belong to the later `care` app, which registers a provider here
  (`register_attendance_provider`); without a provider there is no data and nobody is barred.

A child outside the guardian's family is not a refusal but a 404: telling the caller why
would confirm that the child exists.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from tuoguan.programs.models import Group, Term, TermStatus

from ..models import ACTIVE_STATUSES, Enrolment, EnrolmentRules
from ..models.allocation import dates_overlap, overlapping_q

# DOMAIN.md §2: attendance below 70% in the previous period bars the next.
ATTENDANCE_BAR = 0.70


@dataclass(frozen=True)
class Refusal:
    """One rule the application fails: a stable code for clients, a message for people."""

    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


def rules_for(term: Term) -> EnrolmentRules:
    """The term's rules, created with the defaults the first time they are needed."""
    cached = getattr(term, "_enrolment_rules", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    rules, _created = EnrolmentRules.objects.get_or_create(term=term)
    term._enrolment_rules = rules  # type: ignore[attr-defined]
    return rules


# --- Seasons -------------------------------------------------------------------------------


def season_of(day: datetime.date) -> tuple[str, int]:
    """The season a term belongs to, by its first day.

    Summer holiday: July–August; winter holiday: January–February (it holds the Spring
    Festival); otherwise the school term of that year: spring (March–June) or autumn
    (September–December). After-school classes run per school term, so "one period per
    season" means one per school term for them.
    """
    month = day.month
    if month in (7, 8):
        return ("summer", day.year)
    if month in (1, 2):
        return ("winter", day.year)
    if 3 <= month <= 6:
        return ("spring", day.year)
    return ("autumn", day.year)


def season_label(season: tuple[str, int]) -> str:
    names = {
        "summer": _("summer holiday %(year)s"),
        "winter": _("winter holiday %(year)s"),
        "spring": _("spring term %(year)s"),
        "autumn": _("autumn term %(year)s"),
    }
    return names[season[0]] % {"year": season[1]}


# --- Attendance providers (registered by the care app) --------------------------------------

AttendanceProvider = Callable[..., float | None]
_attendance_providers: list[AttendanceProvider] = []


def register_attendance_provider(provider: AttendanceProvider) -> AttendanceProvider:
    """Register `provider(*, child, term) -> float | None`: the share (0–1) of care days the
    child attended in their previous period before `term`, or None without data.

    Usable as a decorator; registering the same function twice is harmless.
    """
    if provider not in _attendance_providers:
        _attendance_providers.append(provider)
    return provider


def unregister_attendance_provider(provider: AttendanceProvider) -> None:
    if provider in _attendance_providers:
        _attendance_providers.remove(provider)


def previous_attendance_rate(*, child: Any, term: Term) -> float | None:
    for provider in _attendance_providers:
        rate = provider(child=child, term=term)
        if rate is not None:
            return float(rate)
    return None


# --- Groups --------------------------------------------------------------------------------


def months_old(birth_date: datetime.date, day: datetime.date) -> int:
    months = (day.year - birth_date.year) * 12 + day.month - birth_date.month
    return months - 1 if day.day < birth_date.day else months


def group_fits(group: Group, *, birth_date: datetime.date, grade: int, on: datetime.date) -> bool:
    """Whether a child of this birth date and grade belongs in the group on day `on`."""
    months = months_old(birth_date, on)
    if group.min_age_months is not None and months < group.min_age_months:
        return False
    if group.max_age_months is not None and months > group.max_age_months:
        return False
    if group.grade_min is not None and grade < group.grade_min:
        return False
    return not (group.grade_max is not None and grade > group.grade_max)


def groups_fitting(groups: Iterable[Group], child: Any, term: Term) -> list[Group]:
    """The term's groups that take the child, in the order seats are tried (by id)."""
    return [
        g
        for g in sorted(groups, key=lambda g: g.pk)
        if group_fits(g, birth_date=child.birth_date, grade=child.grade, on=term.start_date)
    ]


# --- The checks ----------------------------------------------------------------------------


def join_request_needed(*, rules: EnrolmentRules, guardian: Any) -> bool:
    """A non-member applies with a request to join the union, where the term allows it."""
    return bool(
        rules.require_verified_member and not guardian.verified and rules.allow_join_request
    )


def _when(value: datetime.datetime) -> str:
    return date_format(timezone.localtime(value), "DATETIME_FORMAT")


def _window(term: Term, now: datetime.datetime) -> list[Refusal]:
    if term.status != TermStatus.ENROLLING:
        return [Refusal("term_not_enrolling", _("This term is not taking applications."))]
    opens, closes = term.enrol_opens_at, term.enrol_closes_at
    if opens is None or closes is None:
        return [Refusal("window_not_set", _("This term has no enrolment window yet."))]
    if now < opens:
        return [
            Refusal(
                "window_not_open",
                _("Applications open at %(when)s.") % {"when": _when(opens)},
            )
        ]
    if now > closes:
        return [
            Refusal(
                "window_closed",
                _("Applications closed at %(when)s.") % {"when": _when(closes)},
            )
        ]
    return []


def _membership(rules: EnrolmentRules, guardian: Any, term: Term) -> list[Refusal]:
    refusals = []
    if rules.require_verified_member and not guardian.verified and not rules.allow_join_request:
        refusals.append(
            Refusal(
                "not_verified_member",
                _(
                    "Only verified union members may apply. Ask your union to verify your "
                    "membership first."
                ),
            )
        )
    scope = rules.employer_scope or term.program.host
    if not guardian.employer.path.startswith(scope.path):
        refusals.append(
            Refusal(
                "employer_outside",
                _(
                    "This term is for workers of %(scope)s and the unions under it; your "
                    "employer is not one of them."
                )
                % {"scope": scope},
            )
        )
    return refusals


def _range_text(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return _("%(low)s to %(high)s") % {"low": low, "high": high}
    if low is not None:
        return _("at least %(low)s") % {"low": low}
    return _("at most %(high)s") % {"high": high}


def _outside(value: int, low: int | None, high: int | None) -> bool:
    return (low is not None and value < low) or (high is not None and value > high)


def _age_and_grade(term: Term, child: Any, groups: list[Group]) -> list[Refusal]:
    refusals = []
    age = child.age_on(term.start_date)
    if _outside(age, term.age_min, term.age_max):
        refusals.append(
            Refusal(
                "age_out_of_range",
                _(
                    "This term takes children aged %(range)s on its first day (%(start)s); "
                    "%(child)s will be %(age)s."
                )
                % {
                    "range": _range_text(term.age_min, term.age_max),
                    "start": date_format(term.start_date),
                    "child": child.name,
                    "age": age,
                },
            )
        )
    if _outside(child.grade, term.grade_min, term.grade_max):
        refusals.append(
            Refusal(
                "grade_out_of_range",
                _("This term takes pupils of grade %(range)s; %(child)s is in grade %(grade)s.")
                % {
                    "range": _range_text(term.grade_min, term.grade_max),
                    "child": child.name,
                    "grade": child.grade,
                },
            )
        )
    if groups and not refusals and not groups_fitting(groups, child, term):
        refusals.append(
            Refusal(
                "no_fitting_group",
                _("No group of this term takes a child of %(child)s's age and grade.")
                % {"child": child.name},
            )
        )
    return refusals


def _other_enrolments(term: Term, child: Any, rules: EnrolmentRules) -> list[Refusal]:
    active = Enrolment.objects.filter(child=child, status__in=ACTIVE_STATUSES).select_related(
        "term__program"
    )
    if not rules.one_period_per_season:
        # Only the same term or overlapping dates matter: let the database narrow it.
        active = active.filter(Q(term=term) | overlapping_q(term.start_date, term.end_date))
    refusals = []
    season = season_of(term.start_date)
    for other in active:
        if other.term_id == term.pk:
            return [
                Refusal(
                    "already_applied",
                    _("%(child)s has already applied for this term.") % {"child": child.name},
                )
            ]
        if dates_overlap(other.term, term):
            refusals.append(
                Refusal(
                    "overlapping_enrolment",
                    _(
                        "%(child)s already has a place or an application for %(term)s, whose "
                        "dates overlap with this term."
                    )
                    % {"child": child.name, "term": other.term},
                )
            )
        elif (
            rules.one_period_per_season
            and other.term.program.host_id == term.program.host_id
            and season_of(other.term.start_date) == season
        ):
            refusals.append(
                Refusal(
                    "one_period_per_season",
                    _(
                        "%(child)s already has a place or an application for %(term)s; the "
                        "union allows one period per child in the %(season)s."
                    )
                    % {"child": child.name, "term": other.term, "season": season_label(season)},
                )
            )
    # One message per rule is enough for the parent to act on.
    first: dict[str, Refusal] = {}
    for refusal in refusals:
        first.setdefault(refusal.code, refusal)
    return list(first.values())


def _attendance(rules: EnrolmentRules, term: Term, child: Any) -> list[Refusal]:
    if not rules.attendance_bar:
        return []
    rate = previous_attendance_rate(child=child, term=term)
    if rate is None or rate >= ATTENDANCE_BAR:
        return []
    return [
        Refusal(
            "attendance_below_bar",
            _(
                "%(child)s attended %(rate)s%% of the care days of the previous period; the "
                "union asks for at least %(bar)s%% to enrol again."
            )
            % {"child": child.name, "rate": round(rate * 100), "bar": round(ATTENDANCE_BAR * 100)},
        )
    ]


def check_eligibility(
    *,
    term: Term,
    child: Any,
    guardian: Any,
    now: datetime.datetime | None = None,
    groups: list[Group] | None = None,
    has_consent: bool | None = None,
    has_other_active: bool = True,
) -> list[Refusal]:
    """Every rule the application fails, in the order a parent would fix them (empty: fine).

    Facts already known (fastpath.apply_facts) save their queries: `has_consent`, and
    `has_other_active=False` when no active application of the child could refuse this one.
    Raises Http404 when the child is not in the guardian's family.
    """
    if child.guardian_id != guardian.pk:
        raise Http404
    now = now or timezone.now()
    rules = rules_for(term)
    if groups is None:
        groups = list(term.groups.all())
    refusals = _window(term, now)
    if not (child.has_consent() if has_consent is None else has_consent):
        refusals.append(
            Refusal(
                "no_consent",
                _(
                    "Give your consent to the processing of %(child)s's data first (on your "
                    "family page)."
                )
                % {"child": child.name},
            )
        )
    refusals += _membership(rules, guardian, term)
    refusals += _age_and_grade(term, child, groups)
    if has_other_active:
        refusals += _other_enrolments(term, child, rules)
    refusals += _attendance(rules, term, child)
    return refusals
