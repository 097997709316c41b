"""Ledgers add up, row by row and in the .xlsx read back with openpyxl."""

import datetime
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from tuoguan.enrolment.models import Enrolment, EnrolmentStatus
from tuoguan.funds import ledger, services
from tuoguan.programs.tests.factories import image_upload, make_term

from .factories import YEAR, actor, budget, fee_program, grant

pytestmark = pytest.mark.django_db


def books(p):
    """Budgets in two years, an allocation, grants, a payment, a refund and expenses."""
    admin = actor(p.province_admin)
    budget(p, 50_000, year=YEAR - 1)
    budget(p, 100_000)
    program = fee_program(p)
    services.grant_approve(actor=admin, grant=grant(p, 10_000_00, program=program, year=YEAR - 1))
    services.grant_approve(actor=admin, grant=grant(p, 30_000_00, program=program))
    services.allocation_create(
        actor=admin, giver=p.province, receiver=p.city, year=YEAR, amount_fen=12_345_67
    )
    term = make_term(p, program=program)
    enrolment = Enrolment.objects.create(
        term=term, child=p.child_one, guardian=p.parent_worker, status=EnrolmentStatus.CONFIRMED
    )
    services.payment_record(
        actor=actor(p.grassroots_admin), enrolment=enrolment, amount_fen=600_00, method="cash",
        receipt_number="R1", paid_on=datetime.date(YEAR, 1, 5),
    )  # fmt: skip
    for fen, day in ((123_45, 2), (2_000_00, 3)):
        services.expense_record(
            actor=actor(p.grassroots_admin), program=program,
            spent_on=datetime.date(YEAR, 1, day), category="meals", amount_fen=fen,
            description="午餐食材", receipt=image_upload(),
        )  # fmt: skip
    return program


def assert_adds_up(book):
    assert book.balance_fen == book.opening_fen + book.in_fen - book.out_fen
    running = book.opening_fen
    for row in book.rows:
        running += row.in_fen - row.out_fen
        assert row.balance_fen == running
    assert running == book.balance_fen


def test_the_union_ledger_opens_with_last_year_and_adds_up(personas):
    books(personas)
    book = ledger.union_ledger(personas.province, YEAR)
    assert book.opening_fen == 50_000_00 - 10_000_00
    assert book.in_fen == 100_000_00
    assert book.out_fen == 30_000_00 + 12_345_67
    assert_adds_up(book)


def test_the_class_ledger_counts_grants_fees_and_expenses(personas):
    program = books(personas)
    book = ledger.class_ledger(program, YEAR)
    assert book.opening_fen == 10_000_00
    assert book.in_fen == 30_000_00 + 600_00
    assert book.out_fen == 123_45 + 2_000_00
    assert_adds_up(book)


def test_the_ledger_xlsx_reads_back_the_same_sums(personas):
    books(personas)
    client = Client()
    client.force_login(personas.province_admin)
    url = reverse("funds:union_ledger_xlsx", args=[personas.province.pk])
    reply = client.get(url, {"year": YEAR})
    assert reply.status_code == 200
    sheet = load_workbook(io.BytesIO(reply.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    book = ledger.union_ledger(personas.province, YEAR)
    body = rows[2:-1]
    money_in = sum(Decimal(str(r[3] or 0)) for r in body)
    money_out = sum(Decimal(str(r[4] or 0)) for r in body)
    assert money_in * 100 == book.in_fen and money_out * 100 == book.out_fen
    assert Decimal(str(rows[1][5])) * 100 == book.opening_fen
    assert Decimal(str(rows[-1][5])) * 100 == book.balance_fen
    assert Decimal(str(rows[-2][5])) * 100 == book.balance_fen


def test_the_ledger_page_shows_the_balance(personas):
    books(personas)
    client = Client()
    client.force_login(personas.province_admin)
    page = client.get(reverse("funds:union_ledger", args=[personas.province.pk]), {"year": YEAR})
    balance = ledger.union_ledger(personas.province, YEAR).balance_fen
    assert ledger.yuan(balance) in page.content.decode()
