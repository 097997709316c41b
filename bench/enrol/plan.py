"""The rush's request plan, generated before the rush so that every repeat is intentional.

Every child applies once (first-come terms share their dates, so a child may hold one of
them): 80% of the applications aim at the 50 most popular terms — by rank, the n-th most
popular drawing a share proportional to 1/n, so the first ones fill within seconds even at
low throughput and their later applicants go to the waitlist — the rest at the other terms.
Each real request carries the parent's Bearer token and a fresh Idempotency-Key, as the
mobile client sends them. Two kinds of repeat are planned, each 200 requests after its
original (usually finished by then): 1% retries with the same key (answered by replaying
the stored response, or 409 while the original still runs) and 0.5% double submissions
with a new key (refused `already_applied`, or "has already applied" when it raced the
original to the database's unique constraint). The bare baseline replays the same first
submissions without repeats.
"""

import itertools
import json
import random
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .seed import ChildInfo, ParentInfo, Seeded, TermInfo

RETRY_SHARE = 0.01
DOUBLE_SHARE = 0.005
REPEAT_DISTANCE = 200
WARMUP_SIZE = 600
PROFILE_PARENTS = 4


@dataclass
class Request:
    path: str
    token: str
    key: str
    body: str
    bare: str = ""
    kind: str = "first"

    def line(self) -> str:
        return f"{self.path}\t{self.token}\t{self.key}\t{self.body}\n"

    def bare_line(self) -> str:
        return f"/bench/bare-apply/\t-\t-\t{self.bare}\n"


@dataclass
class Plan:
    popular: list[int]
    warmup: list[Request] = field(default_factory=list)
    main: list[Request] = field(default_factory=list)
    profile: dict[str, Any] = field(default_factory=dict)

    def write(self, folder: Path) -> dict[str, Path]:
        folder.mkdir(parents=True, exist_ok=True)
        files = {
            "real": (self.main, Request.line),
            "bare": ([r for r in self.main if r.kind == "first"], Request.bare_line),
            "warm_real": (self.warmup, Request.line),
            "warm_bare": (self.warmup, Request.bare_line),
        }
        paths = {}
        for name, (requests, render) in files.items():
            paths[name] = folder / f"plan_{name}.tsv"
            paths[name].write_text("".join(render(r) for r in requests))
        paths["profile"] = folder / "plan_profile.json"
        paths["profile"].write_text(json.dumps(self.profile))
        return paths

    def summary(self) -> dict[str, Any]:
        kinds = [r.kind for r in self.main]
        return {
            "requests": len(self.main),
            "first_submissions": kinds.count("first"),
            "planned_retries_same_key": kinds.count("retry"),
            "planned_double_submissions_new_key": kinds.count("double"),
            "popular_terms": len(self.popular),
            "warmup_requests": len(self.warmup),
        }


def _request(parent: ParentInfo, child: ChildInfo, term: TermInfo) -> Request:
    group = term.group_for(child.grade)
    bare = {
        "pool": term.pool,
        "group_pool": group.pool if group else None,
        "group": group.id if group else None,
        "term": term.id,
        "child": child.id,
        "guardian": parent.worker,
        "province": term.province,
    }
    return Request(
        path=f"/api/v1/terms/{term.id}/enrolments/",
        token=parent.key,
        key=uuid.uuid4().hex,
        body=json.dumps({"child": child.id}, separators=(",", ":")),
        bare=json.dumps(bare, separators=(",", ":")),
    )


def _with_repeats(rng: random.Random, firsts: list[Request]) -> list[Request]:
    pending: dict[int, list[Request]] = {}
    out: list[Request] = []
    for index, request in enumerate(firsts):
        out.extend(pending.pop(index, []))
        out.append(request)
        draw = rng.random()
        if draw < RETRY_SHARE:
            repeat = Request(request.path, request.token, request.key, request.body, kind="retry")
        elif draw < RETRY_SHARE + DOUBLE_SHARE:
            repeat = Request(
                request.path, request.token, uuid.uuid4().hex, request.body, kind="double"
            )
        else:
            continue
        pending.setdefault(index + REPEAT_DISTANCE, []).append(repeat)
    return out


def _profile_plan(parents: list[ParentInfo], popular: TermInfo, quiet: list[TermInfo]) -> dict:
    kids = [(p, c) for p in parents for c in p.children]

    def item(n: int, term: TermInfo) -> dict[str, Any]:
        r = _request(*kids[n], term)
        return {"path": r.path, "token": r.token, "key": r.key, "body": r.body}

    bare = _request(*kids[-1], quiet[-1])
    return {
        "warmup": item(0, quiet[0]),
        "admitted": item(1, quiet[1]),
        "waitlisted": item(2, popular),
        "untraced": [item(3 + n, quiet[2 + n]) for n in range(5)],
        "bare": {"path": "/bench/bare-apply/", "body": bare.bare},
    }


def build(data: Seeded, *, popular_count: int = 50, share: float = 0.8, seed: int = 6) -> Plan:
    rng = random.Random(seed)
    terms = list(data.fcfs)
    rng.shuffle(terms)
    popular, others = terms[:popular_count], terms[popular_count:]
    rush_parents = data.parents[:-PROFILE_PARENTS]
    kids = [(p, c) for p in rush_parents for c in p.children]
    rng.shuffle(kids)
    plan = Plan(popular=[t.id for t in popular])
    plan.warmup = [_request(p, c, rng.choice(others)) for p, c in kids[:WARMUP_SIZE]]
    weights = list(itertools.accumulate(1 / rank for rank in range(1, popular_count + 1)))
    firsts = [
        _request(
            p,
            c,
            rng.choices(popular, cum_weights=weights)[0]
            if rng.random() < share
            else rng.choice(others),
        )
        for p, c in kids[WARMUP_SIZE:]
    ]
    plan.main = _with_repeats(rng, firsts)
    plan.profile = _profile_plan(data.parents[-PROFILE_PARENTS:], popular[0], others[-8:])
    return plan
