"""Classes and venues: /api/v1/programs/ and /api/v1/venues/."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from tuoguan.core.api import query_params
from tuoguan.orgs.api import ScopedViewSet
from tuoguan.orgs.permissions import require
from tuoguan.orgs.selectors import org_for

from .. import selectors, services
from ..models import Program, Venue
from ..permissions import HOST_ROLES, can_manage_program, can_manage_venue
from .serializers import (
    PhotoUploadSerializer,
    ProgramCreateSerializer,
    ProgramFilterSerializer,
    ProgramSerializer,
    ProgramWriteSerializer,
    VenueCreateSerializer,
    VenueSerializer,
    VenueWriteSerializer,
)


@extend_schema_view(
    list=extend_schema(parameters=[ProgramFilterSerializer]),
    create=extend_schema(request=ProgramCreateSerializer, responses={201: ProgramSerializer}),
    partial_update=extend_schema(request=ProgramWriteSerializer, responses=ProgramSerializer),
)
class ProgramViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Classes (托管班) hosted in the requester's subtree."""

    queryset = Program.objects.none()
    serializer_class = ProgramSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Program]:
        if self.is_schema:
            return Program.objects.none()
        queryset = selectors.programs_visible_to(self.actor)
        if self.action == "list":
            filters = query_params(ProgramFilterSerializer, self.request)
            if "org" in filters:
                filters["org"] = org_for(self.actor, filters["org"])
            queryset = selectors.programs_filter(queryset, **filters)
        return queryset.order_by("host__path", "name", "pk")

    def _respond(self, program: Program, code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.program_for(self.actor, program.pk)
        return Response(ProgramSerializer(fresh).data, status=code)

    def create(self, request: Request, **kwargs: Any) -> Response:
        require(self.actor.has_role(HOST_ROLES))
        payload = ProgramCreateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        program = services.program_create(
            actor=self.actor, host=payload.validated_data["host"], **payload.service_fields()
        )
        return self._respond(program, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        program = self.get_object()
        require(can_manage_program(self.actor, program))
        payload = ProgramWriteSerializer(program, data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        services.program_update(actor=self.actor, program=program, **payload.service_fields())
        return self._respond(program)

    @extend_schema(request=PhotoUploadSerializer, responses={201: ProgramSerializer})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def photos(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        """Add a photo (multipart: image, caption); it is re-encoded without EXIF."""
        program = self.get_object()
        require(can_manage_program(self.actor, program))
        payload = PhotoUploadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.program_photo_add(actor=self.actor, program=program, **payload.validated_data)
        return self._respond(program, status.HTTP_201_CREATED)


@extend_schema_view(
    create=extend_schema(request=VenueCreateSerializer, responses={201: VenueSerializer}),
    partial_update=extend_schema(request=VenueWriteSerializer, responses=VenueSerializer),
)
class VenueViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Venues (场地) owned by unions in the requester's subtree."""

    queryset = Venue.objects.none()
    serializer_class = VenueSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Venue]:
        if self.is_schema:
            return Venue.objects.none()
        return selectors.venues_visible_to(self.actor).order_by("owner__path", "name", "pk")

    def create(self, request: Request, **kwargs: Any) -> Response:
        require(self.actor.has_role(HOST_ROLES))
        payload = VenueCreateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        venue = services.venue_create(
            actor=self.actor, owner=payload.validated_data["owner"], **payload.service_fields()
        )
        return Response(VenueSerializer(venue).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        venue = self.get_object()
        require(can_manage_venue(self.actor, venue))
        payload = VenueWriteSerializer(venue, data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        venue = services.venue_update(actor=self.actor, venue=venue, **payload.service_fields())
        return Response(VenueSerializer(venue).data)
