"""Rules for inspection visits, the inspector's checklist, rectification orders and the glance.

The Liaoning visits are planned by the province and inspected by its admin (the Sichuan
ones by the outsider); the class's host acknowledges and answers; the reviewer reads.
"""

from .base import (
    ALLOWED,
    ANY_USER,
    STAFF_READ_SUBTREE,
    api,
    as_write,
    everyone,
    form,
    outcomes,
    own_text,
    page,
)

STAFF_ONLY = outcomes(200, parent=403, other_parent=403)
PLANNERS = outcomes(403, province_admin=200, city_admin=200, outsider=200)
SUPERVISORS = outcomes(403, admins=200, reviewer=200, outsider=200)
# Only the visit's inspector; everyone else who sees the visit is refused.
INSPECTOR = outcomes(
    404, province_admin=200, city_admin=403, grassroots_admin=403, caregiver=403, reviewer=403
)
INSPECTOR_WRITE = outcomes(
    404, province_admin=ALLOWED, city_admin=403, grassroots_admin=403, caregiver=403, reviewer=403
)
# The class's host: its admin acknowledges and answers; the unions above do not.
AT_CLASS = outcomes(
    404, province_admin=403, city_admin=403, grassroots_admin=200, caregiver=403, reviewer=403
)
AT_CLASS_WRITE = outcomes(
    404, province_admin=403, city_admin=403, grassroots_admin=ALLOWED, caregiver=403, reviewer=403
)
# The union that planned the visit (and its inspector) decides: here both are the province.
PLANNER_CHANGE = INSPECTOR_WRITE
PUBLIC_SCRIPT = everyone(200)

RULES = {
    # --- visits ---------------------------------------------------------------------------
    "supervision:visit_list": page(STAFF_ONLY, role_gate=True, hides_text=own_text("term", "name")),
    "supervision:my_visits": page(STAFF_ONLY, role_gate=True),
    "supervision:visit_calendar": page(STAFF_ONLY, role_gate=True),
    "supervision:visit_create": form(page(PLANNERS, role_gate=True)),
    "supervision:visit_plan_season": form(page(PLANNERS, role_gate=True)),
    "supervision:visit_detail": page(STAFF_READ_SUBTREE, obj="visit"),
    "supervision:visit_cancel": page(PLANNER_CHANGE, method="POST", obj="visit"),
    "supervision:visit_report": page(
        STAFF_READ_SUBTREE,
        obj="signed_visit",
        stubs=("tuoguan.supervision.views.visits.visit_pdf",),
    ),
    "supervision:photo": page(STAFF_READ_SUBTREE, obj="visit_photo"),
    # --- the inspector's checklist ----------------------------------------------------------
    "supervision:visit_inspect": form(page(INSPECTOR, obj="visit")),
    "supervision:visit_start": page(INSPECTOR_WRITE, method="POST", obj="visit"),
    "supervision:visit_answer": page(INSPECTOR_WRITE, method="POST", obj="visit"),
    "supervision:visit_item_add": page(INSPECTOR_WRITE, method="POST", obj="visit"),
    "supervision:visit_sign": form(page(INSPECTOR, obj="visit")),
    "supervision:visit_acknowledge": form(page(AT_CLASS, obj="signed_visit")),
    "supervision:service_worker": page(PUBLIC_SCRIPT, public=True),
    "supervision:sync_token": page(PUBLIC_SCRIPT, public=True),
    # --- rectification orders -----------------------------------------------------------------
    "supervision:rectification_list": page(
        STAFF_ONLY, role_gate=True, hides_text=own_text("term", "name")
    ),
    "supervision:rectification_detail": page(STAFF_READ_SUBTREE, obj="rectification"),
    "supervision:rectification_answer": form(page(AT_CLASS, obj="rectification")),
    "supervision:rectification_review": form(page(INSPECTOR, obj="answered_rectification")),
    "supervision:rectification_extend": form(page(INSPECTOR, obj="rectification")),
    "supervision:rectification_reassign": form(page(INSPECTOR, obj="rectification")),
    "supervision:rectification_evidence": page(STAFF_READ_SUBTREE, obj="rectification_evidence"),
    # --- the region at a glance ----------------------------------------------------------------
    "supervision:glance": page(SUPERVISORS, role_gate=True),
    "supervision:glance_export": page(SUPERVISORS, role_gate=True),
    # --- API ---------------------------------------------------------------------------------
    "visit-list": (
        api(ANY_USER, hides="visit", hides_detail="visit-detail"),
        as_write(api(PLANNERS, role_gate=True)),
    ),
    "visit-plan-season": as_write(api(PLANNERS, role_gate=True)),
    "visit-glance": api(SUPERVISORS, role_gate=True),
    "visit-detail": api(STAFF_READ_SUBTREE, obj="visit"),
    "visit-checklist": api(STAFF_READ_SUBTREE, obj="visit"),
    "visit-answers": api(INSPECTOR_WRITE, method="POST", obj="visit"),
    "visit-photos": api(INSPECTOR_WRITE, method="POST", obj="visit"),
    "visit-items": api(INSPECTOR_WRITE, method="POST", obj="visit"),
    "visit-start": api(INSPECTOR_WRITE, method="POST", obj="visit"),
    "visit-sign": api(INSPECTOR_WRITE, method="POST", obj="visit"),
    "visit-acknowledge": api(AT_CLASS_WRITE, method="POST", obj="signed_visit"),
    "rectification-list": api(ANY_USER, hides="rectification", hides_detail="rectification-detail"),
    "rectification-detail": api(STAFF_READ_SUBTREE, obj="rectification"),
    "rectification-answer": api(AT_CLASS_WRITE, method="POST", obj="rectification"),
    "rectification-accept": api(INSPECTOR_WRITE, method="POST", obj="answered_rectification"),
    "rectification-send-back": api(INSPECTOR_WRITE, method="POST", obj="answered_rectification"),
    "rectification-extend": api(INSPECTOR_WRITE, method="POST", obj="rectification"),
    "rectification-reassign": api(INSPECTOR_WRITE, method="POST", obj="rectification"),
}
