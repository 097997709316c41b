"""Journey: the door on a tablet. A caregiver checks in five children (one refused for missing
insurance), records a flagged health check that a class manager overrides, hands one child to
a listed pickup person and refuses a stranger; the parents' phones show each event.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tuoguan.care.tests.support import confirmed, running_term, unconfirmed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = (768, 1024)
PHONE = (360, 740)


def no_sideways_scroll(page, width: int) -> None:
    __tracebackhide__ = True
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} is {scroll}px wide on a {width}px screen"


def row(page, enrolment):
    return page.locator(f"#child-{enrolment.pk}")


def test_a_caregiver_runs_the_door_and_parents_follow_on_their_phones(
    new_page, personas, log_in, assert_accessible
):
    p = personas
    term = running_term(p)
    group = term.groups.get()
    flagged, collected, a, b = (confirmed(p, term, n) for n in (1, 2, 3, 4))
    uninsured = unconfirmed(p, term, 5, skip=("insurance",))
    roster = reverse("care:group_day", args=[group.pk])

    carer = new_page(locale="zh-CN", viewport=TABLET)
    log_in(carer, "gang_carer")
    carer.goto(roster)
    assert_accessible(carer, context="roster")
    no_sideways_scroll(carer, TABLET[0])

    # Morning health check of the first child: a fever flags it.
    row(carer, flagged).get_by_role("link", name="晨午检").click()
    assert_accessible(carer, context="health check form")
    carer.locator("input[name=temperature]").fill("38.2")
    carer.locator("input[name=symptoms][value=cough]").check()
    carer.locator("main form [type=submit]").click()
    expect(row(carer, flagged)).to_contain_text("38.2")
    expect(row(carer, flagged).get_by_role("button", name="入园")).to_have_count(0)

    # Four check-ins with one tap each (HTMX, no reload); the uninsured child is refused.
    for enrolment in (collected, a, b):
        row(carer, enrolment).get_by_role("button", name="入园").click()
        expect(row(carer, enrolment).locator("[data-status]")).to_have_attribute(
            "data-status", "in"
        )
    row(carer, uninsured).get_by_role("button", name="入园").click()
    expect(carer.locator("#roster .messages")).to_contain_text("意外伤害保险")
    expect(row(carer, uninsured).locator("[data-status]")).to_have_attribute(
        "data-status", "blocked"
    )
    expect(row(carer, uninsured)).to_contain_text("意外伤害保险")
    assert_accessible(carer, context="roster after check-ins")

    # The class manager admits the flagged child with a reason; then it is checked in.
    manager = new_page(locale="zh-CN", viewport=TABLET)
    log_in(manager, "gang_admin")
    manager.goto(roster)
    row(manager, flagged).get_by_role("link", name="异常仍准入").click()
    manager.wait_for_url("**/admit/")
    expect(manager.locator("input[name=reason]")).to_be_visible()
    assert_accessible(manager, context="override form")
    manager.locator("input[name=reason]").fill("复测 37.1℃，家长电话确认")
    manager.locator("main form [type=submit]").click()
    carer.goto(roster)
    row(carer, flagged).get_by_role("button", name="入园").click()
    expect(row(carer, flagged).locator("[data-status]")).to_have_attribute("data-status", "in")
    expect(carer.locator("[data-ratio]")).to_contain_text("4")

    # Check-out to the listed grandmother; a stranger is refused for the other child.
    row(carer, flagged).get_by_role("link", name="离园").click()
    assert_accessible(carer, context="check-out")
    no_sideways_scroll(carer, TABLET[0])
    carer.get_by_role("button", name="此人来接").first.click()
    expect(row(carer, flagged).locator("[data-status]")).to_have_attribute("data-status", "out")
    row(carer, collected).get_by_role("link", name="离园").click()
    carer.locator("#stranger-name").fill("陌生男子")
    carer.get_by_role("button", name="拒绝并通知监护人").click()
    expect(carer.locator(".messages")).to_contain_text("已拒绝")
    expect(row(carer, collected).locator("[data-status]")).to_have_attribute("data-status", "in")

    # The parents' phones show each event.
    for enrolment, texts in (
        (flagged, ("38.2", "复测 37.1℃", "签到", "王奶奶")),
        (collected, ("签到", "陌生男子")),
    ):
        phone = new_page(locale="zh-CN", viewport=PHONE)
        log_in(phone, enrolment.guardian.user.username)
        phone.goto(reverse("care:child_today", args=[enrolment.pk]))
        assert_accessible(phone, context="parent's day")
        no_sideways_scroll(phone, PHONE[0])
        events = phone.locator("[data-events]")
        for text in texts:
            expect(events).to_contain_text(text)

    # The day's safety inspection on the tablet: one failed item, with its photo.
    carer.goto(roster)
    carer.get_by_role("link", name="开始今日巡检").click()
    assert_accessible(carer, context="daily inspection")
    no_sideways_scroll(carer, TABLET[0])
    for radio in carer.locator("input.touch-choice[value=pass]").all():
        radio.check()
    carer.locator("input[name=electrics][value=fail]").check()
    carer.locator("input[name=electrics_photo]").set_input_files(
        files=[{"name": "socket.png", "mimeType": "image/png", "buffer": _png()}]
    )
    carer.locator("input[name=electrics_note]").fill("插座面板破损")
    carer.locator("main form [type=submit]").click()
    expect(carer.locator(".messages")).to_contain_text("巡检已完成")
    expect(carer.locator("main")).to_contain_text("插座面板破损")
    expect(carer.locator("main a[href*=inspection-follow-ups]")).to_have_count(1)


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 40)).save(out, format="PNG")
    return out.getvalue()
