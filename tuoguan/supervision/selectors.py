"""Reads of visits and rectification orders, scoped to who asks (supervision.permissions).

A read never writes. `term_checkins_suspended` is the public selector the daily-care app
calls before a check-in.
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from tuoguan.care.models import Attendance as CheckIn
from tuoguan.care.models import DutyShift
from tuoguan.orgs.models import Membership, Org
from tuoguan.orgs.permissions import Actor, get_or_404
from tuoguan.programs.models import Term

from .models import (
    OPEN_STATUSES,
    AnswerChange,
    ChecklistItem,
    Rectification,
    RectificationEvidence,
    Visit,
    VisitPhoto,
)
from .permissions import INSPECTOR_ROLES, rectifications_visible_q, visits_visible_q
from .providers import Attendance


def _with_inspectors(queryset: QuerySet[Visit]) -> QuerySet[Visit]:
    return queryset.select_related("planner", "term__program__host", "standard").prefetch_related(
        "inspectors"
    )


def visits_visible_to(actor: Actor) -> QuerySet[Visit]:
    return _with_inspectors(Visit.objects.filter(visits_visible_q(actor)))


def visit_for(actor: Actor, pk: Any) -> Visit:
    """One visit the actor may see; an unannounced one before it starts is a 404 at the class."""
    return get_or_404(visits_visible_to(actor), pk=pk)


def visits_filter(
    queryset: QuerySet[Visit],
    *,
    org: Org | None = None,
    region: str | None = None,
    status: str | None = None,
    month: datetime.date | None = None,
    inspector: Any = None,
) -> QuerySet[Visit]:
    """List filters; `org` must come from a scoped selector (it narrows, never widens)."""
    if org is not None:
        queryset = queryset.filter(term__program__host__path__startswith=org.path)
    if region:
        queryset = queryset.filter(term__program__host__region_code__startswith=region)
    if status:
        queryset = queryset.filter(status=status)
    if month is not None:
        queryset = queryset.filter(date__year=month.year, date__month=month.month)
    if inspector is not None:
        queryset = queryset.filter(inspectors=inspector)
    return queryset


def visits_for_list(queryset: QuerySet[Visit]) -> QuerySet[Visit]:
    """What the list shows: counts of items failed and orders open, in the same query."""
    return queryset.annotate(
        failed_count=Count("items", filter=Q(items__result="fail"), distinct=True),
        photo_count=Count("photos", distinct=True),
    ).order_by("date", "pk")


def checklist(visit: Visit) -> list[ChecklistItem]:
    """The visit's items with their photos and change history, in order."""
    return list(
        visit.items.select_related("criterion")
        .prefetch_related(
            Prefetch("photos", queryset=VisitPhoto.objects.order_by("created_at", "pk")),
            Prefetch(
                "changes",
                queryset=AnswerChange.objects.select_related("by").order_by("changed_at", "pk"),
            ),
        )
        .order_by("order", "pk")
    )


def photo_for(actor: Actor, pk: Any) -> VisitPhoto:
    photos = VisitPhoto.objects.filter(visit__in=Visit.objects.filter(visits_visible_q(actor)))
    return get_or_404(photos.select_related("visit"), pk=pk)


def inspector_candidates(
    actor: Actor, org: Org, roles: Iterable[str] = INSPECTOR_ROLES
) -> QuerySet[Any]:
    """People `org` may send on visits: inspectors and admins at it or below it."""
    from django.contrib.auth import get_user_model

    users = Membership.objects.filter(
        org__path__startswith=org.path, role__in=list(roles), is_active=True
    ).values("user_id")
    return get_user_model().objects.filter(pk__in=users, is_active=True).order_by("real_name", "pk")


def terms_to_visit(actor: Actor, org: Org) -> QuerySet[Term]:
    """Terms of classes strictly below `org` that are approved, enrolling or running."""
    from tuoguan.programs.selectors import terms_visible_to

    return (
        terms_visible_to(actor)
        .filter(program__host__path__startswith=org.path)
        .exclude(program__host=org)
        .filter(status__in=("approved", "enrolling", "running"))
        .order_by("program__host__path", "start_date", "pk")
    )


# --- Rectifications ---------------------------------------------------------------------------


def owner_candidates(term: Any) -> QuerySet[Any]:
    """Who may own an order at the class: the host union's admins and class managers."""
    from django.contrib.auth import get_user_model

    from tuoguan.programs.permissions import HOST_ROLES

    ids = Membership.objects.filter(
        org__path__startswith=term.program.host.path, role__in=HOST_ROLES, is_active=True
    ).values("user_id")
    return get_user_model().objects.filter(pk__in=ids, is_active=True).order_by("real_name", "pk")


def default_owner(term: Any) -> Any:
    """The class manager: the term's rostered manager, else a class manager of the host,
    else an admin of the host; None when the class has nobody to own an order."""
    from tuoguan.orgs.models import Role
    from tuoguan.programs.models import StaffRole, TermStaff

    candidates = owner_candidates(term)
    rostered = TermStaff.objects.filter(term=term, role=StaffRole.MANAGER).values("user_id")
    managers = Membership.objects.filter(
        org__path__startswith=term.program.host.path,
        role=Role.PROGRAM_MANAGER,
        is_active=True,
    ).values("user_id")
    return (
        candidates.filter(pk__in=rostered).first()
        or candidates.filter(pk__in=managers).first()
        or candidates.first()
    )


def rectifications_visible_to(actor: Actor) -> QuerySet[Rectification]:
    return Rectification.objects.filter(rectifications_visible_q(actor)).select_related(
        "item", "visit__planner", "term__program__host", "owner"
    )


def rectification_for(actor: Actor, pk: Any) -> Rectification:
    found = get_or_404(rectifications_visible_to(actor), pk=pk)
    found.visit.inspector_ids_cached = set(  # type: ignore[attr-defined]
        found.visit.inspectors.values_list("pk", flat=True)
    )
    return found


def rectifications_filter(
    queryset: QuerySet[Rectification], *, state: str | None = None, visit: Visit | None = None
) -> QuerySet[Rectification]:
    today = timezone.localdate()
    if state == "open":
        queryset = queryset.filter(status__in=OPEN_STATUSES)
    elif state == "overdue":
        queryset = queryset.filter(status__in=OPEN_STATUSES, deadline__lt=today)
    elif state == "closed":
        queryset = queryset.exclude(status__in=OPEN_STATUSES)
    if visit is not None:
        queryset = queryset.filter(visit=visit)
    return queryset.order_by("deadline", "pk")


def rectification_evidence_for(actor: Actor, pk: Any) -> RectificationEvidence:
    visible = RectificationEvidence.objects.filter(
        rectification__in=Rectification.objects.filter(rectifications_visible_q(actor))
    )
    return get_or_404(visible, pk=pk)


def suspensions_for_terms(term_ids: Iterable[int]) -> dict[int, str | None]:
    """term pk → why its check-ins are suspended (the finding), or None."""
    ids = list(term_ids)
    reasons: dict[int, str | None] = dict.fromkeys(ids)
    rows = (
        Rectification.objects.filter(
            term_id__in=ids, suspends_checkins=True, status__in=OPEN_STATUSES
        )
        .order_by("created_at", "pk")
        .values_list("term_id", "item__label")
    )
    for term_id, label in rows:
        if reasons[term_id] is None:
            reasons[term_id] = label
    return reasons


def term_checkins_suspended(term: Any) -> str | None:
    """Why the term may take no check-ins now (a veto-level finding not yet accepted), or None.

    The daily-care app calls this before every check-in and refuses it with the reason.
    """
    term_id = term if isinstance(term, int) else term.pk
    return suspensions_for_terms([term_id])[term_id]


def suspension_reason(term: str) -> Any:
    """`term_checkins_suspended` as an expression over the lookup path `term` of the outer
    query (daily care folds it into a check-in's one read): the label of the earliest open
    suspending finding, or NULL. Held equal by tuoguan/supervision/tests/test_rectifications.py."""
    first = (
        Rectification.objects.filter(
            term=OuterRef(term), suspends_checkins=True, status__in=OPEN_STATUSES
        )
        .order_by("created_at", "pk")
        .values("item__label")[:1]
    )
    return Subquery(first)


def attendance_from_care(term: Any, day: datetime.date) -> Attendance:
    """Children checked in and carers clocked in to the term's groups on `day` (daily care)."""
    children = CheckIn.objects.filter(term=term, date=day).count()
    carers = (
        DutyShift.objects.filter(group__term=term, date=day)
        .values("staff__user")
        .distinct()
        .count()
    )
    return Attendance(children_present=children, carers_on_duty=carers)
