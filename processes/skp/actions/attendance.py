"""Import monthly attendance figures (data kehadiran) an agency exports from its system.

The file is an .xlsx workbook (its first sheet, or a sheet named "Kehadiran") or a CSV file
(comma or semicolon separated, UTF-8) with a header row and these columns, in any order:
NIP, Tahun, Bulan, Hari Kerja, Hadir, Terlambat, Cuti/Izin, Tanpa Keterangan. The last three
may be left out (then 0). Bulan is a number (1-12) or an Indonesian month name.

The whole file is checked first and *every* problem is reported with its row (as Excel
numbers it, the header is row 1), its column and a message in Bahasa Indonesia; when there is
one problem nothing is written. Otherwise each row is upserted by (employee, year, month) in
one transaction with one audit row on the agency's attendance chain. A dry run reports what
the import would do and writes nothing. Only employees of the agency are matched: an NIP of
another agency reads as unknown.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, BinaryIO

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from processes.organisation.access import require_admin
from processes.organisation.identity import InvalidNumber, normalise_number
from processes.organisation.models import Agency, Employee
from processes.skp.models import AttendanceRecord
from workflow import audit
from workflow.calendar import local_date
from workflow.models import AuditCode

BATCH = 500
SHEET = "Kehadiran"
NIP_AS_NUMBER = (
    "NIP tersimpan sebagai angka di Excel dan kehilangan digit; format kolom NIP sebagai Teks."
)
FIELDS = ("working_days", "present_days", "late_count", "leave_days", "absent_days")


@dataclass(frozen=True)
class Column:
    """A column of the attendance file: key, header as written, required, other spellings."""

    key: str
    header: str
    required: bool
    aliases: tuple[str, ...] = ()


COLUMNS: tuple[Column, ...] = (
    Column("nip", "NIP", True, ("nip / ni pppk", "ni pppk", "nomor pegawai")),
    Column("year", "Tahun", True),
    Column("month", "Bulan", True),
    Column("working_days", "Hari Kerja", True, ("jumlah hari kerja", "hk")),
    Column("present_days", "Hadir", True, ("jumlah hadir", "kehadiran")),
    Column("late_count", "Terlambat", False, ("tl", "jumlah terlambat")),
    Column("leave_days", "Cuti/Izin", False, ("cuti", "izin", "cuti dan izin", "cuti atau izin")),
    Column("absent_days", "Tanpa Keterangan", False, ("tk", "alpa", "mangkir")),
)

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("januari", "jan"),
            ("februari", "feb", "pebruari"),
            ("maret", "mar"),
            ("april", "apr"),
            ("mei",),
            ("juni", "jun"),
            ("juli", "jul"),
            ("agustus", "agu", "agt", "ags"),
            ("september", "sep", "sept"),
            ("oktober", "okt"),
            ("november", "nov", "nop", "nopember"),
            ("desember", "des"),
        ],
        start=1,
    )
    for name in names
}


# The report ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttendanceProblem:
    """One problem of the file: the row as Excel numbers it (0: the file), column, message."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        if self.row == 0:
            return _("Berkas: %(message)s") % {"message": self.message}
        where = _("Baris %(row)d") % {"row": self.row}
        if self.column:
            where = _("%(where)s, kolom %(column)s") % {"where": where, "column": self.column}
        return f"{where}: {self.message}"


@dataclass
class AttendanceReport:
    """What an import found and did (or would do, for a dry run)."""

    dry_run: bool
    rows: int = 0
    problems: list[AttendanceProblem] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        """Return True when the file has no problems."""
        return not self.problems


# Reading -------------------------------------------------------------------------------------


class _FileError(Exception):
    """The file as a whole cannot be read; the message says why."""


_READ_ERRORS = (zipfile.BadZipFile, KeyError, OSError, ValueError, SyntaxError, EOFError)


def _binary(file: BinaryIO | str | Path, stack: ExitStack) -> IO[bytes]:
    if isinstance(file, str | Path):
        return stack.enter_context(open(file, "rb"))
    if file.seekable():
        file.seek(0)
        return file
    spool = stack.enter_context(tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024))  # noqa: SIM115
    while chunk := file.read(1024 * 1024):
        spool.write(chunk)
    spool.seek(0)
    return spool


def _xlsx_rows(stream: IO[bytes], stack: ExitStack) -> Iterator[Sequence[Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except _READ_ERRORS as error:
        raise _FileError(
            _("Berkas tidak dapat dibaca sebagai buku kerja Excel (.xlsx).")
        ) from error
    stack.callback(workbook.close)
    sheets = list(workbook.worksheets)
    if not sheets:
        raise _FileError(_("Buku kerja tidak punya lembar."))
    worksheet = next(
        (sheet for sheet in sheets if str(sheet.title).strip().lower() == SHEET.lower()),
        sheets[0],
    )
    # The stored dimensions may be wrong; read every row the sheet really has.
    worksheet.reset_dimensions()
    return iter(worksheet.iter_rows(values_only=True))


def _csv_rows(stream: IO[bytes]) -> Iterator[Sequence[Any]]:
    stream.seek(0)
    sample = stream.read(64 * 1024).decode("utf-8-sig", errors="ignore")
    try:
        delimiter = str(csv.Sniffer().sniff(sample, delimiters=",;").delimiter)
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        delimiter = ";" if first.count(";") > first.count(",") else ","
    stream.seek(0)
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    try:
        yield from csv.reader(text, delimiter=delimiter)
    finally:
        text.detach()  # leave the caller's stream open


def _rows(file: BinaryIO | str | Path, filename: str, stack: ExitStack) -> Iterator[Sequence[Any]]:
    suffix = Path(filename).suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        return _xlsx_rows(_binary(file, stack), stack)
    if suffix == ".csv":
        return _csv_rows(_binary(file, stack))
    if suffix == ".xls":
        raise _FileError(_("Format .xls (Excel 97-2003) tidak didukung; simpan sebagai .xlsx."))
    raise _FileError(_("Berkas harus berformat .xlsx atau .csv."))


# Cells ---------------------------------------------------------------------------------------


def _key(text: object) -> str:
    return re.sub(r"[^a-z0-9/]+", " ", str(text or "").lower()).strip()


_HEADERS = {_key(name): column for column in COLUMNS for name in (column.header, *column.aliases)}


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _blank(row: Sequence[Any]) -> bool:
    return all(_text(value) == "" for value in row)


_SCIENTIFIC = re.compile(r"^\d+(?:[.,]\d+)?[eE][+-]?\d+$")


def _nip(value: object) -> str:
    """Return the 18 digits of an NIP cell; raise InvalidNumber saying what is wrong."""
    if isinstance(value, float) and (not value.is_integer() or abs(value) >= 1e15):
        raise InvalidNumber(_(NIP_AS_NUMBER))
    text = _text(value).lstrip("'").replace("\xa0", " ")
    if _SCIENTIFIC.match(text.replace(" ", "")):
        raise InvalidNumber(_(NIP_AS_NUMBER))
    if isinstance(value, int) and len(text) == 18 and text.endswith("000"):
        raise InvalidNumber(_(NIP_AS_NUMBER))
    return normalise_number(text)


def _whole(value: object) -> int:
    """Return a cell as a whole number of 0 or more; raise ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise ValueError(value)
        number = int(value)
    else:
        text = _text(value)
        if not re.fullmatch(r"\d+", text):
            raise ValueError(text)
        number = int(text)
    if number < 0:
        raise ValueError(number)
    return number


def _month(value: object) -> int:
    text = _text(value).lower().rstrip(".")
    if text in MONTHS:
        return MONTHS[text]
    number = _whole(value)
    if not 1 <= number <= 12:
        raise ValueError(number)
    return number


# Validating ----------------------------------------------------------------------------------


@dataclass
class _Row:
    row: int
    nip: str
    year: int
    month: int
    values: dict[str, int]
    employee_id: int | None = None


@dataclass
class _Run:
    agency: Agency
    today: datetime.date
    problems: list[AttendanceProblem] = field(default_factory=list)
    rows: list[_Row] = field(default_factory=list)
    data_rows: int = 0

    def problem(self, row: int, column: str, message: str) -> None:
        self.problems.append(AttendanceProblem(row, column, message))

    def header(self, cells: Sequence[Any]) -> dict[str, int] | None:
        """Map each column key to its position; note missing and repeated columns."""
        positions: dict[str, int] = {}
        for position, cell in enumerate(cells):
            column = _HEADERS.get(_key(cell))
            if column is None:
                continue
            if column.key in positions:
                self.problem(1, _text(cell), _("Kolom ini ada dua kali."))
                continue
            positions[column.key] = position
        for column in COLUMNS:
            if column.required and column.key not in positions:
                self.problem(1, column.header, _("Kolom wajib tidak ada."))
        return None if self.problems else positions

    def read(self, number: int, cells: Sequence[Any], positions: dict[str, int]) -> None:
        """Check one data row; keep it when its cells are valid on their own."""

        def cell(key: str) -> object:
            position = positions.get(key)
            if position is None or position >= len(cells):
                return None
            return cells[position]

        headers = {column.key: column.header for column in COLUMNS}
        before = len(self.problems)
        nip = ""
        try:
            nip = _nip(cell("nip"))
        except InvalidNumber as error:
            self.problem(number, headers["nip"], str(error))
        year = month = 0
        try:
            year = _whole(cell("year"))
            if not 2000 <= year <= 2100:
                raise ValueError(year)
        except ValueError:
            self.problem(number, headers["year"], _("Isi tahun dengan empat angka, mis. 2026."))
            year = 0
        try:
            month = _month(cell("month"))
        except ValueError:
            self.problem(
                number, headers["month"], _("Isi bulan dengan angka 1 sampai 12 atau nama bulan.")
            )
            month = 0
        if year and month and datetime.date(year, month, 1) > self.today:
            self.problem(number, headers["month"], _("Bulan ini belum berjalan."))
        values: dict[str, int] = {}
        for key in FIELDS:
            raw = cell(key)
            column = next(c for c in COLUMNS if c.key == key)
            if not column.required and _text(raw) == "":
                values[key] = 0
                continue
            try:
                values[key] = _whole(raw)
            except ValueError:
                self.problem(number, column.header, _("Isi dengan bilangan bulat 0 atau lebih."))
        if len(values) == len(FIELDS):
            self._check_days(number, values, headers)
        if len(self.problems) == before:
            self.rows.append(_Row(number, nip, year, month, values))

    def _check_days(self, number: int, values: dict[str, int], headers: dict[str, str]) -> None:
        working = values["working_days"]
        if not 1 <= working <= 31:
            self.problem(number, headers["working_days"], _("Hari kerja harus antara 1 dan 31."))
            return
        if values["present_days"] > working:
            self.problem(
                number,
                headers["present_days"],
                _("Hadir (%(present)d) melebihi hari kerja (%(working)d).")
                % {"present": values["present_days"], "working": working},
            )
        if values["late_count"] > values["present_days"]:
            self.problem(
                number,
                headers["late_count"],
                _("Terlambat (%(late)d) melebihi jumlah hadir (%(present)d).")
                % {"late": values["late_count"], "present": values["present_days"]},
            )
        total = values["present_days"] + values["leave_days"] + values["absent_days"]
        if values["present_days"] <= working < total:
            self.problem(
                number,
                headers["working_days"],
                _(
                    "Hadir + Cuti/Izin + Tanpa Keterangan (%(total)d) "
                    "melebihi hari kerja (%(working)d)."
                )
                % {"total": total, "working": working},
            )

    def resolve(self) -> None:
        """Match NIPs to the agency's employees and refuse repeated (NIP, year, month)."""
        seen: dict[tuple[str, int, int], int] = {}
        for row in self.rows:
            key = (row.nip, row.year, row.month)
            if key in seen:
                self.problem(
                    row.row,
                    "NIP",
                    _("Data pegawai ini untuk bulan %(month)d/%(year)d sudah ada di baris %(row)d.")
                    % {"month": row.month, "year": row.year, "row": seen[key]},
                )
            else:
                seen[key] = row.row
        nips = sorted({row.nip for row in self.rows})
        found: dict[str, int] = {}
        for start in range(0, len(nips), BATCH):
            found.update(
                Employee.objects.filter(
                    agency=self.agency, nip__in=nips[start : start + BATCH]
                ).values_list("nip", "pk")
            )
        for row in self.rows:
            row.employee_id = found.get(row.nip)
            if row.employee_id is None:
                self.problem(row.row, "NIP", _("NIP tidak terdaftar sebagai pegawai instansi ini."))
        self.problems.sort(key=lambda problem: problem.row)


def _apply(run: _Run, report: AttendanceReport, *, write: bool, source: str) -> None:
    """Compare every row with the stored month and (when ``write``) create or update it."""
    now = timezone.now()
    for start in range(0, len(run.rows), BATCH):
        batch = run.rows[start : start + BATCH]
        employee_ids = {row.employee_id for row in batch}
        stored = {
            (record.employee_id, record.year, record.month): record
            for record in AttendanceRecord.objects.filter(
                employee_id__in=employee_ids, year__in={row.year for row in batch}
            )
        }
        created: list[AttendanceRecord] = []
        changed: list[AttendanceRecord] = []
        for row in batch:
            assert row.employee_id is not None
            record = stored.get((row.employee_id, row.year, row.month))
            if record is None:
                created.append(
                    AttendanceRecord(
                        agency=run.agency,
                        employee_id=row.employee_id,
                        year=row.year,
                        month=row.month,
                        source=source,
                        imported_at=now,
                        **row.values,
                    )
                )
            elif any(getattr(record, key) != value for key, value in row.values.items()):
                for key, value in row.values.items():
                    setattr(record, key, value)
                record.source, record.imported_at = source, now
                changed.append(record)
            else:
                report.unchanged += 1
        report.created += len(created)
        report.updated += len(changed)
        if write:
            AttendanceRecord.objects.bulk_create(created, batch_size=BATCH)
            AttendanceRecord.objects.bulk_update(
                changed, [*FIELDS, "source", "imported_at"], batch_size=BATCH
            )


def import_attendance(
    *, actor: Any, agency: Agency, file: BinaryIO | str | Path, filename: str, dry_run: bool
) -> AttendanceReport:
    """Check the whole attendance file, then (unless ``dry_run`` or a problem) upsert it.

    ``actor`` must administer ``agency`` (else ActionForbidden, nothing read). ``file`` is a
    path or a binary stream; ``filename`` decides the format and is recorded. Return the
    report: every problem with its row and column, or how many months were (or would be)
    created, updated and left unchanged. A committed import writes one audit row on the
    chain ``attendance:<agency>``.
    """
    require_admin(actor, agency.pk)
    report = AttendanceReport(dry_run=dry_run)
    run = _Run(agency=agency, today=local_date(timezone.now(), agency.time_zone))
    with ExitStack() as stack:
        try:
            rows = _rows(file, filename, stack)
            header: dict[str, int] | None = None
            for number, cells in enumerate(rows, start=1):
                if header is None:
                    if number == 1:
                        header = run.header(cells)
                        if header is None:
                            break
                    continue
                if _blank(cells):
                    continue
                run.data_rows += 1
                run.read(number, cells, header)
        except _FileError as error:
            report.problems = [AttendanceProblem(0, "", str(error))]
            return report
        except UnicodeDecodeError:
            report.problems = [
                AttendanceProblem(0, "", _("Berkas CSV harus disimpan sebagai CSV UTF-8."))
            ]
            return report
        except _READ_ERRORS:
            report.problems = [AttendanceProblem(0, "", _("Berkas rusak atau tidak dapat dibaca."))]
            return report
    report.rows = run.data_rows
    if not run.problems and not run.rows:
        run.problem(0, "", _("Berkas tidak berisi data kehadiran."))
    if not run.problems:
        run.resolve()
    if run.problems:
        report.problems = run.problems
        return report
    source = Path(filename).name[:200]
    if dry_run:
        _apply(run, report, write=False, source=source)
        return report
    try:
        with transaction.atomic():
            # One import per agency at a time: the second waits, then compares with the first.
            Agency.objects.select_for_update().filter(pk=agency.pk).first()
            _apply(run, report, write=True, source=source)
            audit.record(
                code=AuditCode.PROCESS_EVENT,
                tenant_id=agency.pk,
                chain=f"attendance:{agency.pk}",
                actor_id=getattr(actor, "pk", None),
                payload={
                    "event": "attendance_imported",
                    "file": source,
                    "rows": report.rows,
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                },
            )
    except IntegrityError:
        report.created = report.updated = report.unchanged = 0
        report.problems = [
            AttendanceProblem(
                0,
                "",
                _("Data kehadiran berubah selama impor; tidak ada yang disimpan. Ulangi impor."),
            )
        ]
    return report
