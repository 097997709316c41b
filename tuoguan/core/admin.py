from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Job, PeriodicRun


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    """Read-only: a job's row is written by the task that runs it (see core/jobs.py)."""

    list_display = ("title", "kind", "owner", "status", "done", "total", "created_at")
    list_filter = ("status", "kind")
    list_select_related = ("owner",)
    search_fields = ("title", "owner__username")
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PeriodicRun)
class PeriodicRunAdmin(admin.ModelAdmin):
    """Read-only: when each housekeeping job last ran and how it ended (core/housekeeping.py)."""

    list_display = ("name", "last_run_at", "last_error")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
