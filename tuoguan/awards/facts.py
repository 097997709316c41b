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


# --- The designations funds pays grants for (programs.designations) ---------------------------


def _batch_of(rows: list[Designation], key: str) -> Any:
    from tuoguan.programs.designations import DesignatedClass, DesignationBatch

    first = rows[0]
    campaign = first.campaign
    title = (
        campaign.title if campaign else f"{first.org} · {first.year} · {first.get_level_display()}"
    )
    return DesignationBatch(
        key=key,
        title=title,
        organiser_id=first.org_id,
        organiser_path=first.org.path,
        year=first.year,
        grant_fen=campaign.grant_fen if campaign else 0,
        classes=[
            DesignatedClass(
                designation_id=d.pk, program_id=d.program_id, level=d.level, year=d.year
            )
            for d in rows
        ],
    )


def _batch_key(d: Designation) -> str:
    # A campaign's designations go together; older titles without one, by union, level, year.
    return f"c{d.campaign_id}" if d.campaign_id else f"o{d.org_id}-{d.level}-{d.year}"


def designation_batches(org_path: str) -> list[Any]:
    grouped: dict[str, list[Designation]] = defaultdict(list)
    for d in (
        Designation.objects.filter(org__path__startswith=org_path, revoked_at__isnull=True)
        .select_related("org", "campaign")
        .order_by("-year", "level", "pk")
    ):
        grouped[_batch_key(d)].append(d)
    return [_batch_of(rows, key) for key, rows in grouped.items()]


def designation_batch(key: str) -> Any:
    rows: Any = Designation.objects.filter(revoked_at__isnull=True)
    if key.startswith("c") and key[1:].isdigit():
        rows = rows.filter(campaign_id=int(key[1:]))
    elif key.startswith("o") and key[1:].replace("-", "").isdigit() and key.count("-") == 2:
        org, level, year = (int(part) for part in key[1:].split("-"))
        rows = rows.filter(campaign__isnull=True, org_id=org, level=level, year=year)
    else:
        return None
    found = list(rows.select_related("org", "campaign").order_by("pk"))
    return _batch_of(found, key) if found else None


def register_designations() -> None:
    from tuoguan.programs import designations

    designations.register_provider(
        designations.DesignationProvider(batches=designation_batches, batch=designation_batch)
    )
