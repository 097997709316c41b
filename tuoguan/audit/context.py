"""Who is acting, as which membership, from where — carried through a request.

The middleware fills this for pages and the API; management commands and tasks fill it
with `acting_as(...)`. Audited models read it when they save, so no write path can forget
to say who did it.
"""

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True)
class AuditContext:
    user_id: int | None = None
    membership_id: int | None = None
    membership_label: str = ""
    ip: str | None = None
    reason: str = ""


# AuditContext is frozen, so sharing one default instance is safe.
_current: ContextVar[AuditContext] = ContextVar(
    "audit_context",
    default=AuditContext(),  # noqa: B039
)


def current() -> AuditContext:
    return _current.get()


@contextlib.contextmanager
def acting_as(**fields: Any) -> Iterator[AuditContext]:
    """Set (part of) the audit context for the duration of a block."""
    ctx = replace(_current.get(), **fields)
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


def with_reason(reason: str) -> contextlib.AbstractContextManager[AuditContext]:
    return acting_as(reason=reason)


def update(**fields: Any) -> None:
    """Refine the context inside a request already wrapped by the middleware.

    Token authentication happens inside DRF, after the middleware ran; the middleware's
    reset at the end of the request discards this change, so it cannot leak.
    """
    _current.set(replace(_current.get(), **fields))
