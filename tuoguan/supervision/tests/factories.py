"""Small factories for visits and orders, built on the real services."""

import datetime
from typing import Any

from django.utils import timezone

from tuoguan.accounts import services as people
from tuoguan.orgs import services as orgs
from tuoguan.orgs.models import Role
from tuoguan.orgs.permissions import actor_for
from tuoguan.programs import services as programs
from tuoguan.programs.tests.factories import approved_term
from tuoguan.supervision import services
from tuoguan.supervision.models import Visit


def today() -> datetime.date:
    return timezone.localdate()


def inspector(
    p: Any, username: str = "ln_inspector", *, org: Any = None, name: str = "督导员"
) -> Any:
    user = people.user_create(username=username, real_name=name, password=None)
    orgs.membership_grant(actor=None, user=user, org=org or p.province, role=Role.INSPECTOR)
    return user


def running_term(p: Any, **overrides: Any) -> Any:
    start = today() - datetime.timedelta(days=3)
    fields = {"start_date": start, "end_date": start + datetime.timedelta(days=30), **overrides}
    term = approved_term(p, **fields)
    return programs.term_start(actor=actor_for(p.grassroots_admin), term=term)


def planned_visit(
    p: Any, term: Any = None, *, inspectors: list[Any] | None = None, **overrides: Any
) -> Visit:
    term = term or running_term(p)
    fields = {"date": today(), "announced": True, **overrides}
    return services.visit_plan(
        actor=actor_for(p.province_admin),
        term=term,
        inspectors=inspectors or [inspector(p)],
        **fields,
    )


def answer(visit: Visit, by: Any, key: str, result: str, **extra: Any) -> Any:
    import uuid

    change = {"client_id": str(uuid.uuid4()), "item_key": key, "result": result, **extra}
    return services.visit_answers_sync(actor=actor_for(by), visit=visit, answers=[change])[0]


def answer_all(visit: Visit, by: Any, result: str = "pass", *, fail: tuple[str, ...] = ()) -> None:
    import uuid

    changes = [
        {
            "client_id": str(uuid.uuid4()),
            "item_key": item.key,
            "result": "fail" if item.key in fail else result,
        }
        for item in visit.items.all()
    ]
    services.visit_answers_sync(actor=actor_for(by), visit=visit, answers=changes)


def signed_visit(p: Any, *, fail: tuple[str, ...] = (), suspend: bool = False) -> Visit:
    visit = planned_visit(p)
    user = visit.inspectors.get()
    answer_all(visit, user, fail=fail)
    return services.visit_sign(
        actor=actor_for(user),
        visit=visit,
        signed_name="督导员",
        owner=p.grassroots_admin,
        deadline=today() + datetime.timedelta(days=10),
        suspend_checkins=suspend,
    )


def class_manager(p: Any, username: str = "gang_manager", *, name: str = "班主任") -> Any:
    """A class manager of the personas' grassroots union (the class's host)."""
    user = people.user_create(username=username, real_name=name, password=None)
    orgs.membership_grant(actor=None, user=user, org=p.grassroots, role=Role.PROGRAM_MANAGER)
    return user
