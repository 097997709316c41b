"""Consent to processing a child's data: the published policy, grants and withdrawals."""

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoguan.orgs.permissions import Actor, can_change_child, require

from ..models import Child, ChildConsent, ConsentPolicy

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
