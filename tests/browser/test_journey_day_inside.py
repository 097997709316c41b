"""Journey: the day inside the class. On a tablet, the class manager publishes today's lunch
(an allergy warning shows for the child who declared it), a caregiver posts a tagged photo
(the child whose guardian refused cannot be tagged) and reports a minor incident; the
parent's phone, left open, shows each within one poll without reloading, and opens the room
camera; the province admin receives a serious incident and acknowledges it.

(The daily inspection on the tablet is the door's journey: test_journey_care.py.)
"""

import datetime
import io
import re

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tuoguan.care import services, streams
from tuoguan.care.models import IncidentNotice
from tuoguan.care.tests.support import actor, confirmed, meal_term
from tuoguan.programs.models import Term

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = (768, 1024)
PHONE = (360, 740)
POLL_SECONDS = 2
# "Within one poll": the next poll after the event, with room for the answer.
ONE_POLL_MS = (POLL_SECONDS + 3) * 1000


def no_sideways_scroll(page, width: int) -> None:
    __tracebackhide__ = True
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} is {scroll}px wide on a {width}px screen"


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 120, 200)).save(out, format="PNG")
    return out.getvalue()


@override_settings(TUOGUAN_LIVE_POLL_SECONDS=POLL_SECONDS)
def test_the_day_inside_reaches_the_parents_phone_and_a_serious_incident_the_province(
    new_page, personas, log_in, assert_accessible
):
    p = personas
    term, allergic = meal_term(p)  # the child's health note declares a peanut allergy
    Term.objects.filter(pk=term.pk).update(
        daily_start=datetime.time(0, 0), daily_end=datetime.time(23, 59, 59)
    )
    term.refresh_from_db()
    group = term.groups.get()
    refused = confirmed(p, term, 2)
    guardian = allergic.child.guardian.user
    services.media_consent_set(
        actor=actor(guardian), child=allergic.child, photos="allowed", cameras="allowed"
    )
    services.media_consent_set(
        actor=actor(refused.child.guardian.user), child=refused.child, photos="refused",
        cameras="refused",
    )  # fmt: skip
    services.attendance_check_in(actor=actor(p.caregiver), enrolment=allergic)
    assert streams.make_test_stream("journey-room") is not None, "ffmpeg is needed"
    services.camera_save(
        actor=actor(p.grassroots_admin), program=term.program, name="活动室摄像头",
        room="一楼活动室", groups=[group], local_stream="journey-room",
    )  # fmt: skip

    # The parent's phone stays open on the child's day; it must never reload.
    phone = new_page(locale="zh-CN", viewport=PHONE)
    log_in(phone, guardian.username)
    today_url = reverse("care:child_today", args=[allergic.pk])
    phone.goto(today_url)
    assert_accessible(phone, context="the child's day")
    no_sideways_scroll(phone, PHONE[0])
    phone.evaluate("window.__sameDocument = true")
    events = phone.locator("#child-status [data-events]")
    expect(events).to_contain_text("签到")

    # The class manager publishes today's lunch on a tablet: the allergy is flagged.
    manager = new_page(locale="zh-CN", viewport=TABLET)
    log_in(manager, "gang_admin")
    manager.goto(reverse("care:menus", args=[term.pk]))
    dish_form = manager.locator(f"form[action='{reverse('care:dish_add', args=[term.pk])}']")
    dish_form.locator("input[name=date]").fill(timezone.localdate().isoformat())
    dish_form.locator("select[name=kind]").select_option("lunch")
    dish_form.locator("input[name=name]").fill("花生酱拌面")
    dish_form.locator("input[name=allergens][value=peanuts]").check()
    dish_form.locator("[type=submit]").click()
    expect(manager.locator("main")).to_contain_text("已将花生酱拌面加入食谱")
    assert_accessible(manager, context="menus")
    no_sideways_scroll(manager, TABLET[0])

    # The caregiver, who reads the children's health notes, sees the warning on the menu and
    # on the roster, before the meal.
    carer = new_page(locale="zh-CN", viewport=TABLET)
    log_in(carer, "gang_carer")
    carer.goto(reverse("care:menus", args=[term.pk]))
    warning = carer.locator("[data-allergy-conflict]", has_text=allergic.child.name)
    expect(warning).to_have_count(1)
    assert_accessible(carer, context="menus with an allergy warning")
    carer.goto(reverse("care:group_day", args=[group.pk]))
    expect(carer.locator(f"#child-{allergic.pk}")).to_contain_text("花生酱拌面")

    # The caregiver posts a photo of the group; the refusing family's child cannot be tagged.
    carer.goto(reverse("care:group_photos", args=[group.pk]))
    assert_accessible(carer, context="photos of the day")
    no_sideways_scroll(carer, TABLET[0])
    expect(carer.locator(f"input[name=children][value='{refused.pk}']")).to_be_disabled()
    expect(carer.locator("main")).to_contain_text("家长未同意拍照")
    carer.locator(f"input[name=children][value='{allergic.pk}']").check()
    carer.locator("input[name=caption]").fill("搭积木")
    carer.locator("input[name=photo1]").set_input_files(
        files=[{"name": "blocks.png", "mimeType": "image/png", "buffer": _png()}]
    )
    carer.locator("main form [type=submit]").click()
    expect(carer.locator("img[alt=搭积木]")).to_have_count(1)

    # The caregiver reports a minor incident from the tablet.
    carer.goto(reverse("care:incident_report", args=[term.pk]))
    assert_accessible(carer, context="incident report")
    carer.locator("select[name=kind]").select_option("injury")
    carer.locator("select[name=severity]").select_option("minor")
    carer.locator(f"input[name=children][value='{allergic.pk}']").check()
    carer.locator("textarea[name=description]").fill("跑步时摔倒，膝盖擦伤")
    carer.locator("textarea[name=actions_taken]").fill("已消毒包扎，家长已电话知悉")
    carer.locator("main form [type=submit]").click()
    expect(carer.locator(".messages")).to_be_visible()

    # Within one poll the phone shows the meal with its warning, the photo and the incident.
    expect(phone.locator("#child-status")).to_contain_text("花生酱拌面", timeout=ONE_POLL_MS)
    expect(phone.locator("#child-status [data-allergy-conflict]")).to_have_count(1)
    expect(phone.locator("#child-status img[alt=搭积木]")).to_have_count(1)
    expect(events).to_contain_text("已消毒包扎", timeout=ONE_POLL_MS)
    expect(events).not_to_contain_text("膝盖擦伤")
    assert phone.evaluate("window.__sameDocument === true"), "the page reloaded"
    assert_accessible(phone, context="the child's day after the events")
    no_sideways_scroll(phone, PHONE[0])

    # The parent opens the room camera: the signed link plays the stream.
    phone.goto(today_url)
    expect(phone.locator("[data-filmed]")).to_be_visible()
    phone.get_by_role("button", name="观看").click()
    player = phone.locator("[data-camera-player]")
    expect(player).to_have_attribute("data-manifest", "parsed")
    expect(player).to_have_attribute("data-fragments", "loaded")
    assert_accessible(phone, context="camera player")

    # A serious incident reaches the province admin, who acknowledges it.
    serious = services.incident_report(
        actor=actor(p.caregiver), term=term, kind="food_poisoning", severity="serious",
        description="午餐后三名儿童呕吐，已送医观察", children=[allergic.pk],
    )  # fmt: skip
    province = new_page(locale="zh-CN", viewport=TABLET)
    log_in(province, "ln_admin")
    province.goto(reverse("care:incidents"))
    assert_accessible(province, context="incidents of the province")
    province.locator(f"a[href='{reverse('care:incident', args=[serious.pk])}']").click()
    expect(province.locator("main")).to_contain_text("已送医观察")
    assert_accessible(province, context="the serious incident")
    province.get_by_role("button", name="确认").click()
    expect(province.locator(".messages")).to_contain_text(re.compile("确认|记录"))
    notice = IncidentNotice.objects.get(incident=serious, recipient=p.province_admin)
    assert notice.acknowledged_at is not None
