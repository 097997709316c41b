"""API twin of the needs survey pages: `/api/v1/surveys/`.

Union staff list, create, publish, close and read totals (same selectors and services as the
pages); a worker lists the surveys addressed to them and answers with `POST …/answer/`.
Outside the subtree → 404; visible but not theirs to change → 403; bad input → 400.
"""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from tuoguan.accounts.models import Grade, Worker
from tuoguan.accounts.selectors import worker_of, worker_or_404
from tuoguan.core.api import ScopedPrimaryKeyField
from tuoguan.orgs.api import ScopedViewSet
from tuoguan.orgs.models import Org
from tuoguan.orgs.permissions import Actor, require, subtree_q
from tuoguan.programs.models import ProgramType

from ..models import NeedsSurvey, SurveyResponse
from ..services import survey as surveys
from ..services.survey import MAX_AGE, MAX_CHILDREN, WantedHours, WantedPeriod


class SurveySerializer(serializers.ModelSerializer[NeedsSurvey]):
    org_name = serializers.CharField(source="org.name", read_only=True)
    phase = serializers.SerializerMethodField(
        help_text=_("draft, upcoming, open or closed, by the server's clock")
    )

    class Meta:
        model = NeedsSurvey
        fields = (
            "id",
            "org",
            "org_name",
            "title",
            "intro",
            "opens_at",
            "closes_at",
            "status",
            "phase",
        )
        read_only_fields = fields

    def get_phase(self, survey: NeedsSurvey) -> str:
        return surveys.survey_phase(survey)


def _survey_orgs(actor: Actor) -> QuerySet[Org]:
    """The active unions of the requester's subtree; any other id does not exist for them."""
    return Org.objects.filter(subtree_q(actor), is_active=True)


class SurveyCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    org = ScopedPrimaryKeyField(
        _survey_orgs, Org, help_text=_("Id of the union whose subtree is asked")
    )
    title = serializers.CharField(max_length=200)
    intro = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()


class ChildAnswerSerializer(serializers.Serializer):  # type: ignore[type-arg]
    age = serializers.IntegerField(min_value=0, max_value=MAX_AGE)
    grade = serializers.ChoiceField(choices=Grade.choices)


class SurveyAnswerSerializer(serializers.Serializer):  # type: ignore[type-arg]
    children = ChildAnswerSerializer(many=True, allow_empty=False)
    wanted_types = serializers.ListField(
        child=serializers.ChoiceField(choices=ProgramType.choices), allow_empty=False
    )
    wanted_period = serializers.ChoiceField(choices=WantedPeriod.choices)
    hours = serializers.ChoiceField(choices=WantedHours.choices)
    pay_living_costs = serializers.ChoiceField(choices=SurveyResponse.Payment.choices)
    special_needs = serializers.CharField(
        max_length=1000, required=False, allow_blank=True, default=""
    )

    def validate_children(self, value: list[Any]) -> list[Any]:
        if len(value) > MAX_CHILDREN:
            raise serializers.ValidationError(
                _("At most %(max)d children per family.") % {"max": MAX_CHILDREN}
            )
        return value


class SurveyResponseSerializer(serializers.ModelSerializer[SurveyResponse]):
    class Meta:
        model = SurveyResponse
        fields = (
            "id",
            "survey",
            "employer",
            "children",
            "wanted_types",
            "wanted_period",
            "hours",
            "pay_living_costs",
            "special_needs",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class SurveyTotalsSerializer(serializers.Serializer):  # type: ignore[type-arg]
    families = serializers.IntegerField()
    children = serializers.IntegerField()
    special_needs = serializers.IntegerField()
    questions = serializers.DictField()
    units = serializers.ListField(child=serializers.DictField())


def _totals_payload(totals: surveys.SurveyTotals) -> dict[str, Any]:
    def rows(items: list[Any]) -> list[dict[str, Any]]:
        return [{"value": v, "label": label, "count": n} for v, label, n in items]

    return {
        "families": totals.families,
        "children": totals.children,
        "special_needs": totals.special_needs,
        "questions": {
            "wanted_types": rows(totals.types),
            "wanted_period": rows(totals.periods),
            "hours": rows(totals.hours),
            "pay_living_costs": rows(totals.pay),
            "grades": rows(totals.grades),
            "ages": rows(totals.ages),
        },
        "units": [
            {
                k: v
                for k, v in unit.items()
                if k not in ("employer_id", "employer__name", "employer__path")
            }
            for unit in totals.units
        ],
    }


@extend_schema_view(
    create=extend_schema(request=SurveyCreateSerializer, responses={201: SurveySerializer}),
)
class SurveyViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    ScopedViewSet[NeedsSurvey],
):
    """Needs surveys (需求调研): staff see their subtree's; workers see those sent to them."""

    queryset = NeedsSurvey.objects.none()
    serializer_class = SurveySerializer
    http_method_names = ["get", "post", "head", "options"]

    def _worker(self) -> Worker | None:
        return worker_of(self.request.user)

    def get_queryset(self) -> QuerySet[NeedsSurvey]:
        if self.is_schema:
            return NeedsSurvey.objects.none()
        actor = self.actor
        if surveys.can_read_surveys(actor):
            return surveys.surveys_visible_to(actor)
        worker = self._worker()
        if worker is None:
            return NeedsSurvey.objects.none()
        return surveys.surveys_published_for(worker)

    def get_object(self) -> NeedsSurvey:
        actor = self.actor
        pk = self.kwargs["pk"]
        if surveys.can_read_surveys(actor):
            return surveys.survey_for(actor, pk)
        return surveys.survey_for_worker(worker_or_404(self.request.user), pk)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        actor = self.actor
        require(actor.is_admin)
        payload = SurveyCreateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        survey = surveys.survey_create(actor=actor, **payload.validated_data)
        return Response(SurveySerializer(survey).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=SurveySerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: Any = None) -> Response:
        """Open a draft to the workers of the subtree (they are notified)."""
        actor = self.actor
        survey = surveys.survey_publish(actor=actor, survey=surveys.survey_for_change(actor, pk))
        return Response(SurveySerializer(survey).data)

    @extend_schema(request=None, responses=SurveySerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: Any = None) -> Response:
        """Close now; answers become read-only."""
        actor = self.actor
        survey = surveys.survey_close(actor=actor, survey=surveys.survey_for_change(actor, pk))
        return Response(SurveySerializer(survey).data)

    @extend_schema(responses=SurveyTotalsSerializer)
    @action(detail=True, methods=["get"])
    def totals(self, request: Request, pk: Any = None) -> Response:
        """Totals per question and per unit (grassroots union)."""
        survey = surveys.survey_for(self.actor, pk)
        return Response(_totals_payload(surveys.survey_totals(survey)))

    @extend_schema(
        methods=["POST"],
        request=SurveyAnswerSerializer,
        responses={200: SurveyResponseSerializer},
    )
    @extend_schema(methods=["GET"], request=None, responses={200: SurveyResponseSerializer})
    @action(detail=True, methods=["get", "post"])
    def answer(self, request: Request, pk: Any = None) -> Response:
        """The family's own answer: GET reads it, POST saves or replaces it until closing."""
        worker = worker_or_404(request.user)
        survey = surveys.survey_for_worker(worker, pk)
        if request.method == "GET":
            response = surveys.survey_response_of(survey, worker)
            if response is None:
                raise Http404
            return Response(SurveyResponseSerializer(response).data)
        payload = SurveyAnswerSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        response = surveys.survey_answer(actor=self.actor, survey=survey, **payload.validated_data)
        return Response(SurveyResponseSerializer(response).data)
