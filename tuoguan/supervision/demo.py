"""Demo data placeholder, filled in below."""

from typing import Any


def seed_supervision(stdout: Any) -> None:
    return None
