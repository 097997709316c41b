"""Reads about people, scoped to who asks (orgs.permissions). Other apps use these."""

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from tuoguan.core.models import Job
from tuoguan.orgs.models import Level, Org
from tuoguan.orgs.permissions import (
    Actor,
    children_visible_q,
    get_or_404,
    subtree_q,
    workers_visible_q,
)

from .models import ApiToken, Child, ChildConsent, User, Worker


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


def children_with_consent_flags(queryset: QuerySet[Child]) -> QuerySet[Child]:
    """Annotate what a list needs to show consent status without a query per child.

    `consent_current`: an unwithdrawn consent under the current policy (the one that counts);
    `consent_withdrawn`: one under the current policy was withdrawn;
    `consent_outdated`: an unwithdrawn consent exists, but only under an older version.
    """
    consents = ChildConsent.objects.filter(child=OuterRef("pk"))
    return queryset.annotate(
        consent_current=Exists(consents.filter(policy__is_current=True, withdrawn_at__isnull=True)),
        consent_withdrawn=Exists(
            consents.filter(policy__is_current=True, withdrawn_at__isnull=False)
        ),
        consent_outdated=Exists(
            consents.filter(policy__is_current=False, withdrawn_at__isnull=True)
        ),
    )


def consent_state(child: Child) -> str:
    """'given', 'withdrawn', 'outdated' (only an older policy) or 'missing'; needs the flags."""
    if getattr(child, "consent_current", False):
        return "given"
    if getattr(child, "consent_withdrawn", False):
        return "withdrawn"
    if getattr(child, "consent_outdated", False):
        return "outdated"
    return "missing"


def worker_of(user: Any) -> Worker | None:
    """The worker profile of a logged-in user, or None for staff without one."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Worker.objects.select_related("employer", "user").filter(user=user).first()


def worker_or_404(user: Any) -> Worker:
    """The worker profile of the user; without one, a family's page does not exist (404)."""
    worker = worker_of(user)
    if worker is None:
        raise Http404
    return worker


def family_children(actor: Actor) -> QuerySet[Child]:
    """The actor's own children (as guardian), whatever memberships they also hold."""
    return children_with_consent_flags(
        Child.objects.filter(guardian__user=actor.user).select_related("guardian__employer")
    ).order_by("birth_date", "pk")


def child_current_consent(child: Child) -> ChildConsent | None:
    return (
        child.consents.filter(policy__is_current=True, withdrawn_at__isnull=True)
        .select_related("policy")
        .first()
    )


# --- Login, tokens and the worker roster (auth and workers pages) ----------------------------


def user_by_login(login: str) -> User | None:
    """The account whose username or mobile number is `login` (both are unique)."""
    login = (login or "").strip()
    if not login:
        return None
    return User.objects.filter(Q(username=login) | Q(mobile=login)).first()


def tokens_of(user: Any) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("revoked_at", "-created_at", "-pk")


def token_for(user: Any, pk: object) -> ApiToken:
    """One of the user's own tokens; anyone else's is a 404."""
    return get_or_404(tokens_of(user), pk=pk)


def employer_orgs_for(actor: Actor) -> QuerySet[Org]:
    """Grassroots unions in the actor's subtree: where a union admin may register workers."""
    return Org.objects.filter(subtree_q(actor), level=Level.GRASSROOTS, is_active=True).order_by(
        "path"
    )


def workers_search(
    actor: Actor,
    *,
    org: Org | None = None,
    verified: bool | None = None,
    q: str = "",
) -> QuerySet[Worker]:
    """The roster as the actor may read it, narrowed to a subtree, a status or a search."""
    workers = workers_visible_to(actor)
    if org is not None:
        workers = workers.filter(employer__path__startswith=org.path)
    if verified is not None:
        workers = workers.filter(verified=verified)
    q = q.strip()
    if q:
        workers = workers.filter(
            Q(user__real_name__icontains=q)
            | Q(user__mobile__startswith=q)
            | Q(member_number__icontains=q)
        )
    return workers.order_by("employer__path", "user__real_name", "pk")


def worker_children_names(actor: Actor, worker: Worker) -> QuerySet[Child]:
    """A worker's children as the roster shows them: names and links, nothing else."""
    return (
        Child.objects.filter(children_visible_q(actor), guardian=worker)
        .only("pk", "name")
        .order_by("pk")
    )


def child_detail_for(actor: Actor, pk: object) -> Child:
    """One visible child with the consent flags (see `children_with_consent_flags`)."""
    return get_or_404(children_with_consent_flags(children_visible_to(actor)), pk=pk)


def import_job_for(user: Any, pk: object) -> Job:
    """One of the user's own roster imports; anyone else's is a 404."""
    return get_or_404(Job.objects.filter(owner=user, kind="worker_import"), pk=pk)


def worker_for_change(actor: Actor, pk: object) -> Worker:
    """A worker someone acts on (verification): found within the actor's subtree whatever
    their role, so a caregiver of the same union is refused (403) rather than told that the
    worker does not exist; outside the subtree it is a 404 as everywhere."""
    scope = subtree_q(actor, "employer__path") | workers_visible_q(actor)
    return get_or_404(Worker.objects.filter(scope).select_related("user", "employer"), pk=pk)
