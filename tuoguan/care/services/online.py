"""Online sessions (线上托管): scheduled by the class's carers and managers; a guardian joins
through our redirect (recorded once) or the host ticks the child present; contests get
scores.

* Invited: the chosen children (audience "selected", e.g. those absent), else the group's
  children, else the whole term's (places on the roster).
* Joining opens JOIN_EARLY_MINUTES before the start and closes at the end.
"""

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoguan.enrolment.models import Enrolment
from tuoguan.orgs.permissions import Actor, require
from tuoguan.programs.models import Group, Term

from ..models import ON_ROSTER, ContestScore, OnlineAttendance, OnlineSession
from ..models.online import Audience, HostKind, TopicKind
from ..permissions import can_care

JOIN_EARLY_MINUTES = 15
ONLINE_SESSION_FIELDS = (
    "group", "starts_at", "ends_at", "host_kind", "host_name", "host_user", "topic", "title",
    "join_url", "audience",
)  # fmt: skip


def invited(session: OnlineSession) -> QuerySet[Enrolment]:
    """The places of the children the session is for."""
    places = Enrolment.objects.filter(term_id=session.term_id, status__in=ON_ROSTER)
    if session.audience == Audience.SELECTED:
        places = places.filter(pk__in=session.children.values("pk"))
    elif session.group_id is not None:
        places = places.filter(group_id=session.group_id)
    return places.select_related("child", "group").order_by("child__name", "pk")


def is_invited(session: OnlineSession, enrolment: Enrolment) -> bool:
    return invited(session).filter(pk=enrolment.pk).exists()


def _check(term: Term, fields: dict[str, Any], children: list[Enrolment]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    starts, ends = fields.get("starts_at"), fields.get("ends_at")
    if starts is None:
        errors["starts_at"] = _("Give the start.")
    if ends is None or (starts is not None and ends <= starts):
        errors["ends_at"] = _("The session must end after it starts.")
    url = str(fields.get("join_url") or "").strip()
    if not url.lower().startswith("https://"):
        errors["join_url"] = _("The join link must start with https://.")
    fields["join_url"] = url
    fields["host_name"] = " ".join(str(fields.get("host_name") or "").split())
    fields["title"] = " ".join(str(fields.get("title") or "").split())
    if not fields["host_name"]:
        errors["host_name"] = _("Name the host.")
    if not fields["title"]:
        errors["title"] = _("Give the session a title.")
    if fields.get("host_kind") not in HostKind.values:
        errors["host_kind"] = _("Choose who hosts.")
    if fields.get("topic") not in TopicKind.values:
        errors["topic"] = _("Choose the topic.")
    group: Group | None = fields.get("group")
    if group is not None and group.term_id != term.pk:
        errors["group"] = _("Choose a group of this term.")
    audience = fields.get("audience") or Audience.GROUP
    fields["audience"] = audience
    if audience == Audience.SELECTED:
        if not children:
            errors["children"] = _("Choose the children it is for.")
        elif any(c.term_id != term.pk or c.status not in ON_ROSTER for c in children):
            errors["children"] = _("Choose children of this term.")
    if errors:
        raise ValidationError(errors)
    return fields


@transaction.atomic
def online_session_save(
    *,
    actor: Actor,
    term: Term,
    session: OnlineSession | None = None,
    children: list[Enrolment] | None = None,
    **fields: Any,
) -> OnlineSession:
    """Schedule (or change) an online session of the term."""
    require(can_care(actor, term))
    chosen = list(children or [])
    values = {name: fields.get(name) for name in ONLINE_SESSION_FIELDS}
    values = _check(term, values, chosen)
    if session is None:
        session = OnlineSession(term=term, created_by=actor.user)
    for name, value in values.items():
        setattr(session, name, value)
    session.full_clean(exclude=["term", "children", "created_by", "group", "host_user"])
    session.save()
    session.children.set(chosen if session.audience == Audience.SELECTED else [])
    return session


def _record(session: OnlineSession, enrolment: Enrolment, *, via: str, by: Any) -> OnlineAttendance:
    found = OnlineAttendance.objects.filter(session=session, enrolment=enrolment).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return OnlineAttendance.objects.create(
                session=session, enrolment=enrolment, joined_at=timezone.now(), via=via, by=by
            )
    except IntegrityError:  # two presses at once: the first one counts
        return OnlineAttendance.objects.get(session=session, enrolment=enrolment)


def online_attendance_record(
    *, actor: Actor, session: OnlineSession, enrolment: Enrolment
) -> OnlineAttendance:
    """The host ticks an invited child present (once)."""
    require(can_care(actor, session.term))
    if not is_invited(session, enrolment):
        raise ValidationError(_("The child is not invited to this session."), code="not_invited")
    return _record(session, enrolment, via=OnlineAttendance.Via.HOST, by=actor.user)


def join_open(session: OnlineSession, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    opens = session.starts_at - datetime.timedelta(minutes=JOIN_EARLY_MINUTES)
    return opens <= now < session.ends_at


def online_session_join(
    *, actor: Actor, session: OnlineSession, now: datetime.datetime | None = None
) -> str:
    """A guardian joins with their invited child: recorded once; returns the join link."""
    places = [e for e in invited(session) if e.guardian_id and _guardian_of(actor, e)]
    if not places:
        raise ValidationError(_("Your child is not invited to this session."), code="not_invited")
    if not join_open(session, now):
        raise ValidationError(
            _("The session opens %(minutes)s minutes before it starts and closes at its end.")
            % {"minutes": JOIN_EARLY_MINUTES},
            code="closed",
        )
    for enrolment in places:
        _record(session, enrolment, via=OnlineAttendance.Via.JOIN, by=actor.user)
    return session.join_url


def _guardian_of(actor: Actor, enrolment: Enrolment) -> bool:
    return bool(enrolment.guardian.user_id == actor.user.pk)


@transaction.atomic
def contest_score_save(
    *, actor: Actor, session: OnlineSession, enrolment: Enrolment, score: Any, note: str = ""
) -> ContestScore:
    """A child's score in a contest (set again to change it)."""
    require(can_care(actor, session.term))
    if not session.is_contest:
        raise ValidationError(_("Only a contest has scores."), code="not_contest")
    if not is_invited(session, enrolment):
        raise ValidationError({"enrolment": _("The child is not invited to this session.")})
    try:
        value = Decimal(str(score)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise ValidationError({"score": _("Give a score from 0 to 1000.")}) from None
    if not Decimal(0) <= value <= Decimal(1000):
        raise ValidationError({"score": _("Give a score from 0 to 1000.")})
    row, _created = ContestScore.objects.update_or_create(
        session=session,
        enrolment=enrolment,
        defaults={"score": value, "note": " ".join(str(note or "").split())[:200]},
    )
    return row
