from django.urls import URLPattern

from .views.draws import urlpatterns as draw_urls
from .views.survey import urlpatterns as survey_urls

app_name = "enrolment"
urlpatterns: list[URLPattern] = []
urlpatterns += survey_urls
urlpatterns += draw_urls
