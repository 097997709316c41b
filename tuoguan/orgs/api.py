"""API twins of the orgs pages: the same selectors and services, the same scoping.

Outside the requester's subtree → 404; visible but not theirs to change → 403;
bad input → 400 with field errors (services' ValidationErrors via core.api).
"""

from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from tuoguan.core.api import id_param

from . import selectors, services
from .kit import api_actor_of
from .models import Membership, Org
from .permissions import (
    Actor,
    can_change_org,
    can_manage_memberships,
    can_restructure_org,
    require,
)
from .serializers import (
    MembershipCreateSerializer,
    MembershipSerializer,
    OrgActivationSerializer,
    OrgCreateSerializer,
    OrgMoveSerializer,
    OrgSerializer,
    OrgUpdateSerializer,
)

M = TypeVar("M", bound=Model)


class ScopedViewSet(viewsets.GenericViewSet[M]):
    """The base of every app's viewsets (the view kit's, see orgs/kit.py): it acts for
    `request.actor`, and serializer fields scope their choices to that actor."""

    @property
    def actor(self) -> Actor:
        return api_actor_of(self.request)

    @property
    def is_schema(self) -> bool:
        """drf-spectacular builds the schema with a fake view, without a request actor."""
        return bool(getattr(self, "swagger_fake_view", False))

    def get_serializer_context(self) -> dict[str, Any]:
        context: dict[str, Any] = super().get_serializer_context()
        if not self.is_schema:
            context["actor"] = self.actor
        return context


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="Name, short name or region code contains"),
            OpenApiParameter("parent", int, description="Only the unions directly below this one"),
        ]
    ),
    create=extend_schema(request=OrgCreateSerializer, responses={201: OrgSerializer}),
    partial_update=extend_schema(request=OrgUpdateSerializer, responses=OrgSerializer),
)
class OrgViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Unions in the requester's subtree (工会)."""

    queryset = Org.objects.none()
    serializer_class = OrgSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Org]:
        if self.is_schema:
            return Org.objects.none()
        queryset = selectors.orgs_visible_to(self.actor)
        if self.action == "list":
            queryset = self._filtered(queryset)
        return selectors.with_parent_id(queryset)

    def _filtered(self, queryset: QuerySet[Org]) -> QuerySet[Org]:
        params = self.request.query_params
        q = params.get("q", "").strip()
        if q:
            queryset = selectors.org_search(self.actor, q)
        parent_id = id_param(self.request, "parent")
        if parent_id is not None:
            parent = selectors.org_for(self.actor, parent_id)
            queryset = queryset.filter(path__startswith=parent.path, depth=parent.depth + 1)
        return queryset

    def _respond(self, org: Org, code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.with_parent_id(selectors.orgs_visible_to(self.actor)).get(pk=org.pk)
        return Response(OrgSerializer(fresh).data, status=code)

    def create(self, request: Request, **kwargs: Any) -> Response:
        payload = OrgCreateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        fields = dict(payload.validated_data)
        parent = fields.pop("parent")
        org = services.org_add_child(actor=self.actor, parent=parent, **fields)
        return self._respond(org, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        org = self.get_object()
        require(can_change_org(self.actor, org))
        payload = OrgUpdateSerializer(org, data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        services.org_update(actor=self.actor, org=org, **payload.validated_data)
        return self._respond(org)

    @extend_schema(request=OrgMoveSerializer, responses=OrgSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        """Move the union, with its subtree, below another union of a higher level."""
        org = self.get_object()
        require(can_restructure_org(self.actor, org))
        payload = OrgMoveSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        services.org_move_below(
            actor=self.actor, org=org, new_parent=payload.validated_data["parent"]
        )
        return self._respond(org)

    @extend_schema(request=OrgActivationSerializer, responses=OrgSerializer)
    @action(detail=True, methods=["post"])
    def deactivate(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        """Deactivate the union and its whole subtree; `{"active": true}` reactivates it."""
        org = self.get_object()
        require(can_restructure_org(self.actor, org))
        payload = OrgActivationSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        if payload.validated_data["active"]:
            services.org_reactivate(actor=self.actor, org=org)
        else:
            services.org_set_active(actor=self.actor, org=org, active=False)
        return self._respond(org)


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("org", int, description="Only roles held at this union")]
    ),
    create=extend_schema(request=MembershipCreateSerializer, responses={201: MembershipSerializer}),
)
class MembershipViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Roles held at unions: everyone sees their own; administrators, reviewers and
    inspectors also see those in their subtree."""

    queryset = Membership.objects.none()
    serializer_class = MembershipSerializer
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[Membership]:
        if self.is_schema:
            return Membership.objects.none()
        queryset = selectors.memberships_visible_to(self.actor).order_by("org__path", "role", "pk")
        org = id_param(self.request, "org") if self.action == "list" else None
        if org is not None:
            queryset = queryset.filter(org_id=org)
        return queryset

    def create(self, request: Request, **kwargs: Any) -> Response:
        payload = MembershipCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        membership = services.membership_add(
            actor=self.actor, user=data["login"], org=data["org"], role=data["role"]
        )
        return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=MembershipSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        membership = self.get_object()
        require(can_manage_memberships(self.actor, membership.org))
        services.membership_revoke(actor=self.actor, membership=membership)
        return Response(MembershipSerializer(membership).data)


def register(router: Any) -> None:
    router.register("orgs", OrgViewSet, basename="org")
    router.register("memberships", MembershipViewSet, basename="membership")
