from django.conf import settings
from django.urls import reverse

from tuoguan.enrolment.models import Enrolment, EnrolmentStatus
from tuoguan.programs.compliance import registered_metrics, term_compliance
from tuoguan.programs.tests.factories import make_term
from tuoguan.testing import PersonaTestCase


class EnrolmentLendsFactsToTheStandardsTest(PersonaTestCase):
    def test_agreements_and_insurance_is_judged_from_enrolments(self) -> None:
        self.assertIn("agreements_insurance", registered_metrics())

    def test_with_nobody_admitted_the_veto_is_pending(self) -> None:
        rows = {row.criterion.metric: row for row in term_compliance(make_term(self.p)).rows}
        self.assertEqual(rows["agreements_insurance"].status, "pending")

    def test_an_admitted_child_without_papers_fails_the_veto(self) -> None:
        term = make_term(self.p)
        Enrolment.objects.create(
            term=term,
            child=self.p.child_one,
            guardian=self.p.parent_worker,
            status=EnrolmentStatus.ADMITTED,
        )
        result = term_compliance(term)
        rows = {row.criterion.metric: row for row in result.rows}
        self.assertEqual(rows["agreements_insurance"].status, "fail")
        self.assertIn("0 of 1", str(rows["agreements_insurance"].detail))
        self.assertTrue(result.veto_failed)

    def test_the_figure_reads_as_a_chinese_sentence_on_the_compliance_page(self) -> None:
        term = make_term(self.p)
        for child in (self.p.child_one, self.p.child_two):
            Enrolment.objects.create(
                term=term,
                child=child,
                guardian=self.p.parent_worker,
                status=EnrolmentStatus.ADMITTED,
            )
        client = self.client_for(self.p.province_admin)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
        page = client.get(reverse("programs:term_compliance", args=[term.pk]))
        self.assertContains(page, ">已录取 2 名儿童中 0 名已签协议并投保（保险覆盖整个班次）。<")
