"""Planning visits, their checklists, visibility of unannounced visits, signing off."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from tuoguan.accounts import services as people
from tuoguan.orgs import services as orgs
from tuoguan.orgs.models import Role
from tuoguan.orgs.permissions import actor_for
from tuoguan.programs import services as programs
from tuoguan.supervision import selectors, services
from tuoguan.supervision.models import Rectification, VisitStatus

from .factories import answer, answer_all, inspector, planned_visit, running_term, today

pytestmark = pytest.mark.django_db


def test_the_checklist_follows_the_standard_version_that_judges_the_term(personas) -> None:
    p = personas
    term = running_term(p)
    national = programs.standard_ensure_national_default()
    assert national is not None
    visit = planned_visit(p, term)
    assert visit.standard == national
    codes = set(visit.items.values_list("key", flat=True))
    assert "fire_certificate" in codes and "proc_pickup" in codes
    # Criteria for other kinds of class are left out (a holiday class has no 100-day rule).
    assert "min_days_after_school" not in codes

    admin = actor_for(p.province_admin)
    draft = programs.standard_new_version(
        actor=admin, standard=national, org=p.province, effective_from=today(), title="辽宁标准"
    )
    programs.criterion_add(
        actor=admin, standard=draft, code="ln_cameras", area="life_safety",
        label="监控覆盖全部活动室", kind="evidence",
    )  # fmt: skip
    programs.standard_publish(actor=admin, standard=draft)
    term = programs.term_rejudge(actor=actor_for(p.grassroots_admin), term=term)

    later = planned_visit(p, term, inspectors=[visit.inspectors.get()])
    assert later.standard == draft
    assert later.items.filter(key="ln_cameras").exists()
    # The visit planned earlier follows the new version when it starts, as nothing is answered.
    user = visit.inspectors.get()
    visit = selectors.visit_for(actor_for(user), visit.pk)
    services.visit_start(actor=actor_for(user), visit=visit)
    visit.refresh_from_db()
    assert visit.standard == draft
    assert visit.items.filter(key="ln_cameras").exists()


def test_computed_criteria_carry_what_the_data_says_beside_the_judgement(personas) -> None:
    visit = planned_visit(personas)
    item = visit.items.get(key="indoor_area_total")
    assert item.data_status == "pass"
    assert "120" in item.data_detail
    assert item.result == ""


def test_an_unannounced_visit_is_hidden_from_the_class_until_it_starts(personas) -> None:
    p = personas
    visit = planned_visit(p, announced=False)
    host, carer, city = (actor_for(u) for u in (p.grassroots_admin, p.caregiver, p.city_admin))
    for actor in (host, carer, city):
        with pytest.raises(Http404):
            selectors.visit_for(actor, visit.pk)
    assert selectors.visit_for(actor_for(p.province_admin), visit.pk) == visit
    assert selectors.visit_for(actor_for(visit.inspectors.get()), visit.pk) == visit

    services.visit_start(actor=actor_for(visit.inspectors.get()), visit=visit)
    assert selectors.visit_for(host, visit.pk) == visit
    assert selectors.visit_for(carer, visit.pk) == visit


def test_an_inspector_cannot_inspect_a_class_of_their_own_union(personas) -> None:
    p = personas
    term = running_term(p)
    # A provincial inspector who works at the class's grassroots union (their employer).
    user = inspector(p, "ln_own")
    people.worker_create(user=user, employer=p.grassroots)
    with pytest.raises(ValidationError) as refused:
        planned_visit(p, term, inspectors=[user])
    assert "conflict of interest" in str(refused.value)
    # An inspector holding a role at the host union itself is refused as well.
    member = inspector(p, "ln_member")
    orgs.membership_grant(actor=None, user=member, org=p.grassroots, role=Role.CAREGIVER)
    with pytest.raises(ValidationError):
        planned_visit(p, term, inspectors=[member])


def test_only_a_union_above_the_host_plans_a_visit(personas) -> None:
    p = personas
    term = running_term(p)
    with pytest.raises(PermissionDenied):
        services.visit_plan(
            actor=actor_for(p.grassroots_admin), term=term, date=today(),
            inspectors=[inspector(p)],
        )  # fmt: skip


def test_the_season_plan_visits_every_running_term_once_across_inspectors(personas) -> None:
    p = personas
    first = running_term(p)
    second = running_term(p, name="第二期")
    third = running_term(p, name="第三期")
    a, b = inspector(p, "ln_a", name="甲"), inspector(p, "ln_b", name="乙")
    # b works at the host: b may visit none of these classes.
    people.worker_create(user=b, employer=p.grassroots)
    other = inspector(p, "ln_c", name="丙")
    plan = services.visits_plan_season(
        actor=actor_for(p.province_admin), start=today(), end=today() + datetime.timedelta(60)
    )
    assert {v.term_id for v in plan.planned} == {first.pk, second.pk, third.pk}
    assigned = [v.inspectors.get() for v in plan.planned]
    assert b not in assigned
    # The load is spread over the inspectors; nobody has two visits on one day.
    assert set(assigned) == {a, other}
    days = [(v.inspectors.get().pk, v.date) for v in plan.planned]
    assert len(days) == len(set(days))
    again = services.visits_plan_season(
        actor=actor_for(p.province_admin), start=today(), end=today() + datetime.timedelta(60)
    )
    assert again.planned == []
    assert len(again.already) == 3


def test_signing_off_needs_every_item_judged_and_orders_each_failure(personas) -> None:
    p = personas
    visit = planned_visit(p)
    user = visit.inspectors.get()
    answer(visit, user, "fire_exits", "fail", notes="一个安全出口被杂物堵塞")
    with pytest.raises(ValidationError):
        services.visit_sign(actor=actor_for(user), visit=visit, signed_name="督导员")
    answer_all(visit, user, fail=("fire_exits", "fire_certificate"))
    with pytest.raises(ValidationError) as not_a_manager:
        services.visit_sign(
            actor=actor_for(user), visit=visit, signed_name="督导员", owner=p.caregiver
        )
    assert "owner" in not_a_manager.value.message_dict
    # No owner named: each order goes to the class manager (here the host's admin).
    services.visit_sign(actor=actor_for(user), visit=visit, signed_name="督导员")
    visit.refresh_from_db()
    assert visit.status == VisitStatus.SIGNED and visit.signed_name == "督导员"
    orders = Rectification.objects.filter(visit=visit)
    assert {o.item.key for o in orders} == {"fire_exits", "fire_certificate"}
    assert {o.owner for o in orders} == {p.grassroots_admin}
    assert all(o.deadline == visit.date + datetime.timedelta(days=14) for o in orders)

    with pytest.raises(PermissionDenied):
        services.visit_acknowledge(
            actor=actor_for(p.caregiver), visit=visit, acknowledged_name="看护老师"
        )
    services.visit_acknowledge(
        actor=actor_for(p.grassroots_admin), visit=visit, acknowledged_name="基层管理员"
    )
    visit.refresh_from_db()
    assert visit.status == VisitStatus.ACKNOWLEDGED and visit.acknowledged_at is not None


def test_a_signed_visit_takes_no_more_answers(personas) -> None:
    p = personas
    visit = planned_visit(p)
    user = visit.inspectors.get()
    answer_all(visit, user)
    services.visit_sign(actor=actor_for(user), visit=visit, signed_name="督导员")
    with pytest.raises(PermissionDenied):
        answer(visit, user, "fire_exits", "fail")
