"""Fixtures of the project-wide tests; the world itself is built in tests/authz_world.py.

(Test modules import from `authz_world`, never from `conftest`: three conftest modules share
that name and which one `import conftest` finds depends on collection order.)
"""

from collections.abc import Iterator
from typing import Any

import pytest
from authz_world import IN_MEMORY_STORAGE, World, build_world
from django.conf import settings
from django.db import transaction
from django.test import override_settings


@pytest.fixture(scope="module")
def authz_world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """One world per test module, rolled back at its end (tests run in savepoints of it).

    Files go to memory: uploads made by the world or by probes never reach var/media.
    """
    storages = {**settings.STORAGES, "default": {"BACKEND": IN_MEMORY_STORAGE}}
    with (
        override_settings(STORAGES=storages),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        yield build_world()
        transaction.set_rollback(True)
