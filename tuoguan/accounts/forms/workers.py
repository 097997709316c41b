"""Forms of the worker roster pages: filter, register one worker, import a roster."""

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tuoguan.core.xlsx import XLSX_TYPE, XlsxUploadForm
from tuoguan.orgs.models import Level, Org
from tuoguan.orgs.permissions import Actor
from tuoguan.orgs.selectors import orgs_visible_to

from .. import selectors
from ..models import mobile_validator

VERIFIED_CHOICES = [("", _("All")), ("yes", _("Verified")), ("no", _("Not verified"))]


class OrgChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class WorkerFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=60,
        help_text=_("Name, mobile number or member number"),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    org = OrgChoiceField(
        label=_("Union, with the unions below it"),
        queryset=Org.objects.none(),
        required=False,
        empty_label=_("All my unions"),
    )
    verified = forms.ChoiceField(label=_("Membership"), choices=VERIFIED_CHOICES, required=False)

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        subtree = orgs_visible_to(actor)
        self.fields["org"].queryset = subtree  # type: ignore[attr-defined]
        self.fields["org"].widget.choices = self._menu(actor, subtree)

    def _menu(self, actor: Actor, subtree: Any) -> list[tuple[Any, str]]:
        """Upper levels only: a whole province's grassroots unions would make the menu unusable.

        A grassroots union still filters when it arrives by link (`?org=<pk>`), so it is kept.
        """
        selected = self.data.get("org") if self.is_bound else None
        wanted = Q(level__lt=Level.GRASSROOTS)
        if actor.org is not None:
            wanted |= Q(pk=actor.org.pk)
        if selected and str(selected).isdigit():
            wanted |= Q(pk=int(selected))
        top = actor.org.depth if actor.org is not None else 1
        menu: list[tuple[Any, str]] = [("", str(_("All my unions")))]
        for org in subtree.filter(wanted).only("pk", "name", "depth", "path"):
            menu.append((org.pk, "\u2003" * (org.depth - top) + org.name))
        return menu

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        verified = {"yes": True, "no": False}.get(self.cleaned_data.get("verified") or "")
        return {
            "org": self.cleaned_data.get("org"),
            "verified": verified,
            "q": self.cleaned_data.get("q") or "",
        }


class WorkerCreateForm(forms.Form):
    real_name = forms.CharField(label=_("Real name"), max_length=60)
    mobile = forms.CharField(
        label=_("Mobile number"),
        max_length=11,
        validators=[mobile_validator],
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "numeric"}),
    )
    member_number = forms.CharField(label=_("Union member number"), max_length=40, required=False)
    employer = OrgChoiceField(label=_("Employer union (grassroots)"), queryset=Org.objects.none())
    password = forms.CharField(
        label=_("Initial password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "Optional. Without one the worker sets a password through “Forgot your password?”."
        ),
    )
    verified = forms.BooleanField(
        label=_("Membership verified by me"), required=False, initial=True
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["employer"].queryset = selectors.employer_orgs_for(actor)  # type: ignore[attr-defined]

    def clean_password(self) -> str:
        password: str = self.cleaned_data.get("password") or ""
        if password:
            password_validation.validate_password(password)
        return password


class WorkerImportForm(XlsxUploadForm):
    file = forms.FileField(
        label=_("Roster file (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,{XLSX_TYPE}"}),
    )

    def too_large_message(self) -> str:
        return str(_("The file is larger than %(limit)s; split the roster into several files."))
