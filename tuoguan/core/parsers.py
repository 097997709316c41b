"""The API's JSON parser: a depth cap and a text check on every body, before any view reads it.

Set as the first of REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"], so every JSON write endpoint,
present and future, refuses with 400 and a translated message: nesting deeper than
`settings.TUOGUAN_MAX_JSON_DEPTH` (thousands of `[` otherwise overflow the decoder's stack:
500), and a NUL byte or a lone surrogate in any string (naming the field; the value itself is
never echoed back, since the reply could not be encoded).
"""

import codecs
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json

from .inputs import bad_text_message, first_bad_text


def too_deep_message() -> str:
    return _("The JSON body is nested more than %(depth)d levels deep.") % {
        "depth": settings.TUOGUAN_MAX_JSON_DEPTH
    }


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        encoding = parsers.get_encoding(parser_context or {})  # type: ignore[attr-defined]
        try:
            text = codecs.getreader(encoding)(stream).read()
            parse_constant = json.strict_constant if self.strict else None
            data = json.loads(text, parse_constant=parse_constant)
        except RecursionError as exc:
            raise ParseError(too_deep_message()) from exc
        except ValueError as exc:
            raise ParseError(_("The body is not valid JSON.")) from exc
        problem = first_bad_text(data, limit=settings.TUOGUAN_MAX_JSON_DEPTH)
        if problem is not None:
            field, kind = problem
            message = too_deep_message() if kind == "depth" else bad_text_message()
            raise ParseError({field: [message]} if field else message)
        return data
