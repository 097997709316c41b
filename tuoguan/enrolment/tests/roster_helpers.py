"""Shared builders of the roster tests."""

from typing import Any

from tuoguan.enrolment.models import Enrolment, EnrolmentStatus

from .allocation_support import families_bulk

S = EnrolmentStatus


def seat_many(p: Any, term: Any, count: int, *, start: int) -> None:
    """`count` admitted children and as many on the waitlist, in bulk (no services)."""
    families = families_bulk(p, 2 * count, start=start)
    first_rank = start * 10
    Enrolment.objects.bulk_create(
        [
            Enrolment(
                term=term,
                child=child,
                guardian_id=child.guardian_id,
                status=S.ADMITTED if n < count else S.WAITLISTED,
                waitlist_rank=None if n < count else first_rank + n,
                province=term.province,
            )
            for n, (_user, child) in enumerate(families)
        ]
    )
