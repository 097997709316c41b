"""The daily safety inspection: a failed item needs a photo and opens a follow-up; a care day
without an inspection shows in the standards' criterion; overdue follow-ups alert once; the
checklist is inherited down the union tree; outsiders find nothing."""

import json
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from tuoguan.accounts import services as people
from tuoguan.care import inspection_facts, services
from tuoguan.care.models import InspectionFollowUp, InspectionResult, SafetyInspection
from tuoguan.notifications.models import Notification
from tuoguan.programs import compliance
from tuoguan.programs import services as programs
from tuoguan.programs.models import Criterion, StaffRole
from tuoguan.programs.tests.factories import image_upload

from .support import (
    DAY,
    CareCase,
    actor,
    care_days_before_today,
    checklist_answers,
    running_term,
    today,
)


class InspectionTests(CareCase):
    def setUp(self) -> None:
        self.term = running_term(self.p, starts_in=-7)
        self.carer = actor(self.p.caregiver)

    def inspect(self, **options: object) -> SafetyInspection:
        failed = options.pop("failed", ())
        return services.inspection_record(
            actor=self.carer, term=self.term,
            results=checklist_answers(self.term, failed=failed), **options,  # type: ignore[arg-type]
        )  # fmt: skip

    def judged(self) -> compliance.MetricResult:
        self.term.__dict__.pop("_compliance_facts", None)
        compliance.prime_facts([self.term])
        criterion = Criterion(metric="daily_inspection", threshold=Decimal(90))
        return compliance._metrics["daily_inspection"](self.term, criterion)

    def test_care_days_without_an_inspection_show_in_the_criterion_with_the_exact_share(
        self,
    ) -> None:
        past = care_days_before_today(self.term)
        self.assertGreaterEqual(len(past), 2)
        self.inspect(date=past[0])
        result = self.judged()
        # Today does not count until it is inspected; the days before it do.
        share = (Decimal(100) / len(past)).quantize(Decimal("0.1"))
        self.assertEqual((result.status, result.value), (compliance.Status.FAIL, share))
        self.assertIn(f"1 of {len(past)} care days", result.detail)
        self.inspect()
        self.assertEqual(
            self.judged().value, (Decimal(200) / (len(past) + 1)).quantize(Decimal("0.1"))
        )
        # The class page names the days missing; the upper union's compliance list shows the row.
        page = self.client_for(self.p.caregiver).get(
            reverse("care:group_day", args=[self.term.groups.get().pk])
        )
        self.assertContains(page, "earlier care day")
        national = programs.standard_ensure_national_default()
        assert national is not None
        self.assertTrue(national.criteria.filter(metric="daily_inspection").exists())
        rows = compliance.term_compliance(self.term).rows
        row = next(r for r in rows if r.criterion.metric == "daily_inspection")
        self.assertEqual(row.status, compliance.Status.FAIL)

    def test_without_care_days_elapsed_it_is_not_yet_measured(self) -> None:
        self.term = running_term(self.p, starts_in=0, days=5)
        result = self.judged()
        self.assertEqual((result.status, result.value), (compliance.Status.PENDING, None))

    def test_a_failed_item_without_a_photo_is_refused_in_chinese_and_nothing_is_saved(
        self,
    ) -> None:
        with translation.override("zh-hans"), self.assertRaises(ValidationError) as caught:
            services.inspection_record(
                actor=self.carer, term=self.term,
                results=checklist_answers(self.term, failed=("electrics",), photo=False),
            )  # fmt: skip
        self.assertEqual(caught.exception.message_dict["electrics"], ["不合格的项目需要拍照。"])
        self.assertFalse(SafetyInspection.objects.exists())
        self.assertFalse(InspectionResult.objects.exists())
        # The page says the same on the item's photo field.
        client = self.client_for(self.p.caregiver)
        url = reverse("care:inspection_new", args=[self.term.pk])
        data = {c["code"]: "fail" if c["code"] == "electrics" else "pass"
                for c in checklist_answers(self.term)}  # fmt: skip
        self.assertContains(client.post(url, data), "A failed item needs a photo.")
        self.assertFalse(SafetyInspection.objects.exists())

    def test_once_per_care_day_and_only_for_the_roster(self) -> None:
        self.inspect()
        with self.assertRaises(ValidationError):
            self.inspect()
        outsider = running_term(self.p, caregiver=False)
        with self.assertRaises(Exception) as caught:
            services.inspection_record(
                actor=self.carer, term=outsider, results=checklist_answers(outsider)
            )
        self.assertEqual(type(caught.exception).__name__, "PermissionDenied")

    def test_overdue_follow_ups_alert_the_manager_and_the_host_union_once(self) -> None:
        manager = people.user_create(username="bzr", real_name="班主任", password=None)
        programs.term_staff_add(
            actor=actor(self.p.grassroots_admin), term=self.term, user=manager,
            role=StaffRole.MANAGER,
        )  # fmt: skip
        past = care_days_before_today(self.term)
        inspection = self.inspect(date=past[0], failed=("extinguishers",))
        follow_up = InspectionFollowUp.objects.get(result__inspection=inspection)
        self.assertEqual(follow_up.owner, manager)
        Notification.objects.all().delete()
        due = follow_up.deadline + DAY
        self.assertEqual(services.inspection_follow_ups_alert(due), 1)
        self.assertEqual(services.inspection_follow_ups_alert(due), 0)
        told = set(Notification.objects.values_list("recipient__username", flat=True))
        self.assertEqual(Notification.objects.count(), len(told))
        self.assertLessEqual({manager.username, self.p.grassroots_admin.username}, told)
        self.assertNotIn(self.p.caregiver.username, told)
        # Closed with evidence, it is never alerted again.
        services.inspection_follow_up_close(
            actor=actor(manager), follow_up=follow_up, note="已更换灭火器",
            photo=image_upload(),
        )  # fmt: skip
        follow_up.refresh_from_db()
        self.assertTrue(follow_up.evidence_photo)
        self.assertFalse(follow_up.is_open)

    def test_the_checklist_is_inherited_down_the_union_tree(self) -> None:
        services.checklist_save(
            actor=actor(self.p.province_admin), org=self.p.province,
            labels=["消防通道畅通", "摄像头工作正常", "急救箱齐全"],
        )  # fmt: skip
        labels = [label for _code, label in services.checklist_for(self.p.grassroots)]
        self.assertEqual(labels, ["消防通道畅通", "摄像头工作正常", "急救箱齐全"])
        self.assertEqual(len(services.checklist_for(self.p.national)), 8)

    def test_a_failed_cameras_item_is_read_by_the_camera_selector(self) -> None:
        program = self.term.program
        self.assertFalse(inspection_facts.camera_reported_broken(program, today()))
        self.inspect(failed=("cameras",))
        self.assertTrue(inspection_facts.camera_reported_broken(program, today()))
        self.assertFalse(inspection_facts.camera_reported_broken(program, today() - DAY))

    def test_the_api_records_and_lists_and_outsiders_find_nothing(self) -> None:
        api = APIClient()
        api.force_login(self.p.caregiver)
        rows = [{"code": c["code"], "passed": c["code"] != "disinfection"}
                for c in checklist_answers(self.term)]  # fmt: skip
        response = api.post(
            "/api/v1/safety-checks/",
            {
                "term": self.term.pk,
                "results": json.dumps(rows),
                "photo_disinfection": image_upload(),
            },
            format="multipart",
        )
        self.assertEqual(response.status_code, 201, response.content)
        failed = [r for r in response.json()["results"] if not r["passed"]]
        self.assertEqual([r["code"] for r in failed], ["disinfection"])
        self.assertIsNotNone(failed[0]["follow_up"])
        listed = api.get("/api/v1/safety-checks/", {"term": self.term.pk}).json()
        self.assertEqual(listed["count"] if "count" in listed else len(listed), 1)
        pk = response.json()["id"]
        outsider = APIClient()
        outsider.force_login(self.p.outsider)
        self.assertEqual(outsider.get(f"/api/v1/safety-checks/{pk}/").status_code, 404)
        follow_up = failed[0]["follow_up"]
        self.assertEqual(
            outsider.get(f"/api/v1/safety-check-follow-ups/{follow_up}/").status_code, 404
        )
        page = self.client_for(self.p.outsider)
        self.assertEqual(page.get(reverse("care:inspection", args=[pk])).status_code, 404)
        closed = api.post(f"/api/v1/safety-check-follow-ups/{follow_up}/close/", {"note": "已消毒"})
        self.assertEqual(closed.status_code, 200, closed.content)
        self.assertIsNotNone(closed.json()["closed_at"])
