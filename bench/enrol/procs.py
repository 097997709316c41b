"""Processes of the bench: the gunicorn server, wrk, and who used the CPU meanwhile.

CPU time is read from /proc: the gunicorn master and its workers, the PostgreSQL backends
serving the bench database, wrk (a waited-for child), and the whole machine, so the notes
can say how much of the two cores went to the load generator and to other work.
"""

import json
import os
import resource
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TICK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _stat(pid: str) -> tuple[int, float] | None:
    """(parent pid, CPU seconds) of a process, None if it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK


def _cmdline(pid: str) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the machine since boot, all cores."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / TICK, sum(values) / TICK


@dataclass
class CpuSample:
    server: float
    database: float
    generator: float
    busy: float
    total: float


def cpu_sample(server_pid: int, database: str) -> CpuSample:
    server = database_cpu = 0.0
    for pid in (p for p in os.listdir("/proc") if p.isdigit()):
        stat = _stat(pid)
        if stat is None:
            continue
        if int(pid) == server_pid or stat[0] == server_pid:
            server += stat[1]
        elif f" {database} " in _cmdline(pid) and _cmdline(pid).startswith("postgres:"):
            database_cpu += stat[1]
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy, total = _machine_busy()
    return CpuSample(server, database_cpu, children.ru_utime + children.ru_stime, busy, total)


def cpu_share(before: CpuSample, after: CpuSample, wall: float, cores: int) -> dict[str, Any]:
    """Each consumer's share of the machine's cores over a phase, in cores used."""

    def cores_used(a: float, b: float) -> float:
        return round((b - a) / wall, 2) if wall else 0.0

    used = {
        "server_cores": cores_used(before.server, after.server),
        "postgres_bench_backends_cores": cores_used(before.database, after.database),
        "wrk_cores": cores_used(before.generator, after.generator),
        "machine_busy_cores": round(
            (after.busy - before.busy) / (after.total - before.total) * cores, 2
        ),
    }
    used["other_processes_cores"] = round(
        used["machine_busy_cores"]
        - used["server_cores"]
        - used["postgres_bench_backends_cores"]
        - used["wrk_cores"],
        2,
    )
    return used


def server_cpu(server_pid: int) -> float:
    total = 0.0
    for pid in (p for p in os.listdir("/proc") if p.isdigit()):
        stat = _stat(pid)
        if stat is not None and (int(pid) == server_pid or stat[0] == server_pid):
            total += stat[1]
    return total


def wait_idle(server_pid: int, quiet_s: float = 1.5, limit_s: float = 120) -> float:
    """Wait until the server's processes have used no CPU for `quiet_s`; the seconds waited."""
    started = time.monotonic()
    last, quiet_since = server_cpu(server_pid), time.monotonic()
    while time.monotonic() - started < limit_s:
        time.sleep(0.25)
        now = server_cpu(server_pid)
        if now - last > 0.02:
            last, quiet_since = now, time.monotonic()
        elif time.monotonic() - quiet_since >= quiet_s:
            break
    return time.monotonic() - started - quiet_s


class Server:
    """gunicorn serving config.wsgi with the bench settings on a free local port."""

    def __init__(self, root: Path, env: dict[str, str], workers: int, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log.open("ab")
        self.proc = subprocess.Popen(
            [
                str(root / ".venv/bin/gunicorn"),
                "config.wsgi",
                f"--workers={workers}",
                "--worker-class=sync",
                f"--bind=127.0.0.1:{self.port}",
                "--backlog=2048",
                "--timeout=60",
                "--graceful-timeout=5",
                "--log-level=warning",
                f"--chdir={root}",
            ],
            env=env,
            stdout=self.log,
            stderr=self.log,
        )
        self._wait_ready()

    def _wait_ready(self, limit: float = 60) -> None:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.proc.returncode}); see its log")
            try:
                urllib.request.urlopen(f"{self.url}/api/v1/enrolments/", timeout=5)  # noqa: S310
            except urllib.error.HTTPError:
                return  # 401/403: the app answers
            except OSError:
                time.sleep(0.3)
                continue
            return
        raise RuntimeError("gunicorn did not answer within a minute")

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def wrk(
    *,
    script: Path,
    url: str,
    plan: Path,
    out: Path,
    duration: float,
    connections: int,
    threads: int,
    timeout_s: int = 10,
) -> dict[str, Any]:
    env = {
        **os.environ,
        "BENCH_PLAN": str(plan),
        "BENCH_OUT": str(out),
        "BENCH_THREADS": str(threads),
    }
    out.unlink(missing_ok=True)
    subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{duration}s",
            f"--timeout={timeout_s}s",
            "-s",
            str(script),
            url,
        ],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return json.loads(out.read_text())  # type: ignore[no-any-return]
