"""One's own API tokens. The key is in the create response and nowhere else, ever."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from tuoguan.accounts import selectors, services
from tuoguan.accounts.models import ApiToken
from tuoguan.orgs.api import ScopedViewSet


class TokenSerializer(serializers.ModelSerializer[ApiToken]):
    class Meta:
        model = ApiToken
        fields = ("id", "name", "prefix", "created_at", "last_used_at", "revoked_at")
        read_only_fields = fields


class TokenCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    name = serializers.CharField(max_length=60)


class NewTokenSerializer(serializers.ModelSerializer[ApiToken]):
    """The create response (for the schema): the token and, this once, its key."""

    key = serializers.CharField(read_only=True, help_text="Shown this once; only a hash is kept.")

    class Meta:
        model = ApiToken
        fields = ("id", "name", "prefix", "created_at", "last_used_at", "revoked_at", "key")
        read_only_fields = fields


@extend_schema_view(
    create=extend_schema(request=TokenCreateSerializer, responses={201: NewTokenSerializer}),
)
class TokenViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet[ApiToken]):
    """Personal API tokens of the requester; anyone else's do not exist for them."""

    queryset = ApiToken.objects.none()
    serializer_class = TokenSerializer
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[ApiToken]:
        if self.is_schema:
            return ApiToken.objects.none()
        return selectors.tokens_of(self.request.user)

    def get_object(self) -> ApiToken:
        return selectors.token_for(self.request.user, self.kwargs["pk"])

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = TokenCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        token, key = services.token_issue(user=self.actor.user, name=payload.validated_data["name"])
        data = {**TokenSerializer(token).data, "key": key}
        response = Response(data, status=status.HTTP_201_CREATED)
        response["Cache-Control"] = "no-store"
        return response

    @extend_schema(request=None, responses=TokenSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: Any = None) -> Response:
        """Revoke the token at once: requests carrying it get 401 from now on."""
        token = self.get_object()
        services.token_revoke(user=self.actor.user, token=token)
        return Response(TokenSerializer(token).data)
