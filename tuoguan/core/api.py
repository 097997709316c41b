"""The API half of the view kit: errors as DRF answers them, scoped choices, query filters."""

from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from drf_spectacular.views import SpectacularAPIView
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .inputs import db_int


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus Django's ValidationError raised by services → 400 with fields."""
    if isinstance(exc, ValidationError):
        detail: Any = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    return drf_exception_handler(exc, context)


@extend_schema_field(OpenApiTypes.INT)
class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A foreign key chosen among what the actor sees: `scope(actor) -> queryset`.

    The actor comes from the serializer's context (`ScopedViewSet` puts it there). Anything
    outside that scope reads as "does not exist" (400), never as forbidden, so the API does
    not confirm that an object of another union exists.
    """

    def __init__(self, scope: Any, model: type[models.Model], **kwargs: Any) -> None:
        self.scope, self.model = scope, model
        super().__init__(**kwargs)

    def get_queryset(self) -> Any:
        actor = self.context.get("actor")
        if actor is None:  # schema generation
            return self.model._default_manager.none()
        return self.scope(actor)


def id_param(request: Any, name: str) -> int | None:
    """`?name=` as the id of a row: None when absent, 400 when it cannot be one.

    The one reading of an id from a query string outside a filter serializer: a number
    beyond a 64-bit column would otherwise reach SQLite as an OverflowError (500).
    """
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    number = db_int(raw)
    if number is None:
        raise serializers.ValidationError({name: [invalid_id_message()]})
    return number


def invalid_id_message() -> str:
    return _("Enter the id of a record: a whole number from 1.")


def query_params(serializer_class: type[serializers.Serializer], request: Any) -> dict[str, Any]:
    """Validated query parameters (400 on a bad value), without the empty ones."""
    params = serializer_class(data=request.query_params)
    params.is_valid(raise_exception=True)
    return {name: value for name, value in params.validated_data.items() if value}


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema, generated once per version and language in each process: it
    changes only with the code, and generating it takes about a second."""

    _generated: ClassVar[dict[tuple[Any, str], Any]] = {}

    def _get_schema_response(self, request: Any) -> Response:
        version = self.api_version or request.version or self._get_version_parameter(request)
        key = (version, get_language() or "")
        if key not in self._generated:
            generator = self.generator_class(
                urlconf=self.urlconf, api_version=version, patterns=self.patterns
            )
            self._generated[key] = generator.get_schema(request=request, public=self.serve_public)
        return Response(
            data=self._generated[key],
            headers={
                "Content-Disposition": f'inline; filename="{self._get_filename(request, version)}"'
            },
        )
