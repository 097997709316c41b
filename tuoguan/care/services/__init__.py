"""Writes of the care app: atomic, keyword-only, audited (AuditedModel) and notifying.

Split by area; import from here (`from tuoguan.care import services`).
"""

from .alerts import care_alerts
from .attendance import (
    PickupRefused,
    absence_report,
    absence_withdraw,
    attendance_check_in,
    attendance_check_in_by_code,
    attendance_check_out,
    attendance_check_out_by_code,
    attendance_correct,
    day_close,
    paperwork_notify,
    pickup_code_issue,
    pickup_refuse,
    temporary_pickup_add,
)
from .cameras import camera_heartbeat, camera_save, camera_watch
from .common import policy_for
from .duty import duty_clock_in, duty_clock_out, group_ratio, ratio_sync
from .health import epidemic_check, health_check_override, health_check_record
from .incidents import (
    drill_record,
    emergency_plan_save,
    incident_acknowledge,
    incident_action_add,
    incident_close,
    incident_report,
    incidents_remind,
    notice_for,
)
from .inspections import (
    checklist_for,
    checklist_save,
    inspection_follow_up_close,
    inspection_follow_ups_alert,
    inspection_record,
)
from .kiosk import kiosk_authenticate, kiosk_issue, kiosk_revoke
from .meals import (
    dish_add,
    dish_remove,
    food_sample_discard,
    food_sample_keep,
    menu_copy_week,
    supplier_save,
)
from .online import (
    contest_score_save,
    online_attendance_record,
    online_session_join,
    online_session_save,
)
from .photos import (
    media_consent_of,
    media_consent_set,
    photo_consents,
    photo_remove,
    photos_post,
    taggable_enrolments,
)
from .rules import care_policy_update

__all__ = [
    "PickupRefused",
    "absence_report",
    "absence_withdraw",
    "attendance_check_in",
    "attendance_check_in_by_code",
    "attendance_check_out",
    "attendance_check_out_by_code",
    "attendance_correct",
    "camera_heartbeat",
    "camera_save",
    "camera_watch",
    "care_alerts",
    "care_policy_update",
    "checklist_for",
    "checklist_save",
    "contest_score_save",
    "day_close",
    "dish_add",
    "dish_remove",
    "drill_record",
    "duty_clock_in",
    "duty_clock_out",
    "emergency_plan_save",
    "epidemic_check",
    "food_sample_discard",
    "food_sample_keep",
    "group_ratio",
    "health_check_override",
    "health_check_record",
    "incident_acknowledge",
    "incident_action_add",
    "incident_close",
    "incident_report",
    "incidents_remind",
    "inspection_follow_up_close",
    "inspection_follow_ups_alert",
    "inspection_record",
    "kiosk_authenticate",
    "kiosk_issue",
    "kiosk_revoke",
    "media_consent_of",
    "media_consent_set",
    "menu_copy_week",
    "notice_for",
    "online_attendance_record",
    "online_session_join",
    "online_session_save",
    "paperwork_notify",
    "photo_consents",
    "photo_remove",
    "photos_post",
    "pickup_code_issue",
    "pickup_refuse",
    "policy_for",
    "ratio_sync",
    "supplier_save",
    "taggable_enrolments",
    "temporary_pickup_add",
]
