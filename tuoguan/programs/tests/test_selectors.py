import datetime

from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from tuoguan.programs import compliance, selectors, services
from tuoguan.programs.compliance import Verdict
from tuoguan.programs.models import Program, Term, TermStatus
from tuoguan.programs.selectors import subtree_noncompliant
from tuoguan.testing import PersonaTestCase

from .factories import actor, make_group, make_program, make_term, make_venue

D = datetime.date


class VisibilityTest(PersonaTestCase):
    def setUp(self) -> None:
        self.term = make_term(self.p)
        self.program = self.term.program

    def test_the_host_and_every_union_above_see_the_class(self) -> None:
        for user in (self.p.grassroots_admin, self.p.caregiver, self.p.city_admin,
                     self.p.province_admin):  # fmt: skip
            self.assertEqual(selectors.program_for(actor(user), self.program.pk), self.program)
            self.assertEqual(selectors.term_for(actor(user), self.term.pk), self.term)

    def test_the_outsider_gets_404(self) -> None:
        outsider = actor(self.p.outsider)
        with self.assertRaises(Http404):
            selectors.program_for(outsider, self.program.pk)
        with self.assertRaises(Http404):
            selectors.term_for(outsider, self.term.pk)
        with self.assertRaises(Http404):
            selectors.venue_for(outsider, self.term.venue_id)
        group = make_group(self.p, self.term, capacity=10)
        with self.assertRaises(Http404):
            selectors.group_for(outsider, group.pk)

    def test_a_sibling_grassroots_union_does_not_see_it(self) -> None:
        from tuoguan.accounts import services as people
        from tuoguan.orgs import services as orgs

        user = people.user_create(username="hosp", real_name="医院管理员", password=None)
        orgs.membership_grant(
            actor=None, user=user, org=self.p.other_grassroots, role="union_admin"
        )
        self.assertFalse(selectors.programs_visible_to(actor(user)).exists())

    def test_a_parent_sees_no_staff_lists(self) -> None:
        self.assertFalse(selectors.programs_visible_to(actor(self.p.parent)).exists())
        self.assertFalse(selectors.terms_visible_to(actor(self.p.parent)).exists())

    def test_a_garbage_pk_is_a_404(self) -> None:
        with self.assertRaises(Http404):
            selectors.program_for(actor(self.p.city_admin), "abc")


class FilterTest(PersonaTestCase):
    def test_filters_by_type_status_year_region_and_subtree(self) -> None:
        holiday = make_term(self.p)
        after_school = make_term(
            self.p,
            program=make_program(self.p, name="四点半课堂", type="after_school"),
            start_date=D(2026, 3, 2),
            end_date=D(2026, 6, 30),
        )
        services.term_submit(actor=actor(self.p.grassroots_admin), term=after_school)
        base = selectors.programs_visible_to(actor(self.p.province_admin))
        f = selectors.programs_filter
        self.assertEqual(list(f(base, type="after_school")), [after_school.program])
        self.assertEqual(list(f(base, status="submitted")), [after_school.program])
        self.assertEqual(list(f(base, year=2021)), [holiday.program])
        self.assertEqual(f(base, region="2102").count(), 2)
        self.assertEqual(f(base, region="5107").count(), 0)
        self.assertEqual(f(base, org=self.p.other_grassroots).count(), 0)
        terms = selectors.terms_filter(
            selectors.terms_visible_to(actor(self.p.province_admin)), year=2026
        )
        self.assertEqual(list(terms), [after_school])


def _bulk_terms(p, count: int) -> None:  # type: ignore[no-untyped-def]
    """`count` submitted terms, each with a group and a carer, through the services."""
    admin = actor(p.grassroots_admin)
    venue = make_venue(p)
    for n in range(count):
        program = make_program(p, name=f"托管班{n}")
        term = services.term_create(
            actor=admin,
            program=program,
            name="暑期",
            start_date=D(2021, 7, 12),
            end_date=D(2021, 7, 23),
            capacity=30,
            venue=venue,
        )
        group = make_group(p, term, capacity=30)
        services.term_staff_add(actor=admin, term=term, user=p.caregiver, role="tutor", group=group)
    # The status alone matters here; the lifecycle has its own tests.
    Term.objects.update(status=TermStatus.SUBMITTED)


class QueryCountTest(PersonaTestCase):
    def _count(self, fn) -> int:  # type: ignore[no-untyped-def]
        with CaptureQueriesContext(connection) as queries:
            fn()
        return len(queries)

    def _list_programs(self) -> None:
        for program in selectors.programs_visible_to(actor(self.p.province_admin))[:50]:
            str(program.host), getattr(program, "term_count")  # noqa: B009

    def _noncompliant(self) -> list:  # type: ignore[type-arg]
        return subtree_noncompliant(actor(self.p.province_admin))

    def test_the_program_list_costs_the_same_for_10_and_100_classes(self) -> None:
        _bulk_terms(self.p, 10)
        ten = self._count(self._list_programs)
        _bulk_terms(self.p, 90)
        self.assertEqual(Program.objects.count(), 100)
        self.assertEqual(self._count(self._list_programs), ten)
        self.assertLessEqual(ten, 5)

    def test_the_noncompliant_list_costs_the_same_for_10_and_100_terms(self) -> None:
        _bulk_terms(self.p, 10)
        self._noncompliant()  # seeds the calendar and the national default once
        ten = self._count(self._noncompliant)
        _bulk_terms(self.p, 90)
        results = self._noncompliant()
        self.assertEqual(len(results), 100)
        self.assertEqual(self._count(self._noncompliant), ten)
        # Each fact a later app registers is loaded once for the whole list, whatever its length.
        self.assertLessEqual(ten, 8 + len(compliance._facts))
        # Ten care days are too few for a holiday class: every term fails visibly.
        self.assertTrue(all(r.verdict == Verdict.NON_COMPLIANT for r in results))
        self.assertTrue(all(r.term.program.host == self.p.grassroots for r in results))

    def test_the_outsider_sees_none_of_them(self) -> None:
        _bulk_terms(self.p, 3)
        self.assertEqual(subtree_noncompliant(actor(self.p.outsider)), [])

    def test_drafts_are_not_judged_yet(self) -> None:
        make_term(self.p)
        self.assertEqual(subtree_noncompliant(actor(self.p.province_admin)), [])
