"""The project's URLs plus the bare baseline view (bench only, never in config.urls)."""

from django.urls import URLPattern, URLResolver, path

from config.urls import urlpatterns as project_urlpatterns

from .bare import bare_apply

urlpatterns: list[URLPattern | URLResolver] = [
    path("bench/bare-apply/", bare_apply, name="bench-bare-apply"),
    *project_urlpatterns,  # type: ignore[list-item]
]
