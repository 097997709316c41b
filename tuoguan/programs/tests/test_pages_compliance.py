"""Compliance pages: per term (with evidence upload and review) and across the subtree."""

import datetime
import re

from django.conf import settings
from django.urls import reverse

from tuoguan.programs import services
from tuoguan.programs.models import Criterion, Evidence
from tuoguan.programs.standards import term_standard
from tuoguan.testing import PersonaTestCase

from .factories import actor, make_group, make_term, make_venue, pdf_upload
from .support import TempMedia, count_queries, errors_of

D = datetime.date


def submitted_term(p, **overrides):  # type: ignore[no-untyped-def]
    term = make_term(p, **overrides)
    return services.term_submit(actor=actor(p.grassroots_admin), term=term)


class TermCompliancePageTest(TempMedia, PersonaTestCase):
    def setUp(self) -> None:
        expired = make_venue(self.p, fire_cert_expires=D(2021, 7, 31), indoor_area_m2=60)
        self.term = submitted_term(self.p, venue=expired)
        self.url = reverse("programs:term_compliance", args=[self.term.pk])
        standard = term_standard(self.term)
        assert standard is not None
        self.pickup = standard.criteria.get(code="proc_pickup")

    def test_each_criterion_says_pass_fail_or_pending_in_words_with_its_figure(self) -> None:
        page = self.client_for(self.p.province_admin).get(self.url)
        self.assertContains(page, "Non-compliant")
        self.assertContains(page, "(a veto criterion fails)")
        html = page.content.decode()
        for sign, word in (("circle-x", "Fail"), ("circle-check", "Pass"), ("clock", "Pending")):
            self.assertRegex(html, rf'<svg class="icon icon-{sign} [^>]*>.*?</svg>{word}')
        self.assertContains(page, "expires on July 31, 2021, before the term ends")
        self.assertContains(page, "60 m² indoors (at least 80 m²).")
        self.assertContains(page, "No evidence uploaded yet.")

    def test_figures_read_as_chinese_sentences_with_whole_numbers(self) -> None:
        client = self.client_for(self.p.province_admin)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
        page = client.get(self.url).content.decode()
        self.assertIn("室内面积 60 平方米（不少于 80 平方米）。", page)
        self.assertIn("计划名额 30 个（暂无报名数据）（不少于 20 名）。", page)
        self.assertIn("托管日 25 天（不少于 20 天）。", page)
        # No figure in front of the sentence, no "20.00" for a whole threshold.
        why = re.findall(r'data-label="原因">\s*(.*?)\s*</td>', page, re.S)
        self.assertTrue(why)
        self.assertFalse([w for w in why if re.match(r"<strong>|\d", w)], why)
        self.assertNotIn(".00", " ".join(why))

    def test_the_outsider_and_a_parent_get_404(self) -> None:
        for user in (self.p.outsider, self.p.parent):
            self.assertEqual(self.client_for(user).get(self.url).status_code, 404)

    def test_the_class_uploads_evidence_and_the_city_reviews_it(self) -> None:
        upload = reverse("programs:evidence_upload", args=[self.term.pk])
        host = self.client_for(self.p.grassroots_admin)
        response = host.post(upload, {"criterion": self.pickup.pk, "file": pdf_upload()})
        self.assertRedirects(response, self.url)
        evidence = Evidence.objects.get()
        self.assertEqual(evidence.status, Evidence.Status.PENDING)
        city = self.client_for(self.p.city_admin)
        self.assertContains(
            city.get(self.url), reverse("programs:evidence_review", args=[evidence.pk])
        )
        served = city.get(reverse("programs:evidence_file", args=[evidence.pk]))
        self.assertEqual(served["Content-Type"], "application/pdf")
        review = reverse("programs:evidence_review", args=[evidence.pk])
        response = city.post(review, {"decision": "reject", "comment": ""})
        self.assertIn("comment", errors_of(response))
        evidence.refresh_from_db()
        self.assertEqual(evidence.status, Evidence.Status.PENDING)
        city.post(review, {"decision": "reject", "comment": "缺少接送签字记录"})
        evidence.refresh_from_db()
        self.assertEqual(evidence.status, Evidence.Status.REJECTED)
        self.assertContains(host.get(self.url), "缺少接送签字记录")

    def test_a_computed_criterion_takes_no_evidence(self) -> None:
        computed = Criterion.objects.get(standard=self.pickup.standard, code="fire_exits")
        upload = reverse("programs:evidence_upload", args=[self.term.pk])
        response = self.client_for(self.p.grassroots_admin).post(
            upload, {"criterion": computed.pk, "file": pdf_upload()}
        )
        self.assertIn("criterion", errors_of(response))
        self.assertFalse(Evidence.objects.exists())

    def test_only_the_host_uploads_and_only_unions_above_review(self) -> None:
        upload = reverse("programs:evidence_upload", args=[self.term.pk])
        for user, code in ((self.p.caregiver, 403), (self.p.reviewer, 403), (self.p.outsider, 404)):
            response = self.client_for(user).post(
                upload, {"criterion": self.pickup.pk, "file": pdf_upload()}
            )
            self.assertEqual(response.status_code, code)
        self.assertFalse(Evidence.objects.exists())
        evidence = services.evidence_upload(
            actor=actor(self.p.grassroots_admin),
            term=self.term,
            criterion=self.pickup,
            file=pdf_upload(),
        )
        review = reverse("programs:evidence_review", args=[evidence.pk])
        for user, code in ((self.p.grassroots_admin, 403), (self.p.outsider, 404)):
            self.assertEqual(
                self.client_for(user).post(review, {"decision": "accept"}).status_code, code
            )
        self.client_for(self.p.reviewer).post(review, {"decision": "accept"})
        evidence.refresh_from_db()
        self.assertEqual(evidence.status, Evidence.Status.ACCEPTED)
        queue = self.client_for(self.p.reviewer).get(reverse("programs:evidence_queue"))
        self.assertEqual(list(queue.context["page"].object_list), [])


class SubtreeCompliancePageTest(PersonaTestCase):
    URL = reverse("programs:compliance")

    def test_the_province_sees_the_failing_terms_with_their_criteria(self) -> None:
        small = make_venue(self.p, indoor_area_m2=40)
        failing = submitted_term(self.p, venue=small)
        make_term(self.p, name="草稿")  # drafts are not judged yet
        page = self.client_for(self.p.province_admin).get(self.URL)
        self.assertEqual([r.term for r in page.context["page"].object_list], [failing])
        self.assertContains(
            page, Criterion.objects.get(standard__org__depth=1, code="indoor_area_total").label
        )
        self.assertContains(page, reverse("programs:term_compliance", args=[failing.pk]))
        outsider = self.client_for(self.p.outsider).get(self.URL)
        self.assertEqual(list(outsider.context["page"].object_list), [])

    def test_filters_narrow_by_year_type_and_verdict(self) -> None:
        submitted_term(self.p)
        client = self.client_for(self.p.province_admin)
        for query, count in (("year=2021", 1), ("year=2026", 0), ("type=online", 0),
                             ("verdict=non_compliant", 1), ("verdict=pending", 0)):  # fmt: skip
            with self.subTest(query):
                page = client.get(f"{self.URL}?{query}")
                self.assertEqual(len(page.context["page"].object_list), count)

    def test_only_supervising_roles_have_the_page(self) -> None:
        for user in (self.p.caregiver, self.p.parent):
            self.assertEqual(self.client_for(user).get(self.URL).status_code, 403)
        self.assertEqual(self.client_for(self.p.reviewer).get(self.URL).status_code, 200)
        self.assertEqual(self.client.get(self.URL).status_code, 302)

    def test_the_page_costs_the_same_for_2_and_12_terms(self) -> None:
        client = self.client_for(self.p.province_admin)
        venue = make_venue(self.p)

        def add(n: int) -> None:
            for _ in range(n):
                term = submitted_term(self.p, venue=venue)
                make_group(self.p, term, capacity=20)

        add(2)
        client.get(self.URL)
        two = count_queries(lambda: client.get(self.URL))
        add(10)
        self.assertEqual(count_queries(lambda: client.get(self.URL)), two)
