"""Grants to classes: created, approved (committed against the budget), disbursed with proof;
and the designation grants of a campaign, made in one step."""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoguan.core.files import clean_upload
from tuoguan.orgs.models import Org
from tuoguan.orgs.permissions import Actor
from tuoguan.programs import designations
from tuoguan.programs.models import Program

from ..models import Grant, GrantKind, GrantStatus
from ..money import check_fen
from ..permissions import can_approve_grant, can_grant_to
from .budgets import _check_year, commit

GRANT_FIELDS = ("program", "year", "kind", "amount_fen", "note")


@transaction.atomic
def grant_create(
    *,
    actor: Actor,
    org: Org,
    program: Program,
    year: int,
    kind: str,
    amount_fen: int,
    note: str = "",
) -> Grant:
    """Propose a subsidy to a class of the union's subtree; it waits for approval."""
    if not can_grant_to(actor, org, program):
        raise PermissionDenied
    year = _check_year(year)
    if kind not in GrantKind.values or kind == GrantKind.DESIGNATION:
        raise ValidationError(
            {"kind": _("Choose a purpose; demonstration class grants are made from a campaign.")}
        )
    check_fen(amount_fen)
    return Grant.objects.create(
        org=org, program=program, year=year, kind=kind, amount_fen=amount_fen,
        note=note.strip()[:300], created_by=actor.user,
    )  # fmt: skip


def _locked(grant: Grant) -> Grant:
    return Grant.objects.select_for_update().select_related("org", "program__host").get(pk=grant.pk)


@transaction.atomic
def grant_approve(*, actor: Actor, grant: Grant) -> Grant:
    """Approve: the amount is committed against the granting union's budget, or refused."""
    locked = _locked(grant)
    if not can_approve_grant(actor, locked):
        raise PermissionDenied
    if locked.status != GrantStatus.PENDING:
        raise ValidationError(_("Only a grant awaiting approval can be approved."))
    commit(org=locked.org, year=locked.year, amount_fen=locked.amount_fen)
    locked.status = GrantStatus.APPROVED
    locked.approved_by, locked.approved_at = actor.user, timezone.now()
    locked.save()
    return locked


@transaction.atomic
def grant_reject(*, actor: Actor, grant: Grant) -> Grant:
    locked = _locked(grant)
    if not can_approve_grant(actor, locked):
        raise PermissionDenied
    if locked.status != GrantStatus.PENDING:
        raise ValidationError(_("Only a grant awaiting approval can be rejected."))
    locked.status = GrantStatus.REJECTED
    locked.save()
    return locked


@transaction.atomic
def grant_disburse(*, actor: Actor, grant: Grant, disbursed_on: datetime.date, proof: Any) -> Grant:
    """Record that the money went out, with the proof (a bank slip: photo or PDF)."""
    locked = _locked(grant)
    if not can_approve_grant(actor, locked):
        raise PermissionDenied
    if locked.status != GrantStatus.APPROVED:
        raise ValidationError(_("Only an approved grant can be disbursed."))
    if not isinstance(disbursed_on, datetime.date):
        raise ValidationError({"disbursed_on": _("Give the date the money was paid out.")})
    if disbursed_on > timezone.localdate():
        raise ValidationError({"disbursed_on": _("The date cannot be in the future.")})
    if not proof:
        raise ValidationError({"proof": _("Attach the proof of payment.")})
    clean = clean_upload(proof, field="proof")
    locked.proof.save(clean.content.name or "proof", clean.content, save=False)
    locked.proof_type = clean.content_type
    locked.status, locked.disbursed_on = GrantStatus.DISBURSED, disbursed_on
    locked.save()
    return locked


def not_available_message() -> str:
    return _("Designations are not available: the demonstration classes app is not installed.")


@transaction.atomic
def designation_grants_create(
    *, actor: Actor, org: Org, key: str, year: int, amount_fen: int | None = None
) -> list[Grant]:
    """One grant per designation of the batch (a campaign's), approved at once, in one step:
    the whole sum is committed together, so it is refused whole if the budget cannot cover all.
    Designations already granted are left out."""
    if not designations.is_available():
        raise ValidationError(not_available_message())
    batch = designations.batch(str(key)[:40])
    if batch is None or not batch.organiser_path.startswith(org.path):
        raise ValidationError({"campaign": _("Choose a campaign with designations of your union.")})
    year = _check_year(year)
    amount = amount_fen if amount_fen else batch.grant_fen
    check_fen(amount)
    granted = set(
        Grant.objects.filter(designation_id__in=[c.designation_id for c in batch.classes])
        .exclude(status=GrantStatus.REJECTED)
        .values_list("designation_id", flat=True)
    )
    todo = [c for c in batch.classes if c.designation_id not in granted]
    if not todo:
        raise ValidationError(_("Every designation of this campaign already has its grant."))
    programs = Program.objects.select_related("host").in_bulk([c.program_id for c in todo])
    for designated in todo:
        if not can_grant_to(actor, org, programs[designated.program_id]):
            raise PermissionDenied
    commit(org=org, year=year, amount_fen=amount * len(todo), field="amount_fen")
    now = timezone.now()
    return [
        Grant.objects.create(
            org=org,
            program=programs[c.program_id],
            year=year,
            kind=GrantKind.DESIGNATION,
            amount_fen=amount,
            note=batch.title[:300],
            designation_id=c.designation_id,
            status=GrantStatus.APPROVED,
            created_by=actor.user,
            approved_by=actor.user,
            approved_at=now,
        )
        for c in todo
    ]
