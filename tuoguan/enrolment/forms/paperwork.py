"""Forms of the paperwork pages: agreement, insurance, pickups, health note, risk notice.

The services check the rules (name typed, consent, cover dates, mobile number) and raise
errors by field; the forms only parse, so the page and the API refuse the same input with
the same words.
"""

from typing import Any

from django import forms
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from tuoguan.core.files import UploadField
from tuoguan.core.xlsx import XLSX_TYPE, XlsxUploadForm

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PHOTO_ACCEPT = "image/jpeg,image/png,image/webp"


class AgreementSignForm(forms.Form):
    signer_name = forms.CharField(
        label=_("Your real name"),
        max_length=60,
        help_text=_("Type your name as registered: it is your signature."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    # Not required here: the service refuses a missing tick with its own message.
    consent = forms.BooleanField(
        label=_("I have read the agreement above and I agree to it."), required=False
    )


class AgreementTemplateForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 24}),
        help_text=_(
            "Placeholders filled from the term: {child} {guardian} {program} {term} {start} "
            "{end} {hours} {host} {venue} {fee}"
        ),
    )
    effective_from = forms.DateField(
        label=_("Takes effect on"),
        widget=DATE_WIDGET,
        help_text=_(
            "Families of terms starting on or after this date are asked to sign the new version."
        ),
    )


class InsuranceForm(forms.Form):
    insurer = forms.CharField(label=_("Insurance company"), max_length=120)
    policy_number = forms.CharField(label=_("Policy number"), max_length=60)
    starts_on = forms.DateField(label=_("Cover starts"), widget=DATE_WIDGET)
    ends_on = forms.DateField(label=_("Cover ends"), widget=DATE_WIDGET)
    photo = UploadField(
        images_only=True,
        allow_webp=True,
        label=_("Photo of the policy"),
        required=False,
        help_text=_("JPEG, PNG or WebP, at most 5 MB. Location data in the photo is removed."),
        widget=forms.ClearableFileInput(attrs={"accept": PHOTO_ACCEPT}),
    )


class PickupForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=60)
    relation = forms.CharField(
        label=_("Relation to the child"),
        max_length=30,
        help_text=_("For example: grandmother, uncle, neighbour."),
    )
    mobile = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "numeric"}),
    )
    photo = UploadField(
        images_only=True,
        allow_webp=True,
        label=_("Photo (optional)"),
        required=False,
        help_text=_("Helps the caregivers recognise the person at the gate. At most 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": PHOTO_ACCEPT}),
    )
    remove_photo = forms.BooleanField(label=_("Remove the current photo"), required=False)

    def __init__(self, *args: Any, has_photo: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not has_photo:
            del self.fields["remove_photo"]


class HealthNoteForm(forms.Form):
    allergies = forms.CharField(
        label=_("Allergies"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Food, medicine, insects… Leave empty if none."),
    )
    conditions = forms.CharField(
        label=_("Conditions"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Asthma, epilepsy, heart conditions… Leave empty if none."),
    )
    medication = forms.CharField(
        label=_("Medication"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Name, dose and time of any medicine taken during care hours."),
    )
    declared = forms.BooleanField(
        label=_("I declare that this health note is true and complete."), required=False
    )


class RiskAckForm(forms.Form):
    acknowledged = forms.BooleanField(
        label=_("I have read the risk notice and I understand it."),
        error_messages={"required": _("Tick the box to acknowledge the risk notice.")},
    )


class InsuranceImportForm(XlsxUploadForm):
    insurer = forms.CharField(label=_("Insurance company"), max_length=120)
    file = forms.FileField(
        label=_("The insurer's roster (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,{XLSX_TYPE}"}),
    )
    # The content decides, not the name: a renamed .xls or .csv is refused too.
    content_decides = True

    field_order = ("insurer", "file")

    def too_large_message(self) -> str:
        return gettext("The file is larger than %(limit)s; split the roster into several files.")
