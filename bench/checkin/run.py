"""`make bench-checkin`: the check-in benchmark of issue 11; writes bench/results/checkin.json.

1. A dedicated PostgreSQL database (`tuoguan_bench_checkin`), cloned from a template
   database that is migrated and seeded in bulk (seed.py) whenever a migration or the
   seeding changes: 2,802 running after-school terms (the Shandong morning of issue 11) with
   26 confirmed children each on today's care day, a rostered caregiver with an API token
   per term, clocked in, and a kiosk device token per class. The dates are moved to today
   after the copy.
2. gunicorn (sync workers, production settings: DEBUG off, generated keys, persistent
   connections) serves the app and, in the same process, a bare baseline view (bare.py).
3. wrk, 64 connections, replays the pre-generated plan (plan.py): first the bare view,
   then — after its rows are truncated — the real check-ins, half by kiosk scan and half
   by the caregiver's tap, with planned repeats that must be refused.
4. The invariants are counted from the rows (checks.py); one request is profiled
   (profile_one.py). The helpers are bench/shared.py's and bench/enrol/procs.py's.

The script exits 1 when a target is missed, after writing the JSON.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

from bench import shared
from bench.enrol import procs

ROOT = shared.ROOT
HERE = Path(__file__).resolve().parent
RESULT = ROOT / "bench/results/checkin.json"
WORK = ROOT / "var/bench/checkin"
DB = "tuoguan_bench_checkin"
TARGETS = {"ratio_min": 0.5, "p95_ms_max": 100, "errors_max": 0, "children_twice_max": 0}

STARTED = time.monotonic()


def log(message: str) -> None:
    print(f"[{time.monotonic() - STARTED:6.1f} s] {message}", flush=True)


DATABASE = shared.BenchDatabase(DB, "bench.checkin.seed_db", [HERE / "seed.py"], WORK, log)


def reset() -> None:
    """Back to the seeded morning: nobody checked in, nobody told, nothing audited."""
    from django.apps import apps
    from django.db import connection

    models = [
        "care.Attendance",
        "care.RatioBreach",
        "care.CareAlert",
        "notifications.Notification",
        "audit.AuditEntry",
        "django_tasks_database.DBTaskResult",
    ]
    tables = ", ".join(apps.get_model(label)._meta.db_table for label in models)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables} CASCADE")
        cursor.execute(f"VACUUM ANALYZE {apps.get_model('care.Attendance')._meta.db_table}")


def _phase(server: procs.Server, files: dict[str, Path], kind: str, seconds: int) -> dict:
    """One measured wrk run against the bare view ("bare") or the real endpoints ("real")."""
    from django.db import connections

    connections.close_all()
    common = {"script": HERE / "checkin.lua", "url": server.url, "threads": 2}
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
    drained_s = procs.wait_idle(server.proc.pid)
    counts = result["counts"]
    socket_errors = sum(v for k, v in result["socket_errors"].items() if k != "status")
    latency = result["latency_ms"]
    return {
        "requests": result["requests"],
        "duration_s": round(result["duration_s"], 2),
        "per_s": round(counts["created"] / result["duration_s"], 1),
        "checked_in": counts["created"],
        "by_kiosk": counts.get("kiosk", 0),
        "by_caregiver_tap": counts.get("tap", 0),
        "refused_repeats": counts["refused_repeat"],
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
        "warmup_checked_in": warm["counts"]["created"],
        "warmup_errors": warm["counts"]["errors"],
        "drain_after_s": round(drained_s, 1),
        "cpu": procs.cpu_share(before, after, wall, os.cpu_count() or 1),
        "loadavg_after": shared.loadavg(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=30, help="measured run, each endpoint")
    parser.add_argument(
        "--workers", type=int, default=4, help="gunicorn workers (bench-enrol's sweep: 4)"
    )
    parser.add_argument("--keep-db", action="store_true", help="leave the database in place")
    parser.add_argument("--out", type=Path, default=RESULT)
    args = parser.parse_args(argv)

    load_before = shared.loadavg()
    WORK.mkdir(parents=True, exist_ok=True)
    env = shared.production_env("bench.checkin.settings", DB)
    os.environ.update(env)
    log(f"load average {load_before}; creating {DB}")
    seeding = DATABASE.create(env)

    import django

    django.setup()
    from django.db import connections

    from . import checks, plan, report, seed

    try:
        seed.day_refresh()
        morning = plan.build(seed.load())
        files = morning.write(WORK)
        connections.close_all()
        server = procs.Server(ROOT, env, args.workers, WORK / "gunicorn.log")
        try:
            log(f"{args.workers} workers: bare view, {args.seconds} s")
            bare = _phase(server, files, "bare", args.seconds)
            reset()
            log(f"{args.workers} workers: real check-ins, {args.seconds} s")
            real = _phase(server, files, "real", args.seconds)
        finally:
            server.stop()
        repeated = [json.loads(r.bare)["child"] for r in morning.main if r.kind == "repeat"]
        invariants = checks.invariants(repeated)
        connections.close_all()
        log("profiling one request")
        profile = shared.subprocess_json(env, "bench.checkin.profile_one", str(files["profile"]))
        versions = shared.versions()
    finally:
        connections.close_all()
        if not args.keep_db:
            DATABASE.drop()

    result = report.build(
        machine={**versions, "loadavg_before": load_before, "loadavg_after": shared.loadavg()},
        setup={
            "seeding": seeding,
            "workers": args.workers,
            "seconds": args.seconds,
            "plan": morning.summary(),
            "total_bench_s": round(time.monotonic() - STARTED, 1),
        },
        bare=bare,
        real=real,
        invariants=invariants,
        profile=profile,
        targets=TARGETS,
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    log(f"wrote {args.out}: passed {result['passed']}")
    return 0 if all(result["passed"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
