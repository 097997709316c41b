"""API twin of the online sessions' pages: the same selectors and services."""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from tuoguan.core.api import ScopedPrimaryKeyField, id_param
from tuoguan.enrolment.models import Enrolment
from tuoguan.orgs.api import ScopedViewSet
from tuoguan.orgs.permissions import Actor, require
from tuoguan.programs.models import Group

from . import online_selectors, selectors, services
from .models import ON_ROSTER, ContestScore, OnlineAttendance, OnlineSession
from .models.online import Audience, HostKind, TopicKind
from .permissions import can_care
from .services.online import invited


def _groups(actor: Actor) -> QuerySet[Group]:
    return Group.objects.filter(term__in=selectors.terms_for_incidents(actor))


def _places(actor: Actor) -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(
        term__in=selectors.terms_for_incidents(actor), status__in=ON_ROSTER
    )


class OnlineSessionSerializer(serializers.ModelSerializer[OnlineSession]):
    present = serializers.IntegerField(read_only=True, help_text="How many children attended")

    class Meta:
        model = OnlineSession
        fields = ["id", "term", "group", "starts_at", "ends_at", "host_kind", "host_name",
                  "topic", "title", "join_url", "audience", "children", "present"]  # fmt: skip
        read_only_fields = fields


class OnlineSessionWriteSerializer(serializers.Serializer[Any]):
    term = serializers.IntegerField()
    group = ScopedPrimaryKeyField(_groups, Group, required=False, allow_null=True, default=None)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    host_kind = serializers.ChoiceField(choices=HostKind.choices)
    host_name = serializers.CharField(max_length=80)
    topic = serializers.ChoiceField(choices=TopicKind.choices)
    title = serializers.CharField(max_length=120)
    join_url = serializers.CharField(max_length=500)
    audience = serializers.ChoiceField(choices=Audience.choices, default=Audience.GROUP)
    children = ScopedPrimaryKeyField(_places, Enrolment, many=True, required=False, default=list)


class OnlineAttendanceSerializer(serializers.ModelSerializer[OnlineAttendance]):
    class Meta:
        model = OnlineAttendance
        fields = ["id", "session", "enrolment", "joined_at", "via", "by"]
        read_only_fields = fields


class ContestScoreSerializer(serializers.ModelSerializer[ContestScore]):
    class Meta:
        model = ContestScore
        fields = ["id", "session", "enrolment", "score", "note"]
        read_only_fields = fields


class OnlineEnrolmentInput(serializers.Serializer[Any]):
    enrolment = serializers.IntegerField(min_value=1, max_value=2**63 - 1)


class ContestScoreInput(OnlineEnrolmentInput):
    score = serializers.DecimalField(max_digits=6, decimal_places=1, min_value=0, max_value=1000)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


JOIN_RESPONSE = inline_serializer("OnlineJoin", {"join_url": serializers.CharField()})


@extend_schema_view(
    list=extend_schema(parameters=[OpenApiParameter("term", int, description="Only this term")]),
    create=extend_schema(
        request=OnlineSessionWriteSerializer, responses={201: OnlineSessionSerializer}
    ),
)
class OnlineSessionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Online sessions (线上托管) of the terms one works for, and those one's children are
    invited to; POST schedules one."""

    queryset = OnlineSession.objects.none()
    serializer_class = OnlineSessionSerializer

    def get_queryset(self) -> QuerySet[OnlineSession]:
        if self.is_schema:
            return OnlineSession.objects.none()
        queryset = online_selectors.online_sessions_visible_to(self.actor).prefetch_related(
            "children"
        )
        if self.action == "list":
            term = id_param(self.request, "term")
            if term is not None:
                queryset = queryset.filter(term_id=term)
        return queryset

    def create(self, request: Request, **kwargs: Any) -> Response:
        payload = OnlineSessionWriteSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        term = selectors.term_for_incidents(self.actor, data.pop("term"))
        require(can_care(self.actor, term))
        session = services.online_session_save(actor=self.actor, term=term, **data)
        fresh = self.get_queryset().get(pk=session.pk)
        return Response(OnlineSessionSerializer(fresh).data, status=status.HTTP_201_CREATED)

    def _staff_session(self, pk: Any) -> OnlineSession:
        session = self.get_object()
        require(can_care(self.actor, session.term))
        return session

    def _place(self, session: OnlineSession, data: dict[str, Any]) -> Enrolment:
        place = invited(session).filter(pk=data["enrolment"]).first()
        if place is None:
            raise serializers.ValidationError(
                {"enrolment": _("The child is not invited to this session.")}
            )
        return place

    @extend_schema(request=OnlineEnrolmentInput, responses={201: OnlineAttendanceSerializer})
    @action(detail=True, methods=["post"])
    def attendance(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        """The host ticks an invited child present (once)."""
        session = self._staff_session(pk)
        payload = OnlineEnrolmentInput(data=request.data)
        payload.is_valid(raise_exception=True)
        row = services.online_attendance_record(
            actor=self.actor,
            session=session,
            enrolment=self._place(session, payload.validated_data),
        )
        return Response(OnlineAttendanceSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ContestScoreInput, responses={201: ContestScoreSerializer})
    @action(detail=True, methods=["post"])
    def scores(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        """A contest's score for one invited child."""
        session = self._staff_session(pk)
        payload = ContestScoreInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        place = self._place(session, data)
        row = services.contest_score_save(
            actor=self.actor, session=session, enrolment=place, score=data["score"],
            note=data["note"],
        )  # fmt: skip
        return Response(ContestScoreSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: JOIN_RESPONSE})
    @action(detail=True, methods=["post"])
    def join(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        """A guardian joins: the child's attendance is recorded once; the link comes back."""
        session = online_selectors.family_session_for(self.actor, pk)
        url = services.online_session_join(actor=self.actor, session=session)
        return Response({"join_url": url})
