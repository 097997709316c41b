from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from .models import Level, Org, Role
from .selectors import user_for_login
from .services import EDITABLE_FIELDS


class OrgForm(forms.ModelForm):
    """Create or edit a union. The kind of unit is asked (and required) only at grassroots."""

    class Meta:
        model = Org
        fields = EDITABLE_FIELDS
        widgets = {
            "region_code": forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 6}),
            "contact_phone": forms.TextInput(attrs={"type": "tel"}),
        }
        help_texts = {
            "region_code": _("Six digits, e.g. 210202."),
        }

    def __init__(self, *args: Any, level: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The model's clean() judges `kind` by the level, which the form never edits.
        self.instance.level = level
        if level == Level.GRASSROOTS:
            self.fields["kind"].required = True
        else:
            del self.fields["kind"]

    def service_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.fields}


class OrgChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.get_level_display()}, {obj.region_code})"


class MoveForm(forms.Form):
    parent: "OrgChoiceField" = OrgChoiceField(
        label=_("New parent union"),
        queryset=Org.objects.none(),
        help_text=_("Only active unions of a higher level in your scope are listed."),
    )

    def __init__(self, *args: Any, candidates: QuerySet[Org], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(OrgChoiceField, self.fields["parent"]).queryset = candidates


class ActivationForm(forms.Form):
    ACTIONS = [("deactivate", _("Deactivate")), ("reactivate", _("Reactivate"))]
    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS, initial="deactivate")


class MembershipForm(forms.Form):
    login = forms.CharField(
        label=_("Mobile number or username"),
        max_length=150,
        help_text=_("The person must already have an account."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def clean_login(self) -> Any:
        user = user_for_login(self.cleaned_data["login"])
        if user is None:
            raise ValidationError(
                _("No active account has this mobile number or username."), code="unknown"
            )
        return user


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search unions"), max_length=100, required=False)
