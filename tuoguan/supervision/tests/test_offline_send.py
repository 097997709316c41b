"""What the phone's outbox needs from the server: free items sent by client id through the
API like answers, and a fresh CSRF token (or word that the session ended) for a checklist
page kept since long ago."""

import uuid

import pytest
from django.test import Client
from django.urls import reverse

from tuoguan.supervision.models import AnswerChange, ChecklistItem

from .factories import planned_visit

pytestmark = pytest.mark.django_db


def test_a_free_item_and_its_answer_sent_twice_through_the_api_exist_once(personas) -> None:
    visit = planned_visit(personas)
    phone = Client()
    phone.force_login(visit.inspectors.get())
    cid = str(uuid.uuid4())
    item = {"client_id": cid, "label": "厨房燃气报警器", "is_veto": True}
    answer = {"answers": [{"client_id": str(uuid.uuid4()), "item_key": f"free-{cid}",
                           "result": "fail", "notes": "未安装"}]}  # fmt: skip
    codes = []
    for _ in range(2):  # the outbox flushed again after a lost reply
        codes.append(
            phone.post(f"/api/v1/visits/{visit.pk}/items/", item, "application/json").status_code
        )
        sent = phone.post(f"/api/v1/visits/{visit.pk}/answers/", answer, "application/json")
        assert sent.status_code == 200
    assert codes == [201, 200]
    free = ChecklistItem.objects.get(visit=visit, key=f"free-{cid}")
    assert free.is_veto and free.result == "fail"
    assert AnswerChange.objects.filter(item=free).count() == 1


def test_the_checklist_page_carries_what_the_outbox_needs(personas) -> None:
    visit = planned_visit(personas)
    phone = Client()
    phone.force_login(visit.inspectors.get())
    page = phone.get(reverse("supervision:visit_inspect", args=[visit.pk])).content.decode()
    assert 'id="free-item-template"' in page and 'id="item-__KEY__"' in page
    assert f'data-items-url="/api/v1/visits/{visit.pk}/items/"' in page
    assert f'data-token-url="{reverse("supervision:sync_token")}"' in page


def test_a_stale_token_is_refused_and_the_fresh_one_sends_the_answer_once(personas) -> None:
    visit = planned_visit(personas)
    user = visit.inspectors.get()
    phone = Client(enforce_csrf_checks=True)
    phone.force_login(user)
    url = reverse("supervision:visit_inspect", args=[visit.pk])
    phone.get(url)
    body = {"answers": [{"client_id": str(uuid.uuid4()), "item_key": "fire_exits",
                         "result": "pass"}]}  # fmt: skip
    answers = f"/api/v1/visits/{visit.pk}/answers/"
    stale = phone.post(answers, body, "application/json", HTTP_X_CSRFTOKEN="x" * 64)
    assert stale.status_code == 403
    assert AnswerChange.objects.filter(item__visit=visit).count() == 0

    fresh = phone.get(reverse("supervision:sync_token"))
    assert fresh["Cache-Control"] == "no-store"
    token = fresh.json()
    assert token["authenticated"] is True and token["csrf_token"]
    sent = phone.post(answers, body, "application/json", HTTP_X_CSRFTOKEN=token["csrf_token"])
    assert sent.status_code == 200
    again = phone.post(answers, body, "application/json", HTTP_X_CSRFTOKEN=token["csrf_token"])
    assert again.json()[0]["duplicate"] is True
    assert AnswerChange.objects.filter(item__visit=visit).count() == 1


def test_an_ended_session_is_told_apart_from_a_stale_token(personas) -> None:
    visit = planned_visit(personas)
    phone = Client(enforce_csrf_checks=True)
    phone.force_login(visit.inspectors.get())
    phone.logout()  # the session ended while the phone was offline
    token = phone.get(reverse("supervision:sync_token")).json()
    assert token["authenticated"] is False
    assert token["login_url"] == reverse("accounts:login")
    body = {"answers": [{"client_id": str(uuid.uuid4()), "item_key": "fire_exits",
                         "result": "pass"}]}  # fmt: skip
    refused = phone.post(
        f"/api/v1/visits/{visit.pk}/answers/",
        body,
        "application/json",
        HTTP_X_CSRFTOKEN=token["csrf_token"],
    )
    assert refused.status_code in (401, 403)
    assert AnswerChange.objects.filter(item__visit=visit).count() == 0
