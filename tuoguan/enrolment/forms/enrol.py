"""Forms of the enrolment pages: the parent's application, and the roster's filters and acts."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tuoguan.accounts.models import Child
from tuoguan.core.xlsx import XLSX_TYPE, XlsxUploadForm
from tuoguan.programs.models import Group, TargetGroup, Term

from ..models import EnrolmentStatus
from ..services.paperwork import PAPERWORK_ITEMS
from ..services.roster import ANY_MISSING, INACTIVE


class ChildChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class ApplyForm(forms.Form):
    """Which of the family's children apply, as siblings or not, and the priority declared."""

    form_token = forms.CharField(widget=forms.HiddenInput)
    children = ChildChoiceField(
        label=_("Children applying"),
        queryset=Child.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    keep_together = forms.BooleanField(
        label=_("Siblings together: admit them together or put them on the waitlist together"),
        required=False,
    )
    priority_groups = forms.MultipleChoiceField(
        label=_("Priority groups your family belongs to"),
        required=False,
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Declare only what is true: your union checks each declaration."),
    )

    def __init__(self, *args: Any, children: Any, term: Term, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["children"].queryset = children  # type: ignore[attr-defined]
        offered = [g for g in term.program.target_groups or [] if g != TargetGroup.ALL_MEMBERS]
        labels = dict(TargetGroup.choices)
        self.fields["priority_groups"].choices = [(g, labels.get(g, g)) for g in offered]  # type: ignore[attr-defined]
        if not offered:
            del self.fields["priority_groups"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        children = data.get("children")
        if data.get("keep_together") and children is not None and len(children) < 2:
            self.add_error(
                "keep_together", _("Choose at least two children to keep siblings together.")
            )
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (kept in the audit log and told to the family)"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DrawForm(forms.Form):
    seed = forms.CharField(
        label=_("Seed (optional)"),
        required=False,
        max_length=64,
        help_text=_("Leave empty for a random seed; it is published with the results."),
    )
    reason = forms.CharField(
        label=_("Reason for a re-draw"),
        required=False,
        max_length=500,
        help_text=_("Required when the term was drawn before; it is published."),
    )


def _status_choices() -> list[tuple[str, Any]]:
    return [
        ("", _("Active applications")),
        *[(value, label) for value, label in EnrolmentStatus.choices],
        (INACTIVE, _("Withdrawn, removed or lapsed")),
    ]


def _missing_choices() -> list[tuple[str, Any]]:
    return [
        ("", _("Any paperwork state")),
        (ANY_MISSING, _("Something missing")),
        *[
            (key, _("Missing: %(item)s") % {"item": label})
            for key, label in PAPERWORK_ITEMS.items()
        ],
    ]


class RosterFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=_status_choices)
    missing = forms.ChoiceField(label=_("Paperwork"), required=False, choices=_missing_choices)
    group = forms.ModelChoiceField(
        label=_("Group"),
        required=False,
        queryset=Group.objects.none(),
        empty_label=_("All groups"),
    )

    def __init__(self, *args: Any, term: Term, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = term.groups.order_by("pk")  # type: ignore[attr-defined]

    def filters(self) -> dict[str, Any]:
        """Valid filters only: an unknown value is ignored rather than showing an error page."""
        if not self.is_valid():
            return {"status": "", "group": None, "missing": ""}
        data = self.cleaned_data
        return {
            "status": data.get("status") or "",
            "group": data.get("group"),
            "missing": data.get("missing") or "",
        }


class RosterImportForm(XlsxUploadForm):
    file = forms.FileField(
        label=_("Applications file (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,{XLSX_TYPE}"}),
    )
