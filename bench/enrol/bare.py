"""The baseline: a bare Django view doing only the seat UPDATE(s) and the enrolment INSERT.

It is what `enrolment_apply` cannot do without — take a seat with the same conditional
UPDATE of the term's pool (and of the group's pool when the term has groups), then insert
the application — with no authentication, eligibility, idempotency, audit, notification
or response serialisation. The request names the pools and rows directly (from the
request plan), so the view reads nothing first.
"""

import json

from django.db import transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from tuoguan.enrolment.models import Enrolment, EnrolmentStatus, SeatPool


def _take(pool_id: int) -> bool:
    free = SeatPool.objects.filter(pk=pool_id, taken__lte=F("capacity") - 1)
    return free.update(taken=F("taken") + 1) == 1


@csrf_exempt
@require_POST
def bare_apply(request: HttpRequest) -> HttpResponse:
    data = json.loads(request.body)
    with transaction.atomic():
        seated = _take(data["pool"])
        group_id = None
        if seated and data.get("group_pool"):
            if _take(data["group_pool"]):
                group_id = data["group"]
            else:
                SeatPool.objects.filter(pk=data["pool"]).update(taken=F("taken") - 1)
                seated = False
        status = EnrolmentStatus.ADMITTED if seated else EnrolmentStatus.WAITLISTED
        (enrolment,) = Enrolment.objects.bulk_create(
            [
                Enrolment(
                    term_id=data["term"],
                    child_id=data["child"],
                    guardian_id=data["guardian"],
                    group_id=group_id,
                    status=status,
                    province_id=data["province"],
                )
            ]
        )
    return JsonResponse({"id": enrolment.pk, "status": status}, status=201)
