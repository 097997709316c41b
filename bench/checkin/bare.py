"""The baseline: a bare Django view doing only the check-in's INSERT.

It is what a check-in cannot do without — one Attendance row for the child and today, in a
transaction, its unique constraint refusing a second one — with no authentication, no
reading of the place, the care day or the health checks, no notification, no ratio and no
response serialisation. The request names the row's foreign keys directly (from the plan).
"""

import json

from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from tuoguan.care.models import Attendance, CheckInMethod


@csrf_exempt
@require_POST
def bare_check_in(request: HttpRequest) -> HttpResponse:
    data = json.loads(request.body)
    now = timezone.now()
    with transaction.atomic():
        (attendance,) = Attendance.objects.bulk_create(
            [
                Attendance(
                    enrolment_id=data["enrolment"],
                    term_id=data["term"],
                    group_id=data["group"],
                    child_id=data["child"],
                    date=timezone.localdate(now),
                    checked_in_at=now,
                    check_in_method=CheckInMethod.TAP,
                    province_id=data["province"],
                )
            ]
        )
    return JsonResponse({"id": attendance.pk}, status=201)
