"""Pages of visits, the inspector's checklist, rectification orders and the region's glance."""

from django.urls import URLPattern, URLResolver

from .views.glance import urlpatterns as glance_urls
from .views.inspect import urlpatterns as inspect_urls
from .views.offline import urlpatterns as offline_urls
from .views.rectifications import urlpatterns as rectification_urls
from .views.visits import urlpatterns as visit_urls

app_name = "supervision"

urlpatterns: list[URLPattern | URLResolver] = [
    *visit_urls,
    *inspect_urls,
    *rectification_urls,
    *glance_urls,
    *offline_urls,
]
