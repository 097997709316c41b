"""AuditedModel: every create, update and delete lands in the log, attributed and located."""

from contextlib import AbstractContextManager
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory, override_settings
from django.urls import path

from tuoguan.accounts import services as people
from tuoguan.accounts.models import Child
from tuoguan.audit.context import acting_as, current
from tuoguan.audit.middleware import AuditContextMiddleware
from tuoguan.audit.models import AuditEntry
from tuoguan.orgs import services as orgs
from tuoguan.orgs.middleware import ActiveMembershipMiddleware
from tuoguan.testing import PersonaTestCase


def last_entry(instance: object, action: str) -> AuditEntry:
    return AuditEntry.objects.filter(
        model=instance._meta.label,  # type: ignore[attr-defined]
        object_id=str(instance.pk),  # type: ignore[attr-defined]
        action=action,
    ).latest("id")


def _verify_worker_view(request: HttpRequest) -> HttpResponse:
    """A stand-in writing page: the real pages live in later apps."""
    from tuoguan.accounts.models import Worker

    worker = Worker.objects.get(pk=request.POST["worker"])
    people.worker_verify(actor=request.actor, worker=worker, verified=False)  # type: ignore[attr-defined]
    return HttpResponse("ok")


urlpatterns = [path("verify/", _verify_worker_view)]


class AuditedWritesTest(PersonaTestCase):
    def acting(self, user: Any, ip: str = "10.1.2.3") -> AbstractContextManager[Any]:
        actor = self.p.actor(user)
        return acting_as(
            user_id=actor.user.pk,
            membership_id=actor.membership.pk,
            membership_label=str(actor.membership),
            ip=ip,
        )

    def test_a_create_is_recorded_with_actor_membership_and_ip(self) -> None:
        admin = self.p.actor(self.p.city_admin)
        with self.acting(self.p.city_admin):
            org = orgs.org_create(
                actor=admin,
                parent=self.p.county,
                name="新建基层工会",
                region_code="210202",
                kind="enterprise",
            )
        entry = last_entry(org, "create")
        self.assertEqual(entry.actor, self.p.city_admin)
        self.assertEqual(entry.membership_id, admin.membership.pk)
        self.assertEqual(entry.membership_label, str(admin.membership))
        self.assertEqual(entry.ip, "10.1.2.3")
        self.assertEqual(entry.org_path, org.path)
        self.assertEqual(entry.changed_fields, [])

    def test_an_update_lists_the_changed_field_names_only(self) -> None:
        admin = self.p.actor(self.p.city_admin)
        county = type(self.p.county).objects.get(pk=self.p.county.pk)
        with self.acting(self.p.city_admin):
            orgs.org_update(actor=admin, org=county, address="人民路 1 号")
        entry = last_entry(county, "update")
        self.assertEqual(entry.changed_fields, ["address"])
        self.assertNotIn("人民路", str(entry.changed_fields) + entry.object_repr + entry.reason)
        self.assertEqual(entry.actor, self.p.city_admin)

    def test_a_save_without_changes_writes_nothing(self) -> None:
        before = AuditEntry.objects.count()
        county = type(self.p.county).objects.get(pk=self.p.county.pk)
        county.save()
        self.assertEqual(AuditEntry.objects.count(), before)

    def test_a_secret_field_is_named_secret_and_never_valued(self) -> None:
        parent = self.p.actor(self.p.parent)
        child = Child.objects.get(pk=self.p.child_two.pk)
        with acting_as(user_id=self.p.parent.pk, ip="192.0.2.7"):
            people.child_update(actor=parent, child=child, id_number="210202201909011238")
        entry = last_entry(child, "update")
        self.assertIn("id_number_encrypted (secret)", entry.changed_fields)
        self.assertIn("id_number_index (secret)", entry.changed_fields)
        child.refresh_from_db()
        stored = " ".join([*entry.changed_fields, entry.object_repr, entry.reason])
        self.assertNotIn("210202201909011238", stored)
        self.assertNotIn(child.id_number_encrypted, stored)
        self.assertNotIn(child.id_number_index, stored)

    def test_a_delete_is_recorded_with_the_id_of_the_gone_row(self) -> None:
        parent = self.p.actor(self.p.parent)
        child = Child.objects.get(pk=self.p.child_two.pk)
        pk = child.pk
        with acting_as(user_id=self.p.parent.pk, ip="192.0.2.8"):
            people.child_delete(actor=parent, child=child)
        entry = AuditEntry.objects.filter(model="accounts.Child", object_id=str(pk)).latest("id")
        self.assertEqual(entry.action, AuditEntry.Action.DELETE)
        self.assertEqual(entry.actor, self.p.parent)
        self.assertEqual(entry.ip, "192.0.2.8")
        self.assertEqual(entry.org_path, self.p.grassroots.path)

    def test_a_change_made_elsewhere_is_not_claimed_after_a_refresh(self) -> None:
        mine = type(self.p.county).objects.get(pk=self.p.county.pk)
        type(self.p.county).objects.filter(pk=mine.pk).update(address="别人改的")
        mine.refresh_from_db()
        mine.contact_name = "张三"
        mine.save()
        self.assertEqual(last_entry(mine, "update").changed_fields, ["contact_name"])

    def test_saving_a_partly_loaded_row_does_not_fetch_the_other_fields(self) -> None:
        # __str__ and the org path are read for the entry; the other fields must not be.
        county = (
            type(self.p.county)
            .objects.only("id", "name", "short_name", "path")
            .get(pk=self.p.county.pk)
        )
        county.name = "中山区总工会（新）"
        with self.assertNumQueries(2):  # the UPDATE and the audit INSERT
            county.save(update_fields=["name"])
        self.assertEqual(last_entry(county, "update").changed_fields, ["name"])


class AuditMiddlewareTest(PersonaTestCase):
    def test_the_middleware_names_user_membership_and_ip_for_writes_in_the_request(self) -> None:
        request = RequestFactory().post("/anything/", REMOTE_ADDR="203.0.113.5")
        request.user = self.p.grassroots_admin
        request.session = {}  # type: ignore[assignment]
        seen = {}

        def view(req: HttpRequest) -> HttpResponse:
            seen["ctx"] = current()
            people.worker_verify(actor=req.actor, worker=self.p.parent_worker, verified=False)  # type: ignore[attr-defined]
            return HttpResponse("ok")

        ActiveMembershipMiddleware(AuditContextMiddleware(view))(request)
        membership = self.p.grassroots_admin.memberships.get()
        entry = last_entry(self.p.parent_worker, "update")
        self.assertEqual(entry.actor, self.p.grassroots_admin)
        self.assertEqual(entry.membership_id, membership.pk)
        self.assertEqual(entry.membership_label, str(membership))
        self.assertEqual(entry.ip, "203.0.113.5")
        self.assertIn("verified", entry.changed_fields)
        # Outside the request, the context is empty again.
        self.assertIsNone(current().user_id)
        self.assertEqual(seen["ctx"].ip, "203.0.113.5")

    def test_the_ip_comes_from_remote_addr_not_a_forwarded_header(self) -> None:
        request = RequestFactory().get(
            "/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.1"
        )
        request.user = self.p.grassroots_admin
        request.session = {}  # type: ignore[assignment]
        seen = {}

        def view(req: HttpRequest) -> HttpResponse:
            seen["ip"] = current().ip
            return HttpResponse("ok")

        ActiveMembershipMiddleware(AuditContextMiddleware(view))(request)
        self.assertEqual(seen["ip"], "203.0.113.9")

    @override_settings(ROOT_URLCONF=__name__)
    def test_a_real_request_through_the_whole_stack_is_attributed(self) -> None:
        client = self.client_for(self.p.grassroots_admin)
        response = client.post(
            "/verify/", {"worker": self.p.parent_worker.pk}, REMOTE_ADDR="198.51.100.23"
        )
        self.assertEqual(response.status_code, 200)
        entry = last_entry(self.p.parent_worker, "update")
        self.assertEqual(entry.actor, self.p.grassroots_admin)
        self.assertEqual(entry.ip, "198.51.100.23")
        self.assertEqual(entry.membership_label, str(self.p.grassroots_admin.memberships.get()))


class AuditedPageRequestTest(PersonaTestCase):
    def test_withdrawing_a_verification_on_the_worker_page_is_attributed(self) -> None:
        from django.urls import reverse

        url = reverse("accounts:worker_verify", kwargs={"pk": self.p.parent_worker.pk})
        client = self.client_for(self.p.grassroots_admin)
        response = client.post(url, {"verified": "0"}, REMOTE_ADDR="198.51.100.77")
        self.assertEqual(response.status_code, 302)
        entry = last_entry(self.p.parent_worker, "update")
        self.assertEqual(entry.actor, self.p.grassroots_admin)
        self.assertEqual(entry.ip, "198.51.100.77")
        self.assertEqual(entry.membership_label, str(self.p.grassroots_admin.memberships.get()))
        self.assertIn("verified", entry.changed_fields)
        self.assertEqual(entry.org_path, self.p.grassroots.path)


class InsertRowTest(PersonaTestCase):
    """AuditedModel.insert_row: the prepared INSERT of hot paths logs as save() does."""

    def test_insert_row_writes_the_row_and_the_same_entry_as_save(self) -> None:
        def entry_for(child: Child) -> Any:
            return (
                AuditEntry.objects.filter(model="accounts.Child", object_id=str(child.pk))
                .values("action", "actor_id", "object_repr", "org_path", "changed_fields")
                .get()
            )

        template = {
            "guardian": self.p.parent_worker,
            "relationship": self.p.child_one.relationship,
            "sex": "F",
            "birth_date": self.p.child_one.birth_date,
        }
        with acting_as(user_id=self.p.parent.pk):
            saved = Child(name="存一", **template)
            saved.save()
            inserted = Child(name="存二", **template)
            inserted.insert_row()
        self.assertIsNotNone(inserted.pk)
        self.assertEqual(Child.objects.get(pk=inserted.pk).name, "存二")
        first, second = entry_for(saved), entry_for(inserted)
        self.assertEqual(second["action"], "create")
        self.assertEqual(second["object_repr"], "存二")
        self.assertEqual(
            {k: v for k, v in first.items() if k != "object_repr"},
            {k: v for k, v in second.items() if k != "object_repr"},
        )
