"""Forms of terms (期), their groups (班组), care days, staff roster and lifecycle steps."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tuoguan.orgs.selectors import user_for_login

from ..models import TODDLER_RULES, Group, GroupKind, StaffRole, Term, Venue
from ..services.terms import GROUP_FIELDS, TERM_FIELDS
from .base import DATE, DATETIME, TIME, ServiceForm


class TermForm(ServiceForm):
    class Meta:
        model = Term
        fields = TERM_FIELDS
        widgets = {
            "start_date": DATE,
            "end_date": DATE,
            "daily_start": TIME,
            "daily_end": TIME,
            "enrol_opens_at": DATETIME,
            "enrol_closes_at": DATETIME,
        }
        help_texts = {
            "start_date": _("Care days follow the work calendar; change single days later."),
            "enrol_opens_at": _("Leave empty until the enrolment window is decided."),
        }

    def __init__(self, *args: Any, venues: QuerySet[Venue], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["venue"].queryset = venues  # type: ignore[attr-defined]
        self.fields["venue"].help_text = _("Not needed for an online class.")
        self.fields["name"].widget.attrs["placeholder"] = _("e.g. Summer 2026")


class GroupForm(ServiceForm):
    """A group; capacity, carers and age band default from its kind when left empty."""

    omit_blank = ("capacity", "carers_planned", "min_age_months", "max_age_months")

    class Meta:
        model = Group
        fields = GROUP_FIELDS

    def __init__(self, *args: Any, toddler: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("capacity", "carers_planned", "min_age_months", "max_age_months"):
            self.fields[name].required = False
        self.fields["capacity"].help_text = _("Empty: the most the kind of group allows.")
        if toddler:
            kinds = [(k, label) for k, label in GroupKind.choices if k in TODDLER_RULES]
            self.fields["kind"].choices = kinds  # type: ignore[attr-defined]
            self.fields["kind"].initial = GroupKind.INFANT
            del self.fields["grade_min"], self.fields["grade_max"]
        else:
            # Pupils' groups are of one kind; age in months is for toddlers only.
            del self.fields["kind"]
            del self.fields["min_age_months"], self.fields["max_age_months"]


class BaseGroupFormSet(forms.BaseFormSet):
    def filled_groups(self) -> list[tuple[int, GroupForm]]:
        """(index, form) of the rows the user filled in; blank extra rows are skipped."""
        return [
            (index, form)
            for index, form in enumerate(self.forms)
            if form.has_changed() and form.is_valid()
        ]


GroupFormSet = forms.formset_factory(
    GroupForm, formset=BaseGroupFormSet, extra=2, max_num=20, validate_max=True
)


class StaffForm(forms.Form):
    login = forms.CharField(
        label=_("Mobile number or username"),
        max_length=150,
        help_text=_("The person must already have an account."),
    )
    role = forms.ChoiceField(label=_("Role in the class"), choices=StaffRole.choices)
    group = forms.ModelChoiceField(
        label=_("Group"),
        queryset=Group.objects.none(),
        required=False,
        empty_label=_("The whole term"),
    )

    def __init__(self, *args: Any, groups: QuerySet[Group], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups  # type: ignore[attr-defined]

    def clean_login(self) -> Any:
        user = user_for_login(self.cleaned_data["login"])
        if user is None:
            raise ValidationError(
                _("No active account has this mobile number or username."), code="unknown"
            )
        return user


class DayForm(forms.Form):
    ACTIONS = [("add", _("Make it a care day")), ("remove", _("Make it a day off"))]
    date = forms.DateField(label=_("Date"), widget=DATE)
    action = forms.ChoiceField(label=_("Change"), choices=ACTIONS)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for rejection"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text=_("The host union reads it and fixes the term before resubmitting."),
    )


class ApproveForm(forms.Form):
    """Approving a term; a term that fails a criterion needs the box ticked and a note."""

    confirm_failures = forms.BooleanField(
        label=_("I approve this term despite the criteria it fails."), required=False
    )
    note = forms.CharField(
        label=_("Why you approve it all the same"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        required=False,
        help_text=_("Kept with the decision and shown on the term's page."),
    )


class SummaryForm(forms.Form):
    summary = forms.CharField(
        label=_("Closing summary"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        help_text=_("What the term achieved: children served, activities, feedback."),
    )
