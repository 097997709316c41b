"""Pages of classes, terms and standards; the views come with the pages issue."""

from django.urls import URLPattern, URLResolver

app_name = "programs"

urlpatterns: list[URLPattern | URLResolver] = []
