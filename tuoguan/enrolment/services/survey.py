"""Needs surveys (需求调研): a union asks the families of its subtree what care they need.

Writes (create, publish, close, answer) and the scoped reads the survey pages and API share.
Answers hold ages and grades only, never names (PIPL Art. 6, minimum collection); one answer
per family (worker), editable until the survey closes.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from tuoguan.accounts.models import Grade, User, Worker
from tuoguan.notifications.services import notify
from tuoguan.orgs.models import Org, Role
from tuoguan.orgs.permissions import Actor, covers, get_or_404, require, subtree_q
from tuoguan.programs.models import ProgramType

from ..models import NeedsSurvey, SurveyResponse

# Staff who read a survey's totals; only union admins create, publish and close.
SURVEY_READER_ROLES = frozenset({Role.UNION_ADMIN, Role.PROGRAM_MANAGER, Role.REVIEWER})
MAX_CHILDREN = 10
MAX_AGE = 17


class WantedPeriod(models.TextChoices):
    SUMMER = "summer", gettext_lazy("Summer holiday")
    WINTER = "winter", gettext_lazy("Winter holiday")
    BOTH_HOLIDAYS = "both_holidays", gettext_lazy("Summer and winter holidays")
    SCHOOL_TERM = "school_term", gettext_lazy("School term (after school)")
    ALL_YEAR = "all_year", gettext_lazy("All year")


class WantedHours(models.TextChoices):
    MORNING = "morning", gettext_lazy("Mornings")
    AFTERNOON = "afternoon", gettext_lazy("Afternoons")
    FULL_DAY = "full_day", gettext_lazy("Full working day")
    AFTER_SCHOOL = "after_school", gettext_lazy("After school until parents finish work")


# --- Permissions ------------------------------------------------------------------------------


def can_manage_survey_at(actor: Actor, org: Org) -> bool:
    return actor.is_admin and covers(actor, org)


def can_manage_survey(actor: Actor, survey: NeedsSurvey) -> bool:
    return can_manage_survey_at(actor, survey.org)


def can_read_surveys(actor: Actor) -> bool:
    return actor.has_role(SURVEY_READER_ROLES)


def survey_accepts_answers(survey: NeedsSurvey, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    return survey.status == NeedsSurvey.Status.OPEN and survey.opens_at <= now < survey.closes_at


def survey_phase(survey: NeedsSurvey, now: datetime.datetime | None = None) -> str:
    """'draft', 'upcoming', 'open' or 'closed' — what the pages show and allow."""
    now = now or timezone.now()
    if survey.status == NeedsSurvey.Status.DRAFT:
        return "draft"
    if survey.status == NeedsSurvey.Status.CLOSED or now >= survey.closes_at:
        return "closed"
    return "open" if now >= survey.opens_at else "upcoming"


def _ancestor_paths(path: str, steplen: int) -> list[str]:
    return [path[:i] for i in range(steplen, len(path) + 1, steplen)]


# --- Writes -----------------------------------------------------------------------------------


def _check_window(opens_at: datetime.datetime, closes_at: datetime.datetime) -> None:
    if closes_at <= opens_at:
        raise ValidationError({"closes_at": _("The survey must close after it opens.")})
    if closes_at <= timezone.now():
        raise ValidationError({"closes_at": _("The closing time is already past.")})


@transaction.atomic
def survey_create(
    *,
    actor: Actor,
    org: Org,
    title: str,
    opens_at: datetime.datetime,
    closes_at: datetime.datetime,
    intro: str = "",
) -> NeedsSurvey:
    """A draft survey of `org`'s subtree; nobody sees it until it is published."""
    require(can_manage_survey_at(actor, org))
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the survey a title.")})
    _check_window(opens_at, closes_at)
    survey = NeedsSurvey(
        org=org,
        title=title,
        intro=(intro or "").strip(),
        opens_at=opens_at,
        closes_at=closes_at,
        created_by=actor.user,
    )
    survey.full_clean()
    survey.save()
    return survey


@transaction.atomic
def survey_publish(*, actor: Actor, survey: NeedsSurvey) -> NeedsSurvey:
    """Open a draft to the workers of the subtree and tell them about it (in the background)."""
    require(can_manage_survey(actor, survey))
    survey = NeedsSurvey.objects.select_for_update().get(pk=survey.pk)
    if survey.status != NeedsSurvey.Status.DRAFT:
        raise ValidationError(_("Only a draft survey can be published."))
    if survey.closes_at <= timezone.now():
        raise ValidationError({"closes_at": _("The closing time is already past.")})
    survey.status = NeedsSurvey.Status.OPEN
    survey.save(update_fields=["status", "updated_at"])
    survey_id = survey.pk
    transaction.on_commit(lambda: survey_announce.enqueue(survey_id))
    return survey


@transaction.atomic
def survey_close(*, actor: Actor, survey: NeedsSurvey) -> NeedsSurvey:
    """Close early (a survey also closes by itself at `closes_at`); answers become read-only."""
    require(can_manage_survey(actor, survey))
    survey = NeedsSurvey.objects.select_for_update().get(pk=survey.pk)
    if survey.status == NeedsSurvey.Status.CLOSED:
        return survey
    survey.status = NeedsSurvey.Status.CLOSED
    now = timezone.now()
    fields = ["status", "updated_at"]
    if survey.closes_at > now:
        survey.closes_at = max(now, survey.opens_at)
        fields.append("closes_at")
    survey.save(update_fields=fields)
    return survey


@task()
def survey_announce(survey_id: int) -> int:
    """Tell every worker of the survey's subtree that it is open; returns how many were told."""
    survey = NeedsSurvey.objects.select_related("org").get(pk=survey_id)
    url = reverse("enrolment:survey_answer", args=[survey.pk])
    subject = _("Needs survey: %(title)s") % {"title": survey.title}
    body = _("Tell %(union)s what childcare your family needs, by %(closes)s.") % {
        "union": survey.org,
        "closes": date_format(timezone.localtime(survey.closes_at), "DATETIME_FORMAT"),
    }
    users = User.objects.filter(worker__employer__path__startswith=survey.org.path).only("pk")
    count = 0
    for user in users.iterator(chunk_size=500):
        notify(recipient=user, subject=subject, body=body, url=url)
        count += 1
    return count


def clean_children(children: Any) -> list[dict[str, int]]:
    """Ages and grades, nothing else; raises a field error on anything malformed."""
    if not isinstance(children, list) or not children:
        raise ValidationError({"children": _("Give the age and grade of at least one child.")})
    if len(children) > MAX_CHILDREN:
        raise ValidationError(
            {"children": _("At most %(max)d children per family.") % {"max": MAX_CHILDREN}}
        )
    cleaned = []
    for item in children:
        if not isinstance(item, dict):
            raise ValidationError({"children": _("Each child is an age and a grade.")})
        age, grade = item.get("age"), item.get("grade", Grade.NONE)
        if isinstance(age, bool) or not isinstance(age, int) or not 0 <= age <= MAX_AGE:
            raise ValidationError(
                {
                    "children": _("A child's age is a whole number from 0 to %(max)d.")
                    % {"max": MAX_AGE}
                }
            )
        if isinstance(grade, bool) or grade not in Grade.values:
            raise ValidationError({"children": _("Choose each child's grade from the list.")})
        cleaned.append({"age": age, "grade": int(grade)})
    return cleaned


def clean_answer(
    *,
    children: Any,
    wanted_types: Any,
    wanted_period: Any,
    hours: Any,
    pay_living_costs: Any,
    special_needs: Any,
) -> dict[str, Any]:
    """The answer's fields, checked all at once so every wrong field gets its message."""
    errors: dict[str, Any] = {}
    data: dict[str, Any] = {}
    try:
        data["children"] = clean_children(children)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if (
        not isinstance(wanted_types, list)
        or not wanted_types
        or any(t not in ProgramType.values for t in wanted_types)
    ):
        errors["wanted_types"] = [_("Choose at least one type of care from the list.")]
    else:
        data["wanted_types"] = [t for t in ProgramType.values if t in wanted_types]
    for name, value, choices in (
        ("wanted_period", wanted_period, WantedPeriod),
        ("hours", hours, WantedHours),
        ("pay_living_costs", pay_living_costs, SurveyResponse.Payment),
    ):
        if value not in choices.values:
            errors[name] = [_("Choose one of the answers offered.")]
        else:
            data[name] = value
    if not isinstance(special_needs, str) or len(special_needs) > 1000:
        errors["special_needs"] = [_("Special needs: at most 1000 characters of text.")]
    else:
        data["special_needs"] = special_needs.strip()
    if errors:
        raise ValidationError(errors)
    return data


@transaction.atomic
def survey_answer(
    *,
    actor: Actor,
    survey: NeedsSurvey,
    children: Any,
    wanted_types: Any,
    wanted_period: Any,
    hours: Any,
    pay_living_costs: Any,
    special_needs: Any = "",
) -> SurveyResponse:
    """Save the family's answer, or replace it while the survey is still open."""
    worker = Worker.objects.select_related("employer").filter(user=actor.user).first()
    if worker is None or not worker.employer.path.startswith(survey.org.path):
        raise PermissionDenied
    survey = NeedsSurvey.objects.select_for_update().get(pk=survey.pk)
    if not survey_accepts_answers(survey):
        raise ValidationError(_("This survey is not open for answers."), code="closed")
    data = clean_answer(
        children=children,
        wanted_types=wanted_types,
        wanted_period=wanted_period,
        hours=hours,
        pay_living_costs=pay_living_costs,
        special_needs=special_needs,
    )
    response = SurveyResponse.objects.filter(survey=survey, worker=worker).first()
    if response is None:
        response = SurveyResponse(survey=survey, worker=worker, employer=worker.employer)
    for name, value in data.items():
        setattr(response, name, value)
    try:
        # A savepoint: a second tab's simultaneous first answer loses to the unique constraint.
        with transaction.atomic():
            response.save()
    except IntegrityError as exc:
        raise ValidationError(
            _("Your family's answer was saved from another window; reload and edit it.")
        ) from exc
    return response


# --- Reads ------------------------------------------------------------------------------------


def surveys_visible_to(actor: Actor) -> QuerySet[NeedsSurvey]:
    """Surveys of unions in the actor's subtree (staff), with their answer counts."""
    if not can_read_surveys(actor):
        return NeedsSurvey.objects.none()
    return (
        NeedsSurvey.objects.filter(subtree_q(actor, "org__path"))
        .select_related("org")
        .annotate(answer_count=Count("responses"))
        .order_by("-opens_at", "-pk")
    )


def survey_for(actor: Actor, pk: Any) -> NeedsSurvey:
    return get_or_404(surveys_visible_to(actor), pk=pk)


def survey_for_change(actor: Actor, pk: Any) -> NeedsSurvey:
    survey = survey_for(actor, pk)
    require(can_manage_survey(actor, survey))
    return survey


def surveys_published_for(worker: Worker) -> QuerySet[NeedsSurvey]:
    """Published surveys of the unions above the worker's employer (its whole chain)."""
    employer = worker.employer
    answered = SurveyResponse.objects.filter(survey=OuterRef("pk"), worker=worker)
    return (
        NeedsSurvey.objects.filter(
            org__path__in=_ancestor_paths(employer.path, employer.steplen),
            status__in=[NeedsSurvey.Status.OPEN, NeedsSurvey.Status.CLOSED],
        )
        .select_related("org")
        .annotate(answered=Exists(answered))
        .order_by("closes_at", "pk")
    )


def surveys_open_for(worker: Worker) -> QuerySet[NeedsSurvey]:
    """Surveys the worker can answer (or edit their answer to) right now."""
    now = timezone.now()
    return surveys_published_for(worker).filter(
        status=NeedsSurvey.Status.OPEN, opens_at__lte=now, closes_at__gt=now
    )


def survey_for_worker(worker: Worker, pk: Any) -> NeedsSurvey:
    """A published survey addressed to the worker; any other is a 404."""
    return get_or_404(surveys_published_for(worker), pk=pk)


def survey_response_of(survey: NeedsSurvey, worker: Worker) -> SurveyResponse | None:
    return SurveyResponse.objects.filter(survey=survey, worker=worker).first()


def survey_responses(survey: NeedsSurvey) -> QuerySet[SurveyResponse]:
    """Every answer with its unit, ordered as the export lists them."""
    return (
        SurveyResponse.objects.filter(survey=survey)
        .select_related("employer")
        .order_by("employer__path", "pk")
    )


def survey_answer_labels(response: SurveyResponse) -> dict[str, Any]:
    """The answer in words, for the family's read-only summary."""
    grades = dict(Grade.choices)
    types = dict(ProgramType.choices)
    return {
        "children": [
            _("%(age)d years, %(grade)s")
            % {"age": c.get("age", 0), "grade": grades.get(c.get("grade"), "")}
            for c in response.children or []
        ],
        "types": [str(types.get(t, t)) for t in response.wanted_types or []],
        "period": str(dict(WantedPeriod.choices).get(response.wanted_period, "")),
        "hours": str(dict(WantedHours.choices).get(response.hours, "")),
    }


# --- Totals -----------------------------------------------------------------------------------


def _type_filter(value: str) -> Q:
    # The JSON list as text contains `"holiday"` with its quotes: a match on the whole value,
    # the same on SQLite (text) and PostgreSQL (jsonb::text).
    return Q(wanted_types__icontains=f'"{value}"')


def _counting_aggregates() -> dict[str, Any]:
    aggregates: dict[str, Any] = {"families": Count("pk")}
    for value in ProgramType.values:
        aggregates[f"type_{value}"] = Count("pk", filter=_type_filter(value))
    for value in SurveyResponse.Payment.values:
        aggregates[f"pay_{value}"] = Count("pk", filter=Q(pay_living_costs=value))
    aggregates["special_needs"] = Count("pk", filter=~Q(special_needs=""))
    return aggregates


@dataclass
class SurveyTotals:
    families: int = 0
    children: int = 0
    # (value, label, count) rows per question, in the order of the choices.
    types: list[tuple[str, str, int]] = field(default_factory=list)
    pay: list[tuple[str, str, int]] = field(default_factory=list)
    periods: list[tuple[str, str, int]] = field(default_factory=list)
    hours: list[tuple[str, str, int]] = field(default_factory=list)
    grades: list[tuple[int, str, int]] = field(default_factory=list)
    ages: list[tuple[int, str, int]] = field(default_factory=list)
    special_needs: int = 0
    units: list[dict[str, Any]] = field(default_factory=list)

    def chart_data(self) -> dict[str, Any]:
        """Plain lists for the page's charts (read by JavaScript from a json_script tag)."""

        def series(rows: list[Any]) -> dict[str, list[Any]]:
            return {"labels": [str(r[1]) for r in rows], "values": [r[2] for r in rows]}

        top = sorted(self.units, key=lambda u: -u["families"])[:30]
        return {
            "types": series(self.types),
            "pay": series(self.pay),
            "periods": series(self.periods),
            "hours": series(self.hours),
            "grades": series(self.grades),
            "units": {
                "labels": [u["name"] for u in top],
                "families": [u["families"] for u in top],
                "children": [u["children"] for u in top],
            },
        }


def _choice_rows(choices: Any, counts: dict[Any, int]) -> list[tuple[Any, str, int]]:
    return [(value, str(label), counts.get(value, 0)) for value, label in choices.choices]


def survey_totals(survey: NeedsSurvey) -> SurveyTotals:
    """Totals per question and per unit in a fixed number of queries, whatever the answers.

    Counts of scalar answers are aggregated in the database; the children (a JSON list of
    ages and grades) are counted from one streamed query, since JSON arrays cannot be
    unnested the same way on SQLite and PostgreSQL.
    """
    responses = SurveyResponse.objects.filter(survey=survey)
    overall = responses.aggregate(**_counting_aggregates())
    totals = SurveyTotals(families=overall["families"], special_needs=overall["special_needs"])
    totals.types = _choice_rows(ProgramType, {v: overall[f"type_{v}"] for v in ProgramType.values})
    totals.pay = _choice_rows(
        SurveyResponse.Payment, {v: overall[f"pay_{v}"] for v in SurveyResponse.Payment.values}
    )
    periods = dict(responses.values_list("wanted_period").annotate(n=Count("pk")).order_by())
    totals.periods = _choice_rows(WantedPeriod, periods)
    hours = dict(responses.values_list("hours").annotate(n=Count("pk")).order_by())
    totals.hours = _choice_rows(WantedHours, hours)
    units = list(
        responses.values("employer_id", "employer__name", "employer__path")
        .annotate(**_counting_aggregates())
        .order_by("employer__path")
    )
    grades: Counter[int] = Counter()
    ages: Counter[int] = Counter()
    per_unit: Counter[int] = Counter()
    for employer_id, children in responses.values_list("employer_id", "children").iterator(
        chunk_size=2000
    ):
        for child in children or []:
            grades[child.get("grade", 0)] += 1
            ages[child.get("age", 0)] += 1
        per_unit[employer_id] += len(children or [])
    totals.children = sum(per_unit.values())
    totals.grades = _choice_rows(Grade, grades)
    totals.ages = [(age, _("%(age)d years") % {"age": age}, ages[age]) for age in sorted(ages)]
    totals.units = [
        {
            **unit,
            "id": unit["employer_id"],
            "name": unit["employer__name"],
            "children": per_unit[unit["employer_id"]],
            "types": [unit[f"type_{v}"] for v in ProgramType.values],
        }
        for unit in units
    ]
    return totals
