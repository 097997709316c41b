"""API twins of the care pages: the same selectors and services, the same scoping.

Outside the requester's groups → 404; visible but not theirs to act on → 403; a refusal of a
service → 400 with its message (core.api). The kiosk endpoints take only a kiosk token
(`Authorization: Kiosk <token>`) and read nothing but the kiosk's class's day.
"""

import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import authentication, exceptions, mixins, permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tuoguan.core.api import id_param
from tuoguan.enrolment.models import Pickup
from tuoguan.orgs.api import ScopedViewSet
from tuoguan.orgs.permissions import require

from . import fastpath, selectors, services
from .models import Attendance, DutyShift, HealthCheck, KioskDevice, TemporaryPickup
from .permissions import can_manage_care
from .services.kiosk import kiosk_authenticate


class AttendanceSerializer(serializers.ModelSerializer[Attendance]):
    child_name = serializers.CharField(source="child.name", read_only=True)
    collected_by = serializers.CharField(read_only=True)

    class Meta:
        model = Attendance
        fields = [
            "id", "enrolment", "child", "child_name", "group", "date", "checked_in_at",
            "check_in_method", "checked_out_at", "check_out_method", "pickup",
            "temporary_pickup", "collected_by", "corrected",
        ]  # fmt: skip
        read_only_fields = fields


class CheckInSerializer(serializers.Serializer[Any]):
    enrolment = serializers.IntegerField()
    code = serializers.CharField(required=False, allow_blank=True, default="")


class CheckOutSerializer(serializers.Serializer[Any]):
    pickup = serializers.IntegerField(required=False)
    temporary_pickup = serializers.IntegerField(required=False)
    code = serializers.CharField(required=False, allow_blank=True, default="")
    person_name = serializers.CharField(required=False, allow_blank=True, default="")


class RefuseSerializer(serializers.Serializer[Any]):
    person_name = serializers.CharField(max_length=60)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class HealthCheckSerializer(serializers.ModelSerializer[HealthCheck]):
    class Meta:
        model = HealthCheck
        fields = [
            "id", "enrolment", "child", "group", "date", "round", "temperature", "symptoms",
            "steps", "note", "flagged", "override_reason", "override_at",
        ]  # fmt: skip
        read_only_fields = fields


class HealthCheckCreateSerializer(serializers.Serializer[Any]):
    enrolment = serializers.IntegerField()
    round = serializers.CharField(required=False, default="morning")
    temperature = serializers.DecimalField(max_digits=3, decimal_places=1)
    symptoms = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    steps = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class AdmitReasonSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=300)


class DutyShiftSerializer(serializers.ModelSerializer[DutyShift]):
    person = serializers.CharField(source="staff.user.real_name", read_only=True)

    class Meta:
        model = DutyShift
        fields = ["id", "staff", "person", "group", "date", "started_at", "ended_at"]
        read_only_fields = fields


class ClockInSerializer(serializers.Serializer[Any]):
    group = serializers.IntegerField()


class _DayFilter:
    def _filtered(self, queryset: QuerySet[Any], request: Request) -> QuerySet[Any]:
        group = id_param(request, "group")
        if group is not None:
            queryset = queryset.filter(group_id=group)
        day = request.query_params.get("date")
        try:
            when = datetime.date.fromisoformat(day) if day else timezone.localdate()
        except ValueError as exc:
            raise serializers.ValidationError({"date": ["Use YYYY-MM-DD."]}) from exc
        return queryset.filter(date=when)


DAY_PARAMS = [
    OpenApiParameter("group", int, description="Only this group"),
    OpenApiParameter("date", str, description="The day (YYYY-MM-DD), today by default"),
]


@extend_schema_view(
    list=extend_schema(parameters=DAY_PARAMS),
    create=extend_schema(request=CheckInSerializer, responses={201: AttendanceSerializer}),
)
class AttendanceViewSet(
    _DayFilter, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet
):
    """Check-in and check-out records (出勤) of the groups the requester works in."""

    queryset = Attendance.objects.none()
    serializer_class = AttendanceSerializer

    def get_queryset(self) -> QuerySet[Attendance]:
        if self.is_schema:
            return Attendance.objects.none()
        queryset = selectors.attendance_visible_to(self.actor)
        return self._filtered(queryset, self.request) if self.action == "list" else queryset

    def create(self, request: Request, **kwargs: Any) -> Response:
        """Check a child in (one tap), or with the code of the parent's phone."""
        # A plain body skips building the serializer (care.fastpath); any other is its.
        data = fastpath.check_in_input(request.data)
        if data is None:
            payload = CheckInSerializer(data=request.data)
            payload.is_valid(raise_exception=True)
            data = payload.validated_data
        enrolment = selectors.enrolment_for_check_in(self.actor, data["enrolment"])
        attendance = services.attendance_check_in(
            actor=self.actor, enrolment=enrolment, code=data["code"]
        )
        # AttendanceSerializer's output, built by hand (care.fastpath).
        return Response(fastpath.attendance_answer(attendance), status=status.HTTP_201_CREATED)

    @extend_schema(request=CheckOutSerializer, responses=AttendanceSerializer)
    @action(detail=True, methods=["post"], url_path="check-out")
    def check_out(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        """Hand the child to a listed pickup person, today's one, or the one-time code."""
        attendance = self.get_object()
        payload = CheckOutSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        if data["code"]:
            done = services.attendance_check_out_by_code(
                actor=self.actor, attendance=attendance, code=data["code"],
                person_name=data["person_name"],
            )  # fmt: skip
        else:
            pickup = Pickup.objects.filter(
                pk=data.get("pickup"), child_id=attendance.child_id
            ).first()
            temporary = TemporaryPickup.objects.filter(
                pk=data.get("temporary_pickup"), child_id=attendance.child_id
            ).first()
            done = services.attendance_check_out(
                actor=self.actor, attendance=attendance, pickup=pickup, temporary_pickup=temporary
            )
        return Response(AttendanceSerializer(done).data)

    @extend_schema(request=RefuseSerializer, responses={201: None})
    @action(detail=True, methods=["post"])
    def refuse(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        """Someone not authorised came: recorded, the guardians told; the child stays."""
        attendance = self.get_object()
        payload = RefuseSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        refusal = services.pickup_refuse(
            actor=self.actor, attendance=attendance, **payload.validated_data
        )
        return Response({"id": refusal.pk}, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(parameters=DAY_PARAMS),
    create=extend_schema(
        request=HealthCheckCreateSerializer, responses={201: HealthCheckSerializer}
    ),
)
class HealthCheckViewSet(
    _DayFilter, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet
):
    """Morning and midday health checks (晨午检)."""

    queryset = HealthCheck.objects.none()
    serializer_class = HealthCheckSerializer

    def get_queryset(self) -> QuerySet[HealthCheck]:
        if self.is_schema:
            return HealthCheck.objects.none()
        queryset = selectors.health_checks_visible_to(self.actor)
        return self._filtered(queryset, self.request) if self.action == "list" else queryset

    def create(self, request: Request, **kwargs: Any) -> Response:
        payload = HealthCheckCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        enrolment = selectors.enrolment_for_care(self.actor, data.pop("enrolment"))
        check = services.health_check_record(actor=self.actor, enrolment=enrolment, **data)
        return Response(HealthCheckSerializer(check).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AdmitReasonSerializer, responses=HealthCheckSerializer)
    @action(detail=True, methods=["post"])
    def admit(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        """A class manager admits a flagged child, with a reason."""
        check = self.get_object()
        require(can_manage_care(self.actor, check.term))
        payload = AdmitReasonSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        done = services.health_check_override(
            actor=self.actor, check=check, **payload.validated_data
        )
        return Response(HealthCheckSerializer(done).data)


@extend_schema_view(
    list=extend_schema(parameters=DAY_PARAMS),
    create=extend_schema(request=ClockInSerializer, responses={201: DutyShiftSerializer}),
)
class DutyViewSet(_DayFilter, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Staff on duty: who is clocked in to which group."""

    queryset = DutyShift.objects.none()
    serializer_class = DutyShiftSerializer

    def get_queryset(self) -> QuerySet[DutyShift]:
        if self.is_schema:
            return DutyShift.objects.none()
        queryset = selectors.shifts_visible_to(self.actor)
        return self._filtered(queryset, self.request) if self.action == "list" else queryset

    def create(self, request: Request, **kwargs: Any) -> Response:
        """Clock oneself in to a group of a term one is rostered on."""
        payload = ClockInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        group = selectors.group_for(self.actor, payload.validated_data["group"])
        shift = services.duty_clock_in(actor=self.actor, group=group)
        return Response(DutyShiftSerializer(shift).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=DutyShiftSerializer)
    @action(detail=True, methods=["post"], url_path="clock-out")
    def clock_out(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        shift = self.get_object()
        done = services.duty_clock_out(actor=self.actor, shift=shift)
        return Response(DutyShiftSerializer(done).data)


# --- The kiosk ------------------------------------------------------------------------------


class KioskTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Kiosk <token>`: a kiosk device, no user."""

    keyword = "Kiosk"

    def authenticate(self, request: Request) -> tuple[Any, KioskDevice] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Malformed Authorization header.")
        device = kiosk_authenticate(header[1].decode(errors="replace"))
        if device is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked kiosk token.")
        from django.contrib.auth.models import AnonymousUser

        return AnonymousUser(), device

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class KioskTokenScheme(OpenApiAuthenticationExtension):
    target_class = "tuoguan.care.api.KioskTokenAuthentication"
    name = "kioskAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "Kiosk <device token>"}  # fmt: skip


class IsKiosk(permissions.BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.auth, KioskDevice)


class KioskRowSerializer(serializers.Serializer[Any]):
    enrolment = serializers.IntegerField(source="enrolment.pk")
    child_name = serializers.CharField(source="enrolment.child.name")
    group = serializers.CharField(source="enrolment.group.name", default="")
    status = serializers.CharField()


class KioskCodeSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()


class KioskDayView(APIView):
    """Today's list of the kiosk's class: the only thing a kiosk token reads."""

    authentication_classes = [KioskTokenAuthentication]
    permission_classes = [IsKiosk]

    @extend_schema(responses=KioskRowSerializer(many=True))
    def get(self, request: Request) -> Response:
        device: KioskDevice = request.auth  # type: ignore[assignment]
        rows = selectors.kiosk_day(device, timezone.localdate())
        return Response(KioskRowSerializer(rows, many=True).data)


class KioskCheckInView(APIView):
    """Check a child in with the code on the parent's phone."""

    authentication_classes = [KioskTokenAuthentication]
    permission_classes = [IsKiosk]

    @extend_schema(request=KioskCodeSerializer, responses={201: AttendanceSerializer})
    def post(self, request: Request) -> Response:
        device: KioskDevice = request.auth  # type: ignore[assignment]
        code = fastpath.kiosk_code_input(request.data)
        if code is None:
            payload = KioskCodeSerializer(data=request.data)
            payload.is_valid(raise_exception=True)
            code = payload.validated_data["code"]
        attendance = services.attendance_check_in_by_code(actor=None, code=code, kiosk=device)
        return Response(fastpath.attendance_answer(attendance), status=status.HTTP_201_CREATED)
