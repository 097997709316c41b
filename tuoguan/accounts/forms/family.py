"""Forms of the parent's family pages: a child's record, separate consent, staff's reason."""

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuoguan.accounts.models import Grade, Relationship, Sex, id_number_validator
from tuoguan.accounts.services import CHILD_FIELDS, CHILD_VIEW_REASON_MAX, CHILD_VIEW_REASON_MIN


class ChildForm(forms.Form):
    """Only what the programme needs about a child (PIPL Art. 6, minimum collection)."""

    name = forms.CharField(label=_("Child's name"), max_length=60)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, widget=forms.RadioSelect)
    birth_date = forms.DateField(
        label=_("Birth date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    school = forms.CharField(label=_("School"), max_length=120, required=False)
    # A blank first choice, so that nobody submits "not at school yet" or "mother" by default.
    grade = forms.TypedChoiceField(
        label=_("Grade"), choices=[("", "---------"), *Grade.choices], coerce=int
    )
    relationship = forms.ChoiceField(
        label=_("Your relationship to the child"),
        choices=[("", "---------"), *Relationship.choices],
    )
    id_number = forms.CharField(
        label=_("Resident ID number (optional)"),
        required=False,
        max_length=18,
        validators=[id_number_validator],
        help_text=_("18 characters. Stored encrypted and shown masked; insurers need it."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Enter the child's name."))
        return name

    def clean_birth_date(self) -> Any:
        birth_date = self.cleaned_data["birth_date"]
        if birth_date > timezone.localdate():
            raise forms.ValidationError(_("The birth date cannot be in the future."))
        return birth_date

    def clean_id_number(self) -> str:
        return str(self.cleaned_data.get("id_number") or "").strip().upper()

    def child_fields(self) -> dict[str, Any]:
        """Cleaned values for `child_create`/`child_update` (without ID number and consent)."""
        return {name: self.cleaned_data[name] for name in CHILD_FIELDS}


def consent_field() -> forms.BooleanField:
    """The separate consent box (PIPL Art. 29, 31): never pre-ticked, never bundled."""
    return forms.BooleanField(
        label=_(
            "I am this child's guardian and I consent to the processing of the child's "
            "personal information under the policy above."
        ),
        error_messages={
            "required": _("Your separate consent is needed before we can keep a child's data.")
        },
    )


class ChildAddForm(ChildForm):
    """Adding a child: the record plus the separate consent, in one form but its own box."""

    consent = consent_field()


class ChildEditForm(ChildForm):
    clear_id_number = forms.BooleanField(label=_("Remove the stored ID number"), required=False)

    def __init__(self, *args: Any, masked_id: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if masked_id:
            self.fields["id_number"].help_text = _(
                "Stored: %(masked)s. Leave empty to keep it, or type a new one."
            ) % {"masked": masked_id}
        else:
            del self.fields["clear_id_number"]

    def id_number_change(self) -> str | None:
        """None keeps the stored number, '' removes it, anything else replaces it."""
        if self.cleaned_data.get("clear_id_number"):
            return ""
        return self.cleaned_data.get("id_number") or None


class ConsentForm(forms.Form):
    consent = consent_field()


class ReasonForm(forms.Form):
    """Staff say why they open a child's record; the reason goes to the audit log."""

    reason = forms.CharField(
        label=_("Why do you need this record?"),
        min_length=CHILD_VIEW_REASON_MIN,
        max_length=CHILD_VIEW_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: checking the pickup persons for today's class."),
    )
