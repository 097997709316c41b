"""Facts and metrics that enrolment lends to the construction standards of `programs`.

Registered in `EnrolmentConfig.ready()`; programs never imports enrolment (DESIGN §3).
"""

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db.models import Count

from tuoguan.programs import compliance

from .models import Enrolment, EnrolmentStatus
from .paperwork_status import agreements_insurance_counts, agreements_insurance_metric

# Children who will be in the room: an open offer is not a child yet.
ENROLLED = (EnrolmentStatus.ADMITTED, EnrolmentStatus.CONFIRMED)


def enrolled_counts(terms: Sequence[Any]) -> dict[int, int]:
    rows = (
        Enrolment.objects.filter(term__in=[t.pk for t in terms], status__in=ENROLLED)
        .values("term_id")
        .annotate(n=Count("pk"))
    )
    return {row["term_id"]: row["n"] for row in rows}


def group_enrolled_counts(terms: Sequence[Any]) -> dict[int, dict[int, int]]:
    rows = (
        Enrolment.objects.filter(
            term__in=[t.pk for t in terms], status__in=ENROLLED, group__isnull=False
        )
        .values("term_id", "group_id")
        .annotate(n=Count("pk"))
    )
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    for row in rows:
        counts[row["term_id"]][row["group_id"]] = row["n"]
    return dict(counts)


def register() -> None:
    compliance.register_fact("enrolled_count", enrolled_counts)
    compliance.register_fact("group_enrolled_counts", group_enrolled_counts)
    compliance.register_fact("agreements_insurance", agreements_insurance_counts)
    compliance.register_metric("agreements_insurance", agreements_insurance_metric)
