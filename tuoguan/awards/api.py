"""API twins of the awards pages: /api/v1/campaigns/, /entries/, /scores/, /objections/…

The same selectors and services as the pages: outside the requester's line 404, visible but
not theirs to act on 403, a refused write 400 with the service's reason.
"""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from tuoguan.audit.middleware import client_ip
from tuoguan.core.api import id_param
from tuoguan.core.parsers import JSONParser
from tuoguan.orgs.api import ScopedViewSet
from tuoguan.orgs.permissions import require

from . import notice, selectors, services
from .models import Campaign, Designation, Nomination, Objection, Scorecard
from .permissions import (
    can_assign_reviewers,
    can_create_campaign,
    can_manage_campaign,
    can_recommend,
    can_revoke_designation,
    can_score,
    can_see_results,
    can_withdraw,
)
from .ranking import campaign_standings
from .serializers import (
    CampaignSerializer,
    ConditionUpdateSerializer,
    DecisionSerializer,
    DesignationQuerySerializer,
    DesignationSerializer,
    EntryCreateSerializer,
    EntryDetailSerializer,
    EntrySerializer,
    MaterialSerializer,
    MaterialUploadSerializer,
    ObjectionAnswerSerializer,
    ObjectionLodgeSerializer,
    ObjectionReceivedSerializer,
    ObjectionSerializer,
    ReviewerAddSerializer,
    ReviewerSerializer,
    RevokeSerializer,
    RubricSerializer,
    ScorecardCreateSerializer,
    ScorecardSerializer,
    StandingSerializer,
)


@extend_schema_view(
    create=extend_schema(request=CampaignSerializer, responses={201: CampaignSerializer}),
    partial_update=extend_schema(request=CampaignSerializer, responses=CampaignSerializer),
)
class CampaignViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet[Campaign]):
    """Selection campaigns of demonstration classes (示范点评选) on the requester's line."""

    queryset = Campaign.objects.none()
    serializer_class = CampaignSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Campaign]:
        if self.is_schema:
            return Campaign.objects.none()
        return (
            selectors.campaigns_visible_to(self.actor)
            .prefetch_related("conditions", "rubric")
            .order_by("-year", "level", "pk")
        )

    def _respond(self, campaign: Campaign, code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.campaign_for(self.actor, campaign.pk)
        return Response(CampaignSerializer(fresh).data, status=code)

    def create(self, request: Request, **kwargs: Any) -> Response:
        require(can_create_campaign(self.actor))
        payload = CampaignSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        campaign = services.campaign_create(actor=self.actor, **payload.validated_data)
        return self._respond(campaign, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        campaign = self.get_object()
        require(can_manage_campaign(self.actor, campaign))
        payload = CampaignSerializer(campaign, data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        services.campaign_update(actor=self.actor, campaign=campaign, **payload.validated_data)
        return self._respond(campaign)

    @extend_schema(request=None, responses=CampaignSerializer)
    @action(detail=True, methods=["post"])
    def open(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        """Open a draft campaign for entries."""
        campaign = self.get_object()
        require(can_manage_campaign(self.actor, campaign))
        return self._respond(services.campaign_open(actor=self.actor, campaign=campaign))

    @extend_schema(request=RubricSerializer, responses=CampaignSerializer)
    @action(detail=True, methods=["post"])
    def rubric(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        """Replace the rubric with the items given, in order."""
        campaign = self.get_object()
        require(can_manage_campaign(self.actor, campaign))
        payload = RubricSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        items = [(i["name"], i["points"]) for i in payload.validated_data["items"]]
        services.rubric_set(actor=self.actor, campaign=campaign, items=items)
        return self._respond(campaign)

    @extend_schema(request=ConditionUpdateSerializer, responses=CampaignSerializer)
    @action(detail=True, methods=["post"], url_path=r"conditions/(?P<kind>[a-z_]+)")
    def condition(
        self, request: Request, pk: Any = None, kind: str = "", **kwargs: Any
    ) -> Response:
        """Set one condition's threshold and whether it is a veto."""
        campaign = self.get_object()
        require(can_manage_campaign(self.actor, campaign))
        payload = ConditionUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        condition = campaign.conditions.filter(kind=kind).first()
        if condition is None:
            from rest_framework.exceptions import NotFound

            raise NotFound
        services.condition_update(actor=self.actor, condition=condition, **payload.validated_data)
        return self._respond(campaign)

    @extend_schema(request=ReviewerAddSerializer, responses={201: ReviewerSerializer})
    @action(detail=True, methods=["post"])
    def reviewers(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        """Ask a reviewer, admin or inspector of the organiser's subtree to score."""
        campaign = self.get_object()
        require(can_assign_reviewers(self.actor, campaign))
        payload = ReviewerAddSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        membership = (
            selectors.reviewer_candidates(campaign)
            .filter(pk=payload.validated_data["membership"])
            .first()
        )
        if membership is None:
            raise ApiValidationError(
                {
                    "membership": [
                        _("Choose a reviewer, admin or inspector of the organising union.")
                    ]
                }
            )
        reviewer = services.reviewer_add(actor=self.actor, campaign=campaign, membership=membership)
        return Response(ReviewerSerializer(reviewer).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=CampaignSerializer)
    @action(detail=True, methods=["post"], url_path="start-review")
    def start_review(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        """Close entries; the reviewers score those that reached the organiser."""
        campaign = self.get_object()
        require(can_manage_campaign(self.actor, campaign))
        return self._respond(services.campaign_start_review(actor=self.actor, campaign=campaign))

    @extend_schema(request=None, responses=CampaignSerializer)
    @action(detail=True, methods=["post"], url_path="publish-notice")
    def publish_notice(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        """Put the entries ranked within the quota on public notice."""
        campaign = self.get_object()
        require(can_manage_campaign(self.actor, campaign))
        return self._respond(notice.campaign_publish_notice(actor=self.actor, campaign=campaign))

    @extend_schema(request=None, responses=DesignationSerializer(many=True))
    @action(detail=True, methods=["post"])
    def designate(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        """After the notice, with every objection answered, designate the listed classes."""
        campaign = self.get_object()
        require(can_manage_campaign(self.actor, campaign))
        made = notice.campaign_designate(actor=self.actor, campaign=campaign)
        return Response(DesignationSerializer(made, many=True).data)

    @extend_schema(responses=StandingSerializer(many=True))
    @action(detail=True, methods=["get"])
    def results(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        """The entries under review, ranked by their averaged scores within the quota."""
        campaign = self.get_object()
        require(can_see_results(self.actor, campaign))
        return Response(StandingSerializer(campaign_standings(campaign), many=True).data)


@extend_schema_view(
    create=extend_schema(request=EntryCreateSerializer, responses={201: EntryDetailSerializer}),
    retrieve=extend_schema(responses=EntryDetailSerializer),
)
class EntryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet[Nomination]):
    """Entries to campaigns (申报) of classes on the requester's line, with their
    conditions judged now (on one entry)."""

    queryset = Nomination.objects.none()
    serializer_class = EntrySerializer

    def get_queryset(self) -> QuerySet[Nomination]:
        if self.is_schema:
            return Nomination.objects.none()
        return selectors.entries_visible_to(self.actor).prefetch_related("steps")

    def get_parsers(self) -> list[Any]:
        if getattr(self, "action", None) == "materials":
            return [MultiPartParser(), FormParser()]
        return [JSONParser(), *super().get_parsers()]

    def _detail(self, entry: Nomination, code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.entry_for(self.actor, entry.pk)
        context = {"eligibility": selectors.eligibility_of([fresh])[fresh.pk]}
        return Response(EntryDetailSerializer(fresh, context=context).data, status=code)

    def retrieve(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        return self._detail(self.get_object())

    def create(self, request: Request, **kwargs: Any) -> Response:
        payload = EntryCreateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        entry = services.nomination_enter(
            actor=self.actor,
            campaign=data["campaign"],
            term=data["term"],
            answers=data.get("answers", {}),
            video_url=data["video_url"],
        )
        return self._detail(entry, status.HTTP_201_CREATED)

    @extend_schema(request=DecisionSerializer, responses=EntryDetailSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        """The requester's union recommends the entry to the next level, or does not."""
        entry = self.get_object()
        require(can_recommend(self.actor, entry))
        payload = DecisionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.nomination_decide(actor=self.actor, entry=entry, **payload.validated_data)
        return self._detail(entry)

    @extend_schema(request=None, responses=EntryDetailSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        entry = self.get_object()
        require(can_withdraw(self.actor, entry))
        services.nomination_withdraw(actor=self.actor, entry=entry)
        return self._detail(entry)

    @extend_schema(request=MaterialUploadSerializer, responses={201: MaterialSerializer})
    @action(detail=True, methods=["post"])
    def materials(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        """A photo or document for the entry (multipart)."""
        entry = self.get_object()
        require(can_withdraw(self.actor, entry))
        payload = MaterialUploadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        found = services.material_add(
            actor=self.actor,
            entry=entry,
            upload=payload.validated_data["file"],
            title=payload.validated_data["title"],
        )
        return Response(MaterialSerializer(found).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("entry", int, description="Only this entry's scorecards")]
    )
)
class ScorecardViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet[Scorecard]):
    """Reviewers' scorecards (评分): one's own, the others' of an entry only once one's own
    is sent; all of a campaign's for its organiser's admins who do not review it."""

    queryset = Scorecard.objects.none()
    serializer_class = ScorecardSerializer

    def get_queryset(self) -> QuerySet[Scorecard]:
        if self.is_schema:
            return Scorecard.objects.none()
        queryset = selectors.scorecards_visible_to(self.actor).order_by("pk")
        entry = id_param(self.request, "entry")
        return queryset.filter(entry_id=entry) if entry is not None else queryset

    @extend_schema(request=ScorecardCreateSerializer, responses={201: ScorecardSerializer})
    def create(self, request: Request, **kwargs: Any) -> Response:
        """Send one's scores of an entry, one per rubric item; final once sent."""
        payload = ScorecardCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        entry = data["entry"]
        require(can_score(self.actor, entry))
        points = {row["item"]: row["points"] for row in data["scores"]}
        card = services.scorecard_submit(
            actor=self.actor, entry=entry, points=points, comment=data["comment"]
        )
        fresh = selectors.scorecard_for(self.actor, card.pk)
        return Response(ScorecardSerializer(fresh).data, status=status.HTTP_201_CREATED)


@extend_schema_view(list=extend_schema(parameters=[DesignationQuerySerializer]))
class DesignationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet[Designation]
):
    """Demonstration classes (示范点): public, unrevoked titles by level, year and region."""

    queryset = Designation.objects.none()
    serializer_class = DesignationSerializer
    permission_classes = [AllowAny]

    def get_permissions(self) -> list[Any]:
        if getattr(self, "action", None) == "revoke":
            return [IsAuthenticated()]
        return [AllowAny()]

    def get_queryset(self) -> QuerySet[Designation]:
        if self.is_schema:
            return Designation.objects.none()
        if self.action != "list":
            return selectors.public_designations()
        query = DesignationQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        region = None
        if data.get("region"):
            region = selectors.region_choices().filter(pk=data["region"]).first()
            if region is None:
                return Designation.objects.none()
        return selectors.public_designations(
            level=data.get("level"), year=data.get("year"), region=region
        )

    @extend_schema(request=RevokeSerializer, responses=DesignationSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        """Revoke a title, with the reason (audited); the designating union's admins only."""
        designation = selectors.designation_for(self.actor, pk)
        require(can_revoke_designation(self.actor, designation))
        payload = RevokeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        done = notice.designation_revoke(
            actor=self.actor, designation=designation, reason=payload.validated_data["reason"]
        )
        return Response(DesignationSerializer(done).data)


@extend_schema_view(
    create=extend_schema(
        request=ObjectionLodgeSerializer, responses={201: ObjectionReceivedSerializer}
    ),
)
class ObjectionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet[Objection]):
    """Objections to entries on public notice (异议): anyone lodges one, no login, limited per
    sender and phone as on the page; the organiser's admins read and answer them."""

    queryset = Objection.objects.none()
    serializer_class = ObjectionSerializer

    def get_permissions(self) -> list[Any]:
        if getattr(self, "action", None) == "create":
            return [AllowAny()]
        return [IsAuthenticated()]

    def get_parsers(self) -> list[Any]:
        return [JSONParser(), *super().get_parsers()]

    def get_queryset(self) -> QuerySet[Objection]:
        if self.is_schema or not self.actor.is_admin:
            return Objection.objects.none()
        return selectors.objections_managed_by(self.actor)

    def get_object(self) -> Objection:
        objection = selectors.objection_for(self.actor, self.kwargs["pk"])
        require(can_manage_campaign(self.actor, objection.entry.campaign))
        return objection

    def create(self, request: Request, **kwargs: Any) -> Response:
        payload = ObjectionLodgeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        entry = selectors.public_entry(data.pop("entry"))
        found = notice.objection_lodge(entry=entry, address=client_ip(request._request), **data)
        return Response(ObjectionReceivedSerializer(found).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ObjectionAnswerSerializer, responses=ObjectionSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        """Record what the investigation found; an upheld objection removes the entry."""
        objection = self.get_object()
        payload = ObjectionAnswerSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        done = notice.objection_answer(
            actor=self.actor, objection=objection, **payload.validated_data
        )
        return Response(ObjectionSerializer(selectors.objection_for(self.actor, done.pk)).data)
