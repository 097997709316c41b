"""Helpers shared by the page and API tests of the programs app."""

import datetime
import shutil
import tempfile
from typing import Any

from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from tuoguan.programs.models import Program, ProgramType, Term, TermStatus

D = datetime.date


def bulk_programs(host: Any, count: int, *, start: int = 0) -> None:
    """`count` classes with one submitted term each, written in bulk (list-size tests only).

    Bulk rows skip the audit log and care days on purpose: the list pages read neither.
    """
    programs = Program.objects.bulk_create(
        Program(host=host, name=f"批量托管班{n:04d}", type=ProgramType.HOLIDAY)
        for n in range(start, start + count)
    )
    Term.objects.bulk_create(
        Term(
            program=program,
            name="2026年暑期",
            start_date=D(2026, 7, 6),
            end_date=D(2026, 8, 14),
            capacity=30,
            status=TermStatus.SUBMITTED,
        )
        for program in programs
    )


def count_queries(fn: Any) -> int:
    with CaptureQueriesContext(connection) as queries:
        fn()
    return len(queries)


def errors_of(response: Any, form: str = "form") -> dict[str, Any]:
    """The field errors of a rendered form (empty when the page has no such form)."""
    context_form = response.context.get(form) if response.context else None
    return dict(context_form.errors) if context_form is not None else {}


class TempMedia:
    """Mix into a TestCase whose tests write files: storage goes to a throw-away folder."""

    media: str
    media_override: Any

    @classmethod
    def setUpClass(cls) -> None:
        cls.media = tempfile.mkdtemp(prefix="tuoguan-programs-")
        cls.media_override = override_settings(MEDIA_ROOT=cls.media)
        cls.media_override.enable()
        super().setUpClass()  # type: ignore[misc]

    @classmethod
    def tearDownClass(cls) -> None:
        super().tearDownClass()  # type: ignore[misc]
        cls.media_override.disable()
        shutil.rmtree(cls.media, ignore_errors=True)


def api_for(user: Any) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client
