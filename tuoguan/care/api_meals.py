"""API twins of the meal pages: menus (a dish posted into a day's meal), food samples and
suppliers; the same selectors and services, the same scoping (outside → 404)."""

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from tuoguan.core.api import id_param
from tuoguan.core.files import UploadSerializerField
from tuoguan.orgs.api import ScopedViewSet
from tuoguan.orgs.permissions import require

from . import meal_selectors as meals
from . import services
from .models import Allergen, Dish, FoodSample, Meal, MealKind, Supplier
from .permissions import can_manage_kiosks


class DishSerializer(serializers.ModelSerializer[Dish]):
    class Meta:
        model = Dish
        fields = ["id", "name", "ingredients", "allergens", "supplier"]
        read_only_fields = fields


class MealSerializer(serializers.ModelSerializer[Meal]):
    dishes = DishSerializer(many=True, read_only=True)

    class Meta:
        model = Meal
        fields = ["id", "term", "date", "kind", "dishes"]
        read_only_fields = fields


class DishCreateSerializer(serializers.Serializer[Any]):
    term = serializers.IntegerField()
    date = serializers.DateField()
    kind = serializers.ChoiceField(choices=MealKind.choices)
    name = serializers.CharField(max_length=80)
    ingredients = serializers.CharField(max_length=300, required=False, allow_blank=True)
    allergens = serializers.ListField(
        child=serializers.ChoiceField(choices=Allergen.choices),
        required=False,
        default=list,
        max_length=14,
    )
    supplier = serializers.IntegerField(required=False, allow_null=True, default=None)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("term", int, description="Only this term"),
            OpenApiParameter("date", str, description="Only this day (YYYY-MM-DD)"),
        ]
    ),
    create=extend_schema(request=DishCreateSerializer, responses={201: MealSerializer}),
)
class MealViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Meals and snacks of the terms one works for, with their dishes; POST adds a dish."""

    queryset = Meal.objects.none()
    serializer_class = MealSerializer

    def get_queryset(self) -> QuerySet[Meal]:
        if self.is_schema:
            return Meal.objects.none()
        queryset = meals.meals_visible_to(self.actor)
        if self.action == "list":
            term = id_param(self.request, "term")
            if term is not None:
                queryset = queryset.filter(term_id=term)
            day = self.request.query_params.get("date")
            if day:
                try:
                    queryset = queryset.filter(date=serializers.DateField().to_internal_value(day))
                except serializers.ValidationError:
                    queryset = queryset.none()
        return queryset

    def create(self, request: Request, **kwargs: Any) -> Response:
        payload = DishCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        term = meals.term_for_meals(self.actor, data.pop("term"))
        supplier_id = data.pop("supplier")
        supplier = Supplier.objects.filter(pk=supplier_id, program=term.program).first()
        if supplier_id and supplier is None:
            raise serializers.ValidationError({"supplier": [_("Choose a supplier of this class.")]})
        dish = services.dish_add(actor=self.actor, term=term, supplier=supplier, **data)
        meal = self.get_queryset().get(pk=dish.meal_id)
        return Response(MealSerializer(meal).data, status=status.HTTP_201_CREATED)


class FoodSampleSerializer(serializers.ModelSerializer[FoodSample]):
    discarded_early = serializers.BooleanField(read_only=True)

    class Meta:
        model = FoodSample
        fields = [
            "id", "dish", "grams", "temperature", "kept_at", "kept_by", "discarded_at",
            "discarded_by", "discarded_early",
        ]  # fmt: skip
        read_only_fields = fields


class FoodSampleCreateSerializer(serializers.Serializer[Any]):
    dish = serializers.IntegerField()
    grams = serializers.IntegerField(min_value=0, max_value=5000)
    temperature = serializers.DecimalField(max_digits=4, decimal_places=1)


@extend_schema_view(
    list=extend_schema(parameters=[OpenApiParameter("term", int, description="Only this term")]),
    create=extend_schema(request=FoodSampleCreateSerializer, responses={201: FoodSampleSerializer}),
)
class FoodSampleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Food samples kept (留样) of the dishes of the terms one works for."""

    queryset = FoodSample.objects.none()
    serializer_class = FoodSampleSerializer

    def get_queryset(self) -> QuerySet[FoodSample]:
        if self.is_schema:
            return FoodSample.objects.none()
        queryset = meals.samples_visible_to(self.actor)
        term = id_param(self.request, "term") if self.action == "list" else None
        if term is not None:
            queryset = queryset.filter(dish__meal__term_id=term)
        return queryset

    def create(self, request: Request, **kwargs: Any) -> Response:
        payload = FoodSampleCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        dish = meals.dish_for(self.actor, data.pop("dish"))
        sample = services.food_sample_keep(actor=self.actor, dish=dish, **data)
        return Response(FoodSampleSerializer(sample).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=FoodSampleSerializer)
    @action(detail=True, methods=["post"])
    def discard(self, request: Request, pk: Any = None, **kwargs: Any) -> Response:
        """Record that the sample was discarded, now (flagged if before 48 hours)."""
        sample = services.food_sample_discard(actor=self.actor, sample=self.get_object())
        return Response(FoodSampleSerializer(sample).data)


class SupplierSerializer(serializers.ModelSerializer[Supplier]):
    licence_expired = serializers.SerializerMethodField()

    class Meta:
        model = Supplier
        fields = ["id", "program", "name", "licence_number", "licence_expires", "licence_expired"]
        read_only_fields = fields

    def get_licence_expired(self, supplier: Supplier) -> bool:
        return supplier.expired_on(timezone.localdate())


class SupplierCreateSerializer(serializers.Serializer[Any]):
    program = serializers.IntegerField()
    name = serializers.CharField(max_length=120)
    licence_number = serializers.CharField(max_length=60)
    licence_expires = serializers.DateField()
    licence_document = UploadSerializerField(required=False, allow_null=True, default=None)


@extend_schema_view(
    create=extend_schema(request=SupplierCreateSerializer, responses={201: SupplierSerializer})
)
class SupplierViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Food suppliers of the classes one works for, with their licences' expiry."""

    queryset = Supplier.objects.none()
    serializer_class = SupplierSerializer

    def get_queryset(self) -> QuerySet[Supplier]:
        if self.is_schema:
            return Supplier.objects.none()
        return meals.suppliers_visible_to(self.actor)

    def create(self, request: Request, **kwargs: Any) -> Response:
        payload = SupplierCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        program = meals.program_for_suppliers(self.actor, data.pop("program"))
        require(can_manage_kiosks(self.actor, program))
        supplier = services.supplier_save(actor=self.actor, program=program, **data)
        return Response(SupplierSerializer(supplier).data, status=status.HTTP_201_CREATED)
