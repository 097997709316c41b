import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Subquery
from django.http import Http404

from tuoguan.programs import selectors, services
from tuoguan.programs.compliance import term_compliance
from tuoguan.programs.models import Criterion, Standard, Term
from tuoguan.programs.standards import judging_standard, standard_for, term_standard
from tuoguan.testing import PersonaTestCase

from .factories import actor, make_term

D = datetime.date


def _row(term, code):  # type: ignore[no-untyped-def]
    return next(r for r in term_compliance(term).rows if r.criterion.code == code)


def province_standard(p: Any, effective_from: D, area: str = "5") -> Standard:
    national = services.standard_ensure_national_default()
    assert national is not None
    admin = actor(p.province_admin)
    draft = services.standard_new_version(
        actor=admin,
        standard=national,
        org=p.province,
        effective_from=effective_from,
        title="辽宁省工会爱心托管班建设标准",
    )
    criterion = draft.criteria.get(code="indoor_area_per_child")
    services.criterion_update(actor=admin, criterion=criterion, threshold=Decimal(area))
    return services.standard_publish(actor=admin, standard=draft)


class NationalDefaultTest(PersonaTestCase):
    def test_the_default_ships_the_domain_values(self) -> None:
        standard = services.standard_ensure_national_default()
        assert standard is not None
        self.assertEqual(standard.org, self.p.national)
        self.assertTrue(standard.published)
        criteria = {c.code: c for c in standard.criteria.all()}
        self.assertEqual(criteria["indoor_area_per_child"].threshold, Decimal("4"))
        self.assertEqual(criteria["indoor_area_total"].threshold, Decimal("80"))
        self.assertEqual(criteria["min_children_holiday"].threshold, Decimal("20"))
        self.assertEqual(criteria["min_days_holiday"].threshold, Decimal("20"))
        self.assertEqual(criteria["min_days_after_school"].threshold, Decimal("100"))
        self.assertEqual(criteria["attendance_rate"].threshold, Decimal("70"))
        self.assertEqual(criteria["fire_exits"].threshold, Decimal("2"))
        self.assertTrue(criteria["agreements_insurance"].is_veto)
        self.assertTrue(criteria["fire_certificate"].is_veto)
        procedures = [c for c in criteria.values() if c.kind == "evidence"]
        self.assertEqual(len(procedures), 7)

    def test_ensuring_twice_makes_one_standard(self) -> None:
        services.standard_ensure_national_default()
        services.standard_ensure_national_default()
        self.assertEqual(Standard.objects.filter(org=self.p.national).count(), 1)


class InheritanceTest(PersonaTestCase):
    def _province_standard(self, effective_from: D, area: str = "5") -> Standard:
        return province_standard(self.p, effective_from, area)

    def test_a_province_without_its_own_standard_uses_the_national_default(self) -> None:
        found = standard_for(self.p.province, D(2021, 7, 1))
        assert found is not None
        self.assertEqual(found.org, self.p.national)

    def test_a_county_without_its_own_standard_uses_the_provinces(self) -> None:
        own = self._province_standard(D(2020, 1, 1))
        self.assertEqual(standard_for(self.p.county, D(2021, 7, 1)), own)
        self.assertEqual(standard_for(self.p.grassroots, D(2021, 7, 1)), own)

    def test_another_province_keeps_the_national_default(self) -> None:
        self._province_standard(D(2020, 1, 1))
        found = standard_for(self.p.other_grassroots_far, D(2021, 7, 1))
        assert found is not None
        self.assertEqual(found.org, self.p.national)

    def test_before_the_provinces_standard_is_in_force_the_national_one_judges(self) -> None:
        self._province_standard(D(2022, 1, 1))
        found = standard_for(self.p.grassroots, D(2021, 7, 1))
        assert found is not None
        self.assertEqual(found.org, self.p.national)

    def test_an_unpublished_draft_judges_nothing(self) -> None:
        national = services.standard_ensure_national_default()
        assert national is not None
        services.standard_new_version(
            actor=actor(self.p.province_admin),
            standard=national,
            org=self.p.province,
            effective_from=D(2020, 1, 1),
        )
        found = standard_for(self.p.grassroots, D(2021, 7, 1))
        assert found is not None
        self.assertEqual(found.org, self.p.national)


class VersioningTest(PersonaTestCase):
    def _province_standard(self, effective_from: D, area: str = "5") -> Standard:
        return province_standard(self.p, effective_from, area)

    def test_a_term_is_judged_by_the_version_in_force_at_its_start(self) -> None:
        v1 = self._province_standard(D(2020, 1, 1), area="4")
        old_term = make_term(self.p, capacity=30)  # 120 m² / 30 = 4.00 m² per child
        v2 = services.standard_new_version(
            actor=actor(self.p.province_admin), standard=v1, effective_from=D(2022, 1, 1)
        )
        criterion = v2.criteria.get(code="indoor_area_per_child")
        services.criterion_update(
            actor=actor(self.p.province_admin), criterion=criterion, threshold=Decimal("5")
        )
        services.standard_publish(actor=actor(self.p.province_admin), standard=v2)
        self.assertEqual((v1.version, v2.version), (1, 2))
        self.assertEqual(term_standard(old_term), v1)
        self.assertEqual(_row(old_term, "indoor_area_per_child").status, "pass")

        new_term = make_term(
            self.p, start_date=D(2022, 7, 11), end_date=D(2022, 8, 12), capacity=30
        )
        self.assertEqual(term_standard(new_term), v2)
        self.assertEqual(_row(new_term, "indoor_area_per_child").status, "fail")

    def test_a_rejudged_term_uses_the_current_version(self) -> None:
        v1 = self._province_standard(D(2020, 1, 1), area="4")
        term = make_term(self.p, capacity=30)
        v2 = services.standard_new_version(
            actor=actor(self.p.province_admin), standard=v1, effective_from=D(2022, 1, 1)
        )
        services.criterion_update(
            actor=actor(self.p.province_admin),
            criterion=v2.criteria.get(code="indoor_area_per_child"),
            threshold=Decimal("5"),
        )
        services.standard_publish(actor=actor(self.p.province_admin), standard=v2)
        services.term_rejudge(actor=actor(self.p.city_admin), term=term)
        term.refresh_from_db()
        self.assertEqual(term.judged_standard, v2)
        self.assertEqual(_row(term, "indoor_area_per_child").status, "fail")

    def test_a_published_version_cannot_change(self) -> None:
        v1 = self._province_standard(D(2020, 1, 1))
        criterion = v1.criteria.get(code="fire_exits")
        with self.assertRaises(ValidationError):
            services.criterion_update(
                actor=actor(self.p.province_admin), criterion=criterion, threshold=Decimal("1")
            )
        self.assertEqual(Criterion.objects.get(pk=criterion.pk).threshold, Decimal("2"))

    def test_a_new_version_copies_every_criterion(self) -> None:
        v1 = self._province_standard(D(2020, 1, 1))
        v2 = services.standard_new_version(
            actor=actor(self.p.province_admin), standard=v1, effective_from=D(2023, 1, 1)
        )
        self.assertEqual(
            sorted(v2.criteria.values_list("code", flat=True)),
            sorted(v1.criteria.values_list("code", flat=True)),
        )
        self.assertFalse(v2.published)

    def test_a_duplicate_criterion_code_is_refused(self) -> None:
        draft = services.standard_create(
            actor=actor(self.p.city_admin),
            org=self.p.city,
            title="大连市标准",
            effective_from=D(2021, 1, 1),
        )
        fields = {"area": "procedures", "label": "登记制度", "kind": "evidence"}
        services.criterion_add(actor=actor(self.p.city_admin), standard=draft, code="reg", **fields)
        with self.assertRaises(ValidationError) as caught:
            services.criterion_add(
                actor=actor(self.p.city_admin), standard=draft, code="reg", **fields
            )
        self.assertIn("code", caught.exception.message_dict)

    def test_a_computed_criterion_needs_a_metric(self) -> None:
        draft = services.standard_create(
            actor=actor(self.p.city_admin),
            org=self.p.city,
            title="大连市标准",
            effective_from=D(2021, 1, 1),
        )
        with self.assertRaises(ValidationError) as caught:
            services.criterion_add(
                actor=actor(self.p.city_admin),
                standard=draft,
                code="x",
                area="staffing",
                label="x",
                kind="computed",
            )
        self.assertIn("metric", caught.exception.message_dict)


class StandardPermissionTest(PersonaTestCase):
    def test_a_grassroots_admin_keeps_no_standard(self) -> None:
        with self.assertRaises(PermissionDenied):
            services.standard_create(
                actor=actor(self.p.grassroots_admin),
                org=self.p.grassroots,
                title="x",
                effective_from=D(2021, 1, 1),
            )

    def test_the_outsider_cannot_write_liaonings_standard(self) -> None:
        with self.assertRaises(PermissionDenied):
            services.standard_create(
                actor=actor(self.p.outsider),
                org=self.p.province,
                title="x",
                effective_from=D(2021, 1, 1),
            )

    def test_a_standard_of_another_province_is_invisible(self) -> None:
        draft = services.standard_create(
            actor=actor(self.p.outsider),
            org=self.p.other_province,
            title="四川省标准",
            effective_from=D(2021, 1, 1),
        )
        with self.assertRaises(Http404):
            selectors.standard_for_actor(actor(self.p.city_admin), draft.pk)

    def test_the_inherited_national_standard_is_visible_below(self) -> None:
        national = services.standard_ensure_national_default()
        assert national is not None
        self.assertEqual(
            selectors.standard_for_actor(actor(self.p.city_admin), national.pk), national
        )


class JudgingStandardExpressionTest(PersonaTestCase):
    """`judging_standard`, the expression a read carries, picks what `term_standard` picks."""

    def _expressed(self, term: Any) -> Any:
        found = Term.objects.annotate(judged=judging_standard()).get(pk=term.pk).judged
        nested = (
            Term.objects.annotate(
                # Nested one level, as daily care reads a criterion of it (no join of its own
                # to orgs: Standard's default ordering would shadow the outer query's).
                judged=Subquery(
                    Standard.objects.filter(pk=judging_standard(depth=1))
                    .order_by("pk")
                    .values("pk")[:1]
                )
            )
            .get(pk=term.pk)
            .judged
        )
        self.assertEqual(found, nested)
        return found

    def _assert_same(self, *terms: Any) -> None:
        for term in terms:
            term = Term.objects.select_related("program__host").get(pk=term.pk)
            picked = term_standard(term)
            self.assertEqual(self._expressed(term), picked.pk if picked else None, term)

    def test_nearest_union_in_force_latest_version_pinned_and_none(self) -> None:
        dates = [D(2019, 7, 1), D(2021, 7, 1), D(2022, 7, 11)]
        terms = [
            make_term(self.p, start_date=day, end_date=day + datetime.timedelta(30))
            for day in dates
        ]
        self._assert_same(*terms)  # no standard at all: none
        v1 = province_standard(self.p, D(2020, 1, 1), area="4")
        self._assert_same(*terms)  # the national default, then the province's
        v2 = services.standard_new_version(
            actor=actor(self.p.province_admin), standard=v1, effective_from=D(2022, 1, 1)
        )
        self._assert_same(*terms)  # a draft judges nothing
        services.standard_publish(actor=actor(self.p.province_admin), standard=v2)
        services.standard_create(
            actor=actor(self.p.city_admin),
            org=self.p.city,
            title="大连市标准",
            effective_from=D(2018, 1, 1),
        )  # unpublished, nearer: still nothing
        self._assert_same(*terms)
        Term.objects.filter(pk=terms[2].pk).update(judged_standard=v1)  # pinned
        Term.objects.filter(pk=terms[0].pk).update(judged_standard=v2)
        self._assert_same(*terms)
