"""Reads of online sessions, scoped to who asks: the class's staff (the host line's and the
rostered carers, as incidents) see the term's sessions; a guardian sees those their child is
invited to."""

import datetime
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from tuoguan.enrolment.models import Enrolment
from tuoguan.orgs.permissions import Actor, get_or_404
from tuoguan.programs.models import Term

from .models import ON_ROSTER, ContestScore, OnlineAttendance, OnlineSession
from .models.online import Audience
from .selectors import terms_for_incidents


def _invites_q(places: QuerySet[Enrolment]) -> Q:
    """Sessions inviting one of `places`: chosen by name, or for their group or whole term."""
    chosen = Q(audience=Audience.SELECTED, children__in=places)
    for_group = Q(audience=Audience.GROUP) & (
        Q(group__isnull=True, term__in=places.values("term")) | Q(group__in=places.values("group"))
    )
    return chosen | for_group


def _family_places(actor: Actor) -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(guardian__user=actor.user, status__in=ON_ROSTER)


def online_sessions_visible_to(actor: Actor) -> QuerySet[OnlineSession]:
    staff = Q(term__in=terms_for_incidents(actor))
    family = Q(pk__in=OnlineSession.objects.filter(_invites_q(_family_places(actor))).values("pk"))
    return (
        OnlineSession.objects.filter(staff | family)
        .select_related("term__program__host", "group")
        .annotate(present=Count("attendance", distinct=True))
        .order_by("starts_at", "pk")
    )


def staff_session_for(actor: Actor, pk: Any) -> OnlineSession:
    return get_or_404(
        OnlineSession.objects.filter(term__in=terms_for_incidents(actor)).select_related(
            "term__program__host", "group", "host_user"
        ),
        pk=pk,
    )


def family_session_for(actor: Actor, pk: Any) -> OnlineSession:
    return get_or_404(
        OnlineSession.objects.filter(_invites_q(_family_places(actor)))
        .select_related("term")
        .distinct(),
        pk=pk,
    )


def term_sessions(term: Term) -> QuerySet[OnlineSession]:
    return (
        OnlineSession.objects.filter(term=term)
        .select_related("group")
        .annotate(present=Count("attendance", distinct=True))
        .order_by("-starts_at", "-pk")
    )


def term_online_attendance(term: Term) -> int:
    """How many times children of the term attended an online session."""
    return OnlineAttendance.objects.filter(session__term=term).count()


def sessions_for_child(
    enrolment: Enrolment, now: datetime.datetime | None = None
) -> list[OnlineSession]:
    """The child's sessions not yet over, each with `attended` (already joined or ticked)."""
    now = now or timezone.now()
    places = Enrolment.objects.filter(pk=enrolment.pk)
    attended = OnlineAttendance.objects.filter(session=OuterRef("pk"), enrolment=enrolment)
    return list(
        OnlineSession.objects.filter(_invites_q(places), term=enrolment.term_id, ends_at__gt=now)
        .annotate(attended=Exists(attended))
        .distinct()
        .order_by("starts_at", "pk")[:20]
    )


def child_online_attendance(enrolment: Enrolment) -> int:
    return OnlineAttendance.objects.filter(enrolment=enrolment).count()


def attendance_by_child(session: OnlineSession) -> dict[int, OnlineAttendance]:
    return {a.enrolment_id: a for a in OnlineAttendance.objects.filter(session=session)}


def scores_by_child(session: OnlineSession) -> dict[int, ContestScore]:
    return {s.enrolment_id: s for s in ContestScore.objects.filter(session=session)}


def online_counts_by_child(term: Term) -> dict[int, int]:
    """enrolment pk → online sessions attended, over the term."""
    rows = (
        OnlineAttendance.objects.filter(session__term=term)
        .values("enrolment_id")
        .annotate(n=Count("pk"))
    )
    return {r["enrolment_id"]: r["n"] for r in rows}
