"""Benchmark the organisation import: 1,000 and 10,000 employees, dry run and commit, on SQLite.

Run: .venv/bin/python -m bench.bench_import   (uses a throw-away SQLite database)

Each file has one OPD with 20 sub-units, 81 positions, N employees and one holding per
employee (2N + 102 data rows). Each measurement times three runs, each on a fresh agency
(a commit with its own NIPs, which are unique across agencies), without tracing; one more
run under tracemalloc gives the peak of Python memory (tracing slows Python down, so its
time is not the one reported). "re-import" imports the same file into the agency it was
committed to: every row is compared and found unchanged, nothing is written but the audit
row. The p95 column holds the slowest of the three runs.
"""

from __future__ import annotations

import datetime
import io
import os
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from functools import partial
from typing import Any

SUBUNITS = 20
STAFF_POSTS_PER_UNIT = 3
START = datetime.date(2024, 1, 1)
RUNS = 3
POSITION_HEADER = [
    "Kode Jabatan",
    "Nama Jabatan",
    "Kode Unit",
    "Jenis Jabatan",
    "Jenjang",
    "Kode Jabatan Atasan",
    "Kepala Unit",
]


def data_rows(employees: int) -> int:
    """Return the data rows of ``synthetic_workbook(employees)``."""
    units = 1 + SUBUNITS
    positions = 1 + SUBUNITS * (1 + STAFF_POSTS_PER_UNIT)
    return units + positions + 2 * employees


def synthetic_nip(index: int) -> str:
    """Return the ``index``-th of up to ~10 million distinct valid PNS NIPs."""
    born = datetime.date(1970, 1, 1) + datetime.timedelta(days=index // 999 % 10_000)
    appointed = born.year + 24
    month = index % 12 + 1
    sex = "1" if index % 2 == 0 else "2"
    return f"{born:%Y%m%d}{appointed}{month:02d}{sex}{index % 999 + 1:03d}"


def synthetic_workbook(employees: int, first: int = 0) -> bytes:
    """Return an .xlsx (written streaming) with one agency's tree and ``employees`` holders.

    Their NIPs are the ``first``-th and following of ``synthetic_nip``.
    """
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    units = workbook.create_sheet("Unit Kerja")
    units.append(["Kode Unit", "Nama Unit", "Jenis", "Kode Unit Induk"])
    units.append(["OPD", "Dinas Uji", "OPD", None])
    positions = workbook.create_sheet("Jabatan")
    positions.append(POSITION_HEADER)
    positions.append(["KADIS", "Kepala Dinas Uji", "OPD", "JPT", None, None, "Ya"])
    staff_posts: list[str] = []
    for unit in range(1, SUBUNITS + 1):
        unit_code, head = f"U{unit:02d}", f"KABID{unit:02d}"
        units.append([unit_code, f"Bidang Uji {unit}", "Sub-unit", "OPD"])
        positions.append(
            [head, f"Kepala Bidang {unit}", unit_code, "Administrator", None, "KADIS", "Ya"]
        )
        for post in range(1, STAFF_POSTS_PER_UNIT + 1):
            code = f"STAF{unit:02d}-{post}"
            level, kind = ("Ahli Pertama", "Fungsional") if post == 1 else (None, "Pelaksana")
            positions.append([code, f"Staf {unit}.{post}", unit_code, kind, level, head, "Tidak"])
            staff_posts.append(code)
    people = workbook.create_sheet("Pegawai")
    people.append(["NIP", "Nama", "Jenis Pegawai", "Jenis Kelamin", "Email"])
    holdings = workbook.create_sheet("Pemangku Jabatan")
    holdings.append(["NIP", "Kode Jabatan", "Mulai", "Selesai", "Nomor SK"])
    for index in range(first, first + employees):
        nip = synthetic_nip(index)
        people.append([nip, f"Pegawai Uji {index}", "PNS", None, f"p{index}@uji.go.id"])
        holdings.append(
            [nip, staff_posts[index % len(staff_posts)], START, None, f"SK/{index}/2024"]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def main() -> None:
    """Migrate a scratch database, then time dry runs, commits and re-imports."""
    scratch = tempfile.mkdtemp(prefix="kinerja-bench-")
    os.environ.pop("DATABASE_URL", None)
    os.environ["KINERJA_VAR_DIR"] = scratch
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.core.management import call_command

    from bench.harness import Measurement, report
    from processes.organisation.importer import import_organisation
    from processes.organisation.models import Agency, User

    call_command("migrate", verbosity=0)
    agencies = iter(range(1, 1000))

    def fresh_agency() -> tuple[Agency, User]:
        number = next(agencies)
        agency = Agency.objects.create(name=f"Instansi {number}", code=f"bench-{number}")
        admin = User.objects.create_user(
            f"admin-bench-{number}", agency=agency, is_agency_admin=True
        )
        return agency, admin

    def run(data: bytes, *, dry_run: bool, target: tuple[Agency, User] | None = None) -> Any:
        agency, admin = target or fresh_agency()
        result = import_organisation(
            actor=admin,
            agency=agency,
            file=io.BytesIO(data),
            filename="bench.xlsx",
            dry_run=dry_run,
        )
        if not result.ok:
            raise SystemExit(f"unexpected problems: {result.problems[:5]}")
        return (agency, admin), result

    def one(name: str, action: Callable[[bytes], object], make: Callable[[], bytes]) -> Measurement:
        """Time RUNS runs, then trace the memory of one more; each run on its own data."""
        timings: list[float] = []
        for _ in range(RUNS):
            data = make()
            started = time.perf_counter()
            action(data)
            timings.append((time.perf_counter() - started) * 1000)
        data = make()
        tracemalloc.start()
        action(data)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        timings.sort()
        median = statistics.median(timings)
        print(f"  {name}: {median / 1000:.2f} s, peak {peak / 1024 / 1024:.1f} MiB", flush=True)
        return Measurement(
            name=name,
            runs=RUNS,
            median_ms=round(median, 1),
            p95_ms=round(timings[-1], 1),
            max_ms=round(timings[-1], 1),
            peak_kib=round(peak / 1024, 1),
            target_ms=None,
            passed=None,
        )

    measurements: list[Measurement] = []
    offsets = iter(range(0, 10_000_000, 20_000))  # each committed file has its own NIPs
    for employees in (1_000, 10_000):
        label = f"{employees:,} employees ({data_rows(employees):,} rows)"
        same = synthetic_workbook(employees, first=next(offsets))
        print(f"{label}: {len(same) / 1024:.0f} KiB xlsx", flush=True)

        def fresh(employees: int = employees) -> bytes:
            return synthetic_workbook(employees, first=next(offsets))

        def again(same: bytes = same) -> bytes:
            return same

        measurements.append(one(f"{label} dry run", partial(run, dry_run=True), again))
        measurements.append(one(f"{label} commit", partial(run, dry_run=False), fresh))
        committed, _result = run(same, dry_run=False)
        measurements.append(
            one(f"{label} re-import", partial(run, dry_run=False, target=committed), again)
        )
    report("import", measurements)


if __name__ == "__main__":
    main()
