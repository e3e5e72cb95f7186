"""Attendance import (.xlsx / CSV) by the agency's HR and its summary per evaluation period.

The clock stands at 20 August 2026 in Makassar (WITA): August has begun, September has not.
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import Workbook

from processes.organisation import actions as org_actions
from processes.skp.actions.attendance import AttendanceProblem, import_attendance
from processes.skp.models import AttendanceRecord
from processes.skp.process import periods_of
from processes.skp.selectors import attendance_by_period, attendance_for
from tests.factories.organisation import make_agency, make_nip
from tests.factories.skp import SkpWorld, build_skp_world
from workflow.errors import ActionForbidden
from workflow.models import AuditEntry

# 10:00 WITA, in UTC as timezone.now() gives it.
NOW = datetime.datetime(2026, 8, 20, 2, 0, tzinfo=datetime.UTC)
HEADER = [
    "NIP",
    "Tahun",
    "Bulan",
    "Hari Kerja",
    "Hadir",
    "Terlambat",
    "Cuti/Izin",
    "Tanpa Keterangan",
]


@pytest.fixture
def world(db: None, monkeypatch: pytest.MonkeyPatch) -> SkpWorld:
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    return build_skp_world()


def nip(world: SkpWorld, who: str) -> str:
    return world.org.people[who].nip


def workbook(*rows: list[Any], header: list[str] = HEADER, title: str = "Kehadiran") -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    stream = io.BytesIO()
    book.save(stream)
    stream.seek(0)
    return stream


def stored() -> list[tuple[Any, ...]]:
    return list(
        AttendanceRecord.objects.order_by("employee__name", "year", "month").values_list(
            "employee__name",
            "year",
            "month",
            "working_days",
            "present_days",
            "late_count",
            "leave_days",
            "absent_days",
            "source",
        )
    )


def chain(world: SkpWorld) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(chain=f"attendance:{world.org.agency.pk}").order_by("sequence")
    )


def run(world: SkpWorld, file: Any, filename: str = "absensi.xlsx", **extra: Any) -> Any:
    return import_attendance(
        actor=extra.pop("actor", world.org.admin),
        agency=world.org.agency,
        file=file,
        filename=filename,
        dry_run=extra.pop("dry_run", False),
    )


def test_a_workbook_is_checked_by_a_dry_run_then_imported_and_re_imported(
    world: SkpWorld,
) -> None:
    rows = [
        [nip(world, "kabid"), 2026, 1, 21, 20, 2, 1, 0],
        [nip(world, "kabid"), 2026, 2, 19, 17, 0, 1, 1],
        [nip(world, "kabid"), 2026, 3, 22, 22, 0, 0, 0],
        [],
        [nip(world, "staf1"), 2026, "Januari", 21, 18, None, 3, None],
    ]

    dry = run(world, workbook(*rows), dry_run=True)

    assert (dry.ok, dry.rows, dry.created, dry.updated, dry.unchanged) == (True, 4, 4, 0, 0)
    assert (stored(), chain(world)) == ([], [])

    report = run(world, workbook(*rows))

    assert (report.ok, report.dry_run, report.created, report.updated, report.unchanged) == (
        True,
        False,
        4,
        0,
        0,
    )
    assert stored() == [
        ("Andi Pratama", 2026, 1, 21, 18, 0, 3, 0, "absensi.xlsx"),
        ("Drs. Arifin Lamato", 2026, 1, 21, 20, 2, 1, 0, "absensi.xlsx"),
        ("Drs. Arifin Lamato", 2026, 2, 19, 17, 0, 1, 1, "absensi.xlsx"),
        ("Drs. Arifin Lamato", 2026, 3, 22, 22, 0, 0, 0, "absensi.xlsx"),
    ]
    [row] = chain(world)
    assert (row.actor_id, row.tenant_id, row.case_id, row.payload) == (
        world.org.admin.pk,
        world.org.agency.pk,
        None,
        {
            "event": "attendance_imported",
            "file": "absensi.xlsx",
            "rows": 4,
            "created": 4,
            "updated": 0,
            "unchanged": 0,
        },
    )

    rows[1] = [nip(world, "kabid"), 2026, 2, 19, 18, 0, 1, 0]
    again = run(world, workbook(*rows), filename="absensi-revisi.xlsx")

    assert (again.created, again.updated, again.unchanged) == (0, 1, 3)
    assert stored()[2] == ("Drs. Arifin Lamato", 2026, 2, 19, 18, 0, 1, 0, "absensi-revisi.xlsx")
    assert [entry.payload["updated"] for entry in chain(world)] == [0, 1]


def test_a_csv_with_semicolons_month_names_and_only_the_required_columns(
    world: SkpWorld,
) -> None:
    content = (
        "\ufeffnip;tahun;bulan;hari kerja;hadir\n"
        f"{nip(world, 'guru')};2026;Februari;19;19\n"
        f"'{nip(world, 'guru')[:8]} {nip(world, 'guru')[8:14]} "
        f"{nip(world, 'guru')[14]} {nip(world, 'guru')[15:]};2026;7;23;21\n"
    ).encode()

    report = run(world, io.BytesIO(content), filename="kehadiran.csv")

    assert (report.ok, report.created) == (True, 2)
    assert stored() == [
        ("Fitriani Daud", 2026, 2, 19, 19, 0, 0, 0, "kehadiran.csv"),
        ("Fitriani Daud", 2026, 7, 23, 21, 0, 0, 0, "kehadiran.csv"),
    ]


def test_every_problem_is_reported_with_its_row_and_column_and_nothing_is_written(
    world: SkpWorld,
) -> None:
    kabid = nip(world, "kabid")
    report = run(
        world,
        workbook(
            [kabid, 2026, 1, 21, 20, 0, 1, 0],
            [1.98609262015051e17, 2026, 1, 21, 20, 0, 0, 0],
            ["1986 0926", 2026, 1, 21, 20, 0, 0, 0],
            [kabid, 1999, 13, 21, 20, 0, 0, 0],
            [kabid, 2026, 9, 21, 20, 0, 0, 0],
            [kabid, 2026, 4, 0, 0, 0, 0, 0],
            [kabid, 2026, 5, 20, 21, 22, 0, 0],
            [kabid, 2026, 6, 20, 18, 0, 2, 1],
            [kabid, 2026, 7, 20.5, "dua", -1, 0, 0],
        ),
    )

    assert (report.ok, report.rows, report.created) == (False, 9, 0)
    assert [(p.row, p.column, p.message) for p in report.problems] == [
        (
            3,
            "NIP",
            "NIP tersimpan sebagai angka di Excel dan kehilangan digit; "
            "format kolom NIP sebagai Teks.",
        ),
        (4, "NIP", "Nomor pegawai harus 18 digit, bukan 8 digit."),
        (5, "Tahun", "Isi tahun dengan empat angka, mis. 2026."),
        (5, "Bulan", "Isi bulan dengan angka 1 sampai 12 atau nama bulan."),
        (6, "Bulan", "Bulan ini belum berjalan."),
        (7, "Hari Kerja", "Hari kerja harus antara 1 dan 31."),
        (8, "Hadir", "Hadir (21) melebihi hari kerja (20)."),
        (8, "Terlambat", "Terlambat (22) melebihi jumlah hadir (21)."),
        (9, "Hari Kerja", "Hadir + Cuti/Izin + Tanpa Keterangan (21) melebihi hari kerja (20)."),
        (10, "Hari Kerja", "Isi dengan bilangan bulat 0 atau lebih."),
        (10, "Hadir", "Isi dengan bilangan bulat 0 atau lebih."),
        (10, "Terlambat", "Isi dengan bilangan bulat 0 atau lebih."),
    ]
    assert str(report.problems[5]) == "Baris 7, kolom Hari Kerja: Hari kerja harus antara 1 dan 31."
    assert (stored(), chain(world)) == ([], [])


def test_unknown_people_and_repeated_months_are_found_across_the_file(
    world: SkpWorld,
) -> None:
    other_agency, other_admin = make_agency("lain")
    stranger = org_actions.create_employee(
        actor=other_admin, agency=other_agency, nip=make_nip(), name="Pegawai Lain", password="x"
    )
    kabid = nip(world, "kabid")
    report = run(
        world,
        workbook(
            [kabid, 2026, 1, 21, 20, 0, 1, 0],
            [stranger.nip, 2026, 1, 21, 20, 0, 1, 0],
            [kabid, 2026, "jan", 21, 19, 0, 1, 0],
        ),
    )

    assert report.problems == [
        AttendanceProblem(3, "NIP", "NIP tidak terdaftar sebagai pegawai instansi ini."),
        AttendanceProblem(4, "NIP", "Data pegawai ini untuk bulan 1/2026 sudah ada di baris 2."),
    ]
    assert stored() == []


def test_the_files_shape_is_checked_first(world: SkpWorld) -> None:
    missing = run(world, workbook([nip(world, "kabid"), 2026, 1], header=["NIP", "Tahun", "Bulan"]))
    assert [(p.row, p.column, p.message) for p in missing.problems] == [
        (1, "Hari Kerja", "Kolom wajib tidak ada."),
        (1, "Hadir", "Kolom wajib tidak ada."),
    ]
    repeated = run(world, workbook(header=[*HEADER, "Hadir"]))
    assert [str(p) for p in repeated.problems] == ["Baris 1, kolom Hadir: Kolom ini ada dua kali."]
    assert [str(p) for p in run(world, workbook()).problems] == [
        "Berkas: Berkas tidak berisi data kehadiran."
    ]
    for content, filename, message in [
        (b"NIP,Tahun", "absensi.txt", "Berkas harus berformat .xlsx atau .csv."),
        (
            b"bukan zip",
            "absensi.xlsx",
            "Berkas tidak dapat dibaca sebagai buku kerja Excel (.xlsx).",
        ),
        (b"\xff\xfeN\x00", "absensi.csv", "Berkas CSV harus disimpan sebagai CSV UTF-8."),
        (b"", "absensi.xls", "Format .xls (Excel 97-2003) tidak didukung; simpan sebagai .xlsx."),
    ]:
        report = run(world, io.BytesIO(content), filename=filename)
        assert [(p.row, p.column, p.message) for p in report.problems] == [(0, "", message)]
    assert stored() == []


def test_only_the_agencys_hr_imports(world: SkpWorld) -> None:
    _agency, other_admin = make_agency("lain")
    for actor in (world.user("kabid"), world.user("kadis"), other_admin):
        with pytest.raises(ActionForbidden) as raised:
            run(world, workbook([nip(world, "kabid"), 2026, 1, 21, 20, 0, 1, 0]), actor=actor)
        assert str(raised.value) == (
            "Hanya admin kepegawaian instansi ini yang boleh melakukannya."
        )
    assert (stored(), chain(world)) == ([], [])


def test_attendance_is_summed_per_period(world: SkpWorld) -> None:
    run(
        world,
        workbook(
            [nip(world, "kabid"), 2026, 1, 21, 20, 2, 1, 0],
            [nip(world, "kabid"), 2026, 2, 19, 17, 0, 1, 1],
            [nip(world, "kabid"), 2026, 3, 22, 22, 0, 0, 0],
            [nip(world, "kabid"), 2026, 7, 23, 20, 1, 3, 0],
        ),
    )
    skp = world.skp("kabid")
    first, _second, third, fourth = periods_of(skp)

    q1 = attendance_for(skp, first)
    assert (q1.working_days, q1.present_days, q1.late_count, q1.leave_days, q1.absent_days) == (
        62,
        59,
        2,
        2,
        1,
    )
    assert (q1.present_percent, q1.missing_months, q1.complete, len(q1.records)) == (
        Decimal("95.16"),
        (),
        True,
        3,
    )
    q3 = attendance_for(skp, third)
    # August has begun without figures; September has not begun, so it is not missing yet.
    assert (q3.present_percent, q3.missing_months, q3.complete) == (Decimal("86.96"), (8,), False)
    q4 = attendance_for(skp, fourth)
    assert (q4.present_percent, q4.missing_months, q4.records) == (None, (), ())
    summaries = attendance_by_period(skp)
    assert {index: summary.present_percent for index, summary in summaries.items()} == {
        1: Decimal("95.16"),
        2: None,
        3: Decimal("86.96"),
        4: None,
    }
    assert summaries[2].missing_months == (4, 5, 6)
