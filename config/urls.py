from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularSwaggerView

from tuoguan.core.api import SchemaView

# Care's routes first: its check-ins are the platform's busiest requests (bench/README.md,
# "checkin"), and Django tries the patterns in order (no route of one app matches another's).
api_v1 = [
    path("", include("tuoguan.care.api_urls")),
    path("", include("tuoguan.orgs.api_urls")),
    path("", include("tuoguan.accounts.api_urls")),
    path("", include("tuoguan.enrolment.api_urls")),
    path("", include("tuoguan.programs.api_urls")),
    path("", include("tuoguan.supervision.api_urls")),
    path("", include("tuoguan.awards.api_urls")),
    path("", include("tuoguan.funds.api_urls")),
]

urlpatterns = [
    path("", include("tuoguan.core.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("tuoguan.accounts.urls")),
    path("orgs/", include("tuoguan.orgs.urls")),
    path("audit/", include("tuoguan.audit.urls")),
    path("notifications/", include("tuoguan.notifications.urls")),
    path("enrolment/", include("tuoguan.enrolment.urls")),
    path("programs/", include("tuoguan.programs.urls")),
    path("care/", include("tuoguan.care.urls")),
    path("supervision/", include("tuoguan.supervision.urls")),
    path("awards/", include("tuoguan.awards.urls")),
    path("funds/", include("tuoguan.funds.urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SchemaView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]
