from django.contrib import admin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from .models import Membership, Org


@admin.register(Org)
class OrgAdmin(TreeAdmin):
    form = movenodeform_factory(Org)
    list_display = ("name", "short_name", "level", "kind", "region_code", "is_active")
    list_filter = ("level", "kind", "is_active")
    search_fields = ("name", "short_name", "region_code")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "org", "role", "is_active", "created_at")
    list_filter = ("role", "is_active")
    search_fields = ("user__username", "user__real_name", "user__mobile", "org__name")
    list_select_related = ("user", "org")
    raw_id_fields = ("user", "org")
