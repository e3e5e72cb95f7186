"""Load the shipped agency configurations (idempotent: a second run changes nothing)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from processes.organisation.models import User
from processes.skp.agencies import shipped_codes
from processes.skp.agencies.loader import ConfigError, load_agency
from workflow.errors import WorkflowError


class Command(BaseCommand):
    """Apply ``processes/skp/agencies/configs/*.json`` through the actions."""

    help = "Muat konfigurasi instansi bawaan (aman dijalankan berulang)."

    def add_arguments(self, parser: CommandParser) -> None:
        """Declare --only, --actor and --password."""
        parser.add_argument(
            "--only",
            nargs="+",
            metavar="CODE",
            help=f"Hanya instansi ini ({', '.join(shipped_codes())}).",
        )
        parser.add_argument(
            "--actor",
            metavar="USERNAME",
            help="Admin sistem yang tercatat sebagai pelaku (bawaan: superuser pertama).",
        )
        parser.add_argument(
            "--password",
            help=(
                "Sandi untuk akun baru yang ditandai login dan admin kepegawaian; tanpa ini "
                "akun baru belum bisa masuk sampai sandinya diatur."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        """Load each chosen configuration and report what changed."""
        codes = [code.replace("-", "_") for code in options["only"] or shipped_codes()]
        unknown = sorted(set(codes) - set(shipped_codes()))
        if unknown:
            raise CommandError(f"Konfigurasi tidak dikenal: {', '.join(unknown)}")
        superusers = User.objects.filter(is_superuser=True, is_active=True).order_by("pk")
        actor = (
            superusers.filter(username=options["actor"]).first()
            if options["actor"]
            else superusers.first()
        )
        if actor is None:
            raise CommandError(
                "Perlu admin sistem (superuser) aktif: jalankan createsuperuser atau seed_demo."
            )
        for code in codes:
            try:
                loaded = load_agency(code, actor=actor, password=options["password"])
            except (ConfigError, WorkflowError) as error:
                raise CommandError(f"{code}: {error}") from error
            agency = loaded.agency
            if loaded.changes:
                message = f"{agency.name}: {loaded.changes} perubahan."
            else:
                message = f"{agency.name}: sudah sesuai, tidak ada perubahan."
            self.stdout.write(self.style.SUCCESS(message))
            self.stdout.write(
                f"  {len(loaded.units)} unit, {len(loaded.positions)} jabatan, "
                f"{len(loaded.employees)} pegawai, templat {loaded.template.code}, "
                f"admin kepegawaian {loaded.admin.username}"
            )
