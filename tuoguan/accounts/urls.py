"""Pages of the accounts app. Each area keeps its own pattern list in its own module."""

from .views.auth import urlpatterns as auth_urls
from .views.family import urlpatterns as family_urls
from .views.workers import urlpatterns as worker_urls

app_name = "accounts"
urlpatterns = [*auth_urls, *family_urls, *worker_urls]
