"""Demo data of daily care (filled in below)."""

from typing import Any


def seed_care(stdout: Any) -> None:
    return None
