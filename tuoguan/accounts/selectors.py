"""Reads about people, scoped to who asks (orgs.permissions). Other apps use these."""

from django.db.models import QuerySet

from tuoguan.orgs.permissions import (
    Actor,
    children_visible_q,
    get_or_404,
    workers_visible_q,
)

from .models import Child, Worker


def workers_visible_to(actor: Actor) -> QuerySet[Worker]:
    return Worker.objects.filter(workers_visible_q(actor)).select_related("user", "employer")


def children_visible_to(actor: Actor) -> QuerySet[Child]:
    return Child.objects.filter(children_visible_q(actor)).select_related(
        "guardian__user", "guardian__employer"
    )


def children_with_consent(queryset: QuerySet[Child]) -> QuerySet[Child]:
    """Only children whose guardian consents under the current policy.

    Every other capability (enrolment, care, reports) must go through this: without
    consent a child's record is not used (PIPL Art. 29, 31).
    """
    return queryset.filter(
        consents__withdrawn_at__isnull=True, consents__policy__is_current=True
    ).distinct()


def child_for(actor: Actor, pk: object) -> Child:
    return get_or_404(children_visible_to(actor), pk=pk)


def worker_for(actor: Actor, pk: object) -> Worker:
    return get_or_404(workers_visible_to(actor), pk=pk)
