import datetime

import holidays
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from tuoguan.programs import services
from tuoguan.programs.calendar import calendar_pending_years, care_days
from tuoguan.programs.models import CalendarDay, CalendarYear, TermDay
from tuoguan.testing import Personas, PersonaTestCase, build_personas

from .factories import actor, make_program, make_term

D = datetime.date


class NationalDay2021Test(PersonaTestCase):
    def test_a_term_over_national_day_2021_runs_on_the_right_days(self) -> None:
        term = make_term(self.p, start_date=D(2021, 9, 13), end_date=D(2021, 10, 15))
        care = set(term.care_dates())
        # Adjusted working days: Saturday 18 Sep, Sunday 26 Sep, Saturday 9 Oct.
        for day in (D(2021, 9, 18), D(2021, 9, 26), D(2021, 10, 9)):
            self.assertIn(day, care)
        # Mid-Autumn (20–21 Sep) and National Day week (1–7 Oct) are off.
        for day in [D(2021, 9, 20), D(2021, 9, 21)] + [D(2021, 10, n) for n in range(1, 8)]:
            self.assertNotIn(day, care)
        # An ordinary weekend stays off, an ordinary weekday is on.
        self.assertNotIn(D(2021, 9, 19), care)
        self.assertIn(D(2021, 9, 22), care)
        # 13–17, 18, 22–24, 26, 27–30 Sep; 8, 9, 11–15 Oct.
        self.assertEqual(term.care_day_count(), 21)

    def test_a_year_with_published_adjusted_days_is_announced(self) -> None:
        year = services.calendar_seed_year(year=2021)
        self.assertTrue(year.announced)
        self.assertEqual(
            CalendarDay.objects.filter(date__year=2021, kind="adjusted_workday").count(), 7
        )

    def test_seeding_twice_changes_nothing(self) -> None:
        services.calendar_seed_year(year=2022)
        count = CalendarDay.objects.count()
        services.calendar_seed_year(year=2022)
        self.assertEqual(CalendarDay.objects.count(), count)
        self.assertEqual(CalendarYear.objects.filter(year=2022).count(), 1)


class PendingYearTest(PersonaTestCase):
    def test_a_2027_term_says_its_calendar_is_pending(self) -> None:
        term = make_term(self.p, start_date=D(2027, 7, 5), end_date=D(2027, 8, 6))
        self.assertEqual(calendar_pending_years(term.start_date, term.end_date), [2027])
        self.assertFalse(CalendarYear.objects.get(year=2027).announced)

    def test_a_term_across_new_year_lists_only_the_pending_year(self) -> None:
        program = make_program(self.p, type="after_school")
        term = make_term(
            self.p, program=program, start_date=D(2026, 12, 1), end_date=D(2027, 1, 29)
        )
        self.assertEqual(calendar_pending_years(term.start_date, term.end_date), [2027])

    def test_an_admin_entering_the_arrangement_updates_open_terms(self) -> None:
        term = make_term(self.p, start_date=D(2027, 9, 27), end_date=D(2027, 10, 15))
        saturday = D(2027, 10, 9)
        self.assertNotIn(saturday, term.care_dates())
        province = actor(self.p.province_admin)
        services.calendar_set_day(actor=province, date=saturday, kind="adjusted_workday")
        services.calendar_announce_year(actor=province, year=2027, notes="国办发明电")
        self.assertIn(saturday, term.care_dates())
        self.assertEqual(calendar_pending_years(term.start_date, term.end_date), [])
        self.assertEqual(CalendarDay.objects.get(date=saturday).source, "manual")

    def test_a_grassroots_admin_cannot_edit_the_calendar(self) -> None:
        with self.assertRaises(PermissionDenied):
            services.calendar_set_day(
                actor=actor(self.p.grassroots_admin), date=D(2027, 10, 9), kind="holiday"
            )

    def test_an_unknown_day_kind_is_refused(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            services.calendar_set_day(
                actor=actor(self.p.province_admin), date=D(2027, 10, 9), kind="party"
            )
        self.assertIn("kind", caught.exception.message_dict)


class ManualDaysTest(PersonaTestCase):
    def test_a_holiday_added_by_hand_is_a_care_day_and_survives_regeneration(self) -> None:
        term = make_term(self.p, start_date=D(2021, 9, 27), end_date=D(2021, 10, 8))
        admin = actor(self.p.grassroots_admin)
        services.term_day_add(actor=admin, term=term, date=D(2021, 10, 2))
        services.term_day_remove(actor=admin, term=term, date=D(2021, 9, 28))
        services.term_update(actor=admin, term=term, end_date=D(2021, 10, 12))
        care = set(term.care_dates())
        self.assertIn(D(2021, 10, 2), care)
        self.assertNotIn(D(2021, 9, 28), care)
        self.assertEqual(TermDay.objects.get(term=term, date=D(2021, 10, 2)).source, "manual_added")

    def test_a_day_outside_the_term_is_refused(self) -> None:
        term = make_term(self.p)
        with self.assertRaises(ValidationError) as caught:
            services.term_day_add(
                actor=actor(self.p.grassroots_admin), term=term, date=D(2022, 1, 1)
            )
        self.assertIn("date", caught.exception.message_dict)

    def test_a_caregiver_cannot_change_the_days(self) -> None:
        term = make_term(self.p)
        with self.assertRaises(PermissionDenied):
            services.term_day_add(actor=actor(self.p.caregiver), term=term, date=term.start_date)


def _package_days(start: D, end: D) -> tuple[set[D], set[D]]:
    days_off: set[D] = set()
    workdays: set[D] = set()
    for year in range(start.year, end.year + 1):
        calendar = holidays.China(years=year)
        days_off |= {d for d in calendar if start <= d <= end}
        workdays |= {d for d in calendar.weekend_workdays if start <= d <= end}
    return days_off, workdays


dates_2020_2026 = st.dates(min_value=D(2020, 1, 1), max_value=D(2026, 12, 31))


class CalendarPropertyTest(HypothesisTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        for year in range(2020, 2027):
            services.calendar_seed_year(year=year)

    @settings(max_examples=150, deadline=None)
    @given(start=dates_2020_2026, length=st.integers(min_value=0, max_value=120))
    def test_care_days_follow_the_work_calendar(self, start: D, length: int) -> None:
        end = start + datetime.timedelta(days=length)
        care = set(care_days(start, end))
        days_off, workdays = _package_days(start, end)
        self.assertFalse(care & days_off, "a statutory holiday became a care day")
        self.assertEqual(workdays - care, set(), "an adjusted working day was dropped")
        for n in range(length + 1):
            day = start + datetime.timedelta(days=n)
            if day.weekday() >= 5 and day not in workdays:
                self.assertNotIn(day, care)


class TermDaysPropertyTest(HypothesisTestCase):
    p: Personas

    @classmethod
    def setUpTestData(cls) -> None:
        # Built once: every example runs in its own savepoint on top of these rows.
        cls.p = build_personas()

    @settings(max_examples=40, deadline=None)
    @given(
        start=dates_2020_2026,
        length=st.integers(min_value=0, max_value=60),
        picks=st.lists(st.integers(min_value=0, max_value=60), max_size=4),
    )
    def test_no_holiday_is_a_care_day_unless_added_by_hand(
        self, start: D, length: int, picks: list[int]
    ) -> None:
        p = self.p
        end = start + datetime.timedelta(days=length)
        term = make_term(p, start_date=start, end_date=end)
        days_off, _ = _package_days(start, end)
        added = set()
        for pick in picks:
            day = start + datetime.timedelta(days=min(pick, length))
            services.term_day_add(actor=actor(p.grassroots_admin), term=term, date=day)
            added.add(day)
        care = set(term.care_dates())
        self.assertEqual((care & days_off) - added, set())
        self.assertTrue(added <= care)
        manual = set(term.days.filter(source="manual_added").values_list("date", flat=True))
        self.assertEqual(care & days_off, manual & days_off)
