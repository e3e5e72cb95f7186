"""Importing units, positions, employees and holdings from .xlsx and CSV files."""

from __future__ import annotations

import datetime
import io
import itertools
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from bench.bench_import import synthetic_workbook
from processes.organisation import actions, importer
from processes.organisation.importer import (
    NIP_AS_NUMBER,
    SHEETS,
    ImportProblem,
    ImportReport,
    import_organisation,
    template_workbook,
)
from processes.organisation.models import (
    Agency,
    Employee,
    EmployeeStatusPeriod,
    OrganisationChange,
    Position,
    PositionHolding,
    ReportingLineChange,
    Unit,
    User,
)
from tests.factories.organisation import Org, build_org, make_agency
from workflow.errors import ActionForbidden
from workflow.models import AuditEntry

Rows = list[list[object]]
SAMPLES = Path(__file__).resolve().parents[2] / "processes" / "organisation" / "samples"
UNIT_HEADER: list[object] = ["Kode Unit", "Nama Unit", "Jenis", "Kode Unit Induk"]
POSITION_HEADER: list[object] = [
    "Kode Jabatan",
    "Nama Jabatan",
    "Kode Unit",
    "Jenis Jabatan",
    "Jenjang",
    "Kode Jabatan Atasan",
    "Kepala Unit",
]
EMPLOYEE_HEADER: list[object] = [
    "NIP",
    "Nama",
    "Jenis Pegawai",
    "Jenis Kelamin",
    "Email",
    "Status",
    "Status Sejak",
]
HOLDING_HEADER: list[object] = ["NIP", "Kode Jabatan", "Mulai", "Selesai", "Nomor SK"]

# Valid numbers: a PNS man, a PNS woman, a PPPK woman (digits 13-14 "21" are no month).
NIP_MAN = "198703122011011004"
NIP_WOMAN = "199105082015032007"
PPPK = "199402172022212015"
D = datetime.date


def xlsx(sheets: Mapping[str, Sequence[Sequence[object]]]) -> io.BytesIO:
    """Return a workbook with the given sheets and rows (the first row is the header)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        worksheet = workbook.create_sheet(name)
        for row in rows:
            worksheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def run(
    agency: Agency,
    actor: User,
    file: io.BytesIO | Path,
    *,
    dry_run: bool = False,
    filename: str = "data.xlsx",
    sheet: str | None = None,
) -> ImportReport:
    return import_organisation(
        actor=actor, agency=agency, file=file, filename=filename, dry_run=dry_run, sheet=sheet
    )


def snapshot() -> tuple[int, ...]:
    return (
        Unit.objects.count(),
        Position.objects.count(),
        Employee.objects.count(),
        PositionHolding.objects.count(),
        User.objects.count(),
        EmployeeStatusPeriod.objects.count(),
        AuditEntry.objects.count(),
    )


def counts(created: int = 0, updated: int = 0, unchanged: int = 0) -> dict[str, int]:
    return {"created": created, "updated": updated, "unchanged": unchanged}


@pytest.fixture
def agency(db: None) -> tuple[Agency, User]:
    return make_agency("impor")


def valid_sheets() -> dict[str, Rows]:
    """A small agency: three unit levels, a functional post, a PPPK and a status."""
    return {
        "Unit Kerja": [
            UNIT_HEADER,
            ["DISKES", "Dinas Kesehatan", "OPD", None],
            ["YANKES", "Bidang Pelayanan", "Sub-unit", "DISKES"],
            ["SEKSI", "Seksi Rujukan", None, "YANKES"],
        ],
        "Jabatan": [
            POSITION_HEADER,
            ["KADIS", "Kepala Dinas Kesehatan", "DISKES", "JPT", None, None, "Ya"],
            ["KABID", "Kepala Bidang Pelayanan", "YANKES", "Administrator", None, "KADIS", "Ya"],
            [
                "PERAWAT",
                "Perawat Ahli Pertama",
                "SEKSI",
                "fungsional",
                "ahli_pertama",
                "KABID",
                None,
            ],
        ],
        "Pegawai": [
            EMPLOYEE_HEADER,
            ["19870312 201101 1 004", "Budi Santoso", "PNS", None, "budi@diskes.go.id", None, None],
            [NIP_WOMAN, "Ani Wulandari", None, "P", None, "Tugas Belajar", D(2026, 2, 1)],
            [PPPK, "Citra Lestari", "PPPK", None, None, None, None],
        ],
        "Pemangku Jabatan": [
            HOLDING_HEADER,
            [NIP_MAN, "KADIS", D(2024, 1, 2), None, "800/1/2024"],
            [NIP_WOMAN, "KABID", "02-01-2024", None, None],
            [PPPK, "PERAWAT", "2023-12-01", None, "PPPK/2023/15"],
        ],
    }


# A valid file ----------------------------------------------------------------------------


def test_valid_file_commits_exactly_the_expected_rows(agency: tuple[Agency, User]) -> None:
    instance, admin = agency

    report = run(instance, admin, xlsx(valid_sheets()), filename="dinkes.xlsx")

    assert report.problems == []
    assert report.ok
    assert report.rows == 12
    assert report.counts == {
        "Unit Kerja": counts(created=3),
        "Jabatan": counts(created=3),
        "Pegawai": counts(created=3),
        "Pemangku Jabatan": counts(created=3),
    }
    dinas, bidang, seksi = (Unit.objects.get(code=code) for code in ("DISKES", "YANKES", "SEKSI"))
    # Paths as actions.create_unit writes them.
    assert (dinas.parent, dinas.path, dinas.kind) == (None, f"/{dinas.pk}/", "opd")
    assert (bidang.parent, bidang.path, bidang.kind) == (
        dinas,
        f"/{dinas.pk}/{bidang.pk}/",
        "subunit",
    )
    assert (seksi.path, seksi.kind) == (f"{bidang.path}{seksi.pk}/", "subunit")
    kadis, kabid, perawat = (Position.objects.get(code=c) for c in ("KADIS", "KABID", "PERAWAT"))
    assert (kadis.kind, kadis.reports_to, kadis.is_unit_head, kadis.unit) == (
        "jpt",
        None,
        True,
        dinas,
    )
    assert (kabid.reports_to, kabid.is_unit_head) == (kadis, True)
    assert (perawat.kind, perawat.functional_level, perawat.reports_to, perawat.unit) == (
        "fungsional",
        "ahli_pertama",
        kabid,
        seksi,
    )
    assert not perawat.is_unit_head
    budi = Employee.objects.get(nip=NIP_MAN)
    assert (budi.agency, budi.name, budi.employee_type, budi.sex, budi.email) == (
        instance,
        "Budi Santoso",
        "pns",
        "1",
        "budi@diskes.go.id",
    )
    assert budi.user is not None
    assert (budi.user.username, budi.user.agency, budi.user.first_name, budi.user.last_name) == (
        NIP_MAN,
        instance,
        "Budi",
        "Santoso",
    )
    assert budi.user.email == "budi@diskes.go.id"
    assert not budi.user.has_usable_password()
    citra = Employee.objects.get(nip=PPPK)
    assert (citra.employee_type, citra.sex) == ("pppk", "2")
    ani = Employee.objects.get(nip=NIP_WOMAN)
    assert list(ani.status_periods.values_list("status", "starts_on", "ends_on")) == [
        ("study_leave", D(2026, 2, 1), None)
    ]
    holdings = PositionHolding.objects.order_by("employee__nip").values_list(
        "agency_id", "employee__nip", "position__code", "starts_on", "ends_on", "reference"
    )
    assert list(holdings) == [
        (instance.pk, NIP_MAN, "KADIS", D(2024, 1, 2), None, "800/1/2024"),
        (instance.pk, NIP_WOMAN, "KABID", D(2024, 1, 2), None, ""),
        (instance.pk, PPPK, "PERAWAT", D(2023, 12, 1), None, "PPPK/2023/15"),
    ]
    entry = AuditEntry.objects.get(chain=f"org:{instance.pk}")
    assert (entry.tenant_id, entry.actor_id) == (instance.pk, admin.pk)
    assert entry.payload == {
        "event": "organisation_imported",
        "file": "dinkes.xlsx",
        "counts": report.counts,
    }


def test_reimporting_the_same_file_changes_nothing(agency: tuple[Agency, User]) -> None:
    instance, admin = agency
    run(instance, admin, xlsx(valid_sheets()))
    before = snapshot()

    report = run(instance, admin, xlsx(valid_sheets()))

    assert report.problems == []
    assert report.counts == {sheet: counts(unchanged=3) for sheet in SHEETS}
    # Only the audit row of the second import is new.
    assert snapshot() == (*before[:-1], before[-1] + 1)


def test_dry_run_of_a_valid_file_reports_the_counts_and_writes_nothing(
    agency: tuple[Agency, User],
) -> None:
    instance, admin = agency
    before = snapshot()

    report = run(instance, admin, xlsx(valid_sheets()), dry_run=True)

    assert report.ok
    assert report.dry_run
    assert report.counts == {sheet: counts(created=3) for sheet in SHEETS}
    assert snapshot() == before


def test_an_update_by_nip_changes_the_name_and_the_account(agency: tuple[Agency, User]) -> None:
    instance, admin = agency
    run(instance, admin, xlsx(valid_sheets()))
    sheets: dict[str, Rows] = {
        "Pegawai": [
            ["nip", "NAMA"],  # headers in another case; no e-mail column: the e-mail stays
            ["19870312 201101 1 004", "Drs. Budi Santoso Wibowo"],
            [NIP_WOMAN, "Ani Wulandari"],
        ]
    }

    report = run(instance, admin, xlsx(sheets))

    assert report.counts["Pegawai"] == counts(updated=1, unchanged=1)
    budi = Employee.objects.select_related("user").get(nip=NIP_MAN)
    assert (budi.name, budi.email, budi.sex) == (
        "Drs. Budi Santoso Wibowo",
        "budi@diskes.go.id",
        "1",
    )
    assert budi.user is not None
    assert (budi.user.first_name, budi.user.last_name) == ("Drs.", "Budi Santoso Wibowo")
    assert Employee.objects.count() == 3


def test_an_existing_holding_gets_its_end_date_and_the_next_post(
    agency: tuple[Agency, User],
) -> None:
    instance, admin = agency
    run(instance, admin, xlsx(valid_sheets()))
    moved = {
        "Pemangku Jabatan": [
            HOLDING_HEADER,
            [NIP_WOMAN, "KABID", D(2024, 1, 2), D(2025, 12, 31), None],
            [NIP_WOMAN, "KADIS", D(2026, 1, 1), None, "800/9/2025"],
        ]
    }

    report = run(instance, admin, xlsx(moved))

    assert report.problems == []
    assert report.counts["Pemangku Jabatan"] == counts(created=1, updated=1)
    assert list(
        PositionHolding.objects.filter(employee__nip=NIP_WOMAN)
        .order_by("starts_on")
        .values_list("position__code", "starts_on", "ends_on", "reference")
    ) == [
        ("KABID", D(2024, 1, 2), D(2025, 12, 31), ""),
        ("KADIS", D(2026, 1, 1), None, "800/9/2025"),
    ]


# Every problem, and nothing written ------------------------------------------------------


def test_dry_run_reports_every_problem_with_sheet_row_and_column(
    agency: tuple[Agency, User],
) -> None:
    instance, admin = agency
    elsewhere, _other_admin = make_agency("lain")
    actions.create_employee(
        actor=_other_admin, agency=elsewhere, nip="198001012005011003", name="X"
    )
    sheets: dict[str, Rows] = {
        "Unit Kerja": [
            [*UNIT_HEADER, "Keterangan"],
            ["DINAS", "Dinas Uji", "OPD", None],
            ["BID", None, "Bidang", "DINAS"],
            ["BID2", "Bidang Dua", "Sub-unit", "NOPE"],
            ["DINAS", "Dinas Lagi", "OPD", None],
            ["L1", "Lingkar Satu", "subunit", "L2"],
            ["L2", "Lingkar Dua", "subunit", "L1"],
        ],
        "Jabatan": [
            POSITION_HEADER,
            ["KADIS", "Kepala Dinas", "DINAS", "JPT", None, None, "Ya"],
            ["JF", "Analis", "DINAS", "Fungsional", None, "KADIS", "Tidak"],
            ["STAF", "Staf", "XUNIT", "Pelaksana", None, "KADIS", None],
            ["BOS", "Bos", "DINAS", "Kepala", None, "ZZZ", None],
            ["A1", "Satu", "DINAS", "Pelaksana", None, "A2", "mungkin"],
            ["A2", "Dua", "DINAS", "Pengawas", "Ahli Muda", "A1", None],
        ],
        "Pegawai": [
            EMPLOYEE_HEADER,
            [NIP_MAN, "Budi", None, None, None, None, None],
            ["198703122011131004", "Bulan Salah", None, None, None, None, None],
            [1.98609262015051e17, "Angka", None, None, None, None, None],
            ["1987 0312 2011 0110 04", "Kembar", None, None, None, None, None],
            [PPPK, "PPPK Benar", "PPPK", None, None, None, None],
            ["199402172022212016", "PPPK Salah Jenis", "PNS", None, None, None, None],
            [NIP_WOMAN, "Ani", None, "X", None, "Pensiun", None],
            ["198905052014021001", "Salah Kelamin", None, "P", None, None, None],
            ["198001012005011003", "Instansi Lain", None, None, None, None, None],
            ["199001012015011002", "Surel", None, None, "bukan-surel", None, "2025-01-01"],
        ],
        "Pemangku Jabatan": [
            HOLDING_HEADER,
            [NIP_MAN, "KADIS", D(2024, 1, 1), None, None],
            [NIP_MAN, "STAF", D(2024, 6, 1), None, None],
            ["199912312020121001", "KADIS", D(2024, 1, 1), None, None],
            [PPPK, "JF", D(2024, 5, 1), D(2024, 4, 30), None],
            [NIP_WOMAN, "NOPE", D(2024, 1, 1), None, None],
            [NIP_WOMAN, "JF", "31/02/2024", None, None],
            [NIP_WOMAN, "JF", None, None, None],
        ],
    }
    before = snapshot()

    report = run(instance, admin, xlsx(sheets), dry_run=True)

    assert [(p.sheet, p.row, p.column, p.message) for p in report.problems] == [
        (
            "Unit Kerja",
            1,
            "Keterangan",
            "Kolom tidak dikenal. Kolom lembar ini: Kode Unit, Nama Unit, Jenis, Kode Unit Induk.",
        ),
        ("Unit Kerja", 3, "Nama Unit", "Wajib diisi."),
        (
            "Unit Kerja",
            3,
            "Jenis",
            'Nilai "Bidang" tidak dikenal; isi dengan OPD, Sub-unit atau UPT.',
        ),
        (
            "Unit Kerja",
            4,
            "Kode Unit Induk",
            "Unit induk NOPE tidak ada di lembar Unit Kerja maupun di data instansi.",
        ),
        ("Unit Kerja", 5, "Kode Unit", "Kode unit DINAS sudah dipakai di baris 2."),
        ("Unit Kerja", 6, "Kode Unit Induk", "Unit induk membentuk lingkaran: L1 → L2 → L1."),
        ("Unit Kerja", 7, "Kode Unit Induk", "Unit induk membentuk lingkaran: L2 → L1 → L2."),
        ("Jabatan", 3, "Jenjang", "Jabatan fungsional harus punya jenjang."),
        (
            "Jabatan",
            4,
            "Kode Unit",
            "Unit XUNIT tidak ada di lembar Unit Kerja maupun di data instansi.",
        ),
        (
            "Jabatan",
            5,
            "Jenis Jabatan",
            'Nilai "Kepala" tidak dikenal; isi dengan JPT, Administrator, Pengawas, Fungsional atau Pelaksana.',
        ),
        (
            "Jabatan",
            5,
            "Kode Jabatan Atasan",
            "Jabatan atasan ZZZ tidak ada di lembar Jabatan maupun di data instansi.",
        ),
        ("Jabatan", 6, "Kepala Unit", 'Nilai "mungkin" tidak dikenal; isi dengan Ya atau Tidak.'),
        ("Jabatan", 6, "Kode Jabatan Atasan", "Garis atasan membentuk lingkaran: A1 → A2 → A1."),
        ("Jabatan", 7, "Jenjang", "Hanya jabatan fungsional yang punya jenjang."),
        ("Jabatan", 7, "Kode Jabatan Atasan", "Garis atasan membentuk lingkaran: A2 → A1 → A2."),
        ("Pegawai", 3, "NIP", "Digit 13-14 adalah bulan pengangkatan dan harus 01-12, bukan 13."),
        ("Pegawai", 4, "NIP", NIP_AS_NUMBER),
        ("Pegawai", 5, "NIP", f"NIP {NIP_MAN} sudah ada di baris 2."),
        ("Pegawai", 7, "NIP", "Digit 13-14 adalah bulan pengangkatan dan harus 01-12, bukan 21."),
        ("Pegawai", 8, "Jenis Kelamin", 'Nilai "X" tidak dikenal; isi dengan L atau P.'),
        ("Pegawai", 8, "Status Sejak", "Wajib diisi bila Status bukan Aktif."),
        ("Pegawai", 9, "Jenis Kelamin", "Jenis kelamin tidak sesuai dengan digit ke-15 NIP."),
        ("Pegawai", 10, "NIP", "NIP ini sudah terdaftar di instansi lain."),
        ("Pegawai", 11, "Status", "Wajib diisi bila Status Sejak diisi."),
        ("Pegawai", 11, "Email", "Masukkan alamat email yang valid."),
        (
            "Pemangku Jabatan",
            3,
            "Mulai",
            "Masa jabatan beririsan dengan baris 2 (KADIS mulai 01-01-2024).",
        ),
        (
            "Pemangku Jabatan",
            4,
            "NIP",
            "NIP 199912312020121001 tidak ada di lembar Pegawai maupun di data instansi.",
        ),
        ("Pemangku Jabatan", 5, "Selesai", "Tanggal selesai tidak boleh sebelum tanggal mulai."),
        (
            "Pemangku Jabatan",
            6,
            "Kode Jabatan",
            "Jabatan NOPE tidak ada di lembar Jabatan maupun di data instansi.",
        ),
        (
            "Pemangku Jabatan",
            7,
            "Mulai",
            'Tanggal "31/02/2024" tidak dikenali; gunakan sel tanggal Excel atau TTTT-BB-HH, HH-BB-TTTT, HH/BB/TTTT.',
        ),
        ("Pemangku Jabatan", 8, "Mulai", "Wajib diisi."),
    ]
    assert not report.ok
    assert report.counts == {sheet: counts() for sheet in SHEETS}
    assert report.rows == 29
    assert snapshot() == before


def test_a_file_with_one_problem_writes_nothing_when_committed(agency: tuple[Agency, User]) -> None:
    instance, admin = agency
    sheets = valid_sheets()
    sheets["Pemangku Jabatan"].append([PPPK, "KABID", D(2024, 1, 1), None, None])
    before = snapshot()

    report = run(instance, admin, xlsx(sheets))

    assert [(p.sheet, p.row, p.column) for p in report.problems] == [
        ("Pemangku Jabatan", 5, "Mulai")
    ]
    assert report.problems[0].message == (
        "Masa jabatan beririsan dengan baris 4 (PERAWAT mulai 01-12-2023)."
    )
    assert snapshot() == before


def test_a_missing_required_column_is_reported_once_not_per_row(
    agency: tuple[Agency, User],
) -> None:
    instance, admin = agency
    rows: Rows = [["Nama Unit"]]
    rows += [[f"Unit {number}"] for number in range(50)]
    sheets = {"Unit Kerja": rows}

    report = run(instance, admin, xlsx(sheets), dry_run=True)

    assert [(p.sheet, p.row, p.column, p.message) for p in report.problems] == [
        ("Unit Kerja", 1, "Kode Unit", "Kolom wajib ini tidak ada.")
    ]
    assert report.rows == 50


def test_an_overlap_with_a_stored_holding_is_reported(db: None) -> None:
    org = build_org()
    staff_nip = org.people["staf1"].nip
    sheets: dict[str, Rows] = {
        "Pemangku Jabatan": [HOLDING_HEADER, [staff_nip, "GURU", D(2026, 3, 1), None, None]]
    }

    report = run(org.agency, org.admin, xlsx(sheets), dry_run=True)

    assert [(p.sheet, p.row, p.column, p.message) for p in report.problems] == [
        (
            "Pemangku Jabatan",
            2,
            "Mulai",
            "Masa jabatan beririsan dengan jabatan STAF yang sudah tercatat mulai 01-01-2026.",
        )
    ]
    # Ending the stored holding in the same file (by its key) makes the file valid.
    sheets["Pemangku Jabatan"].append([staff_nip, "STAF", D(2026, 1, 1), D(2026, 2, 28), None])

    report = run(org.agency, org.admin, xlsx(sheets))

    assert report.problems == []
    assert report.counts["Pemangku Jabatan"] == counts(created=1, updated=1)


def test_units_changed_between_validation_and_writing_stop_the_import(
    agency: tuple[Agency, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    instance, admin = agency
    validate = importer._Import.validate

    def validate_then_someone_adds_a_unit(run: importer._Import) -> list[ImportProblem]:
        problems = validate(run)
        actions.create_unit(actor=admin, agency=instance, code="BARU", name="Unit Baru")
        return problems

    monkeypatch.setattr(importer._Import, "validate", validate_then_someone_adds_a_unit)

    report = run(instance, admin, xlsx(valid_sheets()))

    assert [str(problem) for problem in report.problems] == [
        "Berkas: Data instansi berubah selama impor; tidak ada yang disimpan. Periksa lalu "
        "ulangi impor."
    ]
    assert report.counts == {sheet: counts() for sheet in SHEETS}
    assert list(Unit.objects.values_list("code", flat=True)) == ["BARU"]
    assert (Employee.objects.count(), Position.objects.count()) == (0, 0)


# Numbers ---------------------------------------------------------------------------------


def test_pppk_numbers_are_accepted_and_not_read_with_the_month_rule(
    agency: tuple[Agency, User],
) -> None:
    instance, admin = agency
    sheets: dict[str, Rows] = {
        "Pegawai": [
            ["NIP / NI PPPK", "Nama", "Jenis Pegawai"],
            ["19940217 2022 21 2 015", "Citra Lestari", "pppk"],
            ["199501012023211001", "Dedi Kurniawan", "PPPK"],
        ]
    }

    report = run(instance, admin, xlsx(sheets))

    assert report.problems == []
    assert list(Employee.objects.order_by("nip").values_list("nip", "employee_type", "sex")) == [
        (PPPK, "pppk", "2"),
        ("199501012023211001", "pppk", "1"),
    ]


@pytest.mark.parametrize(
    "cell",
    [
        pytest.param(1.98703122011011e17, id="float cell"),
        pytest.param("1.98703E+17", id="scientific text"),
        pytest.param("1,98703E+17", id="scientific text with a decimal comma"),
        pytest.param(198703122011011004, id="whole number (xlsx keeps doubles)"),
    ],
)
def test_an_nip_excel_stored_as_a_number_is_reported_clearly(
    agency: tuple[Agency, User], cell: object
) -> None:
    instance, admin = agency
    sheets: dict[str, Rows] = {"Pegawai": [["NIP", "Nama"], [cell, "Budi Santoso"]]}

    report = run(instance, admin, xlsx(sheets), dry_run=True)

    assert [(p.sheet, p.row, p.column, p.message) for p in report.problems] == [
        (
            "Pegawai",
            2,
            "NIP",
            "NIP tersimpan sebagai angka di Excel dan kehilangan digit; "
            "format kolom NIP sebagai Teks.",
        )
    ]


# CSV -------------------------------------------------------------------------------------


def test_each_sample_csv_imports_as_its_own_sheet(agency: tuple[Agency, User]) -> None:
    instance, admin = agency
    files = [
        ("Unit Kerja", "contoh_unit_kerja.csv", 4),
        ("Jabatan", "contoh_jabatan.csv", 16),
        ("Pegawai", "contoh_pegawai.csv", 20),
        ("Pemangku Jabatan", "contoh_pemangku_jabatan.csv", 21),
    ]
    for sheet, name, rows in files:
        with (SAMPLES / name).open("rb") as stream:
            report = run(instance, admin, stream, filename=name, sheet=sheet)  # type: ignore[arg-type]
        assert report.problems == []
        assert report.counts[sheet] == counts(created=rows)
    assert snapshot()[:4] == (4, 16, 20, 21)


def test_a_semicolon_csv_with_a_bom_and_day_first_dates(agency: tuple[Agency, User]) -> None:
    instance, admin = agency
    run(instance, admin, xlsx(valid_sheets()))
    text = (
        "NIP;Kode Jabatan;Mulai;Selesai\r\n"
        f"{NIP_MAN};KADIS;02/01/2024;31-12-2025\r\n"
        f"1,98703E+17;KADIS;02/01/2024;\r\n"
    )
    data = io.BytesIO(b"\xef\xbb\xbf" + text.encode("utf-8"))

    report = run(instance, admin, data, filename="pemangku.csv", sheet="pemangku jabatan")

    assert [(p.sheet, p.row, p.column, p.message) for p in report.problems] == [
        ("Pemangku Jabatan", 3, "NIP", NIP_AS_NUMBER)
    ]
    data.seek(0)
    fixed = io.BytesIO(data.getvalue().replace(b"1,98703E+17;KADIS;02/01/2024;\r\n", b""))

    report = run(instance, admin, fixed, filename="pemangku.csv", sheet="Pemangku Jabatan")

    assert report.counts["Pemangku Jabatan"] == counts(updated=1)
    assert PositionHolding.objects.get(employee__nip=NIP_MAN).ends_on == D(2025, 12, 31)


def test_a_csv_needs_its_sheet_and_utf8(agency: tuple[Agency, User]) -> None:
    instance, admin = agency
    data = io.BytesIO(
        "Kode Unit,Nama Unit\nA,Dinas Pariwisata dan Kebudayaan é\n".encode("latin-1")
    )

    without_sheet = run(instance, admin, data, filename="unit.csv")
    not_utf8 = run(instance, admin, data, filename="unit.csv", sheet="Unit Kerja")

    assert [str(problem) for problem in without_sheet.problems] == [
        "Berkas: Untuk berkas CSV pilih jenis datanya: Unit Kerja, Jabatan, Pegawai, "
        "Pemangku Jabatan."
    ]
    assert [str(problem) for problem in not_utf8.problems] == [
        "Berkas: Berkas CSV harus disimpan sebagai CSV UTF-8."
    ]


def test_files_that_are_not_a_workbook_are_refused(agency: tuple[Agency, User]) -> None:
    instance, admin = agency

    broken = run(instance, admin, io.BytesIO(b"not a zip"), filename="data.xlsx")
    old = run(instance, admin, io.BytesIO(b"\xd0\xcf\x11\xe0"), filename="data.xls")
    unknown = run(instance, admin, xlsx({"Data Pegawai": [["NIP", "Nama"]]}))

    assert [p.message for p in broken.problems] == [
        "Berkas tidak dapat dibaca sebagai buku kerja Excel (.xlsx)."
    ]
    assert [p.message for p in old.problems] == [
        "Format .xls (Excel 97-2003) tidak didukung; simpan sebagai .xlsx."
    ]
    assert [(p.sheet, p.row, p.message) for p in unknown.problems] == [
        (
            "Data Pegawai",
            0,
            "Lembar tidak dikenal; nama lembar yang dikenal: Unit Kerja, Jabatan, Pegawai, "
            "Pemangku Jabatan.",
        )
    ]


# The samples and the template ------------------------------------------------------------


def test_the_sample_workbook_imports_into_an_empty_agency(agency: tuple[Agency, User]) -> None:
    instance, admin = agency
    path = SAMPLES / "contoh_impor_organisasi.xlsx"

    dry = run(instance, admin, path, dry_run=True, filename=path.name)
    report = run(instance, admin, path, filename=path.name)

    expected = {
        "Unit Kerja": counts(created=4),
        "Jabatan": counts(created=16),
        "Pegawai": counts(created=20),
        "Pemangku Jabatan": counts(created=21),
    }
    assert (dry.problems, dry.counts) == ([], expected)
    assert (report.problems, report.counts) == ([], expected)
    assert Employee.objects.filter(employee_type="pppk").count() == 3
    kadis = Employee.objects.get(name__startswith="dr. Hj. Siti")
    staff = Employee.objects.get(name__startswith="Putu Ayu")
    from processes.organisation.selectors import appraiser_of

    appraiser = appraiser_of(staff, D(2026, 3, 1)).official
    assert appraiser is not None
    assert appraiser.position.code == "KABID-YANKES"
    assert kadis.holdings.get().position.code == "KADINKES"


def test_the_template_has_the_four_sheets_and_imports_as_empty(
    agency: tuple[Agency, User],
) -> None:
    instance, admin = agency
    data = template_workbook()
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    headers = {name: list(next(workbook[name].iter_rows(values_only=True))) for name in SHEETS}

    report = run(instance, admin, io.BytesIO(data), filename="templat.xlsx")

    assert workbook.sheetnames == ["Petunjuk", *SHEETS]
    assert headers["Pegawai"] == [
        "NIP *",
        "Nama *",
        "Jenis Pegawai",
        "Jenis Kelamin",
        "Email",
        "Status",
        "Status Sejak",
    ]
    assert (report.problems, report.rows) == ([], 0)
    for name, file in [
        ("Unit Kerja", "contoh_unit_kerja.csv"),
        ("Jabatan", "contoh_jabatan.csv"),
        ("Pegawai", "contoh_pegawai.csv"),
        ("Pemangku Jabatan", "contoh_pemangku_jabatan.csv"),
    ]:
        sample_header = (SAMPLES / file).read_text(encoding="utf-8").splitlines()[0].split(",")
        assert [f"{h} *" if f"{h} *" in headers[name] else h for h in sample_header] == headers[
            name
        ]


# Changes others must follow --------------------------------------------------------------


def test_a_changed_reporting_line_goes_through_the_correction_action(db: None) -> None:
    org: Org = build_org()
    sheets: dict[str, Rows] = {
        "Jabatan": [
            ["Kode Jabatan", "Nama Jabatan", "Kode Unit", "Jenis Jabatan", "Kode Jabatan Atasan"],
            ["STAF", "Pengelola Kurikulum", "SEK-KUR", "Pelaksana", "KABID"],
        ]
    }

    report = run(org.agency, org.admin, xlsx(sheets), filename="garis.xlsx")

    assert report.counts["Jabatan"] == counts(updated=1)
    assert Position.objects.get(code="STAF").reports_to == org.positions["KABID"]
    change = ReportingLineChange.objects.get(position=org.positions["STAF"])
    assert (change.old_reports_to, change.new_reports_to, change.reason) == (
        org.positions["KASI"],
        org.positions["KABID"],
        "Impor data organisasi dari berkas garis.xlsx",
    )


def test_a_swapped_reporting_line_is_applied_without_a_loop(db: None) -> None:
    org = build_org()
    # KASI reported to KABID; now KABID reports to KASI and KASI to KADIS.
    sheets: dict[str, Rows] = {
        "Jabatan": [
            ["Kode Jabatan", "Nama Jabatan", "Kode Unit", "Jenis Jabatan", "Kode Jabatan Atasan"],
            ["KABID", "Kepala Bidang Pembinaan SD", "BID-SD", "Administrator", "KASI"],
            ["KASI", "Kepala Seksi Kurikulum", "SEK-KUR", "Pengawas", "KADIS"],
        ]
    }

    report = run(org.agency, org.admin, xlsx(sheets))

    assert report.problems == []
    assert Position.objects.get(code="KASI").reports_to == org.positions["KADIS"]
    assert Position.objects.get(code="KABID").reports_to == org.positions["KASI"]


def test_moving_a_unit_repaths_its_subtree_like_update_unit(db: None) -> None:
    org = build_org()
    sheets: dict[str, Rows] = {
        "Unit Kerja": [UNIT_HEADER, ["BID-SD", "Bidang Pembinaan SD", None, "SEKRE"]]
    }

    report = run(org.agency, org.admin, xlsx(sheets))

    assert report.counts["Unit Kerja"] == counts(updated=1)
    sekre, bidang, seksi = (Unit.objects.get(code=c) for c in ("SEKRE", "BID-SD", "SEK-KUR"))
    assert (bidang.parent, bidang.kind) == (sekre, "subunit")
    assert bidang.path == f"{sekre.path}{bidang.pk}/"
    assert seksi.path == f"{bidang.path}{seksi.pk}/"


def test_a_status_of_an_existing_employee_goes_through_the_action(db: None) -> None:
    org = build_org()
    guru = org.people["guru"]
    sheets: dict[str, Rows] = {
        "Pegawai": [
            ["NIP", "Nama", "Status", "Status Sejak"],
            [guru.nip, guru.name, "Tugas Belajar", "01-08-2026"],
        ]
    }

    report = run(org.agency, org.admin, xlsx(sheets))

    assert report.counts["Pegawai"] == counts(updated=1)
    assert list(guru.status_periods.values_list("status", "starts_on")) == [
        ("study_leave", D(2026, 8, 1))
    ]
    assert OrganisationChange.objects.get(kind="status").summary.startswith("Status Fitriani Daud")
    # The same file again: the period exists, nothing changes.
    assert run(org.agency, org.admin, xlsx(sheets)).counts["Pegawai"] == counts(unchanged=1)


def test_moving_a_unit_under_its_own_subtree_is_a_loop(db: None) -> None:
    org = build_org()
    sheets: dict[str, Rows] = {"Unit Kerja": [UNIT_HEADER, ["DISDIK", "Dinas", None, "SEK-KUR"]]}

    report = run(org.agency, org.admin, xlsx(sheets), dry_run=True)

    assert [(p.sheet, p.row, p.column, p.message) for p in report.problems] == [
        (
            "Unit Kerja",
            2,
            "Kode Unit Induk",
            "Unit induk membentuk lingkaran: DISDIK → SEK-KUR → BID-SD → DISDIK.",
        )
    ]


def _on_study_leave(org: Org) -> Employee:
    guru = org.people["guru"]
    actions.set_employee_status(
        actor=org.admin, employee=guru, status="study_leave", starts_on=D(2026, 1, 5)
    )
    return guru


def test_aktif_ends_a_status_only_with_the_date_of_return(db: None) -> None:
    org = build_org()
    guru = _on_study_leave(org)
    header: list[object] = ["NIP", "Nama", "Status", "Status Sejak"]
    undated: dict[str, Rows] = {"Pegawai": [header, [guru.nip, guru.name, "Aktif", None]]}
    too_early: dict[str, Rows] = {"Pegawai": [header, [guru.nip, guru.name, "Aktif", "05-01-2026"]]}
    before = AuditEntry.objects.count()

    reports = [run(org.agency, org.admin, xlsx(sheets)) for sheets in (undated, too_early)]

    assert [[(p.row, p.column, p.message) for p in r.problems] for r in reports] == [
        [
            (
                2,
                "Status Sejak",
                "Pegawai ini tercatat Tugas belajar sejak 05-01-2026; isi tanggal aktif kembali "
                "untuk mengakhirinya.",
            )
        ],
        [
            (
                2,
                "Status Sejak",
                "Tanggal aktif kembali harus sesudah awal status Tugas belajar (05-01-2026).",
            )
        ],
    ]
    assert list(guru.status_periods.values_list("starts_on", "ends_on")) == [(D(2026, 1, 5), None)]
    assert AuditEntry.objects.count() == before


def test_aktif_with_the_date_of_return_ends_the_status_through_the_action(db: None) -> None:
    org = build_org()
    guru = _on_study_leave(org)
    sheets: dict[str, Rows] = {
        "Pegawai": [
            ["NIP", "Nama", "Status", "Status Sejak"],
            [guru.nip, guru.name, "Aktif", "01-12-2026"],
        ]
    }

    dry = run(org.agency, org.admin, xlsx(sheets), dry_run=True)
    unchanged_by_dry_run = list(guru.status_periods.values_list("ends_on", flat=True))
    report = run(org.agency, org.admin, xlsx(sheets))

    assert dry.counts["Pegawai"] == report.counts["Pegawai"] == counts(updated=1)
    assert unchanged_by_dry_run == [None]
    assert list(guru.status_periods.values_list("starts_on", "ends_on")) == [
        (D(2026, 1, 5), D(2026, 11, 30))
    ]
    change = OrganisationChange.objects.filter(kind="status").latest("pk")
    assert change.summary == (
        "Status Fitriani Daud: Tugas belajar berakhir 2026-11-30, aktif kembali 2026-12-01"
    )
    [ended] = [
        entry.payload
        for entry in AuditEntry.objects.filter(chain=f"org:{org.agency.pk}")
        if entry.payload.get("event") == "employee_status_ended"
    ]
    assert (ended["previous_ends_on"], ended["ends_on"]) == (None, "2026-11-30")
    # The same file again: the status has ended there, nothing changes.
    assert run(org.agency, org.admin, xlsx(sheets)).counts["Pegawai"] == counts(unchanged=1)


class Unseekable(io.RawIOBase):
    """An upload stream that can only be read forwards."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        chunk = self._data.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def test_a_stream_that_cannot_seek_is_read_through_a_spool(agency: tuple[Agency, User]) -> None:
    instance, admin = agency
    stream = Unseekable(xlsx(valid_sheets()).getvalue())

    report = run(instance, admin, stream, dry_run=True)  # type: ignore[arg-type]

    assert (report.problems, report.rows) == ([], 12)


# Who may import --------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["other agency admin", "employee"])
def test_only_the_agency_admin_may_import(agency: tuple[Agency, User], who: str) -> None:
    instance, _admin = agency
    elsewhere, other_admin = make_agency("lain")
    actor = other_admin
    if who == "employee":
        actor = User.objects.create_user("pegawai-biasa", agency=instance)
    before = snapshot()

    with pytest.raises(ActionForbidden):
        run(instance, actor, xlsx(valid_sheets()))

    assert snapshot() == before
    assert elsewhere.pk != instance.pk


# The command -----------------------------------------------------------------------------


def test_the_command_imports_the_sample_and_prints_progress(agency: tuple[Agency, User]) -> None:
    instance, admin = agency
    out = io.StringIO()

    call_command(
        "import_organisation",
        str(SAMPLES / "contoh_impor_organisasi.xlsx"),
        agency=instance.code,
        actor=admin.username,
        stdout=out,
    )

    lines = out.getvalue().splitlines()
    assert lines[0] == f"Impor contoh_impor_organisasi.xlsx ke {instance.name}"
    assert "  61/61 baris (100%)" in lines
    assert "Pegawai: 20 baru, 0 diubah, 0 tetap" in lines
    assert Employee.objects.filter(agency=instance).count() == 20


def test_the_command_prints_every_problem_and_fails(
    agency: tuple[Agency, User], tmp_path: Path
) -> None:
    instance, admin = agency
    path = tmp_path / "salah.xlsx"
    path.write_bytes(
        xlsx({"Pegawai": [["NIP", "Nama"], [NIP_MAN, "Budi"], ["123", "Pendek"]]}).getvalue()
    )
    out = io.StringIO()

    with pytest.raises(CommandError, match=r"1 masalah ditemukan; tidak ada data yang disimpan\."):
        call_command(
            "import_organisation",
            str(path),
            "--dry-run",
            agency=instance.code,
            actor=admin.username,
            stdout=out,
        )

    assert "Pegawai baris 3, kolom NIP: Nomor pegawai harus 18 digit, bukan 3 digit." in (
        out.getvalue().splitlines()
    )
    assert Employee.objects.count() == 0


# Ten thousand rows -----------------------------------------------------------------------


@pytest.fixture
def ten_thousand() -> bytes:
    return synthetic_workbook(10_000, first=5_000_000)


def test_ten_thousand_employees_import_with_progress(
    agency: tuple[Agency, User], ten_thousand: bytes
) -> None:
    instance, admin = agency
    calls: list[tuple[int, int]] = []
    started = time.perf_counter()

    report = import_organisation(
        actor=admin,
        agency=instance,
        file=io.BytesIO(ten_thousand),
        filename="besar.xlsx",
        dry_run=False,
        progress=lambda done, total: calls.append((done, total)),
    )

    elapsed = time.perf_counter() - started
    total = 10_000 * 2 + 21 + 81
    assert report.problems == []
    assert report.rows == total
    assert report.counts == {
        "Unit Kerja": counts(created=21),
        "Jabatan": counts(created=81),
        "Pegawai": counts(created=10_000),
        "Pemangku Jabatan": counts(created=10_000),
    }
    assert calls[-1] == (total, total)
    assert all(seen_total == total for _done, seen_total in calls)
    done = [0] + [seen for seen, _total in calls]
    assert all(later > earlier for earlier, later in itertools.pairwise(done))
    assert max(later - earlier for earlier, later in itertools.pairwise(done)) <= 500
    assert Employee.objects.filter(agency=instance).count() == 10_000
    assert User.objects.filter(agency=instance).count() == 10_001
    assert PositionHolding.objects.filter(agency=instance).count() == 10_000
    print(f"10,000 employees imported in {elapsed:.1f} s")
