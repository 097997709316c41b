"""Forms of construction standards, their criteria, evidence, and the work calendar."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tuoguan.core.files import UploadField

from ..models import HEALTH_SYMPTOMS, CalendarDay, Criterion, ProgramType, Standard
from ..models.standard import CERTIFICATE_LABELS
from ..services.standards import CRITERION_FIELDS
from .base import DATE, ServiceForm


class StandardForm(ServiceForm):
    health_symptoms = forms.MultipleChoiceField(
        label=_("Symptoms the morning health check asks"),
        choices=list(HEALTH_SYMPTOMS.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Every class this standard judges asks these; a class may ask more."),
    )

    class Meta:
        model = Standard
        fields = ["title", "effective_from", "health_symptoms"]
        widgets = {"effective_from": DATE}
        help_texts = {
            "effective_from": _("Terms starting on or after this day are judged by it."),
        }


class NewVersionForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("Empty: keep the title of the version copied."),
    )
    effective_from = forms.DateField(label=_("In force from"), widget=DATE)


class CriterionForm(ServiceForm):
    applies_to = forms.MultipleChoiceField(
        label=_("Applies to class types"),
        choices=ProgramType.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("None ticked: every type of class."),
    )

    class Meta:
        model = Criterion
        fields = CRITERION_FIELDS
        help_texts = {
            "code": _("Letters, digits and underscores; unique within the standard."),
            "metric": _("Only for criteria computed from data."),
            "param": _("For the certificates metric: the certificate it checks (none: all)."),
        }
        # A list of the certificates in words, not their codes to type.
        widgets = {
            "param": forms.Select(
                choices=[("", _("all certificates")), *CERTIFICATE_LABELS.items()]
            )
        }


class EvidenceForm(forms.Form):
    criterion = forms.ModelChoiceField(label=_("Criterion"), queryset=Criterion.objects.none())
    # The shared upload check (core/files.py); the service re-encodes images.
    file = UploadField(
        label=_("Document or photo"),
        help_text=_("PDF, JPEG or PNG, at most 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )

    def __init__(self, *args: Any, criteria: list[Criterion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["criterion"]
        field.queryset = Criterion.objects.filter(  # type: ignore[attr-defined]
            pk__in=[c.pk for c in criteria]
        ).order_by("order", "pk")


class ReviewForm(forms.Form):
    DECISIONS = [("accept", _("Accept")), ("reject", _("Reject"))]
    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        help_text=_("Required when rejecting: say what is missing."),
    )


class CalendarDayForm(forms.Form):
    KINDS = [*CalendarDay.Kind.choices, ("", _("Ordinary day"))]
    date = forms.DateField(label=_("Date"), widget=DATE)
    kind = forms.ChoiceField(label=_("The day is"), choices=KINDS, required=False)
    name = forms.CharField(
        label=_("Name"),
        max_length=120,
        required=False,
        help_text=_("For a holiday, e.g. 春节."),
    )


class AnnounceForm(forms.Form):
    notes = forms.CharField(
        label=_("Notes"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
        help_text=_("E.g. the number of the State Council's notice."),
    )
