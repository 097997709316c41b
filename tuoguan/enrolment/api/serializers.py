"""Serializers of the enrolment API: input checks only; the services decide."""

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from tuoguan.programs.models import TargetGroup

from .. import fastpath
from ..models import Draw, Enrolment, EnrolmentStatus
from ..services.allocation import MAX_SIBLING_KEY
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


def _when(value: Any) -> str:
    # What serializers.DateTimeField gives (local time, ISO 8601, "Z" for UTC), without its
    # per-call machinery; the test of enrolment_answer holds them equal.
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def enrolment_answer(enrolment: Enrolment) -> dict[str, Any]:
    """EnrolmentSerializer's output for a row in hand whose term (with its program) and
    child are loaded, without the serializer's per-call field construction (enrolment
    morning, bench/README.md). The tests hold the two equal."""
    waiting = enrolment.status == EnrolmentStatus.WAITLISTED
    ahead = getattr(enrolment, "waitlist_ahead", None)
    offer = getattr(enrolment, "open_offer_expires_at", None)
    return {
        "id": enrolment.pk,
        "term": enrolment.term_id,
        "term_name": str(enrolment.term),
        "child": enrolment.child_id,
        "child_name": enrolment.child.name,
        "group": enrolment.group_id,
        "status": str(enrolment.status),
        "status_display": enrolment.get_status_display(),
        "waitlist_position": (
            (int(ahead) + 1 if ahead is not None else fastpath.waitlist_position(enrolment))
            if waiting
            else None
        ),
        "offer_expires_at": _when(offer) if offer else None,
        "priority_groups": enrolment.priority_groups,
        "priority_tier": enrolment.priority_tier,
        "sibling_key": enrolment.sibling_key,
        "keep_together": enrolment.keep_together,
        "join_request": enrolment.join_request,
        "source": enrolment.source,
        "reason": enrolment.reason,
        "created_at": _when(enrolment.created_at),
        "decided_at": _when(enrolment.decided_at) if enrolment.decided_at else None,
    }


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


_TARGET_GROUPS = frozenset(TargetGroup.values)


def apply_input(data: Any) -> dict[str, Any] | None:
    """ApplySerializer's validated data for a plain, well-formed body, without building the
    serializer (enrolment morning, bench/README.md); None for
    anything else, which the serializer then checks and explains. The tests hold the two
    equal wherever this one answers."""
    if not isinstance(data, dict):
        return None
    child = data.get("child")
    groups = data.get("priority_groups", [])
    sibling_key = data.get("sibling_key", "")
    keep_together = data.get("keep_together", False)
    plain = (
        type(child) is int
        and child >= 1
        and type(groups) is list
        and len(groups) <= len(_TARGET_GROUPS)
        and all(type(g) is str and g in _TARGET_GROUPS for g in groups)
        and type(sibling_key) is str
        and len(sibling_key) <= MAX_SIBLING_KEY
        and sibling_key == sibling_key.strip()
        and type(keep_together) is bool
    )
    if not plain:
        return None
    return {
        "child": child,
        "priority_groups": groups,
        "sibling_key": sibling_key,
        "keep_together": keep_together,
    }


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
