"""One application profiled in-process: queries, their time, and where they come from.

`python -m bench.enrol.profile_one PLAN.json` (Django set up from the environment) sends
real `POST /api/v1/terms/{id}/enrolments/` requests through the Django test client — the
same middleware, authentication and service as under gunicorn, without the WSGI server —
for children the rush did not use: one warm-up, one to a term with free seats (admitted)
and one to a full term (waitlisted), then one bare baseline request. Each query is
attributed to the innermost known step on its stack.
"""

import json
import sys
import time
import traceback
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import django

# Innermost match wins: an audit INSERT made while seating counts as "audit".
STEPS = {
    # The queued INSERTs sent together (core.rawsql.inserts_together), wherever they go.
    "_send_queue": "enrolment, audit entry, notice and stored answer (one statement)",
    "row_and_entry_insert": "enrolment INSERT + audit entry",
    "insert_with_entry": "enrolment INSERT + audit entry",
    "insert_row": "enrolment INSERT + audit entry",
    "notify": "reply in the inbox",
    "waitlist_position": "waitlist position",
    "waitlist_rank_take": "seat or waitlist",
    "waitlist_rank_next": "seat or waitlist",
    "pool_take": "seat or waitlist",
    "_allocate": "seat or waitlist",
    "rules_for": "eligibility",
    "check_eligibility": "eligibility",
    "apply_groups": "facts (one query)",
    "apply_facts": "facts (one query)",
    "idempotency_stored": "idempotency",
    "idempotency_remember": "idempotency",
    "idempotency_answer": "idempotency",
    "token_read": "token authentication",
    "enrolment_apply": "apply (other)",
    "authenticate": "token authentication",
    "post": "view (other)",
    "bare_apply": "bare view",
}


class Recorder:
    """Each query's step and time; and the transactions that wrote (each a WAL flush)."""

    def __init__(self, steps: dict[str, str] | None = None) -> None:
        self.steps = STEPS if steps is None else steps
        self.rows: list[tuple[str, float, str]] = []
        self.autocommit_writes = 0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, ctx: Any):
        names = [frame.name for frame in traceback.extract_stack()]
        steps = self.steps
        step = next((steps[n] for n in reversed(names) if n in steps), "other (middleware)")
        if not ctx["connection"].in_atomic_block and sql.lstrip()[:6] in WRITES:
            self.autocommit_writes += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, ctx)
        finally:
            self.rows.append((step, (time.perf_counter() - started) * 1000, sql[:110]))


WRITES = ("INSERT", "UPDATE", "DELETE")


class CommitCounter:
    """Counts COMMITs of atomic blocks (autocommit statements commit on their own)."""

    def __init__(self, connection: Any) -> None:
        self.connection, self.count, self.ms = connection, 0, 0.0
        self.original = connection._commit

    def __enter__(self) -> "CommitCounter":
        def counted() -> None:
            started = time.perf_counter()
            self.original()
            self.count += 1
            self.ms += (time.perf_counter() - started) * 1000

        self.connection._commit = counted
        return self

    def __exit__(self, *exc: object) -> None:
        self.connection._commit = self.original


def _post(client: Any, item: dict[str, Any]) -> tuple[int, float, Recorder, CommitCounter]:
    from django.db import connection

    recorder = Recorder()
    headers = {"Content-Type": "application/json"}
    if item.get("token"):
        headers["Authorization"] = f"Bearer {item['token']}"
        headers["Idempotency-Key"] = item["key"]
    started = time.perf_counter()
    with connection.execute_wrapper(recorder), CommitCounter(connection) as commits:
        response = client.post(
            item["path"], data=item["body"], content_type="application/json", headers=headers
        )
    return response.status_code, (time.perf_counter() - started) * 1000, recorder, commits


def _timed(client: Any, item: dict[str, Any]) -> tuple[float, float]:
    """(wall, this process's CPU) milliseconds of one untraced request."""
    started, cpu = time.perf_counter(), time.process_time()
    headers = {"Authorization": f"Bearer {item['token']}", "Idempotency-Key": item["key"]}
    client.post(item["path"], data=item["body"], content_type="application/json", headers=headers)
    return (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000


def _summary(
    status: int, wall_ms: float, recorder: Recorder, commits: CommitCounter
) -> dict[str, Any]:
    steps: dict[str, list[float]] = defaultdict(list)
    for step, ms, _sql in recorder.rows:
        steps[step].append(ms)
    sql_ms = sum(ms for _s, ms, _q in recorder.rows)
    return {
        "status": status,
        "queries": len(recorder.rows),
        "wall_ms_with_tracing": round(wall_ms, 2),
        "sql_ms": round(sql_ms, 2),
        "atomic_commits": commits.count,
        "commit_ms": round(commits.ms, 2),
        "autocommit_writes": recorder.autocommit_writes,
        "by_step": {
            step: {"queries": len(times), "sql_ms": round(sum(times), 2)}
            for step, times in sorted(steps.items(), key=lambda kv: -len(kv[1]))
        },
        "queries_in_order": [f"{step} | {ms:.2f} ms | {sql}" for step, ms, sql in recorder.rows],
    }


def main(plan_path: str) -> dict[str, Any]:
    django.setup()
    from django.test import Client

    with open(plan_path) as f:
        plan = json.load(f)
    client = Client(HTTP_HOST="127.0.0.1")
    _post(client, plan["warmup"])
    result: dict[str, Any] = {
        name: _summary(*_post(client, plan[name])) for name in ("admitted", "waitlisted")
    }
    # Untraced wall and Python CPU time of the same kind of request, medians of a few.
    timed = [_timed(client, item) for item in plan["untraced"]]
    for index, name in ((0, "untraced_wall_ms_median"), (1, "untraced_python_cpu_ms_median")):
        values = sorted(t[index] for t in timed)
        result[name] = round(values[len(values) // 2], 2)
    result["bare"] = _summary(*_post(client, plan["bare"]))
    return result


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1])))
