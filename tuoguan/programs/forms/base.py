"""What every form of the programs pages shares."""

from typing import Any

from django import forms

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ServiceForm(forms.ModelForm):
    """A model form whose cleaned values go to a service as keyword arguments.

    Edit forms are built on a copy of the instance: validating writes into the instance, and
    the page must keep showing the saved values when the input is refused.
    """

    # Optional fields left blank are not passed, so the service fills its defaults.
    omit_blank: tuple[str, ...] = ()

    def service_fields(self) -> dict[str, Any]:
        fields = {}
        for name in self.fields:
            value = self.cleaned_data.get(name)
            if name in self.omit_blank and value in (None, ""):
                continue
            fields[name] = value
        return fields
