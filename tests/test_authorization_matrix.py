"""The authorisation matrix: every URL pattern × every persona, own subtree vs another province.

The patterns come from the URL configuration itself (`get_resolver()`), so a new view is
probed as soon as it is routed — and fails the suite until tests/authz_rules/ says who may
reach it. See the docstring of tests/authz_rules/__init__.py for how to declare a rule.
"""

import json
from collections import defaultdict
from typing import Any

import pytest
from authz_rules import ALLOWED, API_DENIED, DENIALS, LOGIN, RULES, Outcome, Rule, rules_for
from authz_world import ANONYMOUS, FORMAT_KWARG, PERSONAS, Route, World, project_routes
from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse

ROUTES = project_routes()
ROUTES_BY_NAME: dict[str, list[Route]] = defaultdict(list)
for _route in ROUTES:
    ROUTES_BY_NAME[_route.name].append(_route)
DECLARED = sorted(name for name in ROUTES_BY_NAME if name in RULES)
CASES = [(name, persona) for name in DECLARED for persona in (ANONYMOUS, *PERSONAS)]


def test_every_url_pattern_has_a_declared_rule() -> None:
    unnamed = [r.route for r in ROUTES if not r.name]
    undeclared = sorted({r.name for r in ROUTES if r.name and r.name not in RULES})
    problems = []
    if unnamed:
        problems.append(
            "URL patterns without a name (give each a name= so that it can be declared): "
            + ", ".join(unnamed)
        )
    if undeclared:
        lines = [f"  {name!r}: {ROUTES_BY_NAME[name][0].route}" for name in undeclared]
        problems.append(
            "URL patterns with no authorisation rule. Declare who may reach each one in RULES "
            "of its app's module in tests/authz_rules/ (programs.py, enrolment.py, accounts.py, "
            "orgs.py, …; the docstring of tests/authz_rules/__init__.py shows how):\n"
            + "\n".join(lines)
        )
    assert not problems, "\n".join(problems)


def test_every_rule_names_a_routed_pattern() -> None:
    stale = sorted(set(RULES) - set(ROUTES_BY_NAME))
    assert not stale, (
        f"tests/authz_rules/ declares rules for URL names that are no longer routed: {stale}"
    )


def test_every_rule_is_complete_and_keeps_outsiders_out() -> None:
    """A rule names an outcome for every persona, and no object rule lets the outsider in."""
    problems = []
    for name in RULES:
        for rule in rules_for(name):
            missing = set(PERSONAS) - set(rule.expect)
            if missing:
                problems.append(f"{name}: no outcome for {sorted(missing)}")
            if rule.obj and not rule.public and rule.expect.get("outsider") != 404:
                problems.append(f"{name}: the outsider must get 404 on an object of Liaoning")
    assert not problems, "\n".join(problems)


# --- Probing -------------------------------------------------------------------------------------


def _urls(name: str, rule: Rule, obj: Any) -> list[str]:
    """The URL of each routed variant of `name` (DRF's `.json` suffix one included)."""
    urls = []
    fillers = rule.url_kwargs()
    for route in ROUTES_BY_NAME[name]:
        kwargs: dict[str, Any] = {}
        for kwarg in route.kwargs:
            if kwarg == FORMAT_KWARG:
                kwargs[kwarg] = "json"
            elif kwarg in fillers:
                kwargs[kwarg] = getattr(obj, fillers[kwarg])
            else:
                raise AssertionError(
                    f"{name}: the URL takes {kwarg!r}, which its rule does not fill "
                    "(set obj= and kwarg= in its rule in tests/authz_rules/)"
                )
        urls.append(reverse(name, kwargs=kwargs))
    return urls


def _request(client: Client, rule: Rule, url: str, world: World, obj: Any) -> HttpResponse:
    body = rule.data(world, obj) if rule.data else {}
    method = getattr(client, rule.method.lower())
    if rule.method == "GET":
        return method(url, dict(rule.query))  # type: ignore[no-any-return]
    if rule.api:
        return method(url, json.dumps(body), content_type="application/json")  # type: ignore[no-any-return]
    return method(url, body)  # type: ignore[no-any-return]


def _matches(response: HttpResponse, expected: Outcome) -> bool:
    status = response.status_code
    if expected == ALLOWED:
        return status not in DENIALS and status < 500
    if expected == API_DENIED:
        return status in (401, 403)
    if expected == LOGIN:
        login = resolve_url(settings.LOGIN_URL)
        return status == 302 and response.get("Location", "").startswith(login)
    return status == expected


def _describe(response: HttpResponse) -> str:
    where = response.get("Location")
    return f"{response.status_code}" + (f" → {where}" if where else "")


def _ids_in(response: HttpResponse) -> set[Any]:
    data = response.json()  # type: ignore[attr-defined]
    rows = data.get("results", data) if isinstance(data, dict) else data
    return {row.get("id") for row in rows if isinstance(row, dict)}


def _hidden_checks(
    name: str, rule: Rule, persona: str, world: World, response: HttpResponse
) -> list[str]:
    """A list must not show the own object to those who cannot open it."""
    if response.status_code != 200:
        return []
    problems = []
    if rule.hides and rule.hides_detail:
        detail = rules_for(rule.hides_detail)[0]
        own = world.own[rule.hides]
        if detail.expect.get(persona) == 404 and own.pk in _ids_in(response):
            problems.append(
                f"{name} ({persona}): lists {rule.hides} {own.pk} of Liaoning, "
                f"whose detail ({rule.hides_detail}) is a 404 for them"
            )
    if rule.hides_text and persona in ("outsider", "other_parent"):
        text = rule.hides_text(world)
        if text and text in response.content.decode():
            problems.append(f"{name} ({persona}): the page shows {text!r} of Liaoning")
    return problems


def _probe(
    name: str, rule: Rule, persona: str, world: World, side: str, expected: Outcome
) -> list[str]:
    obj = (world.own if side == "own" else world.foreign).get(rule.obj) if rule.obj else None
    if rule.obj and obj is None:
        return [f"{name}: the world has no {side} object of kind {rule.obj!r} (tests/conftest.py)"]
    failures = []
    for url in _urls(name, rule, obj):
        failures += _check(name, rule, persona, world, side, expected, url, obj)
    return failures


def _check(
    name: str,
    rule: Rule,
    persona: str,
    world: World,
    side: str,
    expected: Outcome,
    url: str,
    obj: Any,
) -> list[str]:
    response = _request(world.client(persona), rule, url, world, obj)
    failures = []
    if not _matches(response, expected):
        failures.append(
            f"{rule.method} {url} [{name}] as {persona} on the {side} object: "
            f"got {_describe(response)}, expected {expected}"
        )
    if side == "own":
        failures += _hidden_checks(name, rule, persona, world, response)
    return failures


def _stub(*args: Any, **kwargs: Any) -> bytes:
    return b"stub"


@pytest.mark.parametrize(("name", "persona"), CASES, ids=[f"{n}-{p}" for n, p in CASES])
def test_access(
    name: str, persona: str, authz_world: World, db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    failures: list[str] = []
    for rule in rules_for(name):
        for target in rule.stubs:
            monkeypatch.setattr(target, _stub)
        if persona == ANONYMOUS:
            failures += _probe(name, rule, persona, authz_world, "own", rule.anonymous_outcome())
            continue
        failures += _probe(name, rule, persona, authz_world, "own", rule.expect[persona])
        if rule.obj:
            expected = rule.foreign_outcome(persona)
            failures += _probe(name, rule, persona, authz_world, "foreign", expected)
    assert not failures, "\n".join(failures)


def test_every_probed_route_fills_its_kwargs() -> None:
    """Catch a rule whose `kwarg` does not match the route before the matrix runs."""
    problems = []
    for name in DECLARED:
        for rule in rules_for(name):
            for route in ROUTES_BY_NAME[name]:
                wanted = set(route.kwargs) - {FORMAT_KWARG}
                given = set(rule.url_kwargs())
                if wanted != given:
                    problems.append(
                        f"{name} {route.route}: takes {sorted(wanted)}, rule fills {sorted(given)}"
                    )
    assert not problems, "\n".join(problems)
