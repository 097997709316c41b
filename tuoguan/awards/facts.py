"""The fact awards lends to earlier apps: the designations a term's class holds.

Registered with `programs.compliance` in `AwardsConfig.ready()` (programs never imports
awards): `designations` → {term pk: [(level, year), …]} of its class's unrevoked titles,
highest level first; a later app (reports) reads it with `compliance.fact(term, …)`.
"""

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from tuoguan.programs import compliance

from .models import Designation


def designations_of(terms: Sequence[Any]) -> dict[int, list[tuple[int, int]]]:
    by_program: dict[int, list[tuple[int, int]]] = defaultdict(list)
    rows = (
        Designation.objects.filter(
            program__in={t.program_id for t in terms}, revoked_at__isnull=True
        )
        .order_by("level", "-year")
        .values_list("program_id", "level", "year")
    )
    for program_id, level, year in rows:
        by_program[program_id].append((level, year))
    return {t.pk: by_program[t.program_id] for t in terms if t.program_id in by_program}


def register() -> None:
    compliance.register_fact("designations", designations_of)
