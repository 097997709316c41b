"""The statements of one online application on enrolment morning (bench/README.md).

Counted on PostgreSQL, where the rush is measured: each round trip to the database is CPU
on both sides, so a statement that creeps back onto the path fails here.
"""

from typing import Any
from unittest import mock

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from tuoguan.accounts import services as people
from tuoguan.audit.context import acting_as
from tuoguan.audit.models import AuditEntry
from tuoguan.enrolment.fastpath import enrolment_answer
from tuoguan.enrolment.models import Enrolment, EnrolmentStatus, IdempotencyKey
from tuoguan.enrolment.services import enrolment_apply, idempotency, notices
from tuoguan.notifications.channels import configured_channels
from tuoguan.notifications.models import Notification
from tuoguan.testing import PersonaTestCase

from .allocation_support import actor, apply, family, open_term
from .test_api_enrolments import apply_url

# Savepoints are the test case's own transaction around each test, not the request's.
_FRAMING = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


def statements(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if not q["sql"].startswith(_FRAMING)]


class ApplyStatementsTest(PersonaTestCase):
    def setUp(self) -> None:
        if connection.vendor != "postgresql":
            self.skipTest("counted where the rush runs: PostgreSQL")
        self.term = open_term(self.p, capacity=2)
        # The first application of a term makes its rules and seat pools: a morning's
        # terms have them already.
        apply(self.p, self.term, family(self.p, 1)[2])
        _token, key = people.token_issue(user=self.p.parent, name="test")
        self.client_ = APIClient()
        self.client_.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")

    def send(self, child: Any, key: str) -> tuple[Any, list[str]]:
        with CaptureQueriesContext(connection) as queries:
            response = self.client_.post(
                apply_url(self.term), {"child": child.pk}, format="json", HTTP_IDEMPOTENCY_KEY=key
            )
        return response, statements(queries)

    def test_an_admitted_application_costs_four_statements(self) -> None:
        response, sent = self.send(self.p.child_one, "k-1")
        self.assertEqual(response.json()["status"], EnrolmentStatus.ADMITTED)
        # The token, the facts, the seat, and the row with its audit entry, the inbox
        # notice and the stored answer in one statement.
        self.assertEqual(len(sent), 4, "\n".join(sent))

    def test_a_waitlisted_application_costs_six_statements(self) -> None:
        apply(self.p, self.term, family(self.p, 2)[2])
        response, sent = self.send(self.p.child_one, "k-2")
        self.assertEqual(response.json()["status"], EnrolmentStatus.WAITLISTED)
        # The seat tried, the rank taken and the position counted in place of the seat.
        self.assertEqual(len(sent), 6, "\n".join(sent))


def _values(of: Any, /, **lookup: Any) -> dict[str, Any]:
    return of.objects.filter(**lookup).values().get()


def _but(values: dict[str, Any], *names: str) -> dict[str, Any]:
    return {k: v for k, v in values.items() if k not in names}


class ApplyRowsTest(PersonaTestCase):
    """The rows of one application as the API writes them (PostgreSQL: in one statement,
    the id taken up front; SQLite: the plain path) equal, field by field, what the ORM
    writes for the same values; and the id taken up front is the row's in every row that
    names it (the entry, the notice's link, the stored answer)."""

    def setUp(self) -> None:
        self.term = open_term(self.p, capacity=2)
        apply(self.p, self.term, family(self.p, 1)[2])

    def apply_as_the_api_does(self, key: str) -> tuple[Enrolment, Any, Any]:
        """enrolment_apply and the stored answer in the block @idempotent opens."""
        parent = self.p.parent
        with (
            acting_as(user_id=parent.pk, ip="127.0.0.1"),
            mock.patch.object(notices, "notify", wraps=notices.notify) as told,
            transaction.atomic(),
            idempotency.answer_with_the_act(),
        ):
            enrolment = enrolment_apply(actor=actor(parent), child=self.p.child_one, term=self.term)
            answer = enrolment_answer(enrolment)
            idempotency.idempotency_remember(
                user=parent, key=key, fingerprint="f", status_code=201, body=answer
            )
        return enrolment, answer, told.call_args.kwargs

    def check_rows(self, key: str, status: str) -> None:
        parent = self.p.parent
        enrolment, answer, told = self.apply_as_the_api_does(key)
        self.assertEqual((enrolment.status, answer["id"]), (status, enrolment.pk))
        pk, label = enrolment.pk, Enrolment._meta.label
        row = _values(Enrolment, pk=pk)
        entry = _values(AuditEntry, model=label, object_id=str(pk), action="create")
        notice = _values(Notification, recipient=parent, url=told["url"])
        stored = _values(IdempotencyKey, user=parent, key=key)
        self.assertEqual(told["url"], reverse("enrolment:detail", kwargs={"pk": pk}))
        # The ORM's rows for the same values, once these are gone (one active application
        # per child and term; audit entries stay, told apart by their record's id).
        Enrolment.objects.filter(pk=pk).delete()
        Notification.objects.filter(pk=notice["id"]).delete()
        IdempotencyKey.objects.filter(pk=stored["id"]).delete()
        own = ("id", "created_at", "updated_at")
        with acting_as(user_id=parent.pk, ip="127.0.0.1"):
            twin = Enrolment(
                **{
                    f.attname: getattr(enrolment, f.attname)
                    for f in Enrolment._meta.concrete_fields
                    if f.attname not in own
                }
            )
            twin.save()
        self.assertEqual(_but(row, *own), _but(_values(Enrolment, pk=twin.pk), *own))
        twin_entry = _values(AuditEntry, model=label, object_id=str(twin.pk), action="create")
        entry_own = ("id", "object_id", "at")
        self.assertEqual(_but(entry, *entry_own), _but(twin_entry, *entry_own))
        notice_by_orm = Notification.objects.create(
            recipient_id=told["recipient"],
            subject=told["subject"],
            body=told["body"],
            url=told["url"],
            dispatch_pending=told["batched"] and bool(configured_channels()),
        )
        notice_own = ("id", "created_at")
        self.assertEqual(
            _but(notice, *notice_own), _but(_values(Notification, pk=notice_by_orm.pk), *notice_own)
        )
        key_by_orm = IdempotencyKey.objects.create(
            user=parent, key=key, fingerprint="f", status_code=201, response=answer
        )
        self.assertEqual(
            _but(stored, *notice_own), _but(_values(IdempotencyKey, pk=key_by_orm.pk), *notice_own)
        )

    def test_an_admitted_applications_rows_equal_the_orms(self) -> None:
        self.check_rows("k-1", EnrolmentStatus.ADMITTED)

    def test_a_waitlisted_applications_rows_equal_the_orms(self) -> None:
        apply(self.p, self.term, family(self.p, 2)[2])
        self.check_rows("k-2", EnrolmentStatus.WAITLISTED)

    def test_the_api_answer_is_the_stored_answer(self) -> None:
        _token, secret = people.token_issue(user=self.p.parent, name="test")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        response = client.post(
            apply_url(self.term),
            {"child": self.p.child_one.pk},
            format="json",
            HTTP_IDEMPOTENCY_KEY="k-3",
        )
        stored = _values(IdempotencyKey, user=self.p.parent, key="k-3")
        self.assertEqual((stored["status_code"], stored["response"]), (201, response.json()))
        link = reverse("enrolment:detail", kwargs={"pk": response.json()["id"]})
        self.assertTrue(Notification.objects.filter(recipient=self.p.parent, url=link).exists())
