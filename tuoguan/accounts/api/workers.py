"""API twin of the worker roster pages: the same selectors, services and scoping.

Outside the requester's subtree → 404; visible but not theirs to change → 403; bad input →
400 with field errors.
"""

from typing import Any

from django.contrib.auth import password_validation
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from tuoguan.accounts import selectors, services
from tuoguan.accounts.models import Worker, mobile_validator
from tuoguan.core.api import ScopedPrimaryKeyField
from tuoguan.orgs.api import ScopedViewSet
from tuoguan.orgs.models import Org
from tuoguan.orgs.permissions import PEOPLE_READER_ROLES, Actor, require
from tuoguan.orgs.selectors import orgs_visible_to


class WorkerSerializer(serializers.ModelSerializer[Worker]):
    real_name = serializers.CharField(source="user.real_name", read_only=True)
    mobile = serializers.CharField(source="user.mobile", read_only=True, allow_null=True)
    employer_name = serializers.CharField(source="employer.name", read_only=True)

    class Meta:
        model = Worker
        fields = (
            "id",
            "real_name",
            "mobile",
            "member_number",
            "employer",
            "employer_name",
            "verified",
            "verified_by",
            "verified_at",
            "created_at",
        )
        read_only_fields = fields


class WorkerCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    real_name = serializers.CharField(max_length=60)
    mobile = serializers.CharField(max_length=11, validators=[mobile_validator])
    member_number = serializers.CharField(
        max_length=40, required=False, allow_blank=True, default=""
    )
    # A grassroots union in the requester's subtree; any other id does not exist for them.
    employer = ScopedPrimaryKeyField(
        selectors.employer_orgs_for, Org, help_text=_("Id of a grassroots union in your subtree")
    )
    password = serializers.CharField(
        write_only=True, required=False, allow_blank=True, default="", trim_whitespace=False
    )
    verified = serializers.BooleanField(required=False, default=True)

    def validate_password(self, value: str) -> str:
        if value:
            password_validation.validate_password(value)
        return value


class WorkerVerifySerializer(serializers.Serializer):  # type: ignore[type-arg]
    verified = serializers.BooleanField(required=False, default=True)


class WorkerFilterSerializer(serializers.Serializer):  # type: ignore[type-arg]
    q = serializers.CharField(required=False, allow_blank=True, max_length=60, default="")
    org: serializers.PrimaryKeyRelatedField[Org] = serializers.PrimaryKeyRelatedField(
        queryset=Org.objects.none(), required=False
    )
    verified = serializers.BooleanField(required=False, allow_null=True, default=None)

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs_visible_to(actor)  # type: ignore[attr-defined]


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="Name, mobile number or member number"),
            OpenApiParameter("org", int, description="Only workers of this union's subtree"),
            OpenApiParameter("verified", bool, description="Only (not) verified members"),
        ]
    ),
    create=extend_schema(request=WorkerCreateSerializer, responses={201: WorkerSerializer}),
)
class WorkerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Union members (职工) in the requester's subtree; a worker also sees their own record."""

    queryset = Worker.objects.none()
    serializer_class = WorkerSerializer
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[Worker]:
        if self.is_schema:
            return Worker.objects.none()
        actor = self.actor
        if self.action != "list":
            return selectors.workers_visible_to(actor).order_by("pk")
        require(actor.has_role(PEOPLE_READER_ROLES))
        filters = WorkerFilterSerializer(data=self.request.query_params, actor=actor)
        filters.is_valid(raise_exception=True)
        return selectors.workers_search(actor, **filters.validated_data)

    def get_object(self) -> Worker:
        return selectors.worker_for(self.actor, self.kwargs["pk"])

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        actor = self.actor
        require(actor.is_admin)
        payload = WorkerCreateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        worker = services.worker_register(
            actor=actor, **{**data, "password": data.get("password") or None}
        )
        return Response(WorkerSerializer(worker).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=WorkerVerifySerializer, responses=WorkerSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, pk: Any = None) -> Response:
        """Confirm (or with `{"verified": false}` withdraw) the union membership."""
        worker = selectors.worker_for_change(self.actor, pk)
        payload = WorkerVerifySerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.worker_verify(
            actor=self.actor, worker=worker, verified=payload.validated_data["verified"]
        )
        return Response(WorkerSerializer(worker).data)
