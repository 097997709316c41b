"""The morning's request plan, generated before the run so that every repeat is intentional.

Every child is checked in once, in a shuffled order across all the classes; half of them
by the kiosk of their class (`POST /api/v1/kiosk/check-in/`, `Authorization: Kiosk <device
token>`, the signed code of the parent's phone for today), half by their caregiver's tap
(`POST /api/v1/attendance/`, `Authorization: Bearer <API token>`, the enrolment). 0.5% of
the children come back `REPEAT_DISTANCE` requests later by the other path — the parent
scans at the kiosk after the caregiver tapped — and must be refused ("already checked in").
The bare baseline inserts the same first check-ins without repeats. The codes are signed
with the run's generated SECRET_KEY, which the server shares.
"""

import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from django.utils import timezone

from tuoguan.care.codes import check_in_code

from .seed import Place

REPEAT_SHARE = 0.005
REPEAT_DISTANCE = 200
WARMUP_SIZE = 600
PROFILE_PLACES = 10


@dataclass
class Request:
    path: str
    authorization: str
    body: str
    bare: str = ""
    kind: str = "first"
    via: str = "tap"

    def line(self) -> str:
        return f"{self.path}\t{self.authorization}\t{self.body}\n"

    def bare_line(self) -> str:
        return f"/bench/bare-check-in/\t-\t{self.bare}\n"

    def item(self) -> dict[str, str]:
        return {"path": self.path, "authorization": self.authorization, "body": self.body}


def _body(value: dict[str, Any]) -> str:
    return json.dumps(value, separators=(",", ":"))


def check_in(place: Place, via: str) -> Request:
    bare = _body(
        {
            "enrolment": place.enrolment,
            "term": place.term,
            "group": place.group,
            "child": place.child,
            "province": place.province,
        }
    )
    if via == "kiosk":
        enrolment = SimpleNamespace(pk=place.enrolment, child_id=place.child, term_id=place.term)
        code = check_in_code(enrolment, timezone.localdate())
        return Request(
            "/api/v1/kiosk/check-in/",
            f"Kiosk {place.kiosk_key}",
            _body({"code": code}),
            bare,
            via=via,
        )
    return Request(
        "/api/v1/attendance/",
        f"Bearer {place.caregiver_key}",
        _body({"enrolment": place.enrolment}),
        bare,
        via=via,
    )


@dataclass
class Plan:
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
        firsts = [r for r in self.main if r.kind == "first"]
        return {
            "requests": len(self.main),
            "first_check_ins": len(firsts),
            "by_kiosk": sum(1 for r in firsts if r.via == "kiosk"),
            "by_caregiver_tap": sum(1 for r in firsts if r.via == "tap"),
            "planned_repeats_to_refuse": sum(1 for r in self.main if r.kind == "repeat"),
            "warmup_requests": len(self.warmup),
        }


def _with_repeats(rng: random.Random, firsts: list[tuple[Place, Request]]) -> list[Request]:
    pending: dict[int, list[Request]] = {}
    out: list[Request] = []
    for index, (place, request) in enumerate(firsts):
        out.extend(pending.pop(index, []))
        out.append(request)
        if rng.random() < REPEAT_SHARE:
            repeat = check_in(place, "tap" if request.via == "kiosk" else "kiosk")
            repeat.kind = "repeat"
            pending.setdefault(index + REPEAT_DISTANCE, []).append(repeat)
    return out


def build(places: list[Place], *, seed: int = 11) -> Plan:
    rng = random.Random(seed)
    kept, spare = places[:-PROFILE_PLACES], places[-PROFILE_PLACES:]
    kept = list(kept)
    rng.shuffle(kept)
    requests = [(p, check_in(p, "kiosk" if n % 2 else "tap")) for n, p in enumerate(kept)]
    plan = Plan(warmup=[r for _p, r in requests[:WARMUP_SIZE]])
    plan.main = _with_repeats(rng, requests[WARMUP_SIZE:])
    plan.profile = {
        "warmup": check_in(spare[0], "tap").item(),
        "tap": check_in(spare[1], "tap").item(),
        "kiosk": check_in(spare[2], "kiosk").item(),
        "repeat": check_in(spare[1], "kiosk").item(),
        "untraced": [check_in(p, "tap").item() for p in spare[3:8]],
        "hot": check_in(spare[8], "tap").item(),
        "bare": {"path": "/bench/bare-check-in/", "body": check_in(spare[9], "tap").bare},
    }
    return plan
