from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Delivery, Notification


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    fields = ("channel", "status", "attempts", "last_error", "sent_at", "updated_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """View only: sending goes through `notify()`, which plans the deliveries."""

    list_display = ("subject", "recipient", "created_at", "read_at")
    list_filter = ("created_at", ("read_at", admin.EmptyFieldListFilter))
    list_select_related = ("recipient",)
    search_fields = ("subject", "recipient__username", "recipient__real_name")
    date_hierarchy = "created_at"
    inlines = [DeliveryInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """Read-only: the delivery log records what happened."""

    list_display = ("notification", "channel", "status", "attempts", "last_error", "updated_at")
    list_filter = ("channel", "status")
    list_select_related = ("notification",)
    search_fields = ("notification__subject", "last_error")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
