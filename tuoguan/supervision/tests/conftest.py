"""These tests assert on English messages; the site's default language is zh-hans.

The Chinese rendering is covered by tests/test_translations.py, which checks every catalogue.
"""

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _in_english(settings: Any) -> Iterator[None]:
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
