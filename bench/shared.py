"""What every benchmark's run.py does the same way: the production environment of its
gunicorn, its dedicated PostgreSQL database cloned from a seeded template, the versions of
the stack, and child processes that answer one line of JSON."""

import base64
import hashlib
import importlib.metadata
import json
import os
import platform
import secrets
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SERVER_URL = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
PYTHON = str(ROOT / ".venv/bin/python")


def production_env(settings_module: str, database: str) -> dict[str, str]:
    """Production settings (DEBUG off, generated keys, persistent connections) on localhost."""
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": settings_module,
        "DJANGO_DEBUG": "False",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "TUOGUAN_FIELD_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        # Plain http on localhost: no redirect to https, no HSTS.
        "DJANGO_SECURE_SSL_REDIRECT": "False",
        "DJANGO_HSTS_SECONDS": "0",
        "DATABASE_URL": f"{SERVER_URL}/{database}",
        "DJANGO_CONN_MAX_AGE": "600",
        "DJANGO_LOG_LEVEL": "WARNING",
    }


def admin_sql(*statements: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER_URL}/postgres", autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def subprocess_json(env: dict[str, str], module: str, *args: str) -> dict[str, Any]:
    """Run `python -m module args` and read the JSON of its last line of output."""
    out = subprocess.run(
        [PYTHON, "-m", module, *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


@dataclass
class BenchDatabase:
    """A dedicated database `name`, a fresh clone of `name`_tpl, which is migrated and seeded
    (by `python -m seed_module`) whenever a migration, `seed_files` or a package changes."""

    name: str
    seed_module: str
    seed_files: list[Path]
    work: Path
    log: Callable[[str], None] = print

    @property
    def template(self) -> str:
        return f"{self.name}_tpl"

    def _key(self) -> str:
        digest = hashlib.sha256()
        for path in [*sorted(ROOT.glob("tuoguan/*/migrations/*.py")), *self.seed_files]:
            digest.update(path.name.encode() + path.read_bytes())
        for dist in ("Django", "django-axes", "django-tasks", "django-treebeard"):
            digest.update(importlib.metadata.version(dist).encode())
        return digest.hexdigest()[:16]

    def _template_digest(self) -> str | None:
        import psycopg

        with psycopg.connect(f"{SERVER_URL}/postgres", autocommit=True) as conn:
            row = conn.execute(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                [self.template],
            ).fetchone()
        return row[0] if row else None

    def create(self, env: dict[str, str]) -> dict[str, Any]:
        """The database, fresh: a clone of the seeded template (rebuilt when stale)."""
        key = self._key()
        record = self.work / "template.json"
        if self._template_digest() == key and record.exists():
            seeding = {**json.loads(record.read_text()), "template": "reused"}
        else:
            self.log("building the template database (migrations or seeding changed)")
            admin_sql(
                f"DROP DATABASE IF EXISTS {self.template} WITH (FORCE)",
                f"CREATE DATABASE {self.template}",
            )
            template_env = {**env, "DATABASE_URL": f"{SERVER_URL}/{self.template}"}
            started = time.monotonic()
            subprocess.run(
                [PYTHON, "manage.py", "migrate", "--noinput", "-v0"],
                cwd=ROOT,
                env=template_env,
                check=True,
            )
            seeding = {"template": "rebuilt", "migrate_s": round(time.monotonic() - started, 1)}
            seeding.update(subprocess_json(template_env, self.seed_module))
            seeding["built_at"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
            record.write_text(json.dumps(seeding))
            admin_sql(f"COMMENT ON DATABASE {self.template} IS '{key}'")
            self.log(f"template built: {seeding}")
        admin_sql(
            f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)",
            f"CREATE DATABASE {self.name} TEMPLATE {self.template}",
        )
        return seeding

    def drop(self) -> None:
        admin_sql(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")


def versions() -> dict[str, Any]:
    """The stack the figures were measured on (Django set up)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    wrk_banner = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout
    return {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "postgres": postgres,
        "django": importlib.metadata.version("Django"),
        "gunicorn": importlib.metadata.version("gunicorn"),
        "wrk": wrk_banner.split("Copyright")[0].strip(),
    }


def loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]
