"""`{% icon "bell" %}`: one of the vendored Tabler icons, inlined as SVG.

The files are static/vendor/tabler-icons/outline/<name>.svg (bin/vendor-ui copies the names
listed in icons.txt there). An icon is decorative, hidden from screen readers, when text
beside it says the same thing; `label="…"` adds that text, visually hidden, when the icon
stands alone (a status mark in a table cell, a bell in the header).
"""

import re
from functools import cache

from django import template
from django.contrib.staticfiles import finders
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

ICON_DIR = "vendor/tabler-icons/outline"
_NAME = re.compile(r"^[a-z0-9-]+$")
_BODY = re.compile(r"<svg[^>]*>(?P<body>.*)</svg>", re.S)
# Tabler's transparent bounding box: no pixels, only bytes.
_BOX = re.compile(r'<path stroke="none" d="M0 0h24v24H0z" fill="none"\s*/>')


class UnknownIcon(template.TemplateSyntaxError):
    pass


@cache
def icon_body(name: str) -> str:
    """The shapes of the icon `name`, from its vendored file (read once per process)."""
    path = finders.find(f"{ICON_DIR}/{name}.svg") if _NAME.match(name) else None
    if not path:
        raise UnknownIcon(
            f"no icon {name!r} in static/{ICON_DIR}: add it to "
            "static/vendor/tabler-icons/icons.txt and run bin/vendor-ui"
        )
    with open(path, encoding="utf-8") as svg:
        match = _BODY.search(svg.read())
    if match is None:
        raise UnknownIcon(f"static/{ICON_DIR}/{name}.svg is not an SVG file")
    return " ".join(_BOX.sub("", match["body"]).split())


@register.simple_tag
def icon(name: str, label: str = "", css: str = "") -> SafeString:
    svg = format_html(
        '<svg class="icon icon-{} {}" viewBox="0 0 24 24" fill="none" stroke="currentColor" '
        'stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" '
        'focusable="false">{}</svg>',
        name,
        css,
        mark_safe(icon_body(name)),  # a vendored file of ours, not user input
    )
    if label:
        return format_html('{}<span class="visually-hidden">{}</span>', svg, label)
    return svg
