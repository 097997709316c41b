"""Running lottery draws: publish the inputs and seed, compute (lottery.draw), apply, verify.

`draw_run` (one term) and `draws_run` (many) check who may draw and that the window has
closed, collect the applications into published `DrawInputs` (ids, tiers, fitting groups,
anonymous sibling sets, free seats) with their SHA-256 digest and a seed, create `Draw`
rows (status running — the partial unique constraint allows one live draw per term) and
a `Job`, and leave the work to the `draw_execute` task, whose page shows a progress bar.

The task applies each outcome in bulk: one UPDATE … FROM (VALUES …) per few thousand
enrolments, seat pools set in one bulk update — no query per applicant — so 100,000
applications over 3,000 terms take seconds. Notifications and paperwork checks follow in
a second task (`draw_notify`).

A re-draw needs a reason: the live draw becomes SUPERSEDED (audited, with the reason), its
outcome is undone, and the new draw starts from all active applications.
"""

import logging
import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from itertools import islice
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoguan.audit.context import with_reason
from tuoguan.audit.models import AuditEntry
from tuoguan.audit.services import audit_record_many
from tuoguan.core.jobs import job_create, job_finish, job_progress, job_start
from tuoguan.orgs.permissions import Actor, require
from tuoguan.programs.models import EnrolMode, Group, Term, TermStatus

from .. import fastpath
from ..models import (
    ACTIVE_STATUSES,
    Draw,
    Enrolment,
    EnrolmentRules,
    EnrolmentStatus,
    Offer,
    SeatPool,
)
from ..permissions import can_run_draw
from . import lottery
from .allocation import priority_tiers, tier_of
from .eligibility import group_fits
from .seats import term_pool_lock

logger = logging.getLogger(__name__)

# Draws applied per transaction.
DRAW_BATCH = 500
MAX_SEED_LENGTH = 64


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


# --- Checks -----------------------------------------------------------------------------------


def _check_term(actor: Actor, term: Term, live: Draw | None, reason: str) -> None:
    require(can_run_draw(actor, term))
    if term.enrol_mode != EnrolMode.LOTTERY:
        raise ValidationError(
            _("%(term)s allocates places first come, first served; it has no draw.")
            % {"term": term}
        )
    if term.status != TermStatus.ENROLLING:
        raise ValidationError(_("%(term)s is not enrolling.") % {"term": term})
    if term.enrol_closes_at is None or timezone.now() <= term.enrol_closes_at:
        raise ValidationError(
            _("The draw of %(term)s runs after applications close.") % {"term": term}
        )
    if live is not None and live.status == Draw.Status.RUNNING:
        raise ValidationError(_("A draw of %(term)s is running.") % {"term": term})
    if live is not None and not reason:
        raise ValidationError(
            {
                "reason": _(
                    "%(term)s was drawn already; a re-draw needs a reason, which is published."
                )
                % {"term": term}
            }
        )


def _clean_seed(seed: str | None) -> str:
    if seed is None or seed == "":
        return secrets.token_hex(16)
    seed = str(seed)
    if len(seed) > MAX_SEED_LENGTH or not seed.isprintable():
        raise ValidationError({"seed": _("A seed has at most 64 printable characters.")})
    return seed


def _supersede(draw: Draw, reason: str) -> None:
    """Void a finished draw: its outcome is undone and every active application waits again."""
    term = draw.term
    term_pool_lock(term)
    now = timezone.now()
    with with_reason(reason):
        draw.status = Draw.Status.SUPERSEDED
        draw.save()
    Offer.objects.filter(enrolment__term=term, status=Offer.Status.OPEN).update(
        status=Offer.Status.CANCELLED, answered_at=now
    )
    Enrolment.objects.filter(term=term, status__in=ACTIVE_STATUSES).update(
        status=EnrolmentStatus.APPLIED,
        group=None,
        waitlist_rank=None,
        decided_at=None,
        updated_at=now,
    )
    SeatPool.objects.filter(term=term).update(taken=0)


# --- Inputs -----------------------------------------------------------------------------------


def _pools_by_term(
    terms: list[Term], groups: dict[int, list[Group]]
) -> dict[int, dict[int | None, SeatPool]]:
    """Seat pools of many terms, created where missing, in three queries."""
    term_ids = [t.pk for t in terms]

    def fetch() -> dict[int, dict[int | None, SeatPool]]:
        found: dict[int, dict[int | None, SeatPool]] = defaultdict(dict)
        for pool in SeatPool.objects.filter(term_id__in=term_ids):
            found[pool.term_id][pool.group_id] = pool
        return found

    pools = fetch()
    missing = [
        SeatPool(term=t, group=None, capacity=t.capacity) for t in terms if None not in pools[t.pk]
    ]
    missing += [
        SeatPool(term=t, group=g, capacity=g.capacity)
        for t in terms
        for g in groups.get(t.pk, [])
        if g.pk not in pools[t.pk]
    ]
    if missing:
        SeatPool.objects.bulk_create(missing, ignore_conflicts=True, batch_size=1000)
        pools = fetch()
    return pools


def _sibling_labels(rows: list[tuple[Any, ...]]) -> dict[int, str]:
    """Anonymous labels s1, s2… for sibling sets of two or more kept together."""
    members: dict[tuple[int, str], list[int]] = defaultdict(list)
    for pk, _tier, guardian_id, key, together, *_rest in rows:
        if together and key:
            members[(guardian_id, key)].append(pk)
    sets = sorted((sorted(ids) for ids in members.values() if len(ids) > 1), key=lambda ids: ids[0])
    return {pk: f"s{n}" for n, ids in enumerate(sets, start=1) for pk in ids}


def collect_inputs(terms: list[Term]) -> dict[int, lottery.DrawInputs]:
    """The published inputs of each term's draw, from a fixed number of queries."""
    term_ids = [t.pk for t in terms]
    groups: dict[int, list[Group]] = defaultdict(list)
    for group in Group.objects.filter(term_id__in=term_ids).order_by("pk"):
        groups[group.term_id].append(group)
    pools = _pools_by_term(terms, groups)
    rules = {r.term_id: r for r in EnrolmentRules.objects.filter(term_id__in=term_ids)}
    rows_by_term: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    applications = Enrolment.objects.filter(term_id__in=term_ids, status=EnrolmentStatus.APPLIED)
    for (
        pk,
        term_id,
        claimed,
        rejected,
        guardian_id,
        key,
        together,
        birth,
        grade,
    ) in applications.values_list(
        "pk",
        "term_id",
        "priority_groups",
        "priority_rejected",
        "guardian_id",
        "sibling_key",
        "keep_together",
        "child__birth_date",
        "child__grade",
    ).order_by("pk"):
        rows_by_term[term_id].append(
            (pk, (claimed, rejected), guardian_id, key, together, birth, grade)
        )
    inputs = {}
    for term in terms:
        tiers = priority_tiers(rules.get(term.pk), term.program)
        term_groups = groups.get(term.pk, [])
        rows = rows_by_term.get(term.pk, [])
        labels = _sibling_labels(rows)
        applicants = tuple(
            lottery.Applicant(
                id=pk,
                tier=tier_of(claim[0] or [], tiers, claim[1]),
                groups=tuple(
                    g.pk
                    for g in term_groups
                    if group_fits(g, birth_date=birth, grade=grade, on=term.start_date)
                ),
                sibling_set=labels.get(pk, ""),
            )
            for pk, claim, _guardian, _key, _together, birth, grade in rows
        )
        term_pools = pools[term.pk]
        inputs[term.pk] = lottery.DrawInputs(
            seats=term_pools[None].free,
            applicants=applicants,
            groups=tuple((g.pk, term_pools[g.pk].free) for g in term_groups),
            term=term.pk,
            tiers=tuple(tuple(t) for t in tiers),
        )
    return inputs


# --- Running ----------------------------------------------------------------------------------


@transaction.atomic
def draws_run(
    *, actor: Actor, terms: Iterable[Term], reason: str = "", seeds: dict[int, str] | None = None
) -> list[Draw]:
    """Start the draws of many lottery terms (one Draw each, one Job for all)."""
    reason = (reason or "").strip()[:500]
    seeds = seeds or {}
    term_list = list(
        Term.objects.select_related("program__host")
        .filter(pk__in=[t.pk for t in terms])
        .order_by("pk")
    )
    if not term_list:
        raise ValidationError(_("Choose at least one term to draw."))
    live = {
        d.term_id: d
        for d in Draw.objects.select_related("term").filter(
            term__in=term_list, status__in=[Draw.Status.RUNNING, Draw.Status.DONE]
        )
    }
    for term in term_list:
        _check_term(actor, term, live.get(term.pk), reason)
    for draw in live.values():
        _supersede(draw, reason)
    inputs = collect_inputs(term_list)
    job = job_create(
        owner=actor.user,
        kind="draw",
        title=_("Lottery draw: %(term)s") % {"term": term_list[0]}
        if len(term_list) == 1
        else _("Lottery draws of %(count)s terms") % {"count": len(term_list)},
        total=len(term_list),
    )
    draws = []
    for term in term_list:
        published = inputs[term.pk].to_json()
        draws.append(
            Draw(
                term=term,
                seed=_clean_seed(seeds.get(term.pk)),
                run_by=actor.user,
                job=job,
                inputs=published,
                inputs_digest=lottery.canonical_digest(published),
                reason=reason if term.pk in live else "",
            )
        )
    try:
        with transaction.atomic():
            # In bulk: a lottery day draws thousands of terms; each draw is still audited.
            draws = Draw.objects.bulk_create(draws, batch_size=500)
    except IntegrityError:
        raise ValidationError(_("A draw of this term was started a moment ago.")) from None
    audit_record_many(action=AuditEntry.Action.CREATE, instances=draws, reason=reason)
    draw_ids = [d.pk for d in draws]
    from ..tasks import draw_execute

    transaction.on_commit(lambda: draw_execute.enqueue(job.pk, draw_ids))
    return draws


def draw_run(*, actor: Actor, term: Term, seed: str | None = None, reason: str = "") -> Draw:
    """Start the draw of one lottery term; returns the Draw (its `job` shows progress)."""
    seeds = {term.pk: _clean_seed(seed)}
    return draws_run(actor=actor, terms=[term], reason=reason, seeds=seeds)[0]


# --- Applying outcomes (the task) -------------------------------------------------------------


class DrawApplyError(Exception):
    pass


def _apply_batch(draw_ids: Sequence[int]) -> list[int]:
    """Apply the outcomes of some running draws in one transaction; returns terms that were
    left with free seats (an applicant withdrew meanwhile) for the waitlist to fill."""
    now = timezone.now()
    draws = list(Draw.objects.filter(pk__in=draw_ids, status=Draw.Status.RUNNING))
    term_ids = [d.term_id for d in draws]
    pools = list(SeatPool.objects.select_for_update().filter(term_id__in=term_ids).order_by("pk"))
    by_key = {(p.term_id, p.group_id): p for p in pools}
    still_applied = set(
        Enrolment.objects.filter(term_id__in=term_ids, status=EnrolmentStatus.APPLIED).values_list(
            "pk", flat=True
        )
    )
    rows: list[tuple[int, str, int | None, int | None, int]] = []
    refill: list[int] = []
    for draw in draws:
        inputs = lottery.DrawInputs.from_json(draw.inputs)
        outcome = lottery.draw(inputs, draw.seed)
        draw.outcome, draw.status, draw.finished_at = outcome.to_json(), Draw.Status.DONE, now
        tiers = {a.id: a.tier for a in inputs.applicants}
        seated = 0
        for pk, group_id in outcome.admitted:
            if pk not in still_applied:
                continue
            rows.append((pk, EnrolmentStatus.ADMITTED.value, group_id, None, tiers[pk]))
            seated += 1
            if group_id is not None:
                by_key[(draw.term_id, group_id)].taken += 1
        by_key[(draw.term_id, None)].taken += seated
        if seated < len(outcome.admitted):
            refill.append(draw.term_id)
        # Ranks continue the term's counter (the pool row is locked above).
        term_pool = by_key[(draw.term_id, None)]
        for pk in outcome.waitlist:
            if pk in still_applied:
                term_pool.waitlist_seq += 1
                rows.append(
                    (pk, EnrolmentStatus.WAITLISTED.value, None, term_pool.waitlist_seq, tiers[pk])
                )
    if any(p.taken > p.capacity for p in pools):
        raise DrawApplyError("seats changed since the draw started")
    fastpath.draw_results_write(
        rows,
        [(p.pk, p.taken, p.waitlist_seq) for p in pools],
        [(d.pk, lottery.canonical_json(d.outcome)) for d in draws],
        now,
    )
    return refill


def draws_execute(*, job_id: int, draw_ids: list[int]) -> None:
    """The body of the draw task: compute and apply in batches, reporting progress."""
    from .offers import offers_dispatch

    job_start(job_id=job_id, total=len(draw_ids))
    try:
        for batch in _chunks(draw_ids, DRAW_BATCH):
            with transaction.atomic():
                for term in Term.objects.filter(pk__in=_apply_batch(batch)):
                    offers_dispatch(term=term)
            job_progress(job_id=job_id, step=len(batch))
    except Exception as exc:
        logger.exception("Lottery draws %s failed", draw_ids)
        Draw.objects.filter(pk__in=draw_ids, status=Draw.Status.RUNNING).update(
            status=Draw.Status.FAILED, finished_at=timezone.now()
        )
        job_finish(
            job_id=job_id,
            error=_("The draw failed (%(error)s); nothing of the failed batch was applied.")
            % {"error": type(exc).__name__},
        )
        return
    url = reverse("enrolment:draw_public", kwargs={"pk": draw_ids[0]}) if draw_ids else ""
    job_finish(job_id=job_id, result={"url": url, "draws": draw_ids})
    from ..tasks import draw_notify

    transaction.on_commit(lambda: draw_notify.enqueue(draw_ids))


def draws_notify(*, draw_ids: list[int]) -> None:
    """Tell every applicant of finished draws their result; check paperwork of the admitted."""
    from . import notices
    from .paperwork import enrolment_sync_confirmation

    for draw in Draw.objects.filter(pk__in=draw_ids, status=Draw.Status.DONE):
        ids = draw.outcome.get("order", [])
        enrolments = Enrolment.objects.filter(pk__in=ids).select_related(
            "term", "child", "guardian__user"
        )
        waiting = sorted(
            (e for e in enrolments if e.status == EnrolmentStatus.WAITLISTED),
            key=lambda e: e.waitlist_rank or 0,
        )
        positions = {e.pk: n for n, e in enumerate(waiting, start=1)}
        for enrolment in enrolments:
            with transaction.atomic():
                if enrolment.status == EnrolmentStatus.ADMITTED:
                    notices.tell_admitted(enrolment_sync_confirmation(enrolment=enrolment))
                elif enrolment.pk in positions:
                    notices.tell_waitlisted(enrolment, positions[enrolment.pk])


# --- Verifying --------------------------------------------------------------------------------


def draw_differences(draw: Draw) -> list[str]:
    """Why the published draw does not reproduce (empty when it does)."""
    if draw.status not in (Draw.Status.DONE, Draw.Status.SUPERSEDED):
        return [
            _("The draw is %(status)s: there is no outcome to verify yet.")
            % {"status": draw.get_status_display()}
        ]
    problems = []
    digest = lottery.canonical_digest(draw.inputs)
    if digest != draw.inputs_digest:
        problems.append(
            _("The inputs digest differs: published %(published)s, recomputed %(digest)s.")
            % {"published": draw.inputs_digest, "digest": digest}
        )
    try:
        expected = lottery.draw(lottery.DrawInputs.from_json(draw.inputs), draw.seed)
    except ValueError as exc:
        return [*problems, str(exc)]
    return problems + lottery.outcome_differences(expected, draw.outcome)


def draw_verify(draw: Draw) -> bool:
    """Recompute the draw from its published inputs and seed: True when the outcome matches."""
    return not draw_differences(draw)
