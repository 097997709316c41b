"""Health notes: allergies, conditions and medication, declared by the guardian.

Sensitive personal information of a child (PIPL Art. 28): besides the guardian, only the
class's caregivers read it — the term's staff roster and the class managers and caregivers
of the host's line — and only while the term runs. Every staff read is in the audit log
(Regulation on the online protection of minors, Art. 36).
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoguan.audit.services import audit_view
from tuoguan.orgs.permissions import Actor, require

from ..models import Enrolment, HealthNote
from ..paperwork_status import (
    check_paperwork_open,
    health_note_closed,
)
from ..permissions import is_family
from .paperwork import enrolment_sync_confirmation

MAX_TEXT = 2000


class HealthNoteClosed(PermissionDenied):
    """A caregiver asked outside the term: 403, with the reason for the page to show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def health_note_of(enrolment: Enrolment) -> HealthNote | None:
    return HealthNote.objects.filter(enrolment=enrolment).first()


def health_note_read(*, actor: Actor, enrolment: Enrolment) -> HealthNote | None:
    """The note for its reader: the guardian any time; a caregiver during the term, audited.

    Anyone else who can see the enrolment gets 403 (PermissionDenied).
    """
    if is_family(actor, enrolment):
        return health_note_of(enrolment)
    closed = health_note_closed(actor, enrolment)
    if closed:
        raise HealthNoteClosed(closed)
    note = health_note_of(enrolment)
    if note is not None:
        audit_view(instance=note, reason=_("health note read by the class's caregiver"))
    return note


def _check(fields: dict[str, str], declared: bool) -> dict[str, str]:
    errors = {
        name: _("Write at most %(max)s characters.") % {"max": MAX_TEXT}
        for name, value in fields.items()
        if len(value) > MAX_TEXT
    }
    if declared is not True:
        errors["declared"] = _("Tick the box to declare that the note is true and complete.")
    return errors


@transaction.atomic
def health_note_save(
    *,
    actor: Actor,
    enrolment: Enrolment,
    allergies: str,
    conditions: str,
    medication: str,
    declared: bool,
) -> HealthNote:
    """The guardian writes the note and declares it; empty fields mean "none"."""
    require(is_family(actor, enrolment))
    check_paperwork_open(enrolment)
    fields = {
        "allergies": (allergies or "").strip(),
        "conditions": (conditions or "").strip(),
        "medication": (medication or "").strip(),
    }
    errors = _check(fields, declared)
    if errors:
        raise ValidationError(errors)
    note = HealthNote.objects.select_for_update().filter(enrolment=enrolment).first()
    note = note or HealthNote(enrolment=enrolment)
    for name, value in fields.items():
        setattr(note, name, value)
    note.declared, note.declared_at = True, timezone.now()
    note.save()
    enrolment_sync_confirmation(enrolment=enrolment)
    return note


def health_note_initial(note: HealthNote | None) -> dict[str, Any]:
    if note is None:
        return {}
    return {
        "allergies": note.allergies,
        "conditions": note.conditions,
        "medication": note.medication,
    }
