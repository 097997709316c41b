"""Local HLS streams of room cameras: a folder of TUOGUAN_CAMERA_STREAMS_DIR holding a playlist
(`index.m3u8`) and its MPEG-TS segments (`seg<N>.ts`). Django serves them only behind the
signed link (views/cameras.py), rewriting the playlist so that every segment's address
carries the link's token. `make_test_stream` writes a short test stream with ffmpeg (the
demo's and the tests'); a production camera server publishes its own HLS address instead,
and must enforce its own signed addresses (Camera.hls_url is handed out only after the
checks, but a copied address is then out of our hands).
"""

import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

PLAYLIST = "index.m3u8"
SEGMENT = re.compile(r"^seg(\d{1,6})\.ts$")


def stream_dir(folder: str) -> Path:
    return Path(settings.TUOGUAN_CAMERA_STREAMS_DIR) / folder


def playlist_path(folder: str) -> Path | None:
    path = stream_dir(folder) / PLAYLIST
    return path if folder and path.is_file() else None


def segment_path(folder: str, number: int) -> Path | None:
    path = stream_dir(folder) / f"seg{number}.ts"
    return path if folder and path.is_file() else None


def rewrite_playlist(text: str, segment_url: Callable[[int], str]) -> str:
    """The playlist with each segment's URI replaced by `segment_url(n)`; a URI that is not
    one of our segments (another playlist, an absolute address) is dropped, its tag with it."""
    lines: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            lines.append(line)
            continue
        match = SEGMENT.match(line)
        if match is None:
            if lines and lines[-1].startswith("#EXTINF"):
                lines.pop()
            continue
        lines.append(segment_url(int(match.group(1))))
    return "\n".join(lines) + "\n"


def ffmpeg() -> str | None:
    return shutil.which("ffmpeg")


def make_test_stream(folder: str, *, seconds: int = 4, force: bool = False) -> Path | None:
    """Write a test pattern of `seconds` seconds as an HLS folder (1 s segments); None when
    ffmpeg is not installed. Kept when already there unless `force`."""
    binary = ffmpeg()
    if binary is None:
        return None
    target = stream_dir(folder)
    if (target / PLAYLIST).is_file() and not force:
        return target
    target.mkdir(parents=True, exist_ok=True)
    subprocess.run(  # noqa: S603 - ffmpeg found on PATH, fixed arguments
        [
            binary, "-nostdin", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", f"testsrc=duration={int(seconds)}:size=320x240:rate=10",
            "-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "10",
            "-hls_time", "1", "-hls_list_size", "0",
            "-hls_segment_filename", str(target / "seg%d.ts"),
            str(target / PLAYLIST),
        ],
        check=True,
        timeout=60,
    )  # fmt: skip
    return target
