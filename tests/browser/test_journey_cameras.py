"""Journey: a parent watches the room camera on a phone. The child is checked in to a filmed
room; the parent opens the camera from the child's page and the vendored hls.js plays the
local test stream (written by ffmpeg) through the signed link: the manifest is parsed, a
fragment is loaded and the video has frames to show.
"""

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tuoguan.care import services, streams
from tuoguan.care.tests.support import actor, confirmed, running_term
from tuoguan.programs.models import Term

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = (360, 740)


def test_a_parent_watches_the_room_camera_and_the_stream_plays(
    new_page, personas, log_in, assert_accessible
):
    p = personas
    term = running_term(p)
    Term.objects.filter(pk=term.pk).update(
        daily_start=datetime.time(0, 0), daily_end=datetime.time(23, 59, 59)
    )
    term.refresh_from_db()
    enrolment = confirmed(p, term, 1)
    services.attendance_check_in(actor=actor(p.caregiver), enrolment=enrolment)
    assert streams.make_test_stream("browser-room") is not None, "ffmpeg is needed"
    services.camera_save(
        actor=actor(p.grassroots_admin), program=term.program, name="活动室摄像头",
        room="一楼活动室", groups=[term.groups.get()], local_stream="browser-room",
    )  # fmt: skip

    parent = new_page(locale="zh-CN", viewport=PHONE)
    log_in(parent, "pw1")
    parent.goto(reverse("care:child_today", args=[enrolment.pk]))
    expect(parent.locator("[data-filmed]")).to_be_visible()
    assert_accessible(parent, context="child's page with a camera")
    parent.get_by_role("button", name="观看").click()

    player = parent.locator("[data-camera-player]")
    expect(player).to_have_attribute("data-manifest", "parsed")
    expect(player).to_have_attribute("data-fragments", "loaded")
    parent.wait_for_function("document.querySelector('video').readyState >= 2")
    assert parent.evaluate("document.querySelector('video').videoWidth") == 320
    assert_accessible(parent, context="camera player")
