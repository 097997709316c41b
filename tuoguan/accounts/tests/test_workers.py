from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tuoguan.accounts import services
from tuoguan.accounts.models import User, Worker
from tuoguan.testing import PersonaTestCase

LIST = reverse("accounts:worker_list")
CREATE = reverse("accounts:worker_create")


class English(PersonaTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    def client_for(self, user: object) -> Client:
        client = super().client_for(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client


def add_workers(employer: object, count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        user = services.user_create(
            username=f"w{n}", real_name=f"Worker {n}", password=None, mobile=f"1350000{n:04d}"
        )
        services.worker_create(user=user, employer=employer, member_number=f"M{n}")  # type: ignore[arg-type]


class WorkerListTests(English):
    def test_anonymous_is_sent_to_login(self) -> None:
        response = self.client.get(LIST)
        self.assertRedirects(response, f"{reverse('accounts:login')}?next={LIST}")

    def test_an_admin_sees_the_workers_of_their_subtree_only(self) -> None:
        response = self.client_for(self.p.grassroots_admin).get(LIST)
        workers = list(response.context["page"].object_list)
        self.assertEqual(workers, [self.p.parent_worker])

    def test_the_outsider_does_not_see_our_workers(self) -> None:
        response = self.client_for(self.p.outsider).get(LIST)
        workers = list(response.context["page"].object_list)
        self.assertIn(Worker.objects.get(user=self.p.other_parent), workers)
        self.assertNotIn(self.p.parent_worker, workers)
        self.assertNotContains(response, "王家长")

    def test_a_caregiver_or_a_parent_gets_403(self) -> None:
        for user in (self.p.caregiver, self.p.parent):
            self.assertEqual(self.client_for(user).get(LIST).status_code, 403)

    def test_a_reviewer_reads_the_roster(self) -> None:
        response = self.client_for(self.p.reviewer).get(LIST)
        self.assertEqual(list(response.context["page"].object_list), [self.p.parent_worker])

    def test_filters_by_verification_search_and_subtree(self) -> None:
        add_workers(self.p.other_grassroots, 2)
        client = self.client_for(self.p.city_admin)

        def names(**params: str) -> set[str]:
            page = client.get(LIST, params).context["page"]
            return {w.user.real_name for w in page.object_list}

        self.assertEqual(names(), {"王家长", "Worker 0", "Worker 1"})
        self.assertEqual(names(verified="yes"), {"王家长"})
        self.assertEqual(names(verified="no"), {"Worker 0", "Worker 1"})
        self.assertEqual(names(q="M1"), {"Worker 1"})
        self.assertEqual(names(q="1370000"), {"王家长"})
        self.assertEqual(names(q="Worker 0"), {"Worker 0"})
        self.assertEqual(names(org=str(self.p.other_grassroots.pk)), {"Worker 0", "Worker 1"})
        self.assertEqual(names(org=str(self.p.county.pk)), {"王家长", "Worker 0", "Worker 1"})

    def test_an_org_outside_the_subtree_filters_nothing_in(self) -> None:
        response = self.client_for(self.p.grassroots_admin).get(
            LIST, {"org": self.p.other_grassroots_far.pk}
        )
        self.assertTrue(response.context["form"].has_error("org"))
        self.assertNotContains(response, "李家长")

    def test_the_org_menu_leaves_out_other_grassroots_unions(self) -> None:
        response = self.client_for(self.p.city_admin).get(LIST)
        menu = dict(response.context["form"].fields["org"].widget.choices)
        self.assertIn(self.p.county.pk, menu)
        self.assertNotIn(self.p.grassroots.pk, menu)

    def test_htmx_gets_the_table_only(self) -> None:
        response = self.client_for(self.p.grassroots_admin).get(LIST, HTTP_HX_REQUEST="true")
        self.assertTemplateUsed(response, "accounts/_worker_table.html")
        self.assertTemplateNotUsed(response, "base.html")

    def _queries(self, client: Client) -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(LIST)
        self.assertEqual(response.status_code, 200)
        return len(ctx.captured_queries)

    def test_the_query_count_does_not_grow_with_the_rows(self) -> None:
        client = self.client_for(self.p.city_admin)
        add_workers(self.p.other_grassroots, 10)
        few = self._queries(client)
        add_workers(self.p.other_grassroots, 90, start=10)
        many = self._queries(client)
        self.assertEqual(few, many)
        self.assertLessEqual(many, 12)

    def test_the_list_is_paginated_by_50(self) -> None:
        add_workers(self.p.other_grassroots, 60)
        response = self.client_for(self.p.city_admin).get(LIST, {"page": 2})
        self.assertEqual(len(response.context["page"].object_list), 11)


class WorkerDetailTests(English):
    def url(self, worker: Worker) -> str:
        return reverse("accounts:worker_detail", args=[worker.pk])

    def test_the_profile_lists_the_children_by_name_with_links(self) -> None:
        response = self.client_for(self.p.grassroots_admin).get(self.url(self.p.parent_worker))
        self.assertContains(response, "13700000001")
        self.assertContains(response, "王小一")
        self.assertContains(
            response, reverse("accounts:child_detail", kwargs={"pk": self.p.child_one.pk})
        )
        self.assertNotContains(response, "210202201703051239")
        self.assertNotContains(response, "2017-03-05")

    def test_the_outsider_gets_404(self) -> None:
        response = self.client_for(self.p.outsider).get(self.url(self.p.parent_worker))
        self.assertEqual(response.status_code, 404)

    def test_anonymous_is_sent_to_login(self) -> None:
        self.assertEqual(self.client.get(self.url(self.p.parent_worker)).status_code, 302)

    def test_a_worker_reads_their_own_profile(self) -> None:
        response = self.client_for(self.p.parent).get(self.url(self.p.parent_worker))
        self.assertEqual(response.status_code, 200)
        self.assertFalse(response.context["can_verify"])


class WorkerVerifyTests(English):
    def setUp(self) -> None:
        super().setUp()
        self.worker = Worker.objects.get(user=self.p.other_parent)
        self.url = reverse("accounts:worker_verify", args=[self.worker.pk])

    def test_an_admin_covering_the_employer_verifies(self) -> None:
        response = self.client_for(self.p.outsider).post(self.url)
        self.assertRedirects(
            response,
            reverse("accounts:worker_detail", args=[self.worker.pk]),
            target_status_code=200,
        )
        self.worker.refresh_from_db()
        self.assertTrue(self.worker.verified)
        self.assertEqual(self.worker.verified_by, self.p.outsider)
        self.assertIsNotNone(self.worker.verified_at)

    def test_an_admin_withdraws_a_verification(self) -> None:
        url = reverse("accounts:worker_verify", args=[self.p.parent_worker.pk])
        response = self.client_for(self.p.city_admin).post(
            url, {"verified": "0"}, HTTP_HX_REQUEST="true"
        )
        self.assertTemplateUsed(response, "accounts/_worker_verify.html")
        self.p.parent_worker.refresh_from_db()
        self.assertFalse(self.p.parent_worker.verified)
        self.assertIsNone(self.p.parent_worker.verified_by)

    def test_a_reviewer_who_sees_the_worker_gets_403(self) -> None:
        url = reverse("accounts:worker_verify", args=[self.p.parent_worker.pk])
        self.assertEqual(
            self.client_for(self.p.reviewer).post(url, {"verified": "0"}).status_code, 403
        )
        self.p.parent_worker.refresh_from_db()
        self.assertTrue(self.p.parent_worker.verified)

    def test_a_caregiver_gets_403_and_the_outsider_404(self) -> None:
        url = reverse("accounts:worker_verify", args=[self.p.parent_worker.pk])
        worker = self.p.parent_worker
        services.worker_verify(
            actor=self.p.actor(self.p.grassroots_admin), worker=worker, verified=False
        )
        self.assertEqual(self.client_for(self.p.caregiver).post(url).status_code, 403)
        self.assertEqual(self.client_for(self.p.outsider).post(url).status_code, 404)
        worker.refresh_from_db()
        self.assertFalse(worker.verified)

    def test_the_worker_cannot_verify_themselves(self) -> None:
        services.worker_verify(
            actor=self.p.actor(self.p.grassroots_admin), worker=self.p.parent_worker, verified=False
        )
        url = reverse("accounts:worker_verify", args=[self.p.parent_worker.pk])
        self.assertEqual(self.client_for(self.p.parent).post(url).status_code, 403)

    def test_verify_is_post_only(self) -> None:
        self.assertEqual(self.client_for(self.p.outsider).get(self.url).status_code, 405)


class WorkerCreateTests(English):
    def data(self, **overrides: object) -> dict[str, object]:
        return {
            "real_name": "赵职工",
            "mobile": "13600000009",
            "member_number": "DL-0099",
            "employer": self.p.grassroots.pk,
            "password": "",
            "verified": "on",
            **overrides,
        }

    def test_an_admin_registers_a_verified_worker(self) -> None:
        response = self.client_for(self.p.city_admin).post(CREATE, self.data())
        worker = Worker.objects.get(user__mobile="13600000009")
        self.assertRedirects(response, reverse("accounts:worker_detail", args=[worker.pk]))
        self.assertEqual(worker.employer, self.p.grassroots)
        self.assertTrue(worker.verified)
        self.assertEqual(worker.verified_by, self.p.city_admin)
        self.assertFalse(worker.user.has_usable_password())
        self.assertEqual(worker.user.real_name, "赵职工")

    def test_an_initial_password_is_set_when_given(self) -> None:
        self.client_for(self.p.city_admin).post(CREATE, self.data(password="Green-Tea-Garden-8"))
        user = User.objects.get(mobile="13600000009")
        self.assertTrue(user.check_password("Green-Tea-Garden-8"))

    def test_bad_input_saves_nothing(self) -> None:
        client = self.client_for(self.p.grassroots_admin)
        cases = [
            ("mobile", self.data(mobile="12345")),
            ("mobile", self.data(mobile="13700000001")),  # already an account
            ("employer", self.data(employer=self.p.other_grassroots.pk)),  # outside subtree
            ("employer", self.data(employer=self.p.county.pk)),
            ("member_number", self.data(mobile="13600000008", member_number="DL-0001")),
            ("password", self.data(password="123")),
            ("real_name", self.data(real_name="")),
        ]
        before = User.objects.count()
        for field, data in cases:
            response = client.post(CREATE, data)
            self.assertEqual(response.status_code, 200, field)
            self.assertTrue(response.context["form"].has_error(field), field)
        self.assertEqual(User.objects.count(), before)

    def test_a_caregiver_gets_403(self) -> None:
        self.assertEqual(self.client_for(self.p.caregiver).get(CREATE).status_code, 403)
        self.assertEqual(
            self.client_for(self.p.caregiver).post(CREATE, self.data()).status_code, 403
        )
        self.assertFalse(User.objects.filter(mobile="13600000009").exists())

    def test_the_outsider_cannot_register_into_our_union(self) -> None:
        response = self.client_for(self.p.outsider).post(CREATE, self.data())
        self.assertTrue(response.context["form"].has_error("employer"))
        self.assertFalse(User.objects.filter(mobile="13600000009").exists())

    def test_anonymous_is_sent_to_login(self) -> None:
        self.assertEqual(self.client.get(CREATE).status_code, 302)
