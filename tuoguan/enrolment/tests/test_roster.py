"""The roster of a term: statuses, paperwork columns, filters, access, reminders, acts."""

from typing import Any
from unittest import mock

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tuoguan.core.models import Job
from tuoguan.enrolment.models import Draw, Enrolment, EnrolmentStatus
from tuoguan.enrolment.services import roster as rosters
from tuoguan.notifications.models import Notification
from tuoguan.programs.models import EnrolMode
from tuoguan.testing import PersonaTestCase

from .allocation_support import apply, close_window, family, open_term
from .paperwork_support import complete
from .roster_helpers import seat_many

S = EnrolmentStatus


def roster_url(term: Any, name: str = "roster") -> str:
    return reverse(f"enrolment:{name}", args=[term.pk])


def act_url(name: str, enrolment: Enrolment) -> str:
    return reverse(f"enrolment:{name}", args=[enrolment.term_id, enrolment.pk])


class RosterTestCase(PersonaTestCase):
    def client_for(self, user: Any) -> Client:
        client = super().client_for(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client


class RosterAccessTests(RosterTestCase):
    def test_anonymous_is_sent_to_login(self) -> None:
        term = open_term(self.p)
        for address in (
            roster_url(term),
            roster_url(term, "roster_export"),
            reverse("enrolment:roster_terms"),
        ):
            response = Client().get(address)
            self.assertEqual(response.status_code, 302)
            self.assertIn(reverse("accounts:login"), response["Location"])

    def test_outsider_gets_404(self) -> None:
        term = open_term(self.p)
        enrolment = apply(self.p, term)
        client = self.client_for(self.p.outsider)
        for address in (
            roster_url(term),
            roster_url(term, "roster_export"),
            roster_url(term, "roster_import"),
            act_url("roster_remove", enrolment),
        ):
            self.assertEqual(client.get(address).status_code, 404, address)
        self.assertEqual(client.post(roster_url(term, "roster_remind")).status_code, 404)
        self.assertNotContains(client.get(reverse("enrolment:roster_terms")), term.name)

    def test_a_parent_cannot_read_the_roster(self) -> None:
        term = open_term(self.p)
        apply(self.p, term)
        self.assertEqual(self.client_for(self.p.parent).get(roster_url(term)).status_code, 404)

    def test_a_caregiver_reads_the_roster_but_cannot_act(self) -> None:
        term = open_term(self.p, capacity=1)
        apply(self.p, term, self.p.child_one)
        waiting = apply(self.p, term, self.p.child_two)
        client = self.client_for(self.p.caregiver)
        response = client.get(roster_url(term))
        self.assertContains(response, self.p.child_one.name)
        self.assertFalse(response.context["can_manage"])
        self.assertNotContains(response, act_url("roster_admit", waiting))
        for name in ("roster_admit", "roster_remove"):
            self.assertEqual(client.get(act_url(name, waiting)).status_code, 403)
            self.assertEqual(client.post(act_url(name, waiting), {"reason": "x"}).status_code, 403)
        for name in ("roster_remind", "roster_draw"):
            self.assertEqual(client.post(roster_url(term, name)).status_code, 403)
        self.assertEqual(client.get(roster_url(term, "roster_export")).status_code, 403)
        self.assertEqual(client.get(roster_url(term, "roster_import")).status_code, 403)
        self.assertEqual(Enrolment.objects.get(pk=waiting.pk).status, S.WAITLISTED)

    def test_an_enrolment_of_another_term_is_a_404_on_this_roster(self) -> None:
        term, other = open_term(self.p), open_term(self.p)
        enrolment = apply(self.p, other)
        client = self.client_for(self.p.grassroots_admin)
        address = reverse("enrolment:roster_remove", args=[term.pk, enrolment.pk])
        self.assertEqual(client.get(address).status_code, 404)


class RosterPageTests(RosterTestCase):
    def test_each_child_has_a_status_and_a_column_per_paperwork_item(self) -> None:
        term = open_term(self.p, capacity=1)
        seated = apply(self.p, term, self.p.child_one)
        apply(self.p, term, self.p.child_two)
        response = self.client_for(self.p.grassroots_admin).get(roster_url(term))
        rows = {row.enrolment.pk: row for row in response.context["rows"]}
        cells = {cell.key: cell.done for cell in rows[seated.pk].cells}
        self.assertTrue(cells["consent"])
        self.assertFalse(cells["insurance"])
        self.assertIsNone(cells["risk_notice"])  # the class has no risk notice
        self.assertEqual(rows[seated.pk + 1].waitlist_position, 1)
        html = response.content.decode()
        self.assertRegex(
            html, r'class="status-ok"><svg class="icon icon-circle-check[^>]*>.*?</svg>done'
        )
        self.assertRegex(
            html, r'class="status-err"[^>]*><svg class="icon icon-circle-x[^>]*>.*?</svg>missing'
        )
        self.assertContains(response, "Admit…")

    def test_filters_by_status_group_and_missing_item(self) -> None:
        term = open_term(
            self.p,
            capacity=3,
            groups=(
                {"name": "一年级", "grade_min": 1, "grade_max": 1, "capacity": 2},
                {"name": "三年级", "grade_min": 3, "grade_max": 3, "capacity": 1},
            ),
        )
        one = apply(self.p, term, self.p.child_one)  # grade 3
        two = apply(self.p, term, self.p.child_two)  # grade 1
        late = apply(self.p, term, family(self.p, 3, grade=3)[2])
        complete(one)
        client = self.client_for(self.p.grassroots_admin)

        def listed(**params: Any) -> set[int]:
            response = client.get(roster_url(term), params)
            return {row.enrolment.pk for row in response.context["rows"]}

        self.assertEqual(listed(), {one.pk, two.pk, late.pk})
        self.assertEqual(listed(status="waitlisted"), {late.pk})
        self.assertEqual(listed(group=two.group_id), {two.pk})
        self.assertEqual(listed(missing="any"), {two.pk})
        self.assertEqual(listed(missing="insurance"), {two.pk})
        self.assertEqual(listed(status="nonsense"), {one.pk, two.pk, late.pk})
        fragment = client.get(roster_url(term), {"status": "waitlisted"}, HTTP_HX_REQUEST="true")
        self.assertTemplateUsed(fragment, "enrolment/_roster_table.html")

    def test_the_roster_takes_the_same_queries_for_5_or_100_enrolments(self) -> None:
        term = open_term(self.p, capacity=300)
        client = self.client_for(self.p.grassroots_admin)
        seat_many(self.p, term, 3, start=1)  # 6 rows
        client.get(roster_url(term))  # warm the session and the seat pools
        with CaptureQueriesContext(connection) as small:
            client.get(roster_url(term))
        seat_many(self.p, term, 47, start=100)  # 100 rows
        with CaptureQueriesContext(connection) as large:
            response = client.get(roster_url(term))
        self.assertEqual(response.context["page"].paginator.count, 100)
        self.assertEqual(len(response.context["rows"]), 50)
        # A prepared statement (core.rawsql) is captured without its text: show both lists.
        shown = [
            [(q["sql"] or "(prepared)")[:120] for q in c.captured_queries] for c in (small, large)
        ]
        self.assertEqual(len(small), len(large), shown)
        self.assertLess(len(large), 30)

    def test_the_terms_index_links_each_roster(self) -> None:
        term = open_term(self.p)
        response = self.client_for(self.p.grassroots_admin).get(reverse("enrolment:roster_terms"))
        self.assertContains(response, roster_url(term))


class RosterActTests(RosterTestCase):
    def test_an_admin_admits_by_hand_with_a_reason_never_beyond_capacity(self) -> None:
        term = open_term(self.p, mode=EnrolMode.LOTTERY, capacity=1)
        first = apply(self.p, term, self.p.child_one)
        second = apply(self.p, term, self.p.child_two)
        client = self.client_for(self.p.grassroots_admin)
        self.assertContains(client.get(act_url("roster_admit", first)), "Admit 王小一 by hand")
        empty = client.post(act_url("roster_admit", first), {"reason": "  "})
        self.assertEqual(empty.status_code, 400)
        self.assertIn("reason", empty.context["form"].errors)
        self.assertEqual(Enrolment.objects.get(pk=first.pk).status, S.APPLIED)
        response = client.post(act_url("roster_admit", first), {"reason": "医护人员子女，已核实"})
        self.assertRedirects(response, roster_url(term))
        first.refresh_from_db()
        self.assertEqual((first.status, first.reason), (S.ADMITTED, "医护人员子女，已核实"))
        full = client.post(act_url("roster_admit", second), {"reason": "也想入托"})
        self.assertEqual(full.status_code, 400)
        self.assertContains(full, "No free place", status_code=400)
        self.assertEqual(Enrolment.objects.get(pk=second.pk).status, S.APPLIED)

    def test_an_admin_removes_with_a_reason_and_the_family_is_told(self) -> None:
        term = open_term(self.p, capacity=2)
        seated = apply(self.p, term, self.p.child_one)
        client = self.client_for(self.p.grassroots_admin)
        with self.captureOnCommitCallbacks(execute=True):
            response = client.post(act_url("roster_remove", seated), {"reason": "重复报名"})
        self.assertRedirects(response, roster_url(term))
        seated.refresh_from_db()
        self.assertEqual((seated.status, seated.reason), (S.REMOVED, "重复报名"))
        self.assertTrue(
            Notification.objects.filter(recipient=self.p.parent, body__contains="重复报名")
        )

    def test_reminders_go_to_families_with_missing_items_only(self) -> None:
        term = open_term(self.p, capacity=3)
        done = apply(self.p, term, self.p.child_one)
        complete(done)
        apply(self.p, term, self.p.child_two)
        user, _w, child = family(self.p, 9)
        apply(self.p, term, child)
        Notification.objects.all().delete()
        response = self.client_for(self.p.grassroots_admin).post(roster_url(term, "roster_remind"))
        self.assertRedirects(response, roster_url(term))
        reminded = Notification.objects.filter(subject__startswith="Paperwork missing")
        self.assertEqual({n.recipient_id for n in reminded}, {self.p.parent.pk, user.pk})
        self.assertEqual(reminded.count(), 2)

    def test_many_reminders_run_as_a_job_with_progress(self) -> None:
        term = open_term(self.p, capacity=300)
        seat_many(self.p, term, 4, start=1)
        client = self.client_for(self.p.grassroots_admin)
        with (
            mock.patch.object(rosters, "BACKGROUND_THRESHOLD", 2),
            self.captureOnCommitCallbacks(execute=True),
        ):
            response = client.post(roster_url(term, "roster_remind"))
        job = Job.objects.get(kind="roster_remind")
        self.assertRedirects(response, reverse("core:job", args=[job.pk]))
        job.refresh_from_db()
        self.assertEqual(job.status, Job.Status.DONE, job.error)
        self.assertEqual((job.done, job.total, job.result["sent"]), (4, 4, 4))
        self.assertEqual(
            Notification.objects.filter(subject__startswith="Paperwork missing").count(), 4
        )

    def test_the_draw_button_starts_the_draw_and_shows_its_progress(self) -> None:
        term = open_term(self.p, mode=EnrolMode.LOTTERY, capacity=1)
        apply(self.p, term, self.p.child_one)
        apply(self.p, term, self.p.child_two)
        client = self.client_for(self.p.grassroots_admin)
        early = client.post(roster_url(term, "roster_draw"), follow=True)
        self.assertContains(early, "runs after applications close")
        self.assertFalse(Draw.objects.exists())
        term = close_window(term)
        with self.captureOnCommitCallbacks(execute=True):
            response = client.post(roster_url(term, "roster_draw"), {"seed": "公开种子"})
        draw = Draw.objects.get(term=term)
        self.assertRedirects(
            response, reverse("core:job", args=[draw.job_id]), fetch_redirect_response=False
        )
        self.assertEqual(draw.seed, "公开种子")
        statuses = sorted(Enrolment.objects.filter(term=term).values_list("status", flat=True))
        self.assertEqual(statuses, [S.ADMITTED, S.WAITLISTED])
