"""Guards that later apps register against a term's check-ins (DESIGN §3: care never imports
them). Supervision stops a term's check-ins while a veto-level finding is open; its guard,
registered from its `ready()`, returns the reason or None.

A guard may also lend its rule as an expression (`fact`: a function of the lookup path to
the term, giving the reason or NULL), so that the check-in's one read of its facts
(`selectors.check_in_facts`) carries it; the guard itself is called when it lends none.
"""

from collections.abc import Callable
from typing import Any

Guard = Callable[[Any], str | None]

checkin_guards: list[Guard] = []
guard_facts: dict[Guard, Callable[[str], Any]] = {}


def register_checkin_guard(guard: Guard, *, fact: Callable[[str], Any] | None = None) -> None:
    if guard not in checkin_guards:
        checkin_guards.append(guard)
    if fact is not None:
        guard_facts[guard] = fact
