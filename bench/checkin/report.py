"""The JSON of bench/results/checkin.json: figures, baseline, ratio, targets, pass/fail, notes."""

import datetime
from typing import Any

from bench.enrol.report import _cpu_ms_per_answer, _transactions

from .seed import PER_TERM, TERMS

KEEP = (
    "per_s",
    "latency_ms",
    "requests",
    "duration_s",
    "checked_in",
    "by_kiosk",
    "by_caregiver_tap",
    "refused_repeats",
    "errors",
    "socket_errors",
    "plan_exhausted",
    "statuses",
    "error_samples",
    "warmup_checked_in",
    "warmup_errors",
    "drain_after_s",
    "cpu",
    "loadavg_after",
)


def _run(run: dict[str, Any]) -> dict[str, Any]:
    return {**{k: run[k] for k in KEEP}, "cpu_ms_per_answer": _cpu_ms_per_answer(run)}


def _profile_note(real: dict[str, Any], bare: dict[str, Any], profile: dict[str, Any]) -> str:
    mine, base = _cpu_ms_per_answer(real), _cpu_ms_per_answer(bare)
    tap, kiosk, bare_one = profile["tap"], profile["kiosk"], profile["bare"]

    def steps(one: dict[str, Any]) -> str:
        return ", ".join(f"{k} {v['queries']}" for k, v in one["by_step"].items())

    return (
        "Where the time goes: CPU per answered request — gunicorn "
        f"{mine.get('gunicorn')} ms and PostgreSQL {mine.get('postgres')} ms for the real "
        f"check-ins, against {base.get('gunicorn')} ms and {base.get('postgres')} ms for the "
        f"bare view. One caregiver tap (figures.profile_one_request) makes {tap['queries']} "
        f"queries in {_transactions(tap)} committed transactions ({steps(tap)}); one kiosk "
        f"scan {kiosk['queries']} ({steps(kiosk)}); the bare view {bare_one['queries']}. "
        f"A tap takes {profile.get('untraced_python_cpu_ms_median')} ms of Python CPU "
        "in-process; its reads are the ORM's statements compiled once (care/fastpath.py)."
    )


def _notes(
    real: dict[str, Any], bare: dict[str, Any], machine: dict, profile: dict[str, Any]
) -> list[str]:
    cpu = real["cpu"]
    return [
        "Load generator: wrk (C, epoll) with a Lua script replaying a pre-generated plan "
        "(checkin.lua), 2 threads, 64 connections, closed loop. It runs on the same 2 cores "
        f"as gunicorn and PostgreSQL: during the measured real run wrk used {cpu['wrk_cores']} "
        f"cores, gunicorn {cpu['server_cores']}, the bench database's PostgreSQL backends "
        f"{cpu['postgres_bench_backends_cores']}, and other processes on the machine "
        f"{cpu['other_processes_cores']} (machine busy {cpu['machine_busy_cores']} of 2).",
        f"Load average before {machine['loadavg_before']}, after {machine['loadavg_after']}: "
        "other engineers' work shares this machine, so figures are worse than on an idle one.",
        "Checked in = 201 answers. Refused repeats = 400 'already checked in' answers to the "
        "planned repeats (0.5% of the children come back by the other path 200 requests "
        "later); they are intended and not errors. Errors = any other non-2xx answer, socket "
        "errors and timeouts (10 s), and the plan running out.",
        "Baseline: a bare Django view (bench/checkin/bare.py) in the same gunicorn, behind the "
        "same middleware, doing only the Attendance INSERT in one transaction, fed the same "
        "first check-ins by the same wrk script with the same connections and duration; its "
        f"rows were truncated before the real run. Baseline: {bare['per_s']}/s, p95 "
        f"{bare['latency_ms']['p95']} ms.",
        "Each real check-in goes through the service (care/services/attendance.py: "
        "attendance_check_in): scoped read of the place, the roster or kiosk check, the signed "
        "code for a kiosk, today's care day, the day not closed, the earlier check-in, the "
        "morning health-check block, the INSERT with its audit entry, the parent's "
        "notification in the inbox, and the group's carer ratio (the caregiver is clocked in, "
        "so no breach opens).",
        "Children checked in twice are counted from the rows (Attendance grouped by child and "
        "date); the database's unique constraint (child, date) is the last line.",
        _profile_note(real, bare, profile),
    ]


def build(
    *,
    machine: dict[str, Any],
    setup: dict[str, Any],
    bare: dict[str, Any],
    real: dict[str, Any],
    invariants: dict[str, Any],
    profile: dict[str, Any],
    targets: dict[str, Any],
) -> dict[str, Any]:
    ratio = round(real["per_s"] / bare["per_s"], 3) if bare["per_s"] else 0.0
    twice = invariants["children_checked_in_twice"]
    passed = {
        "ratio": ratio >= targets["ratio_min"],
        "p95": real["latency_ms"]["p95"] <= targets["p95_ms_max"],
        "errors": real["errors"] <= targets["errors_max"] and bare["errors"] == 0,
        "doubles": twice <= targets["children_twice_max"]
        and invariants["enrolments_with_two_rows_a_day"] == 0
        and invariants["rows_of_planned_repeat_children"] <= invariants["planned_repeat_children"],
    }
    return {
        "name": "checkin",
        "measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine,
        "setup": {
            "server": f"gunicorn config.wsgi, {setup['workers']} sync workers, DEBUG off, "
            "generated secret keys, persistent DB connections (CONN_MAX_AGE 600), "
            "DJANGO_SETTINGS_MODULE=bench.checkin.settings (production settings + the bare view)",
            "database": "local PostgreSQL, dedicated database tuoguan_bench_checkin (dropped "
            "after), cloned from the seeded template tuoguan_bench_checkin_tpl",
            "load_generator": "wrk, 2 threads, 64 connections, Lua plan replay (checkin.lua)",
            "seeded": f"{TERMS:,} running after-school terms (one class each, 100 host unions), "
            f"each with one group, today a care day, {PER_TERM} confirmed children each "
            f"({TERMS * PER_TERM:,}), one "
            "rostered caregiver with an API token clocked in to the group, the class's care "
            "rules and one kiosk device token",
            "endpoints": "POST /api/v1/kiosk/check-in/ (Authorization: Kiosk <token>, the "
            "signed code of today) and POST /api/v1/attendance/ (Authorization: Bearer "
            "<caregiver's API token>, the enrolment), half each",
            **setup,
        },
        "figures": {
            "check_ins_per_s": real["per_s"],
            "latency_ms": real["latency_ms"],
            "errors": real["errors"],
            "children_checked_in_twice": twice,
            "run": _run(real),
            "invariants": invariants,
            "profile_one_request": profile,
        },
        "baseline": {"what": "bare Django view: the Attendance INSERT", **_run(bare)},
        "ratio": ratio,
        "targets": targets,
        "passed": passed,
        "notes": _notes(real, bare, machine, profile),
    }
