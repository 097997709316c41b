"""The invariants checked after the rush and the lottery, counted from the rows themselves.

Seats are counted from the enrolments (admitted, confirmed, offered), not from the pool
counters, so a drifting counter cannot hide an overbooked term; the counters' drift is
reported on its own.
"""

# The SQL below is assembled from model table names and status constants, never from input.
# ruff: noqa: S608

from typing import Any

from django.db import connection

from tuoguan.enrolment.models import (
    ACTIVE_STATUSES,
    SEATED_STATUSES,
    Enrolment,
    EnrolmentStatus,
    SeatPool,
)
from tuoguan.programs.models import Group, Term


def _in(values: Any) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def _sql() -> dict[str, str]:
    e, p = Enrolment._meta.db_table, SeatPool._meta.db_table
    t, g = Term._meta.db_table, Group._meta.db_table
    seated, active = _in(SEATED_STATUSES), _in(ACTIVE_STATUSES)
    waiting = f"'{EnrolmentStatus.WAITLISTED.value}'"
    child = "accounts_child"
    term_seats = f"""
        SELECT t.id, t.capacity,
               COUNT(e.id) FILTER (WHERE e.status IN {seated}) AS seated
        FROM {t} t LEFT JOIN {e} e ON e.term_id = t.id
        GROUP BY t.id, t.capacity"""
    group_seats = f"""
        SELECT g.id, g.term_id, g.capacity, g.grade_min, g.grade_max,
               COUNT(e.id) FILTER (WHERE e.status IN {seated}) AS seated
        FROM {g} g LEFT JOIN {e} e ON e.group_id = g.id
        GROUP BY g.id"""
    return {
        "pools_over_capacity": f"SELECT COUNT(*) FROM {p} WHERE taken > capacity",
        "terms_overbooked": f"SELECT COUNT(*) FROM ({term_seats}) s WHERE seated > capacity",
        "seats_overbooked": (
            f"SELECT COALESCE(SUM(seated - capacity), 0) FROM ({term_seats}) s "
            "WHERE seated > capacity"
        ),
        "groups_overbooked": f"SELECT COUNT(*) FROM ({group_seats}) s WHERE seated > capacity",
        "pool_counters_drifting": f"""
            SELECT COUNT(*) FROM {p} p
            LEFT JOIN ({term_seats}) ts ON p.group_id IS NULL AND ts.id = p.term_id
            LEFT JOIN ({group_seats}) gs ON gs.id = p.group_id
            WHERE p.taken <> COALESCE(ts.seated, gs.seated, 0)""",
        "duplicate_active_applications": f"""
            SELECT COUNT(*) FROM (SELECT 1 FROM {e} WHERE status IN {active}
            GROUP BY child_id, term_id HAVING COUNT(*) > 1) d""",
        # A waiting child and a free seat that child could take: a seat in the term, and
        # when the term has groups, a free seat in a group of the child's grade.
        "terms_unsold_with_waiting": f"""
            SELECT COUNT(*) FROM ({term_seats}) ts
            WHERE ts.seated < ts.capacity AND EXISTS (
                SELECT 1 FROM {e} w JOIN {child} c ON c.id = w.child_id
                WHERE w.term_id = ts.id AND w.status = {waiting} AND (
                    NOT EXISTS (SELECT 1 FROM {g} g0 WHERE g0.term_id = ts.id)
                    OR EXISTS (
                        SELECT 1 FROM ({group_seats}) gs WHERE gs.term_id = ts.id
                        AND gs.seated < gs.capacity
                        AND (gs.grade_min IS NULL OR c.grade >= gs.grade_min)
                        AND (gs.grade_max IS NULL OR c.grade <= gs.grade_max))))""",
        "applications_left_undrawn": (
            f"SELECT COUNT(*) FROM {e} WHERE status = '{EnrolmentStatus.APPLIED.value}'"
        ),
    }


def invariants() -> dict[str, int]:
    """Each invariant's violation count (all must be 0)."""
    result = {}
    with connection.cursor() as cursor:
        for name, sql in _sql().items():
            cursor.execute(sql)
            result[name] = int(cursor.fetchone()[0])
    return result


def status_counts(mode: str) -> dict[str, int]:
    """Applications of the terms of one allocation mode, by status."""
    e, t = Enrolment._meta.db_table, Term._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT e.status, COUNT(*) FROM {e} e JOIN {t} t ON t.id = e.term_id "
            "WHERE t.enrol_mode = %s GROUP BY e.status ORDER BY e.status",
            [mode],
        )
        return {status: int(n) for status, n in cursor.fetchall()}
