"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

One Chromium per session, a fresh context (cookies, viewport, language) per test. Every page a
journey visits goes through `assert_accessible` (axe-core: no serious or critical violation).
Under CI=true the browser is mandatory, so a missing or broken Chromium fails the run instead of
silently skipping the journeys.
"""

import os
import re
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

from tuoguan.testing import PASSWORD

CHROMIUM = os.environ.get("TUOGUAN_CHROMIUM", "/usr/bin/chromium")
# `playwright install` cannot download here, so the Debian build is launched directly; these
# switches keep it from phoning home (updates, sync, QUIC) and from needing a GPU or sandbox.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
BLOCKING_IMPACTS = ("serious", "critical")
# axe-core's default rules (WCAG 2.0-2.2 A/AA and best practices) plus WCAG 2.2's target
# size (2.5.8, 24 px), which axe leaves off by default.
AXE_OPTIONS = {"resultTypes": ["violations"], "rules": {"target-size": {"enabled": True}}}
# Short enough that a missing element fails in seconds, long enough for a slow CI machine.
TIMEOUT_MS = 10_000

_report_key = pytest.StashKey[dict[str, pytest.TestReport]]()


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"Chromium is mandatory under CI=true: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Iterator[pytest.TestReport]:
    """Keep each phase's report on the item, so the page fixture knows whether to screenshot."""
    report = yield
    item.stash.setdefault(_report_key, {})[report.when] = report
    return report


@pytest.fixture(scope="session")
def chromium() -> Generator[Any]:
    if not Path(CHROMIUM).exists():
        _unavailable(f"{CHROMIUM} is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        _unavailable(f"the playwright package is missing: {exc}")
    # Playwright's sync API keeps an asyncio loop marked as running on this thread, which
    # Django's async-safety guard mistakes for async code touching the ORM. Only the browser
    # session needs the escape hatch, so it is opened here and not for the whole suite.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
    except PlaywrightError as exc:
        playwright.stop()
        _restore_env("DJANGO_ALLOW_ASYNC_UNSAFE", previous)
        _unavailable(f"{CHROMIUM} failed to launch: {exc.message.splitlines()[0]}")
    yield browser
    browser.close()
    playwright.stop()
    _restore_env("DJANGO_ALLOW_ASYNC_UNSAFE", previous)


def _restore_env(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


@pytest.fixture
def new_page(
    chromium: Any, live_server: Any, transactional_db: None, request: pytest.FixtureRequest
) -> Generator[Callable[..., Any]]:
    """Open a page in a fresh browser context: `new_page(locale="zh-CN", viewport=(360, 740))`.

    Requests that leave the live server are aborted and fail the test: union intranets are
    often offline, so every asset must be served by the application itself.
    """
    base_url = live_server.url
    contexts: list[Any] = []
    pages: list[Any] = []
    escaped: list[str] = []
    js_errors: list[str] = []

    def block_outside(route: Any) -> None:
        escaped.append(route.request.url)
        route.abort()

    def open_page(*, locale: str = "en-US", viewport: tuple[int, int] = (1280, 900)) -> Any:
        context = chromium.new_context(
            base_url=base_url,
            locale=locale,
            viewport={"width": viewport[0], "height": viewport[1]},
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.route(lambda url: not url.startswith(base_url), block_outside)
        page = context.new_page()
        page.on("pageerror", lambda exc: js_errors.append(str(exc)))
        contexts.append(context)
        pages.append(page)
        return page

    yield open_page

    reports = request.node.stash.get(_report_key, {})
    if any(r.failed for r in reports.values()):
        _save_artifacts(request.node.name, pages, js_errors)
    for context in contexts:
        context.close()
    assert not escaped, f"the pages requested resources outside the application: {escaped}"
    assert not js_errors, f"JavaScript errors on the pages: {js_errors}"


@pytest.fixture
def page(new_page: Callable[..., Any]) -> Any:
    """A desktop-sized page in English (stable text while zh-hans translations are pending)."""
    return new_page()


def _save_artifacts(test_name: str, pages: list[Any], js_errors: list[str]) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    stem = re.sub(r"[^\w.-]+", "_", test_name)
    for index, page in enumerate(pages):
        suffix = f"-{index}" if index else ""
        try:
            page.screenshot(path=str(ARTIFACTS / f"{stem}{suffix}.png"), full_page=True)
            (ARTIFACTS / f"{stem}{suffix}.html").write_text(page.content(), encoding="utf-8")
        except Exception as exc:  # noqa: BLE001 - a dead page must not hide the real failure
            (ARTIFACTS / f"{stem}{suffix}.txt").write_text(f"no screenshot: {exc}\n")
    if js_errors:
        (ARTIFACTS / f"{stem}.js-errors.txt").write_text("\n".join(js_errors) + "\n")


_axe: Any = None


def _assert_accessible(page: Any, *, context: str = "") -> None:
    """Fail on any serious or critical axe-core violation on the page as it is now."""
    __tracebackhide__ = True
    global _axe  # the axe script is read from disk once, not on every page
    if _axe is None:
        from axe_playwright_python.sync_playwright import Axe

        _axe = Axe()
    results = _axe.run(page, options=AXE_OPTIONS)
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]
    if blocking:
        where = f"{page.url}" + (f" ({context})" if context else "")
        lines = [f"axe-core found {len(blocking)} serious/critical violation(s) on {where}:"]
        for violation in blocking:
            targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
            more = len(violation["nodes"]) - len(targets)
            lines.append(
                f"  - {violation['id']} [{violation['impact']}] {violation['help']}: "
                f"{', '.join(targets)}" + (f" (+{more} more)" if more > 0 else "")
            )
        raise AssertionError("\n".join(lines))


def _log_in(page: Any, username: str, password: str = PASSWORD) -> None:
    """Log in through the real login page, as a person would."""
    page.goto(reverse("accounts:login"))
    _assert_accessible(page, context="login page")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        page.locator("form:has(input[name=password]) [type=submit]").click()


# Helpers are handed out as fixtures: conftest modules are not meant to be imported.
@pytest.fixture
def assert_accessible() -> Callable[..., None]:
    """`assert_accessible(page)` after every navigation or HTMX swap that changes the page."""
    return _assert_accessible


@pytest.fixture
def log_in() -> Callable[..., None]:
    """`log_in(page, username_or_mobile)`: the real login form, with the personas' password."""
    return _log_in
