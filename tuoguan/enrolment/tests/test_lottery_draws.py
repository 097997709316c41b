"""Running a draw: published inputs and seed, the outcome applied, re-draws audited."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from tuoguan.audit.models import AuditEntry
from tuoguan.core.models import Job
from tuoguan.enrolment.models import Draw, Enrolment, EnrolmentStatus, Offer, SeatPool
from tuoguan.enrolment.services import (
    draw_run,
    draw_verify,
    draws_run,
    enrolment_withdraw,
    offer_accept,
)
from tuoguan.enrolment.services.lottery import canonical_digest
from tuoguan.notifications.models import Notification
from tuoguan.programs.models import EnrolMode, Term
from tuoguan.testing import PersonaTestCase

from .allocation_support import actor, apply, close_window, family, open_term

S = EnrolmentStatus


class DrawTestCase(PersonaTestCase):
    def lottery_term(self, capacity: int = 2, **overrides: Any) -> Term:
        return open_term(self.p, mode=EnrolMode.LOTTERY, capacity=capacity, **overrides)

    def run_draw(self, term: Term, **kwargs: Any) -> Draw:
        with self.captureOnCommitCallbacks(execute=True):
            draw = draw_run(actor=actor(self.p.grassroots_admin), term=term, **kwargs)  # type: ignore[arg-type]
        return Draw.objects.get(pk=draw.pk)

    def statuses(self, *enrolments: Enrolment) -> list[str]:
        return [Enrolment.objects.get(pk=e.pk).status for e in enrolments]

    def taken(self, term: Term) -> int:
        return SeatPool.objects.get(term=term, group=None).taken


class DrawRunTest(DrawTestCase):
    def setUp(self) -> None:
        self.term = self.lottery_term(capacity=2)
        self.others = [apply(self.p, self.term, family(self.p, n)[2]) for n in range(3)]
        self.priority = apply(self.p, self.term, priority_groups=["dual_worker"])
        self.term = close_window(self.term)

    def test_the_draw_admits_the_priority_tier_first_and_waitlists_the_rest_in_order(self) -> None:
        draw = self.run_draw(self.term)
        self.assertEqual(draw.status, Draw.Status.DONE)
        self.assertEqual(Enrolment.objects.get(pk=self.priority.pk).status, S.ADMITTED)
        rows = Enrolment.objects.filter(term=self.term)
        self.assertEqual(rows.filter(status=S.ADMITTED).count(), 2)
        waiting = list(rows.filter(status=S.WAITLISTED).order_by("waitlist_rank"))
        self.assertEqual([e.pk for e in waiting], draw.outcome["waitlist"])
        self.assertEqual([e.waitlist_rank for e in waiting], [1, 2])
        self.assertEqual(self.taken(self.term), 2)

    def test_the_inputs_seed_and_digest_are_published(self) -> None:
        draw = self.run_draw(self.term, seed="公证处2026")
        self.assertEqual(draw.seed, "公证处2026")
        self.assertEqual(draw.inputs_digest, canonical_digest(draw.inputs))
        ids = sorted(a[0] for a in draw.inputs["applicants"])
        self.assertEqual(ids, sorted(e.pk for e in [*self.others, self.priority]))
        self.assertEqual(draw.inputs["seats"], 2)
        self.assertTrue(draw_verify(draw))

    def test_a_random_seed_is_chosen_when_none_is_given(self) -> None:
        draw = self.run_draw(self.term)
        self.assertEqual(len(draw.seed), 32)

    def test_the_job_shows_the_progress_and_links_the_result(self) -> None:
        draw = self.run_draw(self.term)
        job = Job.objects.get(pk=draw.job.pk if draw.job else 0)
        self.assertEqual((job.status, job.percent, job.kind), (Job.Status.DONE, 100, "draw"))
        self.assertEqual(job.result["url"], f"/enrolment/draws/{draw.pk}/")

    def test_every_applicant_hears_the_result(self) -> None:
        with translation.override("en"):
            self.run_draw(self.term)
        for enrolment in [*self.others, self.priority]:
            subjects = Notification.objects.filter(recipient=enrolment.guardian.user).values_list(
                "subject", flat=True
            )
            self.assertTrue(
                any(s.startswith(("Admitted", "On the waitlist")) for s in subjects), subjects
            )

    def test_the_draw_is_audited(self) -> None:
        draw = self.run_draw(self.term)
        self.assertTrue(
            AuditEntry.objects.filter(
                model="enrolment.Draw", object_id=str(draw.pk), action="create"
            ).exists()
        )

    def test_a_second_draw_needs_a_reason_and_supersedes_the_first(self) -> None:
        first = self.run_draw(self.term)
        with self.assertRaises(ValidationError) as caught:
            draw_run(actor=actor(self.p.grassroots_admin), term=self.term)
        self.assertIn("reason", caught.exception.message_dict)
        second = self.run_draw(self.term, reason="公证员未到场，重新抽签")
        self.assertEqual(Draw.objects.get(pk=first.pk).status, Draw.Status.SUPERSEDED)
        self.assertEqual(
            (second.status, second.reason), (Draw.Status.DONE, "公证员未到场，重新抽签")
        )
        self.assertTrue(
            AuditEntry.objects.filter(
                model="enrolment.Draw", object_id=str(first.pk), reason="公证员未到场，重新抽签"
            ).exists()
        )
        self.assertEqual(Enrolment.objects.filter(term=self.term, status=S.ADMITTED).count(), 2)
        self.assertEqual(self.taken(self.term), 2)
        self.assertTrue(draw_verify(second))

    def test_the_database_allows_one_live_draw_per_term(self) -> None:
        first = self.run_draw(self.term)
        with self.assertRaises(IntegrityError), transaction.atomic():
            Draw.objects.create(term=self.term, seed="x", run_by=self.p.grassroots_admin)
        self.assertEqual(Draw.objects.filter(term=self.term).count(), 1)
        self.assertEqual(first.status, Draw.Status.DONE)

    def test_a_withdrawal_before_the_draw_is_applied_leaves_no_seat_unsold(self) -> None:
        with self.captureOnCommitCallbacks() as callbacks:
            draw = draw_run(actor=actor(self.p.grassroots_admin), term=self.term, seed="s")
        admitted_id = None
        from tuoguan.enrolment.services.lottery import DrawInputs
        from tuoguan.enrolment.services.lottery import draw as compute

        admitted_id = compute(DrawInputs.from_json(draw.inputs), "s").admitted[0][0]
        leaving = Enrolment.objects.get(pk=admitted_id)
        enrolment_withdraw(actor=actor(leaving.guardian.user), enrolment=leaving)
        with self.captureOnCommitCallbacks(execute=True):
            for callback in callbacks:
                callback()
        self.assertEqual(Enrolment.objects.filter(term=self.term, status=S.ADMITTED).count(), 1)
        self.assertEqual(Enrolment.objects.filter(term=self.term, status=S.OFFERED).count(), 1)
        self.assertEqual(self.taken(self.term), 2)

    def test_after_the_draw_a_freed_seat_is_offered_to_the_waitlist(self) -> None:
        draw = self.run_draw(self.term)
        leaving = Enrolment.objects.get(pk=draw.outcome["admitted"][0][0])
        enrolment_withdraw(actor=actor(leaving.guardian.user), enrolment=leaving)
        first_waiting = Enrolment.objects.get(pk=draw.outcome["waitlist"][0])
        self.assertEqual(first_waiting.status, S.OFFERED)
        offer_accept(actor=actor(first_waiting.guardian.user), enrolment=first_waiting)
        self.assertEqual(Offer.objects.filter(status=Offer.Status.OPEN).count(), 0)
        self.assertEqual(self.taken(self.term), 2)


class DrawRefusalTest(DrawTestCase):
    def test_the_draw_waits_for_the_window_to_close(self) -> None:
        term = self.lottery_term()
        apply(self.p, term)
        with self.assertRaises(ValidationError):
            draw_run(actor=actor(self.p.grassroots_admin), term=term)
        self.assertFalse(Draw.objects.exists())

    def test_a_first_come_term_has_no_draw(self) -> None:
        term = close_window(open_term(self.p))
        with self.assertRaises(ValidationError):
            draw_run(actor=actor(self.p.grassroots_admin), term=term)

    def test_only_the_host_union_runs_the_draw(self) -> None:
        term = close_window(self.lottery_term())
        for user in (self.p.caregiver, self.p.outsider, self.p.parent):
            with self.assertRaises(PermissionDenied):
                draw_run(actor=actor(user), term=term)
        self.assertFalse(Draw.objects.exists())

    def test_a_bad_seed_is_refused(self) -> None:
        term = close_window(self.lottery_term())
        with self.assertRaises(ValidationError):
            draw_run(actor=actor(self.p.grassroots_admin), term=term, seed="x" * 65)


class DrawGroupsAndSiblingsTest(DrawTestCase):
    def test_siblings_kept_together_share_one_draw_and_one_fate(self) -> None:
        term = self.lottery_term(capacity=3)
        pair = [
            apply(self.p, term, child, sibling_key="王家", keep_together=True)
            for child in (self.p.child_one, self.p.child_two)
        ]
        singles = [apply(self.p, term, family(self.p, n)[2]) for n in range(3)]
        draw = self.run_draw(close_window(term))
        labels = {a[0]: a[3] for a in draw.inputs["applicants"]}
        self.assertEqual({labels[e.pk] for e in pair}, {"s1"})
        self.assertTrue(all(labels[e.pk] == "" for e in singles))
        self.assertEqual(len(set(self.statuses(*pair))), 1)
        self.assertNotIn("王家", str(draw.inputs))

    def test_group_capacities_are_respected_and_counted(self) -> None:
        term = self.lottery_term(
            capacity=3,
            groups=(
                {"name": "低年级", "grade_min": 1, "grade_max": 2, "capacity": 1},
                {"name": "高年级", "grade_min": 3, "grade_max": 6, "capacity": 2},
            ),
        )
        young = [
            apply(
                self.p, term, family(self.p, n, grade=1, birth_date=self.p.child_two.birth_date)[2]
            )
            for n in range(3)
        ]
        old = [apply(self.p, term, family(self.p, 10 + n, grade=4)[2]) for n in range(3)]
        self.run_draw(close_window(term))
        admitted = Enrolment.objects.filter(term=term, status=S.ADMITTED)
        self.assertEqual(admitted.filter(pk__in=[e.pk for e in young]).count(), 1)
        self.assertEqual(admitted.filter(pk__in=[e.pk for e in old]).count(), 2)
        for pool in SeatPool.objects.filter(term=term, group__isnull=False):
            self.assertEqual(pool.taken, admitted.filter(group=pool.group).count())
            self.assertLessEqual(pool.taken, pool.capacity)

    def test_many_terms_are_drawn_in_one_job(self) -> None:
        terms = []
        for n in range(3):
            term = self.lottery_term(capacity=1)
            for k in range(2):
                apply(self.p, term, family(self.p, 10 * n + k)[2])
            terms.append(close_window(term))
        with self.captureOnCommitCallbacks(execute=True):
            draws = draws_run(actor=actor(self.p.grassroots_admin), terms=terms)
        self.assertEqual(len({d.job_id for d in draws}), 1)
        for draw in Draw.objects.filter(pk__in=[d.pk for d in draws]):
            self.assertEqual(draw.status, Draw.Status.DONE)
            self.assertTrue(draw_verify(draw))
        self.assertEqual(SeatPool.objects.filter(term__in=terms, taken=1).count(), 3)
