"""`make bench-enrol`: the enrolment benchmark of issue 4; writes bench/results/enrol.json.

1. A dedicated PostgreSQL database (`tuoguan_bench`), cloned from a template database that
   is migrated and seeded in bulk (seed.py) whenever a migration or the seeding changes:
   3,000 first-come terms, 3,000 lottery terms holding 100,000 applications, 20,000
   verified parents with API tokens and three children each.
2. gunicorn (sync workers, production settings: DEBUG off, generated keys, persistent
   connections) serves the app and, in the same process, a bare baseline view.
3. wrk, 64 connections, replays the pre-generated plan (plan.py): first the bare view,
   then — after the seats are reset — the real `POST /api/v1/terms/{id}/enrolments/`.
   A short sweep over worker counts picks the count the measured run uses.
4. The invariants are counted from the rows (checks.py); then the 100,000 lottery
   applications are drawn in a separate process (lottery_run.py), the invariants counted
   again, and one request profiled (profile_one.py).

The script exits 1 when a target is missed, after writing the JSON.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from bench import shared

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
RESULT = ROOT / "bench/results/enrol.json"
WORK = ROOT / "var/bench/enrol"
DB = "tuoguan_bench"
TARGETS = {
    "ratio_min": 0.5,
    "p99_ms_max": 250,
    "errors_max": 0,
    "overbooked_seats_max": 0,
    "unsold_with_waiting_max": 0,
    "lottery_s_max": 10,
    "lottery_peak_mb_max": 500,
}


STARTED = time.monotonic()


def log(message: str) -> None:
    print(f"[{time.monotonic() - STARTED:6.1f} s] {message}", flush=True)


DATABASE = shared.BenchDatabase(DB, "bench.enrol.seed_db", [HERE / "seed.py"], WORK, log)


def production_env() -> dict[str, str]:
    return shared.production_env("bench.enrol.settings", DB)


def reset_rush() -> None:
    """Back to the seeded state: no first-come applications, every first-come seat free."""
    from django.apps import apps
    from django.db import connection

    from tuoguan.enrolment.models import Enrolment, SeatPool
    from tuoguan.programs.models import EnrolMode

    models = [
        "enrolment.IdempotencyKey",
        "notifications.Notification",
        "audit.AuditEntry",
        "django_tasks_database.DBTaskResult",
    ]
    tables = ", ".join(apps.get_model(label)._meta.db_table for label in models)
    first_come = {"term__enrol_mode": EnrolMode.FIRST_COME}
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables} CASCADE")
    Enrolment.objects.filter(**first_come).delete()
    SeatPool.objects.filter(**first_come).update(taken=0)
    with connection.cursor() as cursor:
        for model in (Enrolment, SeatPool):
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")


# --- Phases -------------------------------------------------------------------------------


def _phase(server: Any, files: dict[str, Path], kind: str, seconds: int) -> dict[str, Any]:
    """One measured wrk run against the bare view ("bare") or the real endpoint ("real")."""
    from django.db import connections

    from . import procs

    connections.close_all()
    common = {"script": HERE / "rush.lua", "url": server.url, "threads": 2}
    warm = procs.wrk(
        plan=files[f"warm_{kind}"],
        out=WORK / f"wrk_warm_{kind}.json",
        duration=2,
        connections=16,
        **common,
    )
    before, started = procs.cpu_sample(server.proc.pid, DB), time.monotonic()
    result = procs.wrk(
        plan=files[kind], out=WORK / f"wrk_{kind}.json", duration=seconds, connections=64, **common
    )
    wall = time.monotonic() - started
    after = procs.cpu_sample(server.proc.pid, DB)
    # Requests wrk left in the listen backlog still run; let them finish before anyone
    # resets or counts the rows.
    drained_s = procs.wait_idle(server.proc.pid)
    counts = result["counts"]
    socket_errors = sum(v for k, v in result["socket_errors"].items() if k != "status")
    latency = result["latency_ms"]
    return {
        "requests": result["requests"],
        "duration_s": round(result["duration_s"], 2),
        "per_s": round(counts["created"] / result["duration_s"], 1),
        "created": counts["created"],
        "admitted": counts.get("admitted", 0),
        "waitlisted": counts.get("waitlisted", 0),
        "replayed_retries": counts["replayed"],
        "refused_double_submissions": counts["refused_duplicate"],
        "in_progress_409": counts["in_progress"],
        "errors": counts["errors"] + socket_errors + (counts["wrapped"] > 0),
        "socket_errors": result["socket_errors"],
        "plan_exhausted": counts["wrapped"] > 0,
        "statuses": result["statuses"],
        "error_samples": result["error_samples"],
        "latency_ms": {
            "p50": round(latency["percentiles"]["50"], 1),
            "p90": round(latency["percentiles"]["90"], 1),
            "p95": round(latency["percentiles"]["95"], 1),
            "p99": round(latency["percentiles"]["99"], 1),
            "p99_9": round(latency["percentiles"]["99.9"], 1),
            "max": round(latency["max"], 1),
            "mean": round(latency["mean"], 1),
        },
        "warmup_errors": warm["counts"]["errors"],
        "drain_after_s": round(drained_s, 1),
        "cpu": procs.cpu_share(before, after, wall, os.cpu_count() or 1),
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
    }


def _pair(env: dict[str, str], files: dict[str, Path], workers: int, seconds: int) -> tuple:
    """Baseline then real endpoint, on one gunicorn; the rush's rows are kept."""
    from . import procs

    server = procs.Server(ROOT, env, workers, WORK / "gunicorn.log")
    try:
        log(f"  {workers} workers: bare view, {seconds} s")
        bare = _phase(server, files, "bare", seconds)
        reset_rush()
        log(f"  {workers} workers: real endpoint, {seconds} s")
        real = _phase(server, files, "real", seconds)
    finally:
        server.stop()
    return bare, real


def sweep(env: dict[str, str], files: dict[str, Path], counts: list[int], seconds: int) -> list:
    rows = []
    for workers in counts:
        bare, real = _pair(env, files, workers, seconds)
        reset_rush()
        rows.append(
            {
                "workers": workers,
                "seconds": seconds,
                "accepted_per_s": real["per_s"],
                "bare_per_s": bare["per_s"],
                "ratio": round(real["per_s"] / bare["per_s"], 3) if bare["per_s"] else None,
                "p99_ms": real["latency_ms"]["p99"],
                "bare_p99_ms": bare["latency_ms"]["p99"],
                "errors": real["errors"] + bare["errors"],
                "loadavg_after": real["loadavg_after"],
            }
        )
        log(f"  -> {rows[-1]}")
    return rows


# --- The run --------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=30, help="measured run, each endpoint")
    parser.add_argument("--workers", default="auto", help="gunicorn workers, or auto (sweep)")
    parser.add_argument("--sweep", default="2,3,4", help="worker counts tried by auto")
    parser.add_argument("--sweep-seconds", type=int, default=6)
    parser.add_argument("--keep-db", action="store_true", help="leave tuoguan_bench in place")
    parser.add_argument("--out", type=Path, default=RESULT)
    args = parser.parse_args(argv)

    load_before = [round(x, 2) for x in os.getloadavg()]
    WORK.mkdir(parents=True, exist_ok=True)
    env = production_env()
    os.environ.update(env)
    log(f"load average {load_before}; creating {DB}")
    seeding = DATABASE.create(env)

    import django

    django.setup()
    from django.db import connection, connections

    from tuoguan.programs.models import EnrolMode

    from . import checks, plan, report, seed

    try:
        seed.windows_refresh()
        data = seed.load()
        rush_plan = plan.build(data)
        files = rush_plan.write(WORK)
        sweep_rows: list[dict[str, Any]] = []
        if args.workers == "auto":
            log("sweeping worker counts")
            counts = [int(n) for n in args.sweep.split(",")]
            sweep_rows = sweep(env, files, counts, args.sweep_seconds)
            workers = max(sweep_rows, key=lambda r: r["accepted_per_s"])["workers"]
        else:
            workers = int(args.workers)
        log(f"measured run: {workers} workers, {args.seconds} s per endpoint")
        bare, real = _pair(env, files, workers, args.seconds)
        rush_invariants = checks.invariants()
        rush_invariants.pop("applications_left_undrawn")  # the draw has not run yet
        rush_statuses = checks.status_counts(EnrolMode.FIRST_COME)
        connection.close()
        log("lottery: drawing every term (separate process)")
        lottery = shared.subprocess_json(env, "bench.enrol.lottery_run", str(data.admin))
        lottery["statuses"] = checks.status_counts(EnrolMode.LOTTERY)
        final_invariants = checks.invariants()
        connection.close()
        log("profiling one request")
        profile = shared.subprocess_json(env, "bench.enrol.profile_one", str(files["profile"]))
        versions = shared.versions()
    finally:
        connections.close_all()
        if not args.keep_db:
            DATABASE.drop()

    result = report.build(
        machine={**versions, "loadavg_before": load_before, "loadavg_after": os.getloadavg()},
        setup={
            "seeding": seeding,
            "workers": workers,
            "seconds": args.seconds,
            "plan": rush_plan.summary(),
            "total_bench_s": round(time.monotonic() - STARTED, 1),
        },
        bare=bare,
        real=real,
        rush_invariants=rush_invariants,
        rush_statuses=rush_statuses,
        final_invariants=final_invariants,
        lottery=lottery,
        profile=profile,
        sweep=sweep_rows,
        targets=TARGETS,
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    log(f"wrote {args.out}: passed {result['passed']}")
    return 0 if all(result["passed"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
