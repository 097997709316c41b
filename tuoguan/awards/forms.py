"""Forms of the awards pages: they parse, the services decide."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tuoguan.core.files import UploadField

from .models import Campaign, CampaignLevel, Condition
from .services import CAMPAIGN_FIELDS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CampaignForm(forms.ModelForm):
    questions = forms.CharField(
        label=_("Questions of the entry form"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One question a line; each entry answers them in text."),
    )

    class Meta:
        model = Campaign
        fields = CAMPAIGN_FIELDS
        widgets = {
            "applications_open": DATE,
            "applications_close": DATE,
            "review_close": DATE,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["questions"] = "\n".join(self.instance.questions)

    def clean_questions(self) -> list[str]:
        return [
            line.strip() for line in self.cleaned_data["questions"].splitlines() if line.strip()
        ]

    def validate_unique(self) -> None:
        """The service checks one campaign per union and year (the organiser is its to set)."""


class ConditionForm(forms.ModelForm):
    class Meta:
        model = Condition
        fields = ("threshold", "is_veto")


class RubricForm(forms.Form):
    items = forms.CharField(
        label=_("Rubric items"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One item a line: its name, a space, its points (e.g. 安全管理 30)."),
    )

    def clean_items(self) -> list[tuple[str, int]]:
        items = []
        for line in self.cleaned_data["items"].splitlines():
            if not line.strip():
                continue
            name, _sep, points = line.strip().rpartition(" ")
            if not name.strip() or not points.isdigit():
                raise forms.ValidationError(
                    _("Write each line as a name, a space and its points: %(line)s"),
                    params={"line": line.strip()[:80]},
                )
            items.append((name.strip(), int(points)))
        return items


class TermChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.program.host} · {obj.program.name} · {obj.name}"


class EntryForm(forms.Form):
    term = TermChoice(label=_("Term entered"), queryset=None)
    video_url = forms.URLField(
        label=_("Video link"), required=False, max_length=300, assume_scheme="https"
    )
    file = UploadField(
        label=_("Photo or document"),
        required=False,
        help_text=_("A PDF, JPEG or PNG of at most 5 MB; add more on the entry's page."),
    )

    def __init__(self, *args: Any, campaign: Campaign, terms: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["term"].queryset = terms
        self.questions = list(campaign.questions)
        for i, question in enumerate(self.questions):
            self.fields[f"answer_{i}"] = forms.CharField(
                label=question, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
            )

    def answers(self) -> dict[str, str]:
        return {q: self.cleaned_data[f"answer_{i}"] for i, q in enumerate(self.questions)}


class MaterialForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120, required=False)
    file = UploadField(label=_("Photo or document"))


class DecisionForm(forms.Form):
    recommend = forms.TypedChoiceField(
        label=_("Decision"),
        choices=(("yes", _("Recommend to the next level")), ("no", _("Do not recommend"))),
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class MembershipChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        name = obj.user.real_name or obj.user.username
        return f"{name} · {obj.get_role_display()} · {obj.org}"


class ReviewerForm(forms.Form):
    membership = MembershipChoice(label=_("Reviewer"), queryset=None)

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["membership"].queryset = candidates


class ScoreForm(forms.Form):
    """One whole number per rubric item, from 0 to its points."""

    def __init__(self, *args: Any, items: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            self.fields[f"item_{item.pk}"] = forms.IntegerField(
                label=_("%(name)s (0–%(max)s)") % {"name": item.name, "max": item.points},
                min_value=0,
                max_value=item.points,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )
        self.fields["comment"] = forms.CharField(
            label=_("Comment"), max_length=500, required=False, widget=forms.Textarea(
                attrs={"rows": 3})
        )  # fmt: skip

    def points(self) -> dict[int, int]:
        return {item.pk: self.cleaned_data[f"item_{item.pk}"] for item in self.items}


class ObjectionForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=60)
    phone = forms.CharField(label=_("Telephone"), max_length=20)
    text = forms.CharField(
        label=_("Objection"),
        min_length=10,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What is wrong, with the facts you know. The organiser answers you."),
    )


class ObjectionAnswerForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label=_("Finding"),
        choices=(
            ("no", _("Dismissed: the entry stays")),
            ("yes", _("Upheld: the entry is removed")),
        ),
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    answer = forms.CharField(
        label=_("Answer"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class RegionChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class DesignationFilterForm(forms.Form):
    region = RegionChoice(label=_("Region"), queryset=None, required=False)
    level = forms.TypedChoiceField(
        label=_("Level"),
        choices=[("", _("All levels")), *CampaignLevel.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)

    def __init__(self, *args: Any, regions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["region"].queryset = regions
