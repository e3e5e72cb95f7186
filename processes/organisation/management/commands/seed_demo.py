"""Load demo data: idempotent, so running it twice adds nothing twice."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from processes.organisation.demo import DEMO_LOGINS, seed_demo


class Command(BaseCommand):
    """Create the demo agency, an admin and example users (idempotent)."""

    help = "Muat data demo (aman dijalankan berulang)."

    def handle(self, *args: Any, **options: Any) -> None:
        """Seed, then print the demo logins."""
        with transaction.atomic():
            created = seed_demo()
        self.stdout.write(self.style.SUCCESS(f"Data demo siap ({created} rekaman baru)."))
        self.stdout.write("Login demo:")
        for login in DEMO_LOGINS:
            self.stdout.write(f"  {login.role:<28} {login.username:<24} sandi: {login.password}")
