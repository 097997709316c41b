"""Hostile input, probed over every endpoint: none answers 500, each refuses with a clear message.

Generated like the robustness tests (tests/test_api_robustness.py): the endpoints come from the
URL configuration, their body fields and query parameters from the OpenAPI schema, the pages'
forms from the HTML the pages really render, and who may write from tests/authz_rules/. So an
endpoint, page, upload point, import or export added later is probed without a new test:

* every JSON write endpoint: JSON nested thousands deep; a lone surrogate and a NUL byte in each
  string and choice field (400 naming the field; the reply never echoes the value);
* every API list: out-of-range integers in each query parameter and in `page` (a list or 400);
  every page: the same in each field of its GET forms; a NUL in any query parameter or form
  post (400 naming it);
* every upload point (a file input of any page's form, a binary field of any API body): a
  pixel bomb for an image field, a spreadsheet bomb for an .xlsx field, refused with the
  shared message before anything is decoded and without saving anything;
* every spreadsheet the platform hands out (any GET answering .xlsx or .csv), with every
  free-text column of the database set to a formula: no cell is a live formula.
"""

import html
import io
import json
import re
from collections.abc import Iterator
from functools import cache
from typing import Any

import pytest
from authz_rules import ALLOWED, PERSONAS, Rule, rules_for
from authz_world import World, project_routes
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.db.models.functions import Cast, Concat
from django.http import HttpResponse
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.utils import translation
from hostile_files import pixel_bomb, xlsx_bomb
from openpyxl import load_workbook
from test_api_robustness import (
    API_CASES,
    _body_fields,
    _changed,
    _isolated,
    _operation,
    _resolve,
    _row_counts,
    _send,
    _target,
    _url,
)

from tuoguan.core.files import too_many_pixels_message
from tuoguan.core.inputs import bad_text_message
from tuoguan.core.parsers import too_deep_message
from tuoguan.core.xlsx import FORMULA_STARTS, XLSX_TYPE, unpacks_too_large_message

DEEP = 5_000
DEEP_BODIES = {
    "arrays": "[" * DEEP + "]" * DEEP,
    "objects": '{"a":' * DEEP + "1" + "}" * DEEP,
    # Under the decoder's own stack limit, over the platform's cap.
    "a hundred levels": '{"name": ' + "[" * 100 + "]" * 100 + "}",
}
BAD_TEXT = {"a lone surrogate": "\ud800", "a NUL byte": "a\x00b"}
# Integers no 64-bit column holds, below any id, and a page far past the end.
OUT_OF_RANGE = ("1" + "0" * 30, "-1", "1000000000000", str(2**63), str(-(2**63) - 1), "0")


def zh(message: Any) -> str:
    """A message as the default language (zh-hans) shows it."""
    with translation.override("zh-hans"):
        return str(message())


def _say(response: HttpResponse) -> str:
    content = b"" if response.streaming else response.content
    return content.decode("utf-8")  # a reply that is not valid UTF-8 fails here


# --- Who may GET what -------------------------------------------------------------------------


def _reader(name: str) -> tuple[Rule, str] | None:
    """The first GET rule of `name` and a persona it lets in (the parent when all are)."""
    for rule in rules_for(name):
        if rule.method != "GET":
            continue
        allowed = [p for p in PERSONAS if rule.expect[p] in (200, ALLOWED)]
        if allowed:
            return rule, "parent" if len(allowed) == len(PERSONAS) else allowed[0]
    return None


def _get_cases(*, api: bool) -> list[str]:
    names = set()
    for route in project_routes():
        if route.is_format_variant or not route.name:
            continue
        if route.route.startswith("api/") == api and _reader(route.name) is not None:
            names.add(route.name)
    return sorted(names)


PAGE_GETS = _get_cases(api=False)
API_GETS = _get_cases(api=True)


def _fetch(world: World, name: str) -> tuple[Any, str, Rule, HttpResponse]:
    found = _reader(name)
    assert found is not None
    rule, persona = found
    client = world.client(persona)
    url = _url(world, name, rule)
    response = _isolated(lambda: client.get(url, dict(rule.query)))
    return client, url, rule, response


# --- The pages' forms, as rendered --------------------------------------------------------------

FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.I | re.S)
ATTR = re.compile(r'([\w-]+)="([^"]*)"')
FIELD = re.compile(r"<(input|select|textarea)\b([^>]*)>", re.I)


def _forms(page: str) -> Iterator[tuple[dict[str, str], list[dict[str, str]]]]:
    for attrs, body in FORM.findall(page):
        fields = [
            {"tag": tag.lower(), **dict(ATTR.findall(field_attrs))}
            for tag, field_attrs in FIELD.findall(body)
        ]
        yield dict(ATTR.findall(attrs)), fields


def _page_html(response: HttpResponse) -> str:
    if response.streaming or response.status_code != 200:
        return ""
    if "text/html" not in response.get("Content-Type", ""):
        return ""
    return response.content.decode()


# --- 1, 2: JSON bodies ------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "method"), API_CASES, ids=[f"{n}-{m}" for n, m in API_CASES])
def test_api_write_refuses_deep_json_with_a_400_and_a_message(
    name: str, method: str, authz_world: World, db: None
) -> None:
    client, url = _target(authz_world, name, method)
    takes_json = _body_fields(url, method) is not None
    failures = []
    for what, body in DEEP_BODIES.items():
        response = _isolated(lambda: _send(client, method, url, body, "application/json"))  # noqa: B023
        assert response.status_code < 500, f"{method.upper()} {url} with {what}: 500"
        if response.status_code in (403, 404, 415) or not takes_json:
            continue
        if response.status_code != 400 or zh(too_deep_message) not in _say(response):
            failures.append(f"{what}: {response.status_code} {_say(response)[:200]}")
    assert not failures, f"{method.upper()} {url}:\n" + "\n".join(failures)


def _text_fields(url: str, method: str) -> list[str]:
    fields = _body_fields(url, method) or {}
    return [
        field
        for field, spec in fields.items()
        if "enum" in spec or spec.get("type", "string") == "string"
        if spec.get("format") != "binary"
    ]


@pytest.mark.parametrize(("name", "method"), API_CASES, ids=[f"{n}-{m}" for n, m in API_CASES])
def test_api_write_refuses_unusable_text_in_every_string_and_choice_field(
    name: str, method: str, authz_world: World, db: None
) -> None:
    client, url = _target(authz_world, name, method)
    fields = _text_fields(url, method)
    if not fields:
        pytest.skip("the operation has no string or choice field")
    failures = []
    for field in fields:
        for what, value in BAD_TEXT.items():
            body = json.dumps({field: value})  # ensure_ascii: "\ud800" travels as an escape
            response = _isolated(lambda: _send(client, method, url, body, "application/json"))  # noqa: B023
            text = _say(response)
            assert response.status_code < 500, f"{field} with {what}: {response.status_code}"
            if response.status_code in (403, 404, 415):
                continue
            answer = response.json() if response.status_code == 400 else {}
            if field not in answer or zh(bad_text_message) not in " ".join(answer[field]):
                failures.append(f"{field} with {what}: {response.status_code} {text[:200]}")
    assert not failures, f"{method.upper()} {url}:\n" + "\n".join(failures)


def test_a_bad_string_deep_inside_names_the_top_level_field(authz_world: World, db: None) -> None:
    client, url = _target(authz_world, "survey-answer", "post")
    body = json.dumps({"children": [{"age": 8, "grade": "\ud800"}]})
    response = _isolated(lambda: _send(client, "post", url, body, "application/json"))
    assert response.status_code == 400
    assert response.json() == {"children": [zh(bad_text_message)]}


def test_every_api_view_parses_json_with_the_capped_parser() -> None:
    """A view that sets its own parser_classes must keep the platform's JSON parser."""
    from rest_framework.parsers import JSONParser as DrfJSONParser

    from tuoguan.core.parsers import JSONParser

    problems = []
    for route in project_routes():
        view_class = getattr(route.callback, "cls", None)
        if view_class is None:
            continue
        for parser in view_class.parser_classes:
            if issubclass(parser, DrfJSONParser) and not issubclass(parser, JSONParser):
                problems.append(f"{route.name}: {parser.__module__}.{parser.__name__}")
    assert not problems, "use tuoguan.core.parsers.JSONParser:\n" + "\n".join(problems)


# --- 2, 3: query strings and form posts ---------------------------------------------------------


def _query_parameters(url: str) -> list[str]:
    operation = _operation(url, "get") or {}
    names = [
        p["name"]
        for p in (_resolve(p) for p in operation.get("parameters", []))
        if p.get("in") == "query"
    ]
    return sorted({*names, "page"})


@pytest.mark.parametrize("name", API_GETS)
def test_api_reads_answer_out_of_range_numbers_with_a_list_or_a_400(
    name: str, authz_world: World, db: None
) -> None:
    client, url, rule, first = _fetch(authz_world, name)
    if first.status_code != 200:
        pytest.skip(f"the read answers {first.status_code} without parameters")
    failures = []
    for parameter in _query_parameters(url):
        for value in OUT_OF_RANGE:
            query = {**rule.query, parameter: value}
            response = _isolated(lambda: client.get(url, query))  # noqa: B023
            if response.status_code not in (200, 400, 404):
                failures.append(f"?{parameter}={value}: {response.status_code}")
    assert not failures, f"GET {url}:\n" + "\n".join(failures)


@pytest.mark.parametrize("name", PAGE_GETS)
def test_pages_answer_out_of_range_numbers_in_their_filters_without_a_500(
    name: str, authz_world: World, db: None
) -> None:
    client, url, rule, first = _fetch(authz_world, name)
    page = _page_html(first)
    parameters = {"page"}
    for attrs, fields in _forms(page):
        if attrs.get("method", "get").lower() == "get":
            parameters.update(f["name"] for f in fields if f.get("name"))
    failures = []
    for parameter in sorted(parameters):
        for value in OUT_OF_RANGE:
            query = {**rule.query, parameter: value}
            response = _isolated(lambda: client.get(url, query))  # noqa: B023
            if response.status_code >= 500:
                failures.append(f"?{parameter}={value}: {response.status_code}")
    assert not failures, f"GET {url}:\n" + "\n".join(failures)


@pytest.mark.parametrize("name", PAGE_GETS + API_GETS)
def test_a_nul_in_a_query_parameter_is_a_400_naming_it(
    name: str, authz_world: World, db: None
) -> None:
    client, url, rule, _first = _fetch(authz_world, name)
    response = _isolated(lambda: client.get(url, {**rule.query, "q": "a\x00b"}))
    assert response.status_code == 400, response.status_code
    assert "q" in _say(response) and zh(bad_text_message) in _say(response)


@pytest.mark.parametrize("name", PAGE_GETS)
def test_a_form_post_with_unusable_text_is_a_400_and_saves_nothing(
    name: str, authz_world: World, db: None
) -> None:
    client, url, _rule, first = _fetch(authz_world, name)
    targets = []
    for attrs, fields in _forms(_page_html(first)):
        if attrs.get("method", "get").lower() != "post":
            continue
        names = [f["name"] for f in fields if f.get("name") and f.get("type") != "file"]
        names = [n for n in names if n != "csrfmiddlewaretoken"]
        if names:
            targets.append((html.unescape(attrs.get("action") or url), names))
    if not targets:
        pytest.skip("the page has no form that posts")
    before = _row_counts()
    for action, names in targets:
        data = dict.fromkeys(names, "x\x00")
        response = _isolated(lambda: client.post(action, data))  # noqa: B023
        assert response.status_code == 400, f"POST {action}: {response.status_code}"
        assert zh(bad_text_message) in _say(response)
    assert _changed(before, _row_counts()) == {}


# --- 4, 5: upload points and imports ------------------------------------------------------------


def _bomb_for(accept: str) -> tuple[str, bytes, str]:
    """The bomb an upload field gets (by what it accepts), and the message that must refuse it."""
    if "xlsx" in accept or "spreadsheet" in accept:
        return "bomb.xlsx", xlsx_bomb(), zh(unpacks_too_large_message)
    return "bomb.png", pixel_bomb(), zh(too_many_pixels_message)


def _upload_points(world: World) -> list[tuple[str, str, str, str, str]]:
    """(page, persona, action, file field, accept) of every file input of every page's form."""
    points = set()
    for name in PAGE_GETS:
        found = _reader(name)
        assert found is not None
        persona = found[1]
        _client, url, _rule, response = _fetch(world, name)
        for attrs, fields in _forms(_page_html(response)):
            for field in fields:
                if field.get("type") == "file" and field.get("name"):
                    action = html.unescape(attrs.get("action") or url)
                    points.add((name, persona, action, field["name"], field.get("accept", "")))
    return sorted(points)


def test_every_upload_point_of_the_pages_refuses_a_bomb_before_decoding(
    authz_world: World, db: None
) -> None:
    points = _upload_points(authz_world)
    # The point of the probe is that it reaches them all: the pages of today have these.
    fields = {(action.split("/")[1], field) for _n, _p, action, field, _a in points}
    assert {("programs", "image"), ("programs", "file"), ("enrolment", "photo")} <= fields
    assert sum("xlsx" in accept for *_rest, accept in points) >= 3, points
    failures = []
    for name, persona, action, field, accept in points:
        filename, content, expected = _bomb_for(accept)
        client = authz_world.client(persona)
        upload = SimpleUploadedFile(filename, content)
        before = _row_counts()
        response = _isolated(lambda: client.post(action, {field: upload}, follow=True))  # noqa: B023
        said = html.unescape(_say(response))
        if response.status_code >= 500 or expected not in said:
            failures.append(f"{name}: POST {action} {field}={filename}: {response.status_code}")
        elif _changed(before, _row_counts()):
            failures.append(f"{name}: POST {action} saved something")
    assert not failures, "\n".join(failures)


def _upload_fields(url: str, method: str) -> list[str]:
    """The file fields of an operation's multipart body, as the schema documents them."""
    content = (_operation(url, method) or {}).get("requestBody", {}).get("content", {})
    schema = _resolve(content.get("multipart/form-data", {}).get("schema", {}))
    return [
        field
        for field, spec in schema.get("properties", {}).items()
        if _resolve(spec).get("format") == "binary"
    ]


def _multipart(client: Any, method: str, url: str, data: dict[str, Any]) -> HttpResponse:
    if method == "post":
        return client.post(url, data)  # type: ignore[no-any-return]
    body = encode_multipart(BOUNDARY, data)
    return getattr(client, method)(url, body, content_type=MULTIPART_CONTENT)  # type: ignore[no-any-return]


def test_every_api_upload_point_refuses_a_pixel_bomb_with_a_400(
    authz_world: World, db: None
) -> None:
    probed, failures = set(), []
    for name, method in API_CASES:
        client, url = _target(authz_world, name, method)
        for field in _upload_fields(url, method):
            probed.add(field)
            upload = SimpleUploadedFile("bomb.png", pixel_bomb(), content_type="image/png")
            before = _row_counts()
            response = _isolated(lambda: _multipart(client, method, url, {field: upload}))  # noqa: B023
            said = " ".join(response.json().get(field, [])) if response.status_code == 400 else ""
            if zh(too_many_pixels_message) not in said:
                failures.append(f"{method.upper()} {url} {field}: {response.status_code}")
            elif _changed(before, _row_counts()):
                failures.append(f"{method.upper()} {url} {field}: saved something")
    # The probe must reach the upload points of today: photos, evidence, cover and pickups.
    assert probed >= {"image", "file", "photo"}, probed
    assert not failures, "\n".join(failures)


# --- 6: every spreadsheet handed out, with formulas in the data -------------------------------

# Columns that hold codes, digests and machine text, not what people type.
MACHINE_FIELDS = frozenset(
    {
        "password",
        "kind",
        "channel",
        "region_code",
        "code",
        "param",
        "content_type",
        "sibling_key",
        "seed",
        "key",
        "fingerprint",
        "prefix",
        "url",
        "email",
        "mobile",
        "wanted_period",
        "hours",
        "contact_phone",
    }
)
MACHINE_SUFFIXES = ("_hash", "_digest", "_index", "_encrypted", "_last4", "_prefix", "_error")
MACHINE_APPS = frozenset({"audit", "core", "notifications"})


def _poison() -> int:
    """Every free-text column of every row starts with a formula (one of each kind in turn)."""
    poisoned = 0
    for config in apps.get_app_configs():
        if not config.name.startswith("tuoguan.") or config.label in MACHINE_APPS:
            continue
        for model in config.get_models():
            for field in model._meta.concrete_fields:
                if not isinstance(field, models.CharField | models.TextField):
                    continue
                if field.choices or field.unique or field.primary_key:
                    continue
                if field.name in MACHINE_FIELDS or field.name.endswith(MACHINE_SUFFIXES):
                    continue
                if field.max_length is not None and field.max_length < 30:
                    continue
                start = FORMULA_STARTS[poisoned % len(FORMULA_STARTS)]
                value = Concat(
                    models.Value(start + "HYPERLINK(1)"),
                    Cast("pk", models.CharField(max_length=20)),
                    output_field=models.CharField(),
                )
                model._default_manager.update(**{field.name: value})
                poisoned += 1
    return poisoned


SPREADSHEETS = (XLSX_TYPE, "text/csv")


@cache
def _export_names() -> list[str]:
    return PAGE_GETS + API_GETS


def test_every_spreadsheet_handed_out_neutralises_formulas(authz_world: World, db: None) -> None:
    assert _poison() > 10
    exports, live, neutralised = [], [], 0
    for name in _export_names():
        response = _fetch(authz_world, name)[3]
        content_type = response.get("Content-Type", "")
        if response.status_code != 200 or not content_type.startswith(SPREADSHEETS):
            continue
        exports.append(name)
        content = b"".join(response.streaming_content) if response.streaming else response.content
        for sheet in load_workbook(io.BytesIO(content)).worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    text = cell.value if isinstance(cell.value, str) else ""
                    if cell.data_type == "f" or text.startswith(FORMULA_STARTS):
                        live.append(f"{name} {sheet.title}!{cell.coordinate}: {cell.value!r}")
                    elif text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
                        neutralised += 1
    # Today: the survey and roster exports and the three import templates.
    assert len(exports) >= 5, exports
    assert neutralised > 0, "no poisoned value reached any export: the probe proves nothing"
    assert not live, "live formulas:\n" + "\n".join(live)


# --- 5: the worker's memory on a spreadsheet bomb ---------------------------------------------

# The bomb is ~100 kB packed and 100 MB unpacked; refused from the zip's directory, the import
# costs the worker little more than the file's bytes. Unchecked, openpyxl holds the string.
BOMB_PEAK_BOUND = 16 * 1024 * 1024


def _worker_import_peak(world: World, content: bytes) -> tuple[int, Any]:
    import tracemalloc

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from tuoguan.accounts.tasks import worker_import
    from tuoguan.core.jobs import job_create
    from tuoguan.core.models import Job

    admin = world.p.city_admin
    membership = world.p.actor(admin).membership
    job = job_create(owner=admin, kind="worker_import", title="bomb")
    path = default_storage.save("imports/roster/bomb.xlsx", ContentFile(content))
    tracemalloc.start()
    try:
        worker_import.call(
            job_id=job.pk, path=path, membership_id=membership.pk, language="zh-hans"
        )
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, Job.objects.get(pk=job.pk)


def test_a_spreadsheet_bomb_costs_the_import_worker_little_memory(
    authz_world: World, db: None
) -> None:
    from tuoguan.core.models import Job

    peak, job = _worker_import_peak(authz_world, xlsx_bomb())
    assert job.status == Job.Status.FAILED
    assert job.error == zh(unpacks_too_large_message)
    assert peak < BOMB_PEAK_BOUND, f"peak {peak / 2**20:.1f} MB"


def test_the_memory_probe_sees_an_unchecked_bomb(authz_world: World, db: None) -> None:
    """The control: with the limits lifted, a bomb of a fifth the size goes past the bound."""
    from django.test import override_settings

    with override_settings(TUOGUAN_MAX_XLSX_UNPACKED_BYTES=2**40, TUOGUAN_MAX_XLSX_RATIO=2**30):
        peak, _job = _worker_import_peak(authz_world, xlsx_bomb(20 * 1024 * 1024))
    assert peak > BOMB_PEAK_BOUND, f"peak {peak / 2**20:.1f} MB"
