"""API twins of applying, the waitlist and offers, withdrawal, removal and draws.

Scoping (permissions.py): a parent sees and acts on their own family's applications;
staff read those of terms hosted in their subtree, and the host's admins and class
managers remove, admit and draw. Outside one's scope: 404; visible but not allowed: 403.
Every POST honours `Idempotency-Key` (@idempotent).
"""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tuoguan.orgs.api import ScopedViewSet
from tuoguan.orgs.kit import ActorApiRequest, api_actor_of
from tuoguan.orgs.permissions import require

from .. import selectors, services
from ..fastpath import apply_input, enrolment_answer
from ..models import Draw, Enrolment
from ..permissions import can_manage_enrolment, can_run_draw
from ..services.allocation import EligibilityError
from ..services.draws import draw_verify
from .idempotent import idempotent
from .serializers import (
    ApplySerializer,
    DrawRunSerializer,
    DrawSerializer,
    EnrolmentFilterSerializer,
    EnrolmentSerializer,
    PriorityCheckSerializer,
    ReasonSerializer,
)


def _enrolment_response(request: Request, enrolment: Enrolment, code: int = 200) -> Response:
    fresh = selectors.enrolment_for(api_actor_of(request), enrolment.pk)
    return Response(EnrolmentSerializer(fresh, context={"request": request}).data, status=code)


REFUSED = OpenApiResponse(description="Refused: `refusals` lists each rule's code and message.")


class TermEnrolmentApplyView(APIView):
    """Apply for a term for one of your children."""

    @extend_schema(request=ApplySerializer, responses={201: EnrolmentSerializer, 400: REFUSED})
    # A repeat is refused by the one-application-per-child constraint and rolled back, so the
    # stored answer need not be read before every application.
    @idempotent(look_first=False)
    def post(self, request: ActorApiRequest, term_id: int) -> Response:
        data = apply_input(request.data)
        if data is None:
            serializer = ApplySerializer(data=request.data)
            if not serializer.is_valid():
                # A term the family cannot see is 404 whatever the body says.
                selectors.term_for_applicant(request.actor, term_id)
                raise ApiValidationError(serializer.errors)
            data = serializer.validated_data
        try:
            # The service finds the term and the child and answers 404 for a term the
            # family cannot see or a child not theirs, with the rest of the facts at once.
            enrolment = services.enrolment_apply(
                actor=request.actor,
                child=data["child"],
                term=term_id,
                priority_groups=data["priority_groups"],
                sibling_key=data["sibling_key"],
                keep_together=data["keep_together"],
            )
        except EligibilityError as exc:
            return Response(
                {
                    "detail": _("The application cannot be accepted."),
                    "refusals": [refusal.as_dict() for refusal in exc.refusals],
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        # From the row in hand (its term, child and waitlist position are loaded):
        # re-reading it would cost a query on enrolment morning.
        return Response(enrolment_answer(enrolment), status=status.HTTP_201_CREATED)


class EnrolmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet[Enrolment]):
    """Applications: a parent's own family's, or the rosters of terms under a staff member's
    union. Filters: `term`, `status`."""

    serializer_class = EnrolmentSerializer

    def get_queryset(self) -> QuerySet[Enrolment]:
        if self.is_schema:
            return Enrolment.objects.none()
        queryset = selectors.enrolments_visible_to(self.actor)
        if self.action != "list":
            return queryset
        filters = EnrolmentFilterSerializer(data=self.request.query_params)
        if not filters.is_valid():
            raise ApiValidationError(filters.errors)
        return selectors.enrolments_filter(
            queryset,
            term=filters.validated_data.get("term"),
            status=filters.validated_data.get("status"),
        )

    def _reason(self, request: Request) -> str:
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return str(serializer.validated_data["reason"])

    @extend_schema(request=None, responses=EnrolmentSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def withdraw(self, request: Request, pk: Any = None) -> Response:
        enrolment = services.enrolment_withdraw(actor=self.actor, enrolment=self.get_object())
        return _enrolment_response(request, enrolment)

    @extend_schema(request=None, responses=EnrolmentSerializer)
    @action(detail=True, methods=["post"], url_path="accept-offer")
    @idempotent
    def accept_offer(self, request: Request, pk: Any = None) -> Response:
        enrolment = services.offer_accept(actor=self.actor, enrolment=self.get_object())
        return _enrolment_response(request, enrolment)

    @extend_schema(request=None, responses=EnrolmentSerializer)
    @action(detail=True, methods=["post"], url_path="decline-offer")
    @idempotent
    def decline_offer(self, request: Request, pk: Any = None) -> Response:
        enrolment = services.offer_decline(actor=self.actor, enrolment=self.get_object())
        return _enrolment_response(request, enrolment)

    @extend_schema(request=ReasonSerializer, responses=EnrolmentSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def remove(self, request: Request, pk: Any = None) -> Response:
        """The union removes an application or a seated child (reason required)."""
        enrolment = self.get_object()
        require(can_manage_enrolment(self.actor, enrolment))
        reason = self._reason(request)
        enrolment = services.enrolment_remove(actor=self.actor, enrolment=enrolment, reason=reason)
        return _enrolment_response(request, enrolment)

    @extend_schema(request=ReasonSerializer, responses=EnrolmentSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def admit(self, request: Request, pk: Any = None) -> Response:
        """The union admits a waiting child by hand (reason required; never beyond capacity)."""
        enrolment = self.get_object()
        require(can_manage_enrolment(self.actor, enrolment))
        reason = self._reason(request)
        enrolment = services.enrolment_admit_manually(
            actor=self.actor, enrolment=enrolment, reason=reason
        )
        return _enrolment_response(request, enrolment)

    @extend_schema(request=PriorityCheckSerializer, responses=EnrolmentSerializer)
    @action(detail=True, methods=["post"], url_path="check-priority")
    @idempotent
    def check_priority(self, request: Request, pk: Any = None) -> Response:
        """The union confirms or rejects the declared priority groups (used by the draw)."""
        enrolment = self.get_object()
        require(can_manage_enrolment(self.actor, enrolment))
        serializer = PriorityCheckSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        enrolment = services.enrolment_priority_check(
            actor=self.actor,
            enrolment=enrolment,
            accepted=serializer.validated_data["accepted"],
        )
        return _enrolment_response(request, enrolment)


class TermDrawView(APIView):
    """Run the lottery of a term after its window closed (a re-draw needs a reason)."""

    @extend_schema(request=DrawRunSerializer, responses={202: DrawSerializer})
    @idempotent
    def post(self, request: ActorApiRequest, term_id: int) -> Response:
        actor = request.actor
        term = selectors.term_for_staff(actor, term_id)
        require(can_run_draw(actor, term))
        serializer = DrawRunSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        draw = services.draw_run(
            actor=actor,
            term=term,
            seed=serializer.validated_data["seed"] or None,
            reason=serializer.validated_data["reason"],
        )
        fresh = selectors.draw_for(actor, draw.pk)
        return Response(DrawSerializer(fresh).data, status=status.HTTP_202_ACCEPTED)


class DrawViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet[Draw]):
    """A lottery draw with its published seed, inputs and outcome; `verified` recomputes it.

    Public on purpose, like the draw's page: anyone may check a lottery, and a draw holds
    no personal data (application numbers, tiers, groups, anonymous sibling sets).
    """

    serializer_class = DrawSerializer
    permission_classes = [AllowAny]

    def get_queryset(self) -> QuerySet[Draw]:
        return Draw.objects.select_related("term__program__host")

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        draw = self.get_object()
        data = dict(DrawSerializer(draw).data)
        data["verified"] = draw_verify(draw) if draw.status == Draw.Status.DONE else None
        return Response(data)
