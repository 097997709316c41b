"""Seeding the check-in bench database in bulk: a morning at the door of many classes.

`TERMS` running after-school terms (one class each, hosted by 100 enterprise unions of one
province), each with one pupils' group, today a care day, `PER_TERM` children with a
confirmed place, one caregiver on the term's roster (a caregiver membership of the host,
an API token) who is clocked in to the group, the class's care rules and one kiosk with its
device token. Rows are made with bulk_create: the services would write an audit entry per
row. Token keys derive from the row numbers, so they survive the template copy; the dates
are moved to today by `day_refresh()`, since the template may be days old.

`python -m bench.checkin.seed_db` seeds the database of DATABASE_URL; `load()` reads back
what the plan needs.
"""

import datetime
import hashlib
import time
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from bench.enrol.seed import token_key
from tuoguan.accounts.models import ApiToken, Child, User, Worker
from tuoguan.care.models import CarePolicy, DutyShift, KioskDevice
from tuoguan.enrolment.models import Enrolment, EnrolmentStatus
from tuoguan.orgs.models import Level, Membership, Org, Role
from tuoguan.programs.models import (
    EnrolMode,
    Group,
    Program,
    StaffRole,
    Term,
    TermDay,
    TermStaff,
    TermStatus,
)

BATCH = 5000
TERMS = 2802  # the Shandong morning of issue 11: 2,802 classes, ~26 children each
PER_TERM = 26
DAY = datetime.timedelta(days=1)


def kiosk_token(n: int) -> str:
    """The bench kiosk's device token: fixed per class number (a throwaway local database)."""
    digest = hashlib.sha256(f"tuoguan-bench-kiosk:{n}".encode()).hexdigest()
    return f"kiosk_{digest[:43]}"


@dataclass
class Place:
    enrolment: int
    child: int
    term: int
    group: int
    province: int
    caregiver_key: str
    kiosk_key: str


def _orgs() -> tuple[Org, list[Org]]:
    root = Org.objects.add_root(
        {"name": "中华全国总工会", "level": Level.NATIONAL, "region_code": "100000"}
    )
    province = Org.objects.add_child(
        root, {"name": "Bench 山东省总工会", "level": Level.PROVINCE, "region_code": "370000"}
    )
    hosts = []
    for c in range(10):
        city = Org.objects.add_child(
            province,
            {"name": f"Bench 市总工会 {c}", "level": Level.CITY, "region_code": f"37{c + 1:02d}00"},
        )
        for g in range(10):
            hosts.append(
                Org.objects.add_child(
                    city,
                    {
                        "name": f"Bench 企业工会 {c}-{g}",
                        "level": Level.GRASSROOTS,
                        "kind": "enterprise",
                        "region_code": f"37{c + 1:02d}00",
                    },
                )
            )
    return province, hosts


def _classes(province: Org, hosts: list[Org], admin: User) -> tuple[list[Term], list[Group]]:
    today = timezone.localdate()
    now = timezone.now()
    programs = Program.objects.bulk_create(
        [
            Program(host=hosts[n % len(hosts)], name=f"After school {n}", type="after_school")
            for n in range(TERMS)
        ],
        batch_size=BATCH,
    )
    CarePolicy.objects.bulk_create([CarePolicy(program=p) for p in programs], batch_size=BATCH)
    KioskDevice.objects.bulk_create(
        [
            KioskDevice(
                program=p,
                name="front door",
                token_hash=KioskDevice.hash_token(kiosk_token(n)),
                issued_by=admin,
            )
            for n, p in enumerate(programs)
        ],
        batch_size=BATCH,
    )
    terms = Term.objects.bulk_create(
        [
            Term(
                program=program,
                name=f"Autumn {n}",
                start_date=today - 30 * DAY,
                end_date=today + 30 * DAY,
                age_min=5,
                age_max=12,
                grade_min=1,
                grade_max=6,
                capacity=30,
                enrol_opens_at=now - 60 * DAY,
                enrol_closes_at=now - 40 * DAY,
                enrol_mode=EnrolMode.FIRST_COME,
                status=TermStatus.RUNNING,
                province=province,
            )
            for n, program in enumerate(programs)
        ],
        batch_size=BATCH,
    )
    TermDay.objects.bulk_create(
        [TermDay(term=t, date=today, is_care_day=True) for t in terms], batch_size=BATCH
    )
    groups = Group.objects.bulk_create(
        [Group(term=t, name="一年级组", grade_min=1, grade_max=6, capacity=30) for t in terms],
        batch_size=BATCH,
    )
    return terms, groups


def _caregivers(terms: list[Term], groups: list[Group]) -> None:
    password = make_password(None)
    users = User.objects.bulk_create(
        [
            User(username=f"bench-caregiver-{n}", real_name=f"保育员{n}", password=password)
            for n in range(len(terms))
        ],
        batch_size=BATCH,
    )
    ApiToken.objects.bulk_create(
        [
            ApiToken(user=u, name="bench", prefix=key[:8], key_hash=ApiToken.hash_key(key))
            for u in users
            for key in [token_key(u.username)]
        ],
        batch_size=BATCH,
    )
    Membership.objects.bulk_create(
        [
            Membership(user=u, org=t.program.host, role=Role.CAREGIVER)
            for u, t in zip(users, terms, strict=True)
        ],
        batch_size=BATCH,
    )
    staff = TermStaff.objects.bulk_create(
        [
            TermStaff(term=t, user=u, role=StaffRole.CAREGIVER, group=g)
            for u, t, g in zip(users, terms, groups, strict=True)
        ],
        batch_size=BATCH,
    )
    started = timezone.now() - datetime.timedelta(hours=1)
    DutyShift.objects.bulk_create(
        [
            DutyShift(staff=s, group=g, date=timezone.localdate(), started_at=started)
            for s, g in zip(staff, groups, strict=True)
        ],
        batch_size=BATCH,
    )


def _children(terms: list[Term], groups: list[Group], hosts: list[Org], admin: User) -> int:
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
                user=u,
                employer=hosts[n % len(hosts)],
                member_number=f"S{n:07d}",
                verified=True,
                verified_by=admin,
                verified_at=now,
            )
            for n, u in enumerate(users)
        ],
        batch_size=BATCH,
    )
    children = Child.objects.bulk_create(
        [
            Child(
                guardian=w,
                relationship="mother",
                name=f"孩子{n}",
                sex="F" if n % 2 else "M",
                birth_date=datetime.date(now.year - 8, 1 + n % 12, 1 + n % 28),
                grade=2,
            )
            for n, w in enumerate(workers)
        ],
        batch_size=BATCH,
    )
    Enrolment.objects.bulk_create(
        [
            Enrolment(
                term=terms[n // PER_TERM],
                child=c,
                guardian_id=c.guardian_id,
                group=groups[n // PER_TERM],
                status=EnrolmentStatus.CONFIRMED,
                decided_at=now - 35 * DAY,
                province_id=terms[0].province_id,
            )
            for n, c in enumerate(children)
        ],
        batch_size=BATCH,
    )
    return count


def main() -> dict[str, Any]:
    from django.db import connection

    started = time.perf_counter()
    province, hosts = _orgs()
    admin = User.objects.create(username="bench-admin", real_name="Bench admin")
    Membership.objects.create(user=admin, org=province, role=Role.UNION_ADMIN)
    terms, groups = _classes(province, hosts, admin)
    _caregivers(terms, groups)
    children = _children(terms, groups, hosts, admin)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return {
        "seed_s": round(time.perf_counter() - started, 1),
        "running_terms": len(terms),
        "children_confirmed_today": children,
        "children_per_term": PER_TERM,
        "caregivers_with_tokens_clocked_in": len(terms),
        "kiosks": len(terms),
        "host_unions": len(hosts),
    }


def day_refresh() -> None:
    """Today a care day of every term, its caregiver clocked in since an hour ago."""
    today, now = timezone.localdate(), timezone.now()
    Term.objects.update(start_date=today - 30 * DAY, end_date=today + 30 * DAY)
    TermDay.objects.update(date=today, is_care_day=True)
    DutyShift.objects.update(date=today, started_at=now - datetime.timedelta(hours=1))


def load() -> list[Place]:
    """Every confirmed place with the caregiver's and the kiosk's token of its class."""
    caregiver = {
        term: token_key(username)
        for term, username in TermStaff.objects.values_list("term_id", "user__username")
    }
    numbers = {
        pk: n for n, pk in enumerate(Program.objects.order_by("pk").values_list("pk", flat=True))
    }
    rows = Enrolment.objects.values_list(
        "pk", "child_id", "term_id", "group_id", "province_id", "term__program_id"
    ).order_by("pk")
    return [
        Place(e, c, t, g, p, caregiver[t], kiosk_token(numbers[program]))
        for e, c, t, g, p, program in rows
    ]
