"""Every page of the application, on a phone and on a desktop, in Chromium: the sweep.

The URL patterns come from the URL configuration itself, as the authorisation matrix walks
it, so a new page is swept as soon as it is routed. tests/authz_rules/ says who may open
each pattern and which object of the matrix world (tests/authz_world.py) fills its URL; the
sweep opens it as such a person, in zh-hans (the default language), at 1366×900 and again
at 360×740, and fails at either width on
* any serious or critical axe-core violation (WCAG 2.2 AA rules, target size included);
* a page that scrolls sideways, or text that overflows its box;
* an icon that is not hidden from screen readers with a text beside it to name it, an emoji
  where an icon belongs, or a logged-in page whose bell has no icon and no name.

Patterns that are not pages are recognised rather than listed: a GET answered with 405 is a
POST-only action, a body that is not HTML is a download (Excel, PDF, photo, file, JSON).
Anything else that cannot be built or opened fails its pattern's test, naming it.

The world takes a while to build and pytest-django empties the database after every test
that uses the live server, so the sweep runs once, in the first test of the module, over the
patterns selected for this run; each pattern's test then reports its own pages.
"""

import copy
import re
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from authz_rules import API_DENIED, DENIALS, LOGIN, RULES, Rule, rules_for
from authz_world import ANONYMOUS, IN_MEMORY_STORAGE, World, build_world, project_routes
from django.conf import settings
from django.test import modify_settings, override_settings
from django.urls import reverse
from playwright.sync_api import Error as PlaywrightError

pytestmark = pytest.mark.browser

PARENT = "parent"
# The union staff who open a page when the parent cannot: the host's admins first, since
# their pages show the most controls, then the levels above, then the other roles.
STAFF = ("grassroots_admin", "city_admin", "province_admin", "reviewer", "caregiver")
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 360, "height": 740}
# Patterns that are pages but have nothing of their own to sweep.
SKIPPED = {
    "core:home": "redirects each person to where their work starts; those pages are swept",
    "care:camera_player": "opens only through a signed link; axe runs on it in "
    "test_journey_cameras.py",
    "care:camera_playlist": "an HLS playlist behind a signed link, not a page",
    "care:camera_segment": "a video segment behind a signed link, not a page",
    "care:camera_heartbeat": "the camera player's heartbeat (POST), not a page",
}
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts" / "axe-sweep"
ROUTES = [
    route
    for route in project_routes()
    if route.name and not route.route.startswith("api/") and not route.is_format_variant
]
ROUTES_BY_NAME = {route.name: route for route in ROUTES}
NAMES = sorted(ROUTES_BY_NAME)


# --- What to open, as whom ---------------------------------------------------------------------


@dataclass(frozen=True)
class View:
    """One page to open: the pattern's URL as one person."""

    name: str
    persona: str
    rule: Rule


@dataclass
class Result:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _viewers(rule: Rule) -> list[str]:
    """Public pages as a visitor; otherwise the parent and one member of staff, if allowed.

    A page without an object that both reach (the inbox, one's own family) is the same page
    for both, with the family's data on the parent's side: the parent's view is enough.
    """
    if rule.anonymous_outcome() == 200:
        return [ANONYMOUS]
    staff = [persona for persona in STAFF if rule.expect.get(persona) == 200][:1]
    if rule.expect.get(PARENT) != 200:
        return staff
    return [PARENT, *staff] if rule.obj else [PARENT]


def _writer(rule: Rule) -> str | None:
    """Someone let through by a write rule, to ask the pattern for a page with GET."""
    for persona in (PARENT, *STAFF):
        outcome = rule.expect.get(persona)
        if outcome is not None and outcome not in DENIALS and outcome not in (LOGIN, API_DENIED):
            return persona
    return None


def plan(name: str) -> tuple[list[View], list[str]]:
    """The views to open for a pattern, or the reasons it cannot be swept."""
    if name not in RULES:
        return [], [
            f"{name}: no rule in tests/authz_rules/ says who may open it, so the sweep "
            "cannot build its URL; declare one there"
        ]
    rules = rules_for(name)
    readable = [rule for rule in rules if rule.method == "GET"]
    if readable:
        views = [View(name, persona, readable[0]) for persona in _viewers(readable[0])]
        if not views:
            return [], [f"{name}: no persona gets 200 on it in tests/authz_rules/"]
        return views, []
    # Declared as a write only: ask it for a page anyway, expecting 405.
    writer = next((p for p in map(_writer, rules) if p), None)
    if writer is None:
        return [], [f"{name}: nobody may use it according to tests/authz_rules/"]
    return [View(name, writer, rules[0])], []


def _url(view: View, world: Any) -> str:
    kwargs = {}
    route = ROUTES_BY_NAME[view.name]
    fillers = view.rule.url_kwargs()
    obj = world.own.get(view.rule.obj) if view.rule.obj else None
    for kwarg in route.kwargs:
        if kwarg not in fillers or obj is None:
            raise LookupError(
                f"{view.name}: the URL takes {kwarg!r} and its rule in tests/authz_rules/ "
                f"gives no object of the world to fill it (obj={view.rule.obj!r})"
            )
        kwargs[kwarg] = getattr(obj, fillers[kwarg])
    url = reverse(view.name, kwargs=kwargs)
    if view.rule.query:
        url += "?" + "&".join(f"{k}={v}" for k, v in view.rule.query.items())
    return url


# --- The browser side -------------------------------------------------------------------------


class Browser:
    """One context per person, logged in once with a session of the world; one tab each."""

    def __init__(self, chromium: Any, base_url: str, sessions: dict[str, str]) -> None:
        self.chromium = chromium
        self.base_url = base_url
        self.sessions = sessions
        self.tabs: dict[str, Any] = {}
        self.contexts: list[Any] = []
        self.escaped: list[str] = []
        self.js_errors: list[str] = []

    def tab(self, persona: str) -> Any:
        if persona not in self.tabs:
            context = self.chromium.new_context(
                base_url=self.base_url, locale="zh-CN", viewport=DESKTOP
            )
            context.set_default_timeout(30_000)
            context.route(lambda url: not url.startswith(self.base_url), self._block)
            if persona != ANONYMOUS:
                context.add_cookies(
                    [
                        {
                            "name": settings.SESSION_COOKIE_NAME,
                            "value": self.sessions[persona],
                            "url": self.base_url,
                        }
                    ]
                )
            page = context.new_page()
            page.on("pageerror", lambda exc: self.js_errors.append(str(exc)))
            self.contexts.append(context)
            self.tabs[persona] = page
        return self.tabs[persona]

    def _block(self, route: Any) -> None:
        self.escaped.append(route.request.url)
        route.abort()

    def close(self) -> None:
        for context in self.contexts:
            context.close()


def _screenshot(page: Any, view: View, suffix: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^\w.-]+", "_", f"{view.name}-{view.persona}-{suffix}")
    try:
        page.screenshot(path=str(ARTIFACTS / f"{stem}.png"), full_page=True)
        (ARTIFACTS / f"{stem}.html").write_text(page.content(), encoding="utf-8")
    except Exception:  # noqa: BLE001, S110 - a dead page must not hide the real finding
        pass


def _check(view: View, url: str, page: Any, axe: Callable[..., None], where: str) -> list[str]:
    try:
        axe(page, context=f"{view.name} as {view.persona}, {where}")
    except AssertionError as failure:
        _screenshot(page, view, where)
        return [str(failure)]
    return []


# One pass over the page as it is laid out now: what a reader would see go wrong.
LAYOUT_PROBLEMS = """() => {
  const problems = [];
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth) {
    problems.push(`it scrolls sideways: ${root.scrollWidth}px wide in ${root.clientWidth}px`);
  }
  const clipped = (el) => {
    for (let e = el; e && e !== document.body; e = e.parentElement) {
      if (!/visible/.test(getComputedStyle(e).overflowX)) return true;
    }
    return false;
  };
  for (const el of document.body.querySelectorAll("*")) {
    const style = getComputedStyle(el);
    if (style.display.startsWith("inline") || style.display === "none") continue;
    if (el.closest("svg, .visually-hidden, select, script, style, template")) continue;
    if (![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
    if (!el.getClientRects().length || clipped(el)) continue;
    const right = el.getBoundingClientRect().right;
    if (el.scrollWidth > el.clientWidth + 1 || right > root.clientWidth + 1) {
      const text = el.textContent.trim().replace(/\\s+/g, " ").slice(0, 50);
      problems.push(`text overflows its <${el.tagName.toLowerCase()}>: "${text}"`);
    }
  }
  for (const svg of document.querySelectorAll("svg.icon")) {
    const name = svg.classList[1] || "icon";
    if (svg.getAttribute("aria-hidden") !== "true") {
      problems.push(`the ${name} icon is not hidden from screen readers (its text names it)`);
    }
    const holder = svg.closest("a, button, label, summary, [aria-label]") || svg.parentElement;
    if (!(holder.getAttribute("aria-label") || holder.textContent).trim()) {
      problems.push(`the ${name} icon has no text beside it to name it`);
    }
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const emoji = node.textContent.match(/\\p{Emoji_Presentation}/u);
    if (emoji) problems.push(`an emoji (${emoji[0]}) where an SVG icon belongs`);
  }
  if (document.querySelector("form[action$='/logout/']")) {
    const bell = document.querySelector("a.bell");
    if (!bell || !bell.querySelector("svg.icon-bell") || !bell.getAttribute("aria-label")) {
      problems.push("the header has no bell icon with a name");
    }
  }
  return [...new Set(problems)];
}"""


def _at(
    width: dict[str, int], view: View, url: str, page: Any, axe: Callable[..., None]
) -> list[str]:
    where = "phone" if width is PHONE else "desktop"
    page.set_viewport_size(width)
    problems = [
        f"{view.name}: {url} as {view.persona} at {width['width']}px: {problem}"
        for problem in page.evaluate(LAYOUT_PROBLEMS)
    ]
    if problems:
        _screenshot(page, view, where)
    return problems + _check(view, url, page, axe, where)


def _open(view: View, url: str, browser: Browser, axe: Callable[..., None]) -> list[str]:
    page = browser.tab(view.persona)
    browser.escaped.clear()
    browser.js_errors.clear()
    page.set_viewport_size(DESKTOP)
    response = page.goto(url)
    if response is None or response.status != 200:
        status = response.status if response else "no response"
        return [f"{view.name}: GET {url} as {view.persona} in Chromium answered {status}"]
    problems = _at(DESKTOP, view, url, page, axe) + _at(PHONE, view, url, page, axe)
    if browser.escaped:
        problems.append(f"{view.name}: {url} requested outside the application: {browser.escaped}")
    if browser.js_errors:
        problems.append(f"{view.name}: JavaScript errors on {url}: {browser.js_errors}")
    return problems


# --- The sweep ----------------------------------------------------------------------------------


def _stub(*args: Any, **kwargs: Any) -> bytes:
    return b"stub"


def _sweep_view(
    view: View, world: Any, browser: Browser, axe: Callable[..., None], result: Result
) -> None:
    try:
        url = _url(view, world)
    except LookupError as missing:
        result.problems.append(str(missing))
        return
    try:
        with pytest.MonkeyPatch.context() as patch:
            # Slow work behind a download (rendering a PDF) that other tests cover.
            for target in view.rule.stubs:
                patch.setattr(target, _stub)
            response = world.client(view.persona).get(url)
    except Exception as error:  # noqa: BLE001 - one broken page must not stop the sweep
        result.problems.append(f"{view.name}: GET {url} as {view.persona} raised {error!r}")
        return
    kind = response.get("Content-Type", "")
    if response.status_code == 405:
        result.notes.append(f"POST only: GET {url} answers 405 (Allow: {response.get('Allow')})")
    elif response.status_code != 200:
        where = response.get("Location")
        result.problems.append(
            f"{view.name}: GET {url} as {view.persona} answered {response.status_code}"
            + (f" → {where}" if where else "")
        )
    elif not kind.startswith("text/html"):
        result.notes.append(f"not a page: {url} serves {kind}")
    else:
        try:
            result.problems += _open(view, url, browser, axe)
        except PlaywrightError as error:
            result.problems.append(f"{view.name}: {url} as {view.persona}: {error.message}")
        result.notes.append(f"swept {url} as {view.persona}")


def sweep(
    names: list[str], world: Any, browser: Browser, axe: Callable[..., None]
) -> dict[str, Result]:
    results: dict[str, Result] = {}
    for name in names:
        result = results[name] = Result()
        if name in SKIPPED:
            result.notes.append(f"skipped: {SKIPPED[name]}")
            continue
        views, reasons = plan(name)
        result.problems += reasons
        for view in views:
            _sweep_view(view, world, browser, axe, result)
    return results


@contextmanager
def _files_in_memory() -> Iterator[None]:
    """Uploads made by the world go to memory, never to var/media."""
    storages = {**settings.STORAGES, "default": {"BACKEND": IN_MEMORY_STORAGE}}
    with override_settings(STORAGES=storages):
        yield


def _selected(session: pytest.Session) -> list[str]:
    """The patterns whose tests run this time (all of them, or those picked with -k)."""
    here = Path(__file__).resolve()
    picked = [
        item.callspec.params["name"]
        for item in session.items
        if Path(item.path).resolve() == here and hasattr(item, "callspec")
    ]
    return sorted(set(picked))


@dataclass
class Sweep:
    results: dict[str, Result] = field(default_factory=dict)
    error: str = ""


def _summary(sweep: Sweep, world_seconds: float, sweep_seconds: float) -> str:
    notes = [note for result in sweep.results.values() for note in result.notes]
    opened = sum(note.startswith("swept ") for note in notes)
    return (
        f"axe sweep: {len(sweep.results)} URL patterns, {opened} pages opened in Chromium, "
        f"{sum(note.startswith('POST only') for note in notes)} POST-only, "
        f"{sum(note.startswith('not a page') for note in notes)} downloads; "
        f"world built in {world_seconds:.1f}s, pages swept in {sweep_seconds:.1f}s"
    )


def _run(request: pytest.FixtureRequest, chromium: Any, axe: Callable[..., None]) -> Sweep:
    # Only the test that sweeps needs the live server and a database; the others read the
    # results, so they neither start it nor pay for the flush that follows each such test.
    # Asked for here rather than declared, the database must be marked transactional (the
    # live server thread sees only committed rows) and ALLOWED_HOSTS widened (done below),
    # as pytest-django does for tests that declare `live_server`.
    request.node.add_marker(pytest.mark.django_db(transaction=True))
    request.getfixturevalue("transactional_db")
    live_server = request.getfixturevalue("live_server")
    host = urlsplit(live_server.url).hostname
    started = time.monotonic()
    with ExitStack() as stack:
        stack.enter_context(modify_settings(ALLOWED_HOSTS={"append": host}))
        stack.enter_context(_files_in_memory())
        world = build_world()
        built = time.monotonic()
        browser = Browser(chromium, live_server.url, world.sessions)
        stack.callback(browser.close)
        result = Sweep(results=sweep(_selected(request.session), world, browser, axe))
    # The counts and the time, for whoever watches the run: it should stay within minutes.
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.ensure_newline()
            reporter.write_line(_summary(result, built - started, time.monotonic() - built))
    return result


@pytest.fixture(scope="module")
def _sweep_cache() -> dict[str, Sweep]:
    return {}


@pytest.fixture
def swept(
    request: pytest.FixtureRequest,
    _sweep_cache: dict[str, Sweep],
    chromium: Any,
    assert_accessible: Callable[..., None],
) -> Sweep:
    """The results of the module's one sweep, run by whichever test comes first."""
    if "sweep" not in _sweep_cache:
        _sweep_cache["sweep"] = Sweep(error="the sweep stopped: see the first test's failure")
        _sweep_cache["sweep"] = _run(request, chromium, assert_accessible)
    return _sweep_cache["sweep"]


@pytest.mark.parametrize("name", NAMES)
def test_the_pages_of_the_pattern_pass_axe(name: str, swept: Sweep) -> None:
    assert not swept.error, swept.error
    problems = swept.results[name].problems
    assert not problems, "\n".join(problems)


def test_every_skipped_pattern_is_still_routed() -> None:
    stale = sorted(set(SKIPPED) - set(NAMES))
    assert not stale, f"SKIPPED names patterns that are no longer routed: {stale}"


def test_the_sweep_reports_violations_sideways_scroll_overflow_and_unnamed_icons(
    live_server: Any,
    chromium: Any,
    assert_accessible: Callable[..., None],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The sweep itself: a log-in page with each kind of fault fails it, naming the fault."""
    broken = tmp_path / "templates" / "accounts" / "login.html"
    broken.parent.mkdir(parents=True)
    broken.write_text(
        '{% extends "accounts/login.html" %}{% load icons %}{% block content %}'
        '{{ block.super }}<input type="text" id="unlabelled">'
        '<div style="width: 900px; height: 1px"></div>'
        '<p style="width: 100px; white-space: nowrap">一段在手机上放不下的很长很长的文字</p>'
        '<span>\U0001f514</span><button type="button">{% icon "bell" %}</button>{% endblock %}'
    )
    templates: list[dict[str, Any]] = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [broken.parents[1], *templates[0]["DIRS"]]
    monkeypatch.setattr(sys.modules[__name__], "ARTIFACTS", tmp_path / "artifacts")
    browser = Browser(chromium, live_server.url, sessions={})
    try:
        with override_settings(TEMPLATES=templates):
            results = sweep(["accounts:login"], World(p=None), browser, assert_accessible)
    finally:
        browser.close()

    problems = "\n".join(results["accounts:login"].problems)
    assert "label [critical]" in problems
    assert "#unlabelled" in problems
    assert "at 360px: it scrolls sideways" in problems
    assert 'text overflows its <p>: "一段在手机上放不下' in problems
    assert "an emoji (\U0001f514) where an SVG icon belongs" in problems
    assert "the icon-bell icon has no text beside it to name it" in problems
