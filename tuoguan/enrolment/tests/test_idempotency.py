"""Double submissions never act twice: Idempotency-Key, form tokens, the database constraint."""

import datetime
from typing import Any
from unittest import mock

from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tuoguan.accounts import services as people
from tuoguan.enrolment.models import Enrolment, IdempotencyKey, SeatPool
from tuoguan.enrolment.services import form_token_consume, form_token_issue, idempotency_purge
from tuoguan.enrolment.services.idempotency import (
    KeyMisused,
    KeyTaken,
    Replay,
    idempotency_remember,
    idempotency_stored,
    request_fingerprint,
)
from tuoguan.testing import PersonaTestCase

from .allocation_support import apply, open_term


class ApiKeyTest(PersonaTestCase):
    def setUp(self) -> None:
        self.term = open_term(self.p)
        self.url = reverse("enrolment-apply", kwargs={"term_id": self.term.pk})
        _token, key = people.token_issue(user=self.p.parent, name="test")
        self.client_ = APIClient()
        self.client_.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")

    def send(self, body: Any, key: str | None = "tap-1") -> Any:
        if key is None:
            return self.client_.post(self.url, body, format="json")
        return self.client_.post(self.url, body, format="json", HTTP_IDEMPOTENCY_KEY=key)

    def test_the_same_key_twice_returns_the_same_enrolment(self) -> None:
        first = self.send({"child": self.p.child_one.pk})
        again = self.send({"child": self.p.child_one.pk})
        self.assertEqual((first.status_code, again.status_code), (201, 201))
        self.assertEqual(first.json(), again.json())
        self.assertEqual(again.headers.get("Idempotent-Replayed"), "true")
        self.assertEqual(Enrolment.objects.filter(term=self.term).count(), 1)

    def test_another_key_for_the_same_child_and_term_is_refused_clearly(self) -> None:
        self.send({"child": self.p.child_one.pk}, key="tap-1")
        response = self.send({"child": self.p.child_one.pk}, key="tap-2")
        self.assertEqual(response.status_code, 400)
        self.assertEqual([r["code"] for r in response.json()["refusals"]], ["already_applied"])
        self.assertEqual(Enrolment.objects.filter(term=self.term).count(), 1)

    def test_without_a_key_the_second_application_is_refused_too(self) -> None:
        self.send({"child": self.p.child_one.pk}, key=None)
        response = self.send({"child": self.p.child_one.pk}, key=None)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(Enrolment.objects.filter(term=self.term).count(), 1)

    def test_the_same_key_with_another_body_is_422(self) -> None:
        self.send({"child": self.p.child_one.pk})
        response = self.send({"child": self.p.child_two.pk})
        self.assertEqual(response.status_code, 422)
        self.assertTrue(response.json()["detail"])
        self.assertEqual(Enrolment.objects.filter(term=self.term).count(), 1)

    def test_a_refusal_is_replayed_too(self) -> None:
        first = self.send({"child": "abc"})
        again = self.send({"child": "abc"})
        self.assertEqual((first.status_code, again.status_code), (400, 400))
        self.assertEqual(first.json(), again.json())

    def test_a_twin_request_that_stored_its_answer_first_wins(self) -> None:
        # Applying does not read the key first: the twin's committed answer is found when
        # this request stores its own, and this request's enrolment is rolled back.
        fingerprint = request_fingerprint("POST", self.url, {"child": self.p.child_one.pk})
        IdempotencyKey.objects.create(
            user=self.p.parent,
            key="tap-1",
            fingerprint=fingerprint,
            status_code=201,
            response={"id": 99},
        )
        response = self.send({"child": self.p.child_one.pk})
        self.assertEqual((response.status_code, response.json()), (201, {"id": 99}))
        self.assertEqual(response.headers.get("Idempotent-Replayed"), "true")
        self.assertFalse(Enrolment.objects.exists())
        self.assertFalse(SeatPool.objects.filter(term=self.term, taken__gt=0).exists())

    def test_a_refusal_stored_by_a_twin_is_not_overwritten(self) -> None:
        fingerprint = request_fingerprint("POST", self.url, {"child": "abc"})
        IdempotencyKey.objects.create(
            user=self.p.parent,
            key="tap-1",
            fingerprint=fingerprint,
            status_code=400,
            response={"child": ["first"]},
        )
        response = self.send({"child": "abc"})
        self.assertEqual((response.status_code, response.json()), (400, {"child": ["first"]}))

    def test_a_bad_key_is_400(self) -> None:
        for key in ("", "k" * 256):
            response = self.send({"child": self.p.child_one.pk}, key=key)
            self.assertEqual(response.status_code, 400, key)
        self.assertFalse(Enrolment.objects.exists())
        self.assertEqual(self.send({"child": self.p.child_one.pk}, key="k" * 255).status_code, 201)

    def test_keys_belong_to_one_user(self) -> None:
        self.send({"child": self.p.child_one.pk})
        _token, key = people.token_issue(user=self.p.other_parent, name="test")
        other = APIClient()
        other.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        response = other.post(
            self.url, {"child": self.p.other_child.pk}, format="json", HTTP_IDEMPOTENCY_KEY="tap-1"
        )
        self.assertNotEqual(response.status_code, 422)  # not "key used for another request"
        self.assertEqual(IdempotencyKey.objects.filter(key="tap-1").count(), 2)


class LookFirstKeyTest(PersonaTestCase):
    """Endpoints other than applying read the stored answer before they run."""

    def setUp(self) -> None:
        self.enrolment = apply(self.p, open_term(self.p))
        _token, key = people.token_issue(user=self.p.parent, name="test")
        self.client_ = APIClient()
        self.client_.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        self.url = reverse("enrolment-withdraw", kwargs={"pk": self.enrolment.pk})

    def withdraw(self, key: str) -> Any:
        return self.client_.post(self.url, {}, format="json", HTTP_IDEMPOTENCY_KEY=key)

    def test_a_twin_answer_stored_between_the_read_and_the_insert_wins(self) -> None:
        twin = Replay(status_code=200, body={"twin": True})
        with mock.patch(
            "tuoguan.enrolment.services.idempotency.idempotency_stored", side_effect=[None, twin]
        ) as stored:
            IdempotencyKey.objects.create(
                user=self.p.parent, key="w-1", fingerprint="f", status_code=200, response={}
            )
            response = self.withdraw("w-1")
        self.assertEqual(stored.call_count, 2)
        self.assertEqual((response.status_code, response.json()), (200, {"twin": True}))
        self.enrolment.refresh_from_db()
        self.assertNotEqual(self.enrolment.status, "withdrawn")  # rolled back

    def test_a_repeat_is_answered_without_running_again(self) -> None:
        first = self.withdraw("w-2")
        with mock.patch("tuoguan.enrolment.services.enrolment_withdraw") as withdraw:
            again = self.withdraw("w-2")
        withdraw.assert_not_called()
        self.assertEqual((first.status_code, again.status_code), (200, 200))
        self.assertEqual(first.json(), again.json())
        self.assertEqual(again.headers.get("Idempotent-Replayed"), "true")


class KeyServiceTest(PersonaTestCase):
    def test_an_answer_is_stored_once_and_found_again(self) -> None:
        self.assertIsNone(idempotency_stored(user=self.p.parent, key="k", fingerprint="f"))
        idempotency_remember(
            user=self.p.parent, key="k", fingerprint="f", status_code=201, body={"id": 7}
        )
        self.assertEqual(
            idempotency_stored(user=self.p.parent, key="k", fingerprint="f"),
            Replay(status_code=201, body={"id": 7}),
        )
        with self.assertRaises(KeyMisused):
            idempotency_stored(user=self.p.parent, key="k", fingerprint="other")
        with self.assertRaises(KeyTaken):
            idempotency_remember(
                user=self.p.parent, key="k", fingerprint="f", status_code=201, body={}
            )

    def test_keys_are_kept_a_day_and_then_purged(self) -> None:
        IdempotencyKey.objects.create(user=self.p.parent, key="old", fingerprint="f")
        IdempotencyKey.objects.create(user=self.p.parent, key="new", fingerprint="f")
        IdempotencyKey.objects.filter(key="old").update(
            created_at=timezone.now() - datetime.timedelta(hours=25)
        )
        self.assertEqual(idempotency_purge(older_than=datetime.timedelta(hours=1)), 1)
        self.assertEqual(list(IdempotencyKey.objects.values_list("key", flat=True)), ["new"])


class FormTokenTest(PersonaTestCase):
    def request(self, session: SessionStore) -> Any:
        request = RequestFactory().post("/")
        request.session = session
        request.user = self.p.parent
        return request

    def test_a_token_is_consumed_once(self) -> None:
        session = SessionStore()
        token = form_token_issue(self.request(session))
        self.assertTrue(form_token_consume(self.request(session), token))
        self.assertFalse(form_token_consume(self.request(session), token))

    def test_a_double_post_with_two_copies_of_the_session_passes_once(self) -> None:
        session = SessionStore()
        token = form_token_issue(self.request(session))
        session.save()
        copy_one, copy_two = SessionStore(session.session_key), SessionStore(session.session_key)
        results = [form_token_consume(self.request(copy), token) for copy in (copy_one, copy_two)]
        self.assertEqual(sorted(results), [False, True])

    def test_forged_and_empty_tokens_fail(self) -> None:
        session = SessionStore()
        form_token_issue(self.request(session))
        self.assertFalse(form_token_consume(self.request(session), "forged"))
        self.assertFalse(form_token_consume(self.request(session), ""))
        self.assertFalse(form_token_consume(self.request(session), None))
