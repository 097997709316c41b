"""The lottery itself: a pure function from published inputs and a seed to an outcome.

Nothing here touches the database, so anyone holding the published inputs and seed can
recompute a draw (`manage.py verify_draw`, the public draw page) and get the same outcome.

The rules (algorithm version 1):

1. Applicants form draw units: a sibling set that asked to be kept together is one unit,
   everyone else is a unit of one. Units are sorted by their smallest applicant id.
2. Tiers are served in order (0 first). Within a tier the units are shuffled with
   `random.Random(seed_int)`, where `seed_int` is the SHA-256 of the seed read as a
   big-endian integer; one generator serves all tiers in turn. The draw order is the
   concatenation of the shuffled tiers.
3. Units are placed in draw order. A unit fits when the term has a seat for each member
   and, if the term has groups, each member gets a seat in a group it fits (for a unit of
   one: the first of its groups with room; for a sibling set: any assignment found by
   trying the most constrained member first). A unit that fits is admitted whole;
   otherwise it is waitlisted whole and the next unit may still fit elsewhere.
4. Everyone ends admitted or waitlisted exactly once; the waitlist keeps the draw order.
"""

import hashlib
import json
import random
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

ALGORITHM_VERSION = 1


@dataclass(frozen=True)
class Applicant:
    id: int
    tier: int = 0
    # Groups the child fits, in the order seats are tried; empty when the term has none.
    groups: tuple[int, ...] = ()
    # The anonymous label of a sibling set kept together ("" for none).
    sibling_set: str = ""


@dataclass(frozen=True)
class DrawInputs:
    """What a draw is computed from; published with the draw."""

    seats: int
    applicants: tuple[Applicant, ...]
    # (group id, free seats); empty when the term has no groups.
    groups: tuple[tuple[int, int], ...] = ()
    term: int | None = None
    # The priority tiers as target-group codes, published so readers know what tier 0 is.
    tiers: tuple[tuple[str, ...], ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "version": ALGORITHM_VERSION,
            "term": self.term,
            "seats": self.seats,
            "groups": [[gid, free] for gid, free in self.groups],
            "tiers": [list(tier) for tier in self.tiers],
            "applicants": [[a.id, a.tier, list(a.groups), a.sibling_set] for a in self.applicants],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "DrawInputs":
        """Read published inputs; ValueError when they are not in the published shape."""
        try:
            if data.get("version") != ALGORITHM_VERSION:
                raise ValueError(f"unknown algorithm version {data.get('version')!r}")
            applicants = tuple(
                Applicant(
                    id=int(a[0]),
                    tier=int(a[1]),
                    groups=tuple(int(g) for g in a[2]),
                    sibling_set=str(a[3]),
                )
                for a in data["applicants"]
            )
            groups = tuple((int(g[0]), int(g[1])) for g in data.get("groups", []))
            tiers = tuple(tuple(str(code) for code in tier) for tier in data.get("tiers", []))
            term = data.get("term")
            return cls(
                seats=int(data["seats"]),
                applicants=applicants,
                groups=groups,
                term=int(term) if term is not None else None,
                tiers=tiers,
            )
        except (KeyError, IndexError, TypeError, AttributeError) as exc:
            raise ValueError(f"malformed draw inputs: {exc}") from exc

    def digest(self) -> str:
        return canonical_digest(self.to_json())


@dataclass(frozen=True)
class DrawOutcome:
    order: tuple[int, ...]
    # (applicant id, group id or None), in draw order.
    admitted: tuple[tuple[int, int | None], ...]
    waitlist: tuple[int, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "order": list(self.order),
            "admitted": [[aid, gid] for aid, gid in self.admitted],
            "waitlist": list(self.waitlist),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "DrawOutcome":
        try:
            return cls(
                order=tuple(int(x) for x in data["order"]),
                admitted=tuple(
                    (int(a[0]), None if a[1] is None else int(a[1])) for a in data["admitted"]
                ),
                waitlist=tuple(int(x) for x in data["waitlist"]),
            )
        except (KeyError, IndexError, TypeError, AttributeError) as exc:
            raise ValueError(f"malformed draw outcome: {exc}") from exc


def canonical_json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_digest(data: Any) -> str:
    """SHA-256 of the canonical JSON (sorted keys, no spaces, UTF-8)."""
    return hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()


def seed_int(seed: str) -> int:
    return int.from_bytes(hashlib.sha256(seed.encode("utf-8")).digest(), "big")


Unit = tuple[Applicant, ...]


def draw_units(applicants: Sequence[Applicant]) -> list[Unit]:
    """Sibling sets kept together become one unit; units sorted by smallest id."""
    sets: dict[str, list[Applicant]] = defaultdict(list)
    units: list[Unit] = []
    for applicant in sorted(applicants, key=lambda a: a.id):
        if applicant.sibling_set:
            sets[applicant.sibling_set].append(applicant)
        else:
            units.append((applicant,))
    units.extend(tuple(members) for members in sets.values())
    units.sort(key=lambda unit: unit[0].id)
    return units


def assign_groups(options: Sequence[Sequence[int]], free: Mapping[int, int]) -> list[int] | None:
    """A group for each member with a free seat in it, or None; `free` is not changed."""
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
    assigned = assign_groups([a.groups for a in unit], free)
    if assigned is None:
        return []
    for group in assigned:
        free[group] -= 1
    return list(assigned)


def draw(inputs: DrawInputs, seed: str) -> DrawOutcome:
    """Run the lottery (see the module docstring); the same inputs and seed give the same
    outcome on any machine."""
    ids = [a.id for a in inputs.applicants]
    if len(set(ids)) != len(ids):
        raise ValueError("an applicant appears twice in the draw inputs")
    rng = random.Random(seed_int(seed))  # noqa: S311 - reproducibility, not secrecy
    by_tier: dict[int, list[Unit]] = defaultdict(list)
    for unit in draw_units(inputs.applicants):
        by_tier[min(a.tier for a in unit)].append(unit)
    ordered: list[Unit] = []
    for tier in sorted(by_tier):
        bucket = by_tier[tier]
        rng.shuffle(bucket)
        ordered.extend(bucket)

    seats = inputs.seats
    free = dict(inputs.groups)
    has_groups = bool(inputs.groups)
    order: list[int] = []
    admitted: list[tuple[int, int | None]] = []
    waitlist: list[int] = []
    for unit in ordered:
        members = [a.id for a in unit]
        order.extend(members)
        placed = _place(unit, seats, free, has_groups) if seats > 0 else []
        if placed:
            seats -= len(unit)
            admitted.extend(zip(members, placed, strict=True))
        else:
            waitlist.extend(members)
    return DrawOutcome(order=tuple(order), admitted=tuple(admitted), waitlist=tuple(waitlist))


def outcome_differences(expected: DrawOutcome, stored: Mapping[str, Any]) -> list[str]:
    """Plain-language differences between a recomputed outcome and a stored one."""
    try:
        found = DrawOutcome.from_json(stored)
    except ValueError as exc:
        return [str(exc)]
    problems: list[str] = []
    if found.order != expected.order:
        at = next(
            (
                i
                for i, (a, b) in enumerate(zip(found.order, expected.order, strict=False))
                if a != b
            ),
            min(len(found.order), len(expected.order)),
        )
        problems.append(_("The draw order differs from position %(n)s on.") % {"n": at + 1})
    got, want = dict(found.admitted), dict(expected.admitted)
    for aid in sorted(set(got) - set(want)):
        problems.append(
            _("Application %(id)s is admitted, but the recomputed draw waitlists it.") % {"id": aid}
        )
    for aid in sorted(set(want) - set(got)):
        problems.append(
            _("Application %(id)s is not admitted, but the recomputed draw admits it.")
            % {"id": aid}
        )
    for aid in sorted(set(got) & set(want)):
        if got[aid] != want[aid]:
            problems.append(
                _(
                    "Application %(id)s is in group %(got)s; "
                    "the recomputed draw puts it in %(want)s."
                )
                % {"id": aid, "got": got[aid], "want": want[aid]}
            )
    if found.waitlist != expected.waitlist:
        problems.append(_("The order of the waitlist differs."))
    return problems
