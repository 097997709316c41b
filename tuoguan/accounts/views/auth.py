"""Log-in, log-out, password change and reset, personal API tokens."""

from typing import Any

from axes.helpers import get_cool_off
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from tuoguan.core.kit import paginate
from tuoguan.orgs.kit import ActorRequest

from .. import selectors, services
from ..forms.auth import (
    LoginForm,
    PasswordResetConfirmForm,
    PasswordResetRequestForm,
    TokenCreateForm,
)

RESET_LOGIN_SESSION_KEY = "password_reset_login"


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        services.user_login_record(user=self.request.user)  # type: ignore[arg-type]
        return response

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        if form.has_error("__all__", "locked"):
            # Read by the lockout page, which django-axes renders in place of this one.
            cool_off = get_cool_off(self.request)
            if cool_off:
                self.request.unlock_at = timezone.now() + cool_off  # type: ignore[attr-defined]
        return super().form_invalid(form)


def password_changed_message(revoked: int) -> str:
    return ngettext(
        "Your password has been changed. %(count)d API token was revoked, and you were "
        "logged out on every other device.",
        "Your password has been changed. %(count)d API tokens were revoked, and you were "
        "logged out on every other device.",
        revoked,
    ) % {"count": revoked}


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("core:home")

    def form_valid(self, form: Any) -> HttpResponse:
        # Django keeps this session (update_session_auth_hash); the others end with the hash.
        response = super().form_valid(form)
        revoked = services.password_changed(user=form.user)
        messages.success(self.request, password_changed_message(revoked))
        return response


@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    """Ask for a code; the answer is the same whether or not the account exists."""
    form = PasswordResetRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.password_reset_code_issue(login=form.cleaned_data["login"])
        request.session[RESET_LOGIN_SESSION_KEY] = form.cleaned_data["login"].strip()
        messages.info(
            request,
            _(
                "If an account has this mobile number or username, a six-digit code is on "
                "its way to the account's mobile phone and inbox."
            ),
        )
        return redirect("accounts:password_reset_confirm")
    return render(request, "accounts/password_reset.html", {"form": form})


@require_http_methods(["GET", "POST"])
def password_reset_confirm(request: HttpRequest) -> HttpResponse:
    initial = {"login": request.session.get(RESET_LOGIN_SESSION_KEY, "")}
    data = request.POST if request.method == "POST" else None
    form = PasswordResetConfirmForm(data, initial=initial)
    if request.method == "POST" and form.is_valid() and form.user is not None:
        services.password_reset_complete(
            user=form.user,
            code=form.cleaned_data["code"],
            password=form.cleaned_data["new_password1"],
        )
        request.session.pop(RESET_LOGIN_SESSION_KEY, None)
        messages.success(
            request,
            _(
                "Your password has been changed. Log in with the new one. Your API tokens "
                "were revoked, and every device that was logged in has been logged out."
            ),
        )
        return redirect("accounts:login")
    return render(request, "accounts/password_reset_confirm.html", {"form": form})


def _tokens_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    page = paginate(request, selectors.tokens_of(request.user))
    return {"page": page, "tokens": page.object_list, **extra}


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: ActorRequest) -> HttpResponse:
    """One's own API tokens. A new key is in this one response and nowhere else."""
    form = TokenCreateForm(request.POST if request.method == "POST" else None)
    new_key = ""
    if request.method == "POST" and form.is_valid():
        user = request.actor.user
        _token, new_key = services.token_issue(user=user, name=form.cleaned_data["name"])
        form = TokenCreateForm()
    context = _tokens_context(request, form=form, new_key=new_key)
    template = "accounts/_token_panel.html" if request.htmx else "accounts/tokens.html"
    response = render(request, template, context)
    # The key must not linger in a browser or proxy cache.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request: ActorRequest, pk: int) -> HttpResponse:
    token = selectors.token_for(request.user, pk)
    services.token_revoke(user=request.actor.user, token=token)
    if request.htmx:
        return render(request, "accounts/_token_row.html", {"token": token})
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("accounts:tokens")


urlpatterns: list[URLPattern] = [
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", PasswordChangeView.as_view(), name="password_change"),
    path("password/reset/", password_reset, name="password_reset"),
    path("password/reset/confirm/", password_reset_confirm, name="password_reset_confirm"),
    path("tokens/", tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", token_revoke, name="token_revoke"),
]
