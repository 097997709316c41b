"""API shapes of the union tree. Serializers check types; services judge the rules."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from tuoguan.core.api import ScopedPrimaryKeyField

from .models import Membership, Org, Role
from .selectors import orgs_visible_to, user_for_login
from .services import EDITABLE_FIELDS


class OrgSerializer(serializers.ModelSerializer):
    # `parent` shadows Field.parent for the type checker only; DRF pops declared fields.
    parent = serializers.IntegerField(  # type: ignore[assignment]
        source="parent_id", read_only=True, allow_null=True, help_text=_("Id of the union above")
    )
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    children_count = serializers.IntegerField(source="numchild", read_only=True)

    class Meta:
        model = Org
        fields = (
            "id",
            "parent",
            "level",
            "level_display",
            *EDITABLE_FIELDS,
            "is_active",
            "children_count",
        )
        read_only_fields = ("level", "is_active")


class OrgCreateSerializer(serializers.ModelSerializer):
    parent = ScopedPrimaryKeyField(  # type: ignore[assignment]
        orgs_visible_to, Org, help_text=_("Id of the union the new one sits directly below")
    )

    class Meta:
        model = Org
        fields = ("parent", *EDITABLE_FIELDS)


class OrgUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Org
        fields = EDITABLE_FIELDS


class OrgMoveSerializer(serializers.Serializer):
    parent = ScopedPrimaryKeyField(  # type: ignore[assignment]
        orgs_visible_to, Org, help_text=_("Id of the new parent union")
    )


class OrgActivationSerializer(serializers.Serializer):
    active = serializers.BooleanField(
        default=False,
        help_text=_("false (the default) deactivates the subtree; true reactivates the union"),
    )


class MembershipSerializer(serializers.ModelSerializer):
    user_real_name = serializers.CharField(source="user.real_name", read_only=True)
    user_mobile = serializers.CharField(source="user.mobile", read_only=True, allow_null=True)
    org_name = serializers.CharField(source="org.name", read_only=True)
    role_display = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = Membership
        fields = (
            "id",
            "user",
            "user_real_name",
            "user_mobile",
            "org",
            "org_name",
            "role",
            "role_display",
            "is_active",
        )
        read_only_fields = fields


class MembershipCreateSerializer(serializers.Serializer):
    org = ScopedPrimaryKeyField(
        orgs_visible_to, Org, help_text=_("Id of the union where the role is held")
    )
    login = serializers.CharField(
        max_length=150, help_text=_("Mobile number or username of an existing account")
    )
    role = serializers.ChoiceField(choices=Role.choices)

    def validate_login(self, value: str) -> Any:
        user = user_for_login(value)
        if user is None:
            raise serializers.ValidationError(
                _("No active account has this mobile number or username.")
            )
        return user
