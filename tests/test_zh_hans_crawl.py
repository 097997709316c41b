"""Every page speaks Chinese to a Chinese reader: the zh-hans crawl.

The pages come from the URL configuration (as the authorisation matrix walks it) and are
opened, with the Django test client in zh-hans, by every persona whom tests/authz_rules/
lets see them, on the matrix's world (tests/authz_world.py). What a reader sees or hears is
collected — the text, and the title, aria-label, alt, placeholder and data-label attributes
(a data-label is the card label of a reflowed table on a phone) — and every Latin-letter word
in it must be one a Chinese interface keeps: a unit, a file format, a name of the world's
data, a code (anything with a digit or an underscore, a hexadecimal digest). Text a user
typed shown back in an input, code samples (<code>, .mono) and text marked with another
language (lang="en": the language switch's "English") are not the interface's words.

A word in the report is English that a Chinese reader would meet: translate it (a label for
a code, a catalogue entry for a message), don't add it to the allowed list unless it really
is a word Chinese readers use as is.
"""

import re
from collections import defaultdict
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import pytest
from authz_rules import RULES, Rule, rules_for
from authz_world import ANONYMOUS, PERSONAS, World, project_routes
from django.urls import reverse

ROUTES = {
    route.name: route
    for route in project_routes()
    if route.name and not route.route.startswith("api/") and not route.is_format_variant
}
NAMES = sorted(name for name in ROUTES if name in RULES)

# Latin words a Chinese interface keeps as they are.
ALLOWED = frozenset(
    {
        # acronyms and formats people read as such
        "API",
        "ID",
        "Python",
        "OK",
        "IP",
        "PDF",
        "Excel",
        "xlsx",
        "XLSX",
        "csv",
        "CSV",
        "JSON",
        "SHA",
        "URL",
        "WPS",
        "HTTP",
        "HTTPS",
        # streaming protocols, named as such on every camera's settings page
        "HLS",
        "RTSP",
        "OpenAPI",
        "Bearer",
        "Token",
        "JPEG",
        "PNG",
        "WebP",
        # units
        "m",
        "cm",
        "kg",
        "km",
        "MB",
        "KB",
        # what the world (tests/authz_world.py) typed: a job title, a standard's title, a
        # term named after its allocation, a pickup person's relation to the child
        "matrix",
        "ln",
        "sc",
        "lottery",
        "grandmother",
    }
)
WORD = re.compile(r"[A-Za-z][A-Za-z'’.-]*[A-Za-z]|[A-Za-z]")
HEX = re.compile(r"^[0-9a-fA-F]{8,}$")
PLACEHOLDER = re.compile(r"^\{[a-z_]+\}$")
# Attributes whose text reaches the reader (shown, or read out by a screen reader).
READ_ATTRIBUTES = ("title", "aria-label", "alt", "placeholder", "data-label", "aria-description")
SKIPPED_ELEMENTS = frozenset({"script", "style", "code", "kbd", "samp", "pre", "textarea"})
VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)


class ReaderText(HTMLParser):
    """The words a reader meets on a page, each with where it stands."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped)
        self.found: list[tuple[str, str]] = []  # (text, where)

    @property
    def skipping(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        foreign = values.get("lang", "zh-hans").lower() not in ("zh-hans", "zh", "zh-cn")
        skipped = (
            self.skipping
            or tag in SKIPPED_ELEMENTS
            or foreign
            or "mono" in values.get("class", "").split()
            or values.get("translate") == "no"
        )
        if not skipped:
            for name in READ_ATTRIBUTES:
                if values.get(name):
                    self.found.append((values[name], f"<{tag} {name}>"))
            if tag == "input" and values.get("type") in ("submit", "button", "reset"):
                self.found.append((values.get("value", ""), "<input value>"))
            if tag == "option" and not values.get("value"):
                pass
        if tag not in VOID:
            self.stack.append((tag, skipped))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack and self.stack[-1][0] == tag:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        if data.strip() and not self.skipping:
            where = self.stack[-1][0] if self.stack else "document"
            self.found.append((data, f"<{where}>"))


def latin_words(text: str) -> Iterator[str]:
    for token in re.split(r"[\s/()（）,，:：;；\"“”'‘’·、。！？!?【】\[\]<>《》=+*&|#@%]+", text):
        if not token or any(c.isdigit() or c == "_" for c in token) or HEX.match(token):
            continue  # a code, a number, a digest
        if PLACEHOLDER.match(token):
            continue  # a placeholder of a text template: {child} is typed as is
        for word in WORD.findall(token):
            if word.strip(".-'’") not in ALLOWED:
                yield word


def english_on(html: str) -> list[tuple[str, str, list[str]]]:
    """(where, text, its Latin words not allowed) for each text of the page that has any."""
    parser = ReaderText()
    parser.feed(html)
    found = []
    for text, where in parser.found:
        words = list(latin_words(text))
        if words:
            found.append((where, " ".join(text.split())[:120], words))
    return found


def _readers(rule: Rule) -> list[str]:
    if rule.anonymous_outcome() == 200:
        return [ANONYMOUS, *(p for p in PERSONAS if rule.expect.get(p) == 200)]
    return [persona for persona in PERSONAS if rule.expect.get(persona) == 200]


def _url(name: str, rule: Rule, world: World) -> str:
    obj = world.own.get(rule.obj) if rule.obj else None
    fillers = rule.url_kwargs()
    kwargs = {kwarg: getattr(obj, fillers[kwarg]) for kwarg in ROUTES[name].kwargs}
    url = reverse(name, kwargs=kwargs)
    if rule.query:
        url += "?" + "&".join(f"{k}={v}" for k, v in rule.query.items())
    return url


def _stub(*args: Any, **kwargs: Any) -> bytes:
    return b"stub"


def test_the_crawl_finds_english_text_and_attributes_but_not_codes_or_typed_values() -> None:
    html = (
        "<p>名额 Full</p><p title='Close'>关闭</p><input type='submit' value='Save'>"
        "<td data-label='Guardian'>张丽</td><code>proc_epidemic</code><span class='mono'>abc</span>"
        "<button lang='en'>English</button><input type='text' value='Alice'>"
        "<span>PL-12 · API · 5 MB · 3f9a0c2d1e</span><script>var shown = false;</script>"
    )
    words = [word for _where, _text, found in english_on(html) for word in found]
    assert words == ["Full", "Close", "Save", "Guardian"]


def test_the_crawl_covers_every_page_with_a_reader() -> None:
    """A page nobody may read in GET is not crawled: make sure that is a short, known list."""
    unread = [
        name
        for name in NAMES
        if not any(rule.method == "GET" and _readers(rule) for rule in rules_for(name))
    ]
    # POST-only actions and pages no persona of the world reaches (a superuser's).
    assert len(unread) < len(NAMES) / 2, unread


@pytest.mark.parametrize("name", NAMES)
def test_the_page_has_no_english_for_a_chinese_reader(
    name: str, authz_world: World, db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    rule = next((r for r in rules_for(name) if r.method == "GET"), None)
    if rule is None or not _readers(rule):
        pytest.skip("no page to read: a POST-only action, or nobody of the world reads it")
    for target in rule.stubs:
        monkeypatch.setattr(target, _stub)
    url = _url(name, rule, authz_world)
    problems: dict[str, list[str]] = defaultdict(list)
    for persona in _readers(rule):
        response = authz_world.client(persona).get(url, HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
        if response.status_code != 200 or not response.get("Content-Type", "").startswith(
            "text/html"
        ):
            continue
        for where, text, words in english_on(response.content.decode()):
            problems[f"{where} {text!r}: {', '.join(words)}"].append(persona)
    lines = [f"  {line}  (as {', '.join(who)})" for line, who in problems.items()]
    assert not lines, f"English on {url} in zh-hans:\n" + "\n".join(lines)
