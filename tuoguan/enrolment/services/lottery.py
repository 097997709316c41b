"""The lottery itself: a pure function from published inputs and a seed to an outcome.

Nothing here touches the database, so anyone holding the published inputs and seed can
recompute a draw (`manage.py verify_draw`, the public draw page). The rules themselves live
in the stand-alone script `tuoguan/enrolment/verify_draw.py` (standard library only), which
the public page offers for download: the platform draws with the very code people check
it with. This module gives them typed inputs and outcomes.
"""

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from .. import verify_draw as script
from ..verify_draw import ALGORITHM_VERSION, assign_groups, seed_int

__all__ = [
    "ALGORITHM_VERSION",
    "Applicant",
    "DrawInputs",
    "DrawOutcome",
    "assign_groups",
    "canonical_digest",
    "canonical_json",
    "draw",
    "outcome_differences",
    "seed_int",
]


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


def draw(inputs: DrawInputs, seed: str) -> DrawOutcome:
    """Run the lottery (rules: verify_draw.py); the same inputs and seed give the same
    outcome on any machine."""
    order, admitted, waitlist = script.run_draw(
        inputs.seats,
        [(a.id, a.tier, a.groups, a.sibling_set) for a in inputs.applicants],
        inputs.groups,
        seed,
    )
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
