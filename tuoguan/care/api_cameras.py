"""API twin of the room cameras' pages: the same selectors and services. A guardian's `watch`
returns the signed player and playlist addresses after the same checks as the page."""

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from tuoguan.core.api import ScopedPrimaryKeyField
from tuoguan.orgs.api import ScopedViewSet
from tuoguan.orgs.permissions import Actor, require
from tuoguan.programs.models import Group, Program
from tuoguan.programs.permissions import can_manage_program, programs_visible_q

from . import camera_selectors, services
from .models import Camera, CameraView
from .services.cameras import camera_unavailable, link_max_age


def _programs(actor: Actor) -> QuerySet[Program]:
    return Program.objects.filter(programs_visible_q(actor))


def _groups(actor: Actor) -> QuerySet[Group]:
    return Group.objects.filter(term__program__in=_programs(actor)).select_related("term")


class CameraSerializer(serializers.ModelSerializer[Camera]):
    unavailable = serializers.SerializerMethodField(
        help_text="Why it shows nothing today (switched off, reported broken by today's "
        "inspection, no stream); null when it can be live."
    )

    class Meta:
        model = Camera
        fields = ["id", "program", "groups", "name", "room", "is_active", "unavailable"]
        read_only_fields = fields

    def get_unavailable(self, camera: Camera) -> str | None:
        return camera_unavailable(camera, timezone.localdate())


class CameraManagerSerializer(CameraSerializer):
    """What the class's managers read: the addresses too."""

    class Meta(CameraSerializer.Meta):
        fields = [*CameraSerializer.Meta.fields, "hls_url", "local_stream", "rtsp_url"]
        read_only_fields = fields


class CameraWriteSerializer(serializers.Serializer[Any]):
    program = ScopedPrimaryKeyField(_programs, Program)
    groups = ScopedPrimaryKeyField(_groups, Group, many=True, required=False)
    name = serializers.CharField(max_length=80)
    room = serializers.CharField(max_length=80)
    hls_url = serializers.CharField(max_length=500, required=False, allow_blank=True)
    local_stream = serializers.SlugField(max_length=60, required=False, allow_blank=True)
    rtsp_url = serializers.CharField(max_length=500, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False, default=True)


class CameraViewSerializer(serializers.ModelSerializer[CameraView]):
    seconds = serializers.IntegerField(read_only=True)
    child = serializers.CharField(source="enrolment.child.name", read_only=True)

    class Meta:
        model = CameraView
        fields = ["id", "camera", "user", "enrolment", "child", "date", "started_at",
                  "last_seen_at", "seconds"]  # fmt: skip
        read_only_fields = fields


WATCH_RESPONSE = inline_serializer(
    "CameraWatch",
    {
        "view": serializers.IntegerField(),
        "player_url": serializers.CharField(),
        "playlist_url": serializers.CharField(allow_null=True),
        "expires_in": serializers.IntegerField(),
    },
)


@extend_schema_view(
    create=extend_schema(request=CameraWriteSerializer, responses={201: CameraManagerSerializer}),
    partial_update=extend_schema(request=CameraWriteSerializer, responses=CameraManagerSerializer),
)
class CameraViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Room cameras (监控) of the classes one works for, and of one's children's rooms."""

    queryset = Camera.objects.none()
    serializer_class = CameraSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Camera]:
        if self.is_schema:
            return Camera.objects.none()
        return camera_selectors.cameras_visible_to(self.actor)

    def get_serializer_class(self) -> Any:
        if self.is_schema:
            return CameraManagerSerializer
        return self.serializer_class

    def _out(self, camera: Camera) -> dict[str, Any]:
        manager = can_manage_program(self.actor, camera.program)
        shape = CameraManagerSerializer if manager else CameraSerializer
        return dict(shape(camera).data)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        rows = [self._out(camera) for camera in (page or [])]
        return self.get_paginated_response(rows)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(self._out(self.get_object()))

    def _save(self, request: Request, camera: Camera | None) -> Camera:
        payload = CameraWriteSerializer(
            data=request.data, context=self.get_serializer_context(), partial=camera is not None
        )
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        program = data.pop("program", None) or (camera.program if camera else None)
        if program is None:
            raise serializers.ValidationError({"program": _("Choose the class.")})
        require(can_manage_program(self.actor, program))
        return services.camera_save(actor=self.actor, program=program, camera=camera, **data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        camera = self._save(request, None)
        return Response(self._out(camera), status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        camera = self.get_object()
        require(can_manage_program(self.actor, camera.program))
        return Response(self._out(self._save(request, camera)))

    @extend_schema(request=None, responses={201: WATCH_RESPONSE})
    @action(detail=True, methods=["post"])
    def watch(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        """Open the camera for one's child checked in to its room: a signed link that lasts
        TUOGUAN_CAMERA_LINK_MINUTES (the player's heartbeat renews it)."""
        camera = camera_selectors.family_camera_for(self.actor, pk)
        view, token = services.camera_watch(actor=self.actor, camera=camera)
        query = "?" + urlencode({"t": token})
        player = reverse("care:camera_player", kwargs={"pk": view.pk}) + query
        playlist = (
            reverse("care:camera_playlist", kwargs={"pk": view.pk}) + query
            if camera.local_stream
            else None
        )
        return Response(
            {
                "view": view.pk,
                "player_url": player,
                "playlist_url": playlist,
                "expires_in": link_max_age(),
            },
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(responses=CameraViewSerializer(many=True))
    @action(detail=True, methods=["get"])
    def views(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        """Who watched this camera, when and how long (the class's managers)."""
        camera = self.get_object()
        require(can_manage_program(self.actor, camera.program))
        queryset = CameraView.objects.filter(camera=camera).select_related("enrolment__child")
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(CameraViewSerializer(page or [], many=True).data)
