"""Journey: an inspector fills a visit's checklist on a phone without a network.

The inspector opens the visit (the service worker keeps the page), the phone loses the
network, the inspector judges every item and takes two photos, reloads the page still
offline (the answers are still there), and the network comes back: the server then holds
exactly one copy of each answer and photo. A second phone changed one item later, while the
first was offline: the later change holds, item by item, and the earlier one is recorded.
axe-core runs on each page.
"""

import datetime
import io

import pytest
from django.urls import reverse
from PIL import Image
from playwright.sync_api import expect

from tuoguan.accounts import services as people
from tuoguan.orgs import services as orgs
from tuoguan.orgs.models import Role
from tuoguan.orgs.permissions import actor_for
from tuoguan.programs import services as programs
from tuoguan.programs.tests.factories import approved_term
from tuoguan.supervision import services
from tuoguan.supervision.models import AnswerChange, ChecklistItem, VisitPhoto
from tuoguan.testing import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = (360, 740)


def jpeg(colour: tuple[int, int, int]) -> dict[str, object]:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, "JPEG")
    return {"name": "现场.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}


def _visit(p):  # type: ignore[no-untyped-def]
    from django.utils import timezone

    start = timezone.localdate() - datetime.timedelta(days=2)
    term = approved_term(p, start_date=start, end_date=start + datetime.timedelta(days=30))
    term = programs.term_start(actor=actor_for(p.grassroots_admin), term=term)
    user = people.user_create(username="ln_insp", real_name="督导员", password=PASSWORD)
    orgs.membership_grant(actor=None, user=user, org=p.province, role=Role.INSPECTOR)
    return services.visit_plan(
        actor=actor_for(p.province_admin), term=term, date=timezone.localdate(), inspectors=[user]
    )


def _wait_for_the_page_kept(page) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_function("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function(
        "caches.open('tuoguan-inspect-pages').then(c => c.match(location.pathname))"
        ".then(hit => !!hit)"
    )


def test_the_checklist_is_filled_offline_and_sent_once_when_the_network_returns(
    new_page, personas, log_in, assert_accessible
):
    visit = _visit(personas)
    url = reverse("supervision:visit_inspect", args=[visit.pk])
    keys = list(visit.items.values_list("key", flat=True))

    page = new_page(locale="zh-CN", viewport=PHONE)
    log_in(page, "ln_insp")
    page.goto(url)
    _wait_for_the_page_kept(page)
    assert_accessible(page, context="checklist, online")

    page.context.set_offline(True)
    for key in keys:
        result = "fail" if key == "fire_exits" else "pass"
        page.locator(f"#item-{key} input[name=result][value={result}]").check()
    notes = page.locator("#item-fire_exits textarea[name=notes]")
    notes.fill("二号安全出口被杂物堵塞")
    notes.blur()
    photo = page.locator("#item-fire_exits input[type=file]")
    photo.set_input_files([jpeg((200, 30, 30))])
    photo.set_input_files([jpeg((30, 30, 200))])
    status = page.locator("#sync-status")
    expect(status).to_contain_text("2 张照片待发送")
    assert AnswerChange.objects.filter(item__visit=visit).count() == 0

    # A second phone, online, judges the fire exits later: its change must hold.
    other = new_page(locale="zh-CN", viewport=PHONE)
    log_in(other, "ln_insp")
    other.goto(url)
    # "All sent" is also the status before anything is queued: wait for the answer's reply.
    with other.expect_response(lambda r: r.request.method == "POST" and r.ok):
        other.locator("#item-fire_exits input[name=result][value=na]").check()
    expect(other.locator("#sync-status")).to_contain_text("全部已发送")
    assert ChecklistItem.objects.get(visit=visit, key="fire_exits").result == "na"

    page.reload()
    expect(page.locator("#item-fire_exits input[value=fail]")).to_be_checked()
    expect(notes).to_have_value("二号安全出口被杂物堵塞")
    expect(page.locator(f"#item-{keys[-1]} input[value=pass]")).to_be_checked()
    expect(status).to_contain_text("没有网络")
    assert_accessible(page, context="checklist, offline after a reload")

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(status).to_contain_text("全部已发送", timeout=20_000)

    items = ChecklistItem.objects.filter(visit=visit)
    assert all(item.result for item in items)
    sent = AnswerChange.objects.filter(item__visit=visit)
    # One change per item from the first phone (fire exits: its choice, then its notes) and
    # the second phone's one.
    assert sent.count() == len(keys) + 2
    assert VisitPhoto.objects.filter(visit=visit).count() == 2
    fire = items.get(key="fire_exits")
    assert fire.result == "na"
    lost = sent.filter(item=fire, applied=False)
    assert {c.result for c in lost} == {"fail"}

    # The phone sends its outbox again (a reply that never came): nothing is created twice.
    again = page.evaluate(
        """async (ids) => {
          const csrf = document.querySelector("input[name=csrfmiddlewaretoken]").value;
          const answers = ids.map(([id, key]) => ({client_id: id, item_key: key, result: "pass"}));
          const r = await fetch(document.getElementById("inspect").dataset.answersUrl, {
            method: "POST", credentials: "same-origin",
            headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
            body: JSON.stringify({answers})});
          return (await r.json()).map(o => o.duplicate);
        }""",
        [[str(c.client_id), c.item.key] for c in sent.select_related("item")[:3]],
    )
    assert again == [True, True, True]
    assert AnswerChange.objects.filter(item__visit=visit).count() == len(keys) + 2

    page.goto(reverse("supervision:visit_detail", args=[visit.pk]))
    expect(page.locator("main")).to_contain_text("被更晚的修改取代")
    assert_accessible(page, context="visit summary with a resolved conflict")


def test_a_free_item_added_offline_reaches_the_server_once_across_an_ended_session(
    new_page, personas, log_in, assert_accessible
):
    """A free item made offline is kept and drawn again after a reload; when the network
    returns the session has ended (the outbox waits and says to log in again), then the
    token of the kept page is stale after the new login: it is renewed and the item and its
    answer reach the server exactly once."""
    visit = _visit(personas)
    url = reverse("supervision:visit_inspect", args=[visit.pk])
    page = new_page(locale="zh-CN", viewport=PHONE)
    # No sending every 15 s: each "online" below is one flush, so a retry must happen in it.
    page.add_init_script("window.setInterval = function () { return 0; };")
    log_in(page, "ln_insp")
    page.goto(url)
    _wait_for_the_page_kept(page)

    page.context.set_offline(True)
    adding = page.locator("#free-item-form")
    adding.locator("input[name=label]").fill("厨房燃气报警器")
    adding.locator("input[name=is_veto]").check()
    adding.locator("button[type=submit]").click()
    free = page.locator("#check-items .check-item").filter(has_text="厨房燃气报警器")
    expect(free).to_have_count(1)
    free.locator("input[name=result][value=fail]").check()
    status = page.locator("#sync-status")
    expect(status).to_contain_text("1 个新增检查项待发送")

    page.reload()
    expect(free).to_have_count(1)
    expect(free.locator("input[value=fail]")).to_be_checked()
    expect(free.locator(".item-veto")).to_have_count(1)
    assert_accessible(page, context="checklist with a free item kept offline")

    # The session ended meanwhile (idle timeout): nothing is lost, the page says to log in.
    page.context.clear_cookies()
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(status.get_by_role("link", name="重新登录")).to_be_visible(timeout=20_000)
    assert not ChecklistItem.objects.filter(visit=visit, criterion__isnull=True).exists()
    assert_accessible(page, context="checklist asking to log in again")

    # A new login elsewhere rotates the CSRF token: the kept page renews its own and sends.
    other = page.context.new_page()
    log_in(other, "ln_insp")
    other.close()
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(status).to_contain_text("全部已发送", timeout=20_000)
    expect(status).not_to_contain_text("重新登录")
    item = ChecklistItem.objects.get(visit=visit, criterion__isnull=True)
    assert (item.label, item.is_veto, item.result) == ("厨房燃气报警器", True, "fail")
    assert AnswerChange.objects.filter(item=item).count() == 1

    # The outbox flushed again (a reply that never came) creates nothing twice.
    again = page.evaluate(
        """async (cid) => {
          const root = document.getElementById("inspect").dataset;
          const token = await (await fetch(root.tokenUrl)).json();
          const r = await fetch(root.itemsUrl, {
            method: "POST", credentials: "same-origin",
            headers: {"Content-Type": "application/json", "X-CSRFToken": token.csrf_token},
            body: JSON.stringify({client_id: cid, label: "厨房燃气报警器", is_veto: true})});
          return r.status;
        }""",
        item.key.removeprefix("free-"),
    )
    assert again == 200
    assert ChecklistItem.objects.filter(visit=visit, criterion__isnull=True).count() == 1
