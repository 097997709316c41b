"""The timed lottery, run in its own process so that its peak memory is its own.

`python -m bench.enrol.lottery_run ADMIN_ID` (Django set up from the environment) draws
every lottery term the way a union admin's "draw all" does — `draws_run` collects and
publishes the inputs, `draws_execute` (the background task's body) computes each pure
draw and applies the outcomes in bulk — and prints one JSON object: the run time of each
part, the process's peak memory, and a second pass that recomputes every draw from its
published inputs (the verification).

Peak memory is the process's resident high-water mark, VmHWM in /proc/self/status (what
`resource.getrusage(...).ru_maxrss` reports, except that on Linux ru_maxrss keeps the
parent's high-water mark across fork and exec, which here would be the seeding process's).
"""

import json
import resource
import sys
import time
from pathlib import Path

import django


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _peak_rss_mb() -> float:
    return _status_mb("VmHWM")


def _applications() -> dict[str, int]:
    from django.db.models import Count, Q

    from tuoguan.enrolment.models import Enrolment, EnrolmentStatus

    return Enrolment.objects.filter(status=EnrolmentStatus.APPLIED).aggregate(
        total=Count("pk"),
        in_sibling_sets_kept_together=Count("pk", filter=Q(keep_together=True)),
        claiming_priority=Count("pk", filter=Q(priority_tier=0)),
    )


def main(admin_id: int) -> dict[str, object]:
    django.setup()
    from tuoguan.accounts.models import User
    from tuoguan.enrolment.models import Draw
    from tuoguan.enrolment.services import lottery
    from tuoguan.enrolment.services.draws import draws_execute, draws_run
    from tuoguan.orgs.permissions import actor_for
    from tuoguan.programs.models import EnrolMode, Term

    actor = actor_for(User.objects.get(pk=admin_id))
    terms = list(Term.objects.filter(enrol_mode=EnrolMode.LOTTERY).order_by("pk"))
    applications = _applications()
    rss_ready = _peak_rss_mb()

    started = time.perf_counter()
    draws = draws_run(actor=actor, terms=terms)
    published = time.perf_counter()
    job_id = draws[0].job_id
    assert job_id is not None
    draws_execute(job_id=job_id, draw_ids=[d.pk for d in draws])
    finished = time.perf_counter()
    rss_peak = _peak_rss_mb()

    done = list(Draw.objects.filter(pk__in=[d.pk for d in draws]).order_by("pk"))
    recompute_started = time.perf_counter()
    mismatches = 0
    for draw in done:
        outcome = lottery.draw(lottery.DrawInputs.from_json(draw.inputs), draw.seed)
        mismatches += outcome.to_json() != draw.outcome
    recompute_s = time.perf_counter() - recompute_started
    return {
        "terms": len(terms),
        "applications": applications,
        "draws_done": sum(1 for d in done if d.status == Draw.Status.DONE),
        "run_time_s": round(finished - started, 3),
        "collect_and_publish_s": round(published - started, 3),
        "draw_and_apply_s": round(finished - published, 3),
        "peak_rss_mb": round(rss_peak, 1),
        "peak_rss_with_verify_mb": round(_peak_rss_mb(), 1),
        "rss_before_draw_mb": round(rss_ready, 1),
        "verify_recompute_s": round(recompute_s, 3),
        "verify_mismatches": mismatches,
    }


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]))))
