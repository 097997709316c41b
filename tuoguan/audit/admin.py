from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the log is append-only, and the admin is no exception."""

    list_display = (
        "at",
        "actor",
        "membership_label",
        "action",
        "model",
        "object_id",
        "object_repr",
        "ip",
    )
    list_filter = ("action", "model", "at")
    list_select_related = ("actor",)
    search_fields = ("object_id", "object_repr", "membership_label", "reason", "actor__username")
    date_hierarchy = "at"
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
