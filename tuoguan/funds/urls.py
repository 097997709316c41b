"""Pages of budgets, grants, fees and expenses."""

from django.urls import URLPattern, URLResolver

from .views_class import urlpatterns as class_urls
from .views_union import urlpatterns as union_urls

app_name = "funds"

urlpatterns: list[URLPattern | URLResolver] = [*union_urls, *class_urls]
