"""Figures supervision reads from later or parallel apps, through registered providers.

Who was in the room on the day of a visit belongs to the daily-care app (attendance). It
plugs itself in from its own `AppConfig.ready()`::

    from tuoguan.supervision.providers import register_attendance_provider

    def attendance(term, day):
        return Attendance(children_present=..., carers_on_duty=...)

    register_attendance_provider(attendance)

Without a provider the visit shows "not yet measured", never 0.
"""

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Attendance:
    """Children checked in and carers on duty on one day; None where nothing is recorded."""

    children_present: int | None = None
    carers_on_duty: int | None = None


AttendanceProvider = Callable[[Any, datetime.date], Attendance | None]

_attendance: list[AttendanceProvider] = []


def register_attendance_provider(fn: AttendanceProvider) -> None:
    """`fn(term, day) -> Attendance | None`; the last one registered answers."""
    if fn not in _attendance:
        _attendance.append(fn)


def unregister_attendance_provider(fn: AttendanceProvider) -> None:
    if fn in _attendance:
        _attendance.remove(fn)


def attendance_on(term: Any, day: datetime.date) -> Attendance | None:
    """The figures of `term` on `day`, or None when no app measures attendance (yet)."""
    if not _attendance:
        return None
    try:
        return _attendance[-1](term, day)
    except Exception:
        logger.exception("attendance provider failed for term %s", term.pk)
        return None
