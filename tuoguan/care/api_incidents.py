"""API twins of the incident pages, emergency plans and drills: the same selectors and
services, the same scoping (outside → 404; visible but not one's to act on → 403)."""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from tuoguan.core.api import id_param
from tuoguan.core.files import UploadSerializerField
from tuoguan.orgs.api import ScopedViewSet
from tuoguan.orgs.permissions import require
from tuoguan.programs.models import Group

from . import selectors, services
from .models import Drill, EmergencyPlan, Incident, IncidentKind, IncidentNotice, Severity
from .permissions import can_care, can_manage_care, can_manage_kiosks, can_read_incident


class IncidentNoticeSerializer(serializers.ModelSerializer[IncidentNotice]):
    person = serializers.SerializerMethodField()

    class Meta:
        model = IncidentNotice
        fields = ["person", "level", "org", "acknowledged_at", "resent_at"]
        read_only_fields = fields

    def get_person(self, notice: IncidentNotice) -> str:
        return notice.recipient.real_name or notice.recipient.username


class IncidentSerializer(serializers.ModelSerializer[Incident]):
    children: Any = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    actions = serializers.SerializerMethodField()
    notices = IncidentNoticeSerializer(many=True, read_only=True)

    class Meta:
        model = Incident
        fields = [
            "id", "term", "group", "kind", "severity", "occurred_at", "description",
            "actions_taken", "children", "reported_by", "closed_at", "summary", "actions",
            "notices",
        ]  # fmt: skip
        read_only_fields = fields

    def get_actions(self, incident: Incident) -> list[dict[str, Any]]:
        return [{"text": a.text, "at": a.created_at, "by": a.by_id} for a in incident.actions.all()]


class IncidentCreateSerializer(serializers.Serializer[Any]):
    term = serializers.IntegerField()
    group = serializers.IntegerField(required=False, allow_null=True, default=None)
    kind = serializers.ChoiceField(choices=IncidentKind.choices)
    severity = serializers.ChoiceField(choices=Severity.choices)
    occurred_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    description = serializers.CharField(max_length=2000)
    actions_taken = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default=""
    )
    children = serializers.ListField(
        child=serializers.IntegerField(), required=False, default=list, max_length=200
    )
    photos = serializers.ListField(
        child=UploadSerializerField(images_only=True, allow_webp=True),
        required=False,
        default=list,
        max_length=services.incidents.MAX_PHOTOS,
    )


class TextSerializer(serializers.Serializer[Any]):
    text = serializers.CharField(max_length=500)


class SummarySerializer(serializers.Serializer[Any]):
    summary = serializers.CharField(max_length=2000)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("term", int, description="Only this term"),
            OpenApiParameter("open", bool, description="Only open (true) or closed (false)"),
        ]
    ),
    create=extend_schema(request=IncidentCreateSerializer, responses={201: IncidentSerializer}),
)
class IncidentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Incidents (应急处理) of the classes one works for, and those one was told of."""

    queryset = Incident.objects.none()
    serializer_class = IncidentSerializer

    def get_queryset(self) -> QuerySet[Incident]:
        if self.is_schema:
            return Incident.objects.none()
        queryset = selectors.incidents_visible_to(self.actor).prefetch_related(
            "children", "actions", "notices__recipient"
        )
        if self.action == "list":
            term = id_param(self.request, "term")
            if term is not None:
                queryset = queryset.filter(term_id=term)
            state = self.request.query_params.get("open")
            if state in ("true", "false"):
                queryset = queryset.filter(closed_at__isnull=state == "true")
        return queryset

    def get_object(self) -> Incident:
        incident: Incident = super().get_object()
        require(can_read_incident(self.actor, incident))
        return incident

    def create(self, request: Request, **kwargs: Any) -> Response:
        payload = IncidentCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        term = selectors.term_for_incidents(self.actor, data.pop("term"))
        group_id = data.pop("group")
        group = Group.objects.filter(pk=group_id, term=term).first() if group_id else None
        if group_id and group is None:
            raise serializers.ValidationError({"group": [_("Choose a group of this term.")]})
        incident = services.incident_report(actor=self.actor, term=term, group=group, **data)
        return Response(
            IncidentSerializer(self.get_queryset().get(pk=incident.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=None, responses=IncidentNoticeSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        """The person told says they have read it (once; a repeat changes nothing)."""
        incident = selectors.incident_told(self.actor.user, pk)
        notice = services.incident_acknowledge(user=self.actor.user, incident=incident)
        return Response(IncidentNoticeSerializer(notice).data)

    @extend_schema(request=TextSerializer, responses={201: IncidentSerializer})
    @action(detail=True, methods=["post"], url_path="follow-up")
    def follow_up(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        incident = self.get_object()
        require(can_care(self.actor, incident.term))
        payload = TextSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.incident_action_add(actor=self.actor, incident=incident, **payload.validated_data)
        fresh = self.get_queryset().get(pk=incident.pk)
        return Response(IncidentSerializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SummarySerializer, responses=IncidentSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        incident = self.get_object()
        require(can_manage_care(self.actor, incident.term))
        payload = SummarySerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.incident_close(actor=self.actor, incident=incident, **payload.validated_data)
        return Response(IncidentSerializer(self.get_queryset().get(pk=incident.pk)).data)


class DrillCreateSerializer(serializers.Serializer[Any]):
    term = serializers.IntegerField()
    kind = serializers.CharField(max_length=20)
    date = serializers.DateField()
    participants = serializers.IntegerField(min_value=1, max_value=10_000)
    findings = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class DrillReadSerializer(serializers.ModelSerializer[Drill]):
    class Meta:
        model = Drill
        fields = ["id", "term", "kind", "date", "participants", "findings", "recorded_by"]
        read_only_fields = fields


@extend_schema_view(
    create=extend_schema(request=DrillCreateSerializer, responses={201: DrillReadSerializer})
)
class DrillViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Emergency drills held (演练), of the terms one works for."""

    queryset = Drill.objects.none()
    serializer_class = DrillReadSerializer

    def get_queryset(self) -> QuerySet[Drill]:
        if self.is_schema:
            return Drill.objects.none()
        terms = selectors.terms_for_incidents(self.actor)
        return Drill.objects.filter(term__in=terms).order_by("-date", "-pk")

    def create(self, request: Request, **kwargs: Any) -> Response:
        payload = DrillCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        term = selectors.term_for_incidents(self.actor, data.pop("term"))
        drill = services.drill_record(actor=self.actor, term=term, **data)
        return Response(DrillReadSerializer(drill).data, status=status.HTTP_201_CREATED)


class EmergencyPlanSerializer(serializers.ModelSerializer[EmergencyPlan]):
    class Meta:
        model = EmergencyPlan
        fields = ["id", "program", "kind", "text", "updated_at"]
        read_only_fields = fields


class EmergencyPlanSaveSerializer(serializers.Serializer[Any]):
    program = serializers.IntegerField()
    kind = serializers.CharField(max_length=20)
    text = serializers.CharField(max_length=5000)


@extend_schema_view(
    create=extend_schema(
        request=EmergencyPlanSaveSerializer, responses={200: EmergencyPlanSerializer}
    )
)
class EmergencyPlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Emergency plans (应急预案) of the classes one manages; POST creates or changes one."""

    queryset = EmergencyPlan.objects.none()
    serializer_class = EmergencyPlanSerializer

    def get_queryset(self) -> QuerySet[EmergencyPlan]:
        if self.is_schema:
            return EmergencyPlan.objects.none()
        return selectors.emergency_plans_visible_to(self.actor)

    def create(self, request: Request, **kwargs: Any) -> Response:
        payload = EmergencyPlanSaveSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        program = selectors.program_for_kiosks(self.actor, data.pop("program"))
        require(can_manage_kiosks(self.actor, program))
        plan = services.emergency_plan_save(actor=self.actor, program=program, **data)
        return Response(EmergencyPlanSerializer(plan).data)
