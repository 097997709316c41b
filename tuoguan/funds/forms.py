"""Forms of the funds pages: amounts typed in yuan, kept in fen (money.fen_of)."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuoguan.core.files import UploadField

from .models import (
    BudgetSource,
    ExpenseCategory,
    GrantKind,
    PaymentMethod,
    RefundRule,
)
from .money import fen_of


class Choice(forms.ModelChoiceField):
    """A choice among rows the view scoped (its queryset is set by the form)."""


class YuanField(forms.CharField):
    """An amount in yuan ("30000", "125.50"); cleaned to integer fen."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Amount (yuan)"))
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def clean(self, value: Any) -> Any:
        text = super().clean(value)
        if text in (None, ""):
            return None
        try:
            return fen_of(text)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc


def _year_field() -> forms.IntegerField:
    return forms.IntegerField(
        label=_("Year"), min_value=2000, max_value=2100, initial=timezone.localdate().year
    )


class BudgetForm(forms.Form):
    year = _year_field()
    source = forms.ChoiceField(
        label=_("Source"),
        choices=[c for c in BudgetSource.choices if c[0] != BudgetSource.ALLOCATION],
    )
    amount_fen = YuanField()
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class AllocationForm(forms.Form):
    receiver = Choice(label=_("Receiving union"), queryset=None)
    year = _year_field()
    amount_fen = YuanField()
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, unions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["receiver"].queryset = unions  # type: ignore[attr-defined]


class GrantForm(forms.Form):
    program = Choice(label=_("Class"), queryset=None)
    year = _year_field()
    kind = forms.ChoiceField(
        label=_("Purpose"),
        choices=[c for c in GrantKind.choices if c[0] != GrantKind.DESIGNATION],
    )
    amount_fen = YuanField()
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, programs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs  # type: ignore[attr-defined]


class DesignationGrantsForm(forms.Form):
    campaign = forms.ChoiceField(label=_("Campaign"))
    year = _year_field()
    amount_fen = YuanField(
        label=_("Grant per class (yuan)"),
        required=False,
        help_text=_("Leave empty to use the campaign's grant per designation."),
    )

    def __init__(self, *args: Any, batches: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].choices = [  # type: ignore[attr-defined]
            (b.key, f"{b.title} ({len(b.classes)})") for b in batches
        ]


class DisburseForm(forms.Form):
    disbursed_on = forms.DateField(
        label=_("Disbursed on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    proof = UploadField(label=_("Proof (photo or PDF)"))


class ExpenseForm(forms.Form):
    spent_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    category = forms.ChoiceField(label=_("Category"), choices=ExpenseCategory.choices)
    amount_fen = YuanField()
    description = forms.CharField(label=_("Description"), max_length=200)
    receipt = UploadField(label=_("Receipt (photo or PDF)"))


class PaymentForm(forms.Form):
    amount_fen = YuanField()
    method = forms.ChoiceField(label=_("Method"), choices=PaymentMethod.choices)
    receipt_number = forms.CharField(label=_("Receipt number"), max_length=40)
    paid_on = forms.DateField(label=_("Paid on"), widget=forms.DateInput(attrs={"type": "date"}))


class FeeRuleForm(forms.Form):
    refund = forms.ChoiceField(label=_("Refund on withdrawal"), choices=RefundRule.choices)


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)


def year_of(request: Any) -> int:
    """`?year=` within reason, else this year."""
    form = YearForm(request.GET)
    if form.is_valid() and form.cleaned_data["year"]:
        return int(form.cleaned_data["year"])
    return timezone.localdate().year
