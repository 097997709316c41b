"""The project-wide test world: the personas plus one object of every kind on each side.

`authz_world` is built once per module, through the real services, inside a transaction
that is rolled back when the module ends; each test runs in a savepoint of it (the `db`
fixture), so a probe that changes data (a POST that succeeds) never leaks into the next.

"own" objects sit in the Liaoning subtree (辽宁, the personas' province); "foreign" ones are
the same kind of object in Sichuan (四川), where `outsider` is the union admin and
`other_parent` the family. tests/authz_rules.py names objects by these kinds.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from tuoguan.core.testing import Personas, build_personas

# Logged-in personas of the matrix, in the order their test ids appear.
PERSONAS = (
    "province_admin",
    "city_admin",
    "grassroots_admin",
    "caregiver",
    "reviewer",
    "parent",
    "outsider",
    "other_parent",
)
ANONYMOUS = "anonymous"
SURVEY_ANSWER: dict[str, Any] = {
    "children": [{"age": 8, "grade": 2}],
    "wanted_types": ["holiday"],
    "wanted_period": "summer",
    "hours": "full_day",
    "pay_living_costs": "yes",
    "special_needs": "",
}


@dataclass
class World:
    p: Personas
    own: dict[str, Any] = field(default_factory=dict)
    foreign: dict[str, Any] = field(default_factory=dict)

    def user(self, persona: str) -> Any:
        return None if persona == ANONYMOUS else getattr(self.p, persona)


def _actor(user: Any) -> Any:
    from tuoguan.orgs.permissions import actor_for

    return actor_for(user)


def _people(w: World) -> None:
    from tuoguan.accounts import services as people
    from tuoguan.accounts.models import Worker
    from tuoguan.orgs import services as orgs
    from tuoguan.orgs.models import Membership, Role

    p = w.p
    sc_carer = people.user_create(username="sc_carer", real_name="外省看护", password=None)
    orgs.membership_grant(
        actor=None, user=sc_carer, org=p.other_grassroots_far, role=Role.CAREGIVER
    )
    w.own["org"], w.foreign["org"] = p.grassroots, p.other_grassroots_far
    w.own["membership"] = Membership.objects.get(user=p.caregiver, org=p.grassroots)
    w.foreign["membership"] = Membership.objects.get(user=sc_carer)
    other_worker = Worker.objects.get(user=p.other_parent)
    # The Sichuan family mirrors the Liaoning one: verified member, child with consent.
    people.worker_verify(actor=_actor(p.outsider), worker=other_worker)
    people.consent_grant(
        actor=_actor(p.other_parent), child=p.other_child, policy=p.policy, ip="127.0.0.1"
    )
    w.own["worker"], w.foreign["worker"] = p.parent_worker, other_worker
    w.own["child"], w.foreign["child"] = p.child_one, p.other_child


def _personal(w: World) -> None:
    """Objects that belong to one user, whatever their union: tokens, inbox, jobs."""
    from tuoguan.accounts import services as people
    from tuoguan.core.jobs import job_create
    from tuoguan.notifications.services import notify

    p = w.p
    # Names differ per side, so a page that shows the other side's object is caught by text.
    for side, user, name in ((w.own, p.parent, "辽宁"), (w.foreign, p.other_parent, "四川")):
        side["token"] = people.token_issue(user=user, name=f"{name}令牌")[0]
        side["notification"] = notify(recipient=user, subject=f"{name}通知", channels=[])
    for side, owner in ((w.own, p.province_admin), (w.foreign, p.outsider)):
        side["import_job"] = job_create(owner=owner, kind="worker_import", title="matrix")


def _audit(w: World) -> None:
    from tuoguan.audit.models import AuditEntry

    for side, org in ((w.own, w.p.grassroots), (w.foreign, w.p.other_grassroots_far)):
        entry = AuditEntry.objects.filter(org_path=org.path).order_by("pk").first()
        assert entry is not None, f"no audit entry at {org} to probe audit:entry with"
        side["audit_entry"] = entry


def _surveys(w: World) -> None:
    from tuoguan.enrolment.services import survey as surveys

    now = timezone.now()
    p = w.p
    for side, by, org, family, name in (
        (w.own, p.grassroots_admin, p.grassroots, p.parent, "辽宁"),
        (w.foreign, p.outsider, p.other_grassroots_far, p.other_parent, "四川"),
    ):
        survey = surveys.survey_create(
            actor=_actor(by),
            org=org,
            title=f"{name}托管需求调研",
            opens_at=now - datetime.timedelta(hours=1),
            closes_at=now + datetime.timedelta(days=7),
        )
        side["survey"] = surveys.survey_publish(actor=_actor(by), survey=survey)
        side["survey_response"] = surveys.survey_answer(
            actor=_actor(family), survey=side["survey"], **SURVEY_ANSWER
        )


def _open_term(w: World, *, by: Any, host: Any, mode: str, approver: Any, lead: int) -> Any:
    from tuoguan.programs import services as programs
    from tuoguan.programs.tests.factories import make_program, make_term, make_venue

    start = timezone.localdate() + datetime.timedelta(days=lead)
    now = timezone.now()
    program = make_program(w.p, by=by, host=host)
    term = make_term(
        w.p,
        by=by,
        program=program,
        venue=make_venue(w.p, by=by, owner=host),
        capacity=30,
        start_date=start,
        end_date=start + datetime.timedelta(days=20),
        enrol_opens_at=now - datetime.timedelta(hours=1),
        enrol_closes_at=now + datetime.timedelta(days=1),
        enrol_mode=mode,
    )
    term = programs.term_submit(actor=_actor(by), term=term)
    term = programs.term_approve(actor=_actor(approver), term=term)
    return programs.term_open_enrolment(actor=_actor(by), term=term)


def _classes(w: World) -> None:
    """A first-come term with the family's child admitted, and a drawn lottery term."""
    from tuoguan.enrolment.services import draw_run, enrolment_apply
    from tuoguan.enrolment.services.draws import draws_execute
    from tuoguan.programs.models import EnrolMode, Term

    p = w.p
    sides = (
        (w.own, p.grassroots_admin, p.grassroots, p.city_admin, p.child_one),
        (w.foreign, p.outsider, p.other_grassroots_far, p.outsider, p.other_child),
    )
    for side, by, host, approver, child in sides:
        term = _open_term(
            w, by=by, host=host, mode=EnrolMode.FIRST_COME, approver=approver, lead=60
        )
        side["term"], side["program"], side["venue"] = term, term.program, term.venue
        side["enrolment"] = enrolment_apply(
            actor=_actor(child.guardian.user), child=child, term=term
        )
        lottery = _open_term(
            w, by=by, host=host, mode=EnrolMode.LOTTERY, approver=approver, lead=120
        )
        enrolment_apply(actor=_actor(child.guardian.user), child=child, term=lottery)
        # The window closes (as if time had passed), then the host runs the draw.
        closes = timezone.now() - datetime.timedelta(seconds=1)
        Term.objects.filter(pk=lottery.pk).update(
            enrol_opens_at=closes - datetime.timedelta(days=1), enrol_closes_at=closes
        )
        lottery.refresh_from_db()
        side["lottery_term"] = lottery
        draw = draw_run(actor=_actor(by), term=lottery)
        # The task would run after commit, which never comes here: run it in place.
        draws_execute(job_id=draw.job_id, draw_ids=[draw.pk])
        draw.refresh_from_db()
        side["draw"] = draw


def build_world() -> World:
    world = World(p=build_personas())
    for step in (_people, _personal, _audit, _surveys, _classes):
        step(world)
    return world


@pytest.fixture(scope="module")
def authz_world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """One world per test module, rolled back at its end (tests run in savepoints of it)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)
