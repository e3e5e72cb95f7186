"""Buat berkas contoh impor data organisasi (xlsx dan empat CSV) di folder ini.

Jalankan dari akar proyek:  .venv/bin/python processes/organisation/samples/buat_contoh.py

Isinya satu instansi kecil yang realistis: Dinas Kesehatan (OPD) dengan tiga sub-unit,
16 jabatan, 20 pegawai (tiga di antaranya PPPK) dan jabatan yang mereka pangku. Buku kerja
contoh adalah templat impor (``importer.template_workbook``) yang sudah diisi, sehingga
judul kolom, format kolom NIP (Teks) dan daftar pilihan selalu sama dengan templat.
"""

from __future__ import annotations

import csv
import datetime
import io
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
D = datetime.date

UNITS: list[tuple[str, str, str, str]] = [
    # Kode Unit, Nama Unit, Jenis, Kode Unit Induk
    ("DINKES", "Dinas Kesehatan", "OPD", ""),
    ("DINKES-SEKRE", "Sekretariat Dinas Kesehatan", "Sub-unit", "DINKES"),
    ("DINKES-YANKES", "Bidang Pelayanan Kesehatan", "Sub-unit", "DINKES"),
    ("DINKES-P2P", "Bidang Pencegahan dan Pengendalian Penyakit", "Sub-unit", "DINKES"),
]

POSITIONS: list[tuple[str, str, str, str, str, str, str]] = [
    # Kode Jabatan, Nama Jabatan, Kode Unit, Jenis Jabatan, Jenjang, Kode Jabatan Atasan,
    # Kepala Unit
    ("KADINKES", "Kepala Dinas Kesehatan", "DINKES", "JPT", "", "", "Ya"),
    ("SEKDIN", "Sekretaris Dinas Kesehatan", "DINKES-SEKRE", "Administrator", "", "KADINKES", "Ya"),
    (
        "KASUBBAG-UMPEG",
        "Kepala Subbagian Umum dan Kepegawaian",
        "DINKES-SEKRE",
        "Pengawas",
        "",
        "SEKDIN",
        "Tidak",
    ),
    (
        "KASUBBAG-KEU",
        "Kepala Subbagian Keuangan dan Aset",
        "DINKES-SEKRE",
        "Pengawas",
        "",
        "SEKDIN",
        "Tidak",
    ),
    (
        "PENGADM-KANTOR",
        "Pengadministrasi Perkantoran",
        "DINKES-SEKRE",
        "Pelaksana",
        "",
        "KASUBBAG-UMPEG",
        "Tidak",
    ),
    (
        "PENGELOLA-KEU",
        "Pengelola Keuangan",
        "DINKES-SEKRE",
        "Pelaksana",
        "",
        "KASUBBAG-KEU",
        "Tidak",
    ),
    (
        "KABID-YANKES",
        "Kepala Bidang Pelayanan Kesehatan",
        "DINKES-YANKES",
        "Administrator",
        "",
        "KADINKES",
        "Ya",
    ),
    (
        "ADMKES-MUDA",
        "Administrator Kesehatan Ahli Muda",
        "DINKES-YANKES",
        "Fungsional",
        "Ahli Muda",
        "KABID-YANKES",
        "Tidak",
    ),
    (
        "ADMKES-PERTAMA",
        "Administrator Kesehatan Ahli Pertama",
        "DINKES-YANKES",
        "Fungsional",
        "Ahli Pertama",
        "KABID-YANKES",
        "Tidak",
    ),
    (
        "PERAWAT-PERTAMA",
        "Perawat Ahli Pertama",
        "DINKES-YANKES",
        "Fungsional",
        "Ahli Pertama",
        "KABID-YANKES",
        "Tidak",
    ),
    (
        "PENGELOLA-YANKES",
        "Pengelola Layanan Kesehatan",
        "DINKES-YANKES",
        "Pelaksana",
        "",
        "KABID-YANKES",
        "Tidak",
    ),
    (
        "KABID-P2P",
        "Kepala Bidang Pencegahan dan Pengendalian Penyakit",
        "DINKES-P2P",
        "Administrator",
        "",
        "KADINKES",
        "Ya",
    ),
    (
        "EPID-MUDA",
        "Epidemiolog Kesehatan Ahli Muda",
        "DINKES-P2P",
        "Fungsional",
        "Ahli Muda",
        "KABID-P2P",
        "Tidak",
    ),
    (
        "EPID-PERTAMA",
        "Epidemiolog Kesehatan Ahli Pertama",
        "DINKES-P2P",
        "Fungsional",
        "Ahli Pertama",
        "KABID-P2P",
        "Tidak",
    ),
    (
        "SANITARIAN-MAHIR",
        "Sanitarian Mahir",
        "DINKES-P2P",
        "Fungsional",
        "Mahir",
        "KABID-P2P",
        "Tidak",
    ),
    (
        "PENGOLAH-DATA",
        "Pengolah Data dan Informasi",
        "DINKES-P2P",
        "Pelaksana",
        "",
        "KABID-P2P",
        "Tidak",
    ),
]

EMAIL = "dinkes.contoh.go.id"
EMPLOYEES: list[tuple[str, str, str, str, str, str, D | None]] = [
    # NIP, Nama, Jenis Pegawai, Jenis Kelamin, Email, Status, Status Sejak
    (
        "19720315 199803 2 004",
        "dr. Hj. Siti Rahmawati, M.Kes.",
        "PNS",
        "P",
        f"siti.rahmawati@{EMAIL}",
        "Aktif",
        None,
    ),
    ("19750822 200012 1 002", "Agus Setiawan, S.K.M., M.Kes.", "PNS", "L", "", "", None),
    ("19781105 200312 1 006", "Bambang Hermawan, S.Sos.", "PNS", "L", "", "", None),
    ("19800410 200501 2 011", "Dewi Lestari, S.E.", "PNS", "P", f"dewi.lestari@{EMAIL}", "", None),
    ("19851230 201001 1 009", "Joko Susilo", "PNS", "L", "", "", None),
    ("19920607 201803 2 001", "Sri Wahyuni, A.Md.", "PNS", "P", "", "", None),
    ("19900218 201503 2 003", "Rina Marlina, S.Ak.", "PNS", "P", "", "", None),
    ("19770919 200502 1 003", "dr. Hendra Gunawan, M.P.H.", "PNS", "L", "", "", None),
    ("19830114 200903 2 007", "Ratna Sari Dewi, S.K.M., M.Kes.", "PNS", "P", "", "", None),
    ("19910725 201903 2 005", "Putu Ayu Lestari, S.K.M.", "PNS", "P", "", "", None),
    ("19860104 2022 21 1 044", "Teguh Prasetyo, S.Kep., Ners", "PPPK", "L", "", "", None),
    ("19970412 2023 21 2 031", "Nur Aisyah, S.Kep., Ners", "PPPK", "P", "", "", None),
    ("19950302 202012 1 004", "Muhammad Rizki Pratama, S.Kom.", "PNS", "L", "", "", None),
    ("19790808 200604 2 002", "dr. Andi Nurul Hidayah, M.Epid.", "PNS", "P", "", "", None),
    ("19840521 201001 1 012", "Yohanes Pattiasina, S.K.M., M.Epid.", "PNS", "L", "", "", None),
    ("19960111 2022 21 2 015", "Fitri Handayani, S.K.M.", "PPPK", "P", "", "", None),
    ("19930825 201903 2 009", "Wulan Sari, S.K.M.", "PNS", "P", "", "Tugas Belajar", D(2025, 9, 1)),
    ("19890930 201404 1 002", "I Made Suarjana, A.Md.K.L.", "PNS", "L", "", "", None),
    ("19870716 201101 1 005", "Rudi Hartono", "PNS", "L", "", "", None),
    ("19880203 201312 1 008", "Ahmad Fauzi, S.H.", "PNS", "L", "", "", None),
]

HOLDINGS: list[tuple[str, str, D, D | None, str]] = [
    # NIP, Kode Jabatan, Mulai, Selesai, Nomor SK
    ("19720315 199803 2 004", "KADINKES", D(2021, 3, 1), None, "821.2/045/BKPSDM/2021"),
    ("19750822 200012 1 002", "SEKDIN", D(2022, 1, 3), None, "821.2/002/BKPSDM/2022"),
    ("19781105 200312 1 006", "KASUBBAG-UMPEG", D(2019, 7, 1), None, "821.2/118/BKPSDM/2019"),
    ("19800410 200501 2 011", "KASUBBAG-KEU", D(2020, 2, 3), None, "821.2/031/BKPSDM/2020"),
    ("19851230 201001 1 009", "PENGADM-KANTOR", D(2010, 1, 1), None, ""),
    ("19920607 201803 2 001", "PENGADM-KANTOR", D(2018, 3, 1), None, ""),
    ("19880203 201312 1 008", "PENGADM-KANTOR", D(2014, 1, 2), None, ""),
    ("19900218 201503 2 003", "PENGELOLA-KEU", D(2015, 3, 1), None, ""),
    ("19870716 201101 1 005", "PENGELOLA-KEU", D(2011, 1, 3), None, ""),
    ("19770919 200502 1 003", "KABID-YANKES", D(2021, 8, 2), None, "821.2/201/BKPSDM/2021"),
    ("19830114 200903 2 007", "ADMKES-MUDA", D(2023, 4, 1), None, "800.1.3/077/BKPSDM/2023"),
    ("19910725 201903 2 005", "ADMKES-PERTAMA", D(2020, 6, 2), None, "821.13/090/BKPSDM/2020"),
    ("19860104 2022 21 1 044", "PERAWAT-PERTAMA", D(2022, 10, 3), None, "PPPK/NAKES/2022/044"),
    ("19970412 2023 21 2 031", "PERAWAT-PERTAMA", D(2024, 4, 1), None, "PPPK/NAKES/2023/031"),
    ("19950302 202012 1 004", "PENGELOLA-YANKES", D(2020, 12, 1), None, ""),
    ("19790808 200604 2 002", "KABID-P2P", D(2022, 1, 3), None, "821.2/003/BKPSDM/2022"),
    (
        "19840521 201001 1 012",
        "EPID-PERTAMA",
        D(2015, 1, 2),
        D(2021, 12, 31),
        "821.13/004/BKD/2015",
    ),
    ("19840521 201001 1 012", "EPID-MUDA", D(2022, 1, 1), None, "800.1.3/010/BKPSDM/2022"),
    ("19960111 2022 21 2 015", "EPID-PERTAMA", D(2022, 10, 3), None, "PPPK/NAKES/2022/015"),
    ("19930825 201903 2 009", "EPID-PERTAMA", D(2019, 3, 1), None, "821.13/055/BKPSDM/2019"),
    ("19890930 201404 1 002", "SANITARIAN-MAHIR", D(2018, 5, 2), None, "821.13/061/BKPSDM/2018"),
]

ROWS: dict[str, list[tuple[object, ...]]] = {
    "Unit Kerja": list(UNITS),
    "Jabatan": list(POSITIONS),
    "Pegawai": list(EMPLOYEES),
    "Pemangku Jabatan": list(HOLDINGS),
}
CSV_FILES = {
    "Unit Kerja": "contoh_unit_kerja.csv",
    "Jabatan": "contoh_jabatan.csv",
    "Pegawai": "contoh_pegawai.csv",
    "Pemangku Jabatan": "contoh_pemangku_jabatan.csv",
}
XLSX_FILE = "contoh_impor_organisasi.xlsx"


def _cell(value: object) -> object:
    return value.isoformat() if isinstance(value, D) else ("" if value is None else value)


def csv_text(sheet: str) -> str:
    """Return one sheet as CSV text (comma-separated, dates as TTTT-BB-HH)."""
    from processes.organisation.importer import COLUMNS

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([column.header for column in COLUMNS[sheet]])
    for row in ROWS[sheet]:
        writer.writerow([_cell(value) for value in row])
    return buffer.getvalue()


def workbook_bytes() -> bytes:
    """Return the import template filled with the example data."""
    from openpyxl import load_workbook

    from processes.organisation.importer import COLUMNS, template_workbook

    workbook = load_workbook(io.BytesIO(template_workbook()))
    for sheet, rows in ROWS.items():
        worksheet = workbook[sheet]
        for row in rows:
            worksheet.append(list(row))
            for index, column in enumerate(COLUMNS[sheet], start=1):
                cell = worksheet.cell(worksheet.max_row, index)
                if column.key == "nip":
                    cell.number_format = "@"
                elif isinstance(cell.value, datetime.date):
                    cell.number_format = "yyyy-mm-dd"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def main() -> None:
    """Write the xlsx and the four CSV files next to this script."""
    (HERE / XLSX_FILE).write_bytes(workbook_bytes())
    for sheet, name in CSV_FILES.items():
        (HERE / name).write_text(csv_text(sheet), encoding="utf-8")
    print(f"Ditulis ke {HERE}: {XLSX_FILE}, {', '.join(CSV_FILES.values())}")


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parents[2]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    main()
