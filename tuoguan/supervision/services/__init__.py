"""Writes of the supervision app: atomic, keyword-only, audited (AuditedModel) and notifying.

Split by area; import from here (`from tuoguan.supervision import services`).
"""

from .checklist import AnswerOutcome, visit_answers_sync, visit_item_add, visit_photo_add
from .plan import SeasonPlan, visits_plan_season
from .rectifications import (
    rectification_accept,
    rectification_answer,
    rectification_extend,
    rectification_reassign,
    rectification_send_back,
    rectifications_alert_overdue,
)
from .visits import (
    OrderTerms,
    checklist_build,
    default_deadline,
    visit_acknowledge,
    visit_cancel,
    visit_plan,
    visit_sign,
    visit_start,
)

__all__ = [
    "AnswerOutcome",
    "OrderTerms",
    "SeasonPlan",
    "checklist_build",
    "default_deadline",
    "rectification_accept",
    "rectification_answer",
    "rectification_extend",
    "rectification_reassign",
    "rectification_send_back",
    "rectifications_alert_overdue",
    "visit_acknowledge",
    "visit_answers_sync",
    "visit_cancel",
    "visit_item_add",
    "visit_photo_add",
    "visit_plan",
    "visit_sign",
    "visit_start",
    "visits_plan_season",
]
