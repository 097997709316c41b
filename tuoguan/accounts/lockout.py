"""Login lockout beyond django-axes' lock per account and address.

Axes locks an account *from one address* after AXES_FAILURE_LIMIT failures, so that one
mistyping colleague in a shared union office does not lock out the others. On its own that
lets a guesser who changes address keep guessing, five tries per address. So two more limits
count axes' failure log (one row per failed log-in) over TUOGUAN_LOGIN_WINDOW:

* the account, from any number of addresses (TUOGUAN_LOGIN_ACCOUNT_LIMIT): the account is
  locked for everyone, and its owner is told through the notification service, once per lock;
* the address, against any number of accounts (TUOGUAN_LOGIN_ADDRESS_LIMIT).

A password reset lifts the account's lock (`lockout_reset`).
"""

from datetime import timedelta
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessFailureLog
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoguan.notifications.services import notify

from . import selectors

ACCOUNT, ADDRESS = "account", "address"


def _recent() -> Any:
    return AccessFailureLog.objects.filter(
        attempt_time__gte=timezone.now() - settings.TUOGUAN_LOGIN_WINDOW
    )


def account_failures(username: str) -> int:
    return int(_recent().filter(username=username).count())


def address_failures(ip_address: str | None) -> int:
    if not ip_address:
        return 0
    return int(_recent().filter(ip_address=ip_address).count())


def lockout_scope(username: str | None, ip_address: str | None) -> str | None:
    """Which of the two wider limits is reached, if any."""
    if username and account_failures(username) >= settings.TUOGUAN_LOGIN_ACCOUNT_LIMIT:
        return ACCOUNT
    if address_failures(ip_address) >= settings.TUOGUAN_LOGIN_ADDRESS_LIMIT:
        return ADDRESS
    return None


def lockout_reset(*, username: str) -> None:
    """Forget the account's failures (after a password reset): its account-wide lock ends."""
    AccessFailureLog.objects.filter(username=username).delete()


# Failed log-ins name an address: kept for the limits and a month of investigation, no longer.
FAILURE_LOG_DAYS = 30


def failures_prune() -> int:
    """Delete failure rows older than FAILURE_LOG_DAYS (a periodic job, see apps.py)."""
    cutoff = timezone.now() - timedelta(days=FAILURE_LOG_DAYS)
    deleted, _rows = AccessFailureLog.objects.filter(attempt_time__lt=cutoff).delete()
    return int(deleted)


def _tell_owner(username: str) -> None:
    user = selectors.user_by_login(username)
    if user is None or not user.is_active:
        return
    window = int(settings.TUOGUAN_LOGIN_WINDOW.total_seconds() // 60)
    notify(
        recipient=user,
        subject=_("Your Tuoguan account is locked after many failed log-ins"),
        body=_(
            "There were %(count)d failed log-ins to your account within %(minutes)d minutes, "
            "from different places. To protect it, the account is locked for everyone for "
            "%(minutes)d minutes. If it was not you, someone may be guessing your password: "
            "reset it now, which also lifts the lock."
        )
        % {"count": settings.TUOGUAN_LOGIN_ACCOUNT_LIMIT, "minutes": window},
        url=reverse("accounts:password_reset"),
    )


class LockoutHandler(AxesDatabaseHandler):
    """Axes' database handler, plus the account-wide and address-wide limits."""

    def is_locked(self, request: Any, credentials: dict[str, Any] | None = None) -> bool:
        if super().is_locked(request, credentials):
            return True
        scope = lockout_scope(
            get_client_username(request, credentials), getattr(request, "axes_ip_address", None)
        )
        if scope is not None:
            _mark(request, scope)
            return True
        return False

    def user_login_failed(
        self, sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
    ) -> None:
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is None or self.is_whitelisted(request, credentials):
            return
        username = get_client_username(request, credentials)
        if username and account_failures(username) == settings.TUOGUAN_LOGIN_ACCOUNT_LIMIT:
            # This failure reached the limit: tell the owner, once for this lock.
            _tell_owner(username)
        scope = lockout_scope(username, getattr(request, "axes_ip_address", None))
        if scope is not None and not request.axes_locked_out:
            request.axes_locked_out = True
            request.axes_credentials = credentials
            _mark(request, scope)


def _mark(request: Any, scope: str) -> None:
    """What the lockout page tells: which limit, and for about how long."""
    request.lockout_scope = scope
    request.lockout_minutes = int(settings.TUOGUAN_LOGIN_WINDOW.total_seconds() // 60)
