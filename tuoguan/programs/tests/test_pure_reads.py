"""Reads never write: the calendar and the standards are read as stored, and the national
union's defaults are made when it is created (or after `migrate` for an older tree)."""

import datetime

from django.apps import apps
from django.db.models.signals import post_migrate

from tuoguan.enrolment.models import AgreementTemplate
from tuoguan.programs import selectors
from tuoguan.programs.calendar import calendar_kinds, calendar_pending_years, care_days
from tuoguan.programs.models import CalendarDay, CalendarYear, Standard
from tuoguan.programs.services import calendar_seed_year
from tuoguan.programs.standards import standard_for
from tuoguan.testing import PersonaTestCase


class CalendarReadsTest(PersonaTestCase):
    def test_reading_a_year_not_stored_yet_stores_nothing_and_reads_as_seeding_would(self) -> None:
        years, days = CalendarYear.objects.count(), CalendarDay.objects.count()
        calendar_year, special = selectors.calendar_year_for(2031)
        care = care_days(datetime.date(2031, 1, 1), datetime.date(2031, 12, 31))
        pending = calendar_pending_years(datetime.date(2031, 1, 1), datetime.date(2031, 3, 1))
        kinds = calendar_kinds(datetime.date(2031, 1, 1), datetime.date(2031, 12, 31))
        self.assertEqual((CalendarYear.objects.count(), CalendarDay.objects.count()), (years, days))
        self.assertIsNone(calendar_year.pk)

        stored = calendar_seed_year(year=2031)
        self.assertEqual(stored.announced, calendar_year.announced)
        self.assertEqual(pending, [] if stored.announced else [2031])
        stored_days = list(CalendarDay.objects.filter(date__year=2031).order_by("date"))
        self.assertEqual(
            [(d.date, d.kind, d.name) for d in stored_days],
            [(d.date, d.kind, d.name) for d in special],
        )
        self.assertEqual(care_days(datetime.date(2031, 1, 1), datetime.date(2031, 12, 31)), care)
        self.assertEqual(
            calendar_kinds(datetime.date(2031, 1, 1), datetime.date(2031, 12, 31)), kinds
        )

    def test_an_admins_correction_of_a_stored_year_is_what_the_reads_see(self) -> None:
        calendar_seed_year(year=2032)
        saturday = datetime.date(2032, 1, 3)
        CalendarDay.objects.create(date=saturday, kind=CalendarDay.Kind.ADJUSTED_WORKDAY)
        self.assertIn(saturday, care_days(saturday, saturday))


class NationalDefaultsTest(PersonaTestCase):
    def test_the_national_union_is_created_with_its_standard_and_agreement(self) -> None:
        standards = Standard.objects.filter(org=self.p.national)
        self.assertEqual(standards.count(), 1)
        self.assertTrue(standards.get().criteria.exists())
        self.assertTrue(AgreementTemplate.objects.filter(org=self.p.national).exists())

    def test_reading_the_standard_never_creates_one(self) -> None:
        Standard.objects.all().delete()
        self.assertIsNone(standard_for(self.p.grassroots, datetime.date(2030, 7, 1)))
        self.assertFalse(Standard.objects.exists())

    def test_migrate_gives_an_older_tree_its_national_standard(self) -> None:
        Standard.objects.all().delete()
        config = apps.get_app_config("programs")
        post_migrate.send(
            sender=config, app_config=config, verbosity=0, interactive=False, using="default"
        )
        self.assertEqual(Standard.objects.filter(org=self.p.national).count(), 1)
