"""Fees: payments recorded, refunds computed by the class's rule, outstanding fees reminded."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tuoguan.enrolment.models import Enrolment, EnrolmentStatus
from tuoguan.funds import selectors, services
from tuoguan.funds.models import RefundRule
from tuoguan.notifications.models import Notification
from tuoguan.programs.calendar import care_days
from tuoguan.programs.tests.factories import make_term

from .factories import actor, fee_program

pytestmark = pytest.mark.django_db
START, END = datetime.date(2026, 7, 6), datetime.date(2026, 7, 31)


def seated(p, program, status=EnrolmentStatus.CONFIRMED):
    term = make_term(p, program=program, start_date=START, end_date=END)
    return Enrolment.objects.create(
        term=term, child=p.child_one, guardian=p.parent_worker, status=status
    )


def pay(p, enrolment, fen, receipt="SJ-001"):
    return services.payment_record(
        actor=actor(p.grassroots_admin), enrolment=enrolment, amount_fen=fen, method="wechat",
        receipt_number=receipt, paid_on=datetime.date(2026, 7, 1),
    )  # fmt: skip


def test_pro_rata_refunds_the_care_days_not_yet_used():
    days = care_days(START, END)
    left = days[4]
    due = services.refund_due(paid=60_000, start=START, end=END, left_on=left, rule="pro_rata")
    assert due.days_total == len(days) and due.days_unused == len(days) - 5
    assert due.amount_fen == 60_000 * (len(days) - 5) // len(days)


def test_leaving_before_the_first_day_refunds_everything_and_after_the_last_nothing():
    before = services.refund_due(
        paid=60_000, start=START, end=END, left_on=START - datetime.timedelta(days=1),
        rule="pro_rata",
    )  # fmt: skip
    after = services.refund_due(paid=60_000, start=START, end=END, left_on=END, rule="pro_rata")
    assert (before.amount_fen, after.amount_fen) == (60_000, 0)


def test_a_class_without_refunds_refunds_nothing():
    due = services.refund_due(paid=60_000, start=START, end=END, left_on=START, rule="none")
    assert due.amount_fen == 0


def test_the_refund_of_a_withdrawn_child_follows_the_class_rule(personas):
    program = fee_program(personas)
    enrolment = seated(personas, program)
    pay(personas, enrolment, 60_000)
    services.fee_rule_set(actor=actor(personas.grassroots_admin), program=program, refund="none")
    Enrolment.objects.filter(pk=enrolment.pk).update(status=EnrolmentStatus.WITHDRAWN)
    refund = services.refund_record(actor=actor(personas.grassroots_admin), enrolment=enrolment)
    assert (refund.amount_fen, refund.rule) == (0, RefundRule.NONE)
    with pytest.raises(ValidationError, match="已"):
        services.refund_record(actor=actor(personas.grassroots_admin), enrolment=enrolment)


def test_a_child_still_in_the_class_is_not_refunded(personas):
    enrolment = seated(personas, fee_program(personas))
    pay(personas, enrolment, 100)
    with pytest.raises(ValidationError):
        services.refund_record(actor=actor(personas.grassroots_admin), enrolment=enrolment)


def test_a_free_class_takes_no_payment_and_a_receipt_is_recorded_once(personas):
    from tuoguan.programs.tests.factories import make_program

    with pytest.raises(ValidationError, match="免费"):
        pay(personas, seated(personas, make_program(personas)), 100)
    enrolment = seated(personas, fee_program(personas, name="收费班"))
    pay(personas, enrolment, 100)
    with pytest.raises(ValidationError, match="已"):
        pay(personas, enrolment, 100)


@pytest.mark.parametrize("fen", [0, -1, 10**12])
def test_a_payment_of_nothing_negative_or_huge_is_refused(personas, fen):
    with pytest.raises(ValidationError):
        pay(personas, seated(personas, fee_program(personas)), fen)


def test_a_caregiver_records_no_payment(personas):
    enrolment = seated(personas, fee_program(personas))
    with pytest.raises(PermissionDenied):
        services.payment_record(
            actor=actor(personas.caregiver), enrolment=enrolment, amount_fen=1, method="cash",
            receipt_number="X", paid_on=datetime.date(2026, 7, 1),
        )  # fmt: skip


def test_outstanding_fees_are_listed_and_the_family_reminded(personas):
    program = fee_program(personas)
    enrolment = seated(personas, program)
    pay(personas, enrolment, 20_000)
    rows = selectors.fee_rows(program)
    assert [r.outstanding_fen for r in rows] == [40_000]
    sent = services.fees_remind(actor=actor(personas.grassroots_admin), program=program, rows=rows)
    assert sent == 1
    notice = Notification.objects.get(recipient=personas.parent)
    assert "400.00" in notice.body
    assert [r.paid_fen for r in selectors.family_fee_rows(actor(personas.parent))] == [20_000]
    assert not selectors.family_fee_rows(actor(personas.other_parent))


def test_the_refund_counts_the_care_days_after_the_day_the_child_left(personas):
    import zoneinfo

    program = fee_program(personas)
    enrolment = seated(personas, program)
    pay(personas, enrolment, 60_000)
    days = care_days(START, END)
    left = datetime.datetime.combine(days[9], datetime.time(12), zoneinfo.ZoneInfo("Asia/Shanghai"))
    Enrolment.objects.filter(pk=enrolment.pk).update(
        status=EnrolmentStatus.WITHDRAWN, decided_at=left
    )
    refund = services.refund_record(actor=actor(personas.grassroots_admin), enrolment=enrolment)
    assert refund.days_unused == len(days) - 10
    assert refund.amount_fen == 60_000 * (len(days) - 10) // len(days)
