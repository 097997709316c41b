"""Online sessions: scheduled by the term's carers for a group or for chosen children; the
guardian's join goes through our redirect and counts the child's attendance once; the host
ticks children present; contests keep scores; counts per session, per child and per term."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tuoguan.care import online_selectors, services
from tuoguan.care.models import ContestScore, OnlineAttendance, OnlineSession

from .support import CareCase, actor, confirmed, running_term

HOUR = datetime.timedelta(hours=1)


class OnlineCase(CareCase):
    def setUp(self) -> None:
        self.term = running_term(self.p)
        self.group = self.term.groups.get()
        self.carer = actor(self.p.caregiver)
        self.first = confirmed(self.p, self.term, 1)
        self.second = confirmed(self.p, self.term, 2)

    def schedule(self, **fields: Any) -> OnlineSession:
        now = timezone.now()
        values: dict[str, Any] = {
            "title": "故事会：小王子", "topic": "story", "host_kind": "volunteer",
            "host_name": "李老师", "join_url": "https://meeting.example.org/j/123",
            "starts_at": now - datetime.timedelta(minutes=5), "ends_at": now + HOUR,
            "group": self.group, "audience": "group",
        }  # fmt: skip
        values.update(fields)
        return services.online_session_save(actor=self.carer, term=self.term, **values)


class OnlineSessionTests(OnlineCase):
    def test_online_session_attendance_counted(self) -> None:
        session = self.schedule()
        parent = self.client_for(self.first.guardian.user)
        page = parent.get(reverse("care:child_today", args=[self.first.pk]))
        self.assertContains(page, "故事会：小王子")
        self.assertContains(page, "data-online-join")
        join = reverse("care:online_join", args=[session.pk])
        first = parent.post(join)
        self.assertEqual(first["Location"], "https://meeting.example.org/j/123")
        parent.post(join)  # a second press does not count twice
        # The host ticks the other child present.
        carer = self.client_for(self.p.caregiver)
        ticked = carer.post(
            reverse("care:online_attend", args=[session.pk]),
            {"enrolment": self.second.pk},
            HTTP_HX_REQUEST="true",
        )
        self.assertContains(ticked, 'data-present="2"')
        rows = OnlineAttendance.objects.filter(session=session).order_by("enrolment_id")
        self.assertEqual(
            [(r.enrolment_id, r.via) for r in rows],
            [(self.first.pk, "join"), (self.second.pk, "host")],
        )
        listing = carer.get(reverse("care:online_sessions", args=[self.term.pk]))
        self.assertContains(listing, 'data-present="2"')
        self.assertContains(listing, "2 online attendances this term")
        self.assertContains(listing, f'data-child-online="{self.first.pk}" data-count="1"')
        self.assertEqual(online_selectors.child_online_attendance(self.first), 1)
        again = parent.get(reverse("care:child_today", args=[self.first.pk]))
        self.assertContains(again, 'data-child-online-total="1"')

    def test_a_session_for_chosen_children_invites_only_them(self) -> None:
        session = self.schedule(audience="selected", children=[self.second], group=None)
        other = self.client_for(self.first.guardian.user)
        self.assertEqual(
            other.post(reverse("care:online_join", args=[session.pk])).status_code, 404
        )
        self.assertNotContains(
            other.get(reverse("care:child_today", args=[self.first.pk])), "故事会"
        )
        with self.assertRaises(ValidationError):
            services.online_attendance_record(
                actor=self.carer, session=session, enrolment=self.first
            )
        joined = self.client_for(self.second.guardian.user).post(
            reverse("care:online_join", args=[session.pk])
        )
        self.assertEqual(joined.status_code, 302)
        self.assertEqual(OnlineAttendance.objects.get(session=session).enrolment, self.second)

    def test_joining_is_open_only_around_the_session(self) -> None:
        later = timezone.now() + 3 * HOUR
        session = self.schedule(starts_at=later, ends_at=later + HOUR)
        response = self.client_for(self.first.guardian.user).post(
            reverse("care:online_join", args=[session.pk])
        )
        self.assertRedirects(response, reverse("care:family"), fetch_redirect_response=False)
        self.assertFalse(OnlineAttendance.objects.exists())

    def test_a_join_link_must_be_https_and_the_session_must_end_after_it_starts(self) -> None:
        with self.assertRaises(ValidationError) as refused:
            self.schedule(join_url="http://meeting.example.org/j/1")
        self.assertIn("join_url", refused.exception.message_dict)
        now = timezone.now()
        with self.assertRaises(ValidationError) as backwards:
            self.schedule(starts_at=now, ends_at=now - HOUR)
        self.assertIn("ends_at", backwards.exception.message_dict)

    def test_a_contest_keeps_scores(self) -> None:
        session = self.schedule(topic="contest", title="口算比赛")
        carer = self.client_for(self.p.caregiver)
        carer.post(
            reverse("care:online_score", args=[session.pk]),
            {"enrolment": self.first.pk, "score": "95.5", "note": "第一名"},
        )
        page = carer.get(reverse("care:online_session", args=[session.pk]))
        self.assertContains(page, 'data-score="95.5"')
        self.assertEqual(ContestScore.objects.get(session=session).note, "第一名")
        story = self.schedule()
        with self.assertRaises(ValidationError):
            services.contest_score_save(
                actor=self.carer, session=story, enrolment=self.first, score=1
            )

    def test_the_page_form_schedules_a_session(self) -> None:
        start = timezone.localtime() + HOUR
        response = self.client_for(self.p.caregiver).post(
            reverse("care:online_sessions", args=[self.term.pk]),
            {"title": "作业辅导", "topic": "homework", "host_kind": "caregiver",
             "host_name": "王老师", "join_url": "https://meeting.example.org/j/9",
             "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
             "ends_at": (start + HOUR).strftime("%Y-%m-%dT%H:%M"),
             "group": self.group.pk, "audience": "group"},
        )  # fmt: skip
        session = OnlineSession.objects.get(title="作业辅导")
        self.assertRedirects(
            response,
            reverse("care:online_session", args=[session.pk]),
            fetch_redirect_response=False,
        )
        self.assertEqual(session.created_by, self.p.caregiver)

    def test_outsiders_and_other_classes_find_nothing(self) -> None:
        session = self.schedule()
        outsider = self.client_for(self.p.outsider)
        self.assertEqual(
            outsider.get(reverse("care:online_session", args=[session.pk])).status_code, 404
        )
        far = confirmed(self.p, running_term(self.p), 3)
        self.assertEqual(
            self.client_for(far.guardian.user)
            .post(reverse("care:online_join", args=[session.pk]))
            .status_code,
            404,
        )


class OnlineApiTests(OnlineCase):
    def test_the_api_schedules_records_and_counts(self) -> None:
        staff = APIClient()
        staff.force_login(self.p.caregiver)
        now = timezone.now()
        created = staff.post(
            "/api/v1/online-sessions/",
            {"term": self.term.pk, "title": "科普讲座", "topic": "talk", "host_kind": "expert",
             "host_name": "张教授", "join_url": "https://meeting.example.org/j/7",
             "starts_at": (now - HOUR).isoformat(), "ends_at": (now + HOUR).isoformat(),
             "audience": "selected", "children": [self.first.pk]},
            format="json",
        )  # fmt: skip
        self.assertEqual(created.status_code, 201, created.content)
        pk = created.json()["id"]
        parent = APIClient()
        parent.force_login(self.first.guardian.user)
        self.assertEqual(
            parent.post(f"/api/v1/online-sessions/{pk}/join/").json()["join_url"],
            "https://meeting.example.org/j/7",
        )
        self.assertEqual(staff.get(f"/api/v1/online-sessions/{pk}/").json()["present"], 1)
        refused = staff.post(
            f"/api/v1/online-sessions/{pk}/attendance/", {"enrolment": self.second.pk}
        )
        self.assertEqual(refused.status_code, 400)
        other = APIClient()
        other.force_login(self.second.guardian.user)
        self.assertEqual(other.get(f"/api/v1/online-sessions/{pk}/").status_code, 404)
        self.assertEqual(parent.post(f"/api/v1/online-sessions/{pk}/attendance/").status_code, 403)
