from rest_framework.routers import DefaultRouter

router = DefaultRouter(trailing_slash=True)
# Registered by tuoguan/accounts/api.py (workers, children, tokens).
urlpatterns = router.urls
