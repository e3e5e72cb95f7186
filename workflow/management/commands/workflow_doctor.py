"""Check that every document, its tasks and its permissions agree; optionally repair."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from workflow.actions import repair_case
from workflow.doctor import diagnose_all


class Command(BaseCommand):
    """List each inconsistency; exit non-zero if any remain."""

    help = "Periksa konsistensi dokumen, tugas dan hak akses; --fix memperbaiki yang bisa."

    def add_arguments(self, parser: CommandParser) -> None:
        """Add --fix."""
        parser.add_argument("--fix", action="store_true", help="repair through audited actions")

    def handle(self, *args: Any, **options: Any) -> None:
        """Diagnose, repair if asked, and report what remains."""
        problems = list(diagnose_all())
        if options["fix"] and problems:
            for case_id in sorted({problem.case_id for problem in problems}):
                for line in repair_case(case_id=case_id):
                    self.stdout.write(f"case {case_id}: {line}")
            problems = list(diagnose_all())
        for problem in problems:
            self.stdout.write(str(problem))
        if problems:
            raise CommandError(f"{len(problems)} problem(s) found")
        self.stdout.write(self.style.SUCCESS("OK: no inconsistency found"))
