"""Pages of classes, terms, compliance and standards. Each area keeps its own patterns."""

from django.urls import URLPattern, URLResolver

from .views.calendar import urlpatterns as calendar_urls
from .views.compliance import urlpatterns as compliance_urls
from .views.groups import urlpatterns as group_urls
from .views.lifecycle import urlpatterns as lifecycle_urls
from .views.programs import urlpatterns as program_urls
from .views.standards import urlpatterns as standard_urls
from .views.terms import urlpatterns as term_urls
from .views.venues import urlpatterns as venue_urls

app_name = "programs"

urlpatterns: list[URLPattern | URLResolver] = [
    *program_urls,
    *venue_urls,
    *term_urls,
    *lifecycle_urls,
    *group_urls,
    *compliance_urls,
    *standard_urls,
    *calendar_urls,
]
