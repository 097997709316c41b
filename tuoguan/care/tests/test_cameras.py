"""Room cameras: a guardian whose child is checked in to a filmed room watches during care
hours through a short-lived signed link; the link fails after check-out, after hours, the
next day and for another family; a camera reported broken is never live; every view is kept
and audited. The local HLS test stream is read by real readers (the m3u8 parser, ffprobe)."""

import datetime
import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import m3u8
from django.test import override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from tuoguan.audit.models import AuditEntry
from tuoguan.care import services, streams
from tuoguan.care.models import Camera, CameraView
from tuoguan.care.services.cameras import camera_refusal, link_refusal
from tuoguan.enrolment.models import Pickup
from tuoguan.programs.models import Term
from tuoguan.programs.tests.factories import make_group, make_program, make_term

from .support import DAY, CareCase, actor, at, checklist_answers, confirmed, running_term, today

STREAM = "test-room"
FFPROBE = shutil.which("ffprobe") or "/usr/bin/ffprobe"


class CameraCase(CareCase):
    def setUp(self) -> None:
        self.term = running_term(self.p)
        # Care hours around the clock for the pages (the services' tests pass `now`).
        Term.objects.filter(pk=self.term.pk).update(
            daily_start=datetime.time(0, 0), daily_end=datetime.time(23, 59, 59)
        )
        self.term.refresh_from_db()
        self.group = self.term.groups.get()
        self.carer = actor(self.p.caregiver)
        self.manager = actor(self.p.grassroots_admin)
        self.enrolment = confirmed(self.p, self.term, 1)
        self.guardian = self.enrolment.guardian.user
        self.attendance = services.attendance_check_in(actor=self.carer, enrolment=self.enrolment)
        self.assertIsNotNone(streams.make_test_stream(STREAM), "ffmpeg is needed")
        self.camera = services.camera_save(
            actor=self.manager, program=self.term.program, name="一号摄像头", room="活动室",
            groups=[self.group], local_stream=STREAM, rtsp_url="rtsp://10.0.0.5/stream1",
        )  # fmt: skip

    def open_link(self, client: Any = None, user: Any = None) -> tuple[CameraView, str]:
        client = client or self.client_for(self.guardian)
        response = client.post(reverse("care:camera_watch", args=[self.camera.pk]))
        self.assertEqual(response.status_code, 302, response)
        view = CameraView.objects.filter(user=user or self.guardian).latest("pk")
        token = parse_qs(urlsplit(response["Location"]).query)["t"][0]
        return view, token

    def playlist(self, client: Any, view: CameraView, token: str) -> Any:
        return client.get(reverse("care:camera_playlist", args=[view.pk]), {"t": token})


class WatchingTests(CameraCase):
    def test_the_guardian_watches_and_the_stream_is_a_real_hls_stream(self) -> None:
        client = self.client_for(self.guardian)
        page = client.get(reverse("care:child_today", args=[self.enrolment.pk]))
        self.assertContains(page, "data-camera-watch")
        self.assertContains(page, "room is filmed")
        view, token = self.open_link(client)
        player = client.get(reverse("care:camera_player", args=[view.pk]), {"t": token})
        self.assertEqual(player.status_code, 200)
        self.assertContains(player, "vendor/hls.js/hls.light.min.js")
        self.assertContains(player, 'data-src="' + reverse("care:camera_playlist", args=[view.pk]))

        response = self.playlist(client, view, token)
        self.assertEqual(response["Content-Type"], "application/vnd.apple.mpegurl")
        parsed = m3u8.loads(response.content.decode())
        self.assertGreaterEqual(len(parsed.segments), 3)
        self.assertTrue(parsed.is_endlist)
        self.assertAlmostEqual(sum(s.duration for s in parsed.segments), 4, delta=0.5)
        for segment in parsed.segments:
            self.assertEqual(parse_qs(urlsplit(segment.uri).query)["t"], [token])
        first: Any = client.get(parsed.segments[0].uri)
        self.assertEqual(first.status_code, 200)
        data = b"".join(first.streaming_content)
        self.assertEqual(data[0], 0x47)  # the MPEG-TS sync byte
        self.assertEqual(self._probe(data), ("h264", 320, 240))

        # The view is kept and audited: who, which camera, when.
        self.assertEqual(
            (view.camera, view.enrolment, view.date), (self.camera, self.enrolment, today())
        )
        entry = AuditEntry.objects.filter(
            action=AuditEntry.Action.VIEW, object_id=str(self.camera.pk), actor=self.guardian
        )
        self.assertTrue(entry.exists())

    def _probe(self, data: bytes) -> tuple[str, int, int]:
        with tempfile.NamedTemporaryFile(suffix=".ts") as segment:
            segment.write(data)
            segment.flush()
            out = subprocess.run(  # noqa: S603 - fixed arguments
                [FFPROBE, "-v", "error", "-show_streams", "-of", "json", segment.name],
                capture_output=True, check=True, timeout=30,
            )  # fmt: skip
        video = json.loads(out.stdout)["streams"][0]
        return video["codec_name"], video["width"], video["height"]

    def test_the_heartbeat_renews_the_link_and_the_manager_sees_how_long(self) -> None:
        client = self.client_for(self.guardian)
        view, token = self.open_link(client)
        CameraView.objects.filter(pk=view.pk).update(
            started_at=view.started_at - datetime.timedelta(minutes=3)
        )
        beat = client.post(reverse("care:camera_heartbeat", args=[view.pk]), {"t": token})
        self.assertEqual(beat.status_code, 204)
        renewed = beat["X-Camera-Token"]
        self.assertNotEqual(renewed, "")
        self.assertEqual(self.playlist(client, view, renewed).status_code, 200)
        view.refresh_from_db()
        self.assertGreaterEqual(view.seconds, 180)
        listing = self.client_for(self.p.grassroots_admin).get(
            reverse("care:camera_views", args=[self.term.program_id])
        )
        self.assertContains(listing, f'data-camera-view="{view.pk}"')
        self.assertContains(listing, self.enrolment.child.name)
        self.assertContains(listing, f'data-seconds="{view.seconds}"')

    def test_a_camera_link_fails_after_check_out(self) -> None:
        client = self.client_for(self.guardian)
        view, token = self.open_link(client)
        services.attendance_check_out(
            actor=self.carer, attendance=self.attendance,
            pickup=Pickup.objects.get(child=self.enrolment.child),
        )  # fmt: skip
        self.assertEqual(self.playlist(client, view, token).status_code, 403)
        segment = client.get(reverse("care:camera_segment", args=[view.pk, 0]), {"t": token})
        self.assertEqual(segment.status_code, 403)
        player = client.get(reverse("care:camera_player", args=[view.pk]), {"t": token})
        self.assertContains(player, "checked out", status_code=403)
        beat = client.post(reverse("care:camera_heartbeat", args=[view.pk]), {"t": token})
        self.assertEqual(beat.status_code, 403)
        # The family page no longer offers the button, and says why.
        page = client.get(reverse("care:child_today", args=[self.enrolment.pk]))
        self.assertNotContains(page, "data-camera-watch")
        self.assertContains(page, "has been checked out")

    def test_a_camera_link_fails_after_hours_and_the_next_day(self) -> None:
        Term.objects.filter(pk=self.term.pk).update(
            daily_start=datetime.time(8, 0), daily_end=datetime.time(18, 0)
        )
        morning = at(today(), 10)
        view, token = services.camera_watch(
            actor=actor(self.guardian), camera=self.camera, now=morning
        )
        view = CameraView.objects.select_related("enrolment__term").get(pk=view.pk)
        self.assertIsNone(link_refusal(view=view, user=self.guardian, token=token, now=morning))
        evening = link_refusal(view=view, user=self.guardian, token=token, now=at(today(), 18, 30))
        self.assertIn("care hours (08:00–18:00)", str(evening))
        tomorrow = link_refusal(
            view=view, user=self.guardian, token=token, now=at(today() + DAY, 10)
        )
        self.assertIn("expired", str(tomorrow))
        with self.assertRaisesMessage(Exception, "care hours"):
            services.camera_watch(
                actor=actor(self.guardian), camera=self.camera, now=at(today(), 7)
            )

    @override_settings(TUOGUAN_CAMERA_LINK_MINUTES=0)
    def test_a_link_past_its_minutes_has_expired(self) -> None:
        client = self.client_for(self.guardian)
        view, token = self.open_link(client)
        response = self.playlist(client, view, token)
        self.assertEqual(response.status_code, 403)
        self.assertIn("expired", response.content.decode())

    def test_a_camera_link_fails_for_another_family(self) -> None:
        client = self.client_for(self.guardian)
        view, token = self.open_link(client)
        other = confirmed(self.p, self.term, 2)
        stranger = self.client_for(other.guardian.user)
        # Another family's view does not exist for them, token or not.
        self.assertEqual(self.playlist(stranger, view, token).status_code, 404)
        player = stranger.get(reverse("care:camera_player", args=[view.pk]), {"t": token})
        self.assertEqual(player.status_code, 404)
        # A family of another class cannot open this camera at all.
        far_term = running_term(self.p)
        far = confirmed(self.p, far_term, 3)
        far_client = self.client_for(far.guardian.user)
        self.assertEqual(
            far_client.post(reverse("care:camera_watch", args=[self.camera.pk])).status_code, 404
        )
        # A token of one view does not open another.
        services.attendance_check_in(actor=self.carer, enrolment=other)
        own_view, _own_token = self.open_link(stranger, other.guardian.user)
        self.assertEqual(own_view.user, other.guardian.user)
        self.assertEqual(self.playlist(stranger, own_view, token).status_code, 403)
        self.assertEqual(
            CameraView.objects.filter(camera=self.camera).count(), 2, "each opening is one row"
        )

    def test_a_child_not_checked_in_cannot_be_watched(self) -> None:
        other = confirmed(self.p, self.term, 2)
        refusal = camera_refusal(camera=self.camera, user=other.guardian.user, enrolment=other)
        self.assertIn("checked in", str(refusal))
        response = self.client_for(other.guardian.user).post(
            reverse("care:camera_watch", args=[self.camera.pk])
        )
        self.assertRedirects(response, reverse("care:family"), fetch_redirect_response=False)
        self.assertFalse(CameraView.objects.filter(user=other.guardian.user).exists())


class BrokenCameraTests(CameraCase):
    def test_a_camera_reported_broken_is_never_shown_live_and_its_link_is_refused(self) -> None:
        client = self.client_for(self.guardian)
        view, token = self.open_link(client)
        services.inspection_record(
            actor=self.carer, term=self.term,
            results=checklist_answers(self.term, failed=("cameras",)),
        )  # fmt: skip
        self.assertEqual(self.playlist(client, view, token).status_code, 403)
        page = client.get(reverse("care:child_today", args=[self.enrolment.pk]))
        self.assertNotContains(page, "data-camera-watch")
        self.assertContains(page, "today&#x27;s inspection reported it broken")
        managers = self.client_for(self.p.grassroots_admin).get(
            reverse("care:cameras", args=[self.term.program_id])
        )
        self.assertContains(managers, "data-camera-unavailable")
        api = APIClient(headers={"Accept-Language": "en"})
        api.force_login(self.guardian)
        row = api.get(f"/api/v1/cameras/{self.camera.pk}/").json()
        self.assertIn("broken", row["unavailable"])
        self.assertNotIn("rtsp_url", row, "a guardian does not read the addresses")
        self.assertEqual(api.post(f"/api/v1/cameras/{self.camera.pk}/watch/").status_code, 400)


class RegisteringTests(CameraCase):
    def test_the_manager_registers_a_camera_with_its_rtsp_address_and_filmed_groups(self) -> None:
        client = self.client_for(self.p.grassroots_admin)
        response = client.post(
            reverse("care:cameras", args=[self.term.program_id]),
            {"name": "二号摄像头", "room": "午休室", "groups": [self.group.pk],
             "hls_url": "https://cams.example.org/room2/index.m3u8",
             "rtsp_url": "rtsp://10.0.0.6/stream1", "is_active": "on"},
        )  # fmt: skip
        self.assertEqual(response.status_code, 302)
        camera = Camera.objects.get(name="二号摄像头")
        self.assertEqual(list(camera.groups.all()), [self.group])
        self.assertEqual(camera.rtsp_url, "rtsp://10.0.0.6/stream1")
        refused = client.post(
            reverse("care:camera_edit", args=[camera.pk]),
            {"name": "二号摄像头", "room": "午休室", "hls_url": "http://cams.example.org/x"},
        )
        self.assertContains(refused, "https://")
        # The caregiver's group page says the room is filmed.
        page = self.client_for(self.p.caregiver).get(
            reverse("care:group_day", args=[self.group.pk])
        )
        self.assertContains(page, "data-filmed")
        self.assertContains(page, "二号摄像头")
        # A caregiver does not register cameras.
        self.assertEqual(
            self.client_for(self.p.caregiver)
            .get(reverse("care:cameras", args=[self.term.program_id]))
            .status_code,
            403,
        )

    def test_a_group_of_another_class_is_refused(self) -> None:
        program = make_program(self.p)
        term = make_term(self.p, program=program)
        group = make_group(self.p, term)
        with self.assertRaisesMessage(Exception, "this class"):
            services.camera_save(
                actor=self.manager, program=self.term.program, camera=self.camera,
                groups=[group], name="x", room="y",
            )  # fmt: skip

    def test_an_external_stream_is_handed_out_only_after_the_checks(self) -> None:
        services.camera_save(
            actor=self.manager, program=self.term.program, camera=self.camera,
            local_stream="", hls_url="https://cams.example.org/room1/index.m3u8",
        )  # fmt: skip
        client = self.client_for(self.guardian)
        child_page = client.get(reverse("care:child_today", args=[self.enrolment.pk]))
        self.assertNotContains(child_page, "cams.example.org")
        view, token = self.open_link(client)
        player = client.get(reverse("care:camera_player", args=[view.pk]), {"t": token})
        self.assertContains(player, "https://cams.example.org/room1/index.m3u8")
        refused = client.get(reverse("care:camera_player", args=[view.pk]), {"t": "forged"})
        self.assertEqual(refused.status_code, 403)
        self.assertNotContains(refused, "cams.example.org", status_code=403)


class CameraApiTests(CameraCase):
    def test_the_api_opens_a_signed_link_and_lists_the_views_for_the_manager(self) -> None:
        api = APIClient()
        api.force_login(self.guardian)
        opened = api.post(f"/api/v1/cameras/{self.camera.pk}/watch/")
        self.assertEqual(opened.status_code, 201, opened.content)
        body = opened.json()
        client = self.client_for(self.guardian)
        playlist = client.get(body["playlist_url"])
        self.assertEqual(len(m3u8.loads(playlist.content.decode()).segments) >= 3, True)
        self.assertEqual(api.get(f"/api/v1/cameras/{self.camera.pk}/views/").status_code, 403)
        staff = APIClient()
        staff.force_login(self.p.grassroots_admin)
        views = staff.get(f"/api/v1/cameras/{self.camera.pk}/views/").json()["results"]
        self.assertEqual([v["id"] for v in views], [body["view"]])
        created = staff.post(
            "/api/v1/cameras/",
            {"program": self.term.program_id, "name": "三号", "room": "走廊",
             "groups": [self.group.pk], "rtsp_url": "rtsp://10.0.0.7/s"},
            format="json",
        )  # fmt: skip
        self.assertEqual(created.status_code, 201, created.content)
        self.assertEqual(created.json()["rtsp_url"], "rtsp://10.0.0.7/s")
        outsider = APIClient()
        outsider.force_login(self.p.outsider)
        self.assertEqual(outsider.get(f"/api/v1/cameras/{self.camera.pk}/").status_code, 404)
        self.assertEqual(outsider.post(f"/api/v1/cameras/{self.camera.pk}/watch/").status_code, 404)


class StreamFileTests(CareCase):
    def test_the_playlist_keeps_only_our_segments(self) -> None:
        text = "#EXTM3U\n#EXTINF:1.0,\nseg0.ts\n#EXTINF:1.0,\nhttp://evil/x.ts\n#EXT-X-ENDLIST\n"
        out = streams.rewrite_playlist(text, lambda n: f"/s/{n}.ts?t=T")
        parsed = m3u8.loads(out)
        self.assertEqual([s.uri for s in parsed.segments], ["/s/0.ts?t=T"])
        self.assertTrue(Path(streams.stream_dir("x")).is_relative_to(Path(tempfile.gettempdir())))
