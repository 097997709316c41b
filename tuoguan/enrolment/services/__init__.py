"""Writes of the enrolment app: atomic, keyword-only, audited (AuditedModel) and notifying.

Split by area; import from here (`from tuoguan.enrolment import services`). Paperwork
services live in `services/paperwork.py`.
"""

from .allocation import (
    EligibilityError,
    enrolment_admit_manually,
    enrolment_apply,
    enrolment_priority_check,
    priority_tiers,
    tier_of,
)
from .draws import draw_differences, draw_run, draw_verify, draws_run
from .eligibility import (
    Refusal,
    check_eligibility,
    register_attendance_provider,
    rules_for,
    season_of,
)
from .idempotency import (
    form_token_consume,
    form_token_issue,
    idempotency_purge,
)
from .lottery import DrawInputs, DrawOutcome, draw
from .offers import (
    enrolment_capacity_sync,
    enrolment_remove,
    enrolment_withdraw,
    offer_accept,
    offer_decline,
    offers_dispatch,
    offers_expire,
    offers_remind,
)
from .seats import seat_pools_ensure

__all__ = [
    "DrawInputs",
    "DrawOutcome",
    "EligibilityError",
    "Refusal",
    "check_eligibility",
    "draw",
    "draw_differences",
    "draw_run",
    "draw_verify",
    "draws_run",
    "enrolment_admit_manually",
    "enrolment_apply",
    "enrolment_capacity_sync",
    "enrolment_priority_check",
    "enrolment_remove",
    "enrolment_withdraw",
    "form_token_consume",
    "form_token_issue",
    "idempotency_purge",
    "offer_accept",
    "offer_decline",
    "offers_dispatch",
    "offers_expire",
    "offers_remind",
    "priority_tiers",
    "register_attendance_provider",
    "rules_for",
    "season_of",
    "seat_pools_ensure",
    "tier_of",
]
