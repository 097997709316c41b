from rest_framework.routers import SimpleRouter

from tuoguan.accounts.api.children import ChildViewSet
from tuoguan.accounts.api.tokens import TokenViewSet
from tuoguan.accounts.api.workers import WorkerViewSet

router = SimpleRouter(trailing_slash=True)
# Registered by tuoguan/accounts/api.py (workers, children, tokens).
router.register("children", ChildViewSet, basename="child")
router.register("workers", WorkerViewSet, basename="worker")
router.register("tokens", TokenViewSet, basename="token")
urlpatterns = router.urls
