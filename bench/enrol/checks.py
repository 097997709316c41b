"""The invariants checked after the rush and the lottery, counted from the rows themselves.

Seats are counted from the enrolments (admitted, confirmed, offered), not from the pool
counters, so a drifting counter cannot hide an overbooked term; the counters' drift is
reported on its own.
"""

# The SQL below is assembled from model table names and status constants, never from input.
# ruff: noqa: S608

from collections import defaultdict
from typing import Any

from django.db import connection
from django.db.models import Count

from tuoguan.enrolment.models import (
    ACTIVE_STATUSES,
    SEATED_STATUSES,
    Enrolment,
    EnrolmentStatus,
    SeatPool,
)
from tuoguan.enrolment.services.eligibility import group_fits
from tuoguan.enrolment.services.lottery import assign_groups
from tuoguan.programs.models import Group, Term


def _in(values: Any) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def _sql() -> dict[str, str]:
    e, p = Enrolment._meta.db_table, SeatPool._meta.db_table
    t, g = Term._meta.db_table, Group._meta.db_table
    seated, active = _in(SEATED_STATUSES), _in(ACTIVE_STATUSES)
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
    result.update(unsold_with_waiting())
    return result


def _seated() -> tuple[dict[int, int], dict[int, int]]:
    seated = Enrolment.objects.filter(status__in=SEATED_STATUSES).order_by()
    by_term = dict(seated.values("term_id").annotate(n=Count("pk")).values_list("term_id", "n"))
    by_group = dict(
        seated.filter(group__isnull=False)
        .values("group_id")
        .annotate(n=Count("pk"))
        .values_list("group_id", "n")
    )
    return by_term, by_group


def _units(rows: list[tuple[Any, ...]]) -> list[list[tuple[Any, ...]]]:
    """Waiting applicants as the allocation sees them: a sibling set kept together is one."""
    sets: dict[tuple[int, str], list[tuple[Any, ...]]] = defaultdict(list)
    units = []
    for row in rows:
        _pk, guardian, key, together, _birth, _grade = row
        if together and key:
            sets[(guardian, key)].append(row)
        else:
            units.append([row])
    return units + list(sets.values())


def _fits(
    unit: list[tuple[Any, ...]], term: Term, free: int, groups: list[Group], free_in: dict
) -> bool:
    if len(unit) > free:
        return False
    if not groups:
        return True
    options = [
        [g.pk for g in groups if group_fits(g, birth_date=birth, grade=grade, on=term.start_date)]
        for _pk, _guardian, _key, _together, birth, grade in unit
    ]
    return assign_groups(options, free_in) is not None


def unsold_with_waiting() -> dict[str, int]:
    """Terms with a free seat that a waiting applicant could take: a seat in the term and,
    when the term has groups, a free seat in a group the child fits (for a sibling set
    kept together, seats for all of them)."""
    by_term, by_group = _seated()
    terms = {
        t.pk: t
        for t in Term.objects.only("pk", "capacity", "start_date")
        if t.capacity > by_term.get(t.pk, 0)
    }
    waiting: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    rows = Enrolment.objects.filter(term_id__in=terms, status=EnrolmentStatus.WAITLISTED)
    for term_id, *row in rows.values_list(
        "term_id",
        "pk",
        "guardian_id",
        "sibling_key",
        "keep_together",
        "child__birth_date",
        "child__grade",
    ):
        waiting[term_id].append(tuple(row))
    groups: dict[int, list[Group]] = defaultdict(list)
    for group in Group.objects.filter(term_id__in=waiting).order_by("pk"):
        groups[group.term_id].append(group)
    unsold_terms = unsold_seats = 0
    for term_id, rows_of_term in waiting.items():
        term = terms[term_id]
        free = term.capacity - by_term.get(term_id, 0)
        free_in = {g.pk: g.capacity - by_group.get(g.pk, 0) for g in groups[term_id]}

        if any(_fits(u, term, free, groups[term_id], free_in) for u in _units(rows_of_term)):
            unsold_terms += 1
            unsold_seats += free
    return {"terms_unsold_with_waiting": unsold_terms, "seats_unsold_with_waiting": unsold_seats}


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
