"""Routes of the awards API under /api/v1/ (see api.py)."""

from rest_framework.routers import SimpleRouter

from .api import (
    CampaignViewSet,
    DesignationViewSet,
    EntryViewSet,
    ObjectionViewSet,
    ScorecardViewSet,
)

router = SimpleRouter(trailing_slash=True)
router.register("campaigns", CampaignViewSet, basename="campaign")
router.register("entries", EntryViewSet, basename="entry")
router.register("scores", ScorecardViewSet, basename="scorecard")
router.register("objections", ObjectionViewSet, basename="objection")
router.register("designations", DesignationViewSet, basename="designation")
urlpatterns = router.urls
