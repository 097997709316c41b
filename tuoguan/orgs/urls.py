"""Pages of the orgs app. Each area keeps its own pattern list in its own module."""

from .views.changes import urlpatterns as change_urls
from .views.memberships import urlpatterns as membership_urls
from .views.tree import urlpatterns as tree_urls

app_name = "orgs"
urlpatterns = [*tree_urls, *change_urls, *membership_urls]
