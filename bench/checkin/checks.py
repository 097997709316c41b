"""What the morning left in the rows: each child checked in at most once, and the rest."""

from typing import Any

from django.db.models import Count

from tuoguan.care.models import Attendance, CareAlert, RatioBreach
from tuoguan.notifications.models import Notification


def invariants(repeated_children: list[int]) -> dict[str, Any]:
    """Counted from the database after the real run (the bare run's rows were truncated)."""
    twice = (
        Attendance.objects.values("child_id", "date")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    per_enrolment = (
        Attendance.objects.values("enrolment_id", "date")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    repeated_rows = Attendance.objects.filter(child_id__in=repeated_children).count()
    methods = dict(
        Attendance.objects.values_list("check_in_method").annotate(n=Count("pk")).order_by()
    )
    return {
        "attendance_rows": Attendance.objects.count(),
        "children_checked_in_twice": twice,
        "enrolments_with_two_rows_a_day": per_enrolment,
        "planned_repeat_children": len(repeated_children),
        "rows_of_planned_repeat_children": repeated_rows,
        "rows_by_method": methods,
        "parent_notifications": Notification.objects.count(),
        "ratio_breaches_opened": RatioBreach.objects.count(),
        "care_alerts": CareAlert.objects.count(),
    }
