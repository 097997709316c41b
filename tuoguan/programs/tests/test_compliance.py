import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.utils.formats import date_format

from tuoguan.programs import compliance, services
from tuoguan.programs.compliance import (
    MetricResult,
    Status,
    Verdict,
    overriding,
    registered_metrics,
    term_compliance,
)
from tuoguan.programs.metrics import register_builtin_metrics
from tuoguan.programs.models import Criterion, GroupKind, Term
from tuoguan.testing import PersonaTestCase

from .factories import actor, make_group, make_program, make_term, make_venue

D = datetime.date


def rows(term: Term) -> dict[str, Any]:
    return {row.criterion.code: row for row in term_compliance(term).rows}


def passing(_term: Term, _criterion: Criterion) -> MetricResult:
    return MetricResult(Decimal(100), Status.PASS, "ok")


def failing(_term: Term, _criterion: Criterion) -> MetricResult:
    return MetricResult(Decimal(50), Status.FAIL, "half")


class AreaTest(PersonaTestCase):
    def test_exactly_four_square_metres_per_child_passes(self) -> None:
        venue = make_venue(self.p, indoor_area_m2=Decimal("120.00"))
        row = rows(make_term(self.p, venue=venue, capacity=30))["indoor_area_per_child"]
        self.assertEqual(row.status, "pass")
        self.assertEqual(row.value, Decimal(4))
        self.assertIn("planned", row.detail)

    def test_three_point_nine_nine_fails(self) -> None:
        venue = make_venue(self.p, indoor_area_m2=Decimal("119.70"))
        row = rows(make_term(self.p, venue=venue, capacity=30))["indoor_area_per_child"]
        self.assertEqual(row.status, "fail")
        self.assertIn("3.99", row.detail)

    def test_a_hair_below_four_never_reads_as_four(self) -> None:
        venue = make_venue(self.p, indoor_area_m2=Decimal("119.99"))
        row = rows(make_term(self.p, venue=venue, capacity=30))["indoor_area_per_child"]
        self.assertEqual(row.status, "fail")
        self.assertIn("3.99", row.detail)

    def test_enrolled_children_are_used_once_a_provider_knows_them(self) -> None:
        venue = make_venue(self.p, indoor_area_m2=Decimal("96"))
        term = make_term(self.p, venue=venue, capacity=30)  # 3.2 m² per planned place
        with overriding(facts={"enrolled_count": lambda terms: {t.pk: 24 for t in terms}}):
            row = rows(term)["indoor_area_per_child"]
        self.assertEqual(row.status, "pass")
        self.assertIn("24 children enrolled", row.detail)

    def test_a_venue_of_exactly_80_square_metres_passes_and_79_99_fails(self) -> None:
        small = make_venue(self.p, indoor_area_m2=Decimal("80"))
        smaller = make_venue(self.p, indoor_area_m2=Decimal("79.99"))
        self.assertEqual(
            rows(make_term(self.p, venue=small, capacity=20))["indoor_area_total"].status, "pass"
        )
        self.assertEqual(
            rows(make_term(self.p, venue=smaller, capacity=20))["indoor_area_total"].status,
            "fail",
        )


class CarerRatioTest(PersonaTestCase):
    def _toddler_term(self, children: int, carers: int, kind: str = GroupKind.TODDLER_SMALL):
        program = make_program(self.p, type="toddler", name="职工托育园")
        term = make_term(self.p, program=program, capacity=children)
        group = make_group(self.p, term, name="托小班", kind=kind, capacity=children)
        admin = actor(self.p.grassroots_admin)
        for n in range(carers):
            user = self.p.caregiver if n == 0 else self.p.city_admin
            role = "caregiver" if n == 0 else "tutor"
            services.term_staff_add(actor=admin, term=term, user=user, role=role, group=group)
        return term

    def test_exactly_one_carer_per_five_small_toddlers_passes(self) -> None:
        row = rows(self._toddler_term(10, 2))["carer_ratio"]
        self.assertEqual(row.status, "pass")
        self.assertEqual(row.value, Decimal(5))

    def test_one_toddler_more_fails(self) -> None:
        row = rows(self._toddler_term(11, 2))["carer_ratio"]
        self.assertEqual(row.status, "fail")
        self.assertIn("托小班", row.detail)

    def test_infants_need_one_carer_per_three(self) -> None:
        self.assertEqual(
            rows(self._toddler_term(6, 2, GroupKind.INFANT))["carer_ratio"].status, "pass"
        )
        self.assertEqual(
            rows(self._toddler_term(7, 2, GroupKind.INFANT))["carer_ratio"].status, "fail"
        )

    def test_a_group_without_carers_fails(self) -> None:
        row = rows(self._toddler_term(5, 0))["carer_ratio"]
        self.assertEqual(row.status, "fail")
        self.assertIsNone(row.value)

    def test_pupils_need_one_carer_per_35(self) -> None:
        for size, expected in ((35, "pass"), (36, "fail")):
            term = make_term(self.p, capacity=size)
            services.term_staff_add(
                actor=actor(self.p.grassroots_admin), term=term, user=self.p.caregiver, role="tutor"
            )
            self.assertEqual(rows(term)["carer_ratio"].status, expected)

    def test_volunteers_do_not_count_as_carers(self) -> None:
        term = make_term(self.p, capacity=20)
        services.term_staff_add(
            actor=actor(self.p.grassroots_admin), term=term, user=self.p.caregiver, role="volunteer"
        )
        self.assertEqual(rows(term)["carer_ratio"].status, "fail")


class SizeAndDurationTest(PersonaTestCase):
    def test_twenty_children_pass_and_nineteen_fail(self) -> None:
        self.assertEqual(
            rows(make_term(self.p, capacity=20))["min_children_holiday"].status, "pass"
        )
        self.assertEqual(
            rows(make_term(self.p, capacity=19))["min_children_holiday"].status, "fail"
        )

    def test_twenty_care_days_pass_and_nineteen_fail(self) -> None:
        twenty = make_term(self.p, start_date=D(2021, 7, 12), end_date=D(2021, 8, 6))
        nineteen = make_term(self.p, start_date=D(2021, 7, 12), end_date=D(2021, 8, 5))
        self.assertEqual(twenty.care_day_count(), 20)
        self.assertEqual(rows(twenty)["min_days_holiday"].status, "pass")
        self.assertEqual(rows(nineteen)["min_days_holiday"].status, "fail")

    def test_after_school_needs_100_days_and_holiday_rules_do_not_apply(self) -> None:
        program = make_program(self.p, type="after_school", name="四点半课堂")
        term = make_term(self.p, program=program, start_date=D(2021, 9, 1), end_date=D(2022, 6, 30))
        result = rows(term)
        self.assertEqual(result["min_days_after_school"].status, "pass")
        self.assertEqual(result["min_days_holiday"].status, "na")
        self.assertEqual(result["min_children_holiday"].status, "na")

    def test_too_few_days_in_an_unannounced_year_is_pending_not_failed(self) -> None:
        term = make_term(self.p, start_date=D(2027, 7, 12), end_date=D(2027, 8, 5))
        row = rows(term)["min_days_holiday"]
        self.assertEqual(row.status, "pending")
        self.assertIn("2027", row.detail)


class VenueSafetyTest(PersonaTestCase):
    def test_a_fire_certificate_valid_through_the_last_day_passes(self) -> None:
        venue = make_venue(self.p, fire_cert_expires=D(2021, 8, 13))
        self.assertEqual(rows(make_term(self.p, venue=venue))["fire_certificate"].status, "pass")

    def test_a_fire_certificate_expiring_before_the_end_vetoes_the_class(self) -> None:
        venue = make_venue(self.p, fire_cert_expires=D(2021, 8, 12))
        result = term_compliance(make_term(self.p, venue=venue))
        row = next(r for r in result.rows if r.criterion.code == "fire_certificate")
        self.assertEqual(row.status, "fail")
        self.assertIn(date_format(D(2021, 8, 12)), row.detail)
        self.assertTrue(result.veto_failed)
        self.assertEqual(result.verdict, Verdict.NON_COMPLIANT)

    def test_a_missing_food_certificate_fails_without_veto(self) -> None:
        venue = make_venue(self.p, food_cert_number="")
        result = term_compliance(make_term(self.p, venue=venue))
        row = next(r for r in result.rows if r.criterion.code == "food_certificate")
        self.assertEqual(row.status, "fail")
        self.assertFalse(result.veto_failed)

    def test_two_fire_exits_pass_and_one_fails(self) -> None:
        two = make_venue(self.p, fire_exits=2)
        one = make_venue(self.p, fire_exits=1)
        self.assertEqual(rows(make_term(self.p, venue=two))["fire_exits"].status, "pass")
        self.assertEqual(rows(make_term(self.p, venue=one))["fire_exits"].status, "fail")

    def test_an_online_class_is_not_judged_on_a_venue(self) -> None:
        program = make_program(self.p, type="online", name="加油少年群")
        result = rows(make_term(self.p, program=program))
        for code in ("indoor_area_per_child", "fire_certificate", "fire_exits", "proc_cleaning"):
            self.assertEqual(result[code].status, "na")


@contextmanager
def without_later_providers() -> Iterator[None]:
    """Only what programs registers itself, as before any later app plugged in."""
    with overriding():
        compliance._metrics.clear()
        compliance._facts.clear()
        register_builtin_metrics()
        yield


class ProvidersTest(PersonaTestCase):
    def test_programs_registers_only_the_metrics_it_owns(self) -> None:
        # attendance_rate belongs to `care`; agreements and insurance are lent by
        # `enrolment` (see tuoguan/enrolment/compliance.py and tuoguan/care/providers.py).
        with without_later_providers():
            self.assertNotIn("attendance_rate", registered_metrics())
            self.assertIn("area_per_child", registered_metrics())

    def test_facts_of_later_apps_are_pending_until_registered(self) -> None:
        with without_later_providers():
            result = rows(make_term(self.p))
        self.assertEqual(result["attendance_rate"].status, "pending")
        self.assertIn("Not available yet", result["attendance_rate"].detail)

    def test_a_registered_provider_is_used(self) -> None:
        term = make_term(self.p)
        with overriding(metrics={"attendance_rate": passing}):
            self.assertEqual(rows(term)["attendance_rate"].status, "pass")
        self.assertEqual(rows(term)["attendance_rate"].status, "pending")

    def test_a_failed_veto_makes_the_class_non_compliant_whatever_else(self) -> None:
        term = make_term(self.p)
        with overriding(metrics={"agreements_insurance": failing}):
            result = term_compliance(term)
        self.assertTrue(result.veto_failed)
        self.assertEqual(result.verdict, Verdict.NON_COMPLIANT)

    def test_a_broken_provider_reads_as_pending(self) -> None:
        def broken(_term: Term, _criterion: Criterion) -> MetricResult:
            raise RuntimeError("boom")

        with overriding(metrics={"attendance_rate": broken}):
            self.assertEqual(rows(make_term(self.p))["attendance_rate"].status, "pending")

    def test_a_term_with_pending_evidence_is_pending(self) -> None:
        term = make_term(self.p)
        services.term_staff_add(
            actor=actor(self.p.grassroots_admin), term=term, user=self.p.caregiver, role="tutor"
        )
        # Daily care's inspections are judged by its own tests (care/tests/test_inspections.py).
        passes = {"attendance_rate": passing, "agreements_insurance": passing,
                  "daily_inspection": passing}  # fmt: skip
        with overriding(metrics=passes):
            result = term_compliance(term)
        self.assertEqual(result.failing, [])
        self.assertEqual(result.verdict, Verdict.PENDING)
        self.assertEqual(len(result.pending), 7)
