"""The live view's day, read through statements compiled once (care.fastpath.rows), is the
day the ORM reads: every part of the timeline in each state, the stamp, the family's place,
and the fragment the parent's phone gets, byte for byte but for its CSRF token."""

import re
from typing import Any
from unittest import mock

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tuoguan.care import services
from tuoguan.care.liveview_selectors import child_day, child_day_stamp, pickup_code_of
from tuoguan.care.models import Attendance
from tuoguan.care.selectors import family_enrolment_for
from tuoguan.care.services.liveview import day_note_add
from tuoguan.core import rawsql
from tuoguan.enrolment.models import Pickup
from tuoguan.programs.tests.factories import image_upload

from .support import actor, confirmed, today
from .test_liveview import HX, LiveViewCase

# A changed poll: the early read of LiveViewPollMiddleware (the stamp, the session and the
# guardian's account, all handed on: neither the session nor the user is read again), the
# actor's membership, the family's place, and the day's parts: the attendance, absence,
# meals and their dishes, photos and their tags, health checks, refused pickups, one-day
# pickup persons, the care day, notes, incidents, the guardian's health note for the
# allergy warnings, today's pickup code.
CHANGED_POLL_QUERIES = 16
ORM_ONLY = mock.patch.object(rawsql, "compiler_internals_known", return_value=False)


def _ids(value: Any) -> Any:
    """A part of the day as what identifies it: instances by pk, lists item by item."""
    if isinstance(value, list):
        return [_ids(item) for item in value]
    if isinstance(value, dict):
        return {key: _ids(item) for key, item in value.items()}
    if hasattr(value, "_meta"):
        cached = getattr(value, "_prefetched_objects_cache", {})
        return (type(value).__name__, value.pk, {k: _ids(list(v)) for k, v in cached.items()})
    return value


def _without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


class CompiledDayTests(LiveViewCase):
    def full_day(self) -> None:
        """Every kind of event the live view shows, some of them for another child only."""
        other = confirmed(self.p, self.term, 2)
        admin = actor(self.p.grassroots_admin)
        for place in (self.enrolment, other):
            services.media_consent_set(
                actor=actor(place.child.guardian.user), child=place.child, photos="allowed",
                cameras="refused",
            )  # fmt: skip
        services.attendance_check_in(actor=self.carer, enrolment=self.enrolment)
        services.health_check_record(actor=self.carer, enrolment=self.enrolment, temperature="36.6")
        day_note_add(actor=self.carer, group=self.group, kind="activity", text="剪纸")
        day_note_add(actor=self.carer, group=self.group, kind="note", text="只给别人",
                     children=[other])  # fmt: skip
        services.dish_add(actor=admin, term=self.term, date=today(), kind="lunch", name="番茄炒蛋",
                          allergens=["eggs"])  # fmt: skip
        services.dish_add(actor=admin, term=self.term, date=today(), kind="afternoon_snack",
                          name="花生酱拌面", allergens=["peanuts"])  # fmt: skip
        services.photos_post(actor=self.carer, group=self.group, images=[image_upload()],
                             caption="搭积木", children=[self.enrolment.pk])  # fmt: skip
        services.photos_post(actor=self.carer, group=self.group, images=[image_upload()],
                             caption="别人的", children=[other.pk])  # fmt: skip
        services.incident_report(
            actor=self.carer, term=self.term, kind="injury", severity="minor",
            description="膝盖擦伤", actions_taken="已消毒包扎", children=[self.enrolment.pk],
        )  # fmt: skip
        attendance = Attendance.objects.get(enrolment=self.enrolment)
        services.pickup_refuse(actor=self.carer, attendance=attendance, person_name="陌生人")
        services.temporary_pickup_add(
            actor=actor(self.parent_user), enrolment=self.enrolment, date=today(), name="李阿姨",
            relation="邻居", mobile="13800000000", photo=image_upload(),
        )  # fmt: skip
        services.pickup_code_issue(actor=actor(self.parent_user), enrolment=self.enrolment)
        services.absence_report(
            actor=actor(other.child.guardian.user), enrolment=other, date=today(), reason="sick"
        )

    def both(self, read: Any) -> tuple[Any, Any]:
        fast = read()
        with ORM_ONLY:
            orm = read()
        return fast, orm

    def assert_same_day(self) -> dict[str, Any]:
        place = family_enrolment_for(actor(self.parent_user), self.enrolment.pk)
        fast, orm = self.both(lambda: child_day(actor(self.parent_user), place, today()))
        self.assertEqual(_ids(fast), _ids(orm))
        for read in (
            lambda: pickup_code_of(place, today()),
            lambda: child_day_stamp(self.parent_user.pk, self.enrolment.pk, today()),
            lambda: family_enrolment_for(actor(self.parent_user), self.enrolment.pk).pk,
        ):
            self.assertEqual(*self.both(read))
        # The check-in code is signed with the time: the same code both ways, or a second
        # ticking between the two answers would tell them apart.
        with mock.patch("tuoguan.care.views.family.check_in_code", return_value="code"):
            fragment = self.both(lambda: _without_csrf(self.poll().content.decode()))
        self.assertEqual(*fragment)
        return fast

    def test_an_empty_day_reads_the_same_both_ways(self) -> None:
        day = self.assert_same_day()
        self.assertIsNone(day["attendance"])
        self.assertTrue(day["is_care_day"])

    def test_a_full_day_reads_the_same_both_ways_through_the_compiled_statements(self) -> None:
        self.full_day()
        day = self.assert_same_day()
        # Each part came through its compiled statement, not the ORM's fallback.
        for key in ("day-in", "day-meals", "day-dishes", "day-photos", "day-photo-tags",
                    "day-notes", "day-incidents", "day-refusals", "day-temporary"):  # fmt: skip
            self.assertIsNotNone(rawsql._compiled[(connection.vendor, "all", "care", key)], key)
        self.assertEqual([n.text for n in day["notes"]], ["剪纸"])
        self.assertEqual([p.caption for p in day["photos"]], ["搭积木"])
        self.assertEqual([m.kind for m in day["todays_menu"]], ["lunch", "afternoon_snack"])
        self.assertEqual(len(day["menu_conflicts"]), 1)
        self.assertEqual([r.person_name for r in day["refusals"]], ["陌生人"])
        self.assertEqual(len(day["incidents"]), 1)

    def test_another_familys_child_is_not_found_through_the_compiled_reads(self) -> None:
        other = confirmed(self.p, self.term, 2)
        for pk in (other.pk, 10**12, "x"):
            fast, orm = self.both(lambda pk=pk: child_day_stamp(self.parent_user.pk, pk, today()))
            self.assertEqual((fast, orm), (None, None))

    def test_a_changed_poll_costs_a_fixed_number_of_statements(self) -> None:
        self.full_day()
        etag = self.etag()
        services.attendance_check_out(
            actor=self.carer,
            attendance=Attendance.objects.get(enrolment=self.enrolment),
            pickup=Pickup.objects.get(child=self.enrolment.child),
        )
        with CaptureQueriesContext(connection) as changed:
            response = self.parent.get(self.url, HTTP_IF_NONE_MATCH=etag, **HX)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'data-event="out"')
        # The user handed on is the guardian, whole: a column not read is read when asked.
        user: Any = response.wsgi_request.user
        self.assertEqual(
            (user.pk, user.real_name), (self.parent_user.pk, self.parent_user.real_name)
        )
        self.assertEqual(len(changed), CHANGED_POLL_QUERIES, [str(q["sql"])[:60] for q in changed])
