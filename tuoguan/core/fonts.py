"""The fonts PDFs are drawn with, and the check that a typed name can be drawn at all.

The vendored subset of Noto Sans SC (static/vendor/fonts, SIL OFL) covers GB 2312, so the
usual text renders the same on every server. Rarer characters come from the system fonts
below, in order, when installed (Debian: fonts-noto-cjk for rare Hanzi, fonts-dejavu-core
for some emoji and symbols; .ci/run installs them). A character that none of them has would
be dropped from the PDF, so names are refused at input instead (`validate_printable`).
"""

import functools
import unicodedata
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from fontTools.ttLib import TTFont

VENDORED = Path(settings.BASE_DIR) / "static" / "vendor" / "fonts" / "NotoSansSC-Regular-GB2312.otf"
# (path, index in a collection or None): index 2 of Noto Sans CJK is the Simplified Chinese face.
SYSTEM_FALLBACKS: list[tuple[Path, int | None]] = [
    (Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"), 2),
    (Path("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc"), 2),
    (Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"), None),
]
# Formatting characters with no glyph of their own (zero-width joiner, variation selectors).
INVISIBLE = frozenset({0x200B, 0x200C, 0x200D, 0x2060, *range(0xFE00, 0xFE10)})


@functools.cache
def _cmap(path: Path, index: int | None) -> frozenset[int]:
    font = TTFont(str(path), fontNumber=index if index is not None else -1, lazy=True)
    return frozenset(font.getBestCmap())


def vendored_chars() -> frozenset[int]:
    return _cmap(VENDORED, None)


def installed_fallbacks() -> list[tuple[Path, int | None]]:
    return [(path, index) for path, index in SYSTEM_FALLBACKS if path.exists()]


def fallback_chars(path: Path, index: int | None) -> frozenset[int]:
    return _cmap(path, index)


def needs_glyph(char: str) -> bool:
    return not (char.isspace() or ord(char) in INVISIBLE or unicodedata.category(char) == "Cc")


def undrawable(text: str) -> list[str]:
    """The characters of `text` that no PDF font has, in order, each once."""
    vendored = vendored_chars()
    missing = [c for c in dict.fromkeys(text) if needs_glyph(c) and ord(c) not in vendored]
    for path, index in installed_fallbacks():
        if not missing:
            break
        covered = fallback_chars(path, index)
        missing = [c for c in missing if ord(c) not in covered]
    return missing


def validate_printable(value: str) -> None:
    """Refuse what the agreement PDF could not draw, rather than lose it there silently."""
    missing = undrawable(value or "")
    if missing:
        raise ValidationError(
            _(
                "%(chars)s cannot be printed on the care agreement. Write the name with "
                "other characters (for example the common form, or pinyin)."
            )
            % {"chars": " ".join(f"“{c}”" for c in missing)},
            code="unprintable",
        )
