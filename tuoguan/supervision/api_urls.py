"""Routes of the supervision API under /api/v1/ (see api.py)."""

from rest_framework.routers import SimpleRouter

from .api import RectificationViewSet, VisitViewSet

router = SimpleRouter(trailing_slash=True)
router.register("visits", VisitViewSet, basename="visit")
router.register("rectifications", RectificationViewSet, basename="rectification")
urlpatterns = router.urls
