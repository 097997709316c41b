"""Serializers of the programs API: read shapes, and write shapes that only parse input."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from tuoguan.core.api import ScopedPrimaryKeyField
from tuoguan.core.files import UploadSerializerField
from tuoguan.orgs.models import Org
from tuoguan.orgs.selectors import orgs_visible_to

from .. import selectors
from ..models import (
    Criterion,
    Evidence,
    Group,
    Program,
    ProgramType,
    Standard,
    TargetGroup,
    Term,
    TermStatus,
    Venue,
)
from ..services.programs import PROGRAM_FIELDS, VENUE_FIELDS
from ..services.standards import CRITERION_FIELDS
from ..services.terms import GROUP_FIELDS, TERM_FIELDS

# DRF's own message would name the limit without saying what is limited.
PLACES_MESSAGES = {"max_value": _("Places cannot exceed {max_value}.")}


class WriteSerializer(serializers.ModelSerializer):
    """Parses input into service keyword arguments; the service validates the rules.

    Model-level unique/constraint validators are the service's business, not the parser's.
    """

    def get_validators(self) -> list[Any]:
        return []

    def service_fields(self) -> dict[str, Any]:
        return dict(self.validated_data)


# --- Programs and venues -------------------------------------------------------------------


class ProgramSerializer(serializers.ModelSerializer):
    host_name = serializers.CharField(source="host.name", read_only=True)
    term_count = serializers.IntegerField(read_only=True, default=None)

    class Meta:
        model = Program
        fields = ["id", "host", "host_name", *PROGRAM_FIELDS, "term_count"]
        read_only_fields = fields


class ProgramWriteSerializer(WriteSerializer):
    target_groups = serializers.ListField(
        child=serializers.ChoiceField(choices=TargetGroup.choices), required=False
    )

    class Meta:
        model = Program
        fields = list(PROGRAM_FIELDS)


class ProgramCreateSerializer(ProgramWriteSerializer):
    host = ScopedPrimaryKeyField(orgs_visible_to, Org)

    class Meta(ProgramWriteSerializer.Meta):
        fields = ["host", *PROGRAM_FIELDS]

    def service_fields(self) -> dict[str, Any]:
        fields = super().service_fields()
        fields.pop("host")
        return fields


class VenueSerializer(serializers.ModelSerializer):
    owner_name = serializers.CharField(source="owner.name", read_only=True)

    class Meta:
        model = Venue
        fields = ["id", "owner", "owner_name", *VENUE_FIELDS]
        read_only_fields = fields


class VenueWriteSerializer(WriteSerializer):
    class Meta:
        model = Venue
        fields = list(VENUE_FIELDS)


class VenueCreateSerializer(VenueWriteSerializer):
    owner = ScopedPrimaryKeyField(orgs_visible_to, Org)

    class Meta(VenueWriteSerializer.Meta):
        fields = ["owner", *VENUE_FIELDS]

    def service_fields(self) -> dict[str, Any]:
        fields = super().service_fields()
        fields.pop("owner")
        return fields


class PhotoUploadSerializer(serializers.Serializer):
    image = UploadSerializerField(images_only=True)
    caption = serializers.CharField(max_length=120, required=False, default="", allow_blank=True)


# --- Terms and groups ------------------------------------------------------------------------


class GroupSerializer(serializers.ModelSerializer):
    class Meta:
        model = Group
        fields = ["id", "term", *GROUP_FIELDS]
        read_only_fields = fields


class GroupWriteSerializer(WriteSerializer):
    class Meta:
        model = Group
        fields = list(GROUP_FIELDS)
        extra_kwargs: dict[str, dict[str, Any]] = {
            name: {"required": False}
            for name in ("kind", "capacity", "carers_planned", "min_age_months", "max_age_months")
        }
        extra_kwargs["capacity"]["error_messages"] = PLACES_MESSAGES


class GroupCreateSerializer(GroupWriteSerializer):
    term = ScopedPrimaryKeyField(selectors.terms_visible_to, Term)

    class Meta(GroupWriteSerializer.Meta):
        fields = ["term", *GROUP_FIELDS]

    def service_fields(self) -> dict[str, Any]:
        fields = super().service_fields()
        fields.pop("term")
        return fields


class TermSerializer(serializers.ModelSerializer):
    program_name = serializers.CharField(source="program.name", read_only=True)
    program_type = serializers.CharField(source="program.type", read_only=True)
    host = serializers.IntegerField(source="program.host_id", read_only=True)
    care_days = serializers.IntegerField(source="care_day_count", read_only=True)
    groups = GroupSerializer(many=True, read_only=True)
    approved_despite = serializers.ListField(
        child=serializers.DictField(child=serializers.CharField()),
        read_only=True,
        help_text="The criteria (code, label, detail) the term failed when it was approved",
    )

    class Meta:
        model = Term
        fields = [
            "id",
            "program",
            "program_name",
            "program_type",
            "host",
            *TERM_FIELDS,
            "status",
            "submitted_at",
            "decided_at",
            "rejection_reason",
            "approved_despite",
            "approval_note",
            "closing_summary",
            "closed_at",
            "care_days",
            "groups",
        ]
        read_only_fields = fields


class TermWriteSerializer(WriteSerializer):
    venue = ScopedPrimaryKeyField(
        selectors.venues_visible_to, Venue, allow_null=True, required=False
    )

    class Meta:
        model = Term
        fields = list(TERM_FIELDS)
        extra_kwargs = {"capacity": {"error_messages": PLACES_MESSAGES}}


class TermCreateSerializer(TermWriteSerializer):
    program = ScopedPrimaryKeyField(selectors.programs_visible_to, Program)
    groups = GroupWriteSerializer(many=True, required=False)

    class Meta(TermWriteSerializer.Meta):
        fields = ["program", *TERM_FIELDS, "groups"]

    def service_fields(self) -> dict[str, Any]:
        fields = super().service_fields()
        fields.pop("program")
        fields["groups"] = [dict(group) for group in fields.get("groups", [])]
        return fields


class TermReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class TermApproveSerializer(serializers.Serializer):
    confirm_failures = serializers.BooleanField(
        required=False,
        default=False,
        help_text="true: approve although the term fails a criterion (a note is then required)",
    )
    note = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)


class TermSummarySerializer(serializers.Serializer):
    summary = serializers.CharField(max_length=5000)


class TermDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    care = serializers.BooleanField(help_text="true: a care day; false: a day off")


class TermFilterSerializer(serializers.Serializer):
    program = serializers.IntegerField(required=False, min_value=1)
    type = serializers.ChoiceField(choices=ProgramType.choices, required=False)
    status = serializers.ChoiceField(choices=TermStatus.choices, required=False)
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
    region = serializers.RegexField(r"^\d{2,6}$", required=False)
    org = serializers.IntegerField(required=False, min_value=1)


class ProgramFilterSerializer(TermFilterSerializer):
    program = None  # type: ignore[assignment]


# --- Standards, compliance, evidence ---------------------------------------------------------


class CriterionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Criterion
        fields = ["id", *CRITERION_FIELDS]
        read_only_fields = fields


class StandardSerializer(serializers.ModelSerializer):
    org_name = serializers.CharField(source="org.name", read_only=True)
    criteria = CriterionSerializer(many=True, read_only=True)

    class Meta:
        model = Standard
        fields = [
            "id",
            "org",
            "org_name",
            "version",
            "title",
            "effective_from",
            "published",
            "published_at",
            "health_symptoms",
            "criteria",
        ]
        read_only_fields = fields


class EvidenceSerializer(serializers.ModelSerializer):
    criterion_code = serializers.CharField(source="criterion.code", read_only=True)
    uploaded_at = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = Evidence
        fields = [
            "id",
            "term",
            "criterion",
            "criterion_code",
            "content_type",
            "size",
            "note",
            "status",
            "review_comment",
            "reviewed_at",
            "uploaded_at",
        ]
        read_only_fields = fields


def _criteria_visible(actor: Any) -> Any:
    return Criterion.objects.filter(standard__in=selectors.standards_visible_to(actor))


class EvidenceUploadSerializer(serializers.Serializer):
    term = ScopedPrimaryKeyField(selectors.terms_visible_to, Term)
    criterion = ScopedPrimaryKeyField(_criteria_visible, Criterion)
    file = UploadSerializerField()
    note = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)


class EvidenceReviewSerializer(serializers.Serializer):
    accepted = serializers.BooleanField()
    comment = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)


class EvidenceFilterSerializer(serializers.Serializer):
    term = serializers.IntegerField(required=False, min_value=1)
    status = serializers.ChoiceField(choices=Evidence.Status.choices, required=False)
    awaiting_my_review = serializers.BooleanField(required=False, default=False)


class ComplianceRowSerializer(serializers.Serializer):
    criterion = CriterionSerializer()
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    value = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    detail = serializers.CharField()
    evidence = EvidenceSerializer(many=True)


class ComplianceSerializer(serializers.Serializer):
    term = serializers.IntegerField(source="term.pk")
    standard = serializers.SerializerMethodField()
    verdict = serializers.CharField()
    verdict_display = serializers.CharField(source="get_verdict_display")
    veto_failed = serializers.BooleanField()
    calendar_pending_years = serializers.ListField(
        child=serializers.IntegerField(), source="term.pending_years_cached", default=list
    )
    criteria = ComplianceRowSerializer(many=True, source="rows")

    def get_standard(self, obj: Any) -> dict[str, Any] | None:
        standard = obj.standard
        if standard is None:
            return None
        return {
            "id": standard.pk,
            "org": standard.org_id,
            "version": standard.version,
            "title": standard.title,
        }
