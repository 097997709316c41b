from rest_framework.routers import DefaultRouter

from .api import register

router = DefaultRouter()
register(router)
urlpatterns = router.urls
