from typing import Any

from django import forms
from django.apps import apps
from django.utils.translation import gettext_lazy as _

from .labels import model_label
from .models import AuditEntry


def record_type_choices() -> list[tuple[str, Any]]:
    """Every model of the project's own apps, named in words; the log stores its label."""
    models = [
        m for m in apps.get_models() if m.__module__.startswith("tuoguan.") and m is not AuditEntry
    ]
    choices = sorted(((m._meta.label, model_label(m)) for m in models), key=lambda c: c[1])
    return [("", _("any")), *choices]


class AuditFilterForm(forms.Form):
    """The filters above the log. Every field is optional; an empty form shows everything."""

    action = forms.ChoiceField(
        label=_("Action"),
        required=False,
        choices=[("", _("any")), *AuditEntry.Action.choices],
    )
    record_type = forms.ChoiceField(label=_("Record type"), required=False)
    object_id = forms.CharField(label=_("Record id"), required=False, max_length=64)
    who = forms.CharField(
        label=_("Who (name or mobile)"),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(
        label=_("Reason contains"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["record_type"].choices = record_type_choices()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned
