"""The health check asks what the class's standard names, plus what the class adds; the class's
daily care rules are edited by its managers on one page."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tuoguan.care import services
from tuoguan.care.models import CarePolicy
from tuoguan.care.services.health import symptoms_asked
from tuoguan.enrolment.models import Enrolment
from tuoguan.programs import services as programs
from tuoguan.programs.models import Standard

from .support import CareCase, actor, confirmed, running_term


def province_standard_without_rash(p: object) -> Standard:
    """The province's own standard, in force for years, whose morning check skips rashes."""
    national = programs.standard_ensure_national_default()
    assert national is not None
    admin = actor(p.province_admin)  # type: ignore[attr-defined]
    draft = programs.standard_new_version(
        actor=admin,
        standard=national,
        org=p.province,  # type: ignore[attr-defined]
        effective_from=datetime.date(2020, 1, 1),
        title="省级标准",
    )
    programs.standard_update(
        actor=admin, standard=draft, health_symptoms=["mouth_hand_sores", "fever", "cough"]
    )
    return programs.standard_publish(actor=admin, standard=draft)


class SymptomsFollowTheStandardTests(CareCase):
    def setUp(self) -> None:
        self.standard = province_standard_without_rash(self.p)
        self.term = running_term(self.p)
        self.enrolment = confirmed(self.p, self.term, 1)
        self.carer = actor(self.p.caregiver)

    def test_the_check_asks_the_standards_symptoms_in_the_lists_order(self) -> None:
        self.assertEqual(self.standard.health_symptoms, ["fever", "cough", "mouth_hand_sores"])
        self.assertEqual(symptoms_asked(self.term), ["fever", "cough", "mouth_hand_sores"])

    def test_a_symptom_the_standard_does_not_ask_is_refused_until_the_class_adds_it(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            services.health_check_record(
                actor=self.carer, enrolment=self.enrolment, temperature="36.6", symptoms=["rash"]
            )
        self.assertIn("symptoms", caught.exception.message_dict)
        services.care_policy_update(
            actor=actor(self.p.grassroots_admin), program=self.term.program, symptoms=["rash"]
        )
        # A later request reads the class's rules afresh.
        enrolment = Enrolment.objects.get(pk=self.enrolment.pk)
        check = services.health_check_record(
            actor=self.carer, enrolment=enrolment, temperature="36.6", symptoms=["rash"]
        )
        self.assertEqual(check.symptoms, ["rash"])

    def test_the_health_check_page_offers_exactly_the_symptoms_asked(self) -> None:
        page = self.client_for(self.p.caregiver).get(
            reverse("care:health_check", args=[self.enrolment.pk])
        )
        self.assertContains(page, 'value="mouth_hand_sores"')
        self.assertNotContains(page, 'value="rash"')

    def test_a_new_version_keeps_the_symptoms_of_the_one_it_copies(self) -> None:
        copy = programs.standard_new_version(
            actor=actor(self.p.province_admin),
            standard=self.standard,
            effective_from=datetime.date(2030, 1, 1),
        )
        self.assertEqual(copy.health_symptoms, self.standard.health_symptoms)

    def test_a_published_standards_symptoms_cannot_change(self) -> None:
        with self.assertRaises(ValidationError):
            programs.standard_update(
                actor=actor(self.p.province_admin), standard=self.standard, health_symptoms=[]
            )

    def test_an_unknown_symptom_is_refused_by_the_standard(self) -> None:
        draft = programs.standard_new_version(
            actor=actor(self.p.province_admin),
            standard=self.standard,
            effective_from=datetime.date(2031, 1, 1),
        )
        with self.assertRaises(ValidationError) as caught:
            programs.standard_update(
                actor=actor(self.p.province_admin), standard=draft, health_symptoms=["flu"]
            )
        self.assertIn("health_symptoms", caught.exception.message_dict)

    def test_the_standards_page_and_api_show_what_the_check_asks(self) -> None:
        admin = self.client_for(self.p.province_admin)
        page = admin.get(reverse("programs:standard_detail", args=[self.standard.pk]))
        self.assertContains(page, "sores on mouth or hands")
        self.assertNotContains(page, ">rash")
        api = admin.get(f"/api/v1/standards/{self.standard.pk}/")
        self.assertEqual(api.json()["health_symptoms"], ["fever", "cough", "mouth_hand_sores"])


class CareRulesPageTests(CareCase):
    def setUp(self) -> None:
        province_standard_without_rash(self.p)
        self.term = running_term(self.p)
        self.url = reverse("care:rules", args=[self.term.program_id])
        self.manager = self.client_for(self.p.grassroots_admin)

    def test_the_manager_sees_the_standards_list_and_adds_a_symptom(self) -> None:
        page = self.manager.get(self.url)
        self.assertContains(page, "sores on mouth or hands")
        # Only what the standard does not ask is offered.
        self.assertContains(page, 'value="rash"')
        self.assertNotContains(page, 'value="cough"')
        response = self.manager.post(
            self.url,
            {
                "absent_alert_minutes": "45",
                "late_pickup_minutes": "20",
                "fever_from": "37.5",
                "symptoms": ["rash"],
                "epidemic_children": "4",
                "epidemic_days": "5",
            },
        )
        self.assertRedirects(response, self.url)
        policy = CarePolicy.objects.get(program=self.term.program)
        self.assertEqual(
            (policy.absent_alert_minutes, policy.fever_from, policy.symptoms),
            (45, Decimal("37.5"), ["rash"]),
        )
        self.assertEqual((policy.epidemic_children, policy.epidemic_days), (4, 5))
        self.assertIn("rash", symptoms_asked(self.term))

    def test_bad_input_is_refused_with_a_translated_error_and_nothing_is_saved(self) -> None:
        response = self.manager.post(
            self.url,
            {
                "absent_alert_minutes": "45",
                "late_pickup_minutes": "20",
                "fever_from": "41",
                "epidemic_children": "1",
                "epidemic_days": "3",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "errorlist")
        policy = CarePolicy.objects.get(program=self.term.program)
        self.assertEqual((policy.absent_alert_minutes, policy.epidemic_children), (60, 3))

    def test_a_caregiver_may_not_change_the_rules_and_an_outsider_finds_no_class(self) -> None:
        self.assertEqual(self.client_for(self.p.caregiver).get(self.url).status_code, 403)
        self.assertEqual(self.client_for(self.p.outsider).get(self.url).status_code, 404)
        with self.assertRaises(PermissionDenied):
            services.care_policy_update(
                actor=actor(self.p.caregiver), program=self.term.program, late_pickup_minutes=5
            )
