"""API twins of the supervision pages: /api/v1/visits/ and /api/v1/rectifications/.

The inspector's phone syncs through `answers` and `photos`: each entry carries a client id,
so a resend creates nothing twice (the reply says `duplicate`).
"""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from tuoguan.core.api import query_params
from tuoguan.core.parsers import JSONParser
from tuoguan.orgs.api import ScopedViewSet
from tuoguan.orgs.kit import own_org
from tuoguan.orgs.permissions import require
from tuoguan.orgs.selectors import org_for

from . import selectors, services
from .glance import glance as region_glance
from .models import Rectification, Visit
from .permissions import (
    SUPERVISOR_ROLES,
    can_acknowledge,
    can_answer_rectification,
    can_decide_rectification,
    can_inspect,
    can_plan_visit,
    can_plan_visits,
    is_inspector,
)
from .serializers import (
    AcknowledgeSerializer,
    AnswerOutcomeSerializer,
    AnswersSerializer,
    ExtendSerializer,
    FreeItemSerializer,
    GlanceQuerySerializer,
    GlanceSerializer,
    ItemSerializer,
    PhotoSerializer,
    ReassignSerializer,
    RectificationAnswerSerializer,
    RectificationFilterSerializer,
    RectificationReasonSerializer,
    RectificationSerializer,
    SeasonPlanSerializer,
    SignSerializer,
    VisitPhotoUploadSerializer,
    VisitPlanSerializer,
    VisitSerializer,
)


@extend_schema_view(
    create=extend_schema(request=VisitPlanSerializer, responses={201: VisitSerializer}),
)
class VisitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet[Visit]):
    """Inspection visits (督导) the requester may see; unannounced ones only once started."""

    queryset = Visit.objects.none()
    serializer_class = VisitSerializer

    def get_queryset(self) -> QuerySet[Visit]:
        if self.is_schema:
            return Visit.objects.none()
        return selectors.visits_visible_to(self.actor).order_by("-date", "-pk")

    def get_parsers(self) -> list[Any]:
        if getattr(self, "action", None) == "photos":
            return [MultiPartParser(), FormParser()]
        return [JSONParser(), *super().get_parsers()]

    def create(self, request: Request, **kwargs: Any) -> Response:
        require(can_plan_visits(self.actor))
        payload = VisitPlanSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        require(can_plan_visit(self.actor, payload.validated_data["term"]))
        visit = services.visit_plan(actor=self.actor, **payload.validated_data)
        return Response(VisitSerializer(visit).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SeasonPlanSerializer, responses=VisitSerializer(many=True))
    @action(detail=False, methods=["post"], url_path="plan-season")
    def plan_season(self, request: Request, **kwargs: Any) -> Response:
        """Plan one visit to every running term of the subtree without one this season."""
        require(can_plan_visits(self.actor))
        payload = SeasonPlanSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        season = payload.validated_data["period"]
        plan = services.visits_plan_season(
            actor=self.actor,
            start=season.start,
            end=season.end,
            announced=payload.validated_data["announced"],
        )
        return Response(VisitSerializer(plan.planned, many=True).data)

    @extend_schema(parameters=[GlanceQuerySerializer], responses=GlanceSerializer)
    @action(detail=False, methods=["get"])
    def glance(self, request: Request, **kwargs: Any) -> Response:
        """The region at a glance for a season, per child union of `org` (default: own)."""
        require(self.actor.has_role(SUPERVISOR_ROLES))
        query = GlanceQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        org_pk = query.validated_data.get("org")
        org = org_for(self.actor, org_pk) if org_pk else own_org(self.actor)
        result = region_glance(self.actor, org, query.validated_data["period"])
        return Response(GlanceSerializer(result).data)

    @extend_schema(responses=ItemSerializer(many=True))
    @action(detail=True, methods=["get"])
    def checklist(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        visit = self.get_object()
        return Response(ItemSerializer(selectors.checklist(visit), many=True).data)

    @extend_schema(request=AnswersSerializer, responses=AnswerOutcomeSerializer(many=True))
    @action(detail=True, methods=["post"])
    def answers(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        """The phone's outbox of answers; each client id is applied at most once."""
        visit = self.get_object()
        require(is_inspector(self.actor, visit))
        payload = AnswersSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        outcomes = services.visit_answers_sync(
            actor=self.actor, visit=visit, answers=payload.validated_data["answers"]
        )
        return Response(AnswerOutcomeSerializer(outcomes, many=True).data)

    @extend_schema(request=VisitPhotoUploadSerializer, responses={201: PhotoSerializer})
    @action(detail=True, methods=["post"])
    def photos(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        """One photo of an item (multipart); the same client id twice is stored once."""
        visit = self.get_object()
        require(is_inspector(self.actor, visit))
        payload = VisitPhotoUploadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        photo, created = services.visit_photo_add(
            actor=self.actor, visit=visit, **payload.validated_data
        )
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(PhotoSerializer(photo).data, status=code)

    @extend_schema(request=FreeItemSerializer, responses={201: ItemSerializer})
    @action(detail=True, methods=["post"])
    def items(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        visit = self.get_object()
        require(is_inspector(self.actor, visit))
        payload = FreeItemSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        item, created = services.visit_item_add(
            actor=self.actor, visit=visit, **payload.validated_data
        )
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(ItemSerializer(item).data, status=code)

    @extend_schema(request=None, responses=VisitSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        visit = self.get_object()
        require(can_inspect(self.actor, visit))
        return Response(VisitSerializer(services.visit_start(actor=self.actor, visit=visit)).data)

    @extend_schema(request=SignSerializer, responses=VisitSerializer)
    @action(detail=True, methods=["post"])
    def sign(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        visit = self.get_object()
        require(can_inspect(self.actor, visit))
        payload = SignSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        owners = selectors.owner_candidates(visit.term)
        if "owner" in data:
            data["owner"] = _owner(owners, data["owner"])
        data["orders"] = {
            entry["item_key"]: services.OrderTerms(
                _owner(owners, entry["owner"]) if "owner" in entry else None,
                entry.get("deadline"),
            )
            for entry in data.get("orders", [])
        }
        visit = services.visit_sign(actor=self.actor, visit=visit, **data)
        return Response(VisitSerializer(visit).data)

    @extend_schema(request=AcknowledgeSerializer, responses=VisitSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        visit = self.get_object()
        require(can_acknowledge(self.actor, visit))
        payload = AcknowledgeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        visit = services.visit_acknowledge(actor=self.actor, visit=visit, **payload.validated_data)
        return Response(VisitSerializer(visit).data)


def _owner(owners: QuerySet[Any], pk: int) -> Any:
    owner = owners.filter(pk=pk).first()
    if owner is None:
        raise ApiValidationError({"owner": [_("Choose the owner among the class's managers.")]})
    return owner


@extend_schema_view(list=extend_schema(parameters=[RectificationFilterSerializer]))
class RectificationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet[Rectification]
):
    """Rectification orders (整改) of the visits the requester may see."""

    queryset = Rectification.objects.none()
    serializer_class = RectificationSerializer

    def get_queryset(self) -> QuerySet[Rectification]:
        if self.is_schema:
            return Rectification.objects.none()
        queryset = selectors.rectifications_visible_to(self.actor).prefetch_related("events")
        if self.action != "list":
            return queryset
        filters = query_params(RectificationFilterSerializer, self.request)
        visit = selectors.visit_for(self.actor, filters["visit"]) if "visit" in filters else None
        state = filters.get("state")
        return selectors.rectifications_filter(
            queryset, state=None if state == "all" else state, visit=visit
        )

    def get_object(self) -> Rectification:
        order = super().get_object()
        return selectors.rectification_for(self.actor, order.pk)

    def get_parsers(self) -> list[Any]:
        if getattr(self, "action", None) == "answer":
            return [MultiPartParser(), FormParser(), JSONParser()]
        return super().get_parsers()

    def _respond(self, order: Rectification) -> Response:
        fresh = selectors.rectifications_visible_to(self.actor).prefetch_related("events")
        return Response(RectificationSerializer(fresh.get(pk=order.pk)).data)

    @extend_schema(request=RectificationAnswerSerializer, responses=RectificationSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        order = self.get_object()
        require(can_answer_rectification(self.actor, order))
        payload = RectificationAnswerSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        services.rectification_answer(
            actor=self.actor,
            rectification=order,
            answer=data["answer"],
            files=data.get("files", []),
        )
        return self._respond(order)

    @extend_schema(request=RectificationReasonSerializer, responses=RectificationSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        order = self.get_object()
        require(can_decide_rectification(self.actor, order))
        payload = RectificationReasonSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.rectification_accept(
            actor=self.actor, rectification=order, note=payload.validated_data["reason"]
        )
        return self._respond(order)

    @extend_schema(request=RectificationReasonSerializer, responses=RectificationSerializer)
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        order = self.get_object()
        require(can_decide_rectification(self.actor, order))
        payload = RectificationReasonSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.rectification_send_back(
            actor=self.actor, rectification=order, reason=payload.validated_data["reason"]
        )
        return self._respond(order)

    @extend_schema(request=ReassignSerializer, responses=RectificationSerializer)
    @action(detail=True, methods=["post"])
    def reassign(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        """Give the order to another person at the class, before it is accepted."""
        order = self.get_object()
        require(can_decide_rectification(self.actor, order))
        payload = ReassignSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        owner = _owner(selectors.owner_candidates(order.term), payload.validated_data["owner"])
        services.rectification_reassign(
            actor=self.actor,
            rectification=order,
            owner=owner,
            reason=payload.validated_data["reason"],
        )
        return self._respond(order)

    @extend_schema(request=ExtendSerializer, responses=RectificationSerializer)
    @action(detail=True, methods=["post"])
    def extend(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        order = self.get_object()
        require(can_decide_rectification(self.actor, order))
        payload = ExtendSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.rectification_extend(
            actor=self.actor, rectification=order, **payload.validated_data
        )
        return self._respond(order)
