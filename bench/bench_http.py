"""Benchmark the unauthenticated entry points (health check, login page) in-process.

Run: .venv/bin/python -m bench.bench_http   (uses a throw-away SQLite database)
"""

from __future__ import annotations

import os
import tempfile


def main() -> None:
    """Migrate a scratch database, then time /healthz and /login/."""
    scratch = tempfile.mkdtemp(prefix="kinerja-bench-")
    os.environ.pop("DATABASE_URL", None)
    os.environ["KINERJA_VAR_DIR"] = scratch
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from bench.harness import measure, report

    call_command("migrate", verbosity=0)
    client = Client(HTTP_HOST="127.0.0.1")

    def get_ok(path: str) -> None:
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")

    report(
        "http",
        [
            measure("GET /healthz", lambda: get_ok("/healthz"), runs=200, target_ms=20),
            measure("GET /login/", lambda: get_ok("/login/"), runs=100, target_ms=50),
        ],
    )


if __name__ == "__main__":
    main()
