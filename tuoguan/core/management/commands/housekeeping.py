"""`manage.py housekeeping`: run the periodic rules of every app, each when it is due."""

import contextlib
import signal
import textwrap
import threading
from argparse import ArgumentParser, RawDescriptionHelpFormatter
from typing import Any

from django.core.management.base import (
    BaseCommand,
    CommandError,
    CommandParser,
    DjangoHelpFormatter,
)
from django.utils import timezone

from tuoguan.core.housekeeping import (
    Outcome,
    every_text,
    housekeeping_loop,
    housekeeping_run_due,
    periodic_jobs,
)


class _HelpFormatter(DjangoHelpFormatter, RawDescriptionHelpFormatter):
    """Django's option order, and the description as laid out (one line per rule)."""


class Command(BaseCommand):
    help = (
        "Enforce the rules that run on a clock: each registered job runs at most once per "
        "period, whatever the number of runners or restarts (the last run of each is kept in "
        "the database). A job that fails is logged and does not stop the others; it is tried "
        "again in its next period. Run it with --loop beside the web server and db_worker, "
        "or with --once (the default) from cron every minute or so."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # The rules come from the apps' registrations, so the help states what really runs.
        parser = super().create_parser(
            prog_name, subcommand, formatter_class=_HelpFormatter, **kwargs
        )
        rules = [
            textwrap.fill(
                f"{job.name}, every {every_text(job.every)}: {job.description}.",
                width=79,
                initial_indent="  - ",
                subsequent_indent="    ",
            )
            for job in periodic_jobs()
        ] or ["  (none registered)"]
        parser.description = "\n".join([textwrap.fill(self.help, width=79), "", "Rules:", *rules])
        return parser

    def add_arguments(self, parser: ArgumentParser) -> None:
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--once", action="store_true", help="Run the due jobs once and exit (the default)."
        )
        mode.add_argument(
            "--loop", action="store_true", help="Keep running, checking for due jobs regularly."
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=30.0,
            help="Seconds between two checks with --loop (default 30).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["loop"]:
            self._loop(options["interval"])
            return
        outcomes = housekeeping_run_due()
        self._report(outcomes)
        failed = [outcome.name for outcome in outcomes if not outcome.ok]
        if failed:
            raise CommandError(f"{len(failed)} job(s) failed: {', '.join(failed)}.")
        if not outcomes and options["verbosity"] >= 1:
            self.stdout.write("No job was due.")

    def _loop(self, interval: float) -> None:
        stop = threading.Event()
        # `make run` stops its children with SIGTERM: finish the job at hand, then leave.
        signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
        self.stdout.write(
            f"Housekeeping: {len(periodic_jobs())} job(s), checked every {interval:g} s."
        )
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C when run by hand
            housekeeping_loop(interval=interval, stop=stop, on_tick=self._report)

    def _report(self, outcomes: list[Outcome]) -> None:
        stamp = f"{timezone.localtime():%Y-%m-%d %H:%M:%S}"
        for outcome in outcomes:
            if outcome.ok:
                self.stdout.write(
                    f"{stamp} {outcome.name}: done in {outcome.seconds:g} s ({outcome.result!r})"
                )
            else:
                self.stderr.write(f"{stamp} {outcome.name}: FAILED: {outcome.error}")
        # Written to a log file by `make run`: show each line as it happens.
        self.stdout.flush()
        self.stderr.flush()
