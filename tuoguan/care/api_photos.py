"""API twins of the photo pages: photos of the day (posted as multipart by those who care
for the group; a family lists only what it may see) and the guardian's media consent."""

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from tuoguan.accounts.models import Child
from tuoguan.core.api import id_param
from tuoguan.core.files import UploadSerializerField
from tuoguan.orgs.api import ScopedViewSet
from tuoguan.orgs.permissions import get_or_404

from . import photo_selectors, selectors, services
from .models import MAX_PHOTOS_A_POST, MediaChoice, MediaConsent, Photo


class DayPhotoSerializer(serializers.ModelSerializer[Photo]):
    children = serializers.SerializerMethodField(
        help_text="Enrolments tagged: all for staff, only one's own children for a family"
    )
    image = serializers.SerializerMethodField()
    thumbnail = serializers.SerializerMethodField()

    class Meta:
        model = Photo
        fields = ["id", "group", "date", "caption", "children", "image", "thumbnail", "posted_by"]
        read_only_fields = fields

    def get_children(self, photo: Photo) -> list[int]:
        tags = list(photo.tags.all())
        if getattr(photo, "in_work", False):
            return [t.enrolment_id for t in tags]
        user = self.context["actor"].user
        return [t.enrolment_id for t in tags if t.enrolment.guardian.user_id == user.pk]

    def get_image(self, photo: Photo) -> str:
        return reverse("care:photo_image", kwargs={"pk": photo.pk})

    def get_thumbnail(self, photo: Photo) -> str:
        return reverse("care:photo_thumbnail", kwargs={"pk": photo.pk})


class DayPhotoPostSerializer(serializers.Serializer[Any]):
    group = serializers.IntegerField()
    caption = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    children = serializers.ListField(
        child=serializers.IntegerField(), required=False, default=list, max_length=200
    )
    images = serializers.ListField(
        child=UploadSerializerField(images_only=True, allow_webp=True),
        min_length=1,
        max_length=MAX_PHOTOS_A_POST,
    )


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("group", int, description="Only this group"),
            OpenApiParameter("date", str, description="Only this day (YYYY-MM-DD)"),
        ]
    ),
    create=extend_schema(
        request=DayPhotoPostSerializer,
        responses={201: DayPhotoSerializer(many=True)},
    ),
)
class PhotoViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    ScopedViewSet,
):
    """Photos of the day: staff see their groups', a family only those it may see.
    POST (multipart, by those who care for the group) posts up to four, today, with tags."""

    queryset = Photo.objects.none()
    serializer_class = DayPhotoSerializer

    def get_queryset(self) -> QuerySet[Photo]:
        if self.is_schema:
            return Photo.objects.none()
        queryset = photo_selectors.photos_visible_to(self.actor).select_related("group")
        if self.action == "list":
            group = id_param(self.request, "group")
            if group is not None:
                queryset = queryset.filter(group_id=group)
            day = self.request.query_params.get("date")
            if day:
                try:
                    queryset = queryset.filter(date=serializers.DateField().to_internal_value(day))
                except serializers.ValidationError:
                    queryset = queryset.none()
        return queryset

    def create(self, request: Request, **kwargs: Any) -> Response:
        payload = DayPhotoPostSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        group = selectors.group_for(self.actor, data.pop("group"))
        posted = services.photos_post(actor=self.actor, group=group, **data)
        photos = self.get_queryset().filter(pk__in=[p.pk for p in posted])
        return Response(
            DayPhotoSerializer(photos, many=True, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    def perform_destroy(self, instance: Photo) -> None:
        services.photo_remove(actor=self.actor, photo=instance)


class MediaConsentSerializer(serializers.Serializer[Any]):
    child = serializers.IntegerField()
    child_name = serializers.CharField(read_only=True)
    photos = serializers.ChoiceField(choices=MediaChoice.choices)
    cameras = serializers.ChoiceField(choices=MediaChoice.choices)
    chosen_at = serializers.DateTimeField(read_only=True, allow_null=True)


def _consent_row(child: Child, consent: MediaConsent | None) -> dict[str, Any]:
    consent = consent or MediaConsent(child=child)
    return {
        "child": child.pk,
        "child_name": child.name,
        "photos": consent.photos,
        "cameras": consent.cameras,
        "chosen_at": consent.chosen_at,
    }


@extend_schema_view(
    list=extend_schema(responses=MediaConsentSerializer(many=True)),
    create=extend_schema(request=MediaConsentSerializer, responses={200: MediaConsentSerializer}),
)
class MediaConsentViewSet(ScopedViewSet):
    """A guardian's photo and camera choices for each of their children ("not_asked" counts
    as refused); POST sets one child's (allowed or refused). Others' children: 404."""

    queryset = MediaConsent.objects.none()
    serializer_class = MediaConsentSerializer

    def _children(self) -> QuerySet[Child]:
        return Child.objects.filter(guardian__user=self.actor.user).order_by("name", "pk")

    def list(self, request: Request, **kwargs: Any) -> Response:
        children = list(self._children())
        consents = {c.child_id: c for c in MediaConsent.objects.filter(child__in=children)}
        rows = [_consent_row(child, consents.get(child.pk)) for child in children]
        return Response(MediaConsentSerializer(rows, many=True).data)

    def create(self, request: Request, **kwargs: Any) -> Response:
        payload = MediaConsentSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        child = get_or_404(self._children().select_related("guardian"), pk=data.pop("child"))
        consent = services.media_consent_set(actor=self.actor, child=child, **data)
        return Response(MediaConsentSerializer(_consent_row(child, consent)).data)
