"""The CPU of a check-in against the bare view's, in-process (no load generator).

`python -m bench.checkin.cpu_ratio [N]` (Django set up from the environment, the bench
settings, on a seeded database: seed.py) calls the WSGI application directly, as gunicorn's
sync worker does, with N caregiver taps, N kiosk scans and N bare baseline requests for
children not yet checked in today, after a warm-up of each, in turn (tap, scan, bare, tap…).
It prints one line of JSON: the median and mean CPU of this process per answer
(time.process_time), the PostgreSQL backend's CPU per answer (its /proc schedstat read around
each request, mean), and the statements of each (BEGIN and COMMIT not counted). Every token
and kiosk is first used in the run, so each request stamps its "last used" (the bench: about
half). The machine may be shared: the ratios are what to compare.
"""

import io
import json
import os
import statistics
import sys
import time
from typing import Any

import django


def _backend_cpu_s(pid: int) -> float:
    # The scheduler's own count of the process's time on a CPU, in nanoseconds.
    with open(f"/proc/{pid}/schedstat") as f:
        return int(f.read().split()[0]) / 1e9


def _environ(path: str, authorization: str, body: str) -> dict[str, Any]:
    data = body.encode()
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "127.0.0.1:8000",
        "REMOTE_ADDR": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(data)),
        "HTTP_ACCEPT_LANGUAGE": "en",
        "wsgi.input": io.BytesIO(data),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }
    if authorization != "-":
        environ["HTTP_AUTHORIZATION"] = authorization
    return environ


def _run(app: Any, requests: list[tuple[str, str, str]]) -> tuple[list[float], list[str]]:
    cpu, statuses = [], []
    for path, authorization, body in requests:
        environ = _environ(path, authorization, body)
        status: list[str] = []

        def start_response(line: str, headers: Any, *_exc: Any, seen: list[str] = status) -> None:
            seen.append(line)

        started = time.process_time()
        chunks = app(environ, start_response)
        b"".join(chunks)
        if hasattr(chunks, "close"):
            chunks.close()
        cpu.append((time.process_time() - started) * 1000)
        statuses.append(status[0][:3])
    return cpu, statuses


def _statements(app: Any, request: tuple[str, str, str]) -> int:
    from django.db import connection

    seen: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        _run(app, [request])
    return sum(1 for sql in seen if sql.split()[0].upper() not in ("BEGIN", "COMMIT"))


def main(n: int) -> dict[str, Any]:
    django.setup()
    from django.core.wsgi import get_wsgi_application
    from django.db import connection
    from django.utils import timezone

    from tuoguan.accounts.models import ApiToken
    from tuoguan.care.models import Attendance, KioskDevice

    from .plan import check_in
    from .seed import day_refresh, load

    day_refresh()
    # As at the start of the morning: each token and kiosk is stamped on its first request
    # (in the bench's 30 s about half of the requests are a token's or a kiosk's first).
    ApiToken.objects.update(last_used_at=None)
    KioskDevice.objects.update(last_seen_at=None)
    taken = set(
        Attendance.objects.filter(date=timezone.localdate()).values_list("child_id", flat=True)
    )
    places = [p for p in load() if p.child not in taken]
    warm = 30
    need = 3 * (n + warm) + 3
    if len(places) < need:
        raise SystemExit(f"{len(places)} children left, {need} needed: seed again")
    # Spread over the classes, as the morning is.
    places = places[:: max(1, len(places) // need)][:need]
    taps = [check_in(p, "tap") for p in places[0::3]]
    scans = [check_in(p, "kiosk") for p in places[1::3]]
    bares = [check_in(p, "tap") for p in places[2::3]]
    real = [(r.path, r.authorization, r.body) for r in taps]
    kiosk = [(r.path, r.authorization, r.body) for r in scans]
    bare = [("/bench/bare-check-in/", "-", r.bare) for r in bares]

    app = get_wsgi_application()
    result: dict[str, Any] = {"n": n, "loadavg_before": [round(x, 2) for x in os.getloadavg()]}
    result["statements"] = {
        "tap": _statements(app, real.pop()),
        "scan": _statements(app, kiosk.pop()),
        "bare": _statements(app, bare.pop()),
    }
    for batch in (real[:warm], kiosk[:warm], bare[:warm]):
        _run(app, batch)
    real, kiosk, bare = real[warm:], kiosk[warm:], bare[warm:]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    # Interleaved, a tap, a scan and a bare request in turn: a change of the machine's load
    # weighs on the three alike.
    kinds = {"tap": real[:n], "scan": kiosk[:n], "bare": bare[:n]}
    cpu: dict[str, list[float]] = {name: [] for name in kinds}
    db_s = dict.fromkeys(kinds, 0.0)
    statuses: dict[str, set[str]] = {name: set() for name in kinds}
    for index in range(n):
        for name, batch in kinds.items():
            db_before = _backend_cpu_s(backend)
            spent, status = _run(app, [batch[index]])
            db_s[name] += _backend_cpu_s(backend) - db_before
            cpu[name] += spent
            statuses[name].update(status)
    for name in kinds:
        result[name] = {
            "python_cpu_ms_median": round(statistics.median(cpu[name]), 3),
            "python_cpu_ms_mean": round(statistics.fmean(cpu[name]), 3),
            "postgres_cpu_ms_mean": round(db_s[name] * 1000 / n, 3),
            "statuses": sorted(statuses[name]),
        }
    for name in ("tap", "scan"):
        own, bare_own = result[name], result["bare"]
        total = own["python_cpu_ms_mean"] + own["postgres_cpu_ms_mean"]
        bare_total = bare_own["python_cpu_ms_mean"] + bare_own["postgres_cpu_ms_mean"]
        result[f"{name}_to_bare_python_median"] = round(
            own["python_cpu_ms_median"] / bare_own["python_cpu_ms_median"], 2
        )
        result[f"{name}_to_bare_total_mean"] = round(total / bare_total, 2)
    result["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
    return result


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]) if len(sys.argv) > 1 else 250)))
