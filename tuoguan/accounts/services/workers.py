"""Workers: their records, member verification, and registration by their union."""

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoguan.orgs.models import Level, Org
from tuoguan.orgs.permissions import Actor, can_change_worker, covers, require

from ..models import User, Worker
from .users import user_create


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
