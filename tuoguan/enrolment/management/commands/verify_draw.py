"""`manage.py verify_draw <term_id>`: recompute a term's lottery from what was published."""

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tuoguan.enrolment.models import Draw
from tuoguan.enrolment.services.draws import draw_differences


class Command(BaseCommand):
    help = (
        "Recompute the lottery draw of a term from its published inputs and seed and compare "
        "it with the published outcome: a draw is fair only if anyone can reproduce it. "
        "Checks the live draw (or the one given with --draw); prints the seed, the inputs "
        "digest and 'OK — same outcome' or the differences, and exits with status 1 on any "
        "difference."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("term_id", type=int, help="The id of the term.")
        parser.add_argument("--draw", type=int, help="Check this draw of the term instead.")

    def handle(self, *args: Any, **options: Any) -> None:
        draws = Draw.objects.filter(term_id=options["term_id"]).select_related("term")
        if options.get("draw"):
            draw = draws.filter(pk=options["draw"]).first()
        else:
            draw = (
                draws.filter(status__in=[Draw.Status.DONE, Draw.Status.RUNNING]).first()
                or draws.first()
            )
        if draw is None:
            raise CommandError(f"Term {options['term_id']} has no such draw.")
        self.stdout.write(f"Draw #{draw.pk} of {draw.term} ({draw.status})")
        self.stdout.write(f"Seed: {draw.seed}")
        self.stdout.write(f"Inputs digest: {draw.inputs_digest}")
        differences = draw_differences(draw)
        if not differences:
            self.stdout.write(self.style.SUCCESS("OK — same outcome"))
            return
        self.stdout.write(self.style.ERROR("MISMATCH — the recomputed draw differs:"))
        for difference in differences:
            self.stdout.write(f"  - {difference}")
        sys.exit(1)
