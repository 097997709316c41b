"""API twins of the daily safety inspection pages: the same selectors and services, the same
scoping (outside → 404; visible but not one's to act on → 403)."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from tuoguan.core.api import id_param
from tuoguan.core.files import UploadSerializerField
from tuoguan.orgs.api import ScopedViewSet
from tuoguan.orgs.permissions import require

from . import selectors, services
from .models import InspectionFollowUp, InspectionResult, SafetyInspection
from .permissions import can_care
from .services.inspections import can_close_follow_up


class InspectionFollowUpSerializer(serializers.ModelSerializer[InspectionFollowUp]):
    item = serializers.CharField(source="result.label", read_only=True)
    inspection = serializers.IntegerField(source="result.inspection_id", read_only=True)

    class Meta:
        model = InspectionFollowUp
        fields = [
            "id", "inspection", "item", "owner", "deadline", "closed_at", "closed_by",
            "evidence_note", "overdue_alerted_at",
        ]  # fmt: skip
        read_only_fields = fields


class InspectionResultSerializer(serializers.ModelSerializer[InspectionResult]):
    follow_up: Any = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = InspectionResult
        fields = ["code", "label", "passed", "note", "follow_up"]
        read_only_fields = fields


class SafetyInspectionSerializer(serializers.ModelSerializer[SafetyInspection]):
    results = InspectionResultSerializer(many=True, read_only=True)

    class Meta:
        model = SafetyInspection
        fields = ["id", "term", "date", "note", "inspected_by", "completed_at", "results"]
        read_only_fields = fields


class ResultInputSerializer(serializers.Serializer[Any]):
    code = serializers.SlugField(max_length=40)
    passed = serializers.BooleanField()
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class SafetyInspectionCreateSerializer(serializers.Serializer[Any]):
    """Multipart: `results` as JSON ([{"code", "passed", "note"}]); the photo of a failed
    item in the field `photo_<code>`."""

    term = serializers.IntegerField()
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    results = serializers.JSONField()

    def validate_results(self, value: Any) -> list[dict[str, Any]]:
        rows = ResultInputSerializer(data=value, many=True)
        rows.is_valid(raise_exception=True)
        return list(rows.validated_data)


class PhotoSerializer(serializers.Serializer[Any]):
    photo = UploadSerializerField(images_only=True, allow_webp=True)


class FollowUpCloseSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(max_length=2000)
    photo = UploadSerializerField(
        images_only=True, allow_webp=True, required=False, allow_null=True, default=None
    )


@extend_schema_view(
    list=extend_schema(parameters=[OpenApiParameter("term", int, description="Only this term")]),
    create=extend_schema(
        request=SafetyInspectionCreateSerializer, responses={201: SafetyInspectionSerializer}
    ),
)
class SafetyCheckViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Daily safety inspections (每日巡检) of the terms one works for; POST records today's."""

    queryset = SafetyInspection.objects.none()
    serializer_class = SafetyInspectionSerializer

    def get_queryset(self) -> QuerySet[SafetyInspection]:
        if self.is_schema:
            return SafetyInspection.objects.none()
        queryset = selectors.inspections_visible_to(self.actor).prefetch_related(
            "results__follow_up"
        )
        if self.action == "list":
            term = id_param(self.request, "term")
            if term is not None:
                queryset = queryset.filter(term_id=term)
        return queryset

    def create(self, request: Request, **kwargs: Any) -> Response:
        payload = SafetyInspectionCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        term = selectors.term_for_incidents(self.actor, data.pop("term"))
        require(can_care(self.actor, term))
        results = []
        for row in data.pop("results"):
            photo = request.FILES.get(f"photo_{row['code']}")
            if photo is not None:
                checked = PhotoSerializer(data={"photo": photo})
                if not checked.is_valid():
                    raise serializers.ValidationError({f"photo_{row['code']}": checked.errors})
            results.append({**row, "photo": photo})
        inspection = services.inspection_record(
            actor=self.actor, term=term, results=results, **data
        )
        fresh = self.get_queryset().get(pk=inspection.pk)
        return Response(SafetyInspectionSerializer(fresh).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(parameters=[OpenApiParameter("open", bool, description="Only open")])
)
class InspectionFollowUpViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Follow-ups of failed inspection items; their owner or a manager closes them."""

    queryset = InspectionFollowUp.objects.none()
    serializer_class = InspectionFollowUpSerializer

    def get_queryset(self) -> QuerySet[InspectionFollowUp]:
        if self.is_schema:
            return InspectionFollowUp.objects.none()
        queryset = selectors.inspection_follow_ups_visible_to(self.actor).order_by("deadline", "pk")
        if self.action == "list" and self.request.query_params.get("open") == "true":
            queryset = queryset.filter(closed_at__isnull=True)
        return queryset

    @extend_schema(request=FollowUpCloseSerializer, responses=InspectionFollowUpSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        follow_up = self.get_object()
        require(can_close_follow_up(self.actor, follow_up))
        payload = FollowUpCloseSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.inspection_follow_up_close(
            actor=self.actor, follow_up=follow_up, **payload.validated_data
        )
        return Response(InspectionFollowUpSerializer(self.get_queryset().get(pk=pk)).data)
