"""The funds pages and API: the same services, bounded queries, bad input refused clearly."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from tuoguan.awards.models import Designation
from tuoguan.awards.tests.factories import make_campaign
from tuoguan.funds.models import Budget, Expense, Grant, GrantStatus
from tuoguan.funds.selectors import budget_year_of
from tuoguan.programs.tests.factories import image_upload, make_program

from .factories import YEAR, budget, grant

pytestmark = pytest.mark.django_db


def client_of(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


def api_of(user):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


def test_the_admin_adds_a_budget_typed_in_yuan(personas):
    reply = client_of(personas.province_admin).post(
        reverse("funds:budget_create"),
        {"year": YEAR, "source": "government", "amount_fen": "30,000.50", "note": ""},
    )
    assert reply.status_code == 302
    assert Budget.objects.get().amount_fen == 3_000_050


@pytest.mark.parametrize("typed", ["-100", "abc", "1e400", "99999999999999999999", "1.234", "NaN"])
def test_a_bad_amount_is_refused_on_the_form_in_chinese(personas, typed):
    reply = client_of(personas.province_admin).post(
        reverse("funds:budget_create"), {"year": YEAR, "source": "government", "amount_fen": typed}
    )
    assert reply.status_code == 200
    assert not Budget.objects.exists()
    assert "errorlist" in reply.content.decode()
    assert "金额" in reply.content.decode()


@pytest.mark.parametrize("amount", [-1, 0, "abc", 10**30, 1.5, None])
def test_the_api_refuses_bad_amounts_with_a_400_on_the_field(personas, amount):
    reply = api_of(personas.province_admin).post(
        "/api/v1/budgets/",
        {"org": personas.province.pk, "year": YEAR, "source": "donations", "amount_fen": amount},
        format="json",
    )
    assert reply.status_code == 400
    assert "amount_fen" in reply.json()


def test_an_overcommitting_approval_is_refused_on_the_page_with_the_balance(personas):
    budget(personas, 100)
    pending = grant(personas, 100_01)
    client = client_of(personas.province_admin)
    reply = client.post(reverse("funds:grant_approve", args=[pending.pk]), follow=True)
    text = reply.content.decode()
    assert "100.00" in text and "预算不足" in text
    pending.refresh_from_db()
    assert pending.status == GrantStatus.PENDING


def test_the_api_refusal_of_an_approval_names_the_remaining_balance(personas):
    budget(personas, 100)
    pending = grant(personas, 100_01)
    reply = api_of(personas.province_admin).post(f"/api/v1/grants/{pending.pk}/approve/")
    assert reply.status_code == 400
    assert "100.00" in str(reply.json())


def test_a_reviewer_sees_the_grant_but_may_not_approve_it(personas):
    budget(personas, 1_000)
    pending = grant(personas, 100)
    assert (
        client_of(personas.reviewer)
        .get(reverse("funds:grant_detail", args=[pending.pk]))
        .status_code
        == 200
    )
    assert (
        api_of(personas.reviewer).post(f"/api/v1/grants/{pending.pk}/approve/").status_code == 403
    )
    assert (
        api_of(personas.outsider).post(f"/api/v1/grants/{pending.pk}/approve/").status_code == 404
    )


def test_the_designation_grants_are_made_in_one_step_from_the_page(personas):
    budget(personas, 100_000)
    campaign = make_campaign(personas)
    for n in range(2):
        Designation.objects.create(
            program=make_program(personas, name=f"示范班{n}"), level=campaign.level,
            year=campaign.year, campaign=campaign, org=personas.province,
        )  # fmt: skip
    client = client_of(personas.province_admin)
    form = client.get(reverse("funds:designation_grants"))
    assert campaign.title in form.content.decode()
    reply = client.post(
        reverse("funds:designation_grants"), {"campaign": f"c{campaign.pk}", "year": YEAR}
    )
    assert reply.status_code == 302
    assert Grant.objects.filter(status=GrantStatus.APPROVED).count() == 2
    page = client.get(reverse("funds:budget_list", args=[personas.province.pk]), {"year": YEAR})
    assert "60,000.00" in page.content.decode()
    assert budget_year_of(personas.province, YEAR).committed_fen == 6_000_000


def test_the_manager_records_an_expense_with_its_receipt(personas):
    program = make_program(personas)
    reply = client_of(personas.grassroots_admin).post(
        reverse("funds:expense_create", args=[program.pk]),
        {
            "spent_on": datetime.date.today().isoformat(),
            "category": "materials",
            "amount_fen": "88.80",
            "description": "手工材料",
            "receipt": image_upload(),
        },
    )
    assert reply.status_code == 302
    expense = Expense.objects.get()
    assert expense.amount_fen == 8_880 and expense.receipt_type == "image/jpeg"
    receipt = client_of(personas.caregiver).get(reverse("funds:expense_receipt", args=[expense.pk]))
    assert receipt.status_code == 200


def test_a_caregiver_records_no_expense(personas):
    program = make_program(personas)
    url = reverse("funds:expense_create", args=[program.pk])
    assert client_of(personas.caregiver).get(url).status_code == 403


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_grant_list_reads_a_bounded_number_of_queries(personas):
    client = client_of(personas.province_admin)
    url = reverse("funds:grant_list")
    program = make_program(personas)
    grant(personas, 100, program=program)
    few = count_queries(client, url)
    for _ in range(15):
        grant(personas, 100, program=make_program(personas, name="另一班"))
    assert count_queries(client, url) == few


def test_the_expense_list_reads_a_bounded_number_of_queries(personas):
    from tuoguan.funds import services

    from .factories import actor

    program = make_program(personas)
    client = client_of(personas.grassroots_admin)
    url = reverse("funds:expense_list", args=[program.pk])

    def spend():
        services.expense_record(
            actor=actor(personas.grassroots_admin), program=program,
            spent_on=datetime.date.today(), category="meals", amount_fen=100,
            description="餐费", receipt=image_upload(),
        )  # fmt: skip

    spend()
    few = count_queries(client, url)
    for _ in range(10):
        spend()
    assert count_queries(client, url) == few


def test_the_pages_speak_chinese(personas):
    budget(personas, 1_000)
    with translation.override("zh-hans"):
        page = client_of(personas.province_admin).get(
            reverse("funds:budget_list", args=[personas.province.pk])
        )
    assert "托管专项资金" in page.content.decode()
