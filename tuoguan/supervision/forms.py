"""Forms of the supervision pages: they parse, the services decide."""

import datetime
import uuid
from typing import Any

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _

from tuoguan.core.files import UploadField

from .models import ItemResult, VisitStatus
from .seasons import Season, SeasonKind, season_chosen, season_containing

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.real_name or obj.username)


class PeopleChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.real_name or obj.username)


class TermChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.program.host} · {obj.program.name} · {obj.name}"


class VisitPlanForm(forms.Form):
    term = TermChoice(label=_("Class term"), queryset=None)
    date = forms.DateField(label=_("Date"), widget=DATE)
    announced = forms.BooleanField(
        label=_("Announce the visit to the class"),
        required=False,
        initial=True,
        help_text=_("An unannounced visit stays hidden from the class until it starts."),
    )
    inspectors = PeopleChoice(
        label=_("Inspectors"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    summary = forms.CharField(
        label=_("Purpose of the visit"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, terms: Any, inspectors: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["term"].queryset = terms  # type: ignore[attr-defined]
        self.fields["inspectors"].queryset = inspectors  # type: ignore[attr-defined]


class SeasonForm(forms.Form):
    """A season: a term or holiday of a year, or custom dates; the current one by default.

    `cleaned_data["period"]` is the `seasons.Season`."""

    season = forms.ChoiceField(label=_("Season"), choices=SeasonKind.choices, required=False)
    year = forms.IntegerField(
        label=_("Year the season starts in"), min_value=2000, max_value=2100, required=False
    )
    start = forms.DateField(label=_("From (custom dates)"), widget=DATE, required=False)
    end = forms.DateField(label=_("To (custom dates)"), widget=DATE, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = season_containing()
        self.fields["season"].initial = current.kind
        self.fields["year"].initial = current.year

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            data["period"] = season_chosen(
                data.get("season") or None, data.get("year"), data.get("start"), data.get("end")
            )
        except DjangoValidationError as exc:
            for name, errors in exc.error_dict.items():
                self.add_error(name if name in self.fields else None, errors)
        return data

    def period(self) -> Season:
        """The chosen season when the form is valid, else the current one."""
        if self.is_bound and self.is_valid():
            return self.cleaned_data["period"]  # type: ignore[no-any-return]
        return season_containing()


class SeasonPlanForm(SeasonForm):
    announced = forms.BooleanField(
        label=_("Announce the visits to the classes"), required=False, initial=True
    )


def parse_month(value: str) -> datetime.date | None:
    """ "2026-07" → 2026-07-01; None for anything else."""
    year, _sep, month = (value or "").partition("-")
    try:
        return datetime.date(int(year), int(month), 1)
    except ValueError:
        return None


class VisitFilterForm(forms.Form):
    region = forms.CharField(label=_("Region code starts with"), required=False, max_length=6)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *VisitStatus.choices], required=False
    )
    month = forms.CharField(
        label=_("Month"),
        required=False,
        widget=forms.DateInput(attrs={"type": "month"}),
    )

    def clean_month(self) -> datetime.date | None:
        value = self.cleaned_data.get("month") or ""
        if not value:
            return None
        month = parse_month(value)
        if month is None:
            raise forms.ValidationError(_("Enter a month as YYYY-MM."))
        return month


class AnswerForm(forms.Form):
    """One item's judgement, as the page sends it without JavaScript."""

    item_key = forms.CharField(widget=forms.HiddenInput, max_length=80)
    client_id = forms.UUIDField(widget=forms.HiddenInput)
    result = forms.ChoiceField(
        label=_("Judgement"), choices=ItemResult.choices, widget=forms.RadioSelect, required=False
    )
    notes = forms.CharField(label=_("Notes"), required=False, max_length=2000)
    image = UploadField(label=_("Photo"), required=False, images_only=True, allow_webp=True)


class FreeItemForm(forms.Form):
    client_id = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)
    label = forms.CharField(label=_("What else was checked"), max_length=200)
    is_veto = forms.BooleanField(label=_("Veto level (一票否决)"), required=False)


class SignForm(forms.Form):
    """The signature, and for each failed item the owner and deadline of its order."""

    signed_name = forms.CharField(label=_("Your full name (signature)"), max_length=60)
    suspend_checkins = forms.BooleanField(
        label=_("Suspend the term's check-ins until veto-level findings are corrected"),
        required=False,
    )
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self, *args: Any, failed: Any, owners: Any, owner: Any, deadline: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.failed = list(failed)
        for item in self.failed:
            self.fields[f"owner_{item.pk}"] = PersonChoice(
                label=_("Owner: %(item)s") % {"item": item.label},
                queryset=owners,
                initial=owner.pk if owner is not None else None,
            )
            self.fields[f"deadline_{item.pk}"] = forms.DateField(
                label=_("Deadline: %(item)s") % {"item": item.label},
                widget=DATE,
                initial=deadline,
            )
        self.order_fields(["signed_name", *self.fields_of_orders(), "suspend_checkins"])

    def fields_of_orders(self) -> list[str]:
        return [f"{kind}_{item.pk}" for item in self.failed for kind in ("owner", "deadline")]

    def sign_data(self) -> dict[str, Any]:
        """The service's arguments: the orders' owner and deadline by item key."""
        from .services import OrderTerms

        data = self.cleaned_data
        orders = {
            item.key: OrderTerms(data[f"owner_{item.pk}"], data[f"deadline_{item.pk}"])
            for item in self.failed
        }
        return {
            "signed_name": data["signed_name"],
            "suspend_checkins": data["suspend_checkins"],
            "summary": data["summary"],
            "orders": orders,
        }


class AcknowledgeForm(forms.Form):
    acknowledged_name = forms.CharField(label=_("Your full name (signature)"), max_length=60)


class RectificationAnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("What the class did"), widget=forms.Textarea(attrs={"rows": 4})
    )
    file = UploadField(label=_("Evidence (PDF, JPEG or PNG, at most 5 MB)"), required=False)


class RectificationReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("accept", _("Accept: corrected")), ("send_back", _("Send back"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason (needed to send back)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RectificationExtendForm(forms.Form):
    deadline = forms.DateField(label=_("New deadline"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class RectificationReassignForm(forms.Form):
    owner = PersonChoice(label=_("New owner at the class"), queryset=None)
    reason = forms.CharField(
        label=_("Reason (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, owners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners  # type: ignore[attr-defined]


class RectificationFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Show"),
        choices=[
            ("open", _("Open")),
            ("overdue", _("Overdue")),
            ("closed", _("Accepted")),
            ("all", _("All")),
        ],
        required=False,
    )


class GlanceForm(SeasonForm):
    pass
