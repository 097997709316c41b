"""Eligibility: each failed rule is refused with its own code and message, nothing saved."""

import datetime

from django.http import Http404
from django.utils import timezone, translation

from tuoguan.enrolment.models import Enrolment, EnrolmentRules
from tuoguan.enrolment.services import (
    EligibilityError,
    check_eligibility,
    register_attendance_provider,
    rules_for,
    season_of,
)
from tuoguan.enrolment.services.eligibility import unregister_attendance_provider
from tuoguan.programs.models import Term, TermStatus
from tuoguan.testing import PersonaTestCase

from .allocation_support import apply, close_window, family, open_term


def codes(term: Term, child: object, guardian: object = None) -> list[str]:
    guardian = guardian or child.guardian  # type: ignore[attr-defined]
    return [r.code for r in check_eligibility(term=term, child=child, guardian=guardian)]


class EligibilityTest(PersonaTestCase):
    def test_an_eligible_child_passes_every_rule(self) -> None:
        term = open_term(self.p)
        self.assertEqual(codes(term, self.p.child_one), [])

    def test_rules_are_created_lazily_with_defaults(self) -> None:
        term = open_term(self.p)
        self.assertFalse(EnrolmentRules.objects.filter(term=term).exists())
        rules = rules_for(term)
        self.assertEqual((rules.offer_hours, rules.require_verified_member), (48, True))
        self.assertEqual(EnrolmentRules.objects.filter(term=term).count(), 1)

    def test_a_closed_window_is_refused_with_its_closing_time(self) -> None:
        term = close_window(open_term(self.p))
        with translation.override("en"):
            refusals = check_eligibility(
                term=term, child=self.p.child_one, guardian=self.p.parent_worker
            )
        self.assertEqual([r.code for r in refusals], ["window_closed"])
        self.assertIn("closed", refusals[0].message)

    def test_a_window_not_yet_open_is_refused(self) -> None:
        term = open_term(self.p)
        later = timezone.now() + datetime.timedelta(hours=2)
        Term.objects.filter(pk=term.pk).update(
            enrol_opens_at=later, enrol_closes_at=later + datetime.timedelta(days=1)
        )
        term.refresh_from_db()
        self.assertEqual(codes(term, self.p.child_one), ["window_not_open"])

    def test_the_window_is_judged_to_the_second(self) -> None:
        term = open_term(self.p)
        closes = term.enrol_closes_at
        assert closes is not None
        on_time = check_eligibility(
            term=term, child=self.p.child_one, guardian=self.p.parent_worker, now=closes
        )
        late = check_eligibility(
            term=term,
            child=self.p.child_one,
            guardian=self.p.parent_worker,
            now=closes + datetime.timedelta(seconds=1),
        )
        self.assertEqual(
            ([r.code for r in on_time], [r.code for r in late]), ([], ["window_closed"])
        )

    def test_a_term_that_is_not_enrolling_is_refused(self) -> None:
        term = open_term(self.p)
        Term.objects.filter(pk=term.pk).update(status=TermStatus.RUNNING)
        term.refresh_from_db()
        self.assertEqual(codes(term, self.p.child_one), ["term_not_enrolling"])

    def test_an_unverified_worker_is_refused_unless_the_term_takes_join_requests(self) -> None:
        term = open_term(self.p)
        _user, _worker, child = family(self.p, 1, verified=False)
        self.assertEqual(codes(term, child), ["not_verified_member"])
        EnrolmentRules.objects.filter(term=term).update(allow_join_request=True)
        term = Term.objects.get(pk=term.pk)
        self.assertEqual(codes(term, child), [])
        enrolment = apply(self.p, term, child)
        self.assertTrue(enrolment.join_request)

    def test_an_employer_outside_the_host_subtree_is_refused(self) -> None:
        term = open_term(self.p)
        _user, _worker, child = family(self.p, 1, employer=self.p.other_grassroots)
        self.assertEqual(codes(term, child), ["employer_outside"])

    def test_the_employer_scope_can_be_widened_to_the_county(self) -> None:
        term = open_term(self.p)
        rules = rules_for(term)
        rules.employer_scope = self.p.county
        rules.save()
        _user, _worker, child = family(self.p, 1, employer=self.p.other_grassroots)
        self.assertEqual(codes(Term.objects.get(pk=term.pk), child), [])

    def test_age_and_grade_outside_the_range_each_have_their_message(self) -> None:
        term = open_term(self.p, age_min=8, age_max=12, grade_min=2, grade_max=6)
        refusals = check_eligibility(
            term=term, child=self.p.child_two, guardian=self.p.parent_worker
        )
        self.assertEqual([r.code for r in refusals], ["age_out_of_range", "grade_out_of_range"])
        self.assertIn(self.p.child_two.name, refusals[0].message)
        self.assertNotEqual(refusals[0].message, refusals[1].message)
        self.assertEqual(codes(term, self.p.child_one), [])

    def test_age_counts_on_the_first_day_of_the_term(self) -> None:
        birthday = self.p.child_one.birth_date  # 2017-03-05
        start = datetime.date(timezone.localdate().year + 1, 3, 4)
        term = open_term(self.p, start=start, age_min=start.year - birthday.year)
        self.assertEqual(codes(term, self.p.child_one), ["age_out_of_range"])

    def test_a_child_no_group_takes_is_refused(self) -> None:
        term = open_term(self.p, groups=({"name": "五年级", "grade_min": 5, "grade_max": 5},))
        self.assertEqual(codes(term, self.p.child_one), ["no_fitting_group"])

    def test_overlapping_terms_allow_one_active_enrolment(self) -> None:
        first = open_term(self.p)
        second = open_term(self.p, start=first.start_date + datetime.timedelta(days=5))
        apply(self.p, first)
        refusals = check_eligibility(
            term=second, child=self.p.child_one, guardian=self.p.parent_worker
        )
        self.assertEqual([r.code for r in refusals], ["overlapping_enrolment"])
        self.assertIn(str(first), refusals[0].message)

    def test_a_term_starting_on_the_day_another_ends_overlaps_it(self) -> None:
        first = open_term(self.p)
        touching = open_term(self.p, start=first.end_date)
        the_day_after = open_term(self.p, start=first.end_date + datetime.timedelta(days=1))
        apply(self.p, first)
        apply(self.p, touching, self.p.child_two)
        self.assertEqual(codes(touching, self.p.child_one), ["overlapping_enrolment"])
        self.assertEqual(codes(first, self.p.child_two), ["overlapping_enrolment"])
        self.assertEqual(codes(the_day_after, self.p.child_one), [])

    def test_one_period_per_season_when_the_union_says_so(self) -> None:
        first = open_term(self.p, days=5)
        second = open_term(self.p, start=first.end_date + datetime.timedelta(days=3), days=5)
        apply(self.p, first)
        self.assertEqual(codes(second, self.p.child_one), [])
        EnrolmentRules.objects.update_or_create(
            term=second, defaults={"one_period_per_season": True}
        )
        second = Term.objects.get(pk=second.pk)
        self.assertEqual(season_of(first.start_date), season_of(second.start_date))
        self.assertEqual(codes(second, self.p.child_one), ["one_period_per_season"])

    def test_seasons_follow_the_school_year(self) -> None:
        self.assertEqual(season_of(datetime.date(2026, 7, 13)), ("summer", 2026))
        self.assertEqual(season_of(datetime.date(2027, 1, 20)), ("winter", 2027))
        self.assertEqual(season_of(datetime.date(2026, 9, 1)), ("autumn", 2026))
        self.assertEqual(season_of(datetime.date(2026, 4, 1)), ("spring", 2026))

    def test_attendance_below_70_percent_bars_only_when_the_rule_is_on(self) -> None:
        term = open_term(self.p)

        def low(*, child: object, term: object) -> float | None:
            return 0.5

        register_attendance_provider(low)
        self.addCleanup(unregister_attendance_provider, low)
        self.assertEqual(codes(term, self.p.child_one), [])
        EnrolmentRules.objects.update_or_create(term=term, defaults={"attendance_bar": True})
        term = Term.objects.get(pk=term.pk)
        refusals = check_eligibility(
            term=term, child=self.p.child_one, guardian=self.p.parent_worker
        )
        self.assertEqual([r.code for r in refusals], ["attendance_below_bar"])
        self.assertIn("50%", refusals[0].message)

    def test_no_attendance_provider_means_no_data_and_nobody_barred(self) -> None:
        term = open_term(self.p)
        EnrolmentRules.objects.update_or_create(term=term, defaults={"attendance_bar": True})
        self.assertEqual(codes(Term.objects.get(pk=term.pk), self.p.child_one), [])

    def test_without_consent_the_child_cannot_apply(self) -> None:
        term = open_term(self.p)
        _user, _worker, child = family(self.p, 1, consent=False)
        self.assertEqual(codes(term, child), ["no_consent"])

    def test_another_familys_child_is_not_found_rather_than_refused(self) -> None:
        term = open_term(self.p)
        with self.assertRaises(Http404):
            check_eligibility(term=term, child=self.p.other_child, guardian=self.p.parent_worker)

    def test_a_refused_application_saves_nothing_and_lists_every_rule(self) -> None:
        term = close_window(open_term(self.p, grade_min=5))
        with self.assertRaises(EligibilityError) as caught:
            apply(self.p, term)
        self.assertEqual(
            [r.code for r in caught.exception.refusals], ["window_closed", "grade_out_of_range"]
        )
        self.assertEqual(len(caught.exception.messages), 2)
        self.assertFalse(Enrolment.objects.exists())
