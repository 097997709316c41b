"""No input makes a 500: every API write and every page form, fed malformed and hostile input.

The endpoints come from the URL configuration (every DRF route and APIView accepting POST,
PUT or PATCH; every page answering POST), the fields and their types from the OpenAPI schema,
and the persona allowed to write (with the object to write to) from the authorisation rules
in tests/authz_rules/ — so a new endpoint is covered as soon as it is routed and declared.
"""

import json
import re
from functools import cache
from typing import Any

import pytest
from authz_rules import ALLOWED, PERSONAS, Rule, rules_for
from authz_world import Route, World, project_routes
from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

WRITE_METHODS = ("post", "put", "patch")
# Fields the schema lists as writable that an operation ignores on purpose (any value is fine).
IGNORED_FIELDS = {
    # A pickup person is never moved to another child: `child` is read on create only.
    ("pickup-detail", "patch", "child"),
    ("pickup-detail", "put", "child"),
}
# Rows that may change without anything being "saved": reads are audited, logins noted.
UNCOUNTED_APPS = frozenset({"audit"})


# --- Discovery ------------------------------------------------------------------------------


def _api_methods(route: Route) -> list[str]:
    view_class = getattr(route.callback, "cls", None)
    if view_class is None:
        return []
    allowed = set(getattr(view_class, "http_method_names", WRITE_METHODS))
    actions = getattr(route.callback, "actions", None)
    if actions is not None:
        return [m for m in WRITE_METHODS if m in actions and m in allowed]
    return [m for m in WRITE_METHODS if m in allowed and hasattr(view_class, m)]


def _writer(name: str, method: str) -> tuple[Rule, str] | None:
    """The first rule probing `name` with `method`, and a persona it lets through.

    Where everyone is let through the page is one's own (family, tokens, inbox): the parent,
    who has a family, sees its real form.
    """
    for rule in rules_for(name):
        if rule.method.lower() != method:
            continue
        allowed = [p for p in PERSONAS if rule.expect[p] in (ALLOWED, 200, 302)]
        if allowed:
            return rule, "parent" if len(allowed) == len(PERSONAS) else allowed[0]
    return None


def _api_cases() -> list[tuple[str, str]]:
    cases = []
    for route in project_routes():
        if route.is_format_variant or not route.route.startswith("api/"):
            continue
        cases += [(route.name, method) for method in _api_methods(route)]
    return sorted(set(cases))


def _page_cases() -> list[str]:
    """Every page route; those that do not answer POST are told apart by their 405."""
    return sorted({r.name for r in project_routes() if not r.route.startswith("api/") and r.name})


API_CASES = _api_cases()
PAGE_CASES = _page_cases()


def _url(world: World, name: str, rule: Rule) -> str:
    obj = world.own.get(rule.obj) if rule.obj else None
    kwargs = {k: getattr(obj, attr) for k, attr in rule.url_kwargs().items()}
    return reverse(name, kwargs=kwargs)


# Routes that take a device token (a kiosk), not a person: probed as the world's own kiosk.
KIOSK_ROUTES = frozenset({"kiosk-check-in", "kiosk-day"})


def _target(world: World, name: str, method: str) -> tuple[Any, str]:
    if name in KIOSK_ROUTES:
        return Client(HTTP_AUTHORIZATION=f"Kiosk {world.own['kiosk_token']}"), reverse(name)
    found = _writer(name, method)
    if found is None:
        pytest.fail(
            f"{name} accepts {method.upper()}, but no rule in tests/authz_rules/ probes it "
            "with a persona allowed to write: declare one (method=…, outcome ALLOWED)"
        )
    rule, persona = found
    return world.client(persona), _url(world, name, rule)


# --- The schema: which fields a request body has, and of which type ---------------------------


@cache
def _schema() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)  # type: ignore[no-any-return]


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = _schema()["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    for combined in ("allOf", "oneOf", "anyOf"):
        if node.get(combined):
            return _resolve(node[combined][0])
    return node


def _operation(url: str, method: str) -> dict[str, Any] | None:
    for path, operations in _schema()["paths"].items():
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$"
        if re.match(pattern, url) and method in operations:
            return operations[method]  # type: ignore[no-any-return]
    return None


def _body_fields(url: str, method: str) -> dict[str, dict[str, Any]] | None:
    """The writable fields of the JSON body, or None when the operation takes no body."""
    operation = _operation(url, method)
    if operation is None or "requestBody" not in operation:
        return None
    content = operation["requestBody"].get("content", {})
    media: dict[str, Any] = content.get("application/json") or next(iter(content.values()), {})
    schema = _resolve(media.get("schema", {}))
    properties = schema.get("properties", {})
    return {
        name: _resolve(prop) | {k: v for k, v in prop.items() if k != "$ref"}
        for name, prop in properties.items()
        if not prop.get("readOnly")
    }


def _wrong_values(field: dict[str, Any]) -> list[Any]:
    """Values of the wrong type (or out of range) for a field of this schema."""
    kind = field.get("type", "string")
    common: list[Any] = [{"nested": "object"}] + ([] if field.get("nullable") else [None])
    if "enum" in field:
        return [*common, "no-such-choice", 12345]
    if kind == "string":
        fmt = field.get("format", "")
        extra = ["not-a-date", "2021-13-45", 20210101] if "date" in fmt else ["\x00", ["a"]]
        return [*common, *extra]
    if kind == "integer":
        # Not 1.5: DRF's PrimaryKeyRelatedField takes it as 1 (lenient, but no harm).
        return [*common, "abc", 2**70, -(2**70), [1]]
    if kind == "number":
        return [*common, "abc", "NaN", "1e999", [1]]
    if kind == "boolean":
        return [*common, "maybe", 2, [True]]
    if kind == "array":
        return [*common, "not-a-list", [{"x": []}], [None]]
    return [*common, "not-an-object", [1]]


# --- Row counts: nothing saved ----------------------------------------------------------------


def _counted_models() -> list[Any]:
    return [
        model
        for config in apps.get_app_configs()
        if config.name.startswith("tuoguan.") and config.label not in UNCOUNTED_APPS
        for model in config.get_models()
    ]


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in _counted_models()}


def _changed(before: dict[str, int], after: dict[str, int]) -> dict[str, tuple[int, int]]:
    return {k: (before[k], after[k]) for k in before if before[k] != after[k]}


# --- Requests -------------------------------------------------------------------------------


def _send(client: Any, method: str, url: str, body: bytes | str, content_type: str) -> Any:
    return getattr(client, method)(url, body, content_type=content_type)


def _json(client: Any, method: str, url: str, payload: Any) -> HttpResponse:
    return _send(client, method, url, json.dumps(payload), "application/json")  # type: ignore[no-any-return]


def _no_500(response: HttpResponse, what: str) -> None:
    assert response.status_code < 500, f"{what}: {response.status_code}"


def _is_4xx(response: HttpResponse) -> bool:
    return 400 <= response.status_code < 500


def _isolated(call: Any) -> HttpResponse:
    """Each probe in its own savepoint, so that one accepted write does not steer the next."""
    with transaction.atomic():
        response = call()
        transaction.set_rollback(True)
    return response  # type: ignore[no-any-return]


# --- API tests --------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "method"), API_CASES, ids=[f"{n}-{m}" for n, m in API_CASES])
def test_api_write_refuses_malformed_bodies_without_a_500(
    name: str, method: str, authz_world: World, db: None
) -> None:
    client, url = _target(authz_world, name, method)
    takes_body = _body_fields(url, method) is not None
    failures = []
    probes: list[tuple[str, bytes | str, str]] = [
        ("malformed JSON", '{"name": ', "application/json"),
        ("a JSON array", "[1, 2, 3]", "application/json"),
        ("a JSON string", '"just a string"', "application/json"),
        ("a JSON number", "42", "application/json"),
        ("invalid UTF-8", b'{"name": "\xff\xfe"}', "application/json"),
        ("an unknown content type", "name=x", "application/x-tuoguan-unknown"),
    ]
    for what, body, content_type in probes:
        response = _isolated(lambda: _send(client, method, url, body, content_type))  # noqa: B023
        _no_500(response, f"{method.upper()} {url} with {what}")
        # A multipart-only endpoint refuses any JSON with 415; that is an answer too.
        wanted = (415,) if "content type" in what else (400, 415)
        if takes_body and response.status_code not in (*wanted, 403, 404):
            failures.append(
                f"{method.upper()} {url} with {what}: {response.status_code}, expected {wanted}"
            )
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(("name", "method"), API_CASES, ids=[f"{n}-{m}" for n, m in API_CASES])
def test_api_write_answers_wrong_field_types_with_a_4xx(
    name: str, method: str, authz_world: World, db: None
) -> None:
    client, url = _target(authz_world, name, method)
    fields = _body_fields(url, method)
    if not fields:
        pytest.skip("the operation declares no body fields")
    failures = []
    for field, spec in fields.items():
        if (name, method, field) in IGNORED_FIELDS:
            continue
        for value in _wrong_values(spec):
            response = _isolated(lambda: _json(client, method, url, {field: value}))  # noqa: B023
            _no_500(response, f"{method.upper()} {url} with {field}={value!r}")
            if not _is_4xx(response):
                failures.append(f"{field}={value!r}: {response.status_code}")
    assert not failures, f"{method.upper()} {url} accepted wrong types:\n" + "\n".join(failures)


@pytest.mark.parametrize(("name", "method"), API_CASES, ids=[f"{n}-{m}" for n, m in API_CASES])
def test_api_write_refuses_a_body_over_the_size_limit(
    name: str, method: str, authz_world: World, db: None
) -> None:
    client, url = _target(authz_world, name, method)
    fields = _body_fields(url, method) or {}
    field = next((f for f, s in fields.items() if s.get("type") == "string"), "name")
    payload = json.dumps({field: "托" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 3 + 10)})
    assert len(payload.encode()) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    before = _row_counts()
    response = _isolated(lambda: _send(client, method, url, payload, "application/json"))
    assert response.status_code in (400, 413), (
        f"{method.upper()} {url} with a {len(payload.encode())}-byte body: "
        f"{response.status_code}, expected 400 or 413"
    )
    assert _changed(before, _row_counts()) == {}


# --- Page forms -------------------------------------------------------------------------------

GARBAGE = "\x00<script>alert(1)</script>' OR 1=1 --" + "9" * 40
INPUT_NAME = re.compile(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"', re.I)


def _form_fields(html: str) -> list[str]:
    return sorted({n for n in INPUT_NAME.findall(html) if n != "csrfmiddlewaretoken"})


@pytest.mark.parametrize("name", PAGE_CASES)
def test_page_post_with_garbage_saves_nothing_and_never_500s(
    name: str, authz_world: World, db: None
) -> None:
    found = _writer(name, "post") or _writer(name, "get")
    if found is None:
        pytest.skip("no persona may use this page")
    rule, persona = found
    client, url = authz_world.client(persona), _url(authz_world, name, rule)
    page = _isolated(lambda: client.get(url))
    html = (
        "" if page.streaming or page.status_code != 200 else page.content.decode(errors="replace")
    )
    fields = _form_fields(html)
    data = dict.fromkeys(fields or ["name", "title", "reason", "q"], GARBAGE)
    before = _row_counts()
    response = _isolated(lambda: client.post(url, data))
    if response.status_code == 405:
        return
    _no_500(response, f"POST {url} with garbage")
    assert response.status_code in (200, 302, 400, 403, 404, 409), response.status_code
    if fields and response.status_code in (200, 400):
        assert _changed(before, _row_counts()) == {}, f"POST {url} saved garbage"


# --- Fuzzing the most used endpoints ----------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=10,
)
FUZZED = {
    "child-list": ("name", "sex", "birth_date", "grade", "relationship", "consent", "id_number"),
    "org-list": ("parent", "name", "short_name", "region_code", "kind"),
    "enrolment-apply": ("child", "priority_groups", "sibling_key", "keep_together"),
    "survey-answer": ("children", "wanted_types", "wanted_period", "hours", "pay_living_costs"),
}


def _bodies(fields: tuple[str, ...]) -> st.SearchStrategy[Any]:
    known = st.fixed_dictionaries({}, optional=dict.fromkeys(fields, JSON_VALUES))
    return known | JSON_VALUES


@pytest.mark.parametrize("name", sorted(FUZZED))
def test_fuzzed_json_never_makes_a_500(name: str, authz_world: World, db: None) -> None:
    client, url = _target(authz_world, name, "post")

    @hypothesis_settings(
        max_examples=40,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(body=_bodies(FUZZED[name]))
    def probe(body: Any) -> None:
        response = _isolated(lambda: _json(client, "post", url, body))
        _no_500(response, f"POST {url} with {body!r}")

    probe()
