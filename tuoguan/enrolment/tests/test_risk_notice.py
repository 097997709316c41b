"""The class's risk notice: acknowledged by the guardian, and asked again when it changes."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tuoguan.enrolment.models import EnrolmentStatus, RiskNoticeAck
from tuoguan.enrolment.services import paperwork
from tuoguan.programs import services as programs

from .paperwork_support import PaperworkCase, actor, complete, seat, term_around

NOTICE = "户外活动存在摔伤、中暑风险，请为孩子准备帽子和饮用水。"


class RiskNoticeTests(PaperworkCase):
    def setUp(self) -> None:
        self.term = term_around(self.p, risk_notice=NOTICE)
        self.enrolment = seat(self.term, self.p.child_one)

    def acknowledge(self) -> RiskNoticeAck:
        return paperwork.risk_notice_acknowledge(
            actor=actor(self.p.parent), enrolment=self.enrolment
        )

    def test_the_acknowledgement_keeps_the_digest_of_the_text_read(self) -> None:
        ack = self.acknowledge()
        self.assertEqual(ack.notice_digest, paperwork.risk_notice_digest(NOTICE))
        self.assertEqual(ack.acknowledged_by, self.p.parent)
        self.assertNotIn("risk_notice", paperwork.paperwork_missing(self.enrolment))
        self.assertEqual(self.acknowledge(), ack)

    def test_a_changed_notice_is_asked_again(self) -> None:
        enrolment = complete(self.enrolment)
        self.assertEqual(enrolment.status, EnrolmentStatus.CONFIRMED)
        programs.program_update(
            actor=actor(self.p.grassroots_admin),
            program=self.term.program,
            risk_notice=NOTICE + "新增：游泳课需家长陪同。",
        )
        enrolment = paperwork.enrolment_sync_confirmation(enrolment=enrolment)
        self.assertEqual(enrolment.status, EnrolmentStatus.ADMITTED)
        self.assertEqual(paperwork.paperwork_missing(enrolment), ["risk_notice"])
        item = paperwork.paperwork_checklist(enrolment)[-1]
        self.assertIn("changed", item.detail)
        self.acknowledge()
        enrolment.refresh_from_db()
        self.assertEqual(enrolment.status, EnrolmentStatus.CONFIRMED)
        self.assertEqual(RiskNoticeAck.objects.count(), 2)

    def test_whitespace_around_the_notice_does_not_ask_again(self) -> None:
        self.acknowledge()
        programs.program_update(
            actor=actor(self.p.grassroots_admin),
            program=self.term.program,
            risk_notice=f"\n{NOTICE}  ",
        )
        self.assertNotIn("risk_notice", paperwork.paperwork_missing(self.enrolment))

    def test_a_class_without_a_notice_has_nothing_to_acknowledge(self) -> None:
        enrolment = seat(term_around(self.p), self.p.child_two)
        with self.assertRaises(ValidationError):
            paperwork.risk_notice_acknowledge(actor=actor(self.p.parent), enrolment=enrolment)
        self.assertFalse(RiskNoticeAck.objects.exists())

    def test_staff_cannot_acknowledge_for_the_family(self) -> None:
        with self.assertRaises(PermissionDenied):
            paperwork.risk_notice_acknowledge(
                actor=actor(self.p.grassroots_admin), enrolment=self.enrolment
            )


class RiskNoticePageTests(PaperworkCase):
    def setUp(self) -> None:
        self.enrolment = seat(term_around(self.p, risk_notice=NOTICE), self.p.child_one)
        self.url = reverse("enrolment:risk_ack", kwargs={"pk": self.enrolment.pk})

    def test_the_parent_reads_and_acknowledges_the_notice(self) -> None:
        client = self.client_for(self.p.parent)
        self.assertContains(client.get(self.url), "中暑")
        response = client.post(self.url, {"acknowledged": "on"})
        self.assertRedirects(
            response, reverse("enrolment:paperwork", kwargs={"pk": self.enrolment.pk})
        )
        self.assertEqual(RiskNoticeAck.objects.count(), 1)
        self.assertContains(client.get(self.url), "You have acknowledged this notice.")

    def test_without_the_box_the_error_is_at_the_box(self) -> None:
        response = self.client_for(self.p.parent).post(self.url, {})
        self.assertIn("acknowledged", response.context["form"].errors)
        self.assertFalse(RiskNoticeAck.objects.exists())

    def test_the_host_admin_gets_403(self) -> None:
        self.assertEqual(self.client_for(self.p.grassroots_admin).get(self.url).status_code, 403)

    def test_outsider_gets_404(self) -> None:
        self.assertEqual(self.client_for(self.p.outsider).get(self.url).status_code, 404)

    def test_another_family_gets_404(self) -> None:
        self.assertEqual(self.client_for(self.p.other_parent).get(self.url).status_code, 404)

    def test_anonymous_is_sent_to_log_in(self) -> None:
        self.assert_login_redirect(self.anonymous().post(self.url, {"acknowledged": "on"}))
        self.assertFalse(RiskNoticeAck.objects.exists())
