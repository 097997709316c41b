"""What every care service reads: the class's rules, today's care day, who is told, once."""

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from tuoguan.notifications.services import notify
from tuoguan.orgs.models import Membership, Role
from tuoguan.programs.models import Group, GroupKind, StaffRole, Term, TermStaff
from tuoguan.programs.services.lifecycle import host_staff

from ..models import CareAlert, CarePolicy
from ..selectors import care_days


def policy_for(program: Any) -> CarePolicy:
    """The class's daily care rules, created with the defaults the first time."""
    cached = getattr(program, "_care_policy", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    policy, _created = CarePolicy.objects.get_or_create(program=program)
    program._care_policy = policy
    return policy


def is_toddler_group(group: Group | None) -> bool:
    return group is not None and group.kind != GroupKind.SCHOOL


def is_care_day(term: Term, day: datetime.date) -> bool:
    return care_days(term, day).exists()


def require_care_day(term: Term, day: datetime.date, *, known: bool | None = None) -> None:
    """Refuse unless `day` is a care day of the term (`known`: the caller read it already)."""
    if not (is_care_day(term, day) if known is None else known):
        raise ValidationError(
            _("%(date)s is not a care day of %(term)s.")
            % {"date": date_format(day), "term": term.name},
            code="not_care_day",
        )


def local_time(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%H:%M")


def class_managers(term: Term) -> list[Any]:
    """The class managers of the term (its roster's, the host's); the host's admins if none."""
    users = [
        s.user
        for s in TermStaff.objects.filter(term=term, role=StaffRole.MANAGER).select_related("user")
    ]
    users += [
        m.user
        for m in Membership.objects.filter(
            org=term.program.host, role=Role.PROGRAM_MANAGER, is_active=True
        ).select_related("user")
    ]
    return _unique(users) or host_staff(term)


def host_union(term: Term) -> list[Any]:
    """The host union's admins and class managers."""
    return host_staff(term)


def guardians_of(child: Any) -> list[Any]:
    return [child.guardian.user]


def _unique(users: Iterable[Any]) -> list[Any]:
    seen: dict[int, Any] = {}
    for user in users:
        seen.setdefault(user.pk, user)
    return list(seen.values())


def tell(
    users: Iterable[Any], *, subject: str, body: str = "", url: str = "", batched: bool = False
) -> int:
    """Notify each person once (`batched`: see notifications.notify); returns how many."""
    told = _unique(users)
    for user in told:
        notify(recipient=user, subject=subject, body=body, url=url, batched=batched)
    return len(told)


def fire_once(*, kind: str, key: str, term: Term, day: datetime.date) -> CareAlert | None:
    """Record that an alert goes out; None when it already went (the key is unique)."""
    try:
        with transaction.atomic():
            return CareAlert.objects.create(kind=kind, key=key[:120], term=term, date=day)
    except IntegrityError:
        return None


def child_today_url(enrolment: Any) -> str:
    return reverse("care:child_today", kwargs={"pk": enrolment.pk})


def group_day_url(group: Group) -> str:
    return reverse("care:group_day", kwargs={"pk": group.pk})
