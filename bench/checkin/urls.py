"""The project's URLs plus the bare baseline view (bench only, never in config.urls)."""

from django.urls import URLPattern, URLResolver, path

from config.urls import urlpatterns as project_urlpatterns

from .bare import bare_check_in

urlpatterns: list[URLPattern | URLResolver] = [
    path("bench/bare-check-in/", bare_check_in, name="bench-bare-check-in"),
    *project_urlpatterns,  # type: ignore[list-item]
]
