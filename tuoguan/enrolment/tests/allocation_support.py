"""Helpers of the allocation tests: open terms and extra families, made through the services."""

import datetime
from typing import Any

from django.utils import timezone

from tuoguan.accounts import services as people
from tuoguan.accounts.models import Child, ChildConsent, User, Worker
from tuoguan.enrolment.models import Enrolment
from tuoguan.orgs.permissions import Actor, actor_for
from tuoguan.programs import services as programs
from tuoguan.programs.models import EnrolMode, Term
from tuoguan.programs.tests.factories import DESPITE, make_group, make_term

# Terms start two months ahead: the personas' children are 9 (grade 3) and 7 (grade 1).
LEAD_DAYS = 60


def actor(user: Any) -> Actor:
    return actor_for(user)


def open_term(
    p: Any,
    *,
    mode: str = EnrolMode.FIRST_COME,
    capacity: int = 30,
    groups: tuple[dict[str, Any], ...] = (),
    start: datetime.date | None = None,
    days: int = 20,
    **overrides: Any,
) -> Term:
    """An approved term of the personas' grassroots union, enrolling now."""
    start = start or timezone.localdate() + datetime.timedelta(days=LEAD_DAYS)
    now = timezone.now()
    fields: dict[str, Any] = {
        "capacity": capacity,
        "start_date": start,
        "end_date": start + datetime.timedelta(days=days),
        "enrol_opens_at": now - datetime.timedelta(hours=1),
        "enrol_closes_at": now + datetime.timedelta(days=1),
        "enrol_mode": mode,
        **overrides,
    }
    term = make_term(p, **fields)
    for group in groups:
        make_group(p, term, **group)
    admin = actor(p.grassroots_admin)
    term = programs.term_submit(actor=admin, term=term)
    term = programs.term_approve(actor=actor(p.city_admin), term=term, **DESPITE)
    return programs.term_open_enrolment(actor=admin, term=term)


def close_window(term: Term) -> Term:
    """Applications closed a second ago (as if time had passed)."""
    closes = timezone.now() - datetime.timedelta(seconds=1)
    Term.objects.filter(pk=term.pk).update(
        enrol_opens_at=closes - datetime.timedelta(days=1), enrol_closes_at=closes
    )
    return Term.objects.get(pk=term.pk)


def family(
    p: Any,
    n: int,
    *,
    employer: Any = None,
    verified: bool = True,
    consent: bool = True,
    birth_date: datetime.date = datetime.date(2017, 5, 1),
    grade: int = 3,
) -> tuple[User, Worker, Child]:
    """Parent number `n` with one child, through the accounts services."""
    user = people.user_create(
        username=f"family{n}", real_name=f"家长{n}", password="x-Tuoguan-2026", mobile=None
    )
    worker = people.worker_create(
        user=user,
        employer=employer or p.grassroots,
        member_number=f"M-{n}",
        verified_by=p.grassroots_admin if verified else None,
    )
    if verified and not worker.verified:
        worker = people.worker_verify(actor=actor(p.grassroots_admin), worker=worker)
    child = people.child_create(
        actor=actor(user),
        guardian=worker,
        name=f"孩子{n}",
        sex="F",
        birth_date=birth_date,
        grade=grade,
        relationship="mother",
    )
    if consent:
        people.consent_grant(actor=actor(user), child=child, policy=p.policy, ip="127.0.0.1")
    return user, worker, child


def families_bulk(p: Any, count: int, *, start: int = 1000) -> list[tuple[User, Child]]:
    """Many verified families with one consented child each, in a few bulk inserts
    (for the concurrency tests, where building 300 families one by one is slow)."""
    users = User.objects.bulk_create(
        [User(username=f"rush{start + i}", real_name=f"家长{i}") for i in range(count)]
    )
    workers = Worker.objects.bulk_create(
        [
            Worker(user=u, employer=p.grassroots, member_number=f"R-{start + i}", verified=True)
            for i, u in enumerate(users)
        ]
    )
    children = Child.objects.bulk_create(
        [
            Child(
                guardian=w,
                relationship="mother",
                name=f"孩{i}",
                sex="M",
                birth_date=datetime.date(2017, 5, 1),
                grade=3,
            )
            for i, w in enumerate(workers)
        ]
    )
    ChildConsent.objects.bulk_create(
        [
            ChildConsent(child=c, policy=p.policy, granted_by=u)
            for u, c in zip(users, children, strict=True)
        ]
    )
    return list(zip(users, children, strict=True))


def apply(p: Any, term: Term, child: Any = None, **kwargs: Any) -> Enrolment:
    from tuoguan.enrolment.services import enrolment_apply

    child = child or p.child_one
    return enrolment_apply(actor=actor(child.guardian.user), child=child, term=term, **kwargs)
