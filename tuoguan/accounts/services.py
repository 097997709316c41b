"""Writes about people: users, workers, children, consent, tokens. Atomic and audited."""

import datetime
import secrets
from collections.abc import Callable
from typing import Any

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
from tuoguan.audit.services import audit_record, audit_view
from tuoguan.notifications.services import notify
from tuoguan.orgs.models import Level, Org
from tuoguan.orgs.permissions import (
    Actor,
    can_change_child,
    can_change_worker,
    covers,
    is_guardian,
    require,
)

from . import selectors
from .models import (
    ApiToken,
    Child,
    ChildConsent,
    ConsentPolicy,
    PasswordResetCode,
    User,
    Worker,
    id_number_validator,
)

CHILD_FIELDS = ("name", "sex", "birth_date", "school", "grade", "relationship")


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


@transaction.atomic
def worker_create(
    *,
    user: User,
    employer: Org,
    member_number: str = "",
    verified_by: User | None = None,
) -> Worker:
    if employer.level != Level.GRASSROOTS:
        raise ValidationError({"employer": _("A worker's employer is a grassroots union.")})
    worker = Worker(user=user, employer=employer, member_number=member_number)
    if verified_by is not None:
        worker.verified, worker.verified_by, worker.verified_at = True, verified_by, timezone.now()
    worker.full_clean(exclude=["user"])
    worker.save()
    return worker


@transaction.atomic
def worker_verify(*, actor: Actor, worker: Worker, verified: bool = True) -> Worker:
    require(can_change_worker(actor, worker))
    worker.verified = verified
    worker.verified_by = actor.user if verified else None
    worker.verified_at = timezone.now() if verified else None
    worker.save()
    return worker


def _check_birth_date(birth_date: datetime.date) -> None:
    today = timezone.localdate()
    if birth_date > today:
        raise ValidationError({"birth_date": _("The birth date cannot be in the future.")})
    if (today - birth_date).days > 18 * 366:
        raise ValidationError({"birth_date": _("A child in the programme is under 18.")})


def _apply_id_number(child: Child, id_number: str | None) -> None:
    if id_number is None:
        return
    child.set_id_number(id_number)
    if child.id_number_index:
        clash = Child.objects.filter(id_number_index=child.id_number_index).exclude(pk=child.pk)
        if clash.exists():
            raise ValidationError(
                {"id_number": _("A child with this ID number is already registered.")}
            )


@transaction.atomic
def child_create(
    *, actor: Actor, guardian: Worker, id_number: str | None = None, **fields: Any
) -> Child:
    """A parent registers a child of their own family (staff never create children)."""
    require(guardian.user_id == actor.user.pk)
    child = Child(guardian=guardian, **{k: fields[k] for k in CHILD_FIELDS if k in fields})
    _check_birth_date(child.birth_date)
    _apply_id_number(child, id_number)
    child.full_clean()
    child.save()
    return child


@transaction.atomic
def child_update(
    *, actor: Actor, child: Child, id_number: str | None = None, **fields: Any
) -> Child:
    require(can_change_child(actor, child))
    for name in CHILD_FIELDS:
        if name in fields:
            setattr(child, name, fields[name])
    _check_birth_date(child.birth_date)
    _apply_id_number(child, id_number)
    child.full_clean()
    child.save()
    return child


@transaction.atomic
def child_delete(*, actor: Actor, child: Child) -> None:
    """A guardian erases a child's record (PIPL Art. 47)."""
    require(can_change_child(actor, child))
    child.delete()


# Later apps (enrolment: a confirmed seat needs consent) react to consent changes in the
# same transaction; accounts cannot import them, so they register here from ready().
_consent_listeners: list[Callable[[Child], None]] = []


def on_consent_change(listener: Callable[[Child], None]) -> None:
    if listener not in _consent_listeners:
        _consent_listeners.append(listener)


def _consent_changed(child: Child) -> None:
    for listener in _consent_listeners:
        listener(child)


def consent_policy_current() -> ConsentPolicy | None:
    return ConsentPolicy.objects.filter(is_current=True).first()


@transaction.atomic
def consent_policy_publish(*, version: str, title: str, text: str) -> ConsentPolicy:
    """A new version becomes current; consents given under older ones no longer count."""
    ConsentPolicy.objects.filter(is_current=True).update(is_current=False)
    policy = ConsentPolicy(version=version, title=title, text=text, is_current=True)
    policy.full_clean()
    policy.save()
    return policy


@transaction.atomic
def consent_grant(
    *, actor: Actor, child: Child, policy: ConsentPolicy, ip: str | None
) -> ChildConsent:
    require(can_change_child(actor, child))
    if not policy.is_current:
        raise ValidationError(_("This version of the policy is no longer current."))
    existing = child.consents.filter(policy=policy, withdrawn_at__isnull=True).first()
    if existing is not None:
        return existing
    consent = ChildConsent.objects.create(child=child, policy=policy, granted_by=actor.user, ip=ip)
    _consent_changed(child)
    return consent


@transaction.atomic
def consent_withdraw(*, actor: Actor, child: Child) -> int:
    require(can_change_child(actor, child))
    withdrawn = 0
    for consent in child.consents.filter(withdrawn_at__isnull=True):
        consent.withdrawn_at = timezone.now()
        consent.save()
        withdrawn += 1
    _consent_changed(child)
    return withdrawn


@transaction.atomic
def token_issue(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token; the key is returned once and only its hash is kept."""
    key = "tg_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name[:60] or "token", prefix=key[:8], key_hash=ApiToken.hash_key(key)
    )
    return token, key


@transaction.atomic
def token_revoke(*, user: User, token: ApiToken) -> ApiToken:
    require(token.user_id == user.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save()
    return token


# --- Family: registration with separate consent, staff reads, export --------------------------

CHILD_VIEW_REASON_MIN, CHILD_VIEW_REASON_MAX = 4, 500


@transaction.atomic
def child_register(
    *,
    actor: Actor,
    guardian: Worker,
    consent: bool,
    ip: str | None,
    id_number: str | None = None,
    **fields: Any,
) -> Child:
    """A parent adds a child and consents under the current policy, both or neither.

    PIPL Art. 29/31: a child's data is processed only with the guardian's separate consent,
    so a child is never stored without it.
    """
    policy = consent_policy_current()
    if policy is None:
        raise ValidationError(
            {"consent": _("No policy on children's data has been published yet; try later.")}
        )
    if not consent:
        raise ValidationError(
            {"consent": _("Your separate consent is needed before we can keep a child's data.")}
        )
    if id_number:
        try:
            id_number_validator(id_number)
        except ValidationError as exc:
            raise ValidationError({"id_number": exc.messages}) from exc
    child = child_create(actor=actor, guardian=guardian, id_number=id_number or None, **fields)
    consent_grant(actor=actor, child=child, policy=policy, ip=ip)
    return child


def child_view_reason_clean(reason: str | None) -> str:
    """The reason staff give before reading a child's record (Minors Online Protection Art. 36)."""
    reason = (reason or "").strip()
    if not CHILD_VIEW_REASON_MIN <= len(reason) <= CHILD_VIEW_REASON_MAX:
        raise ValidationError(
            {
                "reason": _("Say why you need this record in %(min)d to %(max)d characters.")
                % {"min": CHILD_VIEW_REASON_MIN, "max": CHILD_VIEW_REASON_MAX}
            }
        )
    return reason


@transaction.atomic
def child_view(*, actor: Actor, child: Child, reason: str | None) -> Child:
    """Someone other than the guardian reads a child's record: logged with the reason.

    `child` comes from a scoped selector, so visibility is already settled; the guardian's own
    reads are not logged (they are the data subject's representative).
    """
    if is_guardian(actor, child):
        return child
    audit_view(instance=child, reason=child_view_reason_clean(reason))
    return child


# Later apps (enrolment, care…) add their part of a family's data here from AppConfig.ready():
# name → function(worker) returning JSON-serialisable data. Keeps the export complete without
# accounts importing them.
family_export_sections: dict[str, Callable[[Worker], Any]] = {}


def _export_child(child: Child) -> dict[str, Any]:
    return {
        "id": child.pk,
        "name": child.name,
        "sex": child.sex,
        "birth_date": child.birth_date.isoformat(),
        "school": child.school,
        "grade": child.grade,
        "relationship": child.relationship,
        "id_number": child.id_number(),
        "registered_at": child.created_at.isoformat(),
        "consents": [
            {
                "policy_version": c.policy.version,
                "policy_title": c.policy.title,
                "granted_at": c.granted_at.isoformat(),
                "ip": c.ip,
                "withdrawn_at": c.withdrawn_at.isoformat() if c.withdrawn_at else None,
            }
            for c in child.consents.all()
        ],
    }


@transaction.atomic
def family_export(*, actor: Actor, worker: Worker) -> dict[str, Any]:
    """The guardian's copy of the family's data (PIPL Art. 45), ID numbers in clear.

    Only the worker themselves may export; the export is logged like any other disclosure.
    """
    require(worker.user_id == actor.user.pk)
    children = worker.children.order_by("birth_date", "pk").prefetch_related("consents__policy")
    user = worker.user
    data: dict[str, Any] = {
        "exported_at": timezone.now().isoformat(),
        "guardian": {
            "real_name": user.real_name,
            "username": user.username,
            "mobile": user.mobile or "",
            "email": user.email,
            "employer": str(worker.employer),
            "member_number": worker.member_number,
            "membership_verified": worker.verified,
        },
        "children": [_export_child(child) for child in children],
    }
    for name, section in family_export_sections.items():
        data[name] = section(worker)
    audit_record(action=AuditEntry.Action.EXPORT, instance=worker)
    return data


# --- Login and password reset -----------------------------------------------------------------

RESET_CODES_PER_HOUR = 5


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
def password_reset_complete(*, user: User, code: str, password: str) -> User:
    """Set the new password and spend the code; the account's login lockout ends too."""
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
    return user


# --- Workers registered by their union ------------------------------------------------------


def username_for_mobile(mobile: str) -> str:
    """A new account's username: the mobile number itself, unless someone already uses it."""
    if not User.objects.filter(username=mobile).exists():
        return mobile
    return f"{mobile}-{secrets.token_hex(3)}"


def member_number_taken(*, employer: Org, member_number: str, user: User | None = None) -> bool:
    if not member_number:
        return False
    clash = Worker.objects.filter(employer=employer, member_number=member_number)
    if user is not None and user.pk is not None:
        clash = clash.exclude(user=user)
    return clash.exists()


@transaction.atomic
def worker_register(
    *,
    actor: Actor,
    real_name: str,
    mobile: str,
    employer: Org,
    member_number: str = "",
    password: str | None = None,
    verified: bool = True,
) -> Worker:
    """A union admin registers a worker of a grassroots union in their subtree."""
    require(actor.is_admin and covers(actor, employer))
    if User.objects.filter(mobile=mobile).exists():
        raise ValidationError({"mobile": _("An account with this mobile number already exists.")})
    if member_number_taken(employer=employer, member_number=member_number):
        raise ValidationError(
            {"member_number": _("This member number is already used in this union.")}
        )
    user = user_create(
        username=username_for_mobile(mobile), real_name=real_name, password=password, mobile=mobile
    )
    return worker_create(
        user=user,
        employer=employer,
        member_number=member_number,
        verified_by=actor.user if verified else None,
    )
