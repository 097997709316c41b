"""`manage.py expire_offers`: pass on the seats of offers not accepted in time."""

from typing import Any

from django.core.management.base import BaseCommand

from tuoguan.enrolment.services.idempotency import idempotency_purge
from tuoguan.enrolment.services.offers import offers_expire, offers_remind


class Command(BaseCommand):
    help = (
        "An offered place is held only until its deadline (the term's 'hours to accept an "
        "offer', 48 h by default): lapse every open offer past its deadline and offer its "
        "seat to the next eligible child on the waitlist; remind parents once, 6 hours "
        "before their deadline; delete Idempotency-Keys older than 24 hours. Safe to run "
        "every few minutes from cron, and from several machines at once."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        expired = offers_expire()
        reminded = offers_remind()
        purged = idempotency_purge()
        self.stdout.write(
            f"{expired} offer(s) expired, {reminded} reminder(s) sent, {purged} key(s) purged."
        )
