#!/usr/bin/env python3
"""Check a Tuoguan lottery draw yourself: Python 3.9 or later, standard library only.

Download three things from the draw's public page: the inputs file, this script, and (if
you like) the published result file; copy the seed shown on the page. Then run

    python3 verify_draw.py draw-12-inputs.json "SEED" draw-12-result.json

The script prints the SHA-256 of the inputs file (compare it with the digest on the page),
recomputes the draw from the inputs and the seed, and compares the outcome with the
result file: "OK" and exit status 0 when they agree, the differences and exit status 1
when they do not. Without a result file it prints the recomputed outcome as JSON.

The inputs hold no names: application numbers, priority tiers (0 is served first), the
groups each child fits, anonymous sibling sets kept together, and the free places.

The rules (algorithm version 1):

1. Applicants form draw units: a sibling set kept together is one unit, everyone else a
   unit of one. Units are sorted by their smallest application number.
2. Tiers are served in order (0 first). Within a tier the units are shuffled with
   `random.Random(n)`, where n is the SHA-256 of the seed (UTF-8) read as a big-endian
   integer; one generator serves all tiers in turn. The draw order is the concatenation of
   the shuffled tiers.
3. Units are placed in draw order. A unit fits when there is a place for each member and,
   if the term has groups, each member gets a place in a group it fits (a unit of one: the
   first of its groups with room; a sibling set: any assignment, found by trying the most
   constrained member first). A unit that fits is admitted whole; otherwise it is
   waitlisted whole, and the next unit may still fit.
4. Everyone ends admitted or waitlisted exactly once; the waitlist keeps the draw order.

The platform computes its draws with this very file (tuoguan/enrolment/verify_draw.py), so
what you run is what it ran.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

ALGORITHM_VERSION = 1

# (application number, tier, groups it fits in the order tried, sibling set label or "")
Applicant = tuple[int, int, tuple[int, ...], str]
Unit = tuple[Applicant, ...]


def seed_int(seed: str) -> int:
    return int.from_bytes(hashlib.sha256(seed.encode("utf-8")).digest(), "big")


def draw_units(applicants: Sequence[Applicant]) -> list[Unit]:
    """Sibling sets kept together become one unit; units sorted by their smallest number."""
    sets: dict[str, list[Applicant]] = defaultdict(list)
    units: list[Unit] = []
    for applicant in sorted(applicants, key=lambda a: a[0]):
        if applicant[3]:
            sets[applicant[3]].append(applicant)
        else:
            units.append((applicant,))
    units.extend(tuple(members) for members in sets.values())
    units.sort(key=lambda unit: unit[0][0])
    return units


def assign_groups(options: Sequence[Sequence[int]], free: Mapping[int, int]) -> list[int] | None:
    """A group for each member with a free place in it, or None; `free` is not changed."""
    if len(options) == 1:
        return next(([g] for g in options[0] if free.get(g, 0) > 0), None)
    left = dict(free)
    chosen: list[int | None] = [None] * len(options)
    order = sorted(range(len(options)), key=lambda i: (len(options[i]), i))

    def place(k: int) -> bool:
        if k == len(order):
            return True
        member = order[k]
        for group in options[member]:
            if left.get(group, 0) > 0:
                left[group] -= 1
                chosen[member] = group
                if place(k + 1):
                    return True
                left[group] += 1
        return False

    return [g for g in chosen if g is not None] if place(0) else None


def _place(unit: Unit, seats: int, free: dict[int, int], has_groups: bool) -> list[int | None]:
    """The groups of an admitted unit (None entries without groups), or [] if it does not fit."""
    if len(unit) > seats:
        return []
    if not has_groups:
        return [None] * len(unit)
    assigned = assign_groups([a[2] for a in unit], free)
    if assigned is None:
        return []
    for group in assigned:
        free[group] -= 1
    return list(assigned)


def run_draw(
    seats: int,
    applicants: Sequence[Applicant],
    groups: Sequence[tuple[int, int]],
    seed: str,
) -> tuple[list[int], list[tuple[int, int | None]], list[int]]:
    """(draw order, admitted as (number, group or None), waitlist) by the rules above."""
    numbers = [a[0] for a in applicants]
    if len(set(numbers)) != len(numbers):
        raise ValueError("an applicant appears twice in the draw inputs")
    rng = random.Random(seed_int(seed))  # noqa: S311 - reproducibility, not secrecy
    by_tier: dict[int, list[Unit]] = defaultdict(list)
    for unit in draw_units(applicants):
        by_tier[min(a[1] for a in unit)].append(unit)
    ordered: list[Unit] = []
    for tier in sorted(by_tier):
        bucket = by_tier[tier]
        rng.shuffle(bucket)
        ordered.extend(bucket)
    free = dict(groups)
    has_groups = bool(groups)
    order: list[int] = []
    admitted: list[tuple[int, int | None]] = []
    waitlist: list[int] = []
    for unit in ordered:
        members = [a[0] for a in unit]
        order.extend(members)
        placed = _place(unit, seats, free, has_groups) if seats > 0 else []
        if placed:
            seats -= len(unit)
            admitted.extend(zip(members, placed))  # noqa: B905 - same length; 3.9 has no strict=
        else:
            waitlist.extend(members)
    return order, admitted, waitlist


def read_inputs(data: Mapping[str, Any]) -> tuple[int, list[Applicant], list[tuple[int, int]]]:
    """(free places, applicants, groups) from the published inputs; ValueError if malformed."""
    if data.get("version") != ALGORITHM_VERSION:
        raise ValueError(f"unknown algorithm version {data.get('version')!r}")
    try:
        applicants = [
            (int(a[0]), int(a[1]), tuple(int(g) for g in a[2]), str(a[3]))
            for a in data["applicants"]
        ]
        groups = [(int(g[0]), int(g[1])) for g in data.get("groups", [])]
        return int(data["seats"]), applicants, groups
    except (KeyError, IndexError, TypeError, AttributeError) as exc:
        raise ValueError(f"malformed draw inputs: {exc}") from exc


def draw_from_inputs(data: Mapping[str, Any], seed: str) -> dict[str, Any]:
    """The outcome, in the shape of the published result file."""
    seats, applicants, groups = read_inputs(data)
    order, admitted, waitlist = run_draw(seats, applicants, groups, seed)
    return {
        "order": order,
        "admitted": [[number, group] for number, group in admitted],
        "waitlist": waitlist,
    }


def differences(expected: Mapping[str, Any], published: Mapping[str, Any]) -> list[str]:
    problems = []
    for key, what in (("order", "draw order"), ("waitlist", "waitlist")):
        if list(expected[key]) != list(published.get(key, [])):
            problems.append(f"the {what} differs")
    got = {int(a[0]): a[1] for a in published.get("admitted", [])}
    want = {int(a[0]): a[1] for a in expected["admitted"]}
    for number in sorted(set(got) - set(want)):
        problems.append(f"application {number} is admitted, the recomputed draw waitlists it")
    for number in sorted(set(want) - set(got)):
        problems.append(f"application {number} is not admitted, the recomputed draw admits it")
    for number in sorted(set(got) & set(want)):
        if got[number] != want[number]:
            problems.append(
                f"application {number} is in group {got[number]}, "
                f"the recomputed draw puts it in {want[number]}"
            )
    return problems


def say(line: str) -> None:
    sys.stdout.write(line + "\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Recompute a Tuoguan lottery draw.")
    parser.add_argument("inputs", help="the inputs file downloaded from the draw's page")
    parser.add_argument("seed", help="the seed shown on the draw's page")
    parser.add_argument("result", nargs="?", help="the published result file, to compare")
    args = parser.parse_args(argv)
    with open(args.inputs, "rb") as handle:
        raw = handle.read()
    say(f"SHA-256 of the inputs / 输入文件的 SHA-256: {hashlib.sha256(raw).hexdigest()}")
    outcome = draw_from_inputs(json.loads(raw.decode("utf-8")), args.seed)
    if args.result is None:
        say(json.dumps(outcome, separators=(",", ":")))
        return 0
    with open(args.result, encoding="utf-8") as handle:
        problems = differences(outcome, json.load(handle))
    if problems:
        say("MISMATCH / 不一致: the recomputed draw differs from the published result:")
        for problem in problems:
            say(f"  - {problem}")
        return 1
    admitted, waiting = len(outcome["admitted"]), len(outcome["waitlist"])
    say(f"OK / 一致: the inputs and the seed reproduce the published result "
        f"({admitted} admitted, {waiting} on the waitlist).")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
