"""A class's daily care rules (CarePolicy): alert times, the fever line, the symptoms it asks
besides its standard's, and when the same symptom in several children raises an epidemic flag."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoguan.orgs.permissions import Actor, require
from tuoguan.programs.models import Program
from tuoguan.programs.services.programs import validated

from ..models import SYMPTOMS, CarePolicy
from ..permissions import can_manage_kiosks
from .common import policy_for
from .liveview import day_changed

EDITABLE = (
    "absent_alert_minutes",
    "late_pickup_minutes",
    "fever_from",
    "symptoms",
    "epidemic_children",
    "epidemic_days",
    "families_see_group_photos",
)


@transaction.atomic
def care_policy_update(*, actor: Actor, program: Program, **values: Any) -> CarePolicy:
    """Change the class's rules; every field is checked before anything is saved."""
    require(can_manage_kiosks(actor, program))
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise TypeError(f"{sorted(unknown)[0]} cannot be set here")
    policy = CarePolicy.objects.select_for_update().get(pk=policy_for(program).pk)
    if "symptoms" in values:
        chosen = values["symptoms"]
        if not isinstance(chosen, list | tuple) or set(chosen) - set(SYMPTOMS):
            raise ValidationError({"symptoms": _("Choose symptoms from the list.")})
        values["symptoms"] = [code for code in SYMPTOMS if code in chosen]
    shown_before = policy.families_see_group_photos
    for name, value in values.items():
        setattr(policy, name, value)
    validated(policy)
    policy.save()
    if policy.families_see_group_photos != shown_before:
        # Untagged group photos appear or vanish on every family's live view of today.
        today = timezone.localdate()
        for term in program.terms.filter(start_date__lte=today, end_date__gte=today):
            day_changed(date=today, term=term)
    program._care_policy = policy  # type: ignore[attr-defined]
    return policy
