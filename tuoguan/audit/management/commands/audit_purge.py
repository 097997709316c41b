from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from tuoguan.audit.models import AuditEntry
from tuoguan.audit.services import (
    MINIMUM_RETENTION_DAYS,
    RetentionTooShort,
    audit_purge,
    audit_retention_cutoff,
)


class Command(BaseCommand):
    help = (
        "Delete audit entries older than the retention period. Cybersecurity Law Art. 21 "
        f"requires logs to be kept at least six months; the project keeps them "
        f"TUOGUAN_AUDIT_RETENTION_DAYS days (default {3 * 365}, three years) and refuses a "
        f"retention under {MINIMUM_RETENTION_DAYS} days. Run it daily."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Only count the entries that would be deleted.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days, now = settings.TUOGUAN_AUDIT_RETENTION_DAYS, timezone.now()
        try:
            cutoff = audit_retention_cutoff(now=now, days=days)
        except RetentionTooShort as exc:
            raise CommandError(str(exc)) from exc
        if options["dry_run"]:
            count = AuditEntry.objects.filter(at__lt=cutoff).count()
            self.stdout.write(f"{count} audit entries older than {cutoff:%Y-%m-%d} would go.")
            return
        deleted = audit_purge(now=now, days=days)
        self.stdout.write(f"Deleted {deleted} audit entries older than {cutoff:%Y-%m-%d}.")
