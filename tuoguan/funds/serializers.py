"""Serializers of the funds API: amounts in integer fen, writable fields as the services'."""

from typing import Any

from rest_framework import serializers

from tuoguan.core.api import ScopedPrimaryKeyField
from tuoguan.core.files import UploadSerializerField
from tuoguan.enrolment.models import Enrolment
from tuoguan.orgs.models import Org
from tuoguan.orgs.selectors import orgs_visible_to
from tuoguan.programs.models import Program
from tuoguan.programs.selectors import programs_visible_to

from . import selectors
from .models import (
    Budget,
    BudgetSource,
    Expense,
    ExpenseCategory,
    Grant,
    GrantKind,
    Payment,
    PaymentMethod,
)
from .money import MAX_FEN


def _fen(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_FEN, **kwargs)


def _year() -> serializers.IntegerField:
    return serializers.IntegerField(min_value=2000, max_value=2100)


class BudgetSerializer(serializers.ModelSerializer[Budget]):
    source_text = serializers.CharField(read_only=True)

    class Meta:
        model = Budget
        fields = ("id", "org", "year", "source", "source_text", "amount_fen", "note", "allocation")
        read_only_fields = fields


class BudgetCreateSerializer(serializers.Serializer[Any]):
    org = ScopedPrimaryKeyField(orgs_visible_to, Org)
    year = _year()
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=[c for c in BudgetSource.choices if c[0] != BudgetSource.ALLOCATION]
    )
    amount_fen = _fen()
    note = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class AllocationCreateSerializer(serializers.Serializer[Any]):
    giver = ScopedPrimaryKeyField(orgs_visible_to, Org)
    receiver = ScopedPrimaryKeyField(orgs_visible_to, Org)
    year = _year()
    amount_fen = _fen()
    note = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class GrantSerializer(serializers.ModelSerializer[Grant]):
    class Meta:
        model = Grant
        fields = (
            "id", "org", "program", "year", "kind", "amount_fen", "note", "status",
            "designation_id", "approved_at", "disbursed_on",
        )  # fmt: skip
        read_only_fields = fields


class GrantCreateSerializer(serializers.Serializer[Any]):
    org = ScopedPrimaryKeyField(orgs_visible_to, Org)
    program = ScopedPrimaryKeyField(programs_visible_to, Program)
    year = _year()
    kind = serializers.ChoiceField(
        choices=[c for c in GrantKind.choices if c[0] != GrantKind.DESIGNATION]
    )
    amount_fen = _fen()
    note = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)


class DisburseSerializer(serializers.Serializer[Any]):
    disbursed_on = serializers.DateField()
    proof = UploadSerializerField()


class DesignationGrantsSerializer(serializers.Serializer[Any]):
    org = ScopedPrimaryKeyField(orgs_visible_to, Org)
    campaign = serializers.CharField(max_length=40, help_text="A batch key: c<campaign id>")
    year = _year()
    amount_fen = _fen(required=False, allow_null=True, default=None)


class PaymentSerializer(serializers.ModelSerializer[Payment]):
    class Meta:
        model = Payment
        fields = ("id", "program", "enrolment", "amount_fen", "method", "receipt_number", "paid_on")
        read_only_fields = fields


class PaymentCreateSerializer(serializers.Serializer[Any]):
    enrolment = ScopedPrimaryKeyField(selectors.enrolments_of_books, Enrolment)
    amount_fen = _fen()
    method = serializers.ChoiceField(choices=PaymentMethod.choices)
    receipt_number = serializers.CharField(max_length=40)
    paid_on = serializers.DateField()


class RefundCreateSerializer(serializers.Serializer[Any]):
    enrolment = ScopedPrimaryKeyField(selectors.enrolments_of_books, Enrolment)


class RefundSerializer(serializers.Serializer[Any]):
    enrolment = serializers.IntegerField(source="enrolment_id", allow_null=True)
    amount_fen = serializers.IntegerField()
    rule = serializers.CharField()
    days_total = serializers.IntegerField()
    days_unused = serializers.IntegerField()
    refunded_on = serializers.DateField()


class ExpenseSerializer(serializers.ModelSerializer[Expense]):
    class Meta:
        model = Expense
        fields = ("id", "program", "spent_on", "category", "amount_fen", "description")
        read_only_fields = fields


class ExpenseCreateSerializer(serializers.Serializer[Any]):
    program = ScopedPrimaryKeyField(programs_visible_to, Program)
    spent_on = serializers.DateField()
    category = serializers.ChoiceField(choices=ExpenseCategory.choices)
    amount_fen = _fen()
    description = serializers.CharField(max_length=200)
    receipt = UploadSerializerField()
