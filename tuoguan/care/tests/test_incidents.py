"""Incidents reach exactly the levels their severity requires, are acknowledged by those told,
re-sent once when critical and unanswered; drills and the compliance facts they feed."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tuoguan.accounts import services as people
from tuoguan.care import incident_facts, services
from tuoguan.care.models import Drill, Incident, IncidentNotice
from tuoguan.notifications.models import Notification
from tuoguan.orgs import services as orgs
from tuoguan.orgs.models import Role
from tuoguan.programs import compliance
from tuoguan.programs import services as programs
from tuoguan.programs.models import Criterion

from .support import DAY, CareCase, actor, confirmed, running_term, today


class EscalationTests(CareCase):
    def setUp(self) -> None:
        self.term = running_term(self.p)
        self.enrolment = confirmed(self.p, self.term, 1)
        self.other = confirmed(self.p, self.term, 2)
        self.carer = actor(self.p.caregiver)
        self.national_admin = people.user_create(
            username="qz_national_admin", real_name="全总管理员", password="Tuoguan-test-2026"
        )
        orgs.membership_grant(
            actor=None, user=self.national_admin, org=self.p.national, role=Role.UNION_ADMIN
        )

    def report(self, severity: str, children: list[int] | None = None) -> Incident:
        return services.incident_report(
            actor=self.carer,
            term=self.term,
            kind="injury",
            severity=severity,
            description="滑梯上摔倒，膝盖擦伤。",
            actions_taken="已消毒包扎，通知家长。",
            children=[self.enrolment.pk] if children is None else children,
        )

    def told(self, incident: Incident) -> dict[str, set[str]]:
        levels: dict[str, set[str]] = {}
        for notice in incident.notices.select_related("recipient"):
            levels.setdefault(notice.level, set()).add(notice.recipient.username)
        return levels

    def test_a_minor_incident_tells_the_guardians_and_the_host_union_only(self) -> None:
        incident = self.report("minor")
        told = self.told(incident)
        self.assertEqual(set(told), {"guardian", "host"})
        self.assertEqual(told["guardian"], {self.enrolment.guardian.user.username})
        self.assertIn(self.p.grassroots_admin.username, told["host"])
        for notice in incident.notices.all():
            self.assertTrue(Notification.objects.filter(recipient=notice.recipient_id).exists())

    def test_a_serious_one_also_tells_every_union_above_up_to_the_province(self) -> None:
        told = self.told(self.report("serious"))
        self.assertEqual(set(told), {"guardian", "host", "upper"})
        self.assertEqual(
            told["upper"], {self.p.city_admin.username, self.p.province_admin.username}
        )
        self.assertNotIn(self.national_admin.username, set().union(*told.values()))

    def test_a_critical_one_reaches_the_national_union(self) -> None:
        told = self.told(self.report("critical"))
        self.assertEqual(told["national"], {self.national_admin.username})
        self.assertNotIn(self.p.outsider.username, set().union(*told.values()))

    def test_the_guardian_reads_of_their_own_child_only(self) -> None:
        incident = self.report("minor")
        incident.children.add(self.other)
        page = self.client_for(self.enrolment.guardian.user).get(
            reverse("care:incident_acknowledge", args=[incident.pk])
        )
        self.assertContains(page, self.enrolment.child.name)
        self.assertNotContains(page, self.other.child.name)
        self.assertNotContains(page, "滑梯上摔倒")

    def test_each_person_told_acknowledges_once(self) -> None:
        incident = self.report("serious")
        client = self.client_for(self.p.province_admin)
        url = reverse("care:incident_acknowledge", args=[incident.pk])
        self.assertRedirects(client.post(url), url)
        notice = IncidentNotice.objects.get(incident=incident, recipient=self.p.province_admin)
        first = notice.acknowledged_at
        self.assertIsNotNone(first)
        client.post(url)
        notice.refresh_from_db()
        self.assertEqual(notice.acknowledged_at, first)

    def test_someone_not_told_cannot_acknowledge(self) -> None:
        incident = self.report("minor")
        url = reverse("care:incident_acknowledge", args=[incident.pk])
        self.assertEqual(self.client_for(self.p.province_admin).post(url).status_code, 404)
        self.assertEqual(self.client_for(self.p.other_parent).get(url).status_code, 404)

    @override_settings(TUOGUAN_INCIDENT_ACK_MINUTES=30)
    def test_an_unacknowledged_critical_notice_is_sent_again_once_and_the_union_above_told(
        self,
    ) -> None:
        incident = self.report("critical")
        services.incident_acknowledge(user=self.p.grassroots_admin, incident=incident)
        later = timezone.now() + datetime.timedelta(minutes=31)
        self.assertEqual(services.incidents_remind(now=timezone.now()), 0)
        pending = incident.notices.filter(acknowledged_at__isnull=True).count()
        self.assertEqual(services.incidents_remind(now=later), pending)
        self.assertEqual(services.incidents_remind(now=later + DAY), 0)
        self.assertFalse(
            incident.notices.filter(acknowledged_at__isnull=True, resent_at__isnull=True).exists()
        )
        # Who answered is not reminded; the class hears of the silent guardian, and the
        # province of the silent city.
        self.assertFalse(
            Notification.objects.filter(
                recipient=self.p.grassroots_admin, subject__startswith="Reminder"
            ).exists()
        )
        silent = Notification.objects.filter(subject__startswith="Not acknowledged")
        self.assertTrue(silent.filter(recipient=self.p.grassroots_admin).exists())
        self.assertTrue(
            silent.filter(recipient=self.p.province_admin, body__contains="市管理员").exists()
        )
        self.assertTrue(silent.filter(recipient=self.national_admin).exists())
        self.assertEqual(
            Notification.objects.filter(
                recipient=self.p.city_admin, subject__startswith="Reminder"
            ).count(),
            1,
        )

    def test_a_serious_notice_is_not_sent_again(self) -> None:
        self.report("serious")
        later = timezone.now() + datetime.timedelta(hours=2)
        self.assertEqual(services.incidents_remind(now=later), 0)

    def test_bad_input_is_refused_and_nothing_is_saved(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            services.incident_report(
                actor=self.carer,
                term=self.term,
                kind="meteor",
                severity="apocalyptic",
                description="",
                children=[self.p.other_child.pk, "x"],
            )
        self.assertEqual(
            set(caught.exception.message_dict), {"kind", "severity", "description", "children"}
        )
        self.assertFalse(Incident.objects.exists())
        self.assertFalse(IncidentNotice.objects.exists())

    def test_a_child_of_another_term_cannot_be_named(self) -> None:
        elsewhere = confirmed(self.p, running_term(self.p), 3)
        with self.assertRaises(ValidationError):
            self.report("minor", children=[elsewhere.pk])

    def test_follow_up_then_only_a_manager_closes_it(self) -> None:
        incident = self.report("minor")
        services.incident_action_add(actor=self.carer, incident=incident, text="复查伤口")
        with self.assertRaises(PermissionDenied):
            services.incident_close(actor=self.carer, incident=incident, summary="已处理")
        manager = actor(self.p.grassroots_admin)
        with self.assertRaises(ValidationError):
            services.incident_close(actor=manager, incident=incident, summary="")
        services.incident_close(actor=manager, incident=incident, summary="伤口愈合，加装防护垫")
        with self.assertRaises(ValidationError):
            services.incident_action_add(actor=self.carer, incident=incident, text="再次复查")


class IncidentPagesAndApiTests(CareCase):
    def setUp(self) -> None:
        self.term = running_term(self.p)
        self.enrolment = confirmed(self.p, self.term, 1)

    def test_a_caregiver_reports_from_the_form_and_the_manager_closes_it(self) -> None:
        carer = self.client_for(self.p.caregiver)
        url = reverse("care:incident_report", args=[self.term.pk])
        self.assertContains(carer.get(url), self.enrolment.child.name)
        response = carer.post(
            url,
            {
                "kind": "illness",
                "severity": "minor",
                "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
                "children": [str(self.enrolment.pk)],
                "description": "午睡后发热 38.2℃",
                "actions_taken": "隔离观察，通知家长接回",
            },
        )
        incident = Incident.objects.get()
        self.assertRedirects(response, reverse("care:incident", args=[incident.pk]))
        page = carer.get(reverse("care:incident", args=[incident.pk]))
        self.assertContains(page, "午睡后发热")
        manager = self.client_for(self.p.grassroots_admin)
        manager.post(reverse("care:incident_close", args=[incident.pk]), {"summary": "已康复"})
        incident.refresh_from_db()
        self.assertFalse(incident.is_open)
        listing = manager.get(reverse("care:incidents") + "?state=closed")
        self.assertContains(listing, reverse("care:incident", args=[incident.pk]))

    def test_an_outsider_finds_no_incident_and_a_reviewer_reads_nothing(self) -> None:
        incident = services.incident_report(
            actor=actor(self.p.caregiver),
            term=self.term,
            kind="conflict",
            severity="minor",
            description="两名儿童争执",
        )
        url = reverse("care:incident", args=[incident.pk])
        self.assertEqual(self.client_for(self.p.outsider).get(url).status_code, 404)
        self.assertEqual(self.client_for(self.p.other_parent).get(url).status_code, 404)
        self.assertEqual(self.client_for(self.p.reviewer).get(url).status_code, 403)
        api = APIClient()
        api.force_login(self.p.outsider)
        self.assertEqual(api.get(f"/api/v1/incidents/{incident.pk}/").status_code, 404)

    def test_the_api_reports_lists_and_acknowledges(self) -> None:
        api = APIClient()
        api.force_login(self.p.caregiver)
        response = api.post(
            "/api/v1/incidents/",
            {
                "term": self.term.pk,
                "kind": "injury",
                "severity": "serious",
                "description": "手指夹伤",
                "children": [self.enrolment.pk],
            },
            format="json",
        )
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertEqual(body["children"], [self.enrolment.pk])
        self.assertTrue(any(n["level"] == "upper" for n in body["notices"]))
        province = APIClient()
        province.force_login(self.p.province_admin)
        self.assertEqual(len(province.get("/api/v1/incidents/").json()["results"]), 1)
        ack = province.post(f"/api/v1/incidents/{body['id']}/acknowledge/")
        self.assertEqual(ack.status_code, 200)
        self.assertIsNotNone(ack.json()["acknowledged_at"])
        bad = api.post(
            "/api/v1/incidents/",
            {"term": self.term.pk, "kind": "x", "severity": "minor", "description": "d"},
            format="json",
        )
        self.assertEqual(bad.status_code, 400)

    def test_the_list_costs_the_same_for_one_and_six_incidents(self) -> None:
        carer = actor(self.p.caregiver)

        def add() -> None:
            services.incident_report(
                actor=carer, term=self.term, kind="other", severity="minor", description="x"
            )

        add()
        client = self.client_for(self.p.grassroots_admin)
        url = reverse("care:incidents")
        client.get(url)
        with CaptureQueriesContext(connection) as one:
            client.get(url)
        for _n in range(5):
            add()
        with CaptureQueriesContext(connection) as six:
            client.get(url)
        self.assertEqual(len(six), len(one))


class DrillAndComplianceTests(CareCase):
    def setUp(self) -> None:
        # Ten care days, the first five already past.
        self.term = running_term(self.p, starts_in=-8, days=10)
        admin = actor(self.p.grassroots_admin)
        day = self.term.start_date
        while day <= self.term.end_date:
            if not self.term.days.filter(date=day).exists():
                programs.term_day_add(actor=admin, term=self.term, date=day)
            day += DAY
        self.manager = admin

    def test_a_term_without_a_fire_drill_by_its_fifth_care_day_is_flagged(self) -> None:
        self.assertEqual(incident_facts.fire_drill_missing([self.term])[self.term.pk], True)
        fifth = self.term.days.filter(is_care_day=True).order_by("date")[4].date
        services.drill_record(
            actor=self.manager, term=self.term, kind="fire", date=fifth, participants=30
        )
        self.assertEqual(incident_facts.fire_drill_missing([self.term])[self.term.pk], False)

    def test_a_late_drill_does_not_count_and_a_young_term_is_not_yet_due(self) -> None:
        services.drill_record(
            actor=self.manager, term=self.term, kind="fire", date=today(), participants=30
        )
        self.assertEqual(incident_facts.fire_drill_missing([self.term])[self.term.pk], True)
        young = running_term(self.p, starts_in=-1, days=10)
        self.assertIsNone(incident_facts.fire_drill_missing([young])[young.pk])

    def test_a_drill_in_the_future_or_by_a_caregiver_is_refused(self) -> None:
        with self.assertRaises(ValidationError):
            services.drill_record(
                actor=self.manager, term=self.term, kind="fire", date=today() + DAY, participants=3
            )
        with self.assertRaises(PermissionDenied):
            services.drill_record(
                actor=actor(self.p.caregiver), term=self.term, kind="fire", date=today(),
                participants=3,
            )  # fmt: skip
        self.assertFalse(Drill.objects.exists())

    def test_a_serious_incident_fails_the_standards_criterion(self) -> None:
        criterion = Criterion(metric="serious_incidents", threshold=Decimal(0))
        metric = compliance._metrics["serious_incidents"]
        compliance.prime_facts([self.term])
        self.assertEqual(metric(self.term, criterion).status, compliance.Status.PASS)
        services.incident_report(
            actor=actor(self.p.caregiver),
            term=self.term,
            kind="food_poisoning",
            severity="serious",
            description="三名儿童午餐后呕吐",
        )
        self.term.__dict__.pop("_compliance_facts", None)
        compliance.prime_facts([self.term])
        result = metric(self.term, criterion)
        self.assertEqual((result.status, result.value), (compliance.Status.FAIL, Decimal(1)))

    def test_the_emergency_page_starts_a_plan_from_its_template(self) -> None:
        client = self.client_for(self.p.grassroots_admin)
        url = reverse("care:emergency_plan", args=[self.term.program_id, "fire"])
        self.assertContains(client.get(url), "119")
        response = client.post(url, {"text": "拉响警报，拨打 119，从东门疏散。"})
        self.assertRedirects(response, reverse("care:emergency", args=[self.term.program_id]))
        page = client.get(reverse("care:emergency", args=[self.term.program_id]))
        self.assertContains(page, "no fire drill by the fifth care day")
        self.assertEqual(self.client_for(self.p.caregiver).get(url).status_code, 403)
        self.assertEqual(self.client_for(self.p.outsider).get(url).status_code, 404)
