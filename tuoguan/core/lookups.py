"""Fetching from a scoped queryset and refusing an action: the two answers every app gives.

Who may see what is decided by `orgs.permissions`; these only turn its answer into 404 or 403,
so apps below `orgs` (audit, notifications) use them too.
"""

from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.http import Http404

M = TypeVar("M", bound=models.Model)


def require(allowed: bool) -> None:
    """Raise 403 when a visible object may not be acted on."""
    if not allowed:
        raise PermissionDenied


def get_or_404(queryset: models.QuerySet[M], **lookup: Any) -> M:
    """Fetch from an already-scoped queryset; absent and invisible look the same (404)."""
    try:
        return queryset.get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
