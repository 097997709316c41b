"""Serializers of the awards API; the writable fields are the services' (CAMPAIGN_FIELDS)."""

from typing import Any

from rest_framework import serializers

from tuoguan.core.api import ScopedPrimaryKeyField
from tuoguan.core.files import UploadSerializerField
from tuoguan.programs.models import Term

from .models import (
    Campaign,
    CampaignLevel,
    Condition,
    Designation,
    Nomination,
    NominationFile,
    Objection,
    Recommendation,
    Reviewer,
    RubricItem,
    Score,
    Scorecard,
)
from .services import CAMPAIGN_FIELDS


class ConditionSerializer(serializers.ModelSerializer[Condition]):
    class Meta:
        model = Condition
        fields = ("id", "kind", "threshold", "is_veto", "at_least")
        read_only_fields = ("id", "kind", "at_least")


class RubricItemSerializer(serializers.ModelSerializer[RubricItem]):
    class Meta:
        model = RubricItem
        fields = ("id", "name", "points")
        read_only_fields = ("id",)


class CampaignSerializer(serializers.ModelSerializer[Campaign]):
    conditions = ConditionSerializer(many=True, read_only=True)
    rubric = RubricItemSerializer(many=True, read_only=True)
    questions = serializers.ListField(
        child=serializers.CharField(max_length=200), max_length=10, required=False
    )

    class Meta:
        model = Campaign
        fields = ("id", "organiser", "level", "status", *CAMPAIGN_FIELDS, "conditions", "rubric")
        read_only_fields = ("id", "organiser", "level", "status")


class RubricSerializer(serializers.Serializer[Any]):
    items = RubricItemSerializer(many=True)


class ConditionUpdateSerializer(serializers.Serializer[Any]):
    threshold = serializers.DecimalField(max_digits=7, decimal_places=1, min_value=0)
    is_veto = serializers.BooleanField()


class ConditionResultSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField(source="condition.kind")
    is_veto = serializers.BooleanField(source="condition.is_veto")
    threshold = serializers.DecimalField(
        source="condition.threshold", max_digits=7, decimal_places=1
    )
    figure = serializers.DecimalField(max_digits=9, decimal_places=1, allow_null=True)
    measured = serializers.BooleanField()
    passed = serializers.BooleanField()
    reason = serializers.CharField()


class EligibilitySerializer(serializers.Serializer[Any]):
    eligible = serializers.BooleanField()
    meets_all = serializers.BooleanField()
    veto_reason = serializers.CharField()
    results = ConditionResultSerializer(many=True)


class RecommendationSerializer(serializers.ModelSerializer[Recommendation]):
    class Meta:
        model = Recommendation
        fields = ("org", "recommended", "note", "created_at")


class MaterialSerializer(serializers.ModelSerializer[NominationFile]):
    class Meta:
        model = NominationFile
        fields = ("id", "title", "content_type")


class EntrySerializer(serializers.ModelSerializer[Nomination]):
    steps = RecommendationSerializer(many=True, read_only=True)
    files = MaterialSerializer(many=True, read_only=True)

    class Meta:
        model = Nomination
        fields: tuple[str, ...] = (
            "id",
            "campaign",
            "term",
            "program",
            "holder",
            "status",
            "answers",
            "video_url",
            "applied_at",
            "steps",
            "files",
        )
        read_only_fields: tuple[str, ...] = fields


class EntryDetailSerializer(EntrySerializer):
    eligibility = serializers.SerializerMethodField()

    class Meta(EntrySerializer.Meta):
        fields = (*EntrySerializer.Meta.fields, "eligibility")
        read_only_fields = fields

    def get_eligibility(self, entry: Nomination) -> dict[str, Any]:
        found = self.context["eligibility"]
        return dict(EligibilitySerializer(found).data)


def _campaigns(actor: Any) -> Any:
    from .selectors import campaigns_visible_to

    return campaigns_visible_to(actor)


def _terms(actor: Any) -> Any:
    from tuoguan.programs.selectors import terms_visible_to

    return terms_visible_to(actor)


class EntryCreateSerializer(serializers.Serializer[Any]):
    campaign = ScopedPrimaryKeyField(_campaigns, Campaign)
    term = ScopedPrimaryKeyField(_terms, Term)
    answers = serializers.DictField(child=serializers.CharField(max_length=2000), required=False)
    video_url = serializers.URLField(max_length=300, required=False, default="")


class DecisionSerializer(serializers.Serializer[Any]):
    recommend = serializers.BooleanField()
    note = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)


class MaterialUploadSerializer(serializers.Serializer[Any]):
    file = UploadSerializerField()
    title = serializers.CharField(max_length=120, required=False, default="", allow_blank=True)


class ScoreSerializer(serializers.ModelSerializer[Score]):
    class Meta:
        model = Score
        fields = ("item", "points")


class ScorecardSerializer(serializers.ModelSerializer[Scorecard]):
    scores = ScoreSerializer(many=True, read_only=True)

    class Meta:
        model = Scorecard
        fields = ("id", "entry", "reviewer", "total", "comment", "scores", "created_at")
        read_only_fields = fields


def _entries(actor: Any) -> Any:
    from .selectors import entries_visible_to

    return entries_visible_to(actor)


class ScoreInputSerializer(serializers.Serializer[Any]):
    item = serializers.IntegerField(min_value=1, help_text="A rubric item of the campaign")
    points = serializers.IntegerField(min_value=0, max_value=100)


class ScorecardCreateSerializer(serializers.Serializer[Any]):
    entry = ScopedPrimaryKeyField(_entries, Nomination)
    scores = serializers.ListField(child=ScoreInputSerializer(), max_length=50)
    comment = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)


class ReviewerSerializer(serializers.ModelSerializer[Reviewer]):
    class Meta:
        model = Reviewer
        fields = ("id", "campaign", "membership")
        read_only_fields = ("id", "campaign")


class ReviewerAddSerializer(serializers.Serializer[Any]):
    membership = serializers.IntegerField(min_value=1)


class StandingSerializer(serializers.Serializer[Any]):
    entry = serializers.IntegerField(source="entry.pk")
    program = serializers.IntegerField(source="entry.program_id")
    rank = serializers.IntegerField(allow_null=True)
    average = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    scorecards = serializers.IntegerField(source="totals.__len__")
    trimmed = serializers.BooleanField()
    within_quota = serializers.BooleanField()
    eligible = serializers.BooleanField(source="eligibility.eligible")
    veto_reason = serializers.CharField(source="eligibility.veto_reason")


class DesignationSerializer(serializers.ModelSerializer[Designation]):
    program_name = serializers.CharField(source="program.name", read_only=True)
    host = serializers.CharField(source="program.host.name", read_only=True)

    class Meta:
        model = Designation
        fields = ("id", "program", "program_name", "host", "level", "year", "campaign", "org")
        read_only_fields = fields


class DesignationQuerySerializer(serializers.Serializer[Any]):
    level = serializers.ChoiceField(choices=CampaignLevel.choices, required=False)
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)
    region = serializers.IntegerField(min_value=1, required=False)


class RevokeSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=300)


class ObjectionLodgeSerializer(serializers.Serializer[Any]):
    """Anyone's objection to an entry on public notice, with their name and telephone."""

    entry = serializers.IntegerField(min_value=1)
    name = serializers.CharField(max_length=60)
    phone = serializers.CharField(max_length=20)
    text = serializers.CharField(min_length=10, max_length=2000)


class ObjectionReceivedSerializer(serializers.ModelSerializer[Objection]):
    """What the objector is told back: received, never anyone else's details."""

    class Meta:
        model = Objection
        fields = ["id", "entry", "status", "created_at"]
        read_only_fields = fields


class ObjectionSerializer(serializers.ModelSerializer[Objection]):
    campaign = serializers.IntegerField(source="entry.campaign_id", read_only=True)
    class_name = serializers.CharField(source="entry.program.name", read_only=True)

    class Meta:
        model = Objection
        fields = [
            "id", "entry", "campaign", "class_name", "name", "phone", "text", "status",
            "answer", "answered_at", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class ObjectionAnswerSerializer(serializers.Serializer[Any]):
    upheld = serializers.BooleanField()
    answer = serializers.CharField(max_length=2000)
