from django.urls import URLPattern

from .views.draws import urlpatterns as draw_urls
from .views.paperwork import urlpatterns as paperwork_urls
from .views.parent import urlpatterns as parent_urls
from .views.roster import urlpatterns as roster_urls
from .views.survey import urlpatterns as survey_urls

app_name = "enrolment"
urlpatterns: list[URLPattern] = []
urlpatterns += survey_urls
urlpatterns += parent_urls
urlpatterns += roster_urls
urlpatterns += draw_urls
urlpatterns += paperwork_urls
