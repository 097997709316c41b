"""The JSON of bench/results/enrol.json: figures, baseline, ratio, targets, pass/fail, notes."""

import datetime
from typing import Any

OVERBOOKING = ("pools_over_capacity", "terms_overbooked", "groups_overbooked")
CONSISTENCY = ("pool_counters_drifting", "duplicate_active_applications")


def _cpu_ms_per_answer(run: dict[str, Any]) -> dict[str, float]:
    """CPU milliseconds spent per answered request by the server and by PostgreSQL."""
    rate = run["requests"] / run["duration_s"] if run["duration_s"] else 0
    if not rate:
        return {}
    return {
        "gunicorn": round(run["cpu"]["server_cores"] / rate * 1000, 1),
        "postgres": round(run["cpu"]["postgres_bench_backends_cores"] / rate * 1000, 1),
    }


def _rush(real: dict[str, Any]) -> dict[str, Any]:
    keep = (
        "per_s",
        "latency_ms",
        "requests",
        "duration_s",
        "created",
        "admitted",
        "waitlisted",
        "replayed_retries",
        "refused_double_submissions",
        "in_progress_409",
        "errors",
        "socket_errors",
        "plan_exhausted",
        "statuses",
        "error_samples",
        "warmup_errors",
        "cpu",
    )
    return {**{k: real[k] for k in keep}, "cpu_ms_per_answer": _cpu_ms_per_answer(real)}


def _transactions(step: dict[str, Any]) -> int:
    return int(step.get("atomic_commits", 0)) + int(step.get("autocommit_writes", 0))


def _notes(
    real: dict[str, Any],
    bare: dict[str, Any],
    lottery: dict[str, Any],
    sweep: list,
    machine: dict,
    profile: dict[str, Any],
) -> list[str]:
    cpu = real["cpu"]
    notes = [
        "Load generator: wrk (C, epoll) with a Lua script replaying a pre-generated plan, 2 "
        "threads, 64 connections, closed loop (each connection sends its next request when the "
        "previous answer arrives). It runs on the same 2 cores as gunicorn and PostgreSQL: "
        f"during the measured real run wrk used {cpu['wrk_cores']} cores, gunicorn "
        f"{cpu['server_cores']}, the bench database's PostgreSQL backends "
        f"{cpu['postgres_bench_backends_cores']}, and other processes on the machine "
        f"{cpu['other_processes_cores']} (machine busy {cpu['machine_busy_cores']} of 2).",
        f"Load average before {machine['loadavg_before']}, after "
        f"{[round(x, 2) for x in machine['loadavg_after']]}: other engineers' test suites share "
        "this machine, so throughput and latency are worse than on an idle one.",
        "With 64 closed-loop clients and sync workers, requests queue in the listen backlog: by "
        "Little's law the mean latency is about 64 / throughput, so p99 <= 250 ms needs well "
        "over 256 answers per second from the whole stack.",
        "Accepted = 201 answers that created an application (admitted or waitlisted); replays "
        "of a retried Idempotency-Key and refused double submissions are intended and not "
        "counted as accepted nor as errors. Errors = any other non-2xx answer, socket errors "
        "and timeouts (10 s).",
        "Baseline: a bare Django view (bench/enrol/bare.py) in the same gunicorn, behind the "
        "same middleware, doing only the conditional seat UPDATE (two when the term has groups) "
        "and the enrolment INSERT in one transaction, fed the same first submissions by the "
        "same wrk script with the same connections and duration; seats were reset between "
        f"the two runs. Baseline: {bare['per_s']}/s, p99 {bare['latency_ms']['p99']} ms.",
        "Every real request carries the parent's Bearer token, a fresh Idempotency-Key and "
        "Accept-Language: en (so refusals can be recognised by their English message). In the "
        "same transaction as its seat, each application writes its audit entry, its stored "
        "Idempotency-Key answer and the reply in the parent's inbox; the reply's SMS/e-mail "
        "deliveries are created by housekeeping's 30-second batch (notifications_dispatch), "
        "which is not running during the bench.",
        "Invariants are counted from the rows after the rush and again after the lottery "
        "(overbooked: seated enrolments per term and per group vs capacity, and pools with "
        "taken > capacity; unsold with waiting: a term with a free seat, and a free seat in a "
        "group of the child's grade when it has groups, while a child waits).",
        "Lottery: run time = draws_run (collect and publish inputs of 3,000 terms, Draw rows, "
        "Job) + draws_execute (pure draw per term and bulk apply), measured in a fresh process; "
        f"peak memory = that process's resident high-water mark, VmHWM ({lottery['peak_rss_mb']} "
        f"MB, of which {lottery['rss_before_draw_mb']} MB before the draw: Python, Django and "
        "the term list; getrusage's ru_maxrss would carry the parent's mark across fork+exec). "
        "A verification pass then recomputes every draw from its published inputs and seed "
        f"and compares the outcomes ({lottery['verify_mismatches']} differed).",
    ]
    mine, base = _cpu_ms_per_answer(real), _cpu_ms_per_answer(bare)
    admitted, bare_one = profile.get("admitted", {}), profile.get("bare", {})
    if mine and base and admitted and bare_one:
        notes.append(
            "What limits throughput: CPU per answered request — gunicorn "
            f"{mine['gunicorn']} ms and PostgreSQL {mine['postgres']} ms for the real endpoint, "
            f"against {base['gunicorn']} ms and {base['postgres']} ms for the bare view. One "
            "application (figures.profile_one_request) makes "
            f"{admitted['queries']} queries and {_transactions(admitted)} committed "
            f"transactions when admitted, against {bare_one['queries']} and "
            f"{_transactions(bare_one)} for the bare view, and takes "
            f"{profile.get('untraced_python_cpu_ms_median')} ms of Python CPU in-process. The "
            "statements are prepared SQL (tuoguan/core/rawsql.py, kept prepared by PostgreSQL); "
            "the rest is the request's handling by Django, DRF and the rules."
        )
    if sweep:
        notes.append(
            "Worker sweep (short runs, same plan, seats reset between): "
            + "; ".join(
                f"{r['workers']} workers: {r['accepted_per_s']}/s (bare {r['bare_per_s']}/s), "
                f"p99 {r['p99_ms']} ms"
                for r in sweep
            )
            + ". The measured run uses the count with the most accepted applications per second."
        )
    return notes


def build(
    *,
    machine: dict[str, Any],
    setup: dict[str, Any],
    bare: dict[str, Any],
    real: dict[str, Any],
    rush_invariants: dict[str, int],
    rush_statuses: dict[str, int],
    final_invariants: dict[str, int],
    lottery: dict[str, Any],
    profile: dict[str, Any],
    sweep: list[dict[str, Any]],
    targets: dict[str, Any],
) -> dict[str, Any]:
    ratio = round(real["per_s"] / bare["per_s"], 3) if bare["per_s"] else 0.0
    worst = {k: max(rush_invariants.get(k, 0), v) for k, v in final_invariants.items()}
    overbooked_seats = worst["seats_overbooked"]
    unsold = worst["terms_unsold_with_waiting"]
    errors = real["errors"]
    passed = {
        "ratio": ratio >= targets["ratio_min"],
        "p99": real["latency_ms"]["p99"] <= targets["p99_ms_max"],
        "errors": errors <= targets["errors_max"] and bare["errors"] == 0,
        "overbooked": overbooked_seats <= targets["overbooked_seats_max"]
        and all(worst[k] == 0 for k in OVERBOOKING),
        "unsold_with_waiting": unsold <= targets["unsold_with_waiting_max"],
        "lottery_time": lottery["run_time_s"] <= targets["lottery_s_max"],
        "lottery_memory": lottery["peak_rss_mb"] <= targets["lottery_peak_mb_max"],
        "consistency": all(worst[k] == 0 for k in CONSISTENCY)
        and final_invariants["applications_left_undrawn"] == 0
        and lottery["verify_mismatches"] == 0
        and lottery["draws_done"] == lottery["terms"],
    }
    return {
        "name": "enrol",
        "measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": {
            **machine,
            "loadavg_after": [round(x, 2) for x in machine["loadavg_after"]],
        },
        "setup": {
            "server": f"gunicorn config.wsgi, {setup['workers']} sync workers, DEBUG off, "
            "generated secret keys, persistent DB connections (CONN_MAX_AGE 600), "
            "DJANGO_SETTINGS_MODULE=bench.enrol.settings (production settings + the bare view)",
            "database": "local PostgreSQL, dedicated database tuoguan_bench (dropped after)",
            "load_generator": "wrk, 2 threads, 64 connections, Lua plan replay (rush.lua)",
            "first_come_terms": 3000,
            "lottery_terms": 3000,
            "parents": 20000,
            "children": 60000,
            "skew": "80% of requests at the 50 most popular first-come terms (the n-th most "
            "popular drawing a share proportional to 1/n), 20% spread over the other 2,950",
            "terms_with_groups": "one in three (grades 1-3 and 4-6)",
            **setup,
        },
        "figures": {
            "accepted_per_s": real["per_s"],
            "latency_ms": real["latency_ms"],
            "errors": errors,
            "overbooked_seats": overbooked_seats,
            "unsold_with_waiting": unsold,
            "rush": _rush(real),
            "rush_statuses_in_db": rush_statuses,
            "invariants_after_rush": rush_invariants,
            "invariants_after_lottery": final_invariants,
            "lottery": lottery,
            "profile_one_request": profile,
            "worker_sweep": sweep,
        },
        "baseline": {
            "what": "bare Django view: conditional seat UPDATE(s) + enrolment INSERT",
            **_rush(bare),
        },
        "ratio": ratio,
        "targets": targets,
        "passed": passed,
        "notes": _notes(real, bare, lottery, sweep, machine, profile),
    }
