"""Rules for daily care: the caregivers' pages at the door, the family's, the kiosk, the API.

A group's day is for the host line's admins and managers and the caregivers on the term's
roster (the caregiver persona is rostered in the world); a reviewer of the subtree sees that
the group exists (403) but reads nothing of the children. Families reach only their own
child's pages. The kiosk's pages take a device token in the session, never a user.
"""

from .base import (
    ALLOWED,
    API_DENIED,
    STAFF_READ_SUBTREE,
    Rule,
    api,
    as_write,
    everyone,
    form,
    outcomes,
    page,
)

# Acting at the door: admins of the host line, the rostered caregiver; the reviewer: 403.
CARE = outcomes(404, admins=200, caregiver=200, reviewer=403)
CARE_ACT = outcomes(404, admins=ALLOWED, caregiver=ALLOWED, reviewer=403)
# Overrides, corrections, telling parents, kiosks: the class's managers (admins here).
MANAGE = outcomes(404, admins=200, caregiver=403, reviewer=403)
MANAGE_ACT = outcomes(404, admins=ALLOWED, caregiver=403, reviewer=403)
FAMILY = outcomes(404, parent=200)
FAMILY_ACT = outcomes(404, parent=ALLOWED)
# Menus and food samples: those who work in the class; the manager plans the menus.
MEALS = outcomes(404, admins=200, caregiver=200)
MEALS_MANAGE = outcomes(404, admins=ALLOWED, caregiver=403)
MEALS_ADMIN = outcomes(404, admins=200, caregiver=403)
# The API reads only the groups one works in: a reviewer finds nothing (404).
API_READ = outcomes(404, admins=200, caregiver=200)
API_ACT = outcomes(404, admins=ALLOWED, caregiver=ALLOWED)
# Photos of the day: those who work in the class, and the family of a child tagged (the world's
# photo tags the parent's child, who has photo consent); a reviewer finds nothing (404).
PHOTO_READ = outcomes(404, admins=200, caregiver=200, parent=200)
# Deleting one: its author (the caregiver) or the class's managers; the family sees it (403).
PHOTO_REMOVE = outcomes(404, admins=ALLOWED, caregiver=ALLOWED, parent=403)
# A camera view's signed link: only its watcher reaches it, and without the token is refused.
LINK = outcomes(404, parent=403)
CAMERA_READ = outcomes(404, admins=200, caregiver=200, reviewer=200, parent=200)

RULES: dict[str, Rule | tuple[Rule, ...]] = {
    # --- the caregivers' pages ----------------------------------------------------------
    "care:today": page(everyone(200), note="each sees only the groups they work in"),
    "care:group_day": page(CARE, obj="care_group"),
    "care:health_summary": page(CARE, obj="care_group"),
    "care:day_notes": form(page(CARE, obj="care_group")),
    "care:scan": page(CARE_ACT, method="POST", obj="care_group"),
    "care:duty": page(CARE_ACT, method="POST", obj="care_group"),
    "care:close_day": page(CARE_ACT, method="POST", obj="care_group"),
    "care:check_in": page(CARE_ACT, method="POST", obj="care_enrolment"),
    "care:health_check": form(page(CARE, obj="care_enrolment")),
    "care:notify_paperwork": page(MANAGE_ACT, method="POST", obj="care_enrolment"),
    "care:health_override": form(page(MANAGE, obj="health_check")),
    "care:check_out": form(page(CARE, obj="attendance")),
    "care:correct": form(page(MANAGE, obj="attendance")),
    "care:rates": page(CARE, obj="care_term"),
    "care:kiosks": form(page(MANAGE, obj="care_program")),
    "care:rules": form(page(MANAGE, obj="care_program")),
    "care:kiosk_revoke": page(MANAGE_ACT, method="POST", obj="kiosk_device"),
    # --- incidents, emergency plans, drills ---------------------------------------------
    "care:incidents": page(everyone(200), note="each sees the incidents of their classes"),
    "care:incident_report": form(page(CARE, obj="care_term")),
    # The guardian told is sent to the acknowledgement page; a reviewer reads nothing.
    "care:incident": page(
        outcomes(404, admins=200, caregiver=200, reviewer=403, parent=302), obj="incident"
    ),
    "care:incident_acknowledge": form(
        page(outcomes(404, grassroots_admin=200, parent=200), obj="incident")
    ),
    # The guardian told finds the incident but may not act on it (403).
    "care:incident_action": page(
        outcomes(404, admins=ALLOWED, caregiver=ALLOWED, reviewer=403, parent=403),
        method="POST",
        obj="incident",
    ),
    "care:incident_close": page(
        outcomes(404, admins=ALLOWED, caregiver=403, reviewer=403, parent=403),
        method="POST",
        obj="incident",
    ),
    "care:emergency": page(MANAGE, obj="care_program"),
    "care:emergency_plan": form(
        page(MANAGE, obj="emergency_plan", kwarg={"pk": "program_id", "kind": "kind"})
    ),
    "care:drill": form(page(MANAGE, obj="care_term")),
    # --- meals, food samples, suppliers --------------------------------------------------
    # Meals are for those who work in the class: anyone else (the reviewer too) finds nothing.
    "care:menus": page(MEALS, obj="care_term"),
    "care:dish_add": page(MEALS_MANAGE, method="POST", obj="care_term"),
    "care:menu_copy": page(MEALS_MANAGE, method="POST", obj="care_term"),
    "care:dish_remove": page(MEALS_MANAGE, method="POST", obj="dish"),
    "care:samples": page(MEALS, obj="care_term"),
    "care:sample_keep": page(API_ACT, method="POST", obj="dish"),
    "care:sample_discard": page(API_ACT, method="POST", obj="food_sample"),
    "care:suppliers": form(page(MEALS_ADMIN, obj="care_program")),
    # --- daily safety inspection --------------------------------------------------------
    "care:inspection_new": form(page(CARE, obj="care_term")),
    "care:inspections": page(CARE, obj="care_term"),
    "care:inspection": page(CARE, obj="safety_check"),
    "care:inspection_follow_up": form(page(CARE, obj="safety_check_follow_up")),
    "care:checklist": form(page(outcomes(404, admins=200, caregiver=403, reviewer=403), obj="org")),
    # --- photos of the day -------------------------------------------------------------
    "care:group_photos": form(page(CARE, obj="care_group")),
    "care:photo_remove": page(PHOTO_REMOVE, method="POST", obj="photo"),
    "care:photo_image": page(PHOTO_READ, obj="photo"),
    "care:photo_thumbnail": page(PHOTO_READ, obj="photo"),
    "care:child_photos": page(FAMILY, obj="care_enrolment"),
    "care:media_consent": form(page(FAMILY, obj="care_enrolment")),
    # --- room cameras: the class's managers register them and read who watched; a guardian
    # opens a signed link (its pages refuse without the token: 403 to its watcher only) ------
    "care:cameras": form(page(MANAGE, obj="care_program")),
    "care:camera_views": page(MANAGE, obj="care_program"),
    "care:camera_edit": form(page(MANAGE, obj="camera")),
    "care:camera_watch": page(
        FAMILY_ACT,
        method="POST",
        obj="camera",
        note="refused outside hours: back to the family page",
    ),
    "care:camera_player": page(LINK, obj="camera_view", note="no token: refused"),
    "care:camera_playlist": page(LINK, obj="camera_view", note="no token: refused"),
    "care:camera_segment": page(
        LINK, obj="camera_view", kwarg={"pk": "pk", "n": "pk"}, note="no token: refused"
    ),
    "care:camera_heartbeat": page(LINK, method="POST", obj="camera_view"),
    # --- online sessions: the term's carers schedule and record; a guardian joins -------
    "care:online_sessions": form(page(CARE, obj="care_term")),
    "care:online_session": page(CARE, obj="online_session"),
    "care:online_attend": page(CARE_ACT, method="POST", obj="online_session"),
    "care:online_score": page(CARE_ACT, method="POST", obj="online_session"),
    "care:online_join": page(
        FAMILY_ACT, method="POST", obj="online_session", note="recorded, then off to the link"
    ),
    # --- the family's pages -------------------------------------------------------------
    "care:family": page(everyone(200), note="one's own children only"),
    "care:child_today": page(FAMILY, obj="care_enrolment"),
    "care:child_history": page(FAMILY, obj="care_enrolment"),
    "care:absence": form(page(FAMILY, obj="care_enrolment")),
    "care:temporary_pickup": form(page(FAMILY, obj="care_enrolment")),
    "care:pickup_code": page(FAMILY_ACT, method="POST", obj="care_enrolment"),
    # --- the kiosk: a device token in the session, no user --------------------------------
    "care:kiosk": page(
        everyone(200), public=True, note="the sign-in form until a device token is entered"
    ),
    "care:kiosk_scan": page(
        everyone(ALLOWED),
        method="POST",
        public=True,
        note="without a kiosk session it only sends the tablet to the sign-in form",
    ),
    "care:kiosk_signout": page(everyone(ALLOWED), method="POST", public=True),
    # --- the API ------------------------------------------------------------------------
    "attendance-list": (
        api(everyone(200), hides="attendance", hides_detail="attendance-detail"),
        as_write(api(everyone(200)), note="the body is validated first: 400"),
    ),
    "attendance-detail": api(API_READ, obj="attendance"),
    "attendance-check-out": api(API_ACT, method="POST", obj="attendance"),
    "attendance-refuse": api(API_ACT, method="POST", obj="attendance"),
    "health-check-list": (
        api(everyone(200), hides="health_check", hides_detail="health-check-detail"),
        as_write(api(everyone(200)), note="the body is validated first: 400"),
    ),
    "health-check-detail": api(API_READ, obj="health_check"),
    "health-check-admit": api(
        outcomes(404, admins=ALLOWED, caregiver=403), method="POST", obj="health_check"
    ),
    "duty-list": (
        api(everyone(200), hides="duty_shift", hides_detail="duty-detail"),
        as_write(api(everyone(200)), note="the body is validated first: 400"),
    ),
    "duty-detail": api(API_READ, obj="duty_shift"),
    "duty-clock-out": api(API_ACT, method="POST", obj="duty_shift"),
    "incident-list": (
        api(everyone(200), hides="incident", hides_detail="incident-detail"),
        as_write(api(everyone(200)), note="the body is validated first: 400"),
    ),
    "incident-detail": api(
        outcomes(404, admins=200, caregiver=200, reviewer=403, parent=200), obj="incident"
    ),
    "incident-acknowledge": api(
        outcomes(404, grassroots_admin=ALLOWED, parent=ALLOWED), method="POST", obj="incident"
    ),
    "incident-follow-up": api(
        outcomes(404, admins=ALLOWED, caregiver=ALLOWED, reviewer=403, parent=403),
        method="POST",
        obj="incident",
    ),
    "incident-close": api(
        outcomes(404, admins=ALLOWED, caregiver=403, reviewer=403, parent=403),
        method="POST",
        obj="incident",
    ),
    "drill-list": (
        api(everyone(200), hides="drill", hides_detail="drill-detail"),
        as_write(api(everyone(200)), note="the body is validated first: 400"),
    ),
    "drill-detail": api(STAFF_READ_SUBTREE, obj="drill"),
    "emergency-plan-list": (
        api(everyone(200), hides="emergency_plan", hides_detail="emergency-plan-detail"),
        as_write(api(everyone(200)), note="the body is validated first: 400"),
    ),
    "emergency-plan-detail": api(STAFF_READ_SUBTREE, obj="emergency_plan"),
    "meal-list": (
        api(everyone(200), hides="meal", hides_detail="meal-detail"),
        as_write(api(everyone(200)), note="the body is validated first: 400"),
    ),
    "meal-detail": api(API_READ, obj="meal"),
    "food-sample-list": (
        api(everyone(200), hides="food_sample", hides_detail="food-sample-detail"),
        as_write(api(everyone(200)), note="the body is validated first: 400"),
    ),
    "food-sample-detail": api(API_READ, obj="food_sample"),
    "food-sample-discard": api(API_ACT, method="POST", obj="food_sample"),
    "supplier-list": (
        api(everyone(200), hides="supplier", hides_detail="supplier-detail"),
        as_write(api(everyone(200)), note="the body is validated first: 400"),
    ),
    "supplier-detail": api(API_READ, obj="supplier"),
    "safety-check-list": (
        api(everyone(200), hides="safety_check", hides_detail="safety-check-detail"),
        as_write(api(everyone(200)), note="the body is validated first: 400"),
    ),
    "safety-check-detail": api(STAFF_READ_SUBTREE, obj="safety_check"),
    "safety-check-follow-up-list": api(
        everyone(200), hides="safety_check_follow_up", hides_detail="safety-check-follow-up-detail"
    ),
    "safety-check-follow-up-detail": api(STAFF_READ_SUBTREE, obj="safety_check_follow_up"),
    # The caregiver who inspected owns the follow-up.
    "safety-check-follow-up-close": api(
        outcomes(404, admins=ALLOWED, caregiver=ALLOWED, reviewer=403),
        method="POST",
        obj="safety_check_follow_up",
    ),
    "day-note-list": (
        api(everyone(200), hides="day_note", hides_detail="day-note-detail"),
        as_write(api(everyone(200)), note="the body is validated first: 400"),
    ),
    "day-note-detail": api(API_READ, obj="day_note"),
    # The family's live view of the child's day (the child's place, as on the page).
    "child-today": api(FAMILY, obj="care_enrolment"),
    "photo-list": (
        api(everyone(200), hides="photo", hides_detail="photo-detail"),
        as_write(api(everyone(200)), note="the body is validated first: 400"),
    ),
    "photo-detail": (
        api(PHOTO_READ, obj="photo"),
        as_write(api(PHOTO_REMOVE, obj="photo"), method="DELETE"),
    ),
    "media-consent-list": (
        api(everyone(200), note="one's own children's choices only"),
        as_write(api(everyone(200)), note="the body is validated first: 400"),
    ),
    "camera-list": (
        api(everyone(200), hides="camera", hides_detail="camera-detail"),
        as_write(api(everyone(200)), note="the body is validated first: 400"),
    ),
    "camera-detail": (
        api(CAMERA_READ, obj="camera"),
        as_write(
            api(outcomes(404, admins=200, caregiver=403, reviewer=403, parent=403), obj="camera"),
            method="PATCH",
        ),
    ),
    "camera-watch": api(FAMILY_ACT, method="POST", obj="camera"),
    "camera-views": api(
        outcomes(404, admins=200, caregiver=403, reviewer=403, parent=403), obj="camera"
    ),
    "online-session-list": (
        api(everyone(200), hides="online_session", hides_detail="online-session-detail"),
        as_write(api(everyone(200)), note="the body is validated first: 400"),
    ),
    "online-session-detail": api(
        outcomes(404, admins=200, caregiver=200, reviewer=200, parent=200), obj="online_session"
    ),
    "online-session-attendance": api(
        outcomes(404, admins=ALLOWED, caregiver=ALLOWED, reviewer=403, parent=403),
        method="POST",
        obj="online_session",
    ),
    "online-session-scores": api(
        outcomes(404, admins=ALLOWED, caregiver=ALLOWED, reviewer=403, parent=403),
        method="POST",
        obj="online_session",
    ),
    "online-session-join": api(FAMILY_ACT, method="POST", obj="online_session"),
    "kiosk-day": api(everyone(API_DENIED), note="a kiosk token only (tested in care's tests)"),
    "kiosk-check-in": api(everyone(API_DENIED), method="POST", note="a kiosk token only"),
}
