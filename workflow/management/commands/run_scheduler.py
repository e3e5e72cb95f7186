"""Run reminders, escalation and the daily digest without Celery beat.

``--once`` runs all three now and exits (for cron or a systemd timer). Without it the
command loops: reminders and escalation every ``--interval`` seconds, the daily digest once
a day from ``--digest-hour`` in ``--digest-zone``. Running two of these (or one beside
Celery beat) sends nothing twice: every step claims its rows first.
"""

from __future__ import annotations

import datetime
import time
import zoneinfo
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections, connection
from django.utils import timezone

from workflow import scheduler


class Command(BaseCommand):
    """Run the engine's scheduled work in this process."""

    help = "Send due reminders, escalate overdue tasks and send daily digests (without beat)."

    def add_arguments(self, parser: CommandParser) -> None:
        """Declare the options."""
        parser.add_argument("--once", action="store_true", help="Run everything once and exit.")
        parser.add_argument(
            "--interval", type=float, default=900.0, help="Seconds between runs (default 900)."
        )
        parser.add_argument(
            "--digest-hour", type=int, default=7, help="Local hour of the daily digest (7)."
        )
        parser.add_argument(
            "--digest-zone", default="Asia/Jakarta", help="Zone of --digest-hour (Asia/Jakarta)."
        )
        parser.add_argument(
            "--max-runs", type=int, default=0, help="Stop after this many runs (0: never)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        """Run once, or loop until interrupted (or ``--max-runs``)."""
        if options["once"]:
            self._report(scheduler.run_once())
            return
        zone = zoneinfo.ZoneInfo(options["digest_zone"])
        last_digest: datetime.date | None = None
        runs = 0
        try:
            while True:
                if not connection.in_atomic_block:
                    # A long-lived loop must not keep a connection the server dropped.
                    close_old_connections()
                now = timezone.now()
                local = now.astimezone(zone)
                digest = local.hour >= options["digest_hour"] and last_digest != local.date()
                self._report(scheduler.run_once(now, digest=digest))
                if digest:
                    last_digest = local.date()
                runs += 1
                if options["max_runs"] and runs >= options["max_runs"]:
                    return
                time.sleep(options["interval"])
        except KeyboardInterrupt:
            self.stdout.write("Stopped.")

    def _report(self, result: dict[str, int]) -> None:
        parts = ", ".join(f"{key}={value}" for key, value in result.items())
        self.stdout.write(f"{timezone.now().isoformat(timespec='seconds')} {parts}")
