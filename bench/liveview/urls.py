"""The project's URLs plus the bare baseline view (bench only, never in config.urls)."""

from django.urls import URLPattern, URLResolver, path

from config.urls import urlpatterns as project_urlpatterns

from .bare import bare_hello

urlpatterns: list[URLPattern | URLResolver] = [
    path("bench/hello/", bare_hello, name="bench-hello"),
    *project_urlpatterns,  # type: ignore[list-item]
]
