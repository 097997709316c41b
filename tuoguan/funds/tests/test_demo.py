"""`manage.py seed_demo` gives the provinces their funds and the designations their grants."""

import io

from django.core.management import call_command
from django.test import TestCase, override_settings
from django.utils import timezone

from tuoguan.awards.models import Designation
from tuoguan.funds.ledger import union_ledger
from tuoguan.funds.models import Budget, Expense, Grant, GrantKind, GrantStatus
from tuoguan.programs.tests.support import TempMedia


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@override_settings(DEBUG=True)
class SeedFundsTest(TempMedia, TestCase):
    output: str

    @classmethod
    def setUpTestData(cls) -> None:
        cls.output = seed()

    def test_every_designation_has_its_grant_of_30000_yuan(self) -> None:
        designated = set(Designation.objects.values_list("pk", flat=True))
        grants = Grant.objects.filter(kind=GrantKind.DESIGNATION, status=GrantStatus.APPROVED)
        self.assertTrue(designated)
        self.assertEqual(set(grants.values_list("designation_id", flat=True)), designated)
        self.assertEqual(set(grants.values_list("amount_fen", flat=True)), {3_000_000})
        self.assertIn("funds:", self.output)

    def test_each_provinces_titles_are_paid_30000_yuan_each_from_its_budget(self) -> None:
        for code, titles in (("610000", 42), ("320000", 21), ("150000", 10)):
            grants = Grant.objects.filter(
                kind=GrantKind.DESIGNATION, org__level=1, org__region_code=code
            )
            self.assertEqual(grants.count(), titles, code)
            self.assertEqual(sum(g.amount_fen for g in grants), titles * 3_000_000, code)
            book = union_ledger(grants[0].org, grants[0].year)
            self.assertGreaterEqual(book.out_fen, titles * 3_000_000, code)
        national = Grant.objects.filter(kind=GrantKind.DESIGNATION, org__level=0)
        self.assertEqual(national.count(), 15 + 5)

    def test_liaoning_and_inner_mongolia_hold_their_special_funds(self) -> None:
        year = timezone.localdate().year
        for code, fen in (("210000", 70_000_000), ("150000", 30_000_000)):
            total = sum(
                Budget.objects.filter(org__region_code=code, org__level=1, year=year)
                .exclude(source="allocation")
                .values_list("amount_fen", flat=True)
            )
            self.assertEqual(total, fen, code)

    def test_the_province_ledger_shows_the_grants_and_adds_up(self) -> None:
        grant = Grant.objects.filter(kind=GrantKind.DESIGNATION).select_related("org").first()
        assert grant is not None
        book = union_ledger(grant.org, grant.year)
        self.assertGreaterEqual(book.out_fen, grant.amount_fen)
        self.assertEqual(book.balance_fen, book.opening_fen + book.in_fen - book.out_fen)
        self.assertTrue(Expense.objects.exists())

    def test_a_second_run_makes_nothing(self) -> None:
        before = (Budget.objects.count(), Grant.objects.count())
        self.assertNotIn("funds:", seed())
        self.assertEqual((Budget.objects.count(), Grant.objects.count()), before)
