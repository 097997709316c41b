"""Construction standards (read) and evidence (upload, review): /api/v1/standards/ and
/api/v1/evidence/."""

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

from .. import selectors, services
from ..models import Evidence, Standard
from ..permissions import HOST_ROLES, can_review_evidence
from .serializers import (
    CriterionSerializer,
    EvidenceFilterSerializer,
    EvidenceReviewSerializer,
    EvidenceSerializer,
    EvidenceUploadSerializer,
    StandardSerializer,
)


class StandardViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Standards set in the requester's subtree and the ones above it that apply to it."""

    queryset = Standard.objects.none()
    serializer_class = StandardSerializer

    def get_queryset(self) -> QuerySet[Standard]:
        if self.is_schema:
            return Standard.objects.none()
        return selectors.standards_visible_to(self.actor).order_by("org__path", "-version")

    @extend_schema(responses=CriterionSerializer(many=True))
    @action(detail=True, methods=["get"])
    def criteria(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        standard = self.get_object()
        return Response(CriterionSerializer(standard.criteria.all(), many=True).data)


@extend_schema_view(
    list=extend_schema(parameters=[EvidenceFilterSerializer]),
    create=extend_schema(request=EvidenceUploadSerializer, responses={201: EvidenceSerializer}),
)
class EvidenceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Documents and photos given for evidence criteria, and their review."""

    queryset = Evidence.objects.none()
    serializer_class = EvidenceSerializer

    def get_queryset(self) -> QuerySet[Evidence]:
        if self.is_schema:
            return Evidence.objects.none()
        if self.action != "list":
            return selectors.evidence_visible_to(self.actor)
        filters = query_params(EvidenceFilterSerializer, self.request)
        if filters.pop("awaiting_my_review", False):
            queryset = selectors.evidence_review_queue_for(self.actor)
        else:
            queryset = selectors.evidence_visible_to(self.actor).order_by("-created_at", "-pk")
        if "term" in filters:
            queryset = queryset.filter(term=selectors.term_for(self.actor, filters["term"]))
        if "status" in filters:
            queryset = queryset.filter(status=filters["status"])
        return queryset

    def get_parsers(self) -> list[Any]:
        if getattr(self, "action", None) == "create":
            return [MultiPartParser(), FormParser()]
        return super().get_parsers()

    def create(self, request: Request, **kwargs: Any) -> Response:
        """Upload (multipart: term, criterion, file, note) for one evidence criterion."""
        require(self.actor.has_role(HOST_ROLES))
        payload = EvidenceUploadSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        evidence = services.evidence_upload(actor=self.actor, **payload.validated_data)
        return Response(EvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=EvidenceReviewSerializer, responses=EvidenceSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        """Accept or reject; a rejection needs a comment saying what is missing."""
        evidence = self.get_object()
        require(can_review_evidence(self.actor, evidence.term))
        payload = EvidenceReviewSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        evidence = services.evidence_review(
            actor=self.actor, evidence=evidence, **payload.validated_data
        )
        return Response(EvidenceSerializer(evidence).data)
