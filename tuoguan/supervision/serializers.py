"""Serializers of /api/v1/visits/ and /api/v1/rectifications/."""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from tuoguan.core.api import ScopedPrimaryKeyField
from tuoguan.core.files import UploadSerializerField
from tuoguan.programs.models import Term

from .models import ChecklistItem, ItemResult, Rectification, RectificationEvent, Visit, VisitPhoto
from .seasons import SeasonKind, season_chosen
from .seasons import definition as seasons_definition


def _terms(actor: Any) -> Any:
    from tuoguan.programs.selectors import terms_visible_to

    return terms_visible_to(actor)


def _people(actor: Any) -> Any:
    from .selectors import inspector_candidates

    return inspector_candidates(actor, actor.org) if actor.org is not None else None


class PhotoSerializer(serializers.ModelSerializer[VisitPhoto]):
    item_key = serializers.CharField(source="item.key", read_only=True)

    class Meta:
        model = VisitPhoto
        fields = ["id", "client_id", "item_key", "content_type", "size", "created_at"]


class ItemSerializer(serializers.ModelSerializer[ChecklistItem]):
    photos = serializers.SerializerMethodField()

    class Meta:
        model = ChecklistItem
        fields = [
            "key", "label", "area", "is_veto", "order", "data_status", "data_detail",
            "result", "notes", "answered_at", "photos",
        ]  # fmt: skip

    def get_photos(self, item: ChecklistItem) -> list[str]:
        return [str(p.client_id) for p in item.photos.all()]


class VisitSerializer(serializers.ModelSerializer[Visit]):
    term_name = serializers.CharField(source="term.__str__", read_only=True)
    host = serializers.CharField(source="term.program.host.name", read_only=True)

    class Meta:
        model = Visit
        fields = [
            "id", "planner", "term", "term_name", "host", "date", "announced", "inspectors",
            "status", "standard", "started_at", "signed_at", "signed_name", "acknowledged_at",
            "acknowledged_name", "summary",
        ]  # fmt: skip
        read_only_fields = fields


class VisitPlanSerializer(serializers.Serializer[Any]):
    term = ScopedPrimaryKeyField(_terms, Term)
    date = serializers.DateField()
    announced = serializers.BooleanField(default=True)
    inspectors = serializers.ListField(
        child=serializers.IntegerField(), min_length=1, max_length=20
    )
    summary = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")

    def validate_inspectors(self, value: list[int]) -> list[Any]:
        actor = self.context["actor"]
        people = _people(actor)
        found = list(people.filter(pk__in=value)) if people is not None else []
        if len(found) != len(set(value)):
            raise serializers.ValidationError("Unknown inspector.")
        return found


class SeasonSerializer(serializers.Serializer[Any]):
    """A season (supervision.seasons): `season` with `year`, or `season=custom` with `start`
    and `end`; the current season when nothing is given."""

    season = serializers.ChoiceField(choices=SeasonKind.choices, required=False)
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        try:
            attrs["period"] = season_chosen(
                attrs.get("season"), attrs.get("year"), attrs.get("start"), attrs.get("end")
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        return attrs


class SeasonPlanSerializer(SeasonSerializer):
    announced = serializers.BooleanField(default=True)


class GlanceQuerySerializer(SeasonSerializer):
    org = serializers.IntegerField(required=False)


class PeriodSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField()
    year = serializers.IntegerField(allow_null=True)
    start = serializers.DateField()
    end = serializers.DateField()
    label = serializers.CharField()  # type: ignore[assignment]


class GlanceRowSerializer(serializers.Serializer[Any]):
    org = serializers.IntegerField(source="org.pk")
    org_name = serializers.CharField(source="org.name")
    region_code = serializers.CharField(source="org.region_code")
    planned = serializers.IntegerField()
    done = serializers.IntegerField()
    findings = serializers.DictField(child=serializers.IntegerField())
    open = serializers.IntegerField()
    overdue = serializers.IntegerField()
    never_visited = serializers.IntegerField()
    days_to_close = serializers.FloatField(allow_null=True)


class GlanceSerializer(serializers.Serializer[Any]):
    org = serializers.IntegerField(source="org.pk")
    season = PeriodSerializer()
    definition = serializers.SerializerMethodField()
    rows = GlanceRowSerializer(many=True)
    total = GlanceRowSerializer()

    def get_definition(self, glance: Any) -> str:
        return seasons_definition()


class AnswerSerializer(serializers.Serializer[Any]):
    client_id = serializers.UUIDField()
    item_key = serializers.CharField(max_length=80)
    result = serializers.ChoiceField(choices=[("", ""), *ItemResult.choices], allow_blank=True)
    notes = serializers.CharField(allow_blank=True, required=False, max_length=2000, default="")
    changed_at = serializers.DateTimeField(required=False)


class AnswersSerializer(serializers.Serializer[Any]):
    answers = AnswerSerializer(many=True)

    def validate_answers(self, value: list[Any]) -> list[Any]:
        if len(value) > 500:
            raise serializers.ValidationError("At most 500 answers at a time.")
        return value


class AnswerOutcomeSerializer(serializers.Serializer[Any]):
    client_id = serializers.CharField()
    item_key = serializers.CharField()
    applied = serializers.BooleanField()
    duplicate = serializers.BooleanField()


class VisitPhotoUploadSerializer(serializers.Serializer[Any]):
    client_id = serializers.UUIDField()
    item_key = serializers.CharField(max_length=80)
    image = UploadSerializerField(images_only=True, allow_webp=True)


class FreeItemSerializer(serializers.Serializer[Any]):
    client_id = serializers.UUIDField()
    label = serializers.CharField(max_length=200)  # type: ignore[assignment]
    is_veto = serializers.BooleanField(default=False)


class OrderTermsSerializer(serializers.Serializer[Any]):
    """The owner (a user id among the class's managers) and deadline of one failed item's
    order; either may be left out for the default."""

    item_key = serializers.CharField(max_length=80)
    owner = serializers.IntegerField(required=False)
    deadline = serializers.DateField(required=False)


class SignSerializer(serializers.Serializer[Any]):
    signed_name = serializers.CharField(max_length=60)
    # The default owner and deadline of every order not named in `orders`.
    owner = serializers.IntegerField(required=False)
    deadline = serializers.DateField(required=False)
    orders = OrderTermsSerializer(many=True, required=False)
    suspend_checkins = serializers.BooleanField(default=False)
    summary = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")


class AcknowledgeSerializer(serializers.Serializer[Any]):
    acknowledged_name = serializers.CharField(max_length=60)


class EventSerializer(serializers.ModelSerializer[RectificationEvent]):
    class Meta:
        model = RectificationEvent
        fields = ["kind", "text", "by", "at"]


class RectificationSerializer(serializers.ModelSerializer[Rectification]):
    item_key = serializers.CharField(source="item.key", read_only=True)
    finding = serializers.CharField(source="item.label", read_only=True)
    owner_name = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()
    events = EventSerializer(many=True, read_only=True)

    class Meta:
        model = Rectification
        fields = [
            "id", "visit", "term", "item_key", "finding", "owner", "owner_name", "deadline",
            "status",
            "overdue", "suspends_checkins", "answer", "answered_at", "extended_at",
            "extension_reason", "closed_at", "events",
        ]  # fmt: skip
        read_only_fields = fields

    def get_overdue(self, order: Rectification) -> bool:
        return order.is_overdue()

    def get_owner_name(self, order: Rectification) -> str:
        return str(order.owner.real_name or order.owner.username)


class RectificationAnswerSerializer(serializers.Serializer[Any]):
    answer = serializers.CharField(max_length=4000)
    files = serializers.ListField(child=UploadSerializerField(), required=False, max_length=5)


class RectificationReasonSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class ExtendSerializer(serializers.Serializer[Any]):
    deadline = serializers.DateField()
    reason = serializers.CharField(max_length=4000)


class ReassignSerializer(serializers.Serializer[Any]):
    owner = serializers.IntegerField()
    reason = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class RectificationFilterSerializer(serializers.Serializer[Any]):
    state = serializers.ChoiceField(choices=["open", "overdue", "closed", "all"], required=False)
    visit = serializers.IntegerField(required=False)
