"""Accounts and passwords: creating users, recording logins, resetting a forgotten password."""

import datetime
import secrets

from axes.utils import reset as axes_reset
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from tuoguan.audit import context as audit_context
from tuoguan.audit.models import AuditEntry
from tuoguan.audit.services import audit_record
from tuoguan.notifications.services import notify

from .. import selectors
from ..lockout import lockout_reset
from ..models import PasswordResetCode, User
from .tokens import tokens_revoke_all

RESET_CODES_PER_HOUR = 5


@transaction.atomic
def user_create(
    *,
    username: str,
    real_name: str,
    password: str | None,
    mobile: str | None = None,
    email: str = "",
) -> User:
    user = User(username=username, real_name=real_name, mobile=mobile or None, email=email)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    return user


def user_login_record(*, user: User) -> AuditEntry:
    """One audit line per successful login.

    The request's audit context was set before login, when nobody was logged in yet, so the
    entry names the user explicitly.
    """
    with audit_context.acting_as(user_id=user.pk):
        return audit_record(action=AuditEntry.Action.LOGIN, instance=user)


def _reset_code_hash(user: User, code: str) -> str:
    # Keyed by SECRET_KEY and the user: a leaked table does not give six-digit codes away
    # to a simple lookup of all one million hashes.
    return salted_hmac(
        "tuoguan.accounts.password_reset", f"{user.pk}:{code}", algorithm="sha256"
    ).hexdigest()


@transaction.atomic
def password_reset_code_issue(*, login: str) -> None:
    """Send a six-digit code to the owner of `login` by SMS (and the inbox).

    Silent when no active account matches, so the answer never tells which logins exist.
    A new code replaces older ones; a few per hour at most, so nobody can flood a phone.
    """
    user = selectors.user_by_login(login)
    if user is None or not user.is_active:
        return
    now = timezone.now()
    recent = PasswordResetCode.objects.filter(
        user=user, created_at__gte=now - datetime.timedelta(hours=1)
    )
    if recent.count() >= RESET_CODES_PER_HOUR:
        return
    PasswordResetCode.objects.filter(user=user, used_at__isnull=True).update(used_at=now)
    code = f"{secrets.randbelow(10**6):06d}"
    PasswordResetCode.objects.create(user=user, code_hash=_reset_code_hash(user, code))
    notify(
        recipient=user,
        subject=_("Your Tuoguan password reset code is %(code)s") % {"code": code},
        body=_(
            "The code is valid for 30 minutes. If you did not ask to reset your password, "
            "ignore this message: your password stays as it is."
        ),
        channels=["sms", "console"],
    )


def password_reset_code_check(*, login: str, code: str) -> User | None:
    """The account if `code` is its current, unexpired code; otherwise None.

    Not atomic on purpose: a wrong try must stay counted even though the caller then
    answers with an error. After five wrong tries the code is dead.
    """
    user = selectors.user_by_login(login)
    if user is None or not user.is_active:
        return None
    reset = (
        PasswordResetCode.objects.filter(user=user, used_at__isnull=True)
        .order_by("-created_at", "-pk")
        .first()
    )
    if reset is None or not reset.is_usable():
        return None
    if not constant_time_compare(reset.code_hash, _reset_code_hash(user, code.strip())):
        PasswordResetCode.objects.filter(pk=reset.pk).update(attempts=F("attempts") + 1)
        return None
    return user


@transaction.atomic
def password_changed(*, user: User) -> int:
    """What a new password ends: the account's API tokens (returns how many were revoked).

    Its sessions end with it: Django checks each session against a hash of the password, so
    every browser still logged in with the old one is logged out at its next request (the one
    that changed it keeps its session through `update_session_auth_hash`).
    """
    revoked = tokens_revoke_all(user=user)
    audit_record(
        action=AuditEntry.Action.UPDATE,
        instance=user,
        changed_fields=["password"],
        reason=_("password changed: %(count)d API token(s) revoked, other sessions ended")
        % {"count": revoked},
    )
    return revoked


@transaction.atomic
def password_reset_complete(*, user: User, code: str, password: str) -> User:
    """Set the new password and spend the code; the account's login lockout ends, and so do
    its API tokens and sessions (`password_changed`)."""
    used = PasswordResetCode.objects.filter(
        user=user,
        used_at__isnull=True,
        code_hash=_reset_code_hash(user, code.strip()),
        attempts__lt=5,
        created_at__gt=timezone.now() - datetime.timedelta(minutes=30),
    ).update(used_at=timezone.now())
    if used != 1:
        raise ValidationError({"code": _("This code is wrong or has expired.")})
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.save()
    axes_reset(username=user.username)
    lockout_reset(username=user.username)
    password_changed(user=user)
    return user
