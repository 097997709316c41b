"""Seeding the bench database in bulk, with the invariants the enrolment services expect.

Parents are verified union members employed under the host union, each child has the
guardian's consent under the current policy, every term is enrolling with its rules, its
seat pools and (one term in three) two groups by grade; the lottery terms hold 100,000
applications awaiting the draw. Rows are made with bulk_create: the services would write
an audit entry per row and take many minutes for 300,000 rows.

`python -m bench.enrol.seed_db` seeds the database of DATABASE_URL (run.py keeps the result as
a template database, rebuilt when this file or a migration changes); `load()` reads back
what the plan needs. API token keys derive from the username, so they survive the copy.
"""

import base64
import datetime
import hashlib
import random
import time
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from tuoguan.accounts.models import ApiToken, Child, ChildConsent, ConsentPolicy, User, Worker
from tuoguan.enrolment.models import Enrolment, EnrolmentRules, EnrolmentStatus, SeatPool
from tuoguan.enrolment.services.allocation import priority_tiers, tier_of
from tuoguan.orgs.models import Level, Membership, Org, Role
from tuoguan.programs.models import EnrolMode, Group, Program, Term, TermStatus

BATCH = 5000
CHILDREN_PER_PARENT = 3
GROUPED_EVERY = 3  # one term in three has two groups, grades 1–3 and 4–6
GRADE_BANDS = ((1, 3), (4, 6))
LOTTERY_TARGET_GROUPS = ["medical", "police", "dual_worker", "all_members"]


@dataclass
class GroupInfo:
    id: int
    pool: int
    grade_min: int
    grade_max: int


@dataclass
class TermInfo:
    id: int
    pool: int
    capacity: int
    province: int
    program: Program | None = None
    groups: list[GroupInfo] = field(default_factory=list)

    def group_for(self, grade: int) -> GroupInfo | None:
        return next((g for g in self.groups if g.grade_min <= grade <= g.grade_max), None)


@dataclass
class ChildInfo:
    id: int
    grade: int


@dataclass
class ParentInfo:
    worker: int
    user: int
    key: str
    children: list[ChildInfo]


@dataclass
class Seeded:
    admin: int
    province: int
    fcfs: list[TermInfo]
    lottery_a: list[TermInfo]
    lottery_b: list[TermInfo]
    parents: list[ParentInfo]


def token_key(username: str) -> str:
    """The bench parent's API key: fixed per username (a throwaway local database)."""
    digest = hashlib.sha256(f"tuoguan-bench-token:{username}".encode()).digest()
    return "tg_" + base64.urlsafe_b64encode(digest).decode().rstrip("=")


@dataclass
class Dates:
    summer: tuple[datetime.date, datetime.date]
    winter_a: tuple[datetime.date, datetime.date]
    winter_b: tuple[datetime.date, datetime.date]

    @classmethod
    def next_year(cls) -> "Dates":
        year = timezone.localdate().year + 1
        return cls(
            summer=(datetime.date(year, 7, 6), datetime.date(year, 8, 14)),
            winter_a=(datetime.date(year, 1, 19), datetime.date(year, 2, 6)),
            winter_b=(datetime.date(year, 2, 9), datetime.date(year, 2, 27)),
        )


def _orgs() -> tuple[Org, list[Org]]:
    root = Org.objects.add_root(
        {"name": "中华全国总工会", "level": Level.NATIONAL, "region_code": "100000"}
    )
    province = Org.objects.add_child(
        root, {"name": "Bench 省总工会", "level": Level.PROVINCE, "region_code": "330000"}
    )
    employers = []
    for c in range(10):
        city = Org.objects.add_child(
            province,
            {"name": f"Bench 市总工会 {c}", "level": Level.CITY, "region_code": f"33{c + 1:02d}00"},
        )
        for g in range(10):
            employers.append(
                Org.objects.add_child(
                    city,
                    {
                        "name": f"Bench 企业工会 {c}-{g}",
                        "level": Level.GRASSROOTS,
                        "kind": "enterprise",
                        "region_code": f"33{c + 1:02d}00",
                    },
                )
            )
    return province, employers


def _admin(province: Org) -> User:
    admin = User.objects.create(username="bench-admin", real_name="Bench admin")
    Membership.objects.create(user=admin, org=province, role=Role.UNION_ADMIN)
    return admin


def _terms(
    rng: random.Random,
    province: Org,
    *,
    count: int,
    mode: str,
    dates: tuple[datetime.date, datetime.date],
    window: tuple[datetime.datetime, datetime.datetime],
    label: str,
) -> list[TermInfo]:
    """`count` enrolling terms (five per class) with rules, pools and groups."""
    targets = LOTTERY_TARGET_GROUPS if mode == EnrolMode.LOTTERY else ["all_members"]
    programs = Program.objects.bulk_create(
        [
            Program(host=province, name=f"{label} class {n}", type="holiday", target_groups=targets)
            for n in range(count // 5)
        ]
    )
    terms = Term.objects.bulk_create(
        [
            Term(
                program=programs[n // 5],
                name=f"{label} {n}",
                start_date=dates[0],
                end_date=dates[1],
                age_min=5,
                age_max=12,
                grade_min=1,
                grade_max=6,
                capacity=rng.randint(20, 45),
                enrol_opens_at=window[0],
                enrol_closes_at=window[1],
                enrol_mode=mode,
                status=TermStatus.ENROLLING,
                province=province,
            )
            for n in range(count)
        ],
        batch_size=BATCH,
    )
    EnrolmentRules.objects.bulk_create([EnrolmentRules(term=t) for t in terms], batch_size=BATCH)
    groups = Group.objects.bulk_create(
        [
            Group(
                term=term,
                name=f"Grades {low}-{high}",
                grade_min=low,
                grade_max=high,
                capacity=term.capacity // 2 if low == 1 else term.capacity - term.capacity // 2,
            )
            for n, term in enumerate(terms)
            if n % GROUPED_EVERY == 0
            for low, high in GRADE_BANDS
        ],
        batch_size=BATCH,
    )
    pools = SeatPool.objects.bulk_create(
        [SeatPool(term=t, capacity=t.capacity) for t in terms]
        + [SeatPool(term_id=g.term_id, group=g, capacity=g.capacity) for g in groups],
        batch_size=BATCH,
    )
    infos = {
        t.pk: TermInfo(
            id=t.pk, pool=p.pk, capacity=t.capacity, province=province.pk, program=t.program
        )
        for t, p in zip(terms, pools[: len(terms)], strict=True)
    }
    for group, pool in zip(groups, pools[len(terms) :], strict=True):
        infos[group.term_id].groups.append(
            GroupInfo(group.pk, pool.pk, group.grade_min or 0, group.grade_max or 0)
        )
    return list(infos.values())


def _birth_date(rng: random.Random, grade: int, summer_start: datetime.date) -> datetime.date:
    # A pupil of grade g is g + 5 (or g + 6) on the first day of the summer term.
    born = summer_start.replace(year=summer_start.year - grade - 6)
    return born + datetime.timedelta(days=rng.randint(1, 360))


def _parents(
    rng: random.Random, count: int, employers: list[Org], admin: User, dates: Dates
) -> list[ParentInfo]:
    now = timezone.now()
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
                user=user,
                employer=employers[n % len(employers)],
                member_number=f"B{n:07d}",
                verified=True,
                verified_by=admin,
                verified_at=now,
            )
            for n, user in enumerate(users)
        ],
        batch_size=BATCH,
    )
    keys = [token_key(user.username) for user in users]
    ApiToken.objects.bulk_create(
        [
            ApiToken(user=user, name="bench", prefix=key[:8], key_hash=ApiToken.hash_key(key))
            for user, key in zip(users, keys, strict=True)
        ],
        batch_size=BATCH,
    )
    grades = [[rng.randint(1, 6) for _ in range(CHILDREN_PER_PARENT)] for _ in workers]
    children = Child.objects.bulk_create(
        [
            Child(
                guardian=worker,
                relationship="mother",
                name=f"孩子{n}-{k}",
                sex="F" if k % 2 else "M",
                birth_date=_birth_date(rng, grade, dates.summer[0]),
                grade=grade,
            )
            for n, worker in enumerate(workers)
            for k, grade in enumerate(grades[n])
        ],
        batch_size=BATCH,
    )
    policy = ConsentPolicy.objects.create(
        version="bench-1", title="Bench policy", text="…", is_current=True
    )
    users_by_worker = {w.pk: w.user for w in workers}
    ChildConsent.objects.bulk_create(
        [
            ChildConsent(child=c, policy=policy, granted_by=users_by_worker[c.guardian_id])
            for c in children
        ],
        batch_size=BATCH,
    )
    parents = []
    for n, worker in enumerate(workers):
        own = children[n * CHILDREN_PER_PARENT : (n + 1) * CHILDREN_PER_PARENT]
        parents.append(
            ParentInfo(
                worker=worker.pk,
                user=worker.user_id,
                key=keys[n],
                children=[ChildInfo(c.pk, c.grade) for c in own],
            )
        )
    return parents


def seed(*, terms: int, parents: int, seed: int = 4) -> Seeded:
    """The whole data set: `terms` first-come terms, `terms` lottery terms in two date
    slots (a child may apply once per slot), `parents` parents of three children each."""
    rng = random.Random(seed)
    dates = Dates.next_year()
    now = timezone.now()
    province, employers = _orgs()
    admin = _admin(province)
    open_window = (now - datetime.timedelta(minutes=5), now + datetime.timedelta(days=1))
    closed_window = (now - datetime.timedelta(days=3), now - datetime.timedelta(hours=1))
    fcfs = _terms(
        rng,
        province,
        count=terms,
        mode=EnrolMode.FIRST_COME,
        dates=dates.summer,
        window=open_window,
        label="Summer",
    )
    lottery = {
        slot: _terms(
            rng,
            province,
            count=terms // 2,
            mode=EnrolMode.LOTTERY,
            dates=span,
            window=closed_window,
            label=f"Winter {slot}",
        )
        for slot, span in (("A", dates.winter_a), ("B", dates.winter_b))
    }
    return Seeded(
        admin=admin.pk,
        province=province.pk,
        fcfs=fcfs,
        lottery_a=lottery["A"],
        lottery_b=lottery["B"],
        parents=_parents(rng, parents, employers, admin, dates),
    )


# --- Lottery applications -------------------------------------------------------------------


def _pick(rng: random.Random, terms: list[TermInfo], popular: int, share: float) -> TermInfo:
    if rng.random() < share:
        return terms[rng.randrange(popular)]
    return terms[rng.randrange(popular, len(terms))]


def _tiers(term: TermInfo) -> list[list[str]]:
    assert term.program is not None, "seeded terms carry their class"
    return priority_tiers(None, term.program)


def _application(
    parent: ParentInfo, kid: ChildInfo, term: TermInfo, claimed: list[str], together: bool
) -> Enrolment:
    return Enrolment(
        term_id=term.id,
        child_id=kid.id,
        guardian_id=parent.worker,
        status=EnrolmentStatus.APPLIED,
        priority_groups=claimed,
        priority_tier=tier_of(claimed, _tiers(term)),
        sibling_key="siblings" if together else "",
        keep_together=together,
        province_id=term.province,
    )


def lottery_applications(data: Seeded, *, total: int, seed: int = 5) -> dict[str, Any]:
    """Insert about `total` applied lottery applications in bulk, as `enrolment_apply`
    stores them: at most one per child and date slot; 30% aim at the 50 most popular terms
    of each slot; one family in ten applies with two children together (a sibling set kept
    together); a fifth of the families claim a priority group, which puts them in tier 0."""
    rng = random.Random(seed)
    rows: list[Enrolment] = []
    sibling_sets = 0
    for slot_terms in (data.lottery_a, data.lottery_b):
        for parent in data.parents:
            if len(rows) >= total:
                break
            claimed = rng.choice([["medical"], ["dual_worker"]]) if rng.random() < 0.2 else []
            kids = list(parent.children)
            if rng.random() < 0.1:
                term = _pick(rng, slot_terms, 50, 0.3)
                rows += [_application(parent, kid, term, claimed, True) for kid in kids[:2]]
                sibling_sets += 1
                kids = kids[2:]
            for kid in kids:
                if rng.random() < 0.85:
                    term = _pick(rng, slot_terms, 50, 0.3)
                    rows.append(_application(parent, kid, term, claimed, False))
    Enrolment.objects.bulk_create(rows, batch_size=BATCH)
    return {
        "applications": len(rows),
        "terms": len(data.lottery_a) + len(data.lottery_b),
        "sibling_sets_kept_together": sibling_sets,
        "applicants_claiming_priority": sum(1 for r in rows if r.priority_groups),
        "popular_share": "30% of applications aim at the 50 most popular terms of each slot",
    }


# --- Reading the seeded database back ---------------------------------------------------------


def _term_infos(province: int) -> dict[int, tuple[str, datetime.date, TermInfo]]:
    infos = {}
    for pk, capacity, mode, start in Term.objects.values_list(
        "pk", "capacity", "enrol_mode", "start_date"
    ).order_by("pk"):
        infos[pk] = (mode, start, TermInfo(id=pk, pool=0, capacity=capacity, province=province))
    groups = {g.pk: g for g in Group.objects.all()}
    for pk, term_id, group_id in SeatPool.objects.values_list("pk", "term_id", "group_id"):
        info = infos[term_id][2]
        if group_id is None:
            info.pool = pk
        else:
            group = groups[group_id]
            info.groups.append(GroupInfo(group_id, pk, group.grade_min or 0, group.grade_max or 0))
    for _mode, _start, info in infos.values():
        info.groups.sort(key=lambda g: g.id)
    return infos


def load() -> Seeded:
    """The seeded data set, as `seed()` returned it (without the Program objects)."""
    province = Org.objects.get(level=Level.PROVINCE, name__startswith="Bench").pk
    infos = _term_infos(province)
    winter = sorted({start for mode, start, _i in infos.values() if mode == EnrolMode.LOTTERY})
    by_kind: dict[str, list[TermInfo]] = {"fcfs": [], "A": [], "B": []}
    for mode, start, info in infos.values():
        kind = "fcfs" if mode == EnrolMode.FIRST_COME else "AB"[winter.index(start)]
        by_kind[kind].append(info)
    children: dict[int, list[ChildInfo]] = {}
    for pk, guardian, grade in Child.objects.values_list("pk", "guardian_id", "grade").order_by(
        "pk"
    ):
        children.setdefault(guardian, []).append(ChildInfo(pk, grade))
    parents = [
        ParentInfo(worker=pk, user=user, key=token_key(username), children=children[pk])
        for pk, user, username in Worker.objects.values_list(
            "pk", "user_id", "user__username"
        ).order_by("pk")
    ]
    return Seeded(
        admin=User.objects.get(username="bench-admin").pk,
        province=province,
        fcfs=by_kind["fcfs"],
        lottery_a=by_kind["A"],
        lottery_b=by_kind["B"],
        parents=parents,
    )


def windows_refresh() -> None:
    """Open the first-come windows and close the lottery ones relative to now: the seeded
    template may be days old."""
    now = timezone.now()
    Term.objects.filter(enrol_mode=EnrolMode.FIRST_COME).update(
        enrol_opens_at=now - datetime.timedelta(minutes=5),
        enrol_closes_at=now + datetime.timedelta(days=1),
    )
    Term.objects.filter(enrol_mode=EnrolMode.LOTTERY).update(
        enrol_opens_at=now - datetime.timedelta(days=3),
        enrol_closes_at=now - datetime.timedelta(hours=1),
    )


def main() -> dict[str, Any]:
    from django.db import connection

    started = time.perf_counter()
    data = seed(terms=3000, parents=20000)
    seeded = time.perf_counter()
    lottery = lottery_applications(data, total=100_000)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return {
        "seed_s": round(seeded - started, 1),
        "lottery_applications_s": round(time.perf_counter() - seeded, 1),
        "lottery_applications": lottery,
    }
