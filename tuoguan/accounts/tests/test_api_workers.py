from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tuoguan.accounts import services
from tuoguan.accounts.models import User, Worker
from tuoguan.testing import PersonaTestCase

LIST = reverse("worker-list")


def detail(worker: Worker) -> str:
    return reverse("worker-detail", args=[worker.pk])


def verify(worker: Worker) -> str:
    return reverse("worker-verify", args=[worker.pk])


class WorkerApiReadTests(PersonaTestCase):
    def test_the_list_is_scoped_to_the_subtree(self) -> None:
        body = self.client_for(self.p.grassroots_admin).get(LIST).json()
        self.assertEqual([w["id"] for w in body["results"]], [self.p.parent_worker.pk])
        self.assertEqual(body["results"][0]["mobile"], "13700000001")
        outsider = self.client_for(self.p.outsider).get(LIST).json()
        self.assertNotIn(self.p.parent_worker.pk, [w["id"] for w in outsider["results"]])

    def test_filters_match_the_page(self) -> None:
        user = services.user_create(
            username="w1", real_name="Worker One", password=None, mobile="13500000001"
        )
        services.worker_create(user=user, employer=self.p.other_grassroots)
        client = self.client_for(self.p.city_admin)

        def ids(**params: Any) -> set[int]:
            return {w["id"] for w in client.get(LIST, params).json()["results"]}

        one = Worker.objects.get(user=user).pk
        self.assertEqual(ids(), {one, self.p.parent_worker.pk})
        self.assertEqual(ids(verified="true"), {self.p.parent_worker.pk})
        self.assertEqual(ids(verified="false"), {one})
        self.assertEqual(ids(q="Worker"), {one})
        self.assertEqual(ids(org=self.p.grassroots.pk), {self.p.parent_worker.pk})

    def test_bad_filters_get_400(self) -> None:
        client = self.client_for(self.p.grassroots_admin)
        for params in (
            {"org": "abc"},
            {"org": self.p.other_grassroots_far.pk},
            {"verified": "perhaps"},
        ):
            self.assertEqual(client.get(LIST, params).status_code, 400, params)

    def test_the_list_query_count_is_bounded(self) -> None:
        client = self.client_for(self.p.city_admin)

        def count() -> int:
            with CaptureQueriesContext(connection) as ctx:
                self.assertEqual(client.get(LIST).status_code, 200)
            return len(ctx.captured_queries)

        few = count()
        for n in range(30):
            user = services.user_create(
                username=f"w{n}", real_name=f"W{n}", password=None, mobile=f"135000{n:05d}"
            )
            services.worker_create(user=user, employer=self.p.other_grassroots)
        self.assertEqual(count(), few)

    def test_a_caregiver_cannot_list_workers(self) -> None:
        self.assertEqual(self.client_for(self.p.caregiver).get(LIST).status_code, 403)

    def test_anonymous_gets_401(self) -> None:
        self.assertEqual(Client().get(LIST).status_code, 401)
        self.assertEqual(Client().get(detail(self.p.parent_worker)).status_code, 401)

    def test_the_outsider_gets_404_for_our_worker(self) -> None:
        client = self.client_for(self.p.outsider)
        self.assertEqual(client.get(detail(self.p.parent_worker)).status_code, 404)
        self.assertEqual(client.post(verify(self.p.parent_worker)).status_code, 404)

    def test_a_worker_reads_their_own_record(self) -> None:
        response = self.client_for(self.p.parent).get(detail(self.p.parent_worker))
        self.assertEqual(response.json()["member_number"], "DL-0001")


class WorkerApiWriteTests(PersonaTestCase):
    def payload(self, **overrides: object) -> dict[str, object]:
        return {
            "real_name": "赵职工",
            "mobile": "13600000009",
            "member_number": "DL-0099",
            "employer": self.p.grassroots.pk,
            **overrides,
        }

    def test_an_admin_creates_a_verified_worker(self) -> None:
        response = self.client_for(self.p.city_admin).post(
            LIST, self.payload(), content_type="application/json"
        )
        self.assertEqual(response.status_code, 201)
        worker = Worker.objects.get(pk=response.json()["id"])
        self.assertEqual(worker.user.mobile, "13600000009")
        self.assertTrue(worker.verified)
        self.assertEqual(worker.verified_by, self.p.city_admin)
        self.assertNotIn("password", response.json())

    def test_a_caregiver_cannot_create(self) -> None:
        response = self.client_for(self.p.caregiver).post(
            LIST, self.payload(), content_type="application/json"
        )
        self.assertEqual(response.status_code, 403)
        self.assertFalse(User.objects.filter(mobile="13600000009").exists())

    def test_bad_input_gets_400_and_saves_nothing(self) -> None:
        client = self.client_for(self.p.grassroots_admin)
        cases = [
            ("mobile", self.payload(mobile="123")),
            ("mobile", self.payload(mobile="13700000001")),
            ("employer", self.payload(employer=self.p.other_grassroots.pk)),
            ("employer", self.payload(employer="not-a-number")),
            ("member_number", self.payload(member_number="DL-0001")),
            ("password", self.payload(password="123")),
            ("real_name", self.payload(real_name=["a", "list"])),
            ("verified", self.payload(verified="perhaps")),
        ]
        before = User.objects.count()
        for field, payload in cases:
            response = client.post(LIST, payload, content_type="application/json")
            self.assertEqual(response.status_code, 400, field)
            self.assertIn(field, response.json(), field)
        self.assertEqual(User.objects.count(), before)

    def test_malformed_json_gets_400(self) -> None:
        client = self.client_for(self.p.grassroots_admin)
        for body in ("{not json", "[1, 2", '"just a string"', "null"):
            response = client.post(LIST, body, content_type="application/json")
            self.assertEqual(response.status_code, 400, body)
            response = client.post(
                verify(self.p.parent_worker), body, content_type="application/json"
            )
            self.assertEqual(response.status_code, 400, body)

    def test_an_admin_verifies_and_withdraws(self) -> None:
        other = Worker.objects.get(user=self.p.other_parent)
        client = self.client_for(self.p.outsider)
        body = client.post(verify(other), {}, content_type="application/json").json()
        self.assertTrue(body["verified"])
        self.assertEqual(body["verified_by"], self.p.outsider.pk)
        body = client.post(verify(other), {"verified": False}, content_type="application/json")
        self.assertFalse(body.json()["verified"])
        other.refresh_from_db()
        self.assertFalse(other.verified)

    def test_a_caregiver_or_reviewer_gets_403_on_verify(self) -> None:
        worker = self.p.parent_worker
        for user in (self.p.caregiver, self.p.reviewer, self.p.parent):
            response = self.client_for(user).post(
                verify(worker), {"verified": False}, content_type="application/json"
            )
            self.assertEqual(response.status_code, 403, user)
        worker.refresh_from_db()
        self.assertTrue(worker.verified)

    def test_put_and_delete_are_not_allowed(self) -> None:
        client = self.client_for(self.p.grassroots_admin)
        self.assertEqual(client.delete(detail(self.p.parent_worker)).status_code, 405)
        self.assertTrue(Worker.objects.filter(pk=self.p.parent_worker.pk).exists())
