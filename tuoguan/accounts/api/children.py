"""API twin of the family pages: a parent's children and consent, and audited staff reads.

* A parent lists, creates (with `consent: true`), edits and deletes their own children.
* Staff whose membership covers the guardian's employer (PEOPLE_READER_ROLES) list children
  with minimal fields only; retrieving one record needs `?reason=…`, which goes to the audit
  log. A child without current consent shows no personal field to staff at all.
* `id_number` is write-only; responses carry `id_number_masked` only.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from tuoguan.accounts import selectors, services
from tuoguan.accounts.models import Child, id_number_validator
from tuoguan.audit.middleware import client_ip
from tuoguan.orgs.api import ScopedViewSet
from tuoguan.orgs.permissions import Actor, can_change_child, is_guardian, require

STAFF_LIST_FIELDS = ("id", "name", "grade", "has_consent", "consent_status")
NO_CONSENT_FIELDS = ("id", "has_consent", "consent_status")


class ChildSerializer(serializers.ModelSerializer[Child]):
    id_number = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=18,
        validators=[id_number_validator],
        help_text=gettext_lazy("18 characters; write-only. Empty string removes it."),
    )
    id_number_masked = serializers.CharField(read_only=True)
    age = serializers.SerializerMethodField()
    has_consent = serializers.SerializerMethodField()
    consent_status = serializers.SerializerMethodField()

    class Meta:
        model = Child
        fields: tuple[str, ...] = (
            "id",
            *services.CHILD_FIELDS,
            "age",
            "id_number",
            "id_number_masked",
            "has_consent",
            "consent_status",
        )

    def get_age(self, child: Child) -> int:
        return child.age_on(timezone.localdate())

    def get_has_consent(self, child: Child) -> bool:
        return selectors.consent_state(child) == "given"

    def get_consent_status(self, child: Child) -> str:
        """given | withdrawn | outdated (consented to an older policy) | missing."""
        return selectors.consent_state(child)

    def validate_name(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError(_("Enter the child's name."))
        return value.strip()

    def validate_birth_date(self, value: Any) -> Any:
        if value > timezone.localdate():
            raise serializers.ValidationError(_("The birth date cannot be in the future."))
        return value

    def validate_id_number(self, value: str) -> str:
        return value.strip().upper()

    def to_representation(self, instance: Child) -> dict[str, Any]:
        data = super().to_representation(instance)
        actor: Actor = self.context["request"].actor
        if is_guardian(actor, instance):
            return data
        # Staff: nothing personal without consent; only a list's minimum without a reason.
        if not data["has_consent"]:
            return {k: data[k] if k in NO_CONSENT_FIELDS else None for k in STAFF_LIST_FIELDS}
        if not self.context.get("reason_given"):
            return {k: data[k] for k in STAFF_LIST_FIELDS}
        return data


class ChildCreateSerializer(ChildSerializer):
    consent = serializers.BooleanField(
        write_only=True,
        help_text=gettext_lazy(
            "Must be true: the guardian's separate consent under the current policy."
        ),
    )

    class Meta(ChildSerializer.Meta):
        fields = (*ChildSerializer.Meta.fields, "consent")


class ConsentRequestSerializer(serializers.Serializer[Any]):
    policy_version = serializers.CharField(
        required=False,
        max_length=20,
        help_text=gettext_lazy("The version the guardian read; refused if no longer current."),
    )


REASON_PARAM = OpenApiParameter(
    "reason",
    OpenApiTypes.STR,
    description="Staff only: why you need the record (4–500 characters); it is audited.",
)


@extend_schema_view(retrieve=extend_schema(parameters=[REASON_PARAM]))
class ChildViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    ScopedViewSet[Child],
):
    """Children: a parent's own, or those of workers under a staff member's union."""

    serializer_class = ChildSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Child]:
        if self.is_schema:
            return Child.objects.none()
        return selectors.children_with_consent_flags(
            selectors.children_visible_to(self.actor)
        ).order_by("pk")

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Child]]:
        return ChildCreateSerializer if self.action == "create" else ChildSerializer

    def _own(self) -> Child:
        """The child of the URL, which only its guardian may change (staff: 403)."""
        child = self.get_object()
        require(can_change_child(self.actor, child))
        return child

    def _respond(self, child: Child, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=child.pk)
        return Response(ChildSerializer(fresh, context=self.get_serializer_context()).data, code)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        child = self.get_object()
        context = self.get_serializer_context()
        if not is_guardian(self.actor, child) and selectors.consent_state(child) == "given":
            services.child_view(
                actor=self.actor, child=child, reason=request.query_params.get("reason")
            )
            context["reason_given"] = True
        return Response(ChildSerializer(child, context=context).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        worker = selectors.worker_of(request.user)
        if worker is None:
            raise exceptions.PermissionDenied(_("Only a worker (parent) can register a child."))
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        child = services.child_register(
            actor=self.actor,
            guardian=worker,
            consent=data.pop("consent"),
            ip=client_ip(request._request),
            id_number=data.pop("id_number", "") or None,
            **data,
        )
        return self._respond(child, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        child = self._own()
        serializer = self.get_serializer(child, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        id_number = data.pop("id_number", None)
        services.child_update(actor=self.actor, child=child, id_number=id_number, **data)
        return self._respond(child)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.child_delete(actor=self.actor, child=self._own())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=ConsentRequestSerializer, responses=ChildSerializer)
    @action(detail=True, methods=["post", "delete"])
    def consent(self, request: Request, pk: Any = None) -> Response:
        """POST: consent under the current policy; DELETE: withdraw every consent."""
        child = self._own()
        if request.method == "DELETE":
            services.consent_withdraw(actor=self.actor, child=child)
            return self._respond(child)
        serializer = ConsentRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        policy = services.consent_policy_current()
        wanted = serializer.validated_data.get("policy_version")
        if policy is None or (wanted and wanted != policy.version):
            raise ValidationError(
                {"policy_version": _("This version of the policy is no longer current.")}
            )
        services.consent_grant(
            actor=self.actor, child=child, policy=policy, ip=client_ip(request._request)
        )
        return self._respond(child)
