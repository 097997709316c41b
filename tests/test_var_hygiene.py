"""Tests never write into var/, where a developer's real database and uploads live.

Checked once by watching every file opened for writing during the whole suite (a
`sys.addaudithook` plugin): nothing under var/ was touched. These tests keep the settings
that made it so: uploads and the test database go elsewhere under pytest.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection

VAR_DIR = (Path(settings.BASE_DIR) / "var").resolve()


def under_var(path: object) -> bool:
    return Path(str(path)).resolve().is_relative_to(VAR_DIR)


def test_uploads_go_to_a_temporary_folder_under_pytest() -> None:
    assert not under_var(settings.MEDIA_ROOT)
    assert not under_var(default_storage.location)  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_the_test_database_is_not_the_developers_database() -> None:
    assert not under_var(connection.settings_dict["NAME"]), connection.settings_dict["NAME"]
