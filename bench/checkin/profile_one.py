"""One check-in profiled in-process: queries, their time, and where they come from.

`python -m bench.checkin.profile_one PLAN.json` (Django set up from the environment) sends
real check-ins through the Django test client — the same middleware, authentication and
service as under gunicorn, without the WSGI server — for children the run did not use: a
warm-up, a caregiver's tap, a kiosk scan, a repeat of the tapped child at the kiosk
(refused), then one bare baseline request. Each query is attributed to the innermost known
step on its stack (the Recorder of bench/enrol/profile_one.py).
"""

import cProfile
import json
import pstats
import sys
import time
from typing import Any

import django

from bench.enrol.profile_one import CommitCounter, Recorder, _summary
from bench.shared import ROOT

# Innermost match wins: the audit INSERT made while saving the row counts as "audit".
STEPS = {
    "token_read": "token authentication",
    "authenticate": "token authentication",
    "kiosk_authenticate": "kiosk authentication",
    "api_actor_of": "actor (memberships)",
    "actor_for": "actor (memberships)",
    "enrolment_for_care": "the place (scoped read)",
    "enrolment_for_check_in": "the place and its facts (one read)",
    "kiosk_enrolment_to_check_in": "the place and its facts (one read)",
    "check_in_facts": "the place and its facts (one read)",
    "kiosk_for_token": "kiosk authentication",
    "insert_row": "attendance INSERT",
    "attendance_check_in_by_code": "the place (scoped read)",
    "can_care": "may this person care (roster)",
    "require_care_day": "care day",
    "_require_open_day": "day not closed",
    "_check_can_come": "health-check block",
    "record": "audit entry",
    "save": "attendance INSERT",
    "_already_in": "already checked in",
    "tell": "parent's notification",
    "notify": "parent's notification",
    "ratio_sync": "carer ratio",
    "attendance_check_in": "check-in (other)",
    "to_representation": "answer serialisation",
    "bare_check_in": "bare view",
}


def _post(client: Any, item: dict[str, Any]) -> tuple[int, float, Recorder, CommitCounter]:
    from django.db import connection

    recorder = Recorder(STEPS)
    headers = {"Accept-Language": "en"}
    if item.get("authorization"):
        headers["Authorization"] = item["authorization"]
    started = time.perf_counter()
    with connection.execute_wrapper(recorder), CommitCounter(connection) as commits:
        response = client.post(
            item["path"], data=item["body"], content_type="application/json", headers=headers
        )
    return response.status_code, (time.perf_counter() - started) * 1000, recorder, commits


def _timed(client: Any, item: dict[str, Any]) -> tuple[float, float]:
    """(wall, this process's CPU) milliseconds of one untraced request."""
    started, cpu = time.perf_counter(), time.process_time()
    headers = {"Authorization": item["authorization"], "Accept-Language": "en"}
    client.post(item["path"], data=item["body"], content_type="application/json", headers=headers)
    return (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000


def _hot(client: Any, item: dict[str, Any], top: int = 30) -> dict[str, list[str]]:
    """Where one untraced tap spends its CPU (cProfile): the project's functions by
    cumulative time, and every function by its own time."""
    profiler = cProfile.Profile(time.process_time)
    headers = {"Authorization": item["authorization"], "Accept-Language": "en"}
    profiler.enable()
    client.post(item["path"], data=item["body"], content_type="application/json", headers=headers)
    profiler.disable()
    stats = pstats.Stats(profiler)
    own, project = [], []
    for (path, line, name), (_cc, calls, own_s, cum, _callers) in stats.stats.items():
        where = f"{path.split('site-packages/')[-1].split(str(ROOT) + '/')[-1]}:{line} {name}"
        own.append((own_s, f"{own_s * 1000:7.2f} ms own {calls:5d}x {where}"))
        if path.startswith(str(ROOT / "tuoguan")):
            project.append((cum, f"{cum * 1000:7.2f} ms cum {calls:5d}x {where}"))
    return {
        "project_by_cumulative": [text for _t, text in sorted(project, reverse=True)[:top]],
        "all_by_own_time": [text for _t, text in sorted(own, reverse=True)[:top]],
    }


def main(plan_path: str) -> dict[str, Any]:
    django.setup()
    from django.test import Client

    with open(plan_path) as f:
        plan = json.load(f)
    client = Client(HTTP_HOST="127.0.0.1")
    _post(client, plan["warmup"])
    result: dict[str, Any] = {
        name: _summary(*_post(client, plan[name])) for name in ("tap", "kiosk", "repeat")
    }
    timed = [_timed(client, item) for item in plan["untraced"]]
    for index, name in ((0, "untraced_wall_ms_median"), (1, "untraced_python_cpu_ms_median")):
        values = sorted(t[index] for t in timed)
        result[name] = round(values[len(values) // 2], 2)
    result["hot_cumulative_cpu_one_tap"] = _hot(client, plan["hot"])
    result["bare"] = _summary(*_post(client, plan["bare"]))
    return result


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1])))
