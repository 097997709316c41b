"""Health notes: declared by the guardian, read by the class's caregivers during the term only."""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.formats import date_format

from tuoguan.audit.models import AuditEntry
from tuoguan.enrolment.models import HealthNote
from tuoguan.enrolment.services import health
from tuoguan.programs.models import Term

from .paperwork_support import DAY, PaperworkCase, actor, add_term_staff, seat, term_around, today


def audited_reads() -> int:
    return AuditEntry.objects.filter(action="view", model="enrolment.HealthNote").count()


class HealthNoteSaveTests(PaperworkCase):
    def setUp(self) -> None:
        self.enrolment = seat(term_around(self.p), self.p.child_one)

    def save(self, **change: object) -> HealthNote:
        fields: dict = {
            "allergies": "花生、芒果",
            "conditions": "轻度哮喘",
            "medication": "沙丁胺醇，需要时",
            "declared": True,
            **change,
        }
        return health.health_note_save(
            actor=actor(self.p.parent), enrolment=self.enrolment, **fields
        )

    def test_the_declared_note_is_saved_with_its_time(self) -> None:
        note = self.save()
        self.assertTrue(note.declared)
        self.assertIsNotNone(note.declared_at)
        self.save(allergies="")
        self.assertEqual(HealthNote.objects.get().allergies, "")

    def test_the_declaration_is_required(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            self.save(declared=False)
        self.assertEqual(list(caught.exception.message_dict), ["declared"])
        self.assertFalse(HealthNote.objects.exists())

    def test_an_overlong_field_is_refused(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            self.save(medication="药" * 2001)
        self.assertIn("medication", caught.exception.message_dict)

    def test_the_values_never_reach_the_audit_log(self) -> None:
        self.save()
        entry = AuditEntry.objects.filter(model="enrolment.HealthNote").latest("pk")
        self.assertNotIn("花生", str(entry.__dict__))

    def test_staff_cannot_write_the_family_s_note(self) -> None:
        with self.assertRaises(PermissionDenied):
            health.health_note_save(
                actor=actor(self.p.caregiver),
                enrolment=self.enrolment,
                allergies="",
                conditions="",
                medication="",
                declared=True,
            )


class HealthNoteReadTests(PaperworkCase):
    def note_for(self, term: Any) -> Any:
        enrolment = seat(term, self.p.child_one)
        health.health_note_save(
            actor=actor(self.p.parent),
            enrolment=enrolment,
            allergies="花生",
            conditions="",
            medication="",
            declared=True,
        )
        return enrolment

    def view(self, user: Any, enrolment: Any) -> Any:
        url = reverse("enrolment:health_view", kwargs={"pk": enrolment.pk})
        return self.client_for(user).get(url)

    def test_the_class_s_caregiver_reads_it_during_the_term_and_it_is_audited(self) -> None:
        enrolment = self.note_for(term_around(self.p, starts_in=-1))
        response = self.view(self.p.caregiver, enrolment)
        self.assertContains(response, "花生")
        entry = AuditEntry.objects.get(action="view", model="enrolment.HealthNote")
        self.assertEqual(entry.actor_id, self.p.caregiver.pk)
        self.assertTrue(entry.reason)

    def test_a_tutor_on_the_term_s_roster_reads_it_without_a_membership(self) -> None:
        term = term_around(self.p, starts_in=-1)
        tutor = get_user_model().objects.create_user(username="tutor", real_name="志愿者")
        add_term_staff(self.p, term, tutor, role="tutor")
        enrolment = self.note_for(term)
        self.assertContains(self.view(tutor, enrolment), "花生")
        self.assertEqual(audited_reads(), 1)

    def test_before_the_term_the_caregiver_gets_403_with_the_reason(self) -> None:
        term = term_around(self.p, starts_in=5)
        enrolment = self.note_for(term)
        response = self.view(self.p.caregiver, enrolment)
        self.assertEqual(response.status_code, 403)
        opens = f"from {date_format(term.start_date)}, the first day"
        self.assertContains(response, opens, status_code=403)
        self.assertNotContains(response, "花生", status_code=403)
        self.assertEqual(audited_reads(), 0)

    def test_after_the_term_the_caregiver_gets_403(self) -> None:
        term = term_around(self.p, starts_in=-1)
        enrolment = self.note_for(term)
        # The term ended yesterday (as if time had passed).
        Term.objects.filter(pk=term.pk).update(
            start_date=term.start_date - 30 * DAY, end_date=today() - DAY
        )
        self.assertEqual(self.view(self.p.caregiver, enrolment).status_code, 403)
        self.assertEqual(audited_reads(), 0)

    def test_a_union_admin_is_not_a_caregiver(self) -> None:
        enrolment = self.note_for(term_around(self.p, starts_in=-1))
        response = self.view(self.p.city_admin, enrolment)
        self.assertContains(response, "Only the caregivers", status_code=403)
        self.assertEqual(audited_reads(), 0)

    def test_the_guardian_reads_it_any_time_without_an_audit_entry(self) -> None:
        enrolment = self.note_for(term_around(self.p, starts_in=5))
        self.assertContains(self.view(self.p.parent, enrolment), "花生")
        self.assertEqual(audited_reads(), 0)

    def test_outsider_gets_404(self) -> None:
        enrolment = self.note_for(term_around(self.p, starts_in=-1))
        self.assertEqual(self.view(self.p.outsider, enrolment).status_code, 404)

    def test_another_family_gets_404(self) -> None:
        enrolment = self.note_for(term_around(self.p, starts_in=-1))
        self.assertEqual(self.view(self.p.other_parent, enrolment).status_code, 404)

    def test_anonymous_is_sent_to_log_in(self) -> None:
        enrolment = self.note_for(term_around(self.p, starts_in=-1))
        url = reverse("enrolment:health_view", kwargs={"pk": enrolment.pk})
        self.assert_login_redirect(self.anonymous().get(url))


class HealthEditPageTests(PaperworkCase):
    def setUp(self) -> None:
        self.enrolment = seat(term_around(self.p), self.p.child_one)
        self.url = reverse("enrolment:health_edit", kwargs={"pk": self.enrolment.pk})

    def test_the_parent_declares_the_note(self) -> None:
        response = self.client_for(self.p.parent).post(
            self.url, {"allergies": "花生", "conditions": "", "medication": "", "declared": "on"}
        )
        self.assertRedirects(
            response, reverse("enrolment:paperwork", kwargs={"pk": self.enrolment.pk})
        )
        self.assertTrue(HealthNote.objects.get().declared)

    def test_without_the_declaration_the_error_is_at_the_box(self) -> None:
        response = self.client_for(self.p.parent).post(self.url, {"allergies": "花生"})
        self.assertIn("declared", response.context["form"].errors)
        self.assertFalse(HealthNote.objects.exists())

    def test_the_caregiver_gets_403(self) -> None:
        self.assertEqual(self.client_for(self.p.caregiver).get(self.url).status_code, 403)

    def test_outsider_gets_404(self) -> None:
        self.assertEqual(self.client_for(self.p.outsider).get(self.url).status_code, 404)

    def test_another_family_gets_404(self) -> None:
        self.assertEqual(self.client_for(self.p.other_parent).get(self.url).status_code, 404)

    def test_anonymous_is_sent_to_log_in(self) -> None:
        self.assert_login_redirect(self.anonymous().post(self.url, {"declared": "on"}))
