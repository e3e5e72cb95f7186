"""Verify the audit log's hash chains: report edited and deleted rows."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from workflow.audit import verify_all


class Command(BaseCommand):
    """Exit non-zero when any chain is broken."""

    help = "Periksa rantai hash jejak audit; laporkan baris yang diubah atau dihapus."

    def handle(self, *args: Any, **options: Any) -> None:
        """Walk every chain and print each problem."""
        problems = list(verify_all())
        for problem in problems:
            self.stdout.write(f"{problem.chain} #{problem.sequence}: {problem.message}")
        if problems:
            raise CommandError(f"{len(problems)} audit problem(s) found")
        self.stdout.write(self.style.SUCCESS("OK: every audit chain is intact"))
