"""The API twins call the same services: grants in one step, payments, refunds, expenses."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from tuoguan.awards.models import Designation
from tuoguan.awards.tests.factories import make_campaign
from tuoguan.enrolment.models import Enrolment, EnrolmentStatus
from tuoguan.funds.models import Expense, Grant, Payment, Refund
from tuoguan.programs.tests.factories import image_upload, make_program, make_term

from .factories import YEAR, budget, fee_program

pytestmark = pytest.mark.django_db


def api_of(user):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


def seated(p, program):
    term = make_term(p, program=program)
    return Enrolment.objects.create(
        term=term, child=p.child_one, guardian=p.parent_worker, status=EnrolmentStatus.CONFIRMED
    )


def test_the_api_makes_the_designation_grants_in_one_step_or_none(personas):
    budget(personas, 30_000)
    campaign = make_campaign(personas)
    for n in range(2):
        Designation.objects.create(
            program=make_program(personas, name=f"示范班{n}"), level=campaign.level,
            year=campaign.year, campaign=campaign, org=personas.province,
        )  # fmt: skip
    body = {"org": personas.province.pk, "campaign": f"c{campaign.pk}", "year": YEAR}
    refused = api_of(personas.province_admin).post(
        "/api/v1/grants/designations/", body, format="json"
    )
    assert refused.status_code == 400 and "30,000.00" in str(refused.json())
    assert not Grant.objects.exists()
    budget(personas, 30_000)
    made = api_of(personas.province_admin).post("/api/v1/grants/designations/", body, format="json")
    assert made.status_code == 201 and len(made.json()) == 2


def test_a_payment_and_a_refund_by_the_api(personas):
    program = fee_program(personas)
    enrolment = seated(personas, program)
    client = api_of(personas.grassroots_admin)
    paid = client.post(
        "/api/v1/payments/",
        {"enrolment": enrolment.pk, "amount_fen": 60_000, "method": "alipay",
         "receipt_number": "ZFB-1", "paid_on": "2026-07-01"},
        format="json",
    )  # fmt: skip
    assert paid.status_code == 201, paid.json()
    assert Payment.objects.get().program == program
    Enrolment.objects.filter(pk=enrolment.pk).update(status=EnrolmentStatus.WITHDRAWN)
    refunded = client.post("/api/v1/payments/refund/", {"enrolment": enrolment.pk}, format="json")
    assert refunded.status_code == 201
    assert refunded.json()["amount_fen"] == Refund.objects.get().amount_fen
    family = api_of(personas.parent).get("/api/v1/payments/").json()
    other = api_of(personas.other_parent).get("/api/v1/payments/").json()
    assert family["count"] == 1 and other["count"] == 0


def test_a_caregiver_posts_no_payment(personas):
    enrolment = seated(personas, fee_program(personas))
    reply = api_of(personas.caregiver).post(
        "/api/v1/payments/",
        {"enrolment": enrolment.pk, "amount_fen": 1, "method": "cash", "receipt_number": "X",
         "paid_on": "2026-07-01"},
        format="json",
    )  # fmt: skip
    assert reply.status_code == 403


def test_an_expense_with_its_receipt_by_the_api(personas):
    program = make_program(personas)
    reply = api_of(personas.grassroots_admin).post(
        "/api/v1/expenses/",
        {"program": program.pk, "spent_on": datetime.date.today().isoformat(),
         "category": "equipment", "amount_fen": 150_000, "description": "监控摄像头",
         "receipt": image_upload()},
        format="multipart",
    )  # fmt: skip
    assert reply.status_code == 201, reply.json()
    assert Expense.objects.get().amount_fen == 150_000


def test_an_expense_without_a_receipt_is_refused_by_the_api(personas):
    reply = api_of(personas.grassroots_admin).post(
        "/api/v1/expenses/",
        {"program": make_program(personas).pk, "spent_on": "2026-07-01", "category": "meals",
         "amount_fen": "abc", "description": ""},
        format="multipart",
    )  # fmt: skip
    assert reply.status_code == 400
    assert {"amount_fen", "receipt"} <= set(reply.json())


def test_the_class_sets_its_refund_rule_and_refunds_by_it_on_the_page(personas):
    program = fee_program(personas)
    enrolment = seated(personas, program)
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(personas.grassroots_admin)
    assert (
        client.post(reverse("funds:fee_list", args=[program.pk]), {"refund": "none"}).status_code
        == 302
    )
    client.post(
        reverse("funds:payment_create", args=[enrolment.pk]),
        {"amount_fen": "600", "method": "cash", "receipt_number": "R-1", "paid_on": "2026-07-01"},
    )
    Enrolment.objects.filter(pk=enrolment.pk).update(status=EnrolmentStatus.WITHDRAWN)
    page = client.post(reverse("funds:refund_create", args=[enrolment.pk]), follow=True)
    assert Refund.objects.get().amount_fen == 0
    assert "已登记退费 0.00 元" in page.content.decode()


def test_the_expense_list_answers_htmx_with_its_fragment(personas):
    program = make_program(personas)
    client = Client()
    client.force_login(personas.grassroots_admin)
    reply = client.get(reverse("funds:expense_list", args=[program.pk]), HTTP_HX_REQUEST="true")
    assert b"<html" not in reply.content and reply.status_code == 200
