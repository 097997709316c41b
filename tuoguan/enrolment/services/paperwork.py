"""Writes of the paperwork: the risk notice, confirmation when all is complete, reminders.

Every paperwork write and every admission ends with `enrolment_sync_confirmation`, so the
status never drifts from `paperwork_status.paperwork_state_many`, which this module re-exports
for its callers.
"""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from tuoguan.notifications.services import notify
from tuoguan.orgs.permissions import Actor, require

from ..agreement_templates import agreement_template_for, org_path_prefixes
from ..models import Enrolment, EnrolmentStatus, RiskNoticeAck
from ..paperwork_status import (
    PAPERWORK_ITEMS,
    SEATED,
    Item,
    agreements_insurance_counts,
    agreements_insurance_metric,
    check_paperwork_open,
    paperwork_checklist,
    paperwork_missing,
    paperwork_missing_many,
    paperwork_state_many,
    paperwork_url,
    risk_notice_acknowledged,
    risk_notice_digest,
)
from ..permissions import can_manage_enrolment, is_family

__all__ = [
    "PAPERWORK_ITEMS",
    "Item",
    "agreement_template_for",
    "agreements_insurance_counts",
    "agreements_insurance_metric",
    "enrolment_sync_confirmation",
    "enrolments_sync_for_child",
    "org_path_prefixes",
    "paperwork_checklist",
    "paperwork_missing",
    "paperwork_missing_many",
    "paperwork_remind",
    "paperwork_state_many",
    "paperwork_url",
    "risk_notice_acknowledge",
    "risk_notice_acknowledged",
    "risk_notice_digest",
]


@transaction.atomic
def risk_notice_acknowledge(*, actor: Actor, enrolment: Enrolment) -> RiskNoticeAck:
    """The guardian acknowledges the class's current risk notice (the text's digest is kept)."""
    require(is_family(actor, enrolment))
    check_paperwork_open(enrolment)
    notice = (enrolment.term.program.risk_notice or "").strip()
    if not notice:
        raise ValidationError(_("This class has no risk notice to acknowledge."))
    ack, _created = RiskNoticeAck.objects.get_or_create(
        enrolment=enrolment,
        notice_digest=risk_notice_digest(notice),
        defaults={"acknowledged_by": actor.user},
    )
    enrolment_sync_confirmation(enrolment=enrolment)
    return ack


# --- Confirmation and reminders -----------------------------------------------------------


def _tell_confirmed(enrolment: Enrolment) -> None:
    notify(
        recipient=enrolment.guardian.user,
        subject=_("Confirmed: %(child)s's place in %(term)s")
        % {"child": enrolment.child.name, "term": enrolment.term},
        body=_("All the paperwork is complete. See you on %(start)s.")
        % {"start": date_format(enrolment.term.start_date)},
        url=paperwork_url(enrolment),
    )


@transaction.atomic
def enrolment_sync_confirmation(*, enrolment: Enrolment) -> Enrolment:
    """Move an admitted child to confirmed when paperwork is complete, and back if not.

    The parent is told when the place becomes confirmed.
    """
    # Lock only the enrolment row (`of`): joined term and union rows stay free for others.
    locked = (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("term__program__host", "child", "guardian__user")
        .filter(pk=enrolment.pk, status__in=SEATED)
        .first()
    )
    if locked is None:
        return enrolment
    wanted = EnrolmentStatus.ADMITTED if paperwork_missing(locked) else EnrolmentStatus.CONFIRMED
    if locked.status != wanted:
        locked.status = wanted
        locked.save(update_fields=["status", "updated_at"])
        if wanted == EnrolmentStatus.CONFIRMED:
            _tell_confirmed(locked)
    return locked


def enrolments_sync_for_child(child: Any) -> None:
    """After a change to a child's own paperwork (insurance, pickups): every seat of theirs."""
    for enrolment in Enrolment.objects.filter(child=child, status__in=SEATED).order_by("pk"):
        enrolment_sync_confirmation(enrolment=enrolment)


@transaction.atomic
def paperwork_remind(*, actor: Actor, enrolments: Iterable[Enrolment]) -> int:
    """Tell each family with an admitted child what is still missing; returns how many."""
    enrolments = list(enrolments)
    for enrolment in enrolments:
        require(can_manage_enrolment(actor, enrolment))
    waiting = [e for e in enrolments if e.status == EnrolmentStatus.ADMITTED]
    missing = paperwork_missing_many(waiting)
    sent = 0
    for enrolment in waiting:
        keys = missing.get(enrolment.pk) or []
        if not keys:
            continue
        notify(
            recipient=enrolment.guardian.user,
            subject=_("Paperwork missing for %(child)s in %(term)s")
            % {"child": enrolment.child.name, "term": enrolment.term},
            body=_("Still missing: %(items)s. The place is confirmed once all is complete.")
            % {"items": "; ".join(str(PAPERWORK_ITEMS[key]) for key in keys)},
            url=paperwork_url(enrolment),
        )
        sent += 1
    return sent


def enrolment_sync_for_child(child: Any) -> None:
    """Consent given or withdrawn: seated enrolments follow at once (confirmed ↔ admitted)."""
    seated = Enrolment.objects.filter(
        child=child, status__in=(EnrolmentStatus.ADMITTED, EnrolmentStatus.CONFIRMED)
    )
    for enrolment in seated:
        enrolment_sync_confirmation(enrolment=enrolment)
