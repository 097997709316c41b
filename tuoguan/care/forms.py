"""Forms of the care pages: they parse; the services decide."""

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tuoguan.core.files import UploadField
from tuoguan.programs.models import Group

from .models import (
    MAX_PHOTOS_A_POST,
    SAMPLE_MIN_GRAMS,
    SYMPTOMS,
    TODDLER_STEPS,
    AbsenceReason,
    Allergen,
    Audience,
    CarePolicy,
    DayNoteKind,
    EmergencyKind,
    HealthRound,
    HostKind,
    IncidentKind,
    MealKind,
    MediaChoice,
    Severity,
    TopicKind,
)


class HealthCheckForm(forms.Form):
    round = forms.ChoiceField(label=_("Check"), choices=HealthRound.choices, initial="morning")
    temperature = forms.DecimalField(
        label=_("Temperature (°C)"),
        min_value=34,
        max_value=43,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )
    symptoms = forms.MultipleChoiceField(
        label=_("Symptoms"),
        required=False,
        choices=[(k, v) for k, v in SYMPTOMS.items()],
        widget=forms.CheckboxSelectMultiple,
    )
    steps = forms.MultipleChoiceField(
        label=_("Steps done (一摸二看三问四查)"),
        required=False,
        choices=[(k, v) for k, v in TODDLER_STEPS.items()],
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(self, *args: object, toddler: bool = False, symptoms: list[str] | None = None,
                 **kwargs: object) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if symptoms is not None:
            self.fields["symptoms"].choices = [  # type: ignore[attr-defined]
                (k, v) for k, v in SYMPTOMS.items() if k in symptoms
            ]
        if not toddler:
            del self.fields["steps"]
            self.fields["round"].choices = [HealthRound.choices[0]]  # type: ignore[attr-defined]


class CarePolicyForm(forms.ModelForm):  # type: ignore[type-arg]
    """The class's daily care rules; the standard's symptoms are shown ticked and fixed."""

    symptoms = forms.MultipleChoiceField(
        label=_("Symptoms also asked"),
        required=False,
        choices=list(SYMPTOMS.items()),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = CarePolicy
        fields = [
            "absent_alert_minutes",
            "late_pickup_minutes",
            "fever_from",
            "symptoms",
            "epidemic_children",
            "epidemic_days",
            "families_see_group_photos",
        ]

    def __init__(self, *args: Any, required_symptoms: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["symptoms"]
        # What the standard already asks is not offered again: the class can only add.
        field.choices = [(k, v) for k, v in SYMPTOMS.items() if k not in required_symptoms]  # type: ignore[attr-defined]
        if not field.choices:  # type: ignore[attr-defined]
            del self.fields["symptoms"]

    def service_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.fields}


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class AbsenceForm(forms.Form):
    date = forms.DateField(
        label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}), initial=timezone.localdate
    )
    reason = forms.ChoiceField(label=_("Reason"), choices=AbsenceReason.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


class TemporaryPickupForm(forms.Form):
    date = forms.DateField(
        label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}), initial=timezone.localdate
    )
    name = forms.CharField(label=_("Name"), max_length=60)
    relation = forms.CharField(label=_("Relation to the child"), max_length=30)
    mobile = forms.CharField(
        label=_("Mobile number"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    photo = UploadField(label=_("Photo"), required=False, images_only=True, allow_webp=True)


class CorrectionForm(forms.Form):
    checked_in_at = forms.TimeField(
        label=_("Check-in time"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    checked_out_at = forms.TimeField(
        label=_("Check-out time"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)


class KioskIssueForm(forms.Form):
    name = forms.CharField(label=_("Name of the kiosk"), max_length=60)


class KioskSignInForm(forms.Form):
    token = forms.CharField(
        label=_("Device token"), max_length=100, widget=forms.PasswordInput(render_value=False)
    )


class IncidentForm(forms.Form):
    """A report from a phone; the children are the term's seated children."""

    kind = forms.ChoiceField(label=_("Type"), choices=IncidentKind.choices)
    severity = forms.ChoiceField(
        label=_("Severity"),
        choices=Severity.choices,
        help_text=_(
            "Minor: the guardians and the host union are told. Serious: also the unions above "
            "up to the province. Critical: also the national union."
        ),
    )
    occurred_at = forms.DateTimeField(
        label=_("When it happened"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    children = forms.MultipleChoiceField(
        label=_("Children involved"), required=False, widget=forms.CheckboxSelectMultiple
    )
    description = forms.CharField(
        label=_("What happened"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    actions_taken = forms.CharField(
        label=_("What was done"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    photo1 = UploadField(label=_("Photo"), required=False, images_only=True, allow_webp=True)
    photo2 = UploadField(label=_("Photo"), required=False, images_only=True, allow_webp=True)
    photo3 = UploadField(label=_("Photo"), required=False, images_only=True, allow_webp=True)

    def __init__(self, *args: Any, enrolments: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["children"].choices = [  # type: ignore[attr-defined]
            (str(e.pk), f"{e.child.name}（{e.group.name}）" if e.group else e.child.name)
            for e in enrolments
        ]
        self.fields["occurred_at"].initial = timezone.localtime().strftime("%Y-%m-%dT%H:%M")

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["photos"] = [data.pop(name) for name in ("photo1", "photo2", "photo3")]
        return data


class IncidentActionForm(forms.Form):
    text = forms.CharField(label=_("Follow-up"), max_length=500)


class IncidentCloseForm(forms.Form):
    summary = forms.CharField(
        label=_("Closing summary"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class EmergencyPlanForm(forms.Form):
    text = forms.CharField(
        label=_("The plan"), max_length=5000, widget=forms.Textarea(attrs={"rows": 8})
    )


class DrillForm(forms.Form):
    kind = forms.ChoiceField(label=_("Emergency"), choices=EmergencyKind.choices)
    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}), initial=timezone.localdate
    )
    participants = forms.IntegerField(label=_("People taking part"), min_value=1, max_value=10_000)
    findings = forms.CharField(
        label=_("Findings"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# --- Meals ----------------------------------------------------------------------------------


class DishForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("Meal"), choices=MealKind.choices)
    name = forms.CharField(label=_("Dish"), max_length=80)
    ingredients = forms.CharField(label=_("Ingredients"), max_length=300, required=False)
    allergens = forms.MultipleChoiceField(
        label=_("Allergens"),
        required=False,
        choices=Allergen.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    supplier = forms.TypedChoiceField(
        label=_("Supplier"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, suppliers: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.suppliers = {s.pk: s for s in suppliers}
        field = cast(forms.TypedChoiceField, self.fields["supplier"])
        field.choices = [("", "—")] + [(s.pk, s.name) for s in suppliers]

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["supplier"] = self.suppliers.get(data.get("supplier") or 0)
        return data


class FoodSampleForm(forms.Form):
    grams = forms.IntegerField(
        label=_("Weight (g)"), min_value=0, max_value=5000, initial=SAMPLE_MIN_GRAMS
    )
    temperature = forms.DecimalField(
        label=_("Fridge temperature (°C)"),
        max_digits=4,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )


class SupplierForm(forms.Form):
    name = forms.CharField(label=_("Supplier"), max_length=120)
    licence_number = forms.CharField(label=_("Food-business licence number"), max_length=60)
    licence_expires = forms.DateField(
        label=_("Licence valid until"), widget=forms.DateInput(attrs={"type": "date"})
    )
    licence_document = UploadField(label=_("Licence document (PDF, JPEG or PNG)"), required=False)


class InspectionForm(forms.Form):
    """The day's checklist: each item passed or failed, a photo and a note for a failed one."""

    note = forms.CharField(
        label=_("Note on the day"), required=False, max_length=2000, widget=forms.Textarea
    )

    def __init__(self, *args: Any, items: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        note = self.fields.pop("note")
        for code, label in items:
            self.fields[code] = forms.ChoiceField(
                label=label,
                choices=[("pass", _("Passed")), ("fail", _("Failed"))],
                widget=forms.RadioSelect(attrs={"class": "touch-choice"}),
            )
            self.fields[f"{code}_photo"] = UploadField(
                label=_("Photo (required when failed)"),
                required=False,
                images_only=True,
                allow_webp=True,
                widget=forms.ClearableFileInput(
                    attrs={"accept": "image/*", "capture": "environment"}
                ),
            )
            self.fields[f"{code}_note"] = forms.CharField(
                label=_("What is wrong"), required=False, max_length=500
            )
        self.fields["note"] = note

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "note": data.get("note", ""),
            "results": [
                {
                    "code": code,
                    "passed": data.get(code) == "pass",
                    "photo": data.get(f"{code}_photo"),
                    "note": data.get(f"{code}_note", ""),
                }
                for code, _label in self.items
            ],
        }


class FollowUpCloseForm(forms.Form):
    note = forms.CharField(label=_("What was done"), max_length=2000, widget=forms.Textarea)
    photo = UploadField(
        label=_("Photo of it put right"), required=False, images_only=True, allow_webp=True
    )


class ChecklistForm(forms.Form):
    items = forms.CharField(
        label=_("Checklist items, one a line (empty: the union above's list)"),
        required=False,
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 12}),
    )


class ChildChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.child.name)


class DayNoteForm(forms.Form):
    """An activity or a short note on the group's day (活动 / 留言)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=DayNoteKind.choices, initial="activity")
    text = forms.CharField(
        label=_("Text"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    time = forms.TimeField(
        label=_("Time (empty: now)"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    children = ChildChoiceField(
        label=_("Only for these children (none: the whole group)"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, roster: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(ChildChoiceField, self.fields["children"]).queryset = roster


class GroupsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.term.name} · {obj.name}"


class CameraForm(forms.Form):
    """A camera of the class: the room and the groups it films, its stream."""

    name = forms.CharField(label=_("Camera"), max_length=80)
    room = forms.CharField(label=_("Room"), max_length=80)
    groups = GroupsField(
        label=_("Groups filmed (their pages say the room is filmed)"),
        queryset=Group.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    hls_url = forms.CharField(
        label=_("HLS stream address (https://…; the camera server must sign its own links)"),
        max_length=500,
        required=False,
    )
    local_stream = forms.SlugField(
        label=_("Local test stream (a folder of the server's camera streams)"),
        max_length=60,
        required=False,
    )
    rtsp_url = forms.CharField(
        label=_("RTSP address (for the record)"), max_length=500, required=False
    )
    is_active = forms.BooleanField(label=_("In use"), required=False, initial=True)

    def __init__(self, *args: Any, program: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        groups = cast(forms.ModelMultipleChoiceField, self.fields["groups"])
        groups.queryset = (
            Group.objects.filter(term__program=program)
            .select_related("term")
            .order_by("-term__start_date", "pk")
        )


def _when(label: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class OnlineSessionForm(forms.Form):
    """An online session of the term: when, who hosts, what, the join link, for whom."""

    title = forms.CharField(label=_("Title"), max_length=120)
    topic = forms.ChoiceField(label=_("Topic"), choices=TopicKind.choices)
    starts_at = _when(_("Starts at"))
    ends_at = _when(_("Ends at"))
    host_kind = forms.ChoiceField(label=_("Hosted by"), choices=HostKind.choices)
    host_name = forms.CharField(label=_("Host's name"), max_length=80)
    join_url = forms.CharField(label=_("Join link (https://…)"), max_length=500)
    group = forms.ModelChoiceField(
        label=_("Group (empty: the whole term)"), queryset=Group.objects.none(), required=False
    )
    audience = forms.ChoiceField(
        label=_("For"), choices=Audience.choices, widget=forms.RadioSelect, initial="group"
    )
    children = ChildChoiceField(
        label=_("Children (when for selected children, e.g. those absent)"),
        queryset=Group.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, term: Any, places: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["group"]).queryset = term.groups.order_by("pk")
        cast(forms.ModelMultipleChoiceField, self.fields["children"]).queryset = places


class TagPicker(forms.CheckboxSelectMultiple):
    """Children whose guardian has not agreed to photos are listed, disabled, with the reason."""

    def __init__(self, *args: Any, refused: frozenset[str] = frozenset(), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.refused = refused

    def create_option(self, name: str, value: Any, label: Any, *args: Any, **kwargs: Any) -> Any:
        option = super().create_option(name, value, label, *args, **kwargs)
        if str(value) in self.refused:
            option["attrs"]["disabled"] = True
            option["label"] = gettext(
                "%(child)s (the guardian has not agreed to photos: cannot be tagged)"
            ) % {"child": label}
        return option


class PhotoPostForm(forms.Form):
    """Photos of the group's day: up to four at once, the same caption and tags for each."""

    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)
    children = forms.MultipleChoiceField(label=_("Children in the photos"), required=False)
    photo1 = UploadField(label=_("Photo"), images_only=True, allow_webp=True)
    photo2 = UploadField(label=_("Photo"), required=False, images_only=True, allow_webp=True)
    photo3 = UploadField(label=_("Photo"), required=False, images_only=True, allow_webp=True)
    photo4 = UploadField(label=_("Photo"), required=False, images_only=True, allow_webp=True)

    def __init__(
        self, *args: Any, enrolments: Any = (), consents: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for n in range(1, MAX_PHOTOS_A_POST + 1):
            # A tablet's browser then offers its camera and its gallery.
            self.fields[f"photo{n}"].widget.attrs["accept"] = "image/jpeg,image/png,image/webp"
        consents = consents or {}
        field = cast(forms.MultipleChoiceField, self.fields["children"])
        field.choices = [(str(e.pk), e.child.name) for e in enrolments]
        field.widget = TagPicker(
            refused=frozenset(str(e.pk) for e in enrolments if not consents.get(e.pk)),
            choices=field.choices,
        )

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["images"] = [data.pop(f"photo{n}") for n in range(1, MAX_PHOTOS_A_POST + 1)]
        return data


ANSWERS = [(MediaChoice.ALLOWED, _("I agree")), (MediaChoice.REFUSED, _("I do not agree"))]


class MediaConsentForm(forms.Form):
    photos = forms.ChoiceField(
        label=_("Photos of my child's day, shown only to my family and the class's staff"),
        choices=ANSWERS,
        widget=forms.RadioSelect,
    )
    cameras = forms.ChoiceField(
        label=_("My child may be seen on the class's live cameras"),
        choices=ANSWERS,
        widget=forms.RadioSelect,
    )


class ContestScoreForm(forms.Form):
    score = forms.DecimalField(
        label=_("Score"), min_value=0, max_value=1000, max_digits=6, decimal_places=1
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
