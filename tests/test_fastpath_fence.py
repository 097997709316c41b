"""Hand-written SQL and private framework APIs stay inside the fast-path modules.

They may live only in `tuoguan/core/rawsql.py` (the shared helpers) and an app's
`fastpath.py`, whose header names the test holding each copy equal to its ORM original
(CONTRIBUTING.md, "Hand-written SQL"). A new raw query anywhere else fails here.
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ROOT / "tuoguan"

# Names that mean hand-written SQL or a framework's private API.
RAW_ATTRIBUTES = {"cursor", "raw", "extra", "_prepare_cursor", "_task_to_db_task"}
RAW_NAMES = {"RawSQL", "rawsql"}


def _fenced(path: Path) -> bool:
    return path.name == "fastpath.py" or path == APPS / "core" / "rawsql.py"


def _sources() -> list[Path]:
    return [
        path
        for path in sorted(APPS.rglob("*.py"))
        if "tests" not in path.parts and "migrations" not in path.parts and not _fenced(path)
    ]


def findings(source: str) -> list[str]:
    """What in this module is hand-written SQL or a private framework API."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            names = {alias.name for alias in node.names}
            if node.module == "tuoguan.core.rawsql" or (
                node.module == "tuoguan.core" and "rawsql" in names
            ):
                found.append(f"line {node.lineno}: imports core.rawsql")
            if "RawSQL" in names:
                found.append(f"line {node.lineno}: imports RawSQL")
        elif isinstance(node, ast.Attribute):
            if node.attr in RAW_ATTRIBUTES:
                found.append(f"line {node.lineno}: .{node.attr}")
            elif (
                node.attr == "send"
                and isinstance(node.value, ast.Name)
                and node.value.id in {"pre_save", "post_save", "pre_delete", "post_delete"}
            ):
                found.append(f"line {node.lineno}: {node.value.id}.send by hand")
        elif isinstance(node, ast.Name) and node.id in RAW_NAMES:
            found.append(f"line {node.lineno}: {node.id}")
    return found


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_hand_written_sql_outside_the_fast_path_modules(path: Path) -> None:
    assert findings(path.read_text()) == [], path


def test_the_fence_finds_a_raw_query_a_private_api_and_a_signal_sent_by_hand() -> None:
    sample = (
        "from django.db import connection\n"
        "from tuoguan.core import rawsql\n"
        "connection.cursor().execute('SELECT 1')\n"
        "Org.objects.raw('SELECT * FROM orgs_org')\n"
        "backend._task_to_db_task(task, [], {})\n"
        "pre_save.send(sender=None)\n"
    )
    assert len(findings(sample)) == 5


FASTPATHS = sorted(APPS.glob("*/fastpath.py"))


@pytest.mark.parametrize("path", FASTPATHS, ids=lambda p: str(p.relative_to(ROOT)))
def test_each_fast_path_module_names_existing_tests_for_its_copies(path: Path) -> None:
    header = ast.get_docstring(ast.parse(path.read_text())) or ""
    named = re.findall(r"(?:tuoguan/[\w/]+/)?tests/[\w/]+\.py", header)
    assert named, f"{path} names no test holding its copies equal"
    for test in named:
        where = ROOT / test if test.startswith("tuoguan/") else path.parent / test
        assert where.exists(), f"{path} names {test}, which does not exist"


def test_every_app_with_hand_written_sql_has_found_its_fast_path_module() -> None:
    # The fence has something to guard: the hot paths of these apps are measured in bench/.
    apps = {path.parent.name for path in FASTPATHS}
    assert {"accounts", "audit", "core", "enrolment", "notifications"} <= apps
