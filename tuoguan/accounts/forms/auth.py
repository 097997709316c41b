"""Forms of the login, password and API token pages."""

from typing import Any

from django import forms
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .. import selectors, services
from ..models import User


class LoginForm(AuthenticationForm):
    """Mobile number or username, and the password.

    The field keeps the name `username` because django-axes reads it to count failures.
    """

    username = forms.CharField(
        label=_("Mobile number or username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "The mobile number / username or the password is wrong. Both are case-sensitive."
        ),
        "locked": _(
            "This account is locked for a while after too many failed log-ins. "
            "Wait and try again later, or reset your password."
        ),
    }

    def clean(self) -> dict[str, Any]:
        login = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if login is not None and password:
            # Count failures against the account, whichever of its two logins was typed.
            user = selectors.user_by_login(login)
            canonical = user.username if user is not None else login.strip()
            self.user_cache = authenticate(self.request, username=canonical, password=password)
            if self.user_cache is None:
                if getattr(self.request, "axes_locked_out", False):
                    raise ValidationError(self.error_messages["locked"], code="locked")
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class PasswordResetRequestForm(forms.Form):
    login = forms.CharField(
        label=_("Mobile number or username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )


class PasswordResetConfirmForm(forms.Form):
    login = forms.CharField(
        label=_("Mobile number or username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    code = forms.RegexField(
        label=_("Six-digit code"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("The code has six digits.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
    new_password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    new_password2 = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    user: User | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("new_password1"), data.get("new_password2")
        if first and second and first != second:
            self.add_error("new_password2", _("The two passwords differ."))
        if self.errors or not data.get("login") or not data.get("code"):
            return data
        self.user = services.password_reset_code_check(login=data["login"], code=data["code"])
        if self.user is None:
            self.add_error("code", _("This code is wrong or has expired."))
            return data
        try:
            password_validation.validate_password(first or "", self.user)
        except ValidationError as exc:
            self.add_error("new_password1", exc)
        return data


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=60,
        help_text=_("Say where it is used, for example “check-in kiosk, room 2”."),
    )
