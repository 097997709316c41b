"""Designations of demonstration classes, for apps beside awards (funds), by a registered provider.

`awards` owns designations and `funds` pays their grants, and neither imports the other
(DESIGN §3). So awards registers a provider here in its `AppConfig.ready()`::

    from tuoguan.programs import designations

    designations.register_provider(DesignationProvider(batches=..., batch=...))

and funds calls `batches_in(org_path)` / `batch(key)`. Without a provider both answer
"not available" (an empty list, None), never an invented list.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class DesignatedClass:
    """One unrevoked designation of a class."""

    designation_id: int
    program_id: int
    level: int
    year: int


@dataclass(frozen=True)
class DesignationBatch:
    """The designations made together: a campaign's, or one union's of a level and year."""

    key: str
    title: str
    organiser_id: int
    organiser_path: str
    year: int
    grant_fen: int
    classes: list[DesignatedClass] = field(default_factory=list)


@dataclass(frozen=True)
class DesignationProvider:
    # batches(org_path) → the batches organised by a union whose path starts with org_path
    batches: Callable[[str], list[DesignationBatch]]
    # batch(key) → that batch, or None
    batch: Callable[[str], DesignationBatch | None]


_providers: list[DesignationProvider] = []


def register_provider(provider: DesignationProvider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def unregister_provider(provider: DesignationProvider) -> None:
    if provider in _providers:
        _providers.remove(provider)


def is_available() -> bool:
    return bool(_providers)


def batches_in(org_path: str) -> list[DesignationBatch]:
    return _providers[-1].batches(org_path) if _providers else []


def batch(key: str) -> DesignationBatch | None:
    return _providers[-1].batch(key) if _providers else None
