"""Writes of the programs app: atomic, keyword-only, audited (AuditedModel) and notifying.

Split by area; import from here (`from tuoguan.programs import services`).
"""

from .calendar import (
    calendar_announce_year,
    calendar_ensure_years,
    calendar_seed_year,
    calendar_set_day,
)
from .days import term_day_add, term_day_remove, term_days_generate
from .evidence import evidence_review, evidence_upload
from .lifecycle import (
    approval_failures,
    term_approve,
    term_close,
    term_open_enrolment,
    term_redraft,
    term_reject,
    term_reopen_approval,
    term_start,
    term_submit,
)
from .programs import (
    photo_remove,
    program_create,
    program_photo_add,
    program_update,
    venue_create,
    venue_photo_add,
    venue_update,
)
from .standards import (
    criterion_add,
    criterion_remove,
    criterion_update,
    standard_create,
    standard_ensure_national_default,
    standard_new_version,
    standard_publish,
    standard_update,
    term_rejudge,
)
from .terms import (
    GroupValidationError,
    group_create,
    group_delete,
    group_update,
    term_create,
    term_create_with_groups,
    term_staff_add,
    term_staff_remove,
    term_update,
)

__all__ = [
    "GroupValidationError",
    "approval_failures",
    "calendar_announce_year",
    "calendar_ensure_years",
    "calendar_seed_year",
    "calendar_set_day",
    "criterion_add",
    "criterion_remove",
    "criterion_update",
    "evidence_review",
    "evidence_upload",
    "group_create",
    "group_delete",
    "group_update",
    "photo_remove",
    "program_create",
    "program_photo_add",
    "program_update",
    "standard_create",
    "standard_ensure_national_default",
    "standard_new_version",
    "standard_publish",
    "standard_update",
    "term_approve",
    "term_close",
    "term_create",
    "term_create_with_groups",
    "term_day_add",
    "term_day_remove",
    "term_days_generate",
    "term_open_enrolment",
    "term_redraft",
    "term_reject",
    "term_rejudge",
    "term_reopen_approval",
    "term_staff_add",
    "term_staff_remove",
    "term_start",
    "term_submit",
    "term_update",
    "venue_create",
    "venue_photo_add",
    "venue_update",
]
