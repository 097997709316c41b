"""Hostile files for the generated probes: pixel bombs and spreadsheet bombs, built once.

Each is what an attacker sends, not a mock: a PNG whose header claims 20,000 × 20,000 pixels
and whose data really is that many (a solid image packs to under 2 MB), and a real .xlsx whose
first sheet unpacks to far more than any limit from about a hundred kilobytes.
"""

import io
import struct
import zipfile
import zlib
from functools import cache

from openpyxl import Workbook

# Big enough for every reader to believe it and beyond TUOGUAN_MAX_XLSX_UNPACKED_BYTES (50 MB).
XLSX_BOMB_UNPACKED = 100 * 1024 * 1024


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


@cache
def pixel_bomb(width: int = 20_000, height: int = 20_000) -> bytes:
    """A solid grey PNG of width × height, 8-bit greyscale: every row is really there."""
    compressor = zlib.compressobj(1)  # fast to build; still ~1.7 MB
    row = b"\x00" + b"\x80" * width  # filter byte "none", then the pixels
    parts = [compressor.compress(row * 100) for _ in range(height // 100)]
    parts.append(compressor.flush())
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", b"".join(parts))
        + _chunk(b"IEND", b"")
    )


@cache
def xlsx_bomb(unpacked: int = XLSX_BOMB_UNPACKED) -> bytes:
    """A workbook openpyxl opens, whose header row holds a cell of `unpacked` bytes of text."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Name"])
    plain = io.BytesIO()
    book.save(plain)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(plain) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb,
    ):
        for part in source.infolist():
            if part.filename != "xl/worksheets/sheet1.xml":
                bomb.writestr(part, source.read(part))
                continue
            xml = source.read(part)
            # In the header row, which every import reads first.
            before, after = xml.split(b"</row></sheetData>")
            with bomb.open(part.filename, "w", force_zip64=True) as written:
                written.write(before + b'<c r="B1" t="inlineStr"><is><t>')
                block = b"A" * (1024 * 1024)
                for _ in range(unpacked // len(block)):
                    written.write(block)
                written.write(b"</t></is></c></row></sheetData>" + after)
    return out.getvalue()
