"""Routes of the enrolment API under /api/v1/ (see api/enrolments.py)."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from .api.enrolments import DrawViewSet, EnrolmentViewSet, TermDrawView, TermEnrolmentApplyView
from .api.paperwork import PickupViewSet
from .api.paperwork import urlpatterns as paperwork_urls
from .api.survey import SurveyViewSet

# SimpleRouter: the API root view belongs to the first app's DefaultRouter.
router = SimpleRouter(trailing_slash=True)
router.register("enrolments", EnrolmentViewSet, basename="enrolment")
router.register("draws", DrawViewSet, basename="draw")
router.register("surveys", SurveyViewSet, basename="survey")
router.register("pickups", PickupViewSet, basename="pickup")

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "terms/<int:term_id>/enrolments/",
        TermEnrolmentApplyView.as_view(),
        name="enrolment-apply",
    ),
    path("terms/<int:term_id>/draws/", TermDrawView.as_view(), name="draw-run"),
    *paperwork_urls,
    *router.urls,
]
