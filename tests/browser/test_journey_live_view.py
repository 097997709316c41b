"""Journey: a parent on a small phone watches the child's day; the page asks at its interval
(15 s; 2 s here), is answered 304 while nothing changes (the page stays as it is) and shows
a caregiver's new activity without a reload."""

import re

import pytest
from django.test import override_settings
from django.urls import reverse
from playwright.sync_api import expect

from tuoguan.care.services.liveview import day_note_add
from tuoguan.care.tests.support import actor, confirmed, running_term

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = (360, 740)
POLL_SECONDS = 2  # 15 s in production (TUOGUAN_LIVE_POLL_SECONDS)
POLL_WAIT_MS = (POLL_SECONDS + 5) * 1000


@override_settings(TUOGUAN_LIVE_POLL_SECONDS=POLL_SECONDS)
def test_a_parent_sees_the_day_change_without_reloading(
    new_page, personas, log_in, assert_accessible
):
    term = running_term(personas)
    enrolment = confirmed(personas, term, 1)
    day_note_add(actor=actor(personas.caregiver), group=term.groups.get(), kind="activity",
                 text="手工：剪纸")  # fmt: skip
    page = new_page(locale="zh-CN", viewport=PHONE)
    log_in(page, enrolment.child.guardian.user.username)
    url = reverse("care:child_today", args=[enrolment.pk])
    page.goto(url)
    expect(page.locator("#child-status [data-events]")).to_contain_text("手工：剪纸")
    assert_accessible(page, context="the child's day")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE[0], f"{url} is {width}px wide on a {PHONE[0]}px screen"

    poll = re.compile(re.escape(url) + "$")
    with page.expect_response(lambda r: poll.search(r.url), timeout=POLL_WAIT_MS) as unchanged:
        pass
    assert unchanged.value.status == 304
    assert unchanged.value.request.headers.get("if-none-match", "").startswith('W/"')
    expect(page.locator("#child-status [data-events]")).to_contain_text("手工：剪纸")

    day_note_add(actor=actor(personas.caregiver), group=term.groups.get(), kind="activity",
                 text="户外：跳绳")  # fmt: skip
    with page.expect_response(lambda r: poll.search(r.url), timeout=POLL_WAIT_MS) as changed:
        pass
    assert changed.value.status == 200
    expect(page.locator("#child-status [data-events]")).to_contain_text("户外：跳绳")
    assert_accessible(page, context="the child's day after a new activity")
