"""`manage.py seed_demo` adds an open campaign with entries at several stages and titles."""

import io

from django.core.management import call_command
from django.test import TestCase, override_settings

from tuoguan.awards.models import Campaign, CampaignStatus, Designation, NominationStatus
from tuoguan.orgs.models import Org
from tuoguan.programs.tests.support import TempMedia


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@override_settings(DEBUG=True)
class SeedAwardsTest(TempMedia, TestCase):
    output: str

    @classmethod
    def setUpTestData(cls) -> None:
        cls.output = seed()

    def test_liaoning_has_an_open_campaign_with_entries_waiting_and_in_review(self) -> None:
        campaign = Campaign.objects.get(organiser__name="辽宁省总工会")
        self.assertEqual(campaign.status, CampaignStatus.OPEN)
        stages = set(campaign.entries.values_list("status", flat=True))
        self.assertEqual(stages, {NominationStatus.PENDING, NominationStatus.IN_REVIEW})
        self.assertTrue(campaign.reviewers.exists())
        self.assertIn("awards:", self.output)

    def test_last_years_titles_are_listed_at_three_levels(self) -> None:
        levels = set(Designation.objects.values_list("level", flat=True))
        self.assertEqual(levels, {0, 1, 2})

    def test_the_seeds_titles_are_counted_per_province_and_level(self) -> None:
        # The seed: Shaanxi 42 + 15 national, Jiangsu 21 + 5, Inner Mongolia 10 regional.
        seed = {
            ("610000", 1): 42, ("610000", 0): 15,
            ("320000", 1): 21, ("320000", 0): 5,
            ("150000", 1): 10, ("150000", 0): 0,
        }  # fmt: skip
        counted = {}
        for code, level in seed:
            province = Org.objects.get(level=1, region_code=code)
            counted[code, level] = Designation.objects.filter(
                program__host__path__startswith=province.path, level=level
            ).count()
        self.assertEqual(counted, seed)

    def test_each_national_title_is_held_by_a_provincial_class(self) -> None:
        national = Designation.objects.filter(level=0)
        self.assertTrue(national.exists())
        for title in national:
            self.assertTrue(
                Designation.objects.filter(program=title.program, level=1).exists(), title
            )

    def test_a_second_run_makes_nothing(self) -> None:
        before = (Campaign.objects.count(), Designation.objects.count())
        self.assertNotIn("awards:", seed())
        self.assertEqual((Campaign.objects.count(), Designation.objects.count()), before)
