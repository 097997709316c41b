"""Pages of selection campaigns (示范点评选) and their entries."""

from django.urls import URLPattern, URLResolver

from .views import urlpatterns as campaign_urls
from .views_public import urlpatterns as public_urls

app_name = "awards"

urlpatterns: list[URLPattern | URLResolver] = [*campaign_urls, *public_urls]
