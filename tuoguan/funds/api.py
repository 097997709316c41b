"""API twins of the funds pages: /api/v1/budgets/, /grants/, /payments/, /expenses/.

The same selectors and services as the pages: outside the requester's subtree 404, visible
but not theirs to act on 403, a refused write (an overcommitted budget) 400 with the reason.
"""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from tuoguan.core.parsers import JSONParser
from tuoguan.orgs.api import ScopedViewSet
from tuoguan.orgs.permissions import require

from . import selectors, services
from .models import Budget, Expense, Grant, Payment
from .permissions import can_approve_grant
from .serializers import (
    AllocationCreateSerializer,
    BudgetCreateSerializer,
    BudgetSerializer,
    DesignationGrantsSerializer,
    DisburseSerializer,
    ExpenseCreateSerializer,
    ExpenseSerializer,
    GrantCreateSerializer,
    GrantSerializer,
    PaymentCreateSerializer,
    PaymentSerializer,
    RefundCreateSerializer,
    RefundSerializer,
)


@extend_schema_view(
    create=extend_schema(request=BudgetCreateSerializer, responses={201: BudgetSerializer}),
)
class BudgetViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet[Budget]):
    """Childcare budgets (专项资金) of the unions of the requester's subtree."""

    queryset = Budget.objects.none()
    serializer_class = BudgetSerializer
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[Budget]:
        if self.is_schema:
            return Budget.objects.none()
        return selectors.budgets_visible_to(self.actor).order_by("-year", "pk")

    def create(self, request: Request, **kwargs: Any) -> Response:
        payload = BudgetCreateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        budget = services.budget_add(actor=self.actor, **payload.validated_data)
        return Response(BudgetSerializer(budget).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AllocationCreateSerializer, responses={201: BudgetSerializer})
    @action(detail=False, methods=["post"])
    def allocate(self, request: Request, **kwargs: Any) -> Response:
        """Pass money to a lower union; answers with the budget it becomes there."""
        payload = AllocationCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        payload.is_valid(raise_exception=True)
        allocation = services.allocation_create(actor=self.actor, **payload.validated_data)
        budget = Budget.objects.select_related("allocation__giver").get(allocation=allocation)
        return Response(BudgetSerializer(budget).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    create=extend_schema(request=GrantCreateSerializer, responses={201: GrantSerializer}),
)
class GrantViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet[Grant]):
    """Grants to classes (补助): proposed, approved against the budget, disbursed with proof."""

    queryset = Grant.objects.none()
    serializer_class = GrantSerializer
    http_method_names = ["get", "post", "head", "options"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[Grant]:
        if self.is_schema:
            return Grant.objects.none()
        return selectors.grants_visible_to(self.actor).order_by("-year", "-pk")

    def create(self, request: Request, **kwargs: Any) -> Response:
        payload = GrantCreateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        grant = services.grant_create(actor=self.actor, **payload.validated_data)
        return Response(GrantSerializer(grant).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=GrantSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        """Approve: committed against the granting union's budget, or 400 with what remains."""
        grant = self.get_object()
        require(can_approve_grant(self.actor, grant))
        return Response(GrantSerializer(services.grant_approve(actor=self.actor, grant=grant)).data)

    @extend_schema(request=None, responses=GrantSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        grant = self.get_object()
        require(can_approve_grant(self.actor, grant))
        return Response(GrantSerializer(services.grant_reject(actor=self.actor, grant=grant)).data)

    @extend_schema(request={"multipart/form-data": DisburseSerializer}, responses=GrantSerializer)
    @action(detail=True, methods=["post"])
    def disburse(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        """Record the disbursement with its proof (photo or PDF)."""
        grant = self.get_object()
        require(can_approve_grant(self.actor, grant))
        payload = DisburseSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        done = services.grant_disburse(actor=self.actor, grant=grant, **payload.validated_data)
        return Response(GrantSerializer(done).data)

    @extend_schema(request=DesignationGrantsSerializer, responses={201: GrantSerializer(many=True)})
    @action(detail=False, methods=["post"])
    def designations(self, request: Request, **kwargs: Any) -> Response:
        """One approved grant per designation of a campaign, in one step (all or nothing)."""
        payload = DesignationGrantsSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        made = services.designation_grants_create(
            actor=self.actor, org=data["org"], key=data["campaign"], year=data["year"],
            amount_fen=data["amount_fen"],
        )  # fmt: skip
        return Response(GrantSerializer(made, many=True).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    create=extend_schema(request=PaymentCreateSerializer, responses={201: PaymentSerializer}),
)
class PaymentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet[Payment]):
    """Families' payments of fees and living costs: a class's, or one's own family's."""

    queryset = Payment.objects.none()
    serializer_class = PaymentSerializer
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[Payment]:
        if self.is_schema:
            return Payment.objects.none()
        return selectors.payments_visible_to(self.actor).order_by("-paid_on", "-pk")

    def create(self, request: Request, **kwargs: Any) -> Response:
        payload = PaymentCreateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        payment = services.payment_record(actor=self.actor, **payload.validated_data)
        return Response(PaymentSerializer(payment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RefundCreateSerializer, responses={201: RefundSerializer})
    @action(detail=False, methods=["post"])
    def refund(self, request: Request, **kwargs: Any) -> Response:
        """Refund a withdrawn child by the class's rule (computed, never typed)."""
        payload = RefundCreateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        made = services.refund_record(
            actor=self.actor, enrolment=payload.validated_data["enrolment"]
        )
        return Response(RefundSerializer(made).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    create=extend_schema(
        request={"multipart/form-data": ExpenseCreateSerializer},
        responses={201: ExpenseSerializer},
    ),
)
class ExpenseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet[Expense]):
    """Expenses of the classes the requester sees, each with its receipt."""

    queryset = Expense.objects.none()
    serializer_class = ExpenseSerializer
    http_method_names = ["get", "post", "head", "options"]
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[Expense]:
        if self.is_schema:
            return Expense.objects.none()
        return selectors.expenses_visible_to(self.actor).order_by("-spent_on", "-pk")

    def create(self, request: Request, **kwargs: Any) -> Response:
        payload = ExpenseCreateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        expense = services.expense_record(actor=self.actor, **payload.validated_data)
        return Response(ExpenseSerializer(expense).data, status=status.HTTP_201_CREATED)
