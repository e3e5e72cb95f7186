"""Load the demo: the five shipped agencies and their 2026 SKP cycles (idempotent).

A second run adds nothing: the configurations load without a change, an agency whose
demo cycle exists is left alone, and accounts that can sign in keep their passwords.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from processes.organisation.demo import (
    SUPERADMIN,
    DemoLogin,
    DemoPasswords,
    ensure_superadmin,
    row_counts,
)
from processes.skp.demo import all_agency_logins, seed_skp_demo
from workflow.spec import PHASE_ORDER, Phase


def demo_logins() -> list[DemoLogin]:
    """Return the README's logins: the superadmin, then each agency's."""
    return [DemoLogin("Superadmin", SUPERADMIN, name="Admin Sistem")] + [
        DemoLogin(login.role, login.username, agency=login.agency, name=login.name)
        for login in all_agency_logins()
    ]


class Command(BaseCommand):
    """Create the superadmin, the five agencies and their SKP demo, then print the logins."""

    help = "Muat data demo: lima instansi dan siklus SKP 2026-nya (aman dijalankan berulang)."

    def handle(self, *args: Any, **options: Any) -> None:
        """Seed, then print what was made and the demo logins."""
        started = time.perf_counter()
        before = row_counts()
        with transaction.atomic():
            admin, _created = ensure_superadmin()
        logins = demo_logins()
        passwords = DemoPasswords(login.username for login in logins)
        try:
            report = seed_skp_demo(actor=admin)
        except BaseException:
            passwords.cancel()
            raise
        passwords.apply()
        after = row_counts()
        created = sum(after.values()) - sum(before.values())
        seconds = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(f"Data demo siap ({created} rekaman baru, {seconds:.0f} detik).")
        )
        for note in report.notes:
            self.stdout.write(self.style.WARNING(f"  {note}"))
        for agency, phases in report.phases.items():
            spread = ", ".join(
                f"{Phase(phase).label.lower()} {phases[phase]}"
                for phase in PHASE_ORDER
                if phases.get(phase)
            )
            self.stdout.write(f"  {agency}: {sum(phases.values())} SKP ({spread})")
        self.stdout.write("Login demo (sandi akun-akun berikut: demo12345):")
        agency = ""
        for login in logins:
            if login.agency != agency:
                agency = login.agency
                self.stdout.write(f"  {agency}")
            indent = "    " if login.agency else "  "
            self.stdout.write(f"{indent}{login.role:<26} {login.username:<22} {login.name}")
