"""Planning visits, building their checklists, signing them off and acknowledging them."""

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoguan.core.fonts import validate_printable
from tuoguan.orgs.models import Membership
from tuoguan.orgs.permissions import Actor, require
from tuoguan.programs.compliance import Status, term_compliance
from tuoguan.programs.permissions import HOST_ROLES
from tuoguan.programs.standards import term_standard

from ..models import ChecklistItem, Rectification, RectificationEvent, Visit, VisitStatus
from ..permissions import (
    INSPECTOR_ROLES,
    can_acknowledge,
    can_change_visit,
    can_inspect,
    can_plan_visit,
    grassroots_paths_of,
    has_conflict,
)
from .notices import class_managers, class_staff, planner_admins, tell, visit_url

MAX_SIGNATURE = 60
DEFAULT_DEADLINE_DAYS = 14


def _check_inspectors(planner: Any, term: Any, inspectors: Sequence[Any]) -> None:
    if not inspectors:
        raise ValidationError({"inspectors": _("Name at least one inspector.")})
    allowed = set(
        Membership.objects.filter(
            org__path__startswith=planner.path, role__in=INSPECTOR_ROLES, is_active=True
        ).values_list("user_id", flat=True)
    )
    for user in inspectors:
        if user.pk not in allowed:
            raise ValidationError(
                {"inspectors": _("%(name)s is not an inspector of %(org)s.")
                 % {"name": user.real_name or user.username, "org": planner}}
            )  # fmt: skip
        if has_conflict(user, term):
            raise ValidationError(
                {"inspectors": _(
                    "%(name)s belongs to the class's own grassroots union and may not "
                    "inspect it (conflict of interest)."
                ) % {"name": user.real_name or user.username}}
            )  # fmt: skip


def checklist_build(visit: Visit) -> None:
    """The checklist from the standard that judges the term, with what the data says now.

    Criteria that do not apply to the class's type are left out; free items are kept.
    """
    term = visit.term
    standard = term_standard(term)
    visit.standard = standard
    visit.save(update_fields=["standard", "updated_at"])
    visit.items.filter(criterion__isnull=False).delete()
    if standard is None:
        return
    judged = {row.criterion.pk: row for row in term_compliance(term).rows}
    items = []
    for order, criterion in enumerate(standard.criteria.all(), start=1):
        row = judged.get(criterion.pk)
        if row is not None and row.status == Status.NA:
            continue
        items.append(
            ChecklistItem(
                visit=visit,
                key=criterion.code,
                criterion=criterion,
                area=criterion.area,
                label=criterion.label,
                is_veto=criterion.is_veto,
                order=order,
                data_status=row.status if row else "",
                data_detail=(row.detail if row else "")[:300],
            )
        )
    for item in items:
        item.save()


@transaction.atomic
def visit_plan(
    *,
    actor: Actor,
    term: Any,
    date: datetime.date,
    inspectors: Sequence[Any],
    announced: bool = True,
    summary: str = "",
) -> Visit:
    """Plan a visit of the actor's union to a term below it; the checklist is built now."""
    require(can_plan_visit(actor, term))
    assert actor.org is not None  # noqa: S101 - can_plan_visit needs a membership
    if date < timezone.localdate():
        raise ValidationError({"date": _("A visit cannot be planned in the past.")})
    if term.status in ("closed", "draft", "rejected", "submitted"):
        raise ValidationError({"term": _("Only approved, enrolling or running terms are visited.")})
    _check_inspectors(actor.org, term, inspectors)
    visit = Visit(planner=actor.org, term=term, date=date, announced=announced, summary=summary)
    visit.save()
    visit.inspectors.set(inspectors)
    checklist_build(visit)
    subject = _("Inspection visit on %(date)s: %(term)s") % {"date": date.isoformat(), "term": term}
    tell(inspectors, actor=actor, subject=subject, url=visit_url(visit))
    if announced:
        tell(class_managers(term), actor=actor, subject=subject, url=visit_url(visit))
    return visit


@transaction.atomic
def visit_cancel(*, actor: Actor, visit: Visit) -> Visit:
    require(can_change_visit(actor, visit))
    if visit.status != VisitStatus.PLANNED:
        raise ValidationError(_("Only a visit that has not started can be cancelled."))
    visit.status = VisitStatus.CANCELLED
    visit.save(update_fields=["status", "updated_at"])
    return visit


def _locked(visit: Visit) -> Visit:
    fresh = Visit.objects.select_for_update().get(pk=visit.pk)
    visit.status, visit.started_at = fresh.status, fresh.started_at
    return visit


def visit_begin(visit: Visit, *, at: datetime.datetime | None = None) -> None:
    """Mark the visit started (an unannounced visit becomes visible to the class now).

    Before any answer, the checklist is rebuilt if the term's standard changed since it was
    planned: the visit follows the version that judges the class on the day.
    """
    if visit.status != VisitStatus.PLANNED:
        return
    current = term_standard(visit.term)
    answered = visit.items.exclude(result="").exists()
    if not answered and (current.pk if current else None) != visit.standard_id:
        checklist_build(visit)
    visit.status, visit.started_at = VisitStatus.IN_PROGRESS, at or timezone.now()
    visit.save(update_fields=["status", "started_at", "updated_at"])


@transaction.atomic
def visit_start(*, actor: Actor, visit: Visit) -> Visit:
    require(can_inspect(actor, visit))
    visit_begin(_locked(visit))
    return visit


def owner_at_class(term: Any, owner: Any, *, item: str = "") -> None:
    """An order's owner is a manager of the class (its host's admins and class managers)."""
    host = term.program.host
    ok = Membership.objects.filter(
        user=owner, org__path__startswith=host.path, role__in=HOST_ROLES, is_active=True
    ).exists()
    if not ok:
        message = _("Choose the owner among the class's managers.")
        raise ValidationError({"owner": f"{item}：{message}" if item else message})


def _signature(name: str, field: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({field: _("Type your full name to sign.")})
    if len(name) > MAX_SIGNATURE:
        raise ValidationError({field: _("A name has at most 60 characters.")})
    try:
        validate_printable(name)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc
    return name


def default_deadline(visit: Visit) -> datetime.date:
    """An order's deadline unless the inspector sets one: 14 days after the visit, and
    never before tomorrow (a visit signed off late)."""
    later = visit.date + datetime.timedelta(days=DEFAULT_DEADLINE_DAYS)
    return max(later, timezone.localdate() + datetime.timedelta(days=1))


@dataclass(frozen=True)
class OrderTerms:
    """The owner and deadline of the order one failed item becomes; None takes the default."""

    owner: Any = None
    deadline: datetime.date | None = None


def _order_terms(
    visit: Visit,
    failed: Sequence[ChecklistItem],
    orders: Mapping[str, OrderTerms],
    owner: Any,
    deadline: datetime.date | None,
) -> dict[str, OrderTerms]:
    """Each failed item's owner and deadline: its own, else the visit's, else the defaults
    (the class manager; the visit's date plus 14 days)."""
    from ..selectors import default_owner

    fallback_owner = owner or (default_owner(visit.term) if failed else None)
    fallback_deadline = deadline or default_deadline(visit)
    unknown = set(orders) - {item.key for item in failed}
    if unknown:
        raise ValidationError(
            {"orders": _("Only a failed item becomes an order: %(items)s")
             % {"items": "、".join(sorted(unknown))}}
        )  # fmt: skip
    chosen: dict[str, OrderTerms] = {}
    today = timezone.localdate()
    for item in failed:
        own = orders.get(item.key, OrderTerms())
        who = own.owner or fallback_owner
        if who is None:
            raise ValidationError(
                {"owner": _("%(item)s: name who at the class corrects the finding.")
                 % {"item": item.label}}
            )  # fmt: skip
        owner_at_class(visit.term, who, item=item.label)
        due = own.deadline or fallback_deadline
        if due <= today:
            raise ValidationError(
                {"deadline": _("%(item)s: the deadline must lie in the future.")
                 % {"item": item.label}}
            )  # fmt: skip
        chosen[item.key] = OrderTerms(who, due)
    return chosen


@transaction.atomic
def visit_sign(
    *,
    actor: Actor,
    visit: Visit,
    signed_name: str,
    deadline: datetime.date | None = None,
    owner: Any = None,
    orders: Mapping[str, OrderTerms] | None = None,
    suspend_checkins: bool = False,
    summary: str = "",
) -> Visit:
    """The inspector signs the visit off; each failed item becomes a rectification order.

    Each order has its own owner and deadline (`orders`, by item key); `owner` and
    `deadline` are the defaults of the orders not named there, themselves defaulting to the
    class manager and the visit's date plus 14 days. `suspend_checkins`: veto-level
    failures suspend the term's check-ins until accepted.
    """
    require(can_inspect(actor, visit))
    visit = _locked(visit)
    signed_name = _signature(signed_name, "signed_name")
    items = list(visit.items.all())
    unanswered = [item.label for item in items if not item.result]
    if unanswered:
        raise ValidationError(
            _("Judge every item before signing off; still open: %(items)s")
            % {"items": "、".join(unanswered[:5]) + ("……" if len(unanswered) > 5 else "")}
        )
    failed = [item for item in items if item.result == "fail"]
    chosen = _order_terms(visit, failed, orders or {}, owner, deadline)
    visit_begin(visit)
    now = timezone.now()
    visit.status, visit.signed_at = VisitStatus.SIGNED, now
    visit.signed_name, visit.signed_by = signed_name, actor.user
    if summary:
        visit.summary = summary
    visit.save()
    made = [_order(actor, visit, item, chosen[item.key], suspend_checkins) for item in failed]
    _announce_orders(actor, visit, made)
    return visit


def _order(
    actor: Actor, visit: Visit, item: ChecklistItem, terms: OrderTerms, suspend: bool
) -> Rectification:
    assert terms.deadline is not None  # noqa: S101 - _order_terms fills every deadline
    order = Rectification(
        item=item,
        visit=visit,
        term=visit.term,
        owner=terms.owner,
        deadline=terms.deadline,
        suspends_checkins=suspend and item.is_veto,
    )
    order.save()
    RectificationEvent.objects.create(
        rectification=order, kind=RectificationEvent.Kind.ORDERED, text=item.notes, by=actor.user
    )
    return order


def _name(user: Any) -> str:
    return str(user.real_name or user.username)


def _announce_orders(actor: Actor, visit: Visit, orders: list[Rectification]) -> None:
    term = visit.term
    url = visit_url(visit)
    if orders:
        subject = _("%(n)s rectification orders from the visit to %(term)s") % {
            "n": len(orders),
            "term": term,
        }
        body = "；".join(
            f"{o.item.label}（{o.deadline.isoformat()} · {_name(o.owner)}）" for o in orders
        )
        # Each owner hears of the orders that are theirs; the other managers of all of them.
        mine: dict[int, list[Rectification]] = {}
        for order in orders:
            mine.setdefault(order.owner_id, []).append(order)
        others = [u for u in class_managers(term) if u.pk not in mine]
        tell(others, actor=actor, subject=subject, body=body, url=url)
        for own in mine.values():
            tell(
                [own[0].owner],
                actor=actor,
                subject=_("%(n)s rectification orders for you from the visit to %(term)s")
                % {"n": len(own), "term": term},
                body="；".join(f"{o.item.label}（{o.deadline.isoformat()}）" for o in own),
                url=url,
            )
    suspended = [o for o in orders if o.suspends_checkins]
    if suspended:
        subject = _("Check-ins of %(term)s are suspended") % {"term": term}
        body = _(
            "Until the rectification of “%(finding)s” is accepted, no child is checked in."
        ) % {"finding": suspended[0].item.label}
        concerned = [*class_staff(term), *planner_admins(visit), *visit.inspectors.all()]
        tell(concerned, actor=actor, subject=subject, body=body, url=url)


@transaction.atomic
def visit_acknowledge(*, actor: Actor, visit: Visit, acknowledged_name: str) -> Visit:
    """The class manager acknowledges the signed visit (typed name and time)."""
    require(can_acknowledge(actor, visit))
    visit = _locked(visit)
    if visit.status != VisitStatus.SIGNED:
        raise ValidationError(_("Only a signed-off visit can be acknowledged."))
    visit.acknowledged_name = _signature(acknowledged_name, "acknowledged_name")
    visit.status, visit.acknowledged_at = VisitStatus.ACKNOWLEDGED, timezone.now()
    visit.acknowledged_by = actor.user
    visit.save()
    subject = _("The class acknowledged the visit to %(term)s") % {"term": visit.term}
    tell(visit.inspectors.all(), actor=actor, subject=subject, url=visit_url(visit))
    return visit


def conflict_paths(users: Sequence[Any]) -> dict[int, list[str]]:
    return {user.pk: grassroots_paths_of(user) for user in users}
