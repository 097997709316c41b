"""Reads of the audit log, scoped to who asks (orgs.permissions.audit_visible_q)."""

import datetime
from collections.abc import Callable
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from tuoguan.core.lookups import get_or_404

from .models import AuditEntry

VisibilityRule = Callable[[Any], Q]


def _nothing(actor: Any) -> Q:
    return Q(pk__in=[])


# Which entries an actor reads is a rule of the union tree: orgs, a later app, hands it over
# in its ready() (DESIGN §3); until then nobody reads any.
_visible: list[VisibilityRule] = [_nothing]


def register_visibility(rule: VisibilityRule) -> None:
    _visible[0] = rule


def entries_visible_to(actor: Any) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(_visible[0](actor)).select_related("actor")


def entry_for(actor: Any, pk: object) -> AuditEntry:
    return get_or_404(entries_visible_to(actor), pk=pk)


def _start_of(day: datetime.date) -> datetime.datetime:
    # Whole local days, compared on the indexed column rather than a `__date` cast.
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def entries_filtered(
    queryset: QuerySet[AuditEntry], filters: dict[str, Any]
) -> QuerySet[AuditEntry]:
    """Narrow a visible queryset by the (already validated) filter form's values."""
    if filters.get("action"):
        queryset = queryset.filter(action=filters["action"])
    if filters.get("record_type"):
        queryset = queryset.filter(model=filters["record_type"])
    if filters.get("object_id"):
        queryset = queryset.filter(object_id=filters["object_id"])
    if who := filters.get("who"):
        queryset = queryset.filter(
            Q(actor__real_name__icontains=who)
            | Q(actor__username__iexact=who)
            | Q(actor__mobile__contains=who)
        )
    if filters.get("date_from"):
        queryset = queryset.filter(at__gte=_start_of(filters["date_from"]))
    if filters.get("date_to"):
        queryset = queryset.filter(
            at__lt=_start_of(filters["date_to"] + datetime.timedelta(days=1))
        )
    if filters.get("reason"):
        queryset = queryset.filter(reason__icontains=filters["reason"])
    return queryset
