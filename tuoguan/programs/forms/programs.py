"""Forms of classes (托管班), venues (场地), photos and the class list's filters."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tuoguan.core.files import UploadField
from tuoguan.orgs.models import Org

from ..compliance import Verdict
from ..models import Program, ProgramType, TargetGroup, TermStatus, Venue
from ..services.programs import PROGRAM_FIELDS, VENUE_FIELDS
from .base import DATE, ServiceForm


class OrgChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.get_level_display()})"


class ProgramForm(ServiceForm):
    """Create or edit a class. On create the host union is chosen among those one manages."""

    target_groups = forms.MultipleChoiceField(
        label=_("Target groups"),
        choices=TargetGroup.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Program
        fields = PROGRAM_FIELDS
        widgets = {
            "contract_start": DATE,
            "contract_end": DATE,
            "contact_phone": forms.TextInput(attrs={"type": "tel"}),
            "featured_content": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 4}),
            "risk_notice": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "is_active": _("Untick when the class no longer runs; its terms and records stay."),
            "provider_name": _("Only when services are bought from a provider."),
            "fee_amount": _("Per child and term; only when families pay."),
            "risk_notice": _("Guardians acknowledge it when they enrol."),
        }

    def __init__(self, *args: Any, hosts: QuerySet[Org] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if hosts is not None:
            self.fields = {
                "host": OrgChoiceField(label=_("Host union"), queryset=hosts),
                **self.fields,
            }

    def service_fields(self) -> dict[str, Any]:
        fields = super().service_fields()
        fields.pop("host", None)
        return fields


class VenueForm(ServiceForm):
    class Meta:
        model = Venue
        fields = VENUE_FIELDS
        widgets = {
            "fire_cert_expires": DATE,
            "building_cert_expires": DATE,
            "food_cert_expires": DATE,
            "facilities": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, owners: QuerySet[Org] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if owners is not None:
            self.fields = {
                "owner": OrgChoiceField(label=_("Owner union"), queryset=owners),
                **self.fields,
            }

    def service_fields(self) -> dict[str, Any]:
        fields = super().service_fields()
        fields.pop("owner", None)
        return fields


class PhotoForm(forms.Form):
    # The shared upload check (core/files.py); the service re-encodes the image.
    image = UploadField(
        images_only=True,
        label=_("Photo"),
        help_text=_("JPEG or PNG, at most 5 MB. Location data is removed."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )
    caption = forms.CharField(label=_("Caption"), max_length=120, required=False)


class ProgramFilterForm(forms.Form):
    """Filters of the class list; every choice stays inside what the actor sees."""

    type = forms.ChoiceField(
        label=_("Type"), choices=[("", _("All types")), *ProgramType.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Term status"),
        choices=[("", _("Any status")), *TermStatus.choices],
        required=False,
    )
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
    region = forms.RegexField(
        label=_("Region code starts with"),
        regex=r"^\d{2,6}$",
        required=False,
        error_messages={"invalid": _("Two to six digits of a region code, e.g. 2102.")},
    )
    org = OrgChoiceField(
        label=_("Within union"),
        queryset=Org.objects.none(),
        required=False,
        empty_label=_("All my unions"),
    )

    def __init__(self, *args: Any, orgs: QuerySet[Org], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]

    def filters(self) -> dict[str, Any]:
        if not self.is_bound or not self.is_valid():
            return {}
        return {name: value for name, value in self.cleaned_data.items() if value}


class ComplianceFilterForm(forms.Form):
    """Filters of the subtree's non-compliant and pending terms."""

    type = forms.ChoiceField(
        label=_("Type"),
        choices=[("", _("All types")), *ProgramType.choices],
        required=False,
    )
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
    verdict = forms.ChoiceField(
        label=_("Verdict"),
        choices=[
            ("", _("Non-compliant and pending")),
            (Verdict.NON_COMPLIANT, Verdict.NON_COMPLIANT.label),
            (Verdict.PENDING, Verdict.PENDING.label),
        ],
        required=False,
    )
