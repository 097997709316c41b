from django.urls import path

from .views import (
    cameras,
    family,
    incidents,
    inspections,
    kiosk,
    liveview,
    meals,
    online,
    photos,
    staff,
)

app_name = "care"

urlpatterns = [
    # Caregivers and class managers
    path("", staff.today, name="today"),
    path("groups/<int:pk>/", staff.group_day, name="group_day"),
    path("groups/<int:pk>/scan/", staff.scan, name="scan"),
    path("groups/<int:pk>/duty/", staff.duty, name="duty"),
    path("groups/<int:pk>/close/", staff.close_day, name="close_day"),
    path("groups/<int:pk>/health/", staff.health_summary, name="health_summary"),
    path("groups/<int:pk>/notes/", liveview.day_notes, name="day_notes"),
    path("children/<int:pk>/check-in/", staff.check_in, name="check_in"),
    path("children/<int:pk>/health-check/", staff.health_check, name="health_check"),
    path("children/<int:pk>/remind/", staff.notify_paperwork, name="notify_paperwork"),
    path("health-checks/<int:pk>/admit/", staff.health_override, name="health_override"),
    path("attendance/<int:pk>/check-out/", staff.check_out, name="check_out"),
    path("attendance/<int:pk>/correct/", staff.correct, name="correct"),
    path("terms/<int:pk>/rates/", staff.attendance_rates, name="rates"),
    path("classes/<int:pk>/kiosks/", staff.kiosks, name="kiosks"),
    path("classes/<int:pk>/rules/", staff.rules, name="rules"),
    path("kiosks/<int:pk>/revoke/", staff.kiosk_revoke, name="kiosk_revoke"),
    # Incidents and emergencies
    path("incidents/", incidents.incidents, name="incidents"),
    path("terms/<int:pk>/incidents/new/", incidents.incident_report, name="incident_report"),
    path("incidents/<int:pk>/", incidents.incident, name="incident"),
    path(
        "incidents/<int:pk>/acknowledge/",
        incidents.incident_acknowledge,
        name="incident_acknowledge",
    ),
    path("incidents/<int:pk>/follow-up/", incidents.incident_action, name="incident_action"),
    path("incidents/<int:pk>/close/", incidents.incident_close, name="incident_close"),
    path("classes/<int:pk>/emergency/", incidents.emergency, name="emergency"),
    path(
        "classes/<int:pk>/emergency/<slug:kind>/",
        incidents.emergency_plan,
        name="emergency_plan",
    ),
    path("terms/<int:pk>/drills/new/", incidents.drill, name="drill"),
    # Meals, food samples, suppliers
    path("terms/<int:pk>/menus/", meals.menus, name="menus"),
    path("terms/<int:pk>/menus/dishes/", meals.dish_add, name="dish_add"),
    path("terms/<int:pk>/menus/copy/", meals.menu_copy, name="menu_copy"),
    path("dishes/<int:pk>/remove/", meals.dish_remove, name="dish_remove"),
    path("terms/<int:pk>/food-samples/", meals.samples, name="samples"),
    path("dishes/<int:pk>/sample/", meals.sample_keep, name="sample_keep"),
    path("food-samples/<int:pk>/discard/", meals.sample_discard, name="sample_discard"),
    path("classes/<int:pk>/suppliers/", meals.suppliers, name="suppliers"),
    # Daily safety inspection
    path("terms/<int:pk>/inspection/", inspections.inspection_new, name="inspection_new"),
    path("terms/<int:pk>/inspections/", inspections.inspections, name="inspections"),
    path("inspections/<int:pk>/", inspections.inspection, name="inspection"),
    path(
        "inspection-follow-ups/<int:pk>/",
        inspections.inspection_follow_up,
        name="inspection_follow_up",
    ),
    path("unions/<int:pk>/checklist/", inspections.checklist, name="checklist"),
    # Photos of the day
    path("groups/<int:pk>/photos/", photos.group_photos, name="group_photos"),
    path("photos/<int:pk>/remove/", photos.photo_remove, name="photo_remove"),
    path("photos/<int:pk>/image/", photos.photo_image, name="photo_image"),
    path("photos/<int:pk>/thumbnail/", photos.photo_thumbnail, name="photo_thumbnail"),
    path("family/<int:pk>/photos/", photos.child_photos, name="child_photos"),
    path("family/<int:pk>/media-consent/", photos.media_consent, name="media_consent"),
    # Room cameras
    path("classes/<int:pk>/cameras/", cameras.cameras, name="cameras"),
    path("classes/<int:pk>/camera-views/", cameras.camera_views, name="camera_views"),
    path("cameras/<int:pk>/", cameras.camera_edit, name="camera_edit"),
    path("cameras/<int:pk>/watch/", cameras.camera_watch, name="camera_watch"),
    path("camera-views/<int:pk>/", cameras.camera_player, name="camera_player"),
    path("camera-views/<int:pk>/index.m3u8", cameras.camera_playlist, name="camera_playlist"),
    path("camera-views/<int:pk>/seg<int:n>.ts", cameras.camera_segment, name="camera_segment"),
    path("camera-views/<int:pk>/heartbeat/", cameras.camera_heartbeat, name="camera_heartbeat"),
    # Online sessions
    path("terms/<int:pk>/online/", online.online_sessions, name="online_sessions"),
    path("online-sessions/<int:pk>/", online.online_session, name="online_session"),
    path("online-sessions/<int:pk>/attend/", online.online_attend, name="online_attend"),
    path("online-sessions/<int:pk>/score/", online.online_score, name="online_score"),
    path("online-sessions/<int:pk>/join/", online.online_join, name="online_join"),
    # The family
    path("family/", family.family, name="family"),
    path("family/<int:pk>/", family.child_today, name="child_today"),
    path("family/<int:pk>/history/", family.child_history, name="child_history"),
    path("family/<int:pk>/absence/", family.absence, name="absence"),
    path("family/<int:pk>/pickup-for-the-day/", family.temporary_pickup, name="temporary_pickup"),
    path("family/<int:pk>/pickup-code/", family.pickup_code, name="pickup_code"),
    # The kiosk (no user: a device token in the session)
    path("kiosk/", kiosk.kiosk, name="kiosk"),
    path("kiosk/scan/", kiosk.kiosk_scan, name="kiosk_scan"),
    path("kiosk/sign-out/", kiosk.kiosk_signout, name="kiosk_signout"),
]
