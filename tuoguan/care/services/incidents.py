"""Incidents and emergencies (应急处理): report, escalation by severity, acknowledgement,
follow-up and close; emergency plans from templates and the drills held.

Who is told, by severity (`ESCALATION`):

* minor: the guardians of the children involved and the host union (its admins and class
  managers);
* serious: also the union admins of every union above the host up to the province;
* critical: also the national union's admins.

Each person is told once through the notification service and asked to acknowledge. A
critical notice nobody acknowledged within TUOGUAN_INCIDENT_ACK_MINUTES is sent again, once,
and the union above that person's is told who has not answered (`incidents_remind`, run by
housekeeping). A manager closes the incident with a summary.
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoguan.core.files import clean_upload
from tuoguan.enrolment.models import Enrolment
from tuoguan.notifications.services import notify
from tuoguan.orgs.models import Level, Membership, Org, Role
from tuoguan.orgs.permissions import Actor, require
from tuoguan.programs.models import Group, Program, Term
from tuoguan.programs.services.lifecycle import host_staff

from ..models import (
    Drill,
    EmergencyKind,
    EmergencyPlan,
    Incident,
    IncidentAction,
    IncidentKind,
    IncidentNotice,
    IncidentPhoto,
    NoticeLevel,
    Severity,
)
from ..permissions import can_care, can_manage_care, can_manage_kiosks
from .attendance import ON_ROSTER
from .liveview import day_changed

# The levels told, by severity.
ESCALATION = {
    Severity.MINOR: (NoticeLevel.GUARDIAN, NoticeLevel.HOST),
    Severity.SERIOUS: (NoticeLevel.GUARDIAN, NoticeLevel.HOST, NoticeLevel.UPPER),
    Severity.CRITICAL: (
        NoticeLevel.GUARDIAN,
        NoticeLevel.HOST,
        NoticeLevel.UPPER,
        NoticeLevel.NATIONAL,
    ),
}
MAX_PHOTOS = 6


def incident_url(incident: Incident) -> str:
    return reverse("care:incident", kwargs={"pk": incident.pk})


def acknowledge_url(incident: Incident) -> str:
    return reverse("care:incident_acknowledge", kwargs={"pk": incident.pk})


def _ancestors(org: Org) -> list[Org]:
    """The unions above `org`, from its path (no query per level)."""
    step = org.steplen
    paths = [org.path[:i] for i in range(step, len(org.path), step)]
    return list(Org.objects.filter(path__in=paths).order_by("depth"))


def _admins_of(orgs: Iterable[Org]) -> list[tuple[Any, Org]]:
    by_org = {org.pk: org for org in orgs}
    memberships = Membership.objects.filter(
        org__in=list(by_org), role=Role.UNION_ADMIN, is_active=True, org__is_active=True
    ).select_related("user")
    return [(m.user, by_org[m.org_id]) for m in memberships]


def recipients(incident: Incident, children: list[Enrolment]) -> list[tuple[Any, str, Org | None]]:
    """(person, level, union) for everyone the incident's severity says must be told."""
    host = incident.term.program.host
    levels = ESCALATION[Severity(incident.severity)]
    ancestors = _ancestors(host)
    out: list[tuple[Any, str, Org | None]] = []
    if NoticeLevel.GUARDIAN in levels:
        out += [(e.guardian.user, NoticeLevel.GUARDIAN, None) for e in children]
    if NoticeLevel.HOST in levels:
        out += [(user, NoticeLevel.HOST, host) for user in host_staff(incident.term)]
    if NoticeLevel.UPPER in levels:
        upper = [org for org in ancestors if org.level >= Level.PROVINCE]
        out += [(user, NoticeLevel.UPPER, org) for user, org in _admins_of(upper)]
    if NoticeLevel.NATIONAL in levels:
        national = [org for org in ancestors if org.level == Level.NATIONAL]
        out += [(user, NoticeLevel.NATIONAL, org) for user, org in _admins_of(national)]
    seen: set[int] = set()
    unique = []
    for user, level, org in out:
        if user.pk not in seen:
            seen.add(user.pk)
            unique.append((user, level, org))
    return unique


def _subject(incident: Incident) -> str:
    return _("%(severity)s incident at %(term)s: %(kind)s") % {
        "severity": incident.get_severity_display(),
        "term": incident.term.name,
        "kind": incident.get_kind_display(),
    }


def _body_for(incident: Incident, level: str, child_names: list[str]) -> str:
    when = timezone.localtime(incident.occurred_at).strftime("%Y-%m-%d %H:%M")
    if level == NoticeLevel.GUARDIAN:
        # A guardian reads about their own child only, never the other children involved.
        text = _("%(child)s was involved, at %(when)s. What was done: %(done)s") % {
            "child": "、".join(child_names),
            "when": when,
            "done": incident.actions_taken or "—",
        }
    else:
        text = _("At %(when)s: %(what)s What was done: %(done)s") % {
            "when": when,
            "what": incident.description,
            "done": incident.actions_taken or "—",
        }
    return text + " " + _("Please acknowledge that you have read this.")


def _tell(incident: Incident, people: list[tuple[Any, str, Org | None]]) -> list[IncidentNotice]:
    children_of: dict[int, list[str]] = {}
    for enrolment in incident.children.select_related("child", "guardian"):
        children_of.setdefault(enrolment.guardian.user_id, []).append(enrolment.child.name)
    known = set(incident.notices.values_list("recipient_id", flat=True))
    notices = []
    for user, level, org in people:
        if user.pk in known:
            continue
        notices.append(
            IncidentNotice.objects.create(incident=incident, recipient=user, level=level, org=org)
        )
        notify(
            recipient=user,
            subject=_subject(incident),
            body=_body_for(incident, level, children_of.get(user.pk, [])),
            url=acknowledge_url(incident),
        )
    return notices


def _clean_children(term: Term, children: Iterable[Any]) -> list[Enrolment]:
    ids = []
    for value in children or []:
        pk = getattr(value, "pk", value)
        try:
            ids.append(int(pk))
        except (TypeError, ValueError):
            raise ValidationError({"children": _("Choose children from the list.")}) from None
    found = list(
        Enrolment.objects.filter(pk__in=ids, term=term, status__in=ON_ROSTER).select_related(
            "child", "guardian__user"
        )
    )
    if len(found) != len(set(ids)):
        raise ValidationError({"children": _("Choose children from the list.")})
    return found


@transaction.atomic
def incident_report(
    *,
    actor: Actor,
    term: Term,
    kind: str,
    severity: str,
    description: str,
    occurred_at: datetime.datetime | None = None,
    actions_taken: str = "",
    children: Iterable[Any] = (),
    group: Group | None = None,
    photos: Iterable[Any] = (),
) -> Incident:
    """Record what happened and tell, at once, everyone its severity reaches."""
    require(can_care(actor, term))
    errors: dict[str, str] = {}
    if kind not in IncidentKind.values:
        errors["kind"] = _("Choose from the list.")
    if severity not in Severity.values:
        errors["severity"] = _("Choose from the list.")
    description = (description or "").strip()
    if not description:
        errors["description"] = _("Say what happened.")
    now = timezone.now()
    occurred_at = occurred_at or now
    if occurred_at > now + datetime.timedelta(minutes=5):
        errors["occurred_at"] = _("The time cannot be in the future.")
    if group is not None and group.term_id != term.pk:
        errors["group"] = _("Choose a group of this term.")
    photos = [p for p in photos if p]
    if len(photos) > MAX_PHOTOS:
        errors["photos"] = _("At most %(n)s photos.") % {"n": MAX_PHOTOS}
    cleaned = []
    for photo in photos if "photos" not in errors else []:
        try:
            cleaned.append(clean_upload(photo, field="photos", images_only=True, allow_webp=True))
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
            break
    try:
        involved = _clean_children(term, children)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
        involved = []
    if errors:
        raise ValidationError(errors)
    incident = Incident.objects.create(
        term=term,
        group=group,
        province_id=term.province_id,
        kind=kind,
        severity=severity,
        occurred_at=occurred_at,
        description=description[:2000],
        actions_taken=(actions_taken or "").strip()[:2000],
        reported_by=actor.user,
    )
    incident.children.set(involved)
    for clean in cleaned:
        photo = IncidentPhoto(incident=incident)
        photo.image.save(clean.content.name or "", clean.content, save=False)
        photo.save()
    _tell(incident, recipients(incident, involved))
    if involved:
        # The families' live view of that day shows it at their next poll.
        day_changed(
            date=timezone.localdate(occurred_at), enrolment_ids=[e.pk for e in involved], now=now
        )
    return incident


def notice_for(user: Any, incident: Incident) -> IncidentNotice:
    notice = IncidentNotice.objects.filter(incident=incident, recipient=user).first()
    if notice is None:
        raise Http404
    return notice


@transaction.atomic
def incident_acknowledge(*, user: Any, incident: Incident) -> IncidentNotice:
    """The person told says they have read it; a second acknowledgement changes nothing."""
    notice = notice_for(user, incident)
    if notice.acknowledged_at is None:
        notice.acknowledged_at = timezone.now()
        notice.save(update_fields=["acknowledged_at", "updated_at"])
    return notice


@transaction.atomic
def incident_action_add(*, actor: Actor, incident: Incident, text: str) -> IncidentAction:
    require(can_care(actor, incident.term))
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Say what was done.")})
    if not incident.is_open:
        raise ValidationError(_("The incident is closed."), code="closed")
    return IncidentAction.objects.create(incident=incident, text=text[:500], by=actor.user)


@transaction.atomic
def incident_close(*, actor: Actor, incident: Incident, summary: str) -> Incident:
    require(can_manage_care(actor, incident.term))
    summary = (summary or "").strip()
    if not summary:
        raise ValidationError({"summary": _("Write what happened and what was learned.")})
    if not incident.is_open:
        raise ValidationError(_("The incident is closed."), code="closed")
    incident.closed_at, incident.closed_by, incident.summary = timezone.now(), actor.user, summary
    incident.save()
    return incident


def incidents_remind(now: datetime.datetime | None = None) -> int:
    """Send each unacknowledged critical notice again, once, after the set time, and tell the
    union above the person's who has not answered. Returns how many were sent again."""
    now = now or timezone.now()
    due = now - datetime.timedelta(minutes=settings.TUOGUAN_INCIDENT_ACK_MINUTES)
    pending = IncidentNotice.objects.filter(
        incident__severity=Severity.CRITICAL,
        incident__closed_at__isnull=True,
        acknowledged_at__isnull=True,
        resent_at__isnull=True,
        created_at__lte=due,
    ).select_related("incident__term__program__host", "recipient", "org")
    count = 0
    for notice in pending:
        with transaction.atomic():
            # Claimed by the update: two housekeeping runs never send it twice.
            claimed = IncidentNotice.objects.filter(pk=notice.pk, resent_at__isnull=True).update(
                resent_at=now
            )
            if not claimed:
                continue
            incident = notice.incident
            notify(
                recipient=notice.recipient,
                subject=_("Reminder: %(subject)s") % {"subject": _subject(incident)},
                body=_("Nobody has acknowledged this critical incident yet."),
                url=acknowledge_url(incident),
            )
            _escalate(notice)
            count += 1
    return count


def _escalate(notice: IncidentNotice) -> None:
    """Tell who can act that someone has not answered: the class's managers for a guardian
    (they call the family), the nearest union above with admins for anyone else."""
    incident = notice.incident
    who = notice.recipient.real_name or notice.recipient.username
    if notice.level == NoticeLevel.GUARDIAN:
        people = host_staff(incident.term)
        body = _("The guardian %(who)s has not acknowledged it: please call the family.") % {
            "who": who
        }
    else:
        org = notice.org or incident.term.program.host
        people = []
        for above in reversed(_ancestors(org)):
            people = [u for u, _o in _admins_of([above]) if u.pk != notice.recipient_id]
            if people:
                break
        body = _("%(who)s (%(union)s) has not acknowledged this critical incident.") % {
            "who": who,
            "union": org.name,
        }
    for user in people:
        notify(
            recipient=user,
            subject=_("Not acknowledged: %(subject)s") % {"subject": _subject(incident)},
            body=body,
            url=incident_url(incident),
        )


# --- Emergency plans and drills -----------------------------------------------------------

PLAN_TEMPLATES = {
    EmergencyKind.FIRE: _(
        "1. Raise the alarm and call 119. 2. Caregivers lead each group out by the nearest exit; "
        "no one goes back. 3. Count the children at the assembly point against the day's "
        "roster. 4. Tell the class manager, the host union and the guardians."
    ),
    EmergencyKind.EPIDEMIC: _(
        "1. Separate children with symptoms in the isolation room. 2. Tell the guardians and "
        "the local health service. 3. Disinfect the rooms. 4. Record the morning checks of the "
        "next days and report to the host union."
    ),
    EmergencyKind.FOOD_POISONING: _(
        "1. Stop serving the meal; keep the food samples. 2. Call 120 for any child in pain. "
        "3. Tell the guardians, the market regulator and the host union. 4. Keep the records."
    ),
    EmergencyKind.STAMPEDE: _(
        "1. Stop the flow at doors and stairs; caregivers at each bottleneck. 2. Move children "
        "away from the crowd. 3. Give first aid, call 120. 4. Count the children and report."
    ),
    EmergencyKind.MISSING_CHILD: _(
        "1. Check the attendance and pickup records. 2. Search the venue and the way home; "
        "call the guardians. 3. After 15 minutes call 110. 4. Tell the host union."
    ),
    EmergencyKind.EXTREME_WEATHER: _(
        "1. Follow the weather warnings; keep children indoors. 2. Tell guardians of early or "
        "late pickup. 3. Check the building and power. 4. Report any damage."
    ),
}


def plan_template(kind: str) -> str:
    return str(PLAN_TEMPLATES.get(EmergencyKind(kind), ""))


@transaction.atomic
def emergency_plan_save(*, actor: Actor, program: Program, kind: str, text: str) -> EmergencyPlan:
    """Create or change the class's plan for one kind of emergency."""
    require(can_manage_kiosks(actor, program))
    if kind not in EmergencyKind.values:
        raise ValidationError({"kind": _("Choose from the list.")})
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the plan, or start from the template.")})
    plan = EmergencyPlan.objects.filter(program=program, kind=kind).first()
    if plan is None:
        plan = EmergencyPlan(program=program, kind=kind)
    plan.text, plan.updated_by = text[:5000], actor.user
    plan.save()
    return plan


@transaction.atomic
def drill_record(
    *,
    actor: Actor,
    term: Term,
    kind: str,
    date: datetime.date,
    participants: int,
    findings: str = "",
) -> Drill:
    require(can_manage_care(actor, term))
    errors = {}
    if kind not in EmergencyKind.values:
        errors["kind"] = _("Choose from the list.")
    if date > timezone.localdate():
        errors["date"] = _("A drill is recorded once it has been held.")
    elif not term.start_date - datetime.timedelta(days=30) <= date <= term.end_date:
        errors["date"] = _("The drill must be held for this term (from a month before it).")
    if not isinstance(participants, int) or not 1 <= participants <= 10_000:
        errors["participants"] = _("Enter how many people took part.")
    if errors:
        raise ValidationError(errors)
    return Drill.objects.create(
        term=term,
        kind=kind,
        date=date,
        participants=participants,
        findings=(findings or "").strip()[:2000],
        recorded_by=actor.user,
    )
