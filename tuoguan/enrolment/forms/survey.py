"""Forms of the needs survey: the union's survey and the family's answer (mobile first)."""

from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuoguan.accounts.models import Child, Grade
from tuoguan.orgs.models import Level, Org
from tuoguan.orgs.permissions import Actor, subtree_q
from tuoguan.programs.models import ProgramType

from ..models import SurveyResponse
from ..services.survey import MAX_AGE, WantedHours, WantedPeriod

# Rows offered for children; a family with more uses the API (the service accepts ten).
CHILD_ROWS = 5
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class SurveyOrgField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class SurveyForm(forms.Form):
    org = SurveyOrgField(
        label=_("Ask the workers of"),
        queryset=Org.objects.none(),
        help_text=_("The union whose whole subtree receives the survey."),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    intro = forms.CharField(
        label=_("Introduction"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why you ask and what the union will do with the answers."),
    )
    opens_at = forms.DateTimeField(label=_("Opens at"), widget=DATETIME_WIDGET)
    closes_at = forms.DateTimeField(label=_("Closes at"), widget=DATETIME_WIDGET)

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The admin's own union and the upper unions below it: a menu of every grassroots
        # union of a province would be unusable (a grassroots admin sees their own).
        own = Q(pk=actor.org.pk) if actor.org is not None else Q(pk__in=[])
        self.fields["org"].queryset = Org.objects.filter(  # type: ignore[attr-defined]
            subtree_q(actor), Q(level__lt=Level.GRASSROOTS) | own, is_active=True
        ).order_by("path")
        if actor.org is not None and not self.is_bound:
            self.fields["org"].initial = actor.org.pk

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("The survey must close after it opens."))
        elif closes and closes <= timezone.now():
            self.add_error("closes_at", _("The closing time is already past."))
        return data


def _grade_choices() -> list[tuple[Any, Any]]:
    return [("", "---------"), *Grade.choices]


class SurveyAnswerForm(forms.Form):
    """One family's answer: ages and grades of the children (no names), and what they need."""

    wanted_types = forms.MultipleChoiceField(
        label=_("Which care would you use?"),
        choices=ProgramType.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    wanted_period = forms.ChoiceField(
        label=_("When?"), choices=WantedPeriod.choices, widget=forms.RadioSelect
    )
    hours = forms.ChoiceField(
        label=_("Which hours?"), choices=WantedHours.choices, widget=forms.RadioSelect
    )
    pay_living_costs = forms.ChoiceField(
        label=_("Would you pay the living costs (meals, materials)?"),
        choices=SurveyResponse.Payment.choices,
        widget=forms.RadioSelect,
    )
    special_needs = forms.CharField(
        label=_("Special needs (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example an allergy or a disability the class should prepare for."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for row in range(1, CHILD_ROWS + 1):
            self.fields[f"age_{row}"] = forms.IntegerField(
                label=_("Age (years)"),
                required=False,
                min_value=0,
                max_value=MAX_AGE,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )
            self.fields[f"grade_{row}"] = forms.TypedChoiceField(
                label=_("Grade"),
                required=False,
                choices=_grade_choices(),
                coerce=int,
                empty_value=None,
            )

    def child_rows(self) -> list[tuple[int, Any, Any]]:
        """(number, age field, grade field) per row, for the template."""
        return [(row, self[f"age_{row}"], self[f"grade_{row}"]) for row in range(1, CHILD_ROWS + 1)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        children = []
        for row in range(1, CHILD_ROWS + 1):
            age, grade = data.get(f"age_{row}"), data.get(f"grade_{row}")
            if age is None and grade is None:
                continue
            if age is None:
                if f"age_{row}" not in self.errors:
                    self.add_error(f"age_{row}", _("Give this child's age."))
                continue
            if grade is None:
                self.add_error(f"grade_{row}", _("Choose this child's grade."))
                continue
            children.append({"age": age, "grade": grade})
        if not children and not any(k.startswith(("age_", "grade_")) for k in self.errors):
            self.add_error("age_1", _("Give the age and grade of at least one child."))
        data["children"] = children
        return data

    def answer_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "children": data["children"],
            "wanted_types": data["wanted_types"],
            "wanted_period": data["wanted_period"],
            "hours": data["hours"],
            "pay_living_costs": data["pay_living_costs"],
            "special_needs": data["special_needs"],
        }

    @staticmethod
    def initial_from(response: SurveyResponse | None, children: list[Child]) -> dict[str, Any]:
        """Prefill with the family's last answer, or else with the children already registered."""
        initial: dict[str, Any] = {}
        if response is not None:
            rows = response.children
            initial.update(
                wanted_types=response.wanted_types,
                wanted_period=response.wanted_period,
                hours=response.hours,
                pay_living_costs=response.pay_living_costs,
                special_needs=response.special_needs,
            )
        else:
            today = timezone.localdate()
            rows = [{"age": c.age_on(today), "grade": c.grade} for c in children]
        for row, child in enumerate(rows[:CHILD_ROWS], start=1):
            initial[f"age_{row}"] = child.get("age")
            initial[f"grade_{row}"] = child.get("grade")
        return initial
