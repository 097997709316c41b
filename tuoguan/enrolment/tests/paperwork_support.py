"""Helpers of the paperwork tests: terms around today, seats, and complete paperwork.

Seats are created as rows (status admitted), as the allocation services would leave them;
the paperwork is then completed through the real services.
"""

import datetime
import io
import shutil
import tempfile
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.utils import timezone
from openpyxl import Workbook

from tuoguan.accounts import services as people
from tuoguan.accounts.models import Child
from tuoguan.enrolment.models import Enrolment, EnrolmentStatus
from tuoguan.enrolment.services import agreements, health, insurance, paperwork, pickups
from tuoguan.orgs.permissions import Actor, actor_for
from tuoguan.programs import services as programs
from tuoguan.programs.models import Term
from tuoguan.programs.tests.factories import make_program, make_term
from tuoguan.testing import PASSWORD, PersonaTestCase

D = datetime.date
DAY = datetime.timedelta(days=1)


def actor(user: Any) -> Actor:
    return actor_for(user)


def today() -> datetime.date:
    return timezone.localdate()


def term_around(
    p: Any, *, starts_in: int = -3, days: int = 20, risk_notice: str = "", **overrides: Any
) -> Term:
    """A term of the grassroots union starting `starts_in` days from today (negative: running)."""
    program = make_program(p, risk_notice=risk_notice)
    start = today() + starts_in * DAY
    return make_term(p, program=program, start_date=start, end_date=start + days * DAY, **overrides)


def seat(term: Term, child: Any, status: str = EnrolmentStatus.ADMITTED) -> Enrolment:
    return Enrolment.objects.create(
        term=term, child=child, guardian=child.guardian, status=status, province=term.province
    )


def new_family(p: Any, n: int, *, consent: bool = True, mobile: str | None = None) -> Child:
    """Parent number `n` of the grassroots union with one child (and consent)."""
    user = people.user_create(
        username=f"pw{n}", real_name=f"家长{n}号", password=PASSWORD, mobile=mobile
    )
    worker = people.worker_create(user=user, employer=p.grassroots, verified_by=p.grassroots_admin)
    child = people.child_create(
        actor=actor(user),
        guardian=worker,
        name=f"孩子{n}号",
        sex="F",
        birth_date=D(2017, 5, 1),
        grade=3,
        relationship="mother",
    )
    if consent:
        people.consent_grant(actor=actor(user), child=child, policy=p.policy, ip="127.0.0.1")
    return child


ALL_ITEMS = ("consent", "agreement", "insurance", "pickup", "health", "risk_notice")


def complete(enrolment: Enrolment, *, skip: tuple[str, ...] = ()) -> Enrolment:
    """Complete every paperwork item but `skip` (consent is given by `new_family`)."""
    child = enrolment.child
    guardian = actor(child.guardian.user)
    term = enrolment.term
    if "agreement" not in skip:
        agreements.agreement_sign(
            actor=guardian,
            enrolment=enrolment,
            signer_name=child.guardian.user.real_name,
            consent=True,
            ip="10.0.0.8",
        )
    if "insurance" not in skip:
        insurance.insurance_add(
            actor=guardian,
            child=child,
            insurer="中国人寿",
            policy_number=f"P-{child.pk}-{term.pk}",
            starts_on=term.start_date - DAY,
            ends_on=term.end_date + 30 * DAY,
        )
    if "pickup" not in skip:
        pickups.pickup_add(
            actor=guardian, child=child, name="王奶奶", relation="奶奶", mobile="13912345678"
        )
    if "health" not in skip:
        health.health_note_save(
            actor=guardian,
            enrolment=enrolment,
            allergies="花生",
            conditions="",
            medication="",
            declared=True,
        )
    if "risk_notice" not in skip and (term.program.risk_notice or "").strip():
        paperwork.risk_notice_acknowledge(actor=guardian, enrolment=enrolment)
    enrolment.refresh_from_db()
    return enrolment


def add_term_staff(p: Any, term: Term, user: Any, role: str = "caregiver") -> None:
    programs.term_staff_add(actor=actor(p.grassroots_admin), term=term, user=user, role=role)


def xlsx(rows: list[list[Any]], header: list[str]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(content: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


class PaperworkCase(PersonaTestCase):
    """Personas, media in a temporary folder, and English pages (messages are msgids)."""

    media: str
    media_override: Any

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.media = tempfile.mkdtemp()
        cls.media_override = override_settings(MEDIA_ROOT=cls.media)
        cls.media_override.enable()

    @classmethod
    def tearDownClass(cls) -> None:
        cls.media_override.disable()
        shutil.rmtree(cls.media, ignore_errors=True)
        super().tearDownClass()

    def client_for(self, user: Any) -> Client:
        client = super().client_for(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    def anonymous(self) -> Client:
        return Client(HTTP_ACCEPT_LANGUAGE="en")

    def assert_login_redirect(self, response: Any) -> None:
        self.assertEqual(response.status_code, 302)
        self.assertIn("/accounts/login/", response["Location"])
