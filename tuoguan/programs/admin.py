"""Django admin for support staff; day-to-day work goes through the pages and services."""

from django.contrib import admin

from .models import (
    CalendarDay,
    CalendarYear,
    Criterion,
    Evidence,
    Group,
    Program,
    Standard,
    Term,
    TermStaff,
    Venue,
)


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "host", "type", "fee_policy", "is_active")
    list_filter = ("type", "fee_policy", "operator")
    search_fields = ("name", "host__name")
    raw_id_fields = ("host",)


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "owner", "indoor_area_m2", "fire_exits")
    search_fields = ("name", "address")
    raw_id_fields = ("owner",)


class GroupInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Group
    extra = 0


class TermStaffInline(admin.TabularInline):  # type: ignore[type-arg]
    model = TermStaff
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Term)
class TermAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "program", "start_date", "end_date", "capacity", "status")
    list_filter = ("status",)
    search_fields = ("name", "program__name")
    raw_id_fields = ("program", "venue", "province", "judged_standard", "decided_by")
    inlines = [GroupInline, TermStaffInline]


class CriterionInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Criterion
    extra = 0


@admin.register(Standard)
class StandardAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("title", "org", "version", "effective_from", "published")
    raw_id_fields = ("org",)
    inlines = [CriterionInline]


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("term", "criterion", "status", "created_at")
    list_filter = ("status",)
    raw_id_fields = ("term", "criterion", "uploaded_by", "reviewer")


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("year", "announced", "source")


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("date", "kind", "name", "source")
    list_filter = ("kind", "source")
