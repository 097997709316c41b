"""A cover entered by mistake: the parent corrects or withdraws it until the class manager
accepts it; a policy number twice for one child is refused; the checklist offers "change"
only where a change is possible, and a manager is never linked to what they cannot open."""

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.formats import date_format

from tuoguan.audit.models import AuditEntry
from tuoguan.enrolment.models import EnrolmentStatus, Insurance
from tuoguan.enrolment.services import insurance, paperwork
from tuoguan.programs.tests.support import api_for

from .paperwork_support import DAY, PaperworkCase, actor, complete, seat, term_around


class CorrectionCase(PaperworkCase):
    def setUp(self) -> None:
        self.term = term_around(self.p)
        self.enrolment = seat(self.term, self.p.child_one)
        self.cover = self.add("PA-001", ends_on=self.term.end_date - DAY)  # a typo: a day short

    def add(self, number: str, **dates: Any) -> Insurance:
        return insurance.insurance_add(
            actor=actor(self.p.parent),
            child=self.p.child_one,
            insurer="平安保险",
            policy_number=number,
            starts_on=dates.get("starts_on", self.term.start_date),
            ends_on=dates.get("ends_on", self.term.end_date),
        )

    def fields(self, **changes: Any) -> dict[str, Any]:
        return {
            "insurer": "平安保险",
            "policy_number": "PA-001",
            "starts_on": self.term.start_date,
            "ends_on": self.term.end_date,
            **changes,
        }

    def accept(self) -> None:
        insurance.insurance_accept(actor=actor(self.p.grassroots_admin), cover=self.cover)


class ServiceTest(CorrectionCase):
    def test_the_parent_corrects_a_cover_and_the_item_is_done(self) -> None:
        self.assertIn("insurance", paperwork.paperwork_missing(self.enrolment))
        insurance.insurance_update(actor=actor(self.p.parent), cover=self.cover, **self.fields())
        self.cover.refresh_from_db()
        self.assertEqual(self.cover.ends_on, self.term.end_date)
        self.assertNotIn("insurance", paperwork.paperwork_missing(self.enrolment))
        self.assertTrue(
            AuditEntry.objects.filter(
                model="enrolment.Insurance", object_id=str(self.cover.pk), action="update"
            ).exists()
        )

    def test_the_parent_withdraws_a_cover_entered_by_mistake(self) -> None:
        insurance.insurance_withdraw(actor=actor(self.p.parent), cover=self.cover)
        self.assertFalse(Insurance.objects.filter(pk=self.cover.pk).exists())
        self.assertTrue(
            AuditEntry.objects.filter(model="enrolment.Insurance", action="delete").exists()
        )

    def test_once_the_class_accepted_it_the_parent_can_no_longer_change_it(self) -> None:
        self.accept()
        self.cover.refresh_from_db()
        self.assertEqual(self.cover.accepted_by, self.p.grassroots_admin)
        with self.assertRaises(ValidationError) as caught:
            insurance.insurance_update(
                actor=actor(self.p.parent), cover=self.cover, **self.fields()
            )
        self.assertIn("Ask the class manager to correct it", str(caught.exception))
        with self.assertRaises(ValidationError):
            insurance.insurance_withdraw(actor=actor(self.p.parent), cover=self.cover)
        self.assertEqual(Insurance.objects.get(pk=self.cover.pk).ends_on, self.cover.ends_on)

    def test_the_same_policy_number_twice_for_one_child_is_refused(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            self.add("pa-001 ")
        self.assertIn(
            "already recorded for 王小一", caught.exception.message_dict["policy_number"][0]
        )
        second = self.add("PA-002")
        with self.assertRaises(ValidationError) as caught:
            insurance.insurance_update(
                actor=actor(self.p.parent), cover=second, **self.fields(policy_number="PA-001")
            )
        self.assertIn("policy_number", caught.exception.message_dict)
        self.assertEqual(Insurance.objects.filter(child=self.p.child_one).count(), 2)

    def test_the_same_number_for_another_child_is_another_policy(self) -> None:
        insurance.insurance_add(
            actor=actor(self.p.parent),
            child=self.p.child_two,
            insurer="平安保险",
            policy_number="PA-001",
            starts_on=self.term.start_date,
            ends_on=self.term.end_date,
        )
        self.assertEqual(Insurance.objects.filter(policy_number="PA-001").count(), 2)

    def test_only_the_class_manager_accepts(self) -> None:
        from django.core.exceptions import PermissionDenied

        for user in (self.p.parent, self.p.caregiver, self.p.outsider):
            with self.subTest(user.username), self.assertRaises(PermissionDenied):
                insurance.insurance_accept(actor=actor(user), cover=self.cover)
        self.assertIsNone(Insurance.objects.get(pk=self.cover.pk).accepted_at)


class PagesTest(CorrectionCase):
    def test_the_parent_corrects_and_withdraws_from_the_insurance_page(self) -> None:
        client = self.client_for(self.p.parent)
        page = client.get(reverse("enrolment:insurance_add", args=[self.p.child_one.pk]))
        edit = reverse("enrolment:insurance_edit", args=[self.cover.pk])
        self.assertContains(page, edit)
        self.assertContains(page, reverse("enrolment:insurance_withdraw", args=[self.cover.pk]))
        response = client.post(edit, {**self.fields(), "ends_on": "2000-01-01"})
        self.assertEqual(response.status_code, 400)
        response = client.post(edit, self.fields())
        self.assertEqual(response.status_code, 302)
        self.cover.refresh_from_db()
        self.assertEqual(self.cover.ends_on, self.term.end_date)
        client.post(reverse("enrolment:insurance_withdraw", args=[self.cover.pk]))
        self.assertFalse(Insurance.objects.exists())

    def test_an_accepted_cover_offers_no_change_and_says_whom_to_ask(self) -> None:
        self.accept()
        page = self.client_for(self.p.parent).get(
            reverse("enrolment:insurance_add", args=[self.p.child_one.pk])
        )
        self.assertNotContains(page, reverse("enrolment:insurance_edit", args=[self.cover.pk]))
        self.assertContains(page, "ask the class manager to correct it")
        response = self.client_for(self.p.parent).post(
            reverse("enrolment:insurance_withdraw", args=[self.cover.pk]), follow=True
        )
        self.assertContains(response, "can no longer be changed")
        self.assertTrue(Insurance.objects.filter(pk=self.cover.pk).exists())

    def test_the_manager_accepts_from_the_paperwork_page(self) -> None:
        insurance.insurance_update(actor=actor(self.p.parent), cover=self.cover, **self.fields())
        client = self.client_for(self.p.grassroots_admin)
        url = reverse("enrolment:paperwork", args=[self.enrolment.pk])
        accept = reverse("enrolment:insurance_accept", args=[self.cover.pk])
        self.assertContains(client.get(url), accept)
        self.assertRedirects(client.post(accept, {"next": url}), url)
        self.assertIsNotNone(Insurance.objects.get(pk=self.cover.pk).accepted_at)
        self.assertNotContains(client.get(url), accept)

    def test_the_family_edit_page_is_403_for_staff_and_404_for_others(self) -> None:
        edit = reverse("enrolment:insurance_edit", args=[self.cover.pk])
        self.assertEqual(self.client_for(self.p.grassroots_admin).get(edit).status_code, 403)
        self.assertEqual(self.client_for(self.p.other_parent).get(edit).status_code, 404)


class ApiTest(CorrectionCase):
    def url(self) -> str:
        return reverse("insurance-detail", args=[self.cover.pk])

    def test_the_parent_corrects_with_patch_and_withdraws_with_delete(self) -> None:
        client = api_for(self.p.parent)
        response = client.patch(self.url(), {"ends_on": str(self.term.end_date)}, format="json")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["ends_on"], str(self.term.end_date))
        self.assertIs(response.json()["changeable"], True)
        self.assertEqual(client.delete(self.url()).status_code, 204)
        self.assertFalse(Insurance.objects.exists())

    def test_after_acceptance_a_change_is_400_with_the_reason(self) -> None:
        response = api_for(self.p.grassroots_admin).post(
            reverse("insurance-accept", args=[self.cover.pk])
        )
        self.assertEqual(response.status_code, 200)
        self.assertIs(response.json()["changeable"], False)
        response = api_for(self.p.parent).patch(self.url(), {"insurer": "人保"}, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertIn("can no longer be changed", str(response.json()))

    def test_a_duplicate_policy_number_is_400_at_the_field(self) -> None:
        response = api_for(self.p.parent).post(
            reverse("child-insurance", args=[self.p.child_one.pk]),
            {"insurer": "平安保险", "policy_number": "PA-001", "starts_on": "2026-01-01",
             "ends_on": "2026-12-31"},
            format="json",
        )  # fmt: skip
        self.assertEqual(response.status_code, 400)
        self.assertIn("policy_number", response.json())


class ChecklistTest(PaperworkCase):
    def test_a_done_item_offers_change_only_where_a_change_is_possible(self) -> None:
        enrolment = complete(seat(term_around(self.p, risk_notice="注意防暑"), self.p.child_one))
        items = {i.key: i for i in paperwork.paperwork_checklist(enrolment)}
        self.assertTrue(all(item.done for item in items.values()))
        changeable = {key for key, item in items.items() if item.changeable}
        self.assertEqual(changeable, {"insurance", "pickup", "health"})
        cover = Insurance.objects.get(child=self.p.child_one)
        insurance.insurance_accept(actor=actor(self.p.grassroots_admin), cover=cover)
        items = {i.key: i for i in paperwork.paperwork_checklist(enrolment)}
        self.assertFalse(items["insurance"].changeable)
        page = self.client_for(self.p.parent).get(
            reverse("enrolment:paperwork", args=[enrolment.pk])
        )
        buttons = re.findall(
            r'id="item-(\w+)".*?<a class="btn[^>]*>\s*(\w+)\s*</a>', page.content.decode(), re.S
        )
        self.assertEqual(
            dict(buttons),
            {"consent": "View", "agreement": "View", "insurance": "View", "pickup": "Change",
             "health": "Change", "risk_notice": "View"},
        )  # fmt: skip

    def test_before_the_term_a_manager_reads_when_health_notes_open_not_a_link(self) -> None:
        term = term_around(self.p, starts_in=5)
        enrolment = complete(seat(term, self.p.child_one))
        self.assertEqual(enrolment.status, EnrolmentStatus.CONFIRMED)
        health = reverse("enrolment:health_view", args=[enrolment.pk])
        page = self.client_for(self.p.caregiver).get(
            reverse("enrolment:paperwork", args=[enrolment.pk])
        )
        self.assertNotContains(page, health)
        self.assertContains(page, f"from {date_format(term.start_date)}, the first day")

    def test_while_the_term_runs_the_caregiver_gets_the_link(self) -> None:
        enrolment = complete(seat(term_around(self.p), self.p.child_one))
        page = self.client_for(self.p.caregiver).get(
            reverse("enrolment:paperwork", args=[enrolment.pk])
        )
        self.assertContains(page, reverse("enrolment:health_view", args=[enrolment.pk]))

    def test_an_admin_who_is_not_a_caregiver_is_told_so_not_linked(self) -> None:
        enrolment = complete(seat(term_around(self.p), self.p.child_one))
        page = self.client_for(self.p.city_admin).get(
            reverse("enrolment:paperwork", args=[enrolment.pk])
        )
        self.assertNotContains(page, reverse("enrolment:health_view", args=[enrolment.pk]))
        self.assertContains(page, "Only the caregivers of the class may read health notes.")
