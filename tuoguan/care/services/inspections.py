"""Daily safety inspection (每日巡检): the checklist, the day's inspection, the follow-ups.

* The checklist: the nearest union up the tree with its own items sets it (as standards are
  inherited, `programs.standards.lineage_paths`); without any, the national default items
  (`DEFAULT_ITEMS`, drawn from the construction standard's venue, fire, food, epidemic and
  life-safety areas).
* A caregiver or manager on the term's roster inspects a care day once: each item passed or
  failed, a photo for each failed item. Submitted is completed.
* Each failed item opens a follow-up with an owner (the class manager on the roster, else the
  inspector) and a deadline; closed with evidence (a note, a photo). A follow-up past its
  deadline alerts the class's managers and the host union once (`inspection_follow_ups_alert`,
  run by housekeeping; `overdue_alerted_at` stamps it).
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tuoguan.core.files import clean_upload
from tuoguan.notifications.services import notify
from tuoguan.orgs.models import Org
from tuoguan.orgs.permissions import Actor, require
from tuoguan.programs.models import StaffRole, Term, TermStaff
from tuoguan.programs.permissions import can_manage_org_programs
from tuoguan.programs.services.lifecycle import host_staff
from tuoguan.programs.standards import lineage_paths

from ..models import ChecklistItem, InspectionFollowUp, InspectionResult, SafetyInspection
from ..permissions import can_care, can_manage_care

CAMERAS = "cameras"
FOLLOW_UP_DAYS = 2
DEFAULT_ITEMS: tuple[tuple[str, Any], ...] = (
    ("fire_exits", gettext_lazy("Fire exits and escape routes clear")),
    ("extinguishers", gettext_lazy("Fire extinguishers in place and in date")),
    ("electrics", gettext_lazy("Electrics safe: sockets covered, no bare wires")),
    ("food_storage", gettext_lazy("Food stored apart, covered and in date")),
    ("play_equipment", gettext_lazy("Play equipment and furniture sound")),
    ("disinfection", gettext_lazy("Rooms and toys disinfected")),
    (CAMERAS, gettext_lazy("Cameras working")),
    ("first_aid", gettext_lazy("First-aid kit complete")),
)


def checklist_for(org: Org) -> list[tuple[str, str]]:
    """(code, label) of the items `org`'s classes inspect: the nearest union's own list."""
    return _nearest_list(lineage_paths(org))


def _nearest_list(paths: list[str]) -> list[tuple[str, str]]:
    items = list(
        ChecklistItem.objects.filter(org__path__in=paths)
        .select_related("org")
        .order_by("order", "pk")
    )
    for path in paths:
        own = [(i.code, i.label) for i in items if i.org.path == path]
        if own:
            return own
    return [(code, str(label)) for code, label in DEFAULT_ITEMS]


def checklist_is_own(org: Org) -> bool:
    return ChecklistItem.objects.filter(org=org).exists()


@transaction.atomic
def checklist_save(*, actor: Actor, org: Org, labels: Iterable[str]) -> list[ChecklistItem]:
    """Give `org` its own checklist (one label a line); its unions below inherit it. An
    empty list goes back to the inherited one. Items keep their codes where labels match the
    inherited list's, so the cameras item stays the cameras item."""
    require(can_manage_org_programs(actor, org))
    cleaned = [" ".join(str(label).split())[:200] for label in labels]
    cleaned = [label for label in cleaned if label]
    if len(cleaned) > 40:
        raise ValidationError({"items": _("At most %(n)s items.") % {"n": 40}})
    if len(set(cleaned)) != len(cleaned):
        raise ValidationError({"items": _("Each item once.")})
    ChecklistItem.objects.filter(org=org).delete()
    if not cleaned:
        return []
    known = {label: code for code, label in _inherited(org)}
    saved = []
    for n, label in enumerate(cleaned, start=1):
        code = known.get(label) or f"item-{n}"
        saved.append(ChecklistItem.objects.create(org=org, code=code, label=label, order=n))
    return saved


def _inherited(org: Org) -> list[tuple[str, str]]:
    """The list `org` would inherit without its own: the unions above's."""
    return _nearest_list(lineage_paths(org)[1:])


def is_care_day(term: Term, date: datetime.date) -> bool:
    return term.days.filter(date=date, is_care_day=True).exists()


def _owner_for(term: Term, actor: Actor) -> Any:
    manager = (
        TermStaff.objects.filter(term=term, role=StaffRole.MANAGER).select_related("user").first()
    )
    return manager.user if manager else actor.user


def follow_up_url(follow_up: InspectionFollowUp) -> str:
    return reverse("care:inspection_follow_up", kwargs={"pk": follow_up.pk})


@transaction.atomic
def inspection_record(
    *,
    actor: Actor,
    term: Term,
    results: Iterable[dict[str, Any]],
    date: datetime.date | None = None,
    note: str = "",
) -> SafetyInspection:
    """The day's inspection: `results` holds, for every checklist item, {"code", "passed",
    "photo", "note"}. A failed item without a photo refuses the whole inspection."""
    require(can_care(actor, term))
    date = date or timezone.localdate()
    errors: dict[str, str] = {}
    if date > timezone.localdate() or not is_care_day(term, date):
        errors["date"] = _("Inspect a care day of this term, today or before.")
    elif SafetyInspection.objects.filter(term=term, date=date).exists():
        errors["date"] = _("This care day was inspected already.")
    checklist = checklist_for(term.program.host)
    given = {str(r.get("code")): r for r in results}
    unknown = set(given) - {code for code, _label in checklist}
    if unknown:
        errors["results"] = _("Answer the items of the checklist only.")
    rows = []
    for code, label in checklist:
        answer = given.get(code)
        if answer is None or answer.get("passed") is None:
            errors[code] = _("Say whether this item passed.")
            continue
        passed = bool(answer["passed"])
        photo = answer.get("photo")
        clean = None
        if not passed and not photo:
            errors[code] = _("A failed item needs a photo.")
        elif photo:
            try:
                clean = clean_upload(photo, field=code, images_only=True, allow_webp=True)
            except ValidationError as exc:
                errors.update({k: v[0] for k, v in exc.message_dict.items()})
        rows.append((code, label, passed, clean, (answer.get("note") or "").strip()[:500]))
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            inspection = SafetyInspection.objects.create(
                term=term,
                province_id=term.province_id,
                date=date,
                note=(note or "").strip()[:2000],
                inspected_by=actor.user,
                completed_at=timezone.now(),
            )
    except IntegrityError:
        raise ValidationError({"date": _("This care day was inspected already.")}) from None
    owner = None
    for code, label, passed, clean, item_note in rows:
        result = InspectionResult(
            inspection=inspection, code=code, label=label, passed=passed, note=item_note
        )
        if clean is not None:
            result.photo.save(clean.content.name or "", clean.content, save=False)
        result.save()
        if not passed:
            owner = owner or _owner_for(term, actor)
            InspectionFollowUp.objects.create(
                result=result,
                owner=owner,
                deadline=date + datetime.timedelta(days=FOLLOW_UP_DAYS),
            )
    return inspection


def can_close_follow_up(actor: Actor, follow_up: InspectionFollowUp) -> bool:
    term = follow_up.result.inspection.term
    return follow_up.owner_id == actor.user.pk or can_manage_care(actor, term)


@transaction.atomic
def inspection_follow_up_close(
    *, actor: Actor, follow_up: InspectionFollowUp, note: str, photo: Any = None
) -> InspectionFollowUp:
    """Closed with evidence: what was done, and a photo of it put right."""
    require(can_close_follow_up(actor, follow_up))
    if not follow_up.is_open:
        raise ValidationError(_("The follow-up is closed."), code="closed")
    note = (note or "").strip()
    errors: dict[str, str] = {}
    if not note:
        errors["note"] = _("Say what was done.")
    clean = None
    if photo:
        try:
            clean = clean_upload(photo, field="photo", images_only=True, allow_webp=True)
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    if clean is not None:
        follow_up.evidence_photo.save(clean.content.name or "", clean.content, save=False)
    follow_up.evidence_note = note[:2000]
    follow_up.closed_at, follow_up.closed_by = timezone.now(), actor.user
    follow_up.save()
    return follow_up


def _managers_of(term: Term) -> list[Any]:
    """The class's managers on the roster and the host union's admins and managers."""
    people = [
        s.user
        for s in TermStaff.objects.filter(term=term, role=StaffRole.MANAGER).select_related("user")
    ]
    people += host_staff(term)
    unique: dict[int, Any] = {}
    for user in people:
        unique.setdefault(user.pk, user)
    return list(unique.values())


def inspection_follow_ups_alert(today: datetime.date | None = None) -> int:
    """Tell the class's managers and the host union of each follow-up past its deadline,
    once. Returns how many follow-ups were alerted."""
    today = today or timezone.localdate()
    overdue = InspectionFollowUp.objects.filter(
        closed_at__isnull=True, overdue_alerted_at__isnull=True, deadline__lt=today
    ).select_related("result__inspection__term__program__host")
    count = 0
    for follow_up in overdue:
        with transaction.atomic():
            # Claimed by the update: two housekeeping runs never alert twice.
            claimed = InspectionFollowUp.objects.filter(
                pk=follow_up.pk, overdue_alerted_at__isnull=True
            ).update(overdue_alerted_at=timezone.now())
            if not claimed:
                continue
            term = follow_up.result.inspection.term
            for user in _managers_of(term):
                notify(
                    recipient=user,
                    subject=_("Inspection follow-up overdue at %(term)s: %(item)s")
                    % {"term": term.name, "item": follow_up.result.label},
                    body=_("It was due on %(date)s and is still open.")
                    % {"date": follow_up.deadline.isoformat()},
                    url=follow_up_url(follow_up),
                )
            count += 1
    return count
