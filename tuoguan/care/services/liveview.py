"""Writes behind the parent's live view: the day's version, caregivers' notes and
activities, and the summary of each child's day sent after closing.

Every writer of an event a family sees on the live view calls `day_changed` in its
transaction — except check-in and check-out, whose Attendance row's `updated_at` is the
stamp already (the check-in's fast path writes nothing more). The poll reads both stamps in
one indexed query (`selectors.child_day_stamp`).
"""

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoguan.core.lookups import require
from tuoguan.enrolment.models import Enrolment, EnrolmentStatus
from tuoguan.orgs.permissions import Actor
from tuoguan.programs.models import Group, Term, TermDay, TermStatus

from ..models import (
    ON_ROSTER,
    Absence,
    Attendance,
    ChildDay,
    DayNote,
    DayNoteKind,
    HealthCheck,
    HealthRound,
    Meal,
)
from ..permissions import can_care
from .common import guardians_of, local_time, require_care_day, tell

NOTE_MAX = 500


def day_changed(
    *,
    date: datetime.date,
    enrolment_ids: Iterable[int] | None = None,
    group: Group | None = None,
    term: Term | None = None,
    now: datetime.datetime | None = None,
) -> int:
    """Bump the version of these children's day (`enrolment_ids`, or every child on the
    roster of `group` or `term`) so that their families' next poll answers 200 with a new
    ETag. Two statements whatever the number of children; returns how many were bumped.

    Any writer of an event the live view shows calls it inside its transaction (the photos
    of the day do, at upload)."""
    if enrolment_ids is not None:
        ids = list(dict.fromkeys(int(pk) for pk in enrolment_ids))
    else:
        roster = Enrolment.objects.filter(status__in=ON_ROSTER)
        if group is not None:
            roster = roster.filter(group=group)
        elif term is not None:
            roster = roster.filter(term=term)
        else:
            raise ValueError("day_changed needs enrolment_ids, a group or a term")
        ids = list(roster.values_list("pk", flat=True))
    if not ids:
        return 0
    now = now or timezone.now()
    bumped = set(
        ChildDay.objects.filter(enrolment_id__in=ids, date=date).values_list(
            "enrolment_id", flat=True
        )
    )
    if bumped:
        ChildDay.objects.filter(enrolment_id__in=bumped, date=date).update(
            version=F("version") + 1, changed_at=now
        )
    fresh = [ChildDay(enrolment_id=pk, date=date, version=1, changed_at=now) for pk in ids]
    # A row another writer created meanwhile gets this one's time: the stamp changes anyway.
    ChildDay.objects.bulk_create(
        [row for row in fresh if row.enrolment_id not in bumped],
        update_conflicts=True,
        unique_fields=["enrolment", "date"],
        update_fields=["changed_at"],
    )
    return len(ids)


@transaction.atomic
def day_note_add(
    *,
    actor: Actor,
    group: Group,
    kind: str,
    text: str,
    time: datetime.time | None = None,
    children: Iterable[Enrolment] = (),
    now: datetime.datetime | None = None,
) -> DayNote:
    """Post an activity or a short note on today's page of the group; `children`: only
    their families see it (default: the whole group's)."""
    term = group.term
    require(can_care(actor, term))
    now = now or timezone.now()
    day = timezone.localdate(now)
    errors: dict[str, str] = {}
    if kind not in DayNoteKind.values:
        errors["kind"] = _("Choose from the list.")
    text = (text or "").strip()
    if not text:
        errors["text"] = _("Write the note.")
    elif len(text) > NOTE_MAX:
        errors["text"] = _("At most %(n)d characters.") % {"n": NOTE_MAX}
    tagged = list(children)
    if any(e.group_id != group.pk or e.status not in ON_ROSTER for e in tagged):
        errors["children"] = _("Choose children of this group.")
    if errors:
        raise ValidationError(errors)
    require_care_day(term, day)
    note = DayNote.objects.create(
        term=term,
        group=group,
        date=day,
        kind=kind,
        time=time or timezone.localtime(now).time().replace(second=0, microsecond=0),
        text=text,
        author=actor.user,
    )
    if tagged:
        note.children.set(tagged)
        day_changed(date=day, enrolment_ids=[e.pk for e in tagged], now=now)
    else:
        day_changed(date=day, group=group, now=now)
    return note


# --- The summary of the day, sent after closing -------------------------------------------


def _closed_terms(now: datetime.datetime) -> list[Term]:
    day = timezone.localdate(now)
    care_day = TermDay.objects.filter(term=OuterRef("pk"), date=day, is_care_day=True)
    terms = (
        Term.objects.filter(status=TermStatus.RUNNING, start_date__lte=day, end_date__gte=day)
        .filter(Exists(care_day))
        .select_related("program")
        .order_by("pk")
    )
    local = timezone.localtime(now).time()
    return [t for t in terms if t.daily_end <= local]


def _summary_text(
    enrolment: Enrolment,
    attendance: Attendance | None,
    absence: Absence | None,
    check: HealthCheck | None,
    meals: list[str],
    notes: int,
) -> str:
    parts = []
    if attendance is not None:
        parts.append(_("checked in at %(t)s") % {"t": local_time(attendance.checked_in_at)})
        if attendance.checked_out_at:
            parts.append(
                _("collected at %(t)s by %(who)s")
                % {"t": local_time(attendance.checked_out_at), "who": attendance.collected_by()}
            )
    elif absence is not None:
        parts.append(_("absent: %(reason)s") % {"reason": absence.get_reason_display()})
    else:
        parts.append(_("did not come"))
    if check is not None:
        result = _("something noticed") if check.flagged else _("well")
        parts.append(
            _("morning check %(t)s ℃, %(result)s") % {"t": check.temperature, "result": result}
        )
    if meals:
        parts.append(_("meals: %(meals)s") % {"meals": "、".join(meals)})
    parts.append(_("%(n)d notes and activities") % {"n": notes})
    return "；".join(parts) + "。"


def _term_summaries(term: Term, day: datetime.date, now: datetime.datetime) -> int:
    enrolments = list(
        Enrolment.objects.filter(term=term, status=EnrolmentStatus.CONFIRMED)
        .exclude(Exists(ChildDay.objects.filter(enrolment=OuterRef("pk"), date=day,
                                                summary_sent_at__isnull=False)))
        .select_related("child__guardian__user")
        .order_by("pk")
    )  # fmt: skip
    if not enrolments:
        return 0
    ids = [e.pk for e in enrolments]
    # The rows of the day, claimed first: a second run (or runner) finds them sent.
    ChildDay.objects.bulk_create(
        [ChildDay(enrolment_id=pk, date=day, changed_at=now) for pk in ids],
        ignore_conflicts=True,
    )
    claimed = set(
        ChildDay.objects.filter(
            enrolment_id__in=ids, date=day, summary_sent_at__isnull=True
        ).values_list("pk", flat=True)
    )
    ChildDay.objects.filter(pk__in=claimed).update(summary_sent_at=now)
    mine = set(
        ChildDay.objects.filter(pk__in=claimed, summary_sent_at=now).values_list(
            "enrolment_id", flat=True
        )
    )
    attendance = {
        a.enrolment_id: a
        for a in Attendance.objects.filter(enrolment_id__in=mine, date=day).select_related(
            "pickup", "temporary_pickup"
        )
    }
    absences = {a.enrolment_id: a for a in Absence.objects.filter(enrolment_id__in=mine, date=day)}
    checks = {
        c.enrolment_id: c
        for c in HealthCheck.objects.filter(
            enrolment_id__in=mine, date=day, round=HealthRound.MORNING
        )
    }
    meals = [
        m.get_kind_display() for m in Meal.objects.filter(term=term, date=day).order_by("kind")
    ]
    group_notes = dict(
        DayNote.objects.filter(term=term, date=day, children=None)
        .values_list("group_id")
        .annotate(n=Count("pk"))
    )
    own_notes = dict(
        DayNote.children.through.objects.filter(
            daynote__term=term, daynote__date=day, enrolment_id__in=mine
        )
        .values_list("enrolment_id")
        .annotate(n=Count("pk"))
    )
    sent = 0
    for enrolment in enrolments:
        if enrolment.pk not in mine:
            continue
        notes = group_notes.get(enrolment.group_id, 0) + own_notes.get(enrolment.pk, 0)
        tell(
            guardians_of(enrolment.child),
            subject=_("%(child)s's day at %(program)s")
            % {"child": enrolment.child.name, "program": term.program.name},
            body=_summary_text(
                enrolment,
                attendance.get(enrolment.pk),
                absences.get(enrolment.pk),
                checks.get(enrolment.pk),
                meals,
                notes,
            ),
            url=reverse("care:child_history", kwargs={"pk": enrolment.pk}),
            batched=True,
        )
        sent += 1
    return sent


def day_summaries_send(*, now: datetime.datetime | None = None) -> int:
    """After a class's closing time, send each guardian one summary of the child's day: in
    and out, the morning check, the meals, how many notes; once per child and day."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    sent = 0
    for term in _closed_terms(now):
        with transaction.atomic():
            sent += _term_summaries(term, day, now)
    return sent
