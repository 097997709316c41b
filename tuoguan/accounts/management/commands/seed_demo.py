import unicodedata
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from tuoguan.accounts.demo import LoginRow, demo_people_ensure
from tuoguan.audit.context import acting_as
from tuoguan.core.demo import demo_steps
from tuoguan.orgs.demo import demo_tree_ensure


class Command(BaseCommand):
    help = (
        "Create the demo data: the union tree of the seed article (national, six provinces, "
        "their cities, counties and grassroots unions), staff in every role and verified "
        "worker families whose children have consent under the current policy. Idempotent: "
        "rows are found by their natural keys and only missing ones are created, so a second "
        "run creates nothing. Always prints the demo logins. The passwords are printed, so it "
        "refuses to run with DEBUG off unless --allow-production is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Seed even with DEBUG off (a staging server, say). Never on live data.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError(
                "DEBUG is off: demo users with printed passwords do not belong on a live "
                "server. Pass --allow-production to seed anyway."
            )
        with transaction.atomic(), acting_as(reason="demo data"):
            orgs, orgs_created = demo_tree_ensure()
            rows, counts = demo_people_ensure(orgs)
            # The later apps' own demo data (classes, terms…), see tuoguan/core/demo.py.
            for step in demo_steps():
                step(self.stdout)
        counts = {"unions": orgs_created, **counts}
        if any(counts.values()):
            made = ", ".join(f"{n} {what}" for what, n in counts.items())
            self.stdout.write(self.style.SUCCESS(f"Demo data created: {made}."))
        else:
            self.stdout.write("Demo data already present; nothing created.")
        self.stdout.write(_table(rows))
        self.stdout.write(
            "Log in at http://127.0.0.1:8000/ with a login and its password. "
            "Demo passwords only: never reuse them."
        )


def _width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _table(rows: list[LoginRow]) -> str:
    header = LoginRow("login", "password", "role @ union", "what to try")
    cells = [(r.login, r.password, r.role_at_org) for r in [header, *rows]]
    widths = [max(_width(row[i]) for row in cells) for i in range(3)]
    lines = []
    for (login, password, role), row in zip(cells, [header, *rows], strict=True):
        padded = [_pad(login, widths[0]), _pad(password, widths[1]), _pad(role, widths[2])]
        lines.append("  ".join([*padded, row.try_this]).rstrip())
    rule = "-" * (sum(widths) + 6 + max(_width(r.try_this) for r in [header, *rows]))
    return "\n".join(["", "Demo logins", rule, lines[0], rule, *lines[1:], rule, ""])
