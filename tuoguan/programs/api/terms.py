"""Terms and groups: /api/v1/terms/ (with the lifecycle actions) and /api/v1/groups/.

The enrolment app routes /api/v1/terms/{term_id}/enrolments/ and …/draws/; no action here
is named so, which keeps those routes resolving to enrolment (tests/test_api_terms.py).
"""

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from tuoguan.core.api import query_params
from tuoguan.orgs.api import ScopedViewSet
from tuoguan.orgs.permissions import require
from tuoguan.orgs.selectors import org_for

from .. import selectors, services
from ..compliance import term_compliance
from ..models import Group, Term
from ..permissions import HOST_ROLES, can_approve_term, can_manage_program, can_manage_term
from .serializers import (
    ComplianceSerializer,
    GroupCreateSerializer,
    GroupSerializer,
    GroupWriteSerializer,
    TermApproveSerializer,
    TermCreateSerializer,
    TermDaySerializer,
    TermFilterSerializer,
    TermReasonSerializer,
    TermSerializer,
    TermSummarySerializer,
    TermWriteSerializer,
)


def _group_errors(exc: services.GroupValidationError) -> serializers.ValidationError:
    """Say which group was refused: {"groups": [{}, {"capacity": [...]}]}."""
    rows: list[Any] = [{} for _ in range(exc.index + 1)]
    rows[exc.index] = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
    return serializers.ValidationError({"groups": rows})


@extend_schema_view(
    list=extend_schema(parameters=[TermFilterSerializer]),
    create=extend_schema(request=TermCreateSerializer, responses={201: TermSerializer}),
    partial_update=extend_schema(request=TermWriteSerializer, responses=TermSerializer),
)
class TermViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Terms (期) of the classes in the requester's subtree, and their lifecycle."""

    queryset = Term.objects.none()
    serializer_class = TermSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Term]:
        if self.is_schema:
            return Term.objects.none()
        queryset = selectors.terms_visible_to(self.actor)
        if self.action == "list":
            filters = query_params(TermFilterSerializer, self.request)
            program = filters.pop("program", None)
            if program is not None:
                queryset = queryset.filter(program=selectors.program_for(self.actor, program))
            if "org" in filters:
                filters["org"] = org_for(self.actor, filters["org"])
            queryset = selectors.terms_filter(queryset, **filters)
        return selectors.with_care_days(queryset).order_by("-start_date", "pk")

    def _respond(self, term: Term, code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.with_care_days(selectors.terms_visible_to(self.actor)).get(pk=term.pk)
        return Response(TermSerializer(fresh).data, status=code)

    def create(self, request: Request, **kwargs: Any) -> Response:
        """A term of a class, optionally with its first groups (all saved, or none)."""
        require(self.actor.has_role(HOST_ROLES))
        payload = TermCreateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        program = payload.validated_data["program"]
        require(can_manage_program(self.actor, program))
        try:
            term = services.term_create_with_groups(
                actor=self.actor, program=program, **payload.service_fields()
            )
        except services.GroupValidationError as exc:
            raise _group_errors(exc) from exc
        return self._respond(term, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        """Edit; after approval a change of places, venue or dates re-opens approval."""
        term = self.get_object()
        require(can_manage_term(self.actor, term))
        payload = TermWriteSerializer(
            term, data=request.data, partial=True, context=self.get_serializer_context()
        )
        payload.is_valid(raise_exception=True)
        services.term_update(actor=self.actor, term=term, **payload.service_fields())
        return self._respond(term)

    def _step(self, service: Callable[..., Term], **extra: Any) -> Response:
        term = self.get_object()
        return self._respond(service(actor=self.actor, term=term, **extra))

    @extend_schema(request=None, responses=TermSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        """Submit a draft for approval by the union above."""
        return self._step(services.term_submit)

    @extend_schema(request=TermApproveSerializer, responses=TermSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        """Approve; a term that fails a criterion needs `confirm_failures` and a `note`."""
        term = self.get_object()
        require(can_approve_term(self.actor, term))
        payload = TermApproveSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._respond(
            services.term_approve(actor=self.actor, term=term, **payload.validated_data)
        )

    @extend_schema(request=TermReasonSerializer, responses=TermSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        term = self.get_object()
        require(can_approve_term(self.actor, term))
        payload = TermReasonSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        reason = payload.validated_data["reason"]
        return self._respond(services.term_reject(actor=self.actor, term=term, reason=reason))

    @extend_schema(request=None, responses=TermSerializer)
    @action(detail=True, methods=["post"])
    def redraft(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        """Take a rejected term back to draft."""
        return self._step(services.term_redraft)

    @extend_schema(request=None, responses=TermSerializer)
    @action(detail=True, methods=["post"], url_path="open-enrolment")
    def open_enrolment(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        return self._step(services.term_open_enrolment)

    @extend_schema(request=None, responses=TermSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        return self._step(services.term_start)

    @extend_schema(request=TermSummarySerializer, responses=TermSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        """结营: end the term with a closing summary."""
        term = self.get_object()
        require(can_manage_term(self.actor, term))
        payload = TermSummarySerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        summary = payload.validated_data["summary"]
        return self._respond(services.term_close(actor=self.actor, term=term, summary=summary))

    @extend_schema(request=None, responses=TermSerializer)
    @action(detail=True, methods=["post"])
    def rejudge(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        """Judge the term by the standard in force today from now on."""
        return self._step(services.term_rejudge)

    @extend_schema(request=TermDaySerializer, responses=TermSerializer)
    @action(detail=True, methods=["post"])
    def days(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        """Make one day a care day (`care: true`) or a day off, against the work calendar."""
        term = self.get_object()
        require(can_manage_term(self.actor, term))
        payload = TermDaySerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        change = (
            services.term_day_add if payload.validated_data["care"] else services.term_day_remove
        )
        change(actor=self.actor, term=term, date=payload.validated_data["date"])
        return self._respond(term)

    @extend_schema(responses=ComplianceSerializer)
    @action(detail=True, methods=["get"])
    def compliance(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        """Each criterion of the term's standard with pass / fail / pending / na and why."""
        term = self.get_object()
        return Response(ComplianceSerializer(term_compliance(term)).data)


@extend_schema_view(
    create=extend_schema(request=GroupCreateSerializer, responses={201: GroupSerializer}),
    partial_update=extend_schema(request=GroupWriteSerializer, responses=GroupSerializer),
)
class GroupViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, ScopedViewSet
):
    """Groups (班组) of the terms in the requester's subtree; `?term=` narrows the list."""

    queryset = Group.objects.none()
    serializer_class = GroupSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Group]:
        if self.is_schema:
            return Group.objects.none()
        queryset = selectors.groups_visible_to(self.actor)
        if self.action == "list" and self.request.query_params.get("term"):
            term = selectors.term_for(self.actor, self.request.query_params["term"])
            queryset = queryset.filter(term=term)
        return queryset

    def create(self, request: Request, **kwargs: Any) -> Response:
        require(self.actor.has_role(HOST_ROLES))
        payload = GroupCreateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        term = payload.validated_data["term"]
        require(can_manage_term(self.actor, term))
        group = services.group_create(actor=self.actor, term=term, **payload.service_fields())
        return Response(GroupSerializer(group).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        group = self.get_object()
        require(can_manage_term(self.actor, group.term))
        payload = GroupWriteSerializer(group, data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        group = services.group_update(actor=self.actor, group=group, **payload.service_fields())
        return Response(GroupSerializer(group).data)

    def perform_destroy(self, instance: Group) -> None:
        services.group_delete(actor=self.actor, group=instance)
