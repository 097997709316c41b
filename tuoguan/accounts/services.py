"""Writes about people: users, workers, children, consent, tokens. Atomic and audited."""

import datetime
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoguan.orgs.models import Level, Org
from tuoguan.orgs.permissions import Actor, can_change_child, can_change_worker, require

from .models import ApiToken, Child, ChildConsent, ConsentPolicy, User, Worker

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
    return ChildConsent.objects.create(child=child, policy=policy, granted_by=actor.user, ip=ip)


@transaction.atomic
def consent_withdraw(*, actor: Actor, child: Child) -> int:
    require(can_change_child(actor, child))
    withdrawn = 0
    for consent in child.consents.filter(withdrawn_at__isnull=True):
        consent.withdrawn_at = timezone.now()
        consent.save()
        withdrawn += 1
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
