"""API twins of the live view: the child's day for the family (ETag, 304 when nothing
changed) and the caregivers' notes and activities of a group's day."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tuoguan.core.api import id_param
from tuoguan.core.kit import revalidated
from tuoguan.enrolment.models import Enrolment
from tuoguan.orgs.api import ScopedViewSet
from tuoguan.orgs.kit import api_actor_of
from tuoguan.programs.models import Group

from . import liveview_selectors, selectors
from .models import ON_ROSTER, DayNote, DayNoteKind
from .permissions import care_work_q
from .services.liveview import day_note_add


class DayNoteSerializer(serializers.ModelSerializer[DayNote]):
    author_name = serializers.CharField(source="author.__str__", read_only=True)

    class Meta:
        model = DayNote
        fields = ["id", "group", "date", "kind", "time", "text", "author_name", "children"]
        read_only_fields = fields


class DayNoteCreateSerializer(serializers.Serializer[Any]):
    group = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=DayNoteKind.choices)
    text = serializers.CharField(max_length=500)
    time = serializers.TimeField(required=False, allow_null=True, default=None)
    children = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, default=list, max_length=200
    )


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("group", int, description="Only this group"),
            OpenApiParameter("date", str, description="Only this day (YYYY-MM-DD)"),
        ]
    ),
    create=extend_schema(request=DayNoteCreateSerializer, responses={201: DayNoteSerializer}),
)
class DayNoteViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Notes and activities of the days of the groups one works in; POST posts one today."""

    queryset = DayNote.objects.none()
    serializer_class = DayNoteSerializer

    def get_queryset(self) -> QuerySet[DayNote]:
        if self.is_schema:
            return DayNote.objects.none()
        groups = Group.objects.filter(care_work_q(self.actor))
        queryset = (
            DayNote.objects.filter(group__in=groups)
            .select_related("author")
            .prefetch_related("children")
            .order_by("-date", "-time", "-pk")
        )
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
        payload = DayNoteCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        group = selectors.group_for(self.actor, data.pop("group"))
        wanted = set(data.pop("children"))
        children = list(Enrolment.objects.filter(pk__in=wanted, group=group, status__in=ON_ROSTER))
        if len(children) != len(wanted):
            raise serializers.ValidationError({"children": [_("Choose children of this group.")]})
        note = day_note_add(actor=self.actor, group=group, children=children, **data)
        return Response(DayNoteSerializer(note).data, status=status.HTTP_201_CREATED)


class DayEventSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField()
    time = serializers.CharField()
    text = serializers.CharField()
    by = serializers.CharField(allow_blank=True)


class ChildDaySerializer(serializers.Serializer[Any]):
    enrolment = serializers.IntegerField()
    child_name = serializers.CharField()
    date = serializers.DateField()
    is_care_day = serializers.BooleanField()
    status = serializers.CharField()
    checked_in_at = serializers.DateTimeField(allow_null=True)
    checked_in_by = serializers.CharField(allow_blank=True)
    checked_out_at = serializers.DateTimeField(allow_null=True)
    collected_by = serializers.CharField(allow_blank=True)
    absence = serializers.CharField(allow_blank=True)
    health_checks = serializers.ListField(child=serializers.DictField())
    meals = serializers.ListField(child=serializers.DictField())
    notes = DayEventSerializer(many=True)


def _day_json(enrolment: Enrolment, day: Any, data: dict[str, Any]) -> dict[str, Any]:
    attendance, absence = data["attendance"], data["absence"]
    if attendance is not None:
        state = "in" if attendance.is_in else "out"
        by = attendance.kiosk.name if attendance.kiosk else str(attendance.checked_in_by or "")
    else:
        state, by = ("absent" if absence is not None else "not_arrived"), ""
    return {
        "enrolment": enrolment.pk,
        "child_name": enrolment.child.name,
        "date": day,
        "is_care_day": data["is_care_day"],
        "status": state,
        "checked_in_at": attendance.checked_in_at if attendance else None,
        "checked_in_by": by,
        "checked_out_at": attendance.checked_out_at if attendance else None,
        "collected_by": attendance.collected_by() if attendance else "",
        "absence": absence.get_reason_display() if absence else "",
        "health_checks": [
            {
                "round": c.round,
                "temperature": str(c.temperature),
                "flagged": c.flagged,
                "symptoms": list(c.symptoms),
                "admitted": c.override_at is not None,
            }
            for c in data["checks"]
        ],
        "meals": [
            {
                "kind": m.kind,
                "label": m.get_kind_display(),
                "dishes": [
                    {
                        "name": d.name,
                        "allergens": list(d.allergens),
                        "conflicts_with_health_note": d.pk in data["menu_conflicts"],
                    }
                    for d in m.dishes.all()
                ],
            }
            for m in data["todays_menu"]
        ],
        "notes": [
            {"kind": n.kind, "time": n.time.strftime("%H:%M"), "text": n.text, "by": str(n.author)}
            for n in data["notes"]
        ],
    }


class ChildTodayView(APIView):
    """The family's live view of the child's day (`id`: the child's place, the enrolment
    id, as on the page). Send the last ETag as If-None-Match: 304 when nothing changed."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        responses={200: ChildDaySerializer, 304: OpenApiResponse(description="Not modified")}
    )
    def get(self, request: Request, pk: int) -> Response:
        day = timezone.localdate()
        stamp = liveview_selectors.child_day_stamp(request.user.pk, pk, day)
        if stamp is None:
            raise Http404
        etag = liveview_selectors.day_etag(pk, day, stamp, request.LANGUAGE_CODE, "json")
        if liveview_selectors.etag_matches(request.headers.get("If-None-Match", ""), etag):
            return revalidated(Response(status=status.HTTP_304_NOT_MODIFIED), etag)  # type: ignore[return-value]
        actor = api_actor_of(request)
        enrolment = selectors.family_enrolment_for(actor, pk)
        data = liveview_selectors.child_day(actor, enrolment, day)
        return revalidated(Response(_day_json(enrolment, day, data)), etag)  # type: ignore[return-value]
