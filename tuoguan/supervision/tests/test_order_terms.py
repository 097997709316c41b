"""Each rectification order has its own owner and deadline (not one per visit): set when the
visit is signed off (the class manager and 14 days by default), the owner changed before
acceptance, and both followed by the overdue alerts and the once-only extension."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from tuoguan.notifications.models import Notification
from tuoguan.orgs.permissions import actor_for
from tuoguan.supervision import services
from tuoguan.supervision.models import Rectification, RectificationEvent
from tuoguan.supervision.selectors import default_owner

from .factories import answer_all, class_manager, planned_visit, today

pytestmark = pytest.mark.django_db


def client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def api(user) -> APIClient:
    c = APIClient()
    c.force_login(user)
    return c


def _failed_visit(p, fail=("fire_exits", "fire_certificate")):
    visit = planned_visit(p)
    user = visit.inspectors.get()
    answer_all(visit, user, fail=fail)
    return visit, user


def _orders(visit):
    return {o.item.key: o for o in Rectification.objects.filter(visit=visit).select_related("item")}


def test_the_class_manager_owns_each_order_by_default(personas) -> None:
    p = personas
    visit, user = _failed_visit(p)
    assert default_owner(visit.term) == p.grassroots_admin  # no class manager yet: the admin
    manager = class_manager(p)
    assert default_owner(visit.term) == manager
    services.visit_sign(actor=actor_for(user), visit=visit, signed_name="督导员")
    orders = _orders(visit)
    assert {o.owner for o in orders.values()} == {manager}
    assert {o.deadline for o in orders.values()} == {visit.date + datetime.timedelta(days=14)}


def test_each_failed_item_gets_its_own_owner_and_deadline(personas) -> None:
    p = personas
    manager = class_manager(p)
    visit, user = _failed_visit(p)
    soon, later = today() + datetime.timedelta(days=3), today() + datetime.timedelta(days=30)
    services.visit_sign(
        actor=actor_for(user),
        visit=visit,
        signed_name="督导员",
        orders={
            "fire_exits": services.OrderTerms(p.grassroots_admin, soon),
            "fire_certificate": services.OrderTerms(None, later),
        },
    )
    orders = _orders(visit)
    assert (orders["fire_exits"].owner, orders["fire_exits"].deadline) == (p.grassroots_admin, soon)
    assert (orders["fire_certificate"].owner, orders["fire_certificate"].deadline) == (
        manager,
        later,
    )
    # Each owner hears of their own orders.
    mine = Notification.objects.filter(recipient=manager, subject__contains="for you")
    assert mine.count() == 1 and "fire" not in mine.get().body
    assert orders["fire_certificate"].item.label in mine.get().body
    assert orders["fire_exits"].item.label not in mine.get().body


@pytest.mark.parametrize(
    ("terms", "field"),
    [
        ({"fire_exits": services.OrderTerms(owner=None, deadline=today())}, "deadline"),
        ({"no_such_item": services.OrderTerms()}, "orders"),
    ],
)
def test_an_order_needs_a_future_deadline_and_a_failed_item(personas, terms, field) -> None:
    visit, user = _failed_visit(personas, fail=("fire_exits",))
    with pytest.raises(ValidationError) as refused:
        services.visit_sign(actor=actor_for(user), visit=visit, signed_name="督导员", orders=terms)
    assert field in refused.value.message_dict
    assert not Rectification.objects.filter(visit=visit).exists()


def test_an_owner_is_a_manager_of_the_class(personas) -> None:
    p = personas
    visit, user = _failed_visit(p, fail=("fire_exits",))
    with pytest.raises(ValidationError) as refused:
        services.visit_sign(
            actor=actor_for(user),
            visit=visit,
            signed_name="督导员",
            orders={"fire_exits": services.OrderTerms(p.outsider)},
        )
    assert "owner" in refused.value.message_dict


def test_the_owner_changes_before_acceptance_by_the_inspector_or_their_union(personas) -> None:
    p = personas
    manager = class_manager(p)
    visit, user = _failed_visit(p, fail=("fire_exits",))
    services.visit_sign(
        actor=actor_for(user), visit=visit, signed_name="督导员", owner=p.grassroots_admin
    )
    order = _orders(visit)["fire_exits"]
    with pytest.raises(PermissionDenied):
        services.rectification_reassign(
            actor=actor_for(p.grassroots_admin), rectification=order, owner=manager
        )
    with pytest.raises(ValidationError):
        services.rectification_reassign(
            actor=actor_for(user), rectification=order, owner=p.caregiver
        )
    services.rectification_reassign(
        actor=actor_for(p.province_admin), rectification=order, owner=manager, reason="分管消防"
    )
    order.refresh_from_db()
    assert order.owner == manager
    event = order.events.get(kind=RectificationEvent.Kind.REASSIGNED)
    assert "分管消防" in event.text
    assert Notification.objects.filter(recipient=manager, subject__contains="owned by").exists()
    # The new owner answers; once accepted, the owner no longer changes.
    services.rectification_answer(actor=actor_for(manager), rectification=order, answer="已清理")
    services.rectification_accept(actor=actor_for(user), rectification=order)
    with pytest.raises(ValidationError):
        services.rectification_reassign(
            actor=actor_for(user), rectification=order, owner=p.grassroots_admin
        )


def test_overdue_alerts_and_the_extension_follow_each_orders_own_deadline_and_owner(
    personas,
) -> None:
    p = personas
    manager = class_manager(p)
    visit, user = _failed_visit(p)
    soon, later = today() + datetime.timedelta(days=2), today() + datetime.timedelta(days=20)
    services.visit_sign(
        actor=actor_for(user),
        visit=visit,
        signed_name="督导员",
        orders={
            "fire_exits": services.OrderTerms(manager, soon),
            "fire_certificate": services.OrderTerms(p.grassroots_admin, later),
        },
    )
    orders = _orders(visit)
    day = soon + datetime.timedelta(days=1)
    assert services.rectifications_alert_overdue(today=day) == 1  # only the earlier deadline
    assert services.rectifications_alert_overdue(today=day) == 0  # once a day
    alerts = Notification.objects.filter(subject__contains="overdue")
    told = set(alerts.values_list("recipient_id", flat=True))
    # The order's owner, the class managers and the inspector's union.
    assert {manager.pk, p.grassroots_admin.pk, p.province_admin.pk} <= told
    assert all(orders["fire_exits"].item.label in a.subject for a in alerts)

    # The extension moves that order's deadline only, once.
    services.rectification_extend(
        actor=actor_for(user),
        rectification=orders["fire_exits"],
        deadline=day + datetime.timedelta(days=5),
        reason="等待施工队",
    )
    with pytest.raises(ValidationError):
        services.rectification_extend(
            actor=actor_for(user),
            rectification=orders["fire_exits"],
            deadline=day + datetime.timedelta(days=9),
            reason="再等",
        )
    orders["fire_certificate"].refresh_from_db()
    assert orders["fire_certificate"].deadline == later
    assert orders["fire_certificate"].extended_at is None
    assert services.rectifications_alert_overdue(today=day + datetime.timedelta(days=1)) == 0


def test_the_sign_page_asks_an_owner_and_deadline_per_failed_item(personas) -> None:
    p = personas
    manager = class_manager(p)
    visit, user = _failed_visit(p)
    items = {i.key: i for i in visit.items.filter(result="fail")}
    url = reverse("supervision:visit_sign", args=[visit.pk])
    page = client(user).get(url)
    form = page.context["form"]
    for item in items.values():
        assert form.fields[f"owner_{item.pk}"].initial == manager.pk
        assert f"owner_{item.pk}" in page.content.decode()
    late = today() + datetime.timedelta(days=21)
    data = {"signed_name": "督导员"}
    for key, item in items.items():
        data[f"owner_{item.pk}"] = str(p.grassroots_admin.pk if key == "fire_exits" else manager.pk)
        data[f"deadline_{item.pk}"] = (
            late if key == "fire_exits" else today() + datetime.timedelta(7)
        ).isoformat()
    response = client(user).post(url, data)
    assert response.status_code == 302
    orders = _orders(visit)
    assert (orders["fire_exits"].owner, orders["fire_exits"].deadline) == (p.grassroots_admin, late)
    assert orders["fire_certificate"].owner == manager


def test_the_order_page_changes_its_owner_and_outsiders_get_404(personas) -> None:
    p = personas
    manager = class_manager(p)
    visit, user = _failed_visit(p, fail=("fire_exits",))
    services.visit_sign(
        actor=actor_for(user), visit=visit, signed_name="督导员", owner=p.grassroots_admin
    )
    order = _orders(visit)["fire_exits"]
    detail = reverse("supervision:rectification_detail", args=[order.pk])
    url = reverse("supervision:rectification_reassign", args=[order.pk])
    assert url in client(user).get(detail).content.decode()
    assert url not in client(p.grassroots_admin).get(detail).content.decode()
    assert client(p.outsider).get(url).status_code == 404
    assert client(p.grassroots_admin).get(url).status_code == 403
    response = client(user).post(url, {"owner": manager.pk, "reason": ""})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.owner == manager
    assert "班主任" in client(p.grassroots_admin).get(detail).content.decode()


def test_the_api_signs_with_per_order_terms_and_reassigns(personas) -> None:
    p = personas
    manager = class_manager(p)
    visit, user = _failed_visit(p)
    soon = today() + datetime.timedelta(days=4)
    bad = api(user).post(
        f"/api/v1/visits/{visit.pk}/sign/",
        {"signed_name": "督导员", "orders": [{"item_key": "fire_exits", "owner": p.caregiver.pk}]},
        format="json",
    )
    assert bad.status_code == 400 and "owner" in bad.json()
    signed = api(user).post(
        f"/api/v1/visits/{visit.pk}/sign/",
        {
            "signed_name": "督导员",
            "owner": p.grassroots_admin.pk,
            "orders": [
                {"item_key": "fire_exits", "owner": manager.pk, "deadline": soon.isoformat()}
            ],
        },
        format="json",
    )
    assert signed.status_code == 200, signed.content
    listed = api(p.grassroots_admin).get(f"/api/v1/rectifications/?visit={visit.pk}").json()
    rows = {row["item_key"]: row for row in listed["results"]}
    assert (
        rows["fire_exits"]["owner"] == manager.pk
        and rows["fire_exits"]["deadline"] == soon.isoformat()
    )
    assert rows["fire_exits"]["owner_name"] == "班主任"
    assert rows["fire_certificate"]["owner"] == p.grassroots_admin.pk
    pk = rows["fire_certificate"]["id"]
    url = f"/api/v1/rectifications/{pk}/reassign/"
    assert api(p.outsider).post(url, {"owner": manager.pk}, format="json").status_code == 404
    assert (
        api(p.grassroots_admin).post(url, {"owner": manager.pk}, format="json").status_code == 403
    )
    moved = api(user).post(url, {"owner": manager.pk, "reason": "分管"}, format="json")
    assert moved.status_code == 200 and moved.json()["owner"] == manager.pk
    assert moved.json()["events"][-1]["kind"] == "reassigned"
