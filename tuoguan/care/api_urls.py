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

# SimpleRouter: the API root view belongs to the first app's DefaultRouter (orgs).
router = SimpleRouter(trailing_slash=True)
router.register("attendance", AttendanceViewSet, basename="attendance")
router.register("health-checks", HealthCheckViewSet, basename="health-check")
router.register("duty", DutyViewSet, basename="duty")

urlpatterns = [
    path("kiosk/day/", KioskDayView.as_view(), name="kiosk-day"),
    path("kiosk/check-in/", KioskCheckInView.as_view(), name="kiosk-check-in"),
    *router.urls,
]
