"""Seeding the live-view bench database in bulk: 5,000 children's day in progress.

`TERMS` running after-school terms (one class each, the host unions of bench.checkin's
province), each with one group, today a care day, `PER_TERM` children with a confirmed
place (5,000 in all) and their parents, one caregiver on the roster (clocked in). The day
so far: most children checked in, each with a morning health check, the term's lunch with
two dishes, and `ACTIVITIES` activities of each group. Rows are made with bulk_create (the
services would write an audit entry per row); `day_refresh()` moves the dates to today.

The parents' sessions are made by `sessions()` in the run itself: a session is signed with
the run's secret key.
"""

import datetime
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from bench.checkin.seed import _caregivers, _orgs
from tuoguan.accounts.models import Child, User, Worker
from tuoguan.care.models import Attendance, DayNote, Dish, DutyShift, HealthCheck, Meal
from tuoguan.enrolment.models import Enrolment, EnrolmentStatus
from tuoguan.orgs.models import Membership, Org, Role
from tuoguan.programs.models import (
    EnrolMode,
    Group,
    Program,
    Term,
    TermDay,
    TermStaff,
    TermStatus,
)

BATCH = 5000
TERMS = 200
PER_TERM = 25  # 5,000 children
ACTIVITIES = 3
CHECKED_IN_SHARE = 0.9
DAY = datetime.timedelta(days=1)
BACKEND = "tuoguan.accounts.backends.MobileOrUsernameBackend"


@dataclass
class Place:
    enrolment: int
    user: int
    group: int
    term: int


def _classes(province: Org, hosts: list[Org]) -> tuple[list[Term], list[Group]]:
    today, now = timezone.localdate(), timezone.now()
    programs = Program.objects.bulk_create(
        [
            Program(host=hosts[n % len(hosts)], name=f"After school {n}", type="after_school")
            for n in range(TERMS)
        ]
    )
    terms = Term.objects.bulk_create(
        [
            Term(
                program=program, name=f"Autumn {n}", start_date=today - 30 * DAY,
                end_date=today + 30 * DAY, age_min=5, age_max=12, grade_min=1, grade_max=6,
                capacity=30, enrol_opens_at=now - 60 * DAY, enrol_closes_at=now - 40 * DAY,
                enrol_mode=EnrolMode.FIRST_COME, status=TermStatus.RUNNING, province=province,
            )
            for n, program in enumerate(programs)
        ]
    )  # fmt: skip
    TermDay.objects.bulk_create([TermDay(term=t, date=today, is_care_day=True) for t in terms])
    groups = Group.objects.bulk_create(
        [Group(term=t, name="一年级组", grade_min=1, grade_max=6, capacity=30) for t in terms]
    )
    return terms, groups


def _children(terms: list[Term], groups: list[Group], hosts: list[Org], admin: User) -> list[Any]:
    now = timezone.now()
    count = len(terms) * PER_TERM
    password = make_password(None)
    users = User.objects.bulk_create(
        [
            User(username=f"bench-parent-{n}", real_name=f"家长{n}", password=password)
            for n in range(count)
        ],
        batch_size=BATCH,
    )
    workers = Worker.objects.bulk_create(
        [
            Worker(
                user=u, employer=hosts[n % len(hosts)], member_number=f"L{n:07d}", verified=True,
                verified_by=admin, verified_at=now,
            )
            for n, u in enumerate(users)
        ],
        batch_size=BATCH,
    )  # fmt: skip
    children = Child.objects.bulk_create(
        [
            Child(
                guardian=w, relationship="mother", name=f"孩子{n}", sex="F" if n % 2 else "M",
                birth_date=datetime.date(now.year - 8, 1 + n % 12, 1 + n % 28), grade=2,
            )
            for n, w in enumerate(workers)
        ],
        batch_size=BATCH,
    )  # fmt: skip
    return Enrolment.objects.bulk_create(
        [
            Enrolment(
                term=terms[n // PER_TERM], child=c, guardian_id=c.guardian_id,
                group=groups[n // PER_TERM], status=EnrolmentStatus.CONFIRMED,
                decided_at=now - 35 * DAY, province_id=terms[0].province_id,
            )
            for n, c in enumerate(children)
        ],
        batch_size=BATCH,
    )  # fmt: skip


def _the_day_so_far(enrolments: list[Any], groups: list[Group]) -> dict[str, int]:
    today = timezone.localdate()
    morning = timezone.now() - datetime.timedelta(hours=2)
    carer = dict(TermStaff.objects.values_list("term_id", "user_id"))
    inside = [e for n, e in enumerate(enrolments) if n % 10 < CHECKED_IN_SHARE * 10]
    Attendance.objects.bulk_create(
        [
            Attendance(
                enrolment=e, term_id=e.term_id, group_id=e.group_id, child_id=e.child_id,
                date=today, checked_in_at=morning, checked_in_by_id=carer[e.term_id],
                check_in_method="tap", province_id=e.province_id,
            )
            for e in inside
        ],
        batch_size=BATCH,
    )  # fmt: skip
    HealthCheck.objects.bulk_create(
        [
            HealthCheck(
                enrolment=e, term_id=e.term_id, group_id=e.group_id, child_id=e.child_id,
                date=today, round="morning", temperature=Decimal("36.6"),
                recorded_by_id=carer[e.term_id],
            )
            for e in inside
        ],
        batch_size=BATCH,
    )  # fmt: skip
    meals = Meal.objects.bulk_create(
        [Meal(term_id=g.term_id, date=today, kind="lunch") for g in groups]
    )
    Dish.objects.bulk_create(
        [Dish(meal=m, name=name) for m in meals for name in ("番茄炒蛋", "米饭")]
    )
    DayNote.objects.bulk_create(
        [
            DayNote(
                term_id=g.term_id, group=g, date=today, kind="activity",
                time=datetime.time(15, 10 * n), text=f"活动{n + 1}：手工",
                author_id=carer[g.term_id],
            )
            for g in groups
            for n in range(ACTIVITIES)
        ]
    )  # fmt: skip
    return {"checked_in": len(inside), "activities": len(groups) * ACTIVITIES}


def main() -> dict[str, Any]:
    from django.db import connection

    started = time.perf_counter()
    province, hosts = _orgs()
    admin = User.objects.create(username="bench-admin", real_name="Bench admin")
    Membership.objects.create(user=admin, org=province, role=Role.UNION_ADMIN)
    terms, groups = _classes(province, hosts)
    _caregivers(terms, groups)
    enrolments = _children(terms, groups, hosts, admin)
    day = _the_day_so_far(enrolments, groups)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return {
        "seed_s": round(time.perf_counter() - started, 1),
        "running_terms": len(terms),
        "children_confirmed_today": len(enrolments),
        "children_per_term": PER_TERM,
        "activities_per_group": ACTIVITIES,
        **day,
    }


def day_refresh() -> None:
    """Today a care day of every term, the day's events today, caregivers clocked in."""
    today, now = timezone.localdate(), timezone.now()
    Term.objects.update(start_date=today - 30 * DAY, end_date=today + 30 * DAY)
    TermDay.objects.update(date=today, is_care_day=True)
    DutyShift.objects.update(date=today, started_at=now - datetime.timedelta(hours=1))
    Attendance.objects.update(date=today, checked_in_at=now - datetime.timedelta(hours=2))
    HealthCheck.objects.update(date=today)
    Meal.objects.update(date=today)
    DayNote.objects.update(date=today)


def load() -> list[Place]:
    rows = Enrolment.objects.values_list("pk", "guardian__user_id", "group_id", "term_id")
    return [Place(*row) for row in rows.order_by("pk")]


def sessions(places: list[Place]) -> dict[int, str]:
    """A logged-in session of each parent (signed with this run's secret key): user → key."""
    users = {u.pk: u for u in User.objects.filter(pk__in=[p.user for p in places])}
    expires = timezone.now() + datetime.timedelta(days=1)
    store = SessionStore()
    keys: dict[int, str] = {}
    rows = []
    for n, place in enumerate(places):
        user = users[place.user]
        key = f"benchlive{n:023d}"
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: BACKEND,
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=expires))
        keys[place.user] = key
    Session.objects.filter(session_key__startswith="benchlive").delete()
    Session.objects.bulk_create(rows, batch_size=BATCH)
    return keys
