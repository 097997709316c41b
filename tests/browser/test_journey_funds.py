"""Journey: the province admin funds a campaign's designations; a class spends with a receipt.

The admin adds the year's budget, creates the grants of the designated campaign in one
step and sees them committed on the budget page; the grassroots admin records an expense
with a receipt photo on a phone, and the class's ledger balances. axe-core runs on each
page; the phone pages do not scroll sideways at 360 px.
"""

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from tuoguan.awards.models import Designation
from tuoguan.awards.tests.factories import make_campaign
from tuoguan.funds.ledger import class_ledger, yuan
from tuoguan.funds.models import Expense, Grant
from tuoguan.programs.tests.factories import make_program

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = (360, 740)
NO_SIDEWAYS = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"


def receipt() -> dict[str, object]:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (240, 240, 220)).save(out, "JPEG")
    return {"name": "发票.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}


def test_the_admin_funds_the_designations_and_the_class_books_balance(
    new_page, personas, log_in, assert_accessible
):
    year = timezone.localdate().year
    campaign = make_campaign(personas, title="2026年度辽宁工会爱心托管班省级示范点")
    programs = [make_program(personas, name=f"示范班{n}") for n in range(2)]
    for program in programs:
        Designation.objects.create(
            program=program, level=campaign.level, year=campaign.year, campaign=campaign,
            org=personas.province,
        )  # fmt: skip

    page = new_page(locale="zh-CN")
    log_in(page, "ln_admin")
    page.goto(reverse("funds:budget_create"))
    assert_accessible(page, context="new budget")
    page.locator("select[name=source]").select_option("government")
    page.locator("input[name=amount_fen]").fill("100000")
    with page.expect_navigation():
        page.locator("main form [type=submit]").click()
    expect(page.locator("main")).to_contain_text("100,000.00")
    assert_accessible(page, context="budget page")

    page.goto(reverse("funds:designation_grants"))
    assert_accessible(page, context="designation grants")
    page.locator("select[name=campaign]").select_option(f"c{campaign.pk}")
    page.locator("input[name=year]").fill(str(year))
    with page.expect_navigation():
        page.locator("main form [type=submit]").click()
    main = page.locator("main")
    expect(main).to_contain_text("60,000.00")  # committed: two grants of 30,000 yuan
    expect(main).to_contain_text("40,000.00")  # what remains
    assert Grant.objects.filter(program__in=programs).count() == 2
    assert_accessible(page, context="budget with the grants")

    phone = new_page(locale="zh-CN", viewport=PHONE)
    log_in(phone, "gang_admin")
    phone.goto(reverse("funds:expense_create", args=[programs[0].pk]))
    assert_accessible(phone, context="new expense")
    assert phone.evaluate(NO_SIDEWAYS)
    phone.locator("input[name=spent_on]").fill(timezone.localdate().isoformat())
    phone.locator("select[name=category]").select_option("materials")
    phone.locator("input[name=amount_fen]").fill("865")
    phone.locator("input[name=description]").fill("手工和绘画材料")
    phone.locator("input[name=receipt]").set_input_files([receipt()])
    with phone.expect_navigation():
        phone.locator("main form [type=submit]").click()
    expect(phone.locator("main")).to_contain_text("865.00")
    assert_accessible(phone, context="expenses")
    assert Expense.objects.get().receipt_type == "image/jpeg"

    phone.goto(reverse("funds:class_ledger", args=[programs[0].pk]))
    assert_accessible(phone, context="class ledger")
    assert phone.evaluate(NO_SIDEWAYS)
    book = class_ledger(programs[0], year)
    assert book.balance_fen == 3_000_000 - 86_500
    expect(phone.locator("#ledger-balance")).to_contain_text(yuan(book.balance_fen))
