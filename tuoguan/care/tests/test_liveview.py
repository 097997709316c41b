"""The parent's live view of the child's day: the timeline, its ETag poll answered 304 when
nothing changed (one indexed query of its own), the caregivers' notes, the summary of the
day, the term's history, and their API twins."""

import datetime
from typing import Any

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tuoguan.care import services
from tuoguan.care.models import ChildDay, DayNote
from tuoguan.care.services.liveview import day_note_add, day_summaries_send
from tuoguan.enrolment.models import Pickup
from tuoguan.notifications.models import Notification

from .support import DAY, CareCase, actor, at, confirmed, running_term, today

HX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}
# The poll of a logged-in parent that finds nothing new is answered by
# care.middleware.LiveViewPollMiddleware in one statement: the day's stamp, the guardian's
# account and the session, before any other middleware loads the session or the user.
POLL_304_QUERIES = 1
# When the early answer steps aside (e.g. another session engine), the view answers 304
# itself: the session, the user, the actor's memberships (every page's middleware) and the
# view's one stamp query.
VIEW_304_QUERIES = 4


class LiveViewCase(CareCase):
    def setUp(self) -> None:
        self.term = running_term(self.p)
        self.group = self.term.groups.get()
        self.enrolment = confirmed(self.p, self.term, 1)
        self.parent_user = self.enrolment.child.guardian.user
        self.parent = self.client_for(self.parent_user)
        self.carer = actor(self.p.caregiver)
        self.url = reverse("care:child_today", args=[self.enrolment.pk])

    def poll(self, etag: str = "", client: Client | None = None) -> Any:
        headers = {**HX, **({"HTTP_IF_NONE_MATCH": etag} if etag else {})}
        return (client or self.parent).get(self.url, **headers)

    def etag(self) -> str:
        response = self.poll()
        self.assertEqual(response.status_code, 200)
        return str(response["ETag"])


class PollTests(LiveViewCase):
    def test_a_poll_that_finds_nothing_new_answers_304_with_one_query_of_its_own(self) -> None:
        etag = self.etag()
        self.assertTrue(etag.startswith('W/"'))
        with CaptureQueriesContext(connection) as queries:
            response = self.poll(etag)
        self.assertEqual(response.status_code, 304)
        self.assertEqual(response.content, b"")
        self.assertEqual(response["ETag"], etag)
        self.assertEqual(len(queries), POLL_304_QUERIES, [q["sql"] for q in queries])
        (sql,) = [str(q["sql"]) for q in queries]
        for table in ("care_childday", "care_attendance", "django_session", "accounts_user"):
            self.assertIn(table, sql)

    def test_without_the_early_answer_the_view_answers_304_with_one_query_of_its_own(
        self,
    ) -> None:
        etag = self.etag()
        with self.modify_settings(
            MIDDLEWARE={"remove": "tuoguan.care.middleware.LiveViewPollMiddleware"}
        ):
            plain = self.client_for(self.parent_user)  # a client loads the middleware once
            self.poll(etag, client=plain)
            with CaptureQueriesContext(connection) as queries:
                response = self.poll(etag, client=plain)
        self.assertEqual(response.status_code, 304)
        self.assertEqual(response["Cache-Control"], "private, no-cache")
        self.assertEqual(len(queries), VIEW_304_QUERIES, [q["sql"] for q in queries])
        own = [q["sql"] for q in queries if "care_childday" in (q["sql"] or "")]
        self.assertEqual(len(own), 1)

    def test_the_early_answer_has_the_headers_of_the_views_own_304(self) -> None:
        etag = self.etag()
        early = self.poll(etag)
        with self.modify_settings(
            MIDDLEWARE={"remove": "tuoguan.care.middleware.LiveViewPollMiddleware"}
        ):
            late = self.poll(etag, client=self.client_for(self.parent_user))
        self.assertEqual(late.status_code, 304)
        for header in ("ETag", "Cache-Control", "Vary", "Permissions-Policy"):
            self.assertEqual(early[header], late[header], header)

    def test_a_session_ended_by_a_password_change_gets_no_early_answer(self) -> None:
        etag = self.etag()
        self.parent_user.set_password("a-new-password-9")
        self.parent_user.save()
        response = self.poll(etag)
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse(settings.LOGIN_URL), response["Location"])

    def test_a_logged_out_session_gets_no_early_answer(self) -> None:
        etag = self.etag()
        session_key = self.parent.cookies["sessionid"].value
        self.parent.logout()
        self.parent.cookies["sessionid"] = session_key
        self.assertEqual(self.poll(etag).status_code, 302)

    def test_an_inactive_account_gets_no_early_answer(self) -> None:
        etag = self.etag()
        type(self.parent_user).objects.filter(pk=self.parent_user.pk).update(is_active=False)
        self.assertEqual(self.poll(etag).status_code, 302)

    def test_the_poll_may_be_kept_and_revalidated_by_the_parents_browser_only(self) -> None:
        response = self.poll()
        self.assertEqual(response["Cache-Control"], "private, no-cache")
        self.assertIn("Cookie", response["Vary"])
        not_modified = self.poll(response["ETag"])
        self.assertEqual(not_modified["Cache-Control"], "private, no-cache")
        page = self.parent.get(self.url)
        self.assertEqual(page["Cache-Control"], "no-store")
        self.assertFalse(page.has_header("ETag"))

    def test_each_kind_of_event_answers_200_with_a_new_etag(self) -> None:
        seen = [self.etag()]
        pickup = Pickup.objects.get(child=self.enrolment.child)

        def check_in() -> None:
            services.attendance_check_in(actor=self.carer, enrolment=self.enrolment)

        def health_check() -> None:
            services.health_check_record(
                actor=self.carer, enrolment=self.enrolment, temperature="36.6"
            )

        def note() -> None:
            day_note_add(actor=self.carer, group=self.group, kind="activity", text="剪纸")

        def dish() -> None:
            services.dish_add(
                actor=actor(self.p.grassroots_admin), term=self.term, date=today(),
                kind="lunch", name="番茄炒蛋",
            )  # fmt: skip

        def photo() -> None:
            from tuoguan.programs.tests.factories import image_upload

            services.media_consent_set(
                actor=actor(self.parent_user), child=self.enrolment.child, photos="allowed",
                cameras="refused",
            )  # fmt: skip
            services.photos_post(
                actor=self.carer, group=self.group, images=[image_upload()], caption="搭积木",
                children=[self.enrolment.pk],
            )  # fmt: skip

        def incident() -> None:
            services.incident_report(
                actor=self.carer, term=self.term, kind="injury", severity="minor",
                description="膝盖擦伤", actions_taken="已消毒包扎", children=[self.enrolment.pk],
            )  # fmt: skip

        def check_out() -> None:
            from tuoguan.care.models import Attendance

            services.attendance_check_out(
                actor=self.carer,
                attendance=Attendance.objects.get(enrolment=self.enrolment),
                pickup=pickup,
            )

        for event in (check_in, health_check, note, dish, photo, incident, check_out):
            event()
            response = self.poll(seen[-1])
            self.assertEqual(response.status_code, 200, event.__name__)
            self.assertNotIn(response["ETag"], seen, event.__name__)
            seen.append(response["ETag"])
            self.assertEqual(self.poll(seen[-1]).status_code, 304, event.__name__)
        timeline = self.poll().content.decode()
        for mark in ('data-event="in"', 'data-event="health"', 'data-event="activity"',
                     'data-event="meal"', 'data-event="incident"', 'data-event="out"', "剪纸",
                     "番茄炒蛋", "已消毒包扎", 'alt="搭积木"'):  # fmt: skip
            self.assertIn(mark, timeline)
        # The incident's account may name other children: the family reads what was done only.
        self.assertNotIn("膝盖擦伤", timeline)
        self.assertIn(f"by {self.p.caregiver.real_name}", timeline)

    def test_an_absence_reported_answers_200_with_a_new_etag(self) -> None:
        etag = self.etag()
        services.absence_report(
            actor=actor(self.parent_user), enrolment=self.enrolment, date=today(), reason="sick"
        )
        response = self.poll(etag)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Absence reported")

    def test_a_person_refused_at_pickup_answers_200_with_a_new_etag(self) -> None:
        services.attendance_check_in(actor=self.carer, enrolment=self.enrolment)
        etag = self.etag()
        from tuoguan.care.models import Attendance

        services.pickup_refuse(
            actor=self.carer,
            attendance=Attendance.objects.get(enrolment=self.enrolment),
            person_name="陌生人",
        )
        response = self.poll(etag)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "陌生人")

    def test_the_etag_names_the_language_of_the_page(self) -> None:
        english = self.etag()
        chinese = self.parent.get(self.url, HTTP_ACCEPT_LANGUAGE="zh-hans", **HX)
        self.assertEqual(chinese.status_code, 200)
        self.assertNotEqual(chinese["ETag"], english)
        zh = self.parent.get(
            self.url, HTTP_ACCEPT_LANGUAGE="zh-hans", HTTP_IF_NONE_MATCH=english, **HX
        )
        self.assertEqual(zh.status_code, 200)

    def test_the_page_gives_the_fragment_its_etag_to_send(self) -> None:
        page = self.parent.get(self.url)
        etag = self.etag()
        self.assertContains(page, f'data-etag="{etag.replace(chr(34), "&quot;")}"')
        self.assertContains(page, 'hx-trigger="every 15s"')

    def test_the_live_view_costs_the_same_queries_however_long_the_day(self) -> None:
        services.attendance_check_in(actor=self.carer, enrolment=self.enrolment)
        day_note_add(actor=self.carer, group=self.group, kind="note", text="一")
        admin = actor(self.p.grassroots_admin)
        services.dish_add(
            actor=admin, term=self.term, date=today(), kind="afternoon_snack", name="苹果"
        )
        self.poll()
        with CaptureQueriesContext(connection) as short:
            self.assertEqual(self.poll().status_code, 200)
        for n in range(12):
            day_note_add(actor=self.carer, group=self.group, kind="activity", text=f"活动{n}")
            services.dish_add(actor=admin, term=self.term, date=today(), kind="lunch",
                              name=f"菜{n}")  # fmt: skip
        with CaptureQueriesContext(connection) as long:
            response = self.poll()
        self.assertContains(response, "活动11")
        self.assertEqual(len(long), len(short))


class NotesTests(LiveViewCase):
    def test_a_note_for_one_child_is_seen_only_by_that_childs_family(self) -> None:
        other = confirmed(self.p, self.term, 2)
        day_note_add(
            actor=self.carer, group=self.group, kind="note", text="今天哭了一次", children=[other]
        )
        day_note_add(actor=self.carer, group=self.group, kind="activity", text="唱歌")
        mine = self.poll().content.decode()
        self.assertIn("唱歌", mine)
        self.assertNotIn("今天哭了一次", mine)
        theirs = self.client_for(other.child.guardian.user).get(
            reverse("care:child_today", args=[other.pk]), **HX
        )
        self.assertContains(theirs, "今天哭了一次")

    def test_a_tagged_note_bumps_only_the_childs_day(self) -> None:
        other = confirmed(self.p, self.term, 2)
        etag = self.etag()
        day_note_add(actor=self.carer, group=self.group, kind="note", text="x", children=[other])
        self.assertEqual(self.poll(etag).status_code, 304)
        self.assertEqual(ChildDay.objects.get(enrolment=other, date=today()).version, 1)

    def test_a_caregiver_posts_a_note_with_htmx_and_the_families_see_it(self) -> None:
        url = reverse("care:day_notes", args=[self.group.pk])
        carer = self.client_for(self.p.caregiver)
        self.assertEqual(carer.get(url).status_code, 200)
        response = carer.post(url, {"kind": "activity", "text": "户外活动", "time": "15:30"}, **HX)
        self.assertContains(response, 'id="day-notes"')
        self.assertContains(response, "户外活动")
        note = DayNote.objects.get()
        self.assertEqual((note.author, note.time), (self.p.caregiver, datetime.time(15, 30)))
        self.assertContains(self.poll(), "户外活动")

    def test_a_caregiver_not_on_the_roster_cannot_post(self) -> None:
        other = running_term(self.p, caregiver=False)
        response = self.client_for(self.p.caregiver).post(
            reverse("care:day_notes", args=[other.groups.get().pk]), {"kind": "note", "text": "x"}
        )
        self.assertEqual(response.status_code, 403)
        self.assertFalse(DayNote.objects.exists())

    def test_a_note_for_a_child_of_another_group_is_refused(self) -> None:
        from django.core.exceptions import ValidationError

        other = running_term(self.p)
        stranger = confirmed(self.p, other, 2)
        with self.assertRaises(ValidationError):
            day_note_add(
                actor=self.carer, group=self.group, kind="note", text="x", children=[stranger]
            )

    def test_the_api_posts_and_lists_notes(self) -> None:
        api = APIClient()
        api.force_login(self.p.caregiver)
        payload = {"group": self.group.pk, "kind": "note", "text": "午睡很好"}
        created = api.post(
            "/api/v1/day-notes/", {**payload, "children": [self.enrolment.pk]}, format="json"
        )
        self.assertEqual(created.status_code, 201, created.content)
        self.assertEqual(created.json()["children"], [self.enrolment.pk])
        listed = api.get("/api/v1/day-notes/", {"group": self.group.pk})
        self.assertEqual([n["text"] for n in listed.json()["results"]], ["午睡很好"])
        outsider = APIClient()
        outsider.force_login(self.p.outsider)
        self.assertEqual(
            outsider.get(f"/api/v1/day-notes/{created.json()['id']}/").status_code, 404
        )
        refused = outsider.post(
            "/api/v1/day-notes/",
            {"group": self.group.pk, "kind": "note", "text": "x"},
            format="json",
        )
        self.assertEqual(refused.status_code, 404)


class FamilyScopeTests(LiveViewCase):
    def test_another_family_gets_404_on_page_fragment_api_and_history(self) -> None:
        other = self.client_for(confirmed(self.p, self.term, 2).child.guardian.user)
        self.assertEqual(other.get(self.url).status_code, 404)
        self.assertEqual(self.poll(client=other).status_code, 404)
        history = reverse("care:child_history", args=[self.enrolment.pk])
        self.assertEqual(other.get(history).status_code, 404)
        api = APIClient()
        api.force_login(confirmed(self.p, self.term, 3).child.guardian.user)
        self.assertEqual(api.get(f"/api/v1/children/{self.enrolment.pk}/today/").status_code, 404)

    def test_a_guessed_etag_of_another_family_reveals_nothing(self) -> None:
        etag = self.etag()
        other = self.client_for(confirmed(self.p, self.term, 2).child.guardian.user)
        self.assertEqual(self.poll(etag, client=other).status_code, 404)


class ApiTests(LiveViewCase):
    def test_the_api_answers_the_day_and_304_when_nothing_changed(self) -> None:
        api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        api.force_login(self.parent_user)
        url = f"/api/v1/children/{self.enrolment.pk}/today/"
        services.attendance_check_in(actor=self.carer, enrolment=self.enrolment)
        day_note_add(actor=self.carer, group=self.group, kind="activity", text="画画")
        first = api.get(url)
        self.assertEqual(first.status_code, 200)
        body = first.json()
        self.assertEqual(
            (body["status"], body["checked_in_by"]), ("in", self.p.caregiver.real_name)
        )
        self.assertEqual([n["text"] for n in body["notes"]], ["画画"])
        self.assertEqual(first["Cache-Control"], "private, no-cache")
        again = api.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        self.assertEqual(again.status_code, 304)
        services.health_check_record(actor=self.carer, enrolment=self.enrolment, temperature="36.5")
        changed = api.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        self.assertEqual(changed.status_code, 200)
        self.assertEqual(changed.json()["health_checks"][0]["temperature"], "36.5")
        self.assertNotEqual(changed["ETag"], first["ETag"])


class SummaryTests(LiveViewCase):
    def test_the_summary_of_the_day_is_sent_once_after_closing(self) -> None:
        services.attendance_check_in(actor=self.carer, enrolment=self.enrolment)
        day_note_add(actor=self.carer, group=self.group, kind="activity", text="剪纸")
        before_closing = datetime.datetime.combine(
            today(), self.term.daily_end, tzinfo=timezone.get_current_timezone()
        ) - datetime.timedelta(minutes=1)
        self.assertEqual(day_summaries_send(now=before_closing), 0)
        after = before_closing + datetime.timedelta(minutes=30)
        self.assertEqual(day_summaries_send(now=after), 1)
        self.assertEqual(day_summaries_send(now=after + datetime.timedelta(minutes=15)), 0)
        summaries = Notification.objects.filter(
            recipient=self.parent_user, subject__contains="day at"
        )
        self.assertEqual(summaries.count(), 1)
        body = summaries.get().body
        self.assertIn("checked in at", body)
        self.assertIn("1 notes and activities", body)
        self.assertIsNotNone(ChildDay.objects.get(enrolment=self.enrolment).summary_sent_at)


class HistoryTests(LiveViewCase):
    def test_the_history_lists_the_past_care_days_with_bounded_queries(self) -> None:
        from tuoguan.care.models import Absence, Attendance
        from tuoguan.programs import services as programs

        admin = actor(self.p.grassroots_admin)
        past = [today() - n * DAY for n in range(1, 5)]
        for day in past:
            if not self.term.days.filter(date=day, is_care_day=True).exists():
                programs.term_day_add(actor=admin, term=self.term, date=day)
        url = reverse("care:child_history", args=[self.enrolment.pk])
        with CaptureQueriesContext(connection) as few:
            self.parent.get(url)
        Attendance.objects.create(
            enrolment=self.enrolment, term=self.term, group=self.group,
            child=self.enrolment.child, date=past[0], checked_in_at=at(past[0], 15),
            check_in_method="tap", province=self.term.province,
        )  # fmt: skip
        Absence.objects.create(
            enrolment=self.enrolment, date=past[1], reason="sick", reported_by=self.parent_user
        )
        with CaptureQueriesContext(connection) as many:
            response = self.parent.get(url)
        self.assertContains(response, 'data-status="present"')
        self.assertContains(response, 'data-status="absent"')
        self.assertContains(response, 'data-status="missing"')
        self.assertEqual(len(many), len(few))
        self.assertContains(self.parent.get(self.url), url)


class CompiledPollTests(LiveViewCase):
    """The unchanged poll's one read, compiled once (care.fastpath), finds what the ORM's
    finds: the stamp, the guardian's account and the session, in and out of each state."""

    def reads(self, key: str, pk: Any = None) -> tuple[Any, Any]:
        from tuoguan.care.liveview_selectors import session_child_day_stamp

        pk = self.enrolment.pk if pk is None else pk
        return (
            session_child_day_stamp(key, pk, today()),
            session_child_day_stamp(key, pk, today(), compiled=False),
        )

    def test_the_compiled_read_equals_the_orms_in_each_state(self) -> None:
        from django.contrib.sessions.models import Session

        from tuoguan.care.liveview_selectors import child_day_stamp

        key = self.parent.session.session_key
        assert key is not None
        other = confirmed(self.p, self.term, 2)
        fast, orm = self.reads(key)
        self.assertIsNotNone(fast)
        self.assertEqual(fast, orm)
        # The compiled statement ran, not the ORM's fallback.
        from tuoguan.core import rawsql

        self.assertIsNotNone(rawsql._compiled[(connection.vendor, "care", "poll")])
        self.assertEqual(
            fast.stamp, child_day_stamp(self.parent_user.pk, self.enrolment.pk, today())
        )
        self.assertIsNotNone(fast.session_data)
        # Another child: its own guardian's account; the session is read, and not theirs.
        fast, orm = self.reads(key, other.pk)
        self.assertEqual(fast, orm)
        self.assertNotEqual(fast.user_id, self.parent_user.pk)
        # A day with events: the stamp moves the same way in both.
        services.attendance_check_in(actor=self.carer, enrolment=self.enrolment)
        day_note_add(actor=self.carer, group=self.group, kind="note", text="午睡很好")
        fast, orm = self.reads(key)
        self.assertEqual(fast, orm)
        # An unknown session, an expired one, a place not on the roster: the same answers.
        self.assertEqual(self.reads("x" * 32), self.reads("x" * 32)[::-1])
        self.assertIsNone(self.reads("x" * 32)[0].session_data)
        Session.objects.filter(session_key=key).update(
            expire_date=timezone.now() - datetime.timedelta(seconds=1)
        )
        fast, orm = self.reads(key)
        self.assertEqual(fast, orm)
        self.assertIsNone(fast.session_data)
        self.assertEqual(self.reads(key, 10**12), (None, None))
