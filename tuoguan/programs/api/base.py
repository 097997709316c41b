from typing import Any

from django.db import models
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets

from tuoguan.orgs.permissions import Actor


class ScopedViewSet(viewsets.GenericViewSet):
    """A viewset acting for `request.actor`; serializers scope their choices to it."""

    @property
    def actor(self) -> Actor:
        actor: Actor = self.request._request.actor  # type: ignore[attr-defined]
        return actor

    @property
    def is_schema(self) -> bool:
        return bool(getattr(self, "swagger_fake_view", False))

    def get_serializer_context(self) -> dict[str, Any]:
        context: dict[str, Any] = super().get_serializer_context()
        if not self.is_schema:
            context["actor"] = self.actor
        return context


@extend_schema_field(OpenApiTypes.INT)
class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A foreign key chosen among what the actor sees: `scope(actor) -> queryset`.

    Anything outside that scope reads as "does not exist" (400), never as forbidden, so
    the API does not confirm that an object of another union exists.
    """

    def __init__(self, scope: Any, model: type[models.Model], **kwargs: Any) -> None:
        self.scope, self.model = scope, model
        super().__init__(**kwargs)

    def get_queryset(self) -> Any:
        actor = self.context.get("actor")
        if actor is None:  # schema generation
            return self.model._default_manager.none()
        return self.scope(actor)


def query_params(serializer_class: type[serializers.Serializer], request: Any) -> dict[str, Any]:
    """Validated query parameters (400 on a bad value), without the empty ones."""
    params = serializer_class(data=request.query_params)
    params.is_valid(raise_exception=True)
    return {name: value for name, value in params.validated_data.items() if value}
