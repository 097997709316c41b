"""`manage.py seed_demo` adds an open campaign with entries at several stages and titles."""

import io

from django.core.management import call_command
from django.test import TestCase, override_settings

from tuoguan.awards.models import Campaign, CampaignStatus, Designation, NominationStatus
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

    def test_last_years_titles_are_listed_at_two_levels(self) -> None:
        levels = set(Designation.objects.values_list("level", flat=True))
        self.assertEqual(levels, {1, 2})

    def test_a_second_run_makes_nothing(self) -> None:
        before = (Campaign.objects.count(), Designation.objects.count())
        self.assertNotIn("awards:", seed())
        self.assertEqual((Campaign.objects.count(), Designation.objects.count()), before)
