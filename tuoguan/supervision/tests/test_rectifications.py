"""Rectification orders: answer, send back, accept, extend once, suspension, overdue alerts."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tuoguan.core.housekeeping import housekeeping_run_due
from tuoguan.notifications.models import Notification
from tuoguan.orgs.permissions import actor_for
from tuoguan.programs import compliance
from tuoguan.programs.models import Term
from tuoguan.programs.tests.factories import pdf_upload
from tuoguan.supervision import services
from tuoguan.supervision.models import Rectification, RectificationEvent
from tuoguan.supervision.selectors import suspension_reason, term_checkins_suspended

from .factories import signed_visit, today

pytestmark = pytest.mark.django_db


def _order(p, **kwargs):
    visit = signed_visit(p, fail=("fire_exits",), **kwargs)
    return Rectification.objects.select_related("visit", "term__program__host", "item").get(
        visit=visit
    )


def test_the_class_answers_the_inspector_sends_back_then_accepts(personas) -> None:
    p = personas
    order = _order(p)
    inspector = actor_for(order.visit.inspectors.get())
    host = actor_for(p.grassroots_admin)
    assert order.owner == p.grassroots_admin and order.status == "open"
    with pytest.raises(PermissionDenied):
        services.rectification_answer(actor=actor_for(p.caregiver), rectification=order, answer="x")
    with pytest.raises(ValidationError):
        services.rectification_accept(actor=inspector, rectification=order)
    services.rectification_answer(
        actor=host, rectification=order, answer="已清理安全出口", files=[pdf_upload()]
    )
    assert order.status == "answered" and order.evidence.count() == 1
    with pytest.raises(PermissionDenied):
        services.rectification_send_back(actor=host, rectification=order, reason="自己退回")
    with pytest.raises(ValidationError) as no_reason:
        services.rectification_send_back(actor=inspector, rectification=order, reason=" ")
    assert "reason" in no_reason.value.message_dict
    services.rectification_send_back(actor=inspector, rectification=order, reason="照片不清楚")
    assert order.status == "open"
    services.rectification_answer(actor=host, rectification=order, answer="补拍照片")
    # The inspector's union may decide as well as the inspector.
    services.rectification_accept(actor=actor_for(p.province_admin), rectification=order)
    order.refresh_from_db()
    assert order.status == "accepted" and order.closed_by == p.province_admin
    kinds = list(order.events.values_list("kind", flat=True))
    assert kinds == ["ordered", "answered", "sent_back", "answered", "accepted"]
    assert order.events.get(kind="sent_back").text == "照片不清楚"


def test_the_deadline_is_extended_once_with_a_reason(personas) -> None:
    p = personas
    order = _order(p)
    inspector = actor_for(order.visit.inspectors.get())
    later = order.deadline + datetime.timedelta(days=7)
    with pytest.raises(ValidationError):
        services.rectification_extend(
            actor=inspector, rectification=order, deadline=later, reason=""
        )
    with pytest.raises(ValidationError):
        services.rectification_extend(
            actor=inspector, rectification=order, deadline=order.deadline, reason="施工"
        )
    with pytest.raises(PermissionDenied):
        services.rectification_extend(
            actor=actor_for(p.grassroots_admin), rectification=order, deadline=later, reason="施工"
        )
    services.rectification_extend(
        actor=inspector, rectification=order, deadline=later, reason="施工"
    )
    order.refresh_from_db()
    assert order.deadline == later and order.extension_reason == "施工"
    with pytest.raises(ValidationError) as twice:
        services.rectification_extend(
            actor=inspector,
            rectification=order,
            deadline=later + datetime.timedelta(1),
            reason="再延",
        )
    assert "once" in str(twice.value)


def _folded(term: Term) -> str | None:
    """The guard's reason as daily care's check-in read carries it (`suspension_reason`)."""
    reason: str | None = (
        Term.objects.annotate(reason=suspension_reason("pk")).get(pk=term.pk).reason
    )
    return reason


def test_a_veto_finding_suspends_check_ins_until_its_order_is_accepted(personas) -> None:
    p = personas
    visit = signed_visit(p, fail=("fire_certificate", "fire_exits"), suspend=True)
    term = visit.term
    assert _folded(term) == term_checkins_suspended(term)
    orders = {o.item.key: o for o in Rectification.objects.filter(visit=visit)}
    # Only the veto criterion suspends; the other failure is an ordinary order.
    assert orders["fire_certificate"].suspends_checkins
    assert not orders["fire_exits"].suspends_checkins
    assert term_checkins_suspended(term) == orders["fire_certificate"].item.label
    told = set(Notification.objects.filter(subject__contains="suspended").values_list(
        "recipient_id", flat=True
    ))  # fmt: skip
    assert {p.grassroots_admin.pk, p.caregiver.pk, p.province_admin.pk} <= told

    order = orders["fire_certificate"]
    services.rectification_answer(
        actor=actor_for(p.grassroots_admin), rectification=order, answer="已年检"
    )
    assert term_checkins_suspended(term) is not None
    assert _folded(term) == term_checkins_suspended(term)
    services.rectification_accept(actor=actor_for(visit.inspectors.get()), rectification=order)
    assert term_checkins_suspended(term) is None
    assert term_checkins_suspended(term.pk) is None
    assert _folded(term) is None


def test_the_door_refuses_check_ins_of_a_suspended_term_until_the_order_is_accepted(
    personas,
) -> None:
    from tuoguan.care.services.attendance import _require_not_suspended

    p = personas
    visit = signed_visit(p, fail=("fire_certificate",), suspend=True)
    with pytest.raises(ValidationError) as refused:
        _require_not_suspended(visit.term)
    assert refused.value.code == "suspended"
    order = Rectification.objects.get(visit=visit, suspends_checkins=True)
    services.rectification_answer(
        actor=actor_for(p.grassroots_admin), rectification=order, answer="已年检"
    )
    services.rectification_accept(actor=actor_for(visit.inspectors.get()), rectification=order)
    _require_not_suspended(visit.term)


def test_no_suspension_without_the_inspectors_choice(personas) -> None:
    visit = signed_visit(personas, fail=("fire_certificate",), suspend=False)
    assert term_checkins_suspended(visit.term) is None


def test_overdue_orders_alert_once_a_day_until_closed(personas) -> None:
    p = personas
    order = _order(p)
    day_after = order.deadline + datetime.timedelta(days=1)
    before = Notification.objects.filter(subject__contains="overdue").count()
    assert services.rectifications_alert_overdue(today=order.deadline) == 0
    assert services.rectifications_alert_overdue(today=day_after) == 1
    assert services.rectifications_alert_overdue(today=day_after) == 0
    alerts = Notification.objects.filter(subject__contains="overdue")
    recipients = set(alerts.values_list("recipient_id", flat=True))
    # The owner (the host's admin, also its class manager) and the planner's admins.
    assert {p.grassroots_admin.pk, p.province_admin.pk} <= recipients
    first_day = alerts.count() - before
    assert services.rectifications_alert_overdue(today=day_after + datetime.timedelta(1)) == 1
    assert alerts.count() - before == 2 * first_day
    services.rectification_answer(
        actor=actor_for(p.grassroots_admin), rectification=order, answer="已整改"
    )
    services.rectification_accept(
        actor=actor_for(order.visit.inspectors.get()), rectification=order
    )
    assert services.rectifications_alert_overdue(today=day_after + datetime.timedelta(2)) == 0


def test_housekeeping_runs_the_overdue_alerts_at_most_hourly_and_each_order_daily(
    personas,
) -> None:
    from django.utils import timezone

    order = _order(personas)
    Rectification.objects.filter(pk=order.pk).update(deadline=today() - datetime.timedelta(1))
    now = timezone.now()
    outcomes = {o.name: o for o in housekeeping_run_due(now=now)}
    assert outcomes["supervision.overdue_alerts"].result == 1
    assert "supervision.overdue_alerts" not in {o.name for o in housekeeping_run_due(now=now)}
    later = {o.name: o for o in housekeeping_run_due(now=now + datetime.timedelta(hours=2))}
    assert later["supervision.overdue_alerts"].result == 0


def test_open_and_overdue_orders_are_facts_of_the_compliance_view(personas) -> None:
    p = personas
    order = _order(p)
    term = order.term
    assert compliance.fact(term, "rectifications_open") == 1
    assert compliance.fact(term.__class__.objects.get(pk=term.pk), "rectifications_overdue") == 0
    Rectification.objects.filter(pk=order.pk).update(deadline=today() - datetime.timedelta(1))
    fresh = term.__class__.objects.get(pk=term.pk)
    assert compliance.fact(fresh, "rectifications_overdue") == 1
    assert "rectifications" in compliance.registered_metrics()


def test_a_standard_criterion_on_rectifications_fails_while_one_is_overdue(personas) -> None:
    from tuoguan.programs import services as programs
    from tuoguan.programs.compliance import term_compliance

    p = personas
    order = _order(p)
    admin = actor_for(p.province_admin)
    national = programs.standard_ensure_national_default()
    assert national is not None
    draft = programs.standard_new_version(
        actor=admin, standard=national, org=p.province, effective_from=today(), title="辽宁标准"
    )
    programs.criterion_add(
        actor=admin, standard=draft, code="rect_in_time", area="procedures",
        label="整改按期完成", kind="computed", metric="rectifications",
    )  # fmt: skip
    programs.standard_publish(actor=admin, standard=draft)
    term = programs.term_rejudge(actor=actor_for(p.grassroots_admin), term=order.term)
    row = next(r for r in term_compliance(term).rows if r.criterion.code == "rect_in_time")
    assert row.status == "pass"
    Rectification.objects.filter(pk=order.pk).update(deadline=today() - datetime.timedelta(1))
    row = next(r for r in term_compliance(term).rows if r.criterion.code == "rect_in_time")
    assert row.status == "fail" and "1" in row.detail
    assert RectificationEvent.objects.filter(rectification=order).exists()


def test_the_three_facts_of_a_batch_of_terms_cost_one_query(personas) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tuoguan.programs.models import Term
    from tuoguan.supervision.compliance import FACTS
    from tuoguan.supervision.selectors import suspensions_for_terms

    p = personas
    visit = signed_visit(p, fail=("fire_certificate", "fire_exits"), suspend=True)
    overdue = Rectification.objects.get(visit=visit, item__key="fire_exits")
    Rectification.objects.filter(pk=overdue.pk).update(deadline=today() - datetime.timedelta(1))
    terms = list(Term.objects.all())
    loaders = [compliance._facts[name] for name in FACTS]
    with CaptureQueriesContext(connection) as queries:
        opened, late, reasons = (loader(terms) for loader in loaders)
        opened, late, reasons = dict(opened), dict(late), dict(reasons)
    assert len(queries) == 1
    assert opened[visit.term_id] == 2 and late[visit.term_id] == 1
    assert reasons == suspensions_for_terms([t.pk for t in terms])
    assert reasons[visit.term_id] is not None
    # The same batch asked again (after a write) is loaded afresh, not read from before.
    services.rectification_answer(
        actor=actor_for(p.grassroots_admin), rectification=overdue, answer="已整改"
    )
    services.rectification_accept(actor=actor_for(visit.inspectors.get()), rectification=overdue)
    with CaptureQueriesContext(connection) as again:
        assert loaders[0](terms)[visit.term_id] == 1
        assert loaders[1](terms)[visit.term_id] == 0
    assert len(again) == 1
    # Through prime_facts, as the standards' compliance view reads them.
    compliance.prime_facts(terms)
    assert compliance.fact(terms[0], "rectifications_open") == (
        1 if terms[0].pk == visit.term_id else 0
    )
