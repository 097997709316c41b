"""The OpenAPI schema generates without a warning and is valid; the docs page works offline.

What `manage.py spectacular --validate --fail-on-warn` checks, as a test: drf-spectacular
counts every warning and error of a generation in `GENERATOR_STATS` (the command fails when
it is truthy after `get_schema`). So a new endpoint with an under-specified field or a
clashing enum name fails the suite, not only a manual run of the command. Fix a warning with
`extend_schema_field` on the field, `extend_schema` on the view, or an entry in
`SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]`.
"""

import re
from typing import Any

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.test import Client
from django.urls import reverse
from django.utils import translation
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

LANGUAGES = [code for code, _name in settings.LANGUAGES]


def generate() -> tuple[dict[str, Any], list[str]]:
    """The public schema and the warnings and errors its generation emitted."""
    GENERATOR_STATS.reset()
    try:
        schema = SchemaGenerator().get_schema(request=None, public=True)
        problems = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
        if GENERATOR_STATS and not problems:  # the cache moved: still fail, as the command does
            problems = ["drf-spectacular reported warnings"]
    finally:
        GENERATOR_STATS.reset()
    return schema, problems


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_schema_generates_without_warnings_and_is_valid(language: str) -> None:
    with translation.override(language):
        schema, problems = generate()
    assert problems == [], "drf-spectacular warned:\n" + "\n".join(problems)
    validate_schema(schema)  # raises on an invalid OpenAPI document


def test_the_schema_covers_every_api_module() -> None:
    schema, _problems = generate()
    prefixes = {path.split("/")[3] for path in schema["paths"]}
    assert {"orgs", "workers", "programs", "terms", "enrolments", "surveys"} <= prefixes


def test_each_choice_set_has_one_enum_name() -> None:
    schema, _problems = generate()
    components = schema["components"]["schemas"]
    enums: dict[tuple[Any, ...], list[str]] = {}
    for name, component in components.items():
        if "enum" in component:
            enums.setdefault(tuple(component["enum"]), []).append(name)
    assert [names for names in enums.values() if len(names) > 1] == []
    assert not [name for name in components if re.fullmatch(r".*[0-9A-F]{3}Enum", name)]


@pytest.mark.django_db
def test_the_docs_page_loads_swagger_ui_from_the_vendored_sidecar(client: Client) -> None:
    response = client.get(reverse("api-docs"))
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    sidecar = static("drf_spectacular_sidecar/swagger-ui-dist/")
    assert {f"{sidecar}swagger-ui.css", f"{sidecar}swagger-ui-bundle.js"} <= set(assets)
    for asset in assets:
        assert asset.startswith(sidecar), asset
        assert finders.find(asset.removeprefix(static(""))), f"{asset} is not vendored"
    # Union intranets are often offline: nothing may come from a CDN or any other host.
    assert not re.search(r"https?://|//cdn|jsdelivr|unpkg", html)
    assert 'url: "/api/schema/"' in html
