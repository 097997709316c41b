"""Routes of the care API under /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import (
    AttendanceViewSet,
    DutyViewSet,
    HealthCheckViewSet,
    KioskCheckInView,
    KioskDayView,
)
from .api_cameras import CameraViewSet
from .api_incidents import DrillViewSet, EmergencyPlanViewSet, IncidentViewSet
from .api_inspections import InspectionFollowUpViewSet, SafetyCheckViewSet
from .api_liveview import ChildTodayView, DayNoteViewSet
from .api_meals import FoodSampleViewSet, MealViewSet, SupplierViewSet
from .api_online import OnlineSessionViewSet
from .api_photos import MediaConsentViewSet, PhotoViewSet

# SimpleRouter: the API root view belongs to the first app's DefaultRouter (orgs).
router = SimpleRouter(trailing_slash=True)
router.register("attendance", AttendanceViewSet, basename="attendance")
router.register("health-checks", HealthCheckViewSet, basename="health-check")
router.register("duty", DutyViewSet, basename="duty")
router.register("incidents", IncidentViewSet, basename="incident")
router.register("drills", DrillViewSet, basename="drill")
router.register("emergency-plans", EmergencyPlanViewSet, basename="emergency-plan")
router.register("meals", MealViewSet, basename="meal")
router.register("food-samples", FoodSampleViewSet, basename="food-sample")
router.register("suppliers", SupplierViewSet, basename="supplier")
router.register("day-notes", DayNoteViewSet, basename="day-note")
router.register("safety-checks", SafetyCheckViewSet, basename="safety-check")
router.register("photos", PhotoViewSet, basename="photo")
router.register("media-consents", MediaConsentViewSet, basename="media-consent")
router.register("cameras", CameraViewSet, basename="camera")
router.register("online-sessions", OnlineSessionViewSet, basename="online-session")
router.register(
    "safety-check-follow-ups", InspectionFollowUpViewSet, basename="safety-check-follow-up"
)

urlpatterns = [
    path("kiosk/day/", KioskDayView.as_view(), name="kiosk-day"),
    path("kiosk/check-in/", KioskCheckInView.as_view(), name="kiosk-check-in"),
    path("children/<int:pk>/today/", ChildTodayView.as_view(), name="child-today"),
    *router.urls,
]
