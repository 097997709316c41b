"""The housekeeping clock runs each registered job when due, once, and survives a failing job."""

import io
import threading
from datetime import timedelta
from unittest import mock

from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings
from django.utils import timezone

from tuoguan.core import housekeeping
from tuoguan.core.housekeeping import (
    housekeeping_loop,
    housekeeping_run_due,
    periodic_jobs,
    register_periodic,
)
from tuoguan.core.models import PeriodicRun

HOUR = timedelta(hours=1)


class Recorder:
    """A job that counts its runs."""

    def __init__(self, *, fail: bool = False) -> None:
        self.calls, self.fail = 0, fail

    def __call__(self) -> int:
        self.calls += 1
        if self.fail:
            raise RuntimeError("gateway down")
        return self.calls


class HousekeepingTestCase(TestCase):
    def setUp(self) -> None:
        # Only the jobs a test registers: the apps' own jobs are tested in their apps.
        patcher = mock.patch.dict(housekeeping._REGISTRY, clear=True)
        patcher.start()
        self.addCleanup(patcher.stop)
        self.now = timezone.now()

    def ran_last(self, name: str) -> PeriodicRun:
        return PeriodicRun.objects.get(name=name)


class DueTest(HousekeepingTestCase):
    def test_a_job_that_never_ran_is_due_and_its_run_is_remembered(self) -> None:
        job = Recorder()
        register_periodic("tidy", job, every=HOUR)
        outcomes = housekeeping_run_due(now=self.now)
        self.assertEqual(job.calls, 1)
        self.assertEqual([(o.name, o.result, o.ok) for o in outcomes], [("tidy", 1, True)])
        self.assertEqual(self.ran_last("tidy").last_run_at, self.now)

    def test_a_job_that_is_not_due_does_not_run(self) -> None:
        job = Recorder()
        register_periodic("tidy", job, every=HOUR)
        PeriodicRun.objects.create(name="tidy", last_run_at=self.now - timedelta(minutes=59))
        self.assertEqual(housekeeping_run_due(now=self.now), [])
        self.assertEqual(job.calls, 0)
        self.assertEqual(self.ran_last("tidy").last_run_at, self.now - timedelta(minutes=59))

    def test_a_job_runs_again_once_its_period_has_passed(self) -> None:
        job = Recorder()
        register_periodic("tidy", job, every=HOUR)
        housekeeping_run_due(now=self.now)
        housekeeping_run_due(now=self.now + timedelta(minutes=30))
        self.assertEqual(job.calls, 1)
        housekeeping_run_due(now=self.now + HOUR)
        self.assertEqual(job.calls, 2)

    def test_each_job_keeps_its_own_period(self) -> None:
        often, daily = Recorder(), Recorder()
        register_periodic("often", often, every=timedelta(minutes=5))
        register_periodic("daily", daily, every=timedelta(days=1))
        for minutes in range(0, 60, 5):
            housekeeping_run_due(now=self.now + timedelta(minutes=minutes))
        self.assertEqual((often.calls, daily.calls), (12, 1))

    def test_a_second_runner_at_the_same_time_does_not_run_the_job_again(self) -> None:
        job = Recorder()
        register_periodic("tidy", job, every=HOUR)
        housekeeping_run_due(now=self.now)
        housekeeping_run_due(now=self.now)
        self.assertEqual(job.calls, 1)

    def test_a_period_must_be_positive(self) -> None:
        with self.assertRaises(ValueError):
            register_periodic("never", Recorder(), every=timedelta(0))
        self.assertEqual(periodic_jobs(), [])


class FailureTest(HousekeepingTestCase):
    def test_a_failing_job_does_not_stop_the_others(self) -> None:
        first, broken, last = Recorder(), Recorder(fail=True), Recorder()
        # Names sort the jobs: the broken one runs between the other two.
        register_periodic("a.first", first, every=HOUR)
        register_periodic("b.broken", broken, every=HOUR)
        register_periodic("c.last", last, every=HOUR)
        with self.assertLogs("tuoguan.core.housekeeping", "ERROR") as logs:
            outcomes = housekeeping_run_due(now=self.now)
        self.assertEqual((first.calls, broken.calls, last.calls), (1, 1, 1))
        self.assertEqual([o.ok for o in outcomes], [True, False, True])
        self.assertEqual(outcomes[1].error, "RuntimeError: gateway down")
        self.assertIn("b.broken failed", logs.output[0])
        self.assertEqual(self.ran_last("b.broken").last_error, "RuntimeError: gateway down")

    def test_a_failed_job_waits_for_its_next_period_and_its_error_clears_on_success(self) -> None:
        job = Recorder(fail=True)
        register_periodic("flaky", job, every=HOUR)
        with self.assertLogs("tuoguan.core.housekeeping", "ERROR"):
            housekeeping_run_due(now=self.now)
        housekeeping_run_due(now=self.now + timedelta(minutes=1))
        self.assertEqual(job.calls, 1)
        job.fail = False
        housekeeping_run_due(now=self.now + HOUR)
        self.assertEqual((job.calls, self.ran_last("flaky").last_error), (2, ""))


class CommandTest(HousekeepingTestCase):
    def test_once_runs_the_due_jobs_and_reports_them(self) -> None:
        due, not_due = Recorder(), Recorder()
        register_periodic("due", due, every=HOUR)
        register_periodic("not_due", not_due, every=HOUR)
        PeriodicRun.objects.create(name="not_due", last_run_at=timezone.now())
        out = io.StringIO()
        call_command("housekeeping", "--once", stdout=out)
        self.assertEqual((due.calls, not_due.calls), (1, 0))
        self.assertIn("due: done", out.getvalue())
        self.assertNotIn("not_due", out.getvalue())

    def test_once_is_the_default_and_says_when_nothing_was_due(self) -> None:
        register_periodic("tidy", Recorder(), every=HOUR)
        call_command("housekeeping", stdout=io.StringIO())
        out = io.StringIO()
        call_command("housekeeping", stdout=out)
        self.assertIn("No job was due.", out.getvalue())

    def test_once_fails_after_running_every_job_when_one_failed(self) -> None:
        broken, fine = Recorder(fail=True), Recorder()
        register_periodic("a.broken", broken, every=HOUR)
        register_periodic("b.fine", fine, every=HOUR)
        err = io.StringIO()
        with (
            self.assertLogs("tuoguan.core.housekeeping", "ERROR"),
            self.assertRaisesMessage(CommandError, "1 job(s) failed: a.broken."),
        ):
            call_command("housekeeping", "--once", stdout=io.StringIO(), stderr=err)
        self.assertEqual(fine.calls, 1)
        self.assertIn("a.broken: FAILED: RuntimeError: gateway down", err.getvalue())

    def test_the_help_states_the_registered_rules(self) -> None:
        def purge() -> None:
            """Delete what is past its retention."""

        register_periodic("audit.purge", purge, every=timedelta(days=1))
        register_periodic("offers", Recorder(), every=timedelta(minutes=5), description="expire")
        from tuoguan.core.management.commands.housekeeping import Command

        help_text = Command().create_parser("manage.py", "housekeeping").format_help()
        self.assertIn("audit.purge, every 1 day: Delete what is past its retention.", help_text)
        self.assertIn("offers, every 5 minutes: expire.", help_text)
        self.assertIn("does not stop the others", help_text)

    def test_the_loop_runs_due_jobs_until_stopped(self) -> None:
        job = Recorder()
        register_periodic("tidy", job, every=HOUR)
        stop, ticks = threading.Event(), []

        def on_tick(outcomes: list[housekeeping.Outcome]) -> None:
            ticks.append([o.name for o in outcomes])
            if len(ticks) == 2:
                stop.set()

        housekeeping_loop(interval=0, stop=stop, on_tick=on_tick)
        self.assertEqual(ticks, [["tidy"], []])
        self.assertEqual(job.calls, 1)


class FrameworkJobsTest(HousekeepingTestCase):
    registered_by_apps: list[housekeeping.PeriodicJob]

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.registered_by_apps = list(housekeeping._REGISTRY.values())

    def test_expired_sessions_are_deleted(self) -> None:
        old, live = SessionStore(), SessionStore()
        old.set_expiry(-60)
        old.save()
        live.save()
        housekeeping.sessions_clear_expired()
        self.assertEqual(
            set(Session.objects.values_list("session_key", flat=True)), {live.session_key}
        )

    @override_settings(
        TASKS={"default": {"BACKEND": "django_tasks.backends.database.DatabaseBackend"}}
    )
    def test_old_finished_task_results_are_pruned(self) -> None:
        from django_tasks.backends.database.models import DBTaskResult

        from tuoguan.notifications.tasks import deliver_notification

        # The database backend writes its row when the transaction commits.
        with self.captureOnCommitCallbacks(execute=True):
            old = deliver_notification.enqueue(1)
            new = deliver_notification.enqueue(2)
            queued = deliver_notification.enqueue(3)
        finished = {"status": "SUCCEEDED", "started_at": self.now}
        DBTaskResult.objects.filter(id=old.id).update(
            **finished, finished_at=self.now - timedelta(days=15)
        )
        DBTaskResult.objects.filter(id=new.id).update(
            **finished, finished_at=self.now - timedelta(days=1)
        )
        self.assertEqual(housekeeping.task_results_prune(now=self.now), 1)
        self.assertEqual(
            {str(pk) for pk in DBTaskResult.objects.values_list("id", flat=True)},
            {new.id, queued.id},
        )

    def test_with_another_task_backend_nothing_is_pruned(self) -> None:
        self.assertEqual(housekeeping.task_results_prune(), 0)

    def test_the_apps_register_their_rules(self) -> None:
        # The registry as the apps left it in their ready(), before this test case cleared it.
        periods = {job.name: job.every for job in self.registered_by_apps}
        expected = {
            "audit.purge": timedelta(days=1),
            "core.sessions_clear_expired": timedelta(days=1),
            "core.task_results_prune": timedelta(days=1),
            "enrolment.idempotency_purge": HOUR,
            "enrolment.offers": timedelta(minutes=5),
            "notifications.resume": timedelta(minutes=10),
        }
        self.assertEqual({name: periods.get(name) for name in expected}, expected)
