"""Serializers of the enrolment API: input checks only; the services decide."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from tuoguan.programs.models import TargetGroup

from .. import fastpath
from ..models import MAX_SIBLING_KEY, Draw, Enrolment, EnrolmentStatus
from ..services.draws import MAX_SEED_LENGTH


class EnrolmentSerializer(serializers.ModelSerializer[Enrolment]):
    term_name = serializers.SerializerMethodField()
    child_name = serializers.CharField(source="child.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    waitlist_position = serializers.SerializerMethodField(
        help_text=_("1 + the waitlisted applications ranked before this one; null if not waiting.")
    )
    offer_expires_at = serializers.SerializerMethodField()

    class Meta:
        model = Enrolment
        fields = (
            "id",
            "term",
            "term_name",
            "child",
            "child_name",
            "group",
            "status",
            "status_display",
            "waitlist_position",
            "offer_expires_at",
            "priority_groups",
            "priority_tier",
            "sibling_key",
            "keep_together",
            "join_request",
            "source",
            "reason",
            "created_at",
            "decided_at",
        )
        read_only_fields = fields

    def get_term_name(self, enrolment: Enrolment) -> str:
        return str(enrolment.term)

    def get_waitlist_position(self, enrolment: Enrolment) -> int | None:
        if enrolment.status != EnrolmentStatus.WAITLISTED:
            return None
        ahead = getattr(enrolment, "waitlist_ahead", None)
        return int(ahead) + 1 if ahead is not None else fastpath.waitlist_position(enrolment)

    def get_offer_expires_at(self, enrolment: Enrolment) -> Any:
        value = getattr(enrolment, "open_offer_expires_at", None)
        return serializers.DateTimeField().to_representation(value) if value else None


class ApplySerializer(serializers.Serializer[Any]):
    child = serializers.IntegerField(min_value=1, help_text=_("One of your own children."))
    priority_groups = serializers.ListField(
        child=serializers.ChoiceField(choices=TargetGroup.choices),
        required=False,
        default=list,
        max_length=len(TargetGroup.choices),
        help_text=_("Priority groups you belong to; the union checks them."),
    )
    sibling_key = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=MAX_SIBLING_KEY,
        help_text=_("The same short name on the applications of siblings applying together."),
    )
    keep_together = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_("Lottery: admit the siblings together or waitlist them together."),
    )


class ReasonSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=500, help_text=_("Kept in the audit log."))


class PriorityCheckSerializer(serializers.Serializer[Any]):
    accepted = serializers.BooleanField(
        help_text=_("Whether the declared priority groups were checked and hold.")
    )


class EnrolmentFilterSerializer(serializers.Serializer[Any]):
    term = serializers.IntegerField(required=False, min_value=1)
    status = serializers.ChoiceField(choices=EnrolmentStatus.choices, required=False)


class DrawRunSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=500,
        help_text=_("Required for a re-draw; published with it."),
    )
    seed = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=MAX_SEED_LENGTH,
        help_text=_("Leave empty for a random seed (recommended)."),
    )


class DrawSerializer(serializers.ModelSerializer[Draw]):
    term_name = serializers.SerializerMethodField()
    public_url = serializers.SerializerMethodField()
    job_url = serializers.SerializerMethodField()
    inputs_url = serializers.SerializerMethodField()
    result_url = serializers.SerializerMethodField()
    verifier_url = serializers.SerializerMethodField()

    class Meta:
        model = Draw
        fields = (
            "id",
            "term",
            "term_name",
            "status",
            "seed",
            "inputs_digest",
            "inputs",
            "outcome",
            "reason",
            "started_at",
            "finished_at",
            "job",
            "job_url",
            "public_url",
            "inputs_url",
            "result_url",
            "verifier_url",
        )
        read_only_fields = fields

    def get_term_name(self, draw: Draw) -> str:
        return str(draw.term)

    def get_public_url(self, draw: Draw) -> str:
        return reverse("enrolment:draw_public", kwargs={"pk": draw.pk})

    def get_inputs_url(self, draw: Draw) -> str:
        """The inputs as the file whose SHA-256 is `inputs_digest`."""
        return reverse("enrolment:draw_inputs", kwargs={"pk": draw.pk})

    def get_result_url(self, draw: Draw) -> str | None:
        if draw.status not in (Draw.Status.DONE, Draw.Status.SUPERSEDED):
            return None
        return reverse("enrolment:draw_result", kwargs={"pk": draw.pk})

    def get_verifier_url(self, draw: Draw) -> str:
        """The stand-alone script that recomputes the draw from the inputs file and seed."""
        return reverse("enrolment:draw_verifier")

    def get_job_url(self, draw: Draw) -> str | None:
        return reverse("core:job", kwargs={"pk": draw.job_id}) if draw.job_id else None
