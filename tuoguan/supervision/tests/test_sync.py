"""The phone's outbox: idempotent answers and photos, conflicts resolved item by item."""

import datetime
import uuid

import pytest
from django.utils import timezone

from tuoguan.orgs.permissions import actor_for
from tuoguan.programs.tests.factories import image_upload
from tuoguan.supervision import services
from tuoguan.supervision.models import AnswerChange, VisitPhoto

from .factories import planned_visit

pytestmark = pytest.mark.django_db


def test_a_resent_answer_creates_nothing_twice(personas) -> None:
    visit = planned_visit(personas)
    actor = actor_for(visit.inspectors.get())
    change = {"client_id": str(uuid.uuid4()), "item_key": "fire_exits", "result": "fail"}
    first = services.visit_answers_sync(actor=actor, visit=visit, answers=[change])
    again = services.visit_answers_sync(actor=actor, visit=visit, answers=[change, change])
    assert not first[0].duplicate and all(o.duplicate for o in again)
    assert AnswerChange.objects.filter(item__visit=visit).count() == 1
    assert visit.items.get(key="fire_exits").result == "fail"
    visit.refresh_from_db()
    assert visit.status == "in_progress" and visit.started_at is not None


def test_a_resent_photo_is_stored_once_and_stripped_of_its_exif(personas) -> None:
    visit = planned_visit(personas)
    actor = actor_for(visit.inspectors.get())
    client_id = uuid.uuid4()
    photo, created = services.visit_photo_add(
        actor=actor, visit=visit, item_key="fire_exits", client_id=client_id, image=image_upload()
    )
    same, again = services.visit_photo_add(
        actor=actor, visit=visit, item_key="fire_exits", client_id=client_id, image=image_upload()
    )
    assert created and not again and same.pk == photo.pk
    assert VisitPhoto.objects.filter(visit=visit).count() == 1
    assert b"PhoneMaker" not in photo.image.open("rb").read()


def test_two_phones_on_one_item_the_later_change_wins_and_both_are_kept(personas) -> None:
    visit = planned_visit(personas)
    actor = actor_for(visit.inspectors.get())
    now = timezone.now()
    earlier = {
        "client_id": str(uuid.uuid4()), "item_key": "fire_exits", "result": "pass",
        "notes": "甲手机", "changed_at": now - datetime.timedelta(minutes=5),
    }  # fmt: skip
    later = {
        "client_id": str(uuid.uuid4()), "item_key": "fire_exits", "result": "fail",
        "notes": "乙手机", "changed_at": now - datetime.timedelta(minutes=1),
    }  # fmt: skip
    other = {"client_id": str(uuid.uuid4()), "item_key": "fire_certificate", "result": "pass"}
    # The later change arrives first (phone B was online); A's older change comes after.
    services.visit_answers_sync(actor=actor, visit=visit, answers=[later])
    outcome = services.visit_answers_sync(actor=actor, visit=visit, answers=[earlier, other])
    item = visit.items.get(key="fire_exits")
    assert (item.result, item.notes) == ("fail", "乙手机")
    assert [o.applied for o in outcome] == [False, True]
    kept = AnswerChange.objects.filter(item=item).order_by("changed_at")
    assert [(c.notes, c.applied) for c in kept] == [("甲手机", False), ("乙手机", True)]
    # Item by item: the other item took phone A's answer.
    assert visit.items.get(key="fire_certificate").result == "pass"


def test_a_phone_clock_ahead_of_the_server_does_not_win_forever(personas) -> None:
    visit = planned_visit(personas)
    actor = actor_for(visit.inspectors.get())
    ahead = {
        "client_id": str(uuid.uuid4()), "item_key": "fire_exits", "result": "pass",
        "changed_at": timezone.now() + datetime.timedelta(days=1),
    }  # fmt: skip
    services.visit_answers_sync(actor=actor, visit=visit, answers=[ahead])
    fix = {"client_id": str(uuid.uuid4()), "item_key": "fire_exits", "result": "fail"}
    services.visit_answers_sync(actor=actor, visit=visit, answers=[fix])
    assert visit.items.get(key="fire_exits").result == "fail"


def test_a_free_item_from_a_phone_is_added_once(personas) -> None:
    visit = planned_visit(personas)
    actor = actor_for(visit.inspectors.get())
    cid = uuid.uuid4()
    item, created = services.visit_item_add(
        actor=actor, visit=visit, client_id=cid, label="灭火器过期"
    )
    same, again = services.visit_item_add(
        actor=actor, visit=visit, client_id=cid, label="灭火器过期"
    )
    assert created and not again and same.pk == item.pk and item.key == f"free-{cid}"
