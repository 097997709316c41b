"""The roster of a term as the union and the class manager read and act on it.

Reads: the term (404 outside the subtree, 403 for roles that do not read rosters), its
enrolments filtered by status, group and missing paperwork, and the paperwork columns of a
page in a fixed number of queries (`paperwork_state_many`, the paperwork engineer's single
definition of "complete"). Acts: reminders to families with missing items, through
`paperwork_remind`, in a background job when many rows are concerned. Admission by hand,
removal and draws are the allocation services', called as they are by the views.
"""

import datetime
import logging
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from tuoguan.audit.context import acting_as
from tuoguan.core.jobs import job_create, job_finish, job_progress, job_start
from tuoguan.core.models import Job
from tuoguan.orgs.permissions import Actor, actor_for, require
from tuoguan.programs.models import Group, Term
from tuoguan.programs.permissions import can_manage_term

from ..models import ACTIVE_STATUSES, Enrolment, EnrolmentStatus, PaperworkReminder
from ..permissions import ROSTER_READER_ROLES
from ..selectors import term_for_staff, with_waitlist_position
from .paperwork import (
    PAPERWORK_ITEMS,
    paperwork_missing_many,
    paperwork_remind,
    paperwork_state_many,
)

logger = logging.getLogger(__name__)

# A second round of reminders sooner than this asks for a confirmation first.
REMIND_AGAIN_AFTER = datetime.timedelta(hours=24)
# Above this many rows, reminders and exports run as a background job with a progress bar.
BACKGROUND_THRESHOLD = 100
CHUNK = 200
INACTIVE = "inactive"
ANY_MISSING = "any"
SEATED = (EnrolmentStatus.ADMITTED, EnrolmentStatus.CONFIRMED)
# Seated children first, then offers, the waitlist in order, lottery applications, the rest.
_STATUS_ORDER = [
    EnrolmentStatus.CONFIRMED,
    EnrolmentStatus.ADMITTED,
    EnrolmentStatus.OFFERED,
    EnrolmentStatus.WAITLISTED,
    EnrolmentStatus.APPLIED,
]


# --- Access -----------------------------------------------------------------------------------


def roster_term_for(actor: Actor, pk: Any) -> Term:
    """A term whose roster the actor reads: outside the subtree → 404, no roster role → 403."""
    term = term_for_staff(actor, pk)
    require(actor.has_role(ROSTER_READER_ROLES))
    return term


def can_manage_roster(actor: Actor, term: Term) -> bool:
    """Admit, remove, remind, import, draw: the host's admins and class managers."""
    return can_manage_term(actor, term)


def roster_enrolment_for(actor: Actor, term: Term, pk: Any) -> Enrolment:
    """One enrolment of the roster (404 when it belongs to another term)."""
    from tuoguan.orgs.permissions import get_or_404

    return get_or_404(_base(term), pk=pk)


# --- The rows ---------------------------------------------------------------------------------


def _base(term: Term) -> QuerySet[Enrolment]:
    return with_waitlist_position(
        Enrolment.objects.filter(term=term).select_related(
            "child", "guardian__user", "guardian__employer", "group", "term__program__host"
        )
    )


def _ordered(queryset: QuerySet[Enrolment]) -> QuerySet[Enrolment]:
    rank = Case(
        *[When(status=s, then=Value(n)) for n, s in enumerate(_STATUS_ORDER)],
        default=Value(len(_STATUS_ORDER)),
        output_field=IntegerField(),
    )
    return queryset.annotate(status_order=rank).order_by(
        "status_order", "waitlist_rank", "child__name", "pk"
    )


def roster_enrolments(
    term: Term, *, status: str = "", group: Group | None = None, missing: str = ""
) -> QuerySet[Enrolment]:
    """The term's enrolments as the roster lists them.

    `status`: "" active ones, "inactive" withdrawn/removed/lapsed, or one status.
    `missing`: "any" admitted children whose paperwork is incomplete (status admitted means
    exactly that: the paperwork services keep it in sync), or one item's key.
    """
    queryset = _base(term)
    if status == INACTIVE:
        queryset = queryset.exclude(status__in=ACTIVE_STATUSES)
    elif status:
        queryset = queryset.filter(status=status)
    else:
        queryset = queryset.filter(status__in=ACTIVE_STATUSES)
    if group is not None:
        queryset = queryset.filter(group=group)
    if missing:
        queryset = queryset.filter(status=EnrolmentStatus.ADMITTED)
        if missing != ANY_MISSING:
            queryset = queryset.filter(pk__in=_missing_item_ids(queryset, missing))
    return _ordered(queryset)


def _missing_item_ids(queryset: QuerySet[Enrolment], key: str) -> list[int]:
    """Ids of the admitted enrolments missing `key`, computed in bulk a chunk at a time."""
    ids: list[int] = []
    rows = list(queryset.order_by("pk"))
    for start in range(0, len(rows), CHUNK):
        missing = paperwork_missing_many(rows[start : start + CHUNK])
        ids += [pk for pk, keys in missing.items() if key in keys]
    return ids


@dataclass(frozen=True)
class PaperworkCell:
    key: str
    label: str
    done: bool | None  # None: the item does not apply (no seat yet, or no risk notice)
    detail: str


@dataclass
class RosterRow:
    enrolment: Enrolment
    cells: list[PaperworkCell]

    @property
    def waitlist_position(self) -> int | None:
        if self.enrolment.status != EnrolmentStatus.WAITLISTED:
            return None
        return int(getattr(self.enrolment, "waitlist_ahead", 0) or 0) + 1


def paperwork_columns() -> list[tuple[str, str]]:
    return [(key, str(label)) for key, label in PAPERWORK_ITEMS.items()]


def roster_rows(enrolments: list[Enrolment]) -> list[RosterRow]:
    """Rows with one paperwork cell per item; a fixed number of queries for the whole page."""
    seated = [e for e in enrolments if e.status in SEATED]
    states = paperwork_state_many(seated)
    rows = []
    for enrolment in enrolments:
        state = states.get(enrolment.pk)
        cells = []
        for key, label in paperwork_columns():
            if state is None or key not in state:
                cells.append(PaperworkCell(key, label, None, ""))
            else:
                done, detail = state[key]
                cells.append(PaperworkCell(key, label, done, detail))
        rows.append(RosterRow(enrolment=enrolment, cells=cells))
    return rows


def roster_counts(term: Term) -> dict[str, int]:
    """How many enrolments of the term are in each status (one query)."""
    from django.db.models import Count

    counts = dict(
        Enrolment.objects.filter(term=term).values_list("status").annotate(n=Count("pk")).order_by()
    )
    return {status: counts.get(status, 0) for status in EnrolmentStatus.values}


# --- Reminders --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RemindOutcome:
    sent: int | None  # None when it runs in the background
    job: Job | None


def remind_targets(term: Term, group: Group | None = None) -> QuerySet[Enrolment]:
    """Admitted (not yet confirmed) children of the term: those with something missing."""
    queryset = Enrolment.objects.filter(term=term, status=EnrolmentStatus.ADMITTED)
    if group is not None:
        queryset = queryset.filter(group=group)
    return queryset.select_related("child", "guardian__user", "term__program__host").order_by("pk")


class RemindedRecently(ValidationError):
    """Parents were reminded a short while ago: the view asks before reminding them again."""

    def __init__(self, last: PaperworkReminder) -> None:
        who = last.sent_by.real_name if last.sent_by else ""
        super().__init__(
            _(
                "Parents were last reminded on %(when)s by %(who)s. Remind them again, "
                "so soon after?"
            )
            % {"when": timezone.localtime(last.sent_at).strftime("%Y-%m-%d %H:%M"), "who": who}
        )
        self.last = last


def last_reminder(term: Term) -> PaperworkReminder | None:
    return (
        PaperworkReminder.objects.filter(term=term)
        .select_related("sent_by")
        .order_by("-sent_at", "-pk")
        .first()
    )


def roster_remind(
    *,
    actor: Actor,
    term: Term,
    group: Group | None = None,
    language: str = "zh-hans",
    confirmed: bool = False,
) -> RemindOutcome:
    """Remind every family with missing paperwork; many rows go to a background job.

    Within REMIND_AGAIN_AFTER of the last round, only when `confirmed` (RemindedRecently).
    """
    require(can_manage_roster(actor, term))
    last = last_reminder(term)
    if last and not confirmed and timezone.now() - last.sent_at < REMIND_AGAIN_AFTER:
        raise RemindedRecently(last)
    targets = remind_targets(term, group)
    ids = list(targets.values_list("pk", flat=True))
    round_ = PaperworkReminder.objects.create(term=term, group=group, sent_by=actor.user)
    if len(ids) <= BACKGROUND_THRESHOLD:
        sent = paperwork_remind(actor=actor, enrolments=targets)
        round_.families = sent
        round_.save(update_fields=["families"])
        return RemindOutcome(sent=sent, job=None)
    job = job_create(
        owner=actor.user,
        kind="roster_remind",
        title=_("Paperwork reminders: %(term)s") % {"term": term},
        total=len(ids),
    )
    roster_remind_task.enqueue(
        job_id=job.pk,
        term_id=term.pk,
        membership_id=actor.membership.pk if actor.membership else None,
        enrolment_ids=ids,
        language=language,
    )
    return RemindOutcome(sent=None, job=job)


@task()
def roster_remind_task(
    job_id: int, term_id: int, membership_id: int | None, enrolment_ids: list[int], language: str
) -> None:
    """Send the reminders of a large roster a chunk at a time, reporting to the job."""
    job = Job.objects.select_related("owner").get(pk=job_id)
    actor = actor_for(job.owner, membership_id)
    sent = 0
    try:
        with (
            translation.override(language),
            acting_as(
                user_id=job.owner.pk,
                membership_id=membership_id,
                membership_label=str(actor.membership or ""),
            ),
        ):
            if actor.membership is None or actor.membership.pk != membership_id:
                job_finish(job_id=job_id, error=_("Your union role changed; nothing was sent."))
                return
            job_start(job_id=job_id, total=len(enrolment_ids))
            term = Term.objects.select_related("program__host").get(pk=term_id)
            for start in range(0, len(enrolment_ids), CHUNK):
                chunk = enrolment_ids[start : start + CHUNK]
                # Status read again: a family may have completed everything meanwhile.
                targets = remind_targets(term).filter(pk__in=chunk)
                sent += paperwork_remind(actor=actor, enrolments=targets)
                job_progress(job_id=job_id, step=len(chunk))
            job_finish(job_id=job_id, result={"sent": sent})
    except Exception:
        logger.exception("Paperwork reminders %s failed", job_id)
        with translation.override(language):
            job_finish(
                job_id=job_id,
                result={"sent": sent},
                error=_("Sending stopped unexpectedly after %(sent)d reminders.") % {"sent": sent},
            )
