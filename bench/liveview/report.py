"""The JSON of bench/results/liveview.json: figures, baseline, ratio, targets, pass/fail, notes."""

import datetime
from typing import Any

from bench.enrol.report import _cpu_ms_per_answer

from .seed import ACTIVITIES, PER_TERM, TERMS

KEEP = (
    "per_s", "latency_ms", "requests", "duration_s", "answered_200", "answered_304", "share_304",
    "errors", "socket_errors", "statuses", "error_samples", "connections", "delay_ms", "writer",
    "drain_after_s", "cpu", "loadavg_after",
)  # fmt: skip


def _run(run: dict[str, Any]) -> dict[str, Any]:
    return {**{k: run[k] for k in KEEP}, "cpu_ms_per_answer": _cpu_ms_per_answer(run)}


def _notes(
    real: dict[str, Any], paced: dict[str, Any], bare: dict[str, Any], machine: dict,
    statements: dict[str, Any],
) -> list[str]:  # fmt: skip
    cpu = real["cpu"]
    return [
        "Load generator: wrk (C, epoll) with a Lua script (liveview.lua), 2 threads, "
        f"{real['connections']} connections, closed loop; each thread polls its share of the "
        "children in turn with the ETag it last got for each (the first from the plan). It "
        f"runs on the same cores as gunicorn and PostgreSQL: during the full-speed run wrk used "
        f"{cpu['wrk_cores']} cores, gunicorn {cpu['server_cores']}, the bench database's "
        f"PostgreSQL backends {cpu['postgres_bench_backends_cores']}, other processes "
        f"{cpu['other_processes_cores']}.",
        f"Load average before {machine['loadavg_before']}, after {machine['loadavg_after']}: "
        "other engineers' work shares this machine.",
        "Ratio = polls answered per second at full speed (200 and 304) over the bare hello "
        "view's answers per second, same gunicorn, same middleware, same wrk script, "
        f"connections and duration. Baseline: {bare['per_s']}/s, p95 "
        f"{bare['latency_ms']['p95']} ms.",
        "p95 is that of the paced run: the issue's load, 5,000 parents every 15 s "
        f"(≈ 333 polls/s; each connection waits {paced['delay_ms']} ms between its polls; "
        f"{paced['per_s']}/s achieved). The full-speed run's p95 is "
        f"{real['latency_ms']['p95']} ms (closed loop: about connections / throughput).",
        "Share 304 = answers 304 Not Modified over all answers; the rest are 200s of children "
        "whose day changed since their last poll (the writer gives each child a new event "
        "every event_every_s seconds: a group activity posted through the real service) or "
        "whose first ETag was stale.",
        f"One 304 poll makes {statements.get('statements_304')} statement(s): the early answer "
        "(care/middleware.py: LiveViewPollMiddleware) reads the day's stamp, the guardian's "
        "account and the session in one, before the session and the user are loaded; a 200 "
        f"poll makes {statements.get('statements_200')}. Counted in-process on the bench "
        "database (count_one.py).",
    ]


def build(
    *,
    machine: dict[str, Any],
    setup: dict[str, Any],
    bare: dict[str, Any],
    real: dict[str, Any],
    paced: dict[str, Any],
    statements: dict[str, Any],
    targets: dict[str, Any],
) -> dict[str, Any]:
    ratio = round(real["per_s"] / bare["per_s"], 3) if bare["per_s"] else 0.0
    passed = {
        "ratio": ratio >= targets["ratio_min"],
        "p95": paced["latency_ms"]["p95"] <= targets["p95_ms_max"],
        "errors": real["errors"] + paced["errors"] <= targets["errors_max"] and bare["errors"] == 0,
    }
    return {
        "name": "liveview",
        "measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine,
        "setup": {
            "server": f"gunicorn config.wsgi, {setup['workers']} sync workers, DEBUG off, "
            "generated secret keys, persistent DB connections (CONN_MAX_AGE 600), "
            "DJANGO_SETTINGS_MODULE=bench.liveview.settings (production settings + the bare view)",
            "database": "local PostgreSQL, dedicated database tuoguan_bench_liveview (dropped "
            "after), cloned from the seeded template tuoguan_bench_liveview_tpl",
            "seeded": f"{TERMS} running after-school terms, one group each, today a care day, "
            f"{PER_TERM} confirmed children each ({TERMS * PER_TERM:,}) with a logged-in parent "
            "session; 90% checked in with a morning check, the term's lunch of two dishes, "
            f"{ACTIVITIES} activities per group, one rostered caregiver per term",
            "endpoint": "GET /care/family/{id}/ with HX-Request (the live view's fragment), "
            "the parent's session cookie and If-None-Match",
            **setup,
        },
        "figures": {
            "polls_per_s": real["per_s"],
            "share_304": real["share_304"],
            "p95_ms_at_the_issues_load": paced["latency_ms"]["p95"],
            "polls_per_s_paced": paced["per_s"],
            "share_304_paced": paced["share_304"],
            "errors": real["errors"] + paced["errors"],
            "full_speed": _run(real),
            "paced": _run(paced),
            "statements_of_one_poll": statements,
        },
        "baseline": {
            "what": "bare Django view answering 'hello' (no session, no query)",
            **_run(bare),
        },
        "ratio": ratio,
        "targets": targets,
        "passed": passed,
        "notes": _notes(real, paced, bare, machine, statements),
    }
