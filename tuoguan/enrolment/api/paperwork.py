"""API twin of the paperwork pages; both call the same services.

* `GET enrolments/{id}/paperwork/` — the checklist (family or roster staff).
* `GET|POST enrolments/{id}/agreement/` — the governing text; the guardian signs.
* `GET agreements/{id}/pdf/` — the signed agreement as a PDF.
* `GET|PUT enrolments/{id}/health/` — the guardian's note; caregivers read during the term.
* `GET|POST enrolments/{id}/risk-notice/` — the notice; the guardian acknowledges it.
* `GET|POST children/{id}/insurance/` — a child's covers; the guardian adds one.
* `pickups/` — the guardian's pickup persons (DELETE deactivates).
"""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tuoguan.audit.middleware import client_ip
from tuoguan.audit.services import audit_view
from tuoguan.core.files import UploadSerializerField
from tuoguan.core.parsers import JSONParser
from tuoguan.orgs.api import ScopedViewSet
from tuoguan.orgs.kit import ActorApiRequest, api_actor_of
from tuoguan.orgs.permissions import can_change_child, require

from .. import selectors
from ..models import Agreement, Enrolment, Insurance, Pickup
from ..pdf import agreement_pdf, agreement_pdf_filename
from ..permissions import is_family
from ..services import agreements, health, insurance, paperwork, pickups


def _enrolment(request: ActorApiRequest, pk: Any) -> Enrolment:
    return selectors.enrolment_for_paperwork(request.actor, pk)


def _family_enrolment(request: ActorApiRequest, pk: Any) -> Enrolment:
    enrolment = _enrolment(request, pk)
    require(is_family(request.actor, enrolment))
    return enrolment


# --- Serializers ------------------------------------------------------------------------------


class PaperworkItemSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.label
    done = serializers.BooleanField()
    detail = serializers.CharField()
    url = serializers.CharField()
    changeable = serializers.BooleanField(help_text="The family may still change this done item")
    accept_url = serializers.CharField(help_text="Staff: POST here to accept the insurance cover")


class PaperworkChecklistSerializer(serializers.Serializer[Any]):
    enrolment = serializers.IntegerField()
    status = serializers.CharField()
    complete = serializers.BooleanField()
    items = PaperworkItemSerializer(many=True)


class AgreementSerializer(serializers.ModelSerializer[Agreement]):
    version = serializers.IntegerField(source="template.version", read_only=True)
    title = serializers.CharField(source="template.title", read_only=True)

    class Meta:
        model = Agreement
        fields = ("id", "enrolment", "version", "title", "signer_name", "signed_at", "text")


class AgreementSignSerializer(serializers.Serializer[Any]):
    signer_name = serializers.CharField(max_length=60, allow_blank=True)
    consent = serializers.BooleanField()


class AgreementTextSerializer(serializers.Serializer[Any]):
    title = serializers.CharField()
    version = serializers.IntegerField()
    union = serializers.CharField()
    language = serializers.CharField(help_text="The language of the legal text (zh-hans)")
    text = serializers.CharField()
    consent = serializers.CharField(help_text="The sentence the guardian agrees to by signing")
    signed = AgreementSerializer(allow_null=True)


class HealthNoteSerializer(serializers.Serializer[Any]):
    allergies = serializers.CharField(allow_blank=True, max_length=2000, required=False, default="")
    conditions = serializers.CharField(
        allow_blank=True, max_length=2000, required=False, default=""
    )
    medication = serializers.CharField(
        allow_blank=True, max_length=2000, required=False, default=""
    )
    declared = serializers.BooleanField()
    declared_at = serializers.DateTimeField(read_only=True)


class RiskNoticeSerializer(serializers.Serializer[Any]):
    notice = serializers.CharField()
    acknowledged = serializers.BooleanField()


class InsuranceSerializer(serializers.ModelSerializer[Insurance]):
    photo = UploadSerializerField(
        images_only=True, allow_webp=True, write_only=True, required=False, allow_null=True
    )
    has_photo = serializers.SerializerMethodField()
    changeable = serializers.BooleanField(source="is_changeable", read_only=True)

    class Meta:
        model = Insurance
        fields = (
            "id",
            "insurer",
            "policy_number",
            "starts_on",
            "ends_on",
            "source",
            "photo",
            "has_photo",
            "accepted_at",
            "changeable",
        )
        read_only_fields = ("source", "accepted_at")
        # The service checks lengths and dates and answers by field.
        extra_kwargs: dict[str, dict[str, Any]] = {
            "insurer": {"validators": []},
            "policy_number": {"validators": []},
        }

    def get_has_photo(self, cover: Insurance) -> bool:
        return bool(cover.photo)


class PickupSerializer(serializers.ModelSerializer[Pickup]):
    child = serializers.IntegerField(source="child_id")
    mobile = serializers.CharField(max_length=20)
    photo = UploadSerializerField(
        images_only=True, allow_webp=True, write_only=True, required=False, allow_null=True
    )
    remove_photo = serializers.BooleanField(write_only=True, required=False, default=False)
    has_photo = serializers.SerializerMethodField()

    class Meta:
        model = Pickup
        fields = (
            "id",
            "child",
            "name",
            "relation",
            "mobile",
            "is_active",
            "photo",
            "remove_photo",
            "has_photo",
        )
        read_only_fields = ("is_active",)

    def get_has_photo(self, pickup: Pickup) -> bool:
        return bool(pickup.photo)


# --- Views ----------------------------------------------------------------------------------


class PaperworkView(APIView):
    @extend_schema(responses=PaperworkChecklistSerializer)
    def get(self, request: ActorApiRequest, pk: int) -> Response:
        enrolment = _enrolment(request, pk)
        staff = not is_family(request.actor, enrolment)
        items = paperwork.paperwork_checklist(enrolment, staff=staff, actor=request.actor)
        data = {
            "enrolment": enrolment.pk,
            "status": enrolment.status,
            "complete": all(item.done for item in items),
            "items": [item.__dict__ for item in items],
        }
        return Response(PaperworkChecklistSerializer(data).data)


class AgreementView(APIView):
    @extend_schema(responses=AgreementTextSerializer)
    def get(self, request: ActorApiRequest, pk: int) -> Response:
        enrolment = _family_enrolment(request, pk)
        template = agreements.template_for_enrolment(enrolment)
        if template is None:
            return Response(status=status.HTTP_404_NOT_FOUND)
        signed = agreements.agreement_current(enrolment)
        if signed is not None:
            legal = agreements.signed_legal_text(signed)
        else:
            legal = agreements.legal_text(template, enrolment)
        data = {
            "title": legal.title,
            "version": template.version,
            "union": str(template.org),
            "language": agreements.CONTRACT_LANGUAGE,
            "text": legal.body,
            "consent": legal.consent,
            "signed": AgreementSerializer(signed).data if signed else None,
        }
        return Response(data)

    @extend_schema(request=AgreementSignSerializer, responses={201: AgreementSerializer})
    def post(self, request: ActorApiRequest, pk: int) -> Response:
        enrolment = _family_enrolment(request, pk)
        serializer = AgreementSignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        agreement = agreements.agreement_sign(
            actor=request.actor,
            enrolment=enrolment,
            ip=client_ip(request._request),
            **serializer.validated_data,
        )
        return Response(AgreementSerializer(agreement).data, status=status.HTTP_201_CREATED)


class AgreementPdfView(APIView):
    @extend_schema(responses={(200, "application/pdf"): bytes})
    def get(self, request: ActorApiRequest, pk: int) -> HttpResponse:
        actor = request.actor
        agreement = selectors.agreement_for(actor, pk)
        if not is_family(actor, agreement.enrolment):
            audit_view(instance=agreement, reason=_("signed agreement downloaded"))
        response = HttpResponse(agreement_pdf(agreement), content_type="application/pdf")
        filename = agreement_pdf_filename(agreement)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class HealthNoteView(APIView):
    @extend_schema(responses=HealthNoteSerializer)
    def get(self, request: ActorApiRequest, pk: int) -> Response:
        enrolment = selectors.enrolment_for_health(request.actor, pk)
        note = health.health_note_read(actor=request.actor, enrolment=enrolment)
        if note is None:
            return Response(status=status.HTTP_404_NOT_FOUND)
        return Response(HealthNoteSerializer(note).data)

    @extend_schema(request=HealthNoteSerializer, responses=HealthNoteSerializer)
    def put(self, request: ActorApiRequest, pk: int) -> Response:
        enrolment = _family_enrolment(request, pk)
        serializer = HealthNoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        note = health.health_note_save(
            actor=request.actor, enrolment=enrolment, **serializer.validated_data
        )
        return Response(HealthNoteSerializer(note).data)


class RiskNoticeView(APIView):
    @extend_schema(responses=RiskNoticeSerializer)
    def get(self, request: ActorApiRequest, pk: int) -> Response:
        enrolment = _family_enrolment(request, pk)
        data = {
            "notice": (enrolment.term.program.risk_notice or "").strip(),
            "acknowledged": paperwork.risk_notice_acknowledged(enrolment),
        }
        return Response(RiskNoticeSerializer(data).data)

    @extend_schema(request=None, responses=RiskNoticeSerializer)
    def post(self, request: ActorApiRequest, pk: int) -> Response:
        enrolment = _family_enrolment(request, pk)
        paperwork.risk_notice_acknowledge(actor=request.actor, enrolment=enrolment)
        data = {"notice": (enrolment.term.program.risk_notice or "").strip(), "acknowledged": True}
        return Response(RiskNoticeSerializer(data).data, status=status.HTTP_201_CREATED)


class ChildInsuranceView(APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(responses=InsuranceSerializer(many=True))
    def get(self, request: ActorApiRequest, child_pk: int) -> Response:
        child = selectors.paperwork_child_for(request.actor, child_pk)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(insurance.insurances_of(child), request, view=self)
        return paginator.get_paginated_response(InsuranceSerializer(page, many=True).data)

    @extend_schema(request=InsuranceSerializer, responses={201: InsuranceSerializer})
    def post(self, request: ActorApiRequest, child_pk: int) -> Response:
        child = selectors.paperwork_child_for(request.actor, child_pk)
        require(can_change_child(request.actor, child))
        serializer = InsuranceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cover = insurance.insurance_add(
            actor=request.actor, child=child, **serializer.validated_data
        )
        return Response(InsuranceSerializer(cover).data, status=status.HTTP_201_CREATED)


class InsuranceView(APIView):
    """One cover: the family corrects (PATCH) or withdraws (DELETE) a cover it entered, until
    the class has accepted it."""

    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def _family_cover(self, request: Request, pk: int) -> Insurance:
        cover = selectors.insurance_for(api_actor_of(request), pk)
        require(can_change_child(api_actor_of(request), cover.child))
        return cover

    @extend_schema(responses=InsuranceSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(
            InsuranceSerializer(selectors.insurance_for(api_actor_of(request), pk)).data
        )

    @extend_schema(request=InsuranceSerializer, responses=InsuranceSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        cover = self._family_cover(request, pk)
        serializer = InsuranceSerializer(cover, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        fields = {
            name: serializer.validated_data.get(name, getattr(cover, name))
            for name in ("insurer", "policy_number", "starts_on", "ends_on")
        }
        cover = insurance.insurance_update(
            actor=api_actor_of(request),
            cover=cover,
            photo=serializer.validated_data.get("photo"),
            **fields,
        )
        return Response(InsuranceSerializer(cover).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        insurance.insurance_withdraw(
            actor=api_actor_of(request), cover=self._family_cover(request, pk)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class InsuranceAcceptView(APIView):
    """The class manager has checked the policy: the cover is settled."""

    @extend_schema(request=None, responses=InsuranceSerializer)
    def post(self, request: Request, pk: int) -> Response:
        cover = selectors.insurance_for(api_actor_of(request), pk)
        cover = insurance.insurance_accept(actor=api_actor_of(request), cover=cover)
        return Response(InsuranceSerializer(cover).data)


class PickupViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    ScopedViewSet[Pickup],
):
    """Pickup persons of the children the actor may see; only the guardian changes them."""

    serializer_class = PickupSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    http_method_names = ["get", "post", "patch", "put", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Pickup]:
        """The list: the family's active pickup persons, or one visible child's (`?child=`)."""
        if self.is_schema:
            return Pickup.objects.none()
        actor = self.actor
        child = self.request.query_params.get("child")
        if child is not None:
            # Someone else's child, or a malformed id, is a 404 as on the pages.
            return pickups.pickups_of(selectors.paperwork_child_for(actor, child))
        return Pickup.objects.filter(child__guardian__user=actor.user, is_active=True).order_by(
            "child_id", "pk"
        )

    def get_object(self) -> Pickup:
        return selectors.pickup_for(self.actor, self.kwargs.get("pk"))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        child = selectors.paperwork_child_for(self.actor, data.pop("child_id"))
        data.pop("remove_photo", None)
        pickup = pickups.pickup_add(actor=self.actor, child=child, **data)
        return Response(PickupSerializer(pickup).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        pickup = self.get_object()
        partial = kwargs.get("partial", False)
        serializer = self.get_serializer(pickup, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("child_id", None)  # a person is not moved to another child
        fields = {
            "name": data.get("name", pickup.name),
            "relation": data.get("relation", pickup.relation),
            "mobile": data.get("mobile", pickup.mobile),
            "photo": data.get("photo"),
            "remove_photo": data.get("remove_photo", False),
        }
        pickup = pickups.pickup_update(actor=self.actor, pickup=pickup, **fields)
        return Response(PickupSerializer(pickup).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        pickups.pickup_deactivate(actor=self.actor, pickup=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


urlpatterns: list[URLPattern] = [
    path("enrolments/<int:pk>/paperwork/", PaperworkView.as_view(), name="enrolment-paperwork"),
    path("enrolments/<int:pk>/agreement/", AgreementView.as_view(), name="enrolment-agreement"),
    path("enrolments/<int:pk>/health/", HealthNoteView.as_view(), name="enrolment-health"),
    path(
        "enrolments/<int:pk>/risk-notice/", RiskNoticeView.as_view(), name="enrolment-risk-notice"
    ),
    path("agreements/<int:pk>/pdf/", AgreementPdfView.as_view(), name="agreement-pdf"),
    path(
        "children/<int:child_pk>/insurance/", ChildInsuranceView.as_view(), name="child-insurance"
    ),
    path("insurance/<int:pk>/", InsuranceView.as_view(), name="insurance-detail"),
    path("insurance/<int:pk>/accept/", InsuranceAcceptView.as_view(), name="insurance-accept"),
]
