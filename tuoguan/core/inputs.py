"""Hostile input, refused the same way everywhere: text that cannot be stored, numbers out of range.

Shared by the JSON parser (`core.parsers`), the query-string and form check
(`core.middleware.InputTextMiddleware`), the API's query filters (`core.api`) and the pages'
filters (`core.kit`), so every endpoint, present and future, answers 400 or an empty list —
never a 500 from the database or from an error reply that cannot be encoded.
"""

import re
from typing import Any

from django.utils.translation import gettext as _

# A NUL byte (PostgreSQL text cannot hold it) or a lone UTF-16 surrogate (no UTF-8 encoding:
# the reply that echoes it back cannot be written).
_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")

# The widest integer both databases store (a signed 64-bit column): anything wider cannot
# name a row, and SQLite raises OverflowError when asked to bind it.
MAX_DB_INT = 2**63 - 1


def bad_text(value: str) -> bool:
    """Whether `value` holds a character no column and no reply can carry."""
    return _BAD_TEXT.search(value) is not None


def shown_name(name: str) -> str:
    """A field name safe to write in a reply, even when the name itself is the bad text."""
    return _BAD_TEXT.sub("\ufffd", name)[:100]


def bad_text_message() -> str:
    return _(
        "This value contains a character that is not allowed (a NUL byte or an invalid "
        "Unicode character)."
    )


def first_bad_text(data: Any, *, limit: int) -> tuple[str, str] | None:
    """The (top-level field, problem) of the first unusable string or over-deep nesting.

    Walks `data` (parsed JSON) without recursion, so no depth can exhaust the stack; the
    problem is "text" or "depth". Keys count as text too.
    """
    stack: list[tuple[Any, str, int]] = [(data, "", 1)]
    while stack:
        node, field, depth = stack.pop()
        if isinstance(node, str):
            if bad_text(node):
                return field, "text"
            continue
        if not isinstance(node, dict | list):
            continue
        if depth > limit:
            return field, "depth"
        if isinstance(node, dict):
            for key, value in node.items():
                name = field or key
                if bad_text(key):
                    return shown_name(name), "text"
                stack.append((value, name, depth + 1))
        else:
            stack.extend((value, field, depth + 1) for value in node)
    return None


def db_int(value: Any, *, minimum: int = 1) -> int | None:
    """`value` (a query parameter) as an id or count a database can hold, else None.

    None for what is not an integer, below `minimum` or beyond a 64-bit column: a filter on
    it matches nothing, and the caller answers an empty list or 400 as its page does.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    else:
        text = str(value or "").strip()
        # int() of a 5,000-digit string is refused by Python itself; no id is that long.
        if not text or len(text) > 20:
            return None
        try:
            number = int(text)
        except ValueError:
            return None
    if number < minimum or number > MAX_DB_INT:
        return None
    return number
