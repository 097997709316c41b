"""Routes of the programs API under /api/v1/ (see api/)."""

from rest_framework.routers import SimpleRouter

from .api.programs import ProgramViewSet, VenueViewSet
from .api.standards import EvidenceViewSet, StandardViewSet
from .api.terms import GroupViewSet, TermViewSet

# SimpleRouter: the API root view belongs to the first app's DefaultRouter (orgs).
router = SimpleRouter(trailing_slash=True)
router.register("programs", ProgramViewSet, basename="program")
router.register("venues", VenueViewSet, basename="venue")
router.register("terms", TermViewSet, basename="term")
router.register("groups", GroupViewSet, basename="group")
router.register("standards", StandardViewSet, basename="standard")
router.register("evidence", EvidenceViewSet, basename="evidence")
urlpatterns = router.urls
