"""Import units, positions, employees and holdings from an .xlsx or CSV file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from processes.organisation.importer import SHEETS, import_organisation, sheet_named
from processes.organisation.models import Agency, User
from workflow.errors import ActionForbidden


class Command(BaseCommand):
    """Validate a file and, unless --dry-run or a problem is found, import it."""

    help = (
        "Impor unit kerja, jabatan, pegawai dan pemangku jabatan dari berkas .xlsx atau .csv. "
        "Seluruh berkas diperiksa dulu; bila ada masalah, tidak ada yang disimpan."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        """Declare the file, the agency, the actor and the options."""
        parser.add_argument("file", help="Berkas .xlsx atau .csv.")
        parser.add_argument("--agency", required=True, help="Kode instansi.")
        parser.add_argument(
            "--actor", required=True, help="Nama pengguna admin yang melakukan impor."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Hanya periksa; tidak ada yang disimpan."
        )
        parser.add_argument(
            "--sheet", help=f"Untuk CSV: jenis data di berkas ({', '.join(SHEETS)})."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        """Run the import, print progress, every problem and the counts."""
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Berkas {path} tidak ditemukan.")
        agency = Agency.objects.filter(code=options["agency"]).first()
        if agency is None:
            raise CommandError(f"Instansi dengan kode {options['agency']} tidak ditemukan.")
        actor = User.objects.filter(username=options["actor"], is_active=True).first()
        if actor is None:
            raise CommandError(f"Pengguna {options['actor']} tidak ditemukan atau tidak aktif.")
        sheet = options["sheet"]
        if sheet and sheet_named(sheet) is None:
            raise CommandError(
                f"Lembar {sheet} tidak dikenal; pilih salah satu: {', '.join(SHEETS)}."
            )
        dry_run = bool(options["dry_run"])
        mode = " (uji coba: tidak ada yang disimpan)" if dry_run else ""
        self.stdout.write(f"Impor {path.name} ke {agency.name}{mode}")
        shown = -1

        def progress(done: int, total: int) -> None:
            nonlocal shown
            percent = 100 * done // total if total else 100
            if percent // 10 > shown // 10 or done == total:
                shown = percent
                self.stdout.write(f"  {done}/{total} baris ({percent}%)")

        try:
            report = import_organisation(
                actor=actor,
                agency=agency,
                file=path,
                filename=path.name,
                dry_run=dry_run,
                sheet=sheet,
                progress=progress,
            )
        except ActionForbidden as error:
            raise CommandError(str(error)) from error
        for problem in report.problems:
            self.stdout.write(str(problem))
        if not report.ok:
            raise CommandError(
                f"{len(report.problems)} masalah ditemukan; tidak ada data yang disimpan."
            )
        for name, counts in report.counts.items():
            self.stdout.write(
                f"{name}: {counts['created']} baru, {counts['updated']} diubah, "
                f"{counts['unchanged']} tetap"
            )
        verdict = (
            "Berkas valid; jalankan tanpa --dry-run untuk menyimpan."
            if dry_run
            else (f"Selesai: {report.rows} baris diimpor.")
        )
        self.stdout.write(self.style.SUCCESS(verdict))
