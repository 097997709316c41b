"""The care agreement: templates per union (inherited, versioned), signing, and re-signing."""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tuoguan.enrolment.agreement_templates import NATIONAL_DEFAULT_TITLE
from tuoguan.enrolment.models import Agreement, AgreementTemplate, EnrolmentStatus
from tuoguan.enrolment.services import agreements, paperwork
from tuoguan.notifications.models import Notification

from .paperwork_support import DAY, PaperworkCase, actor, complete, seat, term_around, today

BODY = (
    "甲方{host}与乙方{guardian}就{child}参加{program}（{term}）达成协议：托管期为{start}至{end}。"
    * 2
)


class TemplateTests(PaperworkCase):
    def test_the_national_default_is_created_with_the_national_union(self) -> None:
        self.assertEqual(
            list(AgreementTemplate.objects.values_list("org", flat=True)), [self.p.national.pk]
        )
        template = agreements.agreement_template_for(self.p.grassroots)
        assert template is not None
        self.assertEqual(template.org, self.p.national)
        self.assertIn("{child}", template.body)
        self.assertIn("个人信息", template.body)
        self.assertEqual(agreements.unknown_placeholders(template.body), [])

    def test_the_nearest_union_s_version_wins(self) -> None:
        agreements.agreement_template_ensure_default()
        city = agreements.agreement_template_publish(
            actor=actor(self.p.city_admin),
            org=self.p.city,
            title="大连市托管协议",
            body=BODY,
            effective_from=today(),
        )
        self.assertEqual(agreements.agreement_template_for(self.p.grassroots), city)
        far = agreements.agreement_template_for(self.p.other_grassroots_far)
        assert far is not None
        self.assertEqual(far.org, self.p.national)

    def test_versions_are_numbered_per_union(self) -> None:
        for _n in range(2):
            template = agreements.agreement_template_publish(
                actor=actor(self.p.city_admin),
                org=self.p.city,
                title="协议",
                body=BODY,
                effective_from=today(),
            )
        self.assertEqual(template.version, 2)

    def test_bad_templates_are_refused_by_field(self) -> None:
        cases: dict[str, dict[str, Any]] = {
            "body": {"body": BODY + "{salary}"},
            "title": {"title": "  "},
            "effective_from": {"effective_from": today() - DAY},
        }
        for field, change in cases.items():
            with self.subTest(field=field):
                fields: dict[str, Any] = {
                    "title": "协议",
                    "body": BODY,
                    "effective_from": today(),
                    **change,
                }
                with self.assertRaises(ValidationError) as caught:
                    agreements.agreement_template_publish(
                        actor=actor(self.p.city_admin), org=self.p.city, **fields
                    )
                self.assertIn(field, caught.exception.message_dict)
        self.assertFalse(AgreementTemplate.objects.filter(org=self.p.city).exists())

    def test_only_admins_of_the_union_publish(self) -> None:
        for user, org in (
            (self.p.caregiver, self.p.grassroots),
            (self.p.outsider, self.p.city),
            (self.p.grassroots_admin, self.p.city),
        ):
            with self.subTest(user=user.username), self.assertRaises(PermissionDenied):
                agreements.agreement_template_publish(
                    actor=actor(user), org=org, title="协议", body=BODY, effective_from=today()
                )


class SigningTests(PaperworkCase):
    def setUp(self) -> None:
        self.term = term_around(self.p)
        self.enrolment = seat(self.term, self.p.child_one)

    def sign(self, **overrides: object) -> Agreement:
        fields: dict = {"signer_name": "王家长", "consent": True, "ip": "10.1.2.3", **overrides}
        return agreements.agreement_sign(
            actor=actor(self.p.parent), enrolment=self.enrolment, **fields
        )

    def test_the_signature_freezes_the_filled_text_with_time_and_ip(self) -> None:
        agreement = self.sign(signer_name="  王家长 ")
        self.assertEqual(agreement.signer_name, "王家长")
        self.assertEqual(agreement.ip, "10.1.2.3")
        self.assertIsNotNone(agreement.signed_at)
        for value in ("王小一", "王家长", self.term.start_date.isoformat(), "大连港集团工会"):
            self.assertIn(value, agreement.text)
        self.assertNotIn("{", agreement.text)

    def test_a_name_that_is_not_the_guardian_s_is_refused(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            self.sign(signer_name="王小一")
        self.assertIn("signer_name", caught.exception.message_dict)
        self.assertFalse(Agreement.objects.exists())

    def test_signing_without_the_consent_box_is_refused(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            self.sign(consent=False)
        self.assertEqual(list(caught.exception.message_dict), ["consent"])
        self.assertFalse(Agreement.objects.exists())

    def test_signing_twice_keeps_one_signature(self) -> None:
        self.assertEqual(self.sign(), self.sign())
        self.assertEqual(Agreement.objects.count(), 1)

    def test_staff_cannot_sign_for_the_family(self) -> None:
        with self.assertRaises(PermissionDenied):
            agreements.agreement_sign(
                actor=actor(self.p.grassroots_admin),
                enrolment=self.enrolment,
                signer_name="王家长",
                consent=True,
                ip=None,
            )

    def test_a_withdrawn_application_has_nothing_to_sign(self) -> None:
        self.enrolment.status = EnrolmentStatus.WITHDRAWN
        self.enrolment.save()
        with self.assertRaises(ValidationError):
            self.sign()


class NewVersionTests(PaperworkCase):
    def publish(self, effective_from: datetime.date) -> AgreementTemplate:
        with self.captureOnCommitCallbacks(execute=True):
            return agreements.agreement_template_publish(
                actor=actor(self.p.city_admin),
                org=self.p.city,
                title="大连市托管协议（修订）",
                body=BODY,
                effective_from=effective_from,
            )

    def test_a_new_version_unconfirms_until_the_family_signs_again(self) -> None:
        enrolment = complete(seat(term_around(self.p, starts_in=10), self.p.child_one))
        self.assertEqual(enrolment.status, EnrolmentStatus.CONFIRMED)
        template = self.publish(today())
        enrolment.refresh_from_db()
        self.assertEqual(enrolment.status, EnrolmentStatus.ADMITTED)
        self.assertEqual(paperwork.paperwork_missing(enrolment), ["agreement"])
        item = paperwork.paperwork_checklist(enrolment)[1]
        self.assertIn("sign it again", item.detail)
        self.assertTrue(
            Notification.objects.filter(
                recipient=self.p.parent, subject__contains="new care agreement"
            ).exists()
        )
        agreement = agreements.agreement_sign(
            actor=actor(self.p.parent),
            enrolment=enrolment,
            signer_name="王家长",
            consent=True,
            ip=None,
        )
        self.assertEqual(agreement.template, template)
        enrolment.refresh_from_db()
        self.assertEqual(enrolment.status, EnrolmentStatus.CONFIRMED)
        self.assertEqual(enrolment.agreements.count(), 2)

    def test_a_family_that_never_signed_is_not_told_of_the_new_version(self) -> None:
        enrolment = seat(term_around(self.p, starts_in=10), self.p.child_one)
        self.publish(today())
        self.assertFalse(
            Notification.objects.filter(subject__contains="new care agreement").exists()
        )
        self.assertEqual(paperwork.paperwork_missing(enrolment)[0], "agreement")

    def test_a_running_term_keeps_the_version_it_started_with(self) -> None:
        enrolment = complete(seat(term_around(self.p, starts_in=-2), self.p.child_one))
        self.publish(today())
        enrolment.refresh_from_db()
        self.assertEqual(enrolment.status, EnrolmentStatus.CONFIRMED)

    def test_a_version_of_another_line_changes_nothing_here(self) -> None:
        enrolment = complete(seat(term_around(self.p, starts_in=10), self.p.child_one))
        with self.captureOnCommitCallbacks(execute=True):
            agreements.agreement_template_publish(
                actor=actor(self.p.outsider),
                org=self.p.other_province,
                title="四川",
                body=BODY,
                effective_from=today(),
            )
        enrolment.refresh_from_db()
        self.assertEqual(enrolment.status, EnrolmentStatus.CONFIRMED)


class SignPageTests(PaperworkCase):
    def setUp(self) -> None:
        self.term = term_around(self.p)
        self.enrolment = seat(self.term, self.p.child_one)
        self.url = reverse("enrolment:agreement_sign", kwargs={"pk": self.enrolment.pk})

    def test_the_page_shows_the_filled_text(self) -> None:
        response = self.client_for(self.p.parent).get(self.url)
        self.assertContains(response, "王小一")
        self.assertContains(response, self.term.end_date.isoformat())

    def test_signing_on_the_page_records_the_ip(self) -> None:
        response = self.client_for(self.p.parent).post(
            self.url, {"signer_name": "王家长", "consent": "on"}, REMOTE_ADDR="192.0.2.7"
        )
        self.assertRedirects(
            response, reverse("enrolment:paperwork", kwargs={"pk": self.enrolment.pk})
        )
        self.assertEqual(Agreement.objects.get().ip, "192.0.2.7")

    def test_a_wrong_name_is_shown_at_the_field_and_nothing_saved(self) -> None:
        response = self.client_for(self.p.parent).post(
            self.url, {"signer_name": "别人", "consent": "on"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("signer_name", response.context["form"].errors)
        self.assertFalse(Agreement.objects.exists())

    def test_no_consent_is_shown_at_the_field_and_nothing_saved(self) -> None:
        response = self.client_for(self.p.parent).post(self.url, {"signer_name": "王家长"})
        self.assertIn("consent", response.context["form"].errors)
        self.assertFalse(Agreement.objects.exists())

    def test_the_host_admin_gets_403(self) -> None:
        self.assertEqual(self.client_for(self.p.grassroots_admin).get(self.url).status_code, 403)

    def test_outsider_gets_404(self) -> None:
        self.assertEqual(self.client_for(self.p.outsider).get(self.url).status_code, 404)

    def test_another_family_gets_404(self) -> None:
        self.assertEqual(self.client_for(self.p.other_parent).get(self.url).status_code, 404)

    def test_anonymous_is_sent_to_log_in(self) -> None:
        self.assert_login_redirect(self.anonymous().post(self.url, {"signer_name": "王家长"}))


class TemplatePageTests(PaperworkCase):
    url = reverse("enrolment:agreement_templates")

    def test_an_admin_sees_the_version_in_force_and_publishes_one(self) -> None:
        client = self.client_for(self.p.city_admin)
        response = client.get(self.url)
        self.assertContains(response, "In force today")
        self.assertEqual(response.context["form"].initial["title"], NATIONAL_DEFAULT_TITLE)
        response = client.post(
            self.url, {"title": "大连市协议", "body": BODY, "effective_from": today().isoformat()}
        )
        self.assertRedirects(response, self.url)
        self.assertEqual(AgreementTemplate.objects.get(org=self.p.city).version, 1)

    def test_an_unknown_placeholder_is_shown_at_the_field(self) -> None:
        response = self.client_for(self.p.city_admin).post(
            self.url, {"title": "协议", "body": BODY + "{salary}", "effective_from": today()}
        )
        self.assertIn("body", response.context["form"].errors)
        self.assertFalse(AgreementTemplate.objects.filter(org=self.p.city).exists())

    def test_a_caregiver_gets_403(self) -> None:
        self.assertEqual(self.client_for(self.p.caregiver).get(self.url).status_code, 403)

    def test_a_parent_gets_403(self) -> None:
        self.assertEqual(self.client_for(self.p.parent).get(self.url).status_code, 403)

    def test_the_outsider_sees_only_their_own_union_s_versions(self) -> None:
        agreements.agreement_template_publish(
            actor=actor(self.p.city_admin),
            org=self.p.city,
            title="大连市协议",
            body=BODY,
            effective_from=today(),
        )
        response = self.client_for(self.p.outsider).get(self.url)
        self.assertNotContains(response, "大连市协议")

    def test_anonymous_is_sent_to_log_in(self) -> None:
        self.assert_login_redirect(self.anonymous().get(self.url))
