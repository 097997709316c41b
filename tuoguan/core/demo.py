"""Demo data steps of the later apps, run by `manage.py seed_demo` after the people.

The command lives in `accounts` (it seeds the union tree and the people), and an earlier app
never imports a later one (DESIGN §3). So each later app registers its own step in its
`AppConfig.ready()`; the command runs them in the order the apps are installed::

    from tuoguan.core.demo import register_demo_step

    register_demo_step(seed_programs)

A step receives the command's stdout, must be idempotent (find rows by their natural keys,
create only what is missing) and runs inside the command's transaction and audit context.
"""

from collections.abc import Callable
from typing import Any

DemoStep = Callable[[Any], None]

DEMO_STEPS: list[DemoStep] = []


def register_demo_step(step: DemoStep) -> None:
    """Add `step` once (ready() may run twice in some test set-ups)."""
    if step not in DEMO_STEPS:
        DEMO_STEPS.append(step)


def demo_steps() -> list[DemoStep]:
    return list(DEMO_STEPS)
