"""`manage.py seed_demo` adds the demo classes of the seed article (programs/demo.py)."""

import datetime
import io

from django.core.management import call_command
from django.test import TestCase, override_settings
from django.utils import timezone

from tuoguan.programs.calendar import calendar_pending_years
from tuoguan.programs.compliance import Verdict, terms_compliance, with_compliance_data
from tuoguan.programs.demo import seed_programs
from tuoguan.programs.models import Evidence, GroupKind, Program, Term, TermStatus

from .support import TempMedia, count_queries


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@override_settings(DEBUG=True)
class SeedProgramsTest(TempMedia, TestCase):
    output: str

    @classmethod
    def setUpTestData(cls) -> None:
        cls.output = seed()

    def test_it_reports_what_it_made(self) -> None:
        self.assertIn("Demo classes created: 31 classes, 52 terms.", self.output)

    def test_a_second_run_creates_nothing_and_reads_little(self) -> None:
        before = (Program.objects.count(), Term.objects.count(), Evidence.objects.count())
        output = seed()
        self.assertNotIn("Demo classes created", output)
        after = (Program.objects.count(), Term.objects.count(), Evidence.objects.count())
        self.assertEqual(after, before)
        self.assertLessEqual(count_queries(lambda: seed_programs(io.StringIO())), 5)

    def test_a_later_run_reopens_a_lapsed_demo_window(self) -> None:
        term = Term.objects.filter(status=TermStatus.ENROLLING).first()
        assert term is not None
        past = timezone.now() - datetime.timedelta(days=20)
        Term.objects.filter(pk=term.pk).update(
            enrol_opens_at=past, enrol_closes_at=past + datetime.timedelta(days=14)
        )
        out = io.StringIO()
        seed_programs(out)
        self.assertIn("1 enrolment windows reopened", out.getvalue())
        term.refresh_from_db()
        assert term.enrol_closes_at is not None
        self.assertGreater(term.enrol_closes_at, timezone.now() + datetime.timedelta(days=13))

    def test_the_classes_of_the_seed_article_are_there(self) -> None:
        dalian = Program.objects.filter(name__startswith="慧成长动力营")
        self.assertEqual(dalian.count(), 13)
        self.assertEqual(set(dalian.values_list("host__short_name", flat=True)),
                         {"桃源街道", "大连港工会", "红旗街道"})  # fmt: skip
        hospital = Program.objects.get(name__contains="医小宝")
        self.assertEqual(hospital.target_groups, ["medical"])
        cetc = Program.objects.get(host__name="中电科航空电子有限公司工会", type="holiday")
        self.assertIn("职工子女托管期间风险提示", cetc.risk_notice)
        self.assertEqual(Program.objects.get(name__contains="加油少年群").type, "online")
        # Not the awards demo's light titled classes, some of them in 托克托县's unions.
        toketuo = Program.objects.exclude(theme="示范点").get(host__name__startswith="托克托县")
        self.assertEqual((toketuo.fee_policy, str(toketuo.fee_amount)), ("living_costs", "300.00"))
        unicom = Program.objects.get(host__short_name="内蒙古联通工会")
        self.assertEqual(unicom.operator, "purchased")
        self.assertTrue(unicom.provider_name)
        linyi = Program.objects.get(host__name="临沂高新区职工服务中心工会")
        self.assertGreaterEqual(linyi.featured_content.count("、"), 20)
        for host in ("六合区马鞍街道总工会", "建湖县沿河镇总工会"):
            program = Program.objects.get(host__name=host)
            self.assertEqual((program.fee_policy, program.target_groups), ("free", ["migrant"]))

    def test_a_toddler_term_has_the_three_group_kinds(self) -> None:
        for term in Term.objects.filter(program__type="toddler"):
            kinds = set(term.groups.values_list("kind", flat=True))
            self.assertEqual(
                kinds, {GroupKind.INFANT, GroupKind.TODDLER_SMALL, GroupKind.TODDLER_BIG}
            )

    def test_terms_span_2021_2026_and_an_unannounced_2027(self) -> None:
        years = {t.start_date.year for t in Term.objects.all()}
        self.assertTrue({2021, 2026, 2027} <= years)
        winter = Term.objects.filter(start_date__year=2027).first()
        assert winter is not None
        self.assertEqual(calendar_pending_years(winter.start_date, winter.end_date), [2027])
        self.assertTrue(Term.objects.filter(status=TermStatus.CLOSED).exclude(closing_summary=""))

    def test_several_provinces_have_a_term_enrolling_now(self) -> None:
        now = timezone.now()
        open_now = Term.objects.filter(
            status=TermStatus.ENROLLING, enrol_opens_at__lte=now, enrol_closes_at__gt=now
        ).select_related("program__host")
        provinces = {t.program.host.province_path() for t in open_now}
        self.assertGreaterEqual(len(provinces), 4)
        for term in open_now:
            assert term.enrol_closes_at is not None
            self.assertGreater(term.start_date, term.enrol_closes_at.date())

    def test_some_terms_fail_the_standard_visibly(self) -> None:
        judged = terms_compliance(with_compliance_data(Term.objects.all()))
        failing = {
            (r.term.program.host.name, code)
            for r in judged
            if r.verdict == Verdict.NON_COMPLIANT
            for code in (row.criterion.code for row in r.failing)
        }
        self.assertIn(("丹东克隆儿童会工会", "fire_certificate"), failing)
        self.assertIn(("东区阳城龙庭社区工会联合会", "indoor_area_total"), failing)
        self.assertIn(("抚顺雷锋纪念馆工会", "min_days_holiday"), failing)
        vetoed = [r for r in judged if r.veto_failed]
        self.assertTrue(vetoed)

    def test_there_is_work_in_the_queues(self) -> None:
        statuses = set(Term.objects.values_list("status", flat=True))
        self.assertTrue(
            {"draft", "submitted", "rejected", "enrolling", "running", "closed"} <= statuses
        )
        self.assertEqual(
            set(Evidence.objects.values_list("status", flat=True)),
            {"accepted", "rejected", "pending"},
        )
