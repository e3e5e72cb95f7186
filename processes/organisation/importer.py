"""Import an agency's units, positions, employees and position holdings from .xlsx or CSV.

A workbook holds up to four sheets, "Unit Kerja", "Jabatan", "Pegawai" and "Pemangku
Jabatan" (plus an ignored "Petunjuk"); a CSV file holds one of them. The file is read
streaming, three times, and never whole into memory:

1. count the data rows (for ``progress``);
2. validate every row of the whole file and collect *every* problem with its sheet, row,
   column and a message in Bahasa Indonesia; only the keys needed for cross-references are
   kept (codes, NIPs, holding periods);
3. only when the whole file is valid: compare each row with the database by its key and,
   unless it is a dry run, write, inside one transaction. A dry run does this pass without
   writing, so it reports exactly the counts the import would.

Keys: units and positions by code within the agency, employees by NIP, holdings by
(NIP, Kode Jabatan, Mulai). A column missing from the file leaves that field as it is; an
empty cell in a present column clears it (no parent unit means a root, no supervisor
post means none, no end date means open-ended), except the kinds (Jenis, Jenis Pegawai,
Jenis Kelamin), which keep the stored value or take the default.

Writes follow the organisation actions: the same normalisation (trimmed text, NIP digits
only), the same validation (the models' own ``clean_fields``/``clean``), unit paths as
``actions.create_unit``/``update_unit`` keep them, and accounts as
``actions.create_employee`` makes them (username = NIP, unusable password). Rows are
written in batches; the two changes that running work must follow go through the actions
themselves: a changed reporting line of an existing position
(``actions.correct_reporting_line``: history kept, open tasks re-routed) and a new status of
an existing employee (``actions.set_employee_status``: kept out of cycles).
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import tempfile
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, BinaryIO, TypeVar

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from processes.organisation import actions
from processes.organisation.access import require_admin
from processes.organisation.identity import (
    EmployeeType,
    InvalidNumber,
    normalise_number,
    parse_number,
)
from processes.organisation.models import (
    Agency,
    Employee,
    EmployeeStatus,
    EmployeeStatusPeriod,
    FunctionalLevel,
    Position,
    PositionHolding,
    PositionKind,
    Unit,
    User,
)
from workflow import audit
from workflow.calendar import local_date
from workflow.models import AuditCode

UNITS = "Unit Kerja"
POSITIONS = "Jabatan"
EMPLOYEES = "Pegawai"
HOLDINGS = "Pemangku Jabatan"
SHEETS: tuple[str, ...] = (UNITS, POSITIONS, EMPLOYEES, HOLDINGS)
INSTRUCTIONS = "Petunjuk"
BATCH = 500
# Call ``progress`` after this many rows of a pass (the brief allows at most 500).
PROGRESS_EVERY = 100

CHANGED_MEANWHILE = gettext_noop(
    "Data instansi berubah selama impor; tidak ada yang disimpan. Periksa lalu ulangi impor."
)
NIP_AS_NUMBER = gettext_noop(
    "NIP tersimpan sebagai angka di Excel dan kehilangan digit; format kolom NIP sebagai Teks."
)


# The report ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportProblem:
    """One problem of the file, located as the user sees it in Excel."""

    sheet: str  # one of SHEETS; the sheet's own name for an unknown sheet; "" for the file
    row: int  # 1-based row number in Excel (the header is row 1); 0 for the whole file/sheet
    column: str  # the column header as written in the file ("" for the whole row or file)
    message: str  # Bahasa Indonesia

    def __str__(self) -> str:
        if not self.sheet:
            return _("Berkas: %(message)s") % {"message": self.message}
        where = (
            self.sheet
            if self.row == 0
            else _("%(sheet)s baris %(row)d")
            % {
                "sheet": self.sheet,
                "row": self.row,
            }
        )
        if self.column:
            where = _("%(where)s, kolom %(column)s") % {"where": where, "column": self.column}
        return f"{where}: {self.message}"


@dataclass
class ImportReport:
    """What an import found and (would have) done.

    ``counts`` maps each sheet to {"created", "updated", "unchanged"}; it stays at zero when
    there are problems, because then nothing is compared or written.
    """

    dry_run: bool
    rows: int
    problems: list[ImportProblem]
    counts: dict[str, dict[str, int]]

    @property
    def ok(self) -> bool:
        """Return True when the file has no problems."""
        return not self.problems


def _zero_counts() -> dict[str, dict[str, int]]:
    return {sheet: {"created": 0, "updated": 0, "unchanged": 0} for sheet in SHEETS}


# Columns ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its key, its header, whether it is required, and help text."""

    key: str
    header: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    help: str = ""


COLUMNS: dict[str, tuple[Column, ...]] = {
    UNITS: (
        Column("code", "Kode Unit", True, help="Kode unik unit di instansi ini, mis. DINKES."),
        Column("name", "Nama Unit", True, ("nama",), "Nama resmi unit kerja."),
        Column(
            "kind",
            "Jenis",
            aliases=("jenis unit",),
            help="OPD, Sub-unit atau UPT. Kosong: OPD bila tanpa induk, Sub-unit bila ada induk.",
        ),
        Column(
            "parent",
            "Kode Unit Induk",
            aliases=("unit induk", "induk"),
            help="Kode unit di atasnya. Kosong: unit teratas (OPD).",
        ),
    ),
    POSITIONS: (
        Column("code", "Kode Jabatan", True, help="Kode unik jabatan di instansi ini."),
        Column("name", "Nama Jabatan", True, ("nama",), "Nama jabatan, mis. Kepala Dinas."),
        Column("unit", "Kode Unit", True, ("unit", "unit kerja"), "Kode unit tempat jabatan."),
        Column(
            "kind",
            "Jenis Jabatan",
            True,
            ("jenis",),
            "JPT, Administrator, Pengawas, Fungsional atau Pelaksana.",
        ),
        Column(
            "level",
            "Jenjang",
            aliases=("jenjang jabatan", "jenjang fungsional"),
            help="Wajib untuk Fungsional: Pemula, Terampil, Mahir, Penyelia, Ahli Pertama, "
            "Ahli Muda, Ahli Madya, Ahli Utama. Kosong untuk jabatan lain.",
        ),
        Column(
            "reports_to",
            "Kode Jabatan Atasan",
            aliases=("jabatan atasan", "atasan"),
            help="Kode jabatan atasan langsung. Kosong: tidak punya atasan (mis. JPT tertinggi).",
        ),
        Column(
            "is_head", "Kepala Unit", help="Ya bila jabatan ini kepala unitnya, selain itu Tidak."
        ),
    ),
    EMPLOYEES: (
        Column(
            "nip",
            "NIP",
            True,
            ("nip / ni pppk", "ni pppk", "nomor induk pegawai"),
            "18 digit, boleh dengan spasi. Format kolom sebagai Teks agar digit tidak hilang.",
        ),
        Column(
            "name", "Nama", True, ("nama pegawai", "nama lengkap"), "Nama lengkap dengan gelar."
        ),
        Column("type", "Jenis Pegawai", help="PNS atau PPPK. Kosong: PNS (pegawai baru)."),
        Column(
            "sex",
            "Jenis Kelamin",
            help="L/P (juga Pria/Wanita atau 1/2). Kosong: diambil dari digit ke-15 NIP.",
        ),
        Column("email", "Email", aliases=("e-mail", "surel"), help="Alamat surel (boleh kosong)."),
        Column(
            "status",
            "Status",
            aliases=("status pegawai",),
            help="Aktif, Pensiun, Tugas Belajar, CLTN, Diberhentikan Sementara atau Pindah "
            "Keluar. Kosong: tidak diubah.",
        ),
        Column(
            "since",
            "Status Sejak",
            help=(
                "Tanggal mulai status; wajib bila Status bukan Aktif. Untuk pegawai yang "
                "kembali aktif: tanggal aktif kembali (status sebelumnya berakhir sehari "
                "sebelumnya)."
            ),
        ),
    ),
    HOLDINGS: (
        Column("nip", "NIP", True, ("nip / ni pppk", "ni pppk"), "NIP atau NI PPPK pemangku."),
        Column("position", "Kode Jabatan", True, help="Kode jabatan yang dipangku."),
        Column("starts_on", "Mulai", True, ("tmt", "tanggal mulai"), "Tanggal mulai (TMT)."),
        Column("ends_on", "Selesai", aliases=("tanggal selesai",), help="Kosong: masih menjabat."),
        Column("reference", "Nomor SK", aliases=("no sk", "sk"), help="Nomor SK pengangkatan."),
    ),
}


def _header_key(text: object) -> str:
    """Return a header or sheet name compared case- and space-insensitively."""
    words = str(text).replace("*", " ").replace("\xa0", " ").split()
    return re.sub(r"\s*/\s*", " / ", " ".join(words)).lower()


def _token(text: str) -> str:
    """Return a value compared ignoring case, spaces and punctuation ("Sub-unit" = "subunit")."""
    return re.sub(r"[^0-9a-z]", "", text.lower())


_SHEET_NAMES: dict[str, str] = {
    **{_header_key(sheet): sheet for sheet in SHEETS},
    "unit": UNITS,
    "pemangku": HOLDINGS,
    "pemangku jabatan": HOLDINGS,
}


def sheet_named(name: str) -> str | None:
    """Return the sheet ``name`` means (case- and space-insensitive), or None."""
    return _SHEET_NAMES.get(_header_key(name))


def _choices(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {_token(alias): value for value, aliases in table.items() for alias in aliases}


UNIT_KINDS = _choices(
    {
        Unit.Kind.OPD: ("opd", "perangkat daerah", "perangkat daerah (opd)"),
        Unit.Kind.SUBUNIT: ("subunit", "sub-unit", "sub unit"),
        Unit.Kind.UPT: ("upt", "unit pelaksana teknis", "unit pelaksana teknis (upt)"),
    }
)
POSITION_KINDS = _choices(
    {
        PositionKind.JPT: ("jpt", "jabatan pimpinan tinggi", "jabatan pimpinan tinggi (jpt)"),
        PositionKind.ADMINISTRATOR: ("administrator", "jabatan administrator"),
        PositionKind.PENGAWAS: ("pengawas", "jabatan pengawas"),
        PositionKind.FUNGSIONAL: ("fungsional", "jabatan fungsional", "jf"),
        PositionKind.PELAKSANA: ("pelaksana", "jabatan pelaksana"),
    }
)
LEVELS = _choices({value: (value, str(label)) for value, label in FunctionalLevel.choices})
EMPLOYEE_TYPES = _choices({EmployeeType.PNS: ("pns",), EmployeeType.PPPK: ("pppk",)})
SEXES = _choices({"1": ("l", "laki-laki", "pria", "1"), "2": ("p", "perempuan", "wanita", "2")})
STATUSES = _choices(
    {
        EmployeeStatus.ACTIVE: ("aktif", "active"),
        EmployeeStatus.RETIRED: ("pensiun", "retired"),
        EmployeeStatus.STUDY_LEAVE: ("tugas belajar", "study_leave"),
        EmployeeStatus.UNPAID_LEAVE: ("cltn", "cuti di luar tanggungan negara", "unpaid_leave"),
        EmployeeStatus.SUSPENDED: ("diberhentikan sementara", "suspended"),
        EmployeeStatus.TRANSFERRED_OUT: (
            "pindah keluar",
            "pindah ke instansi lain",
            "transferred_out",
        ),
    }
)
YES_NO = _choices({"1": ("ya", "y", "yes", "true", "benar", "1"), "": ("tidak", "t", "no", "n")})
YES_NO.update({"false": "", "salah": "", "0": ""})


# Reading the file ------------------------------------------------------------------------


class _Table:
    """One sheet of the file: its name as written, its kind, and its rows (re-readable)."""

    def __init__(
        self,
        title: str,
        sheet: str,
        open_rows: Callable[[], Iterator[Sequence[Any]]],
        count_rows: Callable[[], int] | None = None,
    ) -> None:
        self.title = title
        self.sheet = sheet
        self._open_rows = open_rows
        self._count_rows = count_rows

    def rows(self) -> Iterator[tuple[int, Sequence[Any]]]:
        """Yield (Excel row number, values) for every non-blank row, header included."""
        for number, values in enumerate(self._open_rows(), start=1):
            if any(not _blank(value) for value in values):
                yield number, values

    def count(self) -> int:
        """Return the number of data rows (non-blank rows after the header)."""
        rows = self._count_rows() if self._count_rows else sum(1 for _row in self.rows())
        return max(rows - 1, 0)


_SHEET_XML = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _xml_row_counter(worksheet: Any) -> Callable[[], int] | None:
    """Return a function counting a sheet's rows with a value from its XML, or None.

    Five times cheaper than letting openpyxl build every cell: for ``progress`` only.
    """
    source = getattr(worksheet, "_get_source", None)  # openpyxl's read-only sheet XML
    if source is None:
        return None

    def count() -> int:
        from xml.etree.ElementTree import iterparse

        rows = 0
        with source() as stream:
            for _event, element in iterparse(stream):
                if element.tag == f"{_SHEET_XML}row":
                    if any(
                        cell.find(f"{_SHEET_XML}v") is not None
                        or cell.find(f"{_SHEET_XML}is") is not None
                        for cell in element
                    ):
                        rows += 1
                    element.clear()
        return rows

    return count


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class _FileError(Exception):
    """The file as a whole cannot be read; the message says why in Bahasa Indonesia."""


_READ_ERRORS = (
    zipfile.BadZipFile,
    KeyError,
    OSError,
    ValueError,
    SyntaxError,
    EOFError,
    csv.Error,
)


def _binary(file: BinaryIO | str | Path, stack: ExitStack) -> IO[bytes]:
    """Return a seekable binary stream of ``file`` (spooled to disk when it is not seekable)."""
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


def _xlsx_tables(stream: IO[bytes], stack: ExitStack) -> tuple[list[_Table], list[ImportProblem]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except _READ_ERRORS as error:
        raise _FileError(
            _("Berkas tidak dapat dibaca sebagai buku kerja Excel (.xlsx).")
        ) from error
    stack.callback(workbook.close)
    tables: list[_Table] = []
    problems: list[ImportProblem] = []
    seen: dict[str, str] = {}
    for worksheet in workbook.worksheets:
        title = str(worksheet.title)
        if _header_key(title) == _header_key(INSTRUCTIONS):
            continue
        sheet = sheet_named(title)
        if sheet is None:
            problems.append(
                ImportProblem(
                    title,
                    0,
                    "",
                    _("Lembar tidak dikenal; nama lembar yang dikenal: %(names)s.")
                    % {"names": ", ".join(SHEETS)},
                )
            )
            continue
        if sheet in seen:
            problems.append(
                ImportProblem(
                    sheet,
                    0,
                    "",
                    _("Lembar %(sheet)s ada dua kali (%(first)s dan %(second)s).")
                    % {"sheet": sheet, "first": seen[sheet], "second": title},
                )
            )
            continue
        seen[sheet] = title
        # The stored dimensions may be wrong; read every row the sheet really has.
        worksheet.reset_dimensions()

        def open_rows(worksheet: Any = worksheet) -> Iterator[Sequence[Any]]:
            return iter(worksheet.iter_rows(values_only=True))

        tables.append(_Table(title, sheet, open_rows, _xml_row_counter(worksheet)))
    return tables, problems


def _csv_dialect(stream: IO[bytes]) -> str:
    """Return the delimiter of a CSV file: "," or ";" (Excel in Indonesian writes ";")."""
    stream.seek(0)
    sample = stream.read(64 * 1024).decode("utf-8-sig", errors="ignore")
    try:
        return str(csv.Sniffer().sniff(sample, delimiters=",;").delimiter)
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        return ";" if first.count(";") > first.count(",") else ","


def _csv_table(stream: IO[bytes], sheet: str, title: str) -> _Table:
    delimiter = _csv_dialect(stream)

    def open_rows() -> Iterator[Sequence[Any]]:
        stream.seek(0)
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
        try:
            yield from csv.reader(text, delimiter=delimiter)
        finally:
            text.detach()  # leave the caller's stream open

    return _Table(title, sheet, open_rows)


def _open_tables(
    file: BinaryIO | str | Path, filename: str, sheet: str | None, stack: ExitStack
) -> tuple[list[_Table], list[ImportProblem]]:
    """Return the file's known sheets in import order, and problems of the file's shape."""
    suffix = Path(filename).suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        tables, problems = _xlsx_tables(_binary(file, stack), stack)
    elif suffix == ".csv":
        kind = sheet_named(sheet) if sheet else None
        if kind is None:
            raise _FileError(
                _("Untuk berkas CSV pilih jenis datanya: %(names)s.") % {"names": ", ".join(SHEETS)}
            )
        tables, problems = [_csv_table(_binary(file, stack), kind, Path(filename).name)], []
    elif suffix == ".xls":
        raise _FileError(_("Format .xls (Excel 97-2003) tidak didukung; simpan sebagai .xlsx."))
    else:
        raise _FileError(_("Berkas harus berformat .xlsx atau .csv."))
    if not tables and not problems:
        raise _FileError(
            _("Tidak ada lembar yang dikenal; nama lembar: %(names)s.")
            % {"names": ", ".join(SHEETS)}
        )
    tables.sort(key=lambda table: SHEETS.index(table.sheet))
    return tables, problems


# Cells -----------------------------------------------------------------------------------


def _text(value: object) -> str:
    """Return a cell as trimmed text; whole numbers Excel stored as floats lose the ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    return str(value).strip()


_SCIENTIFIC = re.compile(r"^\d+(?:[.,]\d+)?[eE][+-]?\d+$")
_DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y")


def _nip_digits(value: object) -> str:
    """Return the 18 digits of an NIP cell; raise InvalidNumber saying what is wrong.

    Excel keeps 15 significant digits of a number, so an NIP typed into a number cell comes
    back as a float (or as text like "1.98609E+17" in a CSV): its last digits are gone.
    """
    if isinstance(value, float) and (not value.is_integer() or abs(value) >= 1e15):
        raise InvalidNumber(_(NIP_AS_NUMBER))
    text = _text(value).lstrip("'").replace("\xa0", " ")
    if _SCIENTIFIC.match(text.replace(" ", "")):
        raise InvalidNumber(_(NIP_AS_NUMBER))
    if isinstance(value, int) and len(text) == 18 and text.endswith("000"):
        # 15 significant digits padded with zeros: what Excel leaves of an 18-digit number.
        raise InvalidNumber(_(NIP_AS_NUMBER))
    return normalise_number(text)


def _date(value: object) -> datetime.date:
    """Return a date from an Excel date cell or text in one of the accepted formats."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    if text.endswith(" 00:00:00"):
        text = text[: -len(" 00:00:00")]
    for pattern in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a day
        except ValueError:
            continue
    raise ValueError(text)


def _day(day: datetime.date) -> str:
    return day.strftime("%d-%m-%Y")


# Rows ------------------------------------------------------------------------------------


class _Header:
    """A sheet's header row: which column holds which key, as written in the file."""

    def __init__(self, sheet: str, row: int) -> None:
        self.sheet = sheet
        self.row = row
        self.index: dict[str, int] = {}
        self.written: dict[str, str] = {}
        self.usable = True

    def column(self, key: str) -> str:
        """Return the header of ``key`` as written (or as it should be, when missing)."""
        if key in self.written:
            return self.written[key]
        return next(column.header for column in COLUMNS[self.sheet] if column.key == key)

    def has(self, key: str) -> bool:
        """Return True when the file has the column."""
        return key in self.index


def _read_header(
    sheet: str, row: int, values: Sequence[Any], problems: list[ImportProblem]
) -> _Header:
    header = _Header(sheet, row)
    names: dict[str, str] = {}
    for column in COLUMNS[sheet]:
        for name in (column.header, *column.aliases):
            names[_header_key(name)] = column.key
    known = ", ".join(column.header for column in COLUMNS[sheet])
    for position, value in enumerate(values):
        if _blank(value):
            continue
        written = str(value).strip()
        key = names.get(_header_key(written))
        if key is None:
            problems.append(
                ImportProblem(
                    sheet,
                    row,
                    written,
                    _("Kolom tidak dikenal. Kolom lembar ini: %(known)s.") % {"known": known},
                )
            )
        elif key in header.index:
            problems.append(ImportProblem(sheet, row, written, _("Kolom ini ada dua kali.")))
        else:
            header.index[key] = position
            header.written[key] = written
    for column in COLUMNS[sheet]:
        if column.required and column.key not in header.index:
            header.usable = False
            problems.append(
                ImportProblem(sheet, row, column.header, _("Kolom wajib ini tidak ada."))
            )
    return header


class _Row:
    """The cells of one data row by key; records its problems against the written headers."""

    def __init__(
        self,
        header: _Header,
        number: int,
        values: Sequence[Any],
        problems: list[ImportProblem],
        *,
        checking: bool = True,
    ) -> None:
        self.checking = checking
        self.header = header
        self.number = number
        self.values = values
        self.problems = problems
        self.bad: set[str] = set()

    def problem(self, key: str, message: str) -> None:
        """Record a problem in this row's column ``key``."""
        self.bad.add(key)
        self.problems.append(
            ImportProblem(self.header.sheet, self.number, self.header.column(key), message)
        )

    def raw(self, key: str) -> object:
        """Return the cell's value as read (None for a missing column or cell)."""
        position = self.header.index.get(key)
        if position is None or position >= len(self.values):
            return None
        return self.values[position]

    def text(self, key: str, *, required: bool = False) -> str:
        """Return the cell as trimmed text; record a problem when required and empty."""
        value = _text(self.raw(key))
        if required and not value:
            self.problem(key, _("Wajib diisi."))
        return value

    def date(self, key: str, *, required: bool = False) -> datetime.date | None:
        """Return the cell as a date (None when empty); record a problem when unreadable."""
        value = self.raw(key)
        if _blank(value):
            if required:
                self.problem(key, _("Wajib diisi."))
            return None
        try:
            return _date(value)
        except ValueError:
            self.problem(
                key,
                _(
                    'Tanggal "%(value)s" tidak dikenali; gunakan sel tanggal Excel atau '
                    "TTTT-BB-HH, HH-BB-TTTT, HH/BB/TTTT."
                )
                % {"value": _text(value)},
            )
            return None

    def choice(
        self, key: str, table: dict[str, str], allowed: str, *, required: bool = False
    ) -> str | None:
        """Return the stored value the cell names (None when empty); record unknown values."""
        value = self.raw(key)
        text = "Ya" if value is True else "Tidak" if value is False else _text(value)
        if not text:
            if required:
                self.problem(key, _("Wajib diisi."))
            return None
        found = table.get(_token(text))
        if found is None:
            self.problem(
                key,
                _('Nilai "%(value)s" tidak dikenal; isi dengan %(allowed)s.')
                % {"value": text, "allowed": allowed},
            )
        return found

    def check_model(
        self,
        model: type[Model],
        values: dict[str, Any],
        columns: dict[str, str],
        clean_needs: tuple[str, ...] = (),
    ) -> None:
        """Run the model's own field validation on ``values``, as the actions do.

        ``columns`` maps the model's fields to column keys. The model's ``clean`` runs too
        when ``clean_needs`` names the columns it reads and none of them has a problem yet.
        """
        if not self.checking:
            return
        instance = model(**values)
        exclude = [name for name, key in columns.items() if key in self.bad]
        exclude += [
            f.name for f in instance._meta.get_fields() if f.concrete and f.name not in columns
        ]
        run_clean = bool(clean_needs) and not self.bad.intersection(clean_needs)
        try:
            instance.clean_fields(exclude=exclude)
            if run_clean:
                instance.clean()
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                self.problem(columns.get(name, next(iter(columns.values()))), messages[0])


# Parsed rows: small records, kept only as long as needed ---------------------------------


@dataclass(slots=True)
class _UnitRow:
    row: int
    code: str
    name: str
    kind: str | None  # None: keep the stored kind (new units: by position in the tree)
    parent: str | None  # the parent's code; None: a root
    parent_given: bool


@dataclass(slots=True)
class _PositionRow:
    row: int
    code: str
    name: str
    unit: str
    kind: str
    level: str | None  # None: column missing, keep
    reports_to: str | None
    reports_to_given: bool
    is_head: bool | None  # None: column missing, keep


@dataclass(slots=True)
class _EmployeeRow:
    row: int
    nip: str
    name: str
    employee_type: str | None  # None: keep the stored type (new: PNS)
    sex: str  # "": keep (new: from the NIP)
    email: str | None  # None: column missing, keep
    status: str | None
    since: datetime.date | None
    # Filled when resolved against the database:
    resolved_type: str = ""
    nip_sex: str = ""


@dataclass(slots=True)
class _HoldingRow:
    row: int
    nip: str
    position: str
    starts_on: datetime.date
    ends_on: datetime.date | None
    ends_given: bool
    reference: str | None  # None: column missing, keep


@dataclass(frozen=True, slots=True)
class _StoredUnit:
    pk: int
    name: str
    kind: str
    parent_id: int | None


@dataclass(frozen=True, slots=True)
class _StoredPosition:
    pk: int
    name: str
    kind: str
    level: str
    unit_id: int
    reports_to_id: int | None
    is_head: bool


@dataclass(slots=True)
class _StoredEmployee:
    pk: int
    agency_id: int
    employee_type: str
    name: str
    sex: str
    email: str
    user_id: int | None
    statuses: set[tuple[str, datetime.date]] = field(default_factory=set)
    current_status: _StoredStatus | None = None


@dataclass(frozen=True, slots=True)
class _StoredStatus:
    """The status period covering today: what an "Aktif" row with a date may end."""

    pk: int
    status: str
    starts_on: datetime.date
    ends_on: datetime.date | None

    def end_for(self, back_on: datetime.date) -> datetime.date | None:
        """Return the end date for someone active again on ``back_on``; None: already so."""
        ends_on = back_on - datetime.timedelta(days=1)
        return None if ends_on == self.ends_on else ends_on


class _Conflict(Exception):
    """The database changed between validation and writing; roll back and report."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        super().__init__("import conflict")
        self.problems = problems


class _Progress:
    """Report progress as rows validated plus rows compared/written, scaled to data rows."""

    def __init__(self, callback: Callable[[int, int], None] | None, total: int) -> None:
        self.callback = callback
        self.total = total
        self.validated = 0
        self.applied = 0
        self.reported = -1

    def step(self, *, applied: bool = False) -> None:
        """Count one row of the validation pass (or of the write pass)."""
        if applied:
            self.applied += 1
            ticks = self.applied
        else:
            self.validated += 1
            ticks = self.validated
        if ticks % PROGRESS_EVERY == 0:
            self._report(min((self.validated + self.applied) // 2, self.total))

    def finish(self) -> None:
        """Report (total, total)."""
        self._report(self.total)

    def _report(self, done: int) -> None:
        if self.callback is not None and done > self.reported:
            self.reported = done
            self.callback(done, self.total)


T = TypeVar("T")


def _batches(items: Sequence[T], size: int = BATCH) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# The import ------------------------------------------------------------------------------


class _Import:
    """One run over one file for one agency: validate, then compare and (maybe) write."""

    def __init__(
        self, *, actor: Any, agency: Agency, filename: str, tables: list[_Table], tracker: _Progress
    ) -> None:
        self.actor = actor
        self.agency = agency
        self.filename = filename
        self.tables = {table.sheet: table for table in tables}
        self.tracker = tracker
        self.problems: list[ImportProblem] = []
        self.today = local_date(timezone.now(), agency.time_zone)
        # Rows of these sheets could not be keyed (a required column is missing): references
        # into them are not reported, to avoid one mistake producing a thousand.
        self.unreadable: set[str] = set()
        # The agency's units and positions (few) in memory; employees only as NIP keys.
        self.stored_units: dict[str, _StoredUnit] = {}
        self.stored_positions: dict[str, _StoredPosition] = {}
        self.units: dict[str, _UnitRow] = {}
        self.positions: dict[str, _PositionRow] = {}
        self.employee_rows: dict[str, int] = {}
        self.holding_rows: dict[tuple[str, str, datetime.date], int] = {}
        self.periods: dict[str, list[tuple[datetime.date, datetime.date | None, str, int]]] = (
            defaultdict(list)
        )
        self.counts = _zero_counts()
        self._headers: dict[str, _Header] = {}
        self._load_units_and_positions()

    def check_tree_unchanged(self) -> None:
        """Raise _Conflict when the agency's units or positions changed since validation."""
        units, positions = self.stored_units, self.stored_positions
        self._load_units_and_positions()
        if (units, positions) != (self.stored_units, self.stored_positions):
            raise _Conflict([ImportProblem("", 0, "", _(CHANGED_MEANWHILE))])

    def _load_units_and_positions(self) -> None:
        self.stored_units = {
            code: _StoredUnit(pk, name, kind, parent_id)
            for pk, code, name, kind, parent_id in Unit.objects.filter(
                agency=self.agency
            ).values_list("pk", "code", "name", "kind", "parent_id")
        }
        self.unit_codes = {unit.pk: code for code, unit in self.stored_units.items()}
        self.stored_positions = {
            row[1]: _StoredPosition(row[0], *row[2:])
            for row in Position.objects.filter(agency=self.agency).values_list(
                "pk",
                "code",
                "name",
                "kind",
                "functional_level",
                "unit_id",
                "reports_to_id",
                "is_unit_head",
            )
        }
        self.position_codes = {post.pk: code for code, post in self.stored_positions.items()}

    # Reading rows ------------------------------------------------------------------------

    def _data_rows(
        self, sheet: str, problems: list[ImportProblem], *, checking: bool = True
    ) -> Iterator[_Row]:
        """Yield the sheet's data rows; the header's problems go to ``problems``.

        ``checking=False`` skips the model field checks (the write pass repeats only the
        checks that depend on the database).
        """
        table = self.tables.get(sheet)
        if table is None:
            return
        header: _Header | None = None
        for number, values in table.rows():
            if header is None:
                header = _read_header(sheet, number, values, problems)
                self._headers[sheet] = header
                if not header.usable:
                    self.unreadable.add(sheet)
                continue
            if not header.usable:
                self.tracker.step()
                continue
            yield _Row(header, number, values, problems, checking=checking)

    # Pass 2: validation ------------------------------------------------------------------

    def validate(self) -> list[ImportProblem]:
        """Check the whole file; return every problem, sorted by sheet and row."""
        self._validate_units()
        self._validate_positions()
        self._validate_employees()
        self._validate_holdings()
        order = {sheet: index for index, sheet in enumerate(SHEETS)}
        self.problems.sort(key=lambda item: (order.get(item.sheet, -1), item.row))
        return self.problems

    def _validate_units(self) -> None:
        for row in self._data_rows(UNITS, self.problems):
            self.tracker.step()
            code = row.text("code", required=True)
            name = row.text("name", required=True)
            kind = row.choice("kind", UNIT_KINDS, "OPD, Sub-unit atau UPT")
            parent = row.text("parent") or None
            row.check_model(
                Unit,
                {"code": code, "name": name, "kind": kind or Unit.Kind.OPD},
                {"code": "code", "name": "name", "kind": "kind"},
            )
            if not code:
                continue
            if code in self.units:
                row.problem(
                    "code",
                    _("Kode unit %(code)s sudah dipakai di baris %(row)d.")
                    % {"code": code, "row": self.units[code].row},
                )
                continue
            self.units[code] = _UnitRow(
                row.number, code, name, kind, parent, row.header.has("parent")
            )
        for unit in self.units.values():
            if unit.parent is not None and not self._unit_exists(unit.parent):
                self._problem(
                    UNITS,
                    unit.row,
                    "parent",
                    _("Unit induk %(code)s tidak ada di lembar Unit Kerja maupun di data instansi.")
                    % {"code": unit.parent},
                )
        parents = {
            code: self.unit_codes.get(unit.parent_id) if unit.parent_id else None
            for code, unit in self.stored_units.items()
        }
        parents.update(
            {
                code: unit.parent if unit.parent_given else parents.get(code)
                for code, unit in self.units.items()
            }
        )
        for code, unit in self.units.items():
            loop = _loop_from(code, parents)
            if loop:
                self._problem(
                    UNITS,
                    unit.row,
                    "parent",
                    _("Unit induk membentuk lingkaran: %(loop)s.") % {"loop": " → ".join(loop)},
                )
        self.final_unit_parents = parents

    def _unit_exists(self, code: str) -> bool:
        return code in self.units or code in self.stored_units or UNITS in self.unreadable

    def _position_exists(self, code: str) -> bool:
        return (
            code in self.positions
            or code in self.stored_positions
            or (POSITIONS in self.unreadable)
        )

    def _validate_positions(self) -> None:
        for row in self._data_rows(POSITIONS, self.problems):
            self.tracker.step()
            code = row.text("code", required=True)
            name = row.text("name", required=True)
            unit = row.text("unit", required=True)
            kind = row.choice(
                "kind",
                POSITION_KINDS,
                "JPT, Administrator, Pengawas, Fungsional atau Pelaksana",
                required=True,
            )
            level: str | None = None
            if row.header.has("level"):
                level = (
                    row.choice(
                        "level",
                        LEVELS,
                        "Pemula, Terampil, Mahir, Penyelia, Ahli Pertama, Ahli Muda, Ahli Madya "
                        "atau Ahli Utama",
                    )
                    or ""
                )
            is_head: bool | None = None
            if row.header.has("is_head"):
                is_head = row.choice("is_head", YES_NO, "Ya atau Tidak") == "1"
            reports_to = row.text("reports_to") or None
            stored = self.stored_positions.get(code)
            # A missing Jenjang column keeps the stored level.
            level_after = level if level is not None else (stored.level if stored else "")
            row.check_model(
                Position,
                {"code": code, "name": name, "kind": kind or "", "functional_level": level_after},
                {"code": "code", "name": "name", "kind": "kind", "functional_level": "level"},
                clean_needs=("kind", "level"),
            )
            if unit and not self._unit_exists(unit):
                row.problem(
                    "unit",
                    _("Unit %(code)s tidak ada di lembar Unit Kerja maupun di data instansi.")
                    % {"code": unit},
                )
            if not code:
                continue
            if code in self.positions:
                row.problem(
                    "code",
                    _("Kode jabatan %(code)s sudah dipakai di baris %(row)d.")
                    % {"code": code, "row": self.positions[code].row},
                )
                continue
            self.positions[code] = _PositionRow(
                row.number,
                code,
                name,
                unit,
                kind or "",
                level,
                reports_to,
                row.header.has("reports_to"),
                is_head,
            )
        for post in self.positions.values():
            if post.reports_to is not None and not self._position_exists(post.reports_to):
                self._problem(
                    POSITIONS,
                    post.row,
                    "reports_to",
                    _(
                        "Jabatan atasan %(code)s tidak ada di lembar Jabatan maupun di data "
                        "instansi."
                    )
                    % {"code": post.reports_to},
                )
        supervisors = {
            code: self.position_codes.get(post.reports_to_id) if post.reports_to_id else None
            for code, post in self.stored_positions.items()
        }
        supervisors.update(
            {
                code: post.reports_to if post.reports_to_given else supervisors.get(code)
                for code, post in self.positions.items()
            }
        )
        for code, post in self.positions.items():
            loop = _loop_from(code, supervisors)
            if loop:
                self._problem(
                    POSITIONS,
                    post.row,
                    "reports_to",
                    _("Garis atasan membentuk lingkaran: %(loop)s.") % {"loop": " → ".join(loop)},
                )
        self.final_supervisors = supervisors

    def _problem(self, sheet: str, row: int, key: str, message: str) -> None:
        header = self._headers.get(sheet)
        column = header.column(key) if header else key
        self.problems.append(ImportProblem(sheet, row, column, message))

    # Employees: streamed in batches, each resolved against the database at once ----------

    def _parse_employee(self, row: _Row) -> _EmployeeRow | None:
        try:
            nip = _nip_digits(row.raw("nip"))
        except InvalidNumber as error:
            row.problem("nip", str(error))
            nip = ""
        name = row.text("name", required=True)
        employee_type = row.choice("type", EMPLOYEE_TYPES, "PNS atau PPPK")
        sex = row.choice("sex", SEXES, "L atau P") or ""
        email = row.text("email") if row.header.has("email") else None
        status = row.choice(
            "status",
            STATUSES,
            "Aktif, Pensiun, Tugas Belajar, CLTN, Diberhentikan Sementara atau Pindah Keluar",
        )
        since = row.date("since")
        if status not in (None, EmployeeStatus.ACTIVE) and since is None and "since" not in row.bad:
            row.problem("since", _("Wajib diisi bila Status bukan Aktif."))
        if since is not None and status is None and "status" not in row.bad:
            row.problem("status", _("Wajib diisi bila Status Sejak diisi."))
        if not nip:
            return None
        return _EmployeeRow(row.number, nip, name, employee_type, sex, email, status, since)

    def _stored_employees(self, nips: Sequence[str]) -> dict[str, _StoredEmployee]:
        stored = {
            nip: _StoredEmployee(pk, agency_id, employee_type, name, sex, email, user_id)
            for nip, pk, agency_id, employee_type, name, sex, email, user_id in (
                Employee.objects.filter(nip__in=nips).values_list(
                    "nip", "pk", "agency_id", "employee_type", "name", "sex", "email", "user_id"
                )
            )
        }
        by_pk = {employee.pk: employee for employee in stored.values()}
        periods = EmployeeStatusPeriod.objects.filter(employee_id__in=by_pk).values_list(
            "employee_id", "pk", "status", "starts_on", "ends_on"
        )
        for employee_id, period_id, status, starts_on, ends_on in periods:
            employee = by_pk[employee_id]
            employee.statuses.add((status, starts_on))
            if starts_on <= self.today and (ends_on is None or self.today <= ends_on):
                employee.current_status = _StoredStatus(period_id, status, starts_on, ends_on)
        return stored

    def _resolve_employees(
        self, batch: list[tuple[_EmployeeRow, _Row]]
    ) -> dict[str, _StoredEmployee]:
        """Check a batch against the database; drop rows with problems from ``batch``."""
        nips = [parsed.nip for parsed, _row in batch]
        stored = self._stored_employees(nips)
        accounts = set(
            User.objects.filter(
                username__in=[nip for nip in nips if nip not in stored]
            ).values_list("username", flat=True)
        )
        kept: list[tuple[_EmployeeRow, _Row]] = []
        for parsed, row in batch:
            existing = stored.get(parsed.nip)
            if existing is not None and existing.agency_id != self.agency.pk:
                row.problem("nip", _("NIP ini sudah terdaftar di instansi lain."))
                continue
            if existing is None and parsed.nip in accounts:
                row.problem("nip", _("Akun dengan NIP ini sudah ada."))
            if (
                existing is not None
                and parsed.employee_type is not None
                and parsed.employee_type != existing.employee_type
            ):
                row.problem(
                    "type",
                    _(
                        "NIP ini terdaftar sebagai %(stored)s; jenis pegawai tidak dapat diubah "
                        "lewat impor."
                    )
                    % {"stored": existing.employee_type.upper()},
                )
            parsed.resolved_type = parsed.employee_type or (
                existing.employee_type if existing is not None else EmployeeType.PNS
            )
            try:
                parsed.nip_sex = parse_number(parsed.nip, parsed.resolved_type).sex
            except InvalidNumber as error:
                row.problem("nip", str(error))
            row.check_model(
                Employee,
                {
                    "nip": parsed.nip,
                    "employee_type": parsed.resolved_type,
                    "name": parsed.name,
                    "sex": parsed.sex,
                    "email": parsed.email or "",
                },
                {
                    "nip": "nip",
                    "employee_type": "type",
                    "name": "name",
                    "sex": "sex",
                    "email": "email",
                },
                clean_needs=("nip", "type", "sex"),
            )
            if (
                parsed.status == EmployeeStatus.ACTIVE
                and existing is not None
                and existing.current_status is not None
            ):
                self._check_return(parsed, row, existing.current_status)
            if not row.bad:
                kept.append((parsed, row))
        batch[:] = kept
        return stored

    def _validate_employees(self) -> None:
        batch: list[tuple[_EmployeeRow, _Row]] = []
        for row in self._data_rows(EMPLOYEES, self.problems):
            self.tracker.step()
            parsed = self._parse_employee(row)
            if parsed is None:
                continue
            if parsed.nip in self.employee_rows:
                row.problem(
                    "nip",
                    _("NIP %(nip)s sudah ada di baris %(row)d.")
                    % {"nip": parsed.nip, "row": self.employee_rows[parsed.nip]},
                )
                continue
            self.employee_rows[parsed.nip] = parsed.row
            batch.append((parsed, row))
            if len(batch) >= BATCH:
                self._resolve_employees(batch)
                batch = []
        if batch:
            self._resolve_employees(batch)

    # Holdings ----------------------------------------------------------------------------

    @staticmethod
    def _check_return(parsed: _EmployeeRow, row: _Row, current: _StoredStatus) -> None:
        """Check an "Aktif" row of someone not active today: it must say since when."""
        facts = {"status": EmployeeStatus(current.status).label, "day": _day(current.starts_on)}
        if parsed.since is None:
            if "since" not in row.bad:
                row.problem(
                    "since",
                    _(
                        "Pegawai ini tercatat %(status)s sejak %(day)s; isi tanggal aktif "
                        "kembali untuk mengakhirinya."
                    )
                    % facts,
                )
        elif parsed.since <= current.starts_on:
            row.problem(
                "since",
                _("Tanggal aktif kembali harus sesudah awal status %(status)s (%(day)s).") % facts,
            )

    def _parse_holding(self, row: _Row) -> _HoldingRow | None:
        try:
            nip = _nip_digits(row.raw("nip"))
        except InvalidNumber as error:
            row.problem("nip", str(error))
            nip = ""
        position = row.text("position", required=True)
        starts_on = row.date("starts_on", required=True)
        ends_on = row.date("ends_on")
        reference = row.text("reference") if row.header.has("reference") else None
        if starts_on is not None and ends_on is not None and ends_on < starts_on:
            row.problem("ends_on", _("Tanggal selesai tidak boleh sebelum tanggal mulai."))
        if reference:
            row.check_model(PositionHolding, {"reference": reference}, {"reference": "reference"})
        if not nip or not position or starts_on is None:
            return None
        return _HoldingRow(
            row.number, nip, position, starts_on, ends_on, row.header.has("ends_on"), reference
        )

    def _validate_holdings(self) -> None:
        batch: list[tuple[_HoldingRow, _Row]] = []
        for row in self._data_rows(HOLDINGS, self.problems):
            self.tracker.step()
            parsed = self._parse_holding(row)
            if parsed is not None and not self._position_exists(parsed.position):
                row.problem(
                    "position",
                    _("Jabatan %(code)s tidak ada di lembar Jabatan maupun di data instansi.")
                    % {"code": parsed.position},
                )
            if parsed is None:
                continue
            key = (parsed.nip, parsed.position, parsed.starts_on)
            if key in self.holding_rows:
                row.problem(
                    "starts_on",
                    _(
                        "Jabatan dan tanggal mulai yang sama untuk NIP ini sudah ada di baris "
                        "%(row)d."
                    )
                    % {"row": self.holding_rows[key]},
                )
                continue
            self.holding_rows[key] = parsed.row
            batch.append((parsed, row))
            if len(batch) >= BATCH:
                self._resolve_holding_people(batch)
                batch = []
        if batch:
            self._resolve_holding_people(batch)
        self._check_overlaps()

    def _resolve_holding_people(self, batch: list[tuple[_HoldingRow, _Row]]) -> None:
        unknown = [parsed.nip for parsed, _row in batch if parsed.nip not in self.employee_rows]
        agencies = dict(Employee.objects.filter(nip__in=unknown).values_list("nip", "agency_id"))
        for parsed, row in batch:
            if parsed.nip not in self.employee_rows and EMPLOYEES not in self.unreadable:
                agency_id = agencies.get(parsed.nip)
                if agency_id is None:
                    row.problem(
                        "nip",
                        _("NIP %(nip)s tidak ada di lembar Pegawai maupun di data instansi.")
                        % {"nip": parsed.nip},
                    )
                elif agency_id != self.agency.pk:
                    row.problem("nip", _("NIP ini terdaftar di instansi lain."))
            if not row.bad:
                self.periods[parsed.nip].append(
                    (parsed.starts_on, parsed.ends_on, parsed.position, parsed.row)
                )

    def _check_overlaps(self) -> None:
        """Report holdings of one NIP that overlap each other or a stored holding."""
        nips = list(self.periods)
        for chunk in _batches(nips):
            stored: dict[str, list[tuple[datetime.date, datetime.date | None, str, int]]] = (
                defaultdict(list)
            )
            for nip, code, starts_on, ends_on in PositionHolding.objects.filter(
                agency=self.agency, employee__nip__in=chunk
            ).values_list("employee__nip", "position__code", "starts_on", "ends_on"):
                if (nip, code, starts_on) not in self.holding_rows:  # replaced by the file's
                    stored[nip].append((starts_on, ends_on, code, 0))
            for nip in chunk:
                periods = self.periods[nip] + stored[nip]
                self._overlaps_of(sorted(periods, key=lambda period: (period[0], period[3])))
        self.periods.clear()

    def _overlaps_of(
        self, periods: list[tuple[datetime.date, datetime.date | None, str, int]]
    ) -> None:
        latest: tuple[datetime.date, datetime.date | None, str, int] | None = None
        for period in periods:
            starts_on, ends_on, code, row = period
            if latest is not None and (latest[1] is None or starts_on <= latest[1]):
                other_start, _other_end, other_code, other_row = latest
                if row:
                    target, other = row, (other_code, other_start, other_row)
                else:
                    target, other = other_row, (code, starts_on, row)
                if other[2]:
                    message = _(
                        "Masa jabatan beririsan dengan baris %(row)d (%(code)s mulai %(day)s)."
                    ) % {"row": other[2], "code": other[0], "day": _day(other[1])}
                else:
                    message = _(
                        "Masa jabatan beririsan dengan jabatan %(code)s yang sudah tercatat "
                        "mulai %(day)s."
                    ) % {"code": other[0], "day": _day(other[1])}
                if target:
                    self._problem(HOLDINGS, target, "starts_on", message)
            if latest is None or (
                latest[1] is not None and (ends_on is None or ends_on > latest[1])
            ):
                latest = period

    # Pass 3: compare with the database and write -----------------------------------------

    def apply(self, *, write: bool) -> dict[str, dict[str, int]]:
        """Compare every row with the database by key; write the differences when ``write``.

        Raise _Conflict when the database changed since validation (nothing is kept then).
        """
        self.write = write
        self.conflicts: list[ImportProblem] = []
        self._apply_units()
        self._apply_positions()
        self._apply_employees()
        self._apply_holdings()
        if self.conflicts:
            raise _Conflict(self.conflicts)
        return self.counts

    def _count(self, sheet: str, outcome: str) -> None:
        self.counts[sheet][outcome] += 1
        self.tracker.step(applied=True)

    def _apply_units(self) -> None:
        outcomes: dict[str, str] = {}  # code -> "created" | "updated" | "unchanged"
        kinds: dict[str, str] = {}
        for code, row in self.units.items():
            stored = self.stored_units.get(code)
            parent = self.final_unit_parents.get(code)
            if stored is None:
                kinds[code] = row.kind or (Unit.Kind.SUBUNIT if parent else Unit.Kind.OPD)
                outcomes[code] = "created"
            else:
                kinds[code] = row.kind or stored.kind
                stored_parent = self.unit_codes.get(stored.parent_id) if stored.parent_id else None
                same = (row.name, kinds[code], parent) == (stored.name, stored.kind, stored_parent)
                outcomes[code] = "unchanged" if same else "updated"
            self._count(UNITS, outcomes[code])
        if not self.write:
            return
        Unit.objects.bulk_create(
            [
                Unit(agency=self.agency, code=code, name=self.units[code].name, kind=kinds[code])
                for code, outcome in outcomes.items()
                if outcome == "created"
            ],
            batch_size=BATCH,
        )
        ids = dict(Unit.objects.filter(agency=self.agency).values_list("code", "pk"))
        written = []
        for code, outcome in outcomes.items():
            if outcome == "unchanged":
                continue
            parent = self.final_unit_parents.get(code)
            written.append(
                Unit(
                    pk=ids[code],
                    name=self.units[code].name,
                    kind=kinds[code],
                    parent_id=ids[parent] if parent else None,
                )
            )
        Unit.objects.bulk_update(written, ["name", "kind", "parent"], batch_size=BATCH)
        self._repath_units()

    def _repath_units(self) -> None:
        """Set every unit's materialised path from its parent, as ``actions._path_for`` does."""
        stored = Unit.objects.filter(agency=self.agency).values_list("pk", "parent_id", "path")
        parents = {pk: parent_id for pk, parent_id, _path in stored}
        paths = {pk: path for pk, _parent_id, path in stored}
        expected: dict[int, str] = {}

        def path_of(pk: int) -> str:
            if pk not in expected:
                parent = parents[pk]
                expected[pk] = f"{path_of(parent) if parent else '/'}{pk}/"
            return expected[pk]

        stale = [Unit(pk=pk, path=path_of(pk)) for pk in parents if path_of(pk) != paths[pk]]
        Unit.objects.bulk_update(stale, ["path"], batch_size=BATCH)

    def _apply_positions(self) -> None:
        created: list[str] = []
        changed: list[tuple[str, str, bool]] = []  # code, level, is_unit_head
        new_lines: list[str] = []  # existing posts whose supervisor changes
        for code, post in self.positions.items():
            stored = self.stored_positions.get(code)
            if stored is None:
                created.append(code)
                self._count(POSITIONS, "created")
                continue
            level = post.level if post.level is not None else stored.level
            is_head = post.is_head if post.is_head is not None else stored.is_head
            fields = (post.name, post.kind, level, is_head, post.unit)
            stored_fields = (
                stored.name,
                stored.kind,
                stored.level,
                stored.is_head,
                self.unit_codes.get(stored.unit_id),
            )
            stored_supervisor = (
                self.position_codes.get(stored.reports_to_id) if stored.reports_to_id else None
            )
            if fields != stored_fields:
                changed.append((code, level, is_head))
            if self.final_supervisors.get(code) != stored_supervisor:
                new_lines.append(code)
            same = fields == stored_fields and code not in new_lines
            self._count(POSITIONS, "unchanged" if same else "updated")
        if self.write:
            self._write_positions(created, changed, new_lines)

    def _write_positions(
        self, created: list[str], changed: list[tuple[str, str, bool]], new_lines: list[str]
    ) -> None:
        unit_ids = dict(Unit.objects.filter(agency=self.agency).values_list("code", "pk"))
        Position.objects.bulk_create(
            [
                Position(
                    agency=self.agency,
                    unit_id=unit_ids[self.positions[code].unit],
                    code=code,
                    name=self.positions[code].name,
                    kind=self.positions[code].kind,
                    functional_level=self.positions[code].level or "",
                    is_unit_head=bool(self.positions[code].is_head),
                )
                for code in created
            ],
            batch_size=BATCH,
        )
        ids = dict(Position.objects.filter(agency=self.agency).values_list("code", "pk"))
        Position.objects.bulk_update(
            [
                Position(
                    pk=ids[code],
                    unit_id=unit_ids[self.positions[code].unit],
                    name=self.positions[code].name,
                    kind=self.positions[code].kind,
                    functional_level=level,
                    is_unit_head=is_head,
                )
                for code, level, is_head in changed
            ],
            ["unit", "name", "kind", "functional_level", "is_unit_head"],
            batch_size=BATCH,
        )
        # New posts are linked directly, as ``actions.create_position`` takes ``reports_to``.
        Position.objects.bulk_update(
            [
                Position(pk=ids[code], reports_to_id=ids[supervisor])
                for code in created
                if (supervisor := self.final_supervisors.get(code))
            ],
            ["reports_to"],
            batch_size=BATCH,
        )
        # An existing post's new line goes through the action (history kept, open tasks
        # re-routed), from the top of the final tree down so no step makes a loop.
        new_lines.sort(key=lambda code: len(_chain(code, self.final_supervisors)))
        for code in new_lines:
            supervisor = self.final_supervisors.get(code)
            actions.correct_reporting_line(
                actor=self.actor,
                position=Position.objects.get(pk=ids[code]),
                reports_to=Position.objects.get(pk=ids[supervisor]) if supervisor else None,
                reason=_("Impor data organisasi dari berkas %(file)s") % {"file": self.filename},
            )

    def _apply_employees(self) -> None:
        batch: list[tuple[_EmployeeRow, _Row]] = []
        for row in self._data_rows(EMPLOYEES, self.conflicts, checking=False):
            parsed = self._parse_employee(row)
            if parsed is not None:
                batch.append((parsed, row))
            if len(batch) >= BATCH:
                self._apply_employee_batch(batch)
                batch = []
        if batch:
            self._apply_employee_batch(batch)

    def _apply_employee_batch(self, batch: list[tuple[_EmployeeRow, _Row]]) -> None:
        stored = self._resolve_employees(batch)
        new_people: list[_EmployeeRow] = []
        updates: list[tuple[_EmployeeRow, _StoredEmployee]] = []
        new_statuses: list[tuple[_EmployeeRow, _StoredEmployee]] = []
        returns: list[tuple[_EmployeeRow, _StoredStatus]] = []
        for parsed, _row in batch:
            self.tracker.step(applied=True)
            existing = stored.get(parsed.nip)
            if existing is None:
                self.counts[EMPLOYEES]["created"] += 1
                new_people.append(parsed)
                continue
            email = parsed.email if parsed.email is not None else existing.email
            sex = parsed.sex or existing.sex
            differs = (parsed.name, email, sex) != (existing.name, existing.email, existing.sex)
            new_status = parsed.status not in (None, EmployeeStatus.ACTIVE) and (
                (parsed.status, parsed.since) not in existing.statuses
            )
            current = existing.current_status
            returning = (
                parsed.status == EmployeeStatus.ACTIVE
                and parsed.since is not None
                and current is not None
                and current.end_for(parsed.since) is not None
            )
            if returning and current is not None:
                returns.append((parsed, current))
            changed = differs or new_status or returning
            self.counts[EMPLOYEES]["updated" if changed else "unchanged"] += 1
            if differs:
                existing.name, existing.email, existing.sex = parsed.name, email, sex
                updates.append((parsed, existing))
            if new_status:
                new_statuses.append((parsed, existing))
        if self.write:
            self._write_employees(new_people, updates, new_statuses)
            # Back at work: the status ends through the action, so open tasks follow.
            for parsed, current in returns:
                assert parsed.since is not None
                actions.end_employee_status(
                    actor=self.actor,
                    period=EmployeeStatusPeriod.objects.get(pk=current.pk),
                    ends_on=parsed.since - datetime.timedelta(days=1),
                )

    def _write_employees(
        self,
        new_people: list[_EmployeeRow],
        updates: list[tuple[_EmployeeRow, _StoredEmployee]],
        new_statuses: list[tuple[_EmployeeRow, _StoredEmployee]],
    ) -> None:
        users = []
        for parsed in new_people:
            first, _space, last = parsed.name.partition(" ")
            users.append(
                User(
                    username=parsed.nip,
                    agency=self.agency,
                    first_name=first[:150],
                    last_name=last[:150],
                    email=parsed.email or "",
                    password=make_password(None),  # unusable until HR sets one
                )
            )
        User.objects.bulk_create(users, batch_size=BATCH)
        user_ids = dict(
            User.objects.filter(username__in=[p.nip for p in new_people]).values_list(
                "username", "pk"
            )
        )
        Employee.objects.bulk_create(
            [
                Employee(
                    agency=self.agency,
                    user_id=user_ids[parsed.nip],
                    nip=parsed.nip,
                    employee_type=parsed.resolved_type,
                    name=parsed.name,
                    sex=parsed.sex or parsed.nip_sex,
                    email=parsed.email or "",
                )
                for parsed in new_people
            ],
            batch_size=BATCH,
        )
        with_status = [
            (parsed, parsed.status, parsed.since)
            for parsed in new_people
            if parsed.status not in (None, EmployeeStatus.ACTIVE) and parsed.since is not None
        ]
        if with_status:
            employee_ids = dict(
                Employee.objects.filter(nip__in=[p.nip for p, _s, _d in with_status]).values_list(
                    "nip", "pk"
                )
            )
            EmployeeStatusPeriod.objects.bulk_create(
                [
                    EmployeeStatusPeriod(
                        agency=self.agency,
                        employee_id=employee_ids[parsed.nip],
                        status=str(status),
                        starts_on=since,
                    )
                    for parsed, status, since in with_status
                ]
            )
        Employee.objects.bulk_update(
            [
                Employee(pk=existing.pk, name=existing.name, email=existing.email, sex=existing.sex)
                for _parsed, existing in updates
            ],
            ["name", "email", "sex"],
            batch_size=BATCH,
        )
        accounts = []
        for _parsed, existing in updates:
            if existing.user_id is not None:
                first, _space, last = existing.name.partition(" ")
                accounts.append(
                    User(
                        pk=existing.user_id,
                        first_name=first[:150],
                        last_name=last[:150],
                        email=existing.email,
                    )
                )
        User.objects.bulk_update(accounts, ["first_name", "last_name", "email"], batch_size=BATCH)
        # A status change of someone already employed may take open documents out of a
        # cycle: the action lets the processes follow.
        for parsed, existing in new_statuses:
            assert parsed.status is not None
            assert parsed.since is not None
            actions.set_employee_status(
                actor=self.actor,
                employee=Employee.objects.get(pk=existing.pk),
                status=parsed.status,
                starts_on=parsed.since,
            )

    def _apply_holdings(self) -> None:
        position_ids = dict(Position.objects.filter(agency=self.agency).values_list("code", "pk"))
        batch: list[_HoldingRow] = []
        for row in self._data_rows(HOLDINGS, self.conflicts, checking=False):
            parsed = self._parse_holding(row)
            if parsed is not None:
                batch.append(parsed)
            if len(batch) >= BATCH:
                self._apply_holding_batch(batch, position_ids)
                batch = []
        if batch:
            self._apply_holding_batch(batch, position_ids)

    def _apply_holding_batch(self, batch: list[_HoldingRow], position_ids: dict[str, int]) -> None:
        employee_ids = dict(
            Employee.objects.filter(
                agency=self.agency, nip__in=[parsed.nip for parsed in batch]
            ).values_list("nip", "pk")
        )
        stored = {
            (employee_id, position_id, starts_on): (pk, ends_on, reference)
            for pk, employee_id, position_id, starts_on, ends_on, reference in (
                PositionHolding.objects.filter(employee_id__in=employee_ids.values()).values_list(
                    "pk", "employee_id", "position_id", "starts_on", "ends_on", "reference"
                )
            )
        }
        created: list[PositionHolding] = []
        changed: list[PositionHolding] = []
        for parsed in batch:
            employee_id = employee_ids.get(parsed.nip)
            position_id = position_ids.get(parsed.position)
            if employee_id is None or position_id is None:  # new in this (dry) run
                self._count(HOLDINGS, "created")
                continue
            found = stored.get((employee_id, position_id, parsed.starts_on))
            holding = PositionHolding(
                agency=self.agency,
                employee_id=employee_id,
                position_id=position_id,
                starts_on=parsed.starts_on,
                ends_on=parsed.ends_on,
                reference=parsed.reference or "",
            )
            if found is None:
                self._count(HOLDINGS, "created")
                created.append(holding)
                continue
            pk, ends_on, reference = found
            holding.pk = pk
            if not parsed.ends_given:
                holding.ends_on = ends_on
            if parsed.reference is None:
                holding.reference = reference
            if (holding.ends_on, holding.reference) == (ends_on, reference):
                self._count(HOLDINGS, "unchanged")
            else:
                self._count(HOLDINGS, "updated")
                changed.append(holding)
        if self.write:
            PositionHolding.objects.bulk_create(created, batch_size=BATCH)
            PositionHolding.objects.bulk_update(changed, ["ends_on", "reference"], batch_size=BATCH)

    def record(self) -> None:
        """Write the one audit row that summarises the import."""
        audit.record(
            code=AuditCode.PROCESS_EVENT,
            tenant_id=self.agency.pk,
            chain=f"org:{self.agency.pk}",
            actor_id=getattr(self.actor, "pk", None),
            payload={
                "event": "organisation_imported",
                "file": self.filename,
                "counts": self.counts,
            },
        )


def _chain(code: str, parents: dict[str, str | None]) -> list[str]:
    """Return ``code`` and its ancestors (stopping at a loop)."""
    chain = [code]
    current = parents.get(code)
    while current is not None and current not in chain:
        chain.append(current)
        current = parents.get(current)
    return chain


def _loop_from(code: str, parents: dict[str, str | None]) -> list[str]:
    """Return the loop ``code`` is part of (["A", "B", "A"]), or [] when it has none."""
    chain = _chain(code, parents)
    if parents.get(chain[-1]) == code:
        return [*chain, code]
    return []


# The public entry points -----------------------------------------------------------------


def import_organisation(
    *,
    actor: Any,
    agency: Agency,
    file: BinaryIO | str | Path,
    filename: str,
    dry_run: bool,
    sheet: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Validate the whole file, then (unless ``dry_run`` or a problem) write it in one transaction.

    ``actor`` must administer ``agency`` (else ActionForbidden, nothing read or written).
    ``file`` is a path or a binary stream; ``filename`` decides the format (.xlsx or .csv)
    and is recorded in the audit row. For a CSV, ``sheet`` names which data it holds.
    ``progress(done, total)`` is called at least every 500 rows, with ``total`` the data
    rows of the file and ``done`` growing to (total, total) over validation and writing.
    Return the report: every problem found, or the counts per sheet of rows created,
    updated and unchanged (what would be, for a dry run). One audit row summarises a
    committed import.
    """
    require_admin(actor, agency.pk)
    report = ImportReport(dry_run=dry_run, rows=0, problems=[], counts=_zero_counts())
    with ExitStack() as stack:
        try:
            tables, report.problems = _open_tables(file, filename, sheet, stack)
            tracker = _Progress(progress, sum(table.count() for table in tables))
        except _FileError as error:
            report.problems = [ImportProblem("", 0, "", str(error))]
            return report
        except UnicodeDecodeError:
            report.problems = [
                ImportProblem("", 0, "", _("Berkas CSV harus disimpan sebagai CSV UTF-8."))
            ]
            return report
        except _READ_ERRORS:
            report.problems = [ImportProblem("", 0, "", _("Berkas rusak atau tidak dapat dibaca."))]
            return report
        report.rows = tracker.total
        run = _Import(actor=actor, agency=agency, filename=filename, tables=tables, tracker=tracker)
        report.problems += run.validate()
        if report.problems:
            tracker.finish()
            return report
        try:
            if dry_run:
                report.counts = run.apply(write=False)
            else:
                with transaction.atomic(durable=True):
                    # One import per agency at a time: the second waits for the first, and
                    # stops if the first changed the units or positions it validated against.
                    Agency.objects.select_for_update().filter(pk=agency.pk).first()
                    run.check_tree_unchanged()
                    report.counts = run.apply(write=True)
                    run.record()
        except _Conflict as conflict:
            report.problems = conflict.problems
            report.counts = _zero_counts()
        except IntegrityError:
            report.problems = [ImportProblem("", 0, "", _(CHANGED_MEANWHILE))]
            report.counts = _zero_counts()
        tracker.finish()
    return report


# The template ----------------------------------------------------------------------------

_TEXT_COLUMNS = {"nip"}
_DATE_COLUMNS = {"since", "starts_on", "ends_on"}
_LISTS: dict[tuple[str, str], str] = {
    (UNITS, "kind"): "OPD,Sub-unit,UPT",
    (POSITIONS, "kind"): "JPT,Administrator,Pengawas,Fungsional,Pelaksana",
    (POSITIONS, "level"): (
        "Pemula,Terampil,Mahir,Penyelia,Ahli Pertama,Ahli Muda,Ahli Madya,Ahli Utama"
    ),
    (POSITIONS, "is_head"): "Ya,Tidak",
    (EMPLOYEES, "type"): "PNS,PPPK",
    (EMPLOYEES, "sex"): "L,P",
    (EMPLOYEES, "status"): (
        "Aktif,Pensiun,Tugas Belajar,CLTN,Diberhentikan Sementara,Pindah Keluar"
    ),
}
INSTRUCTION_LINES = (
    "Petunjuk impor data organisasi",
    "",
    "Isi lembar Unit Kerja, Jabatan, Pegawai dan Pemangku Jabatan; lembar boleh dikosongkan "
    "atau dihapus bila datanya tidak diimpor. Baris 1 adalah judul kolom; urutan kolom bebas.",
    "Kolom bertanda * wajib diisi. Huruf besar/kecil dan spasi pada judul kolom tidak berpengaruh.",
    "Data dicocokkan dengan yang sudah ada: unit dan jabatan menurut kodenya, pegawai menurut "
    "NIP, pemangku jabatan menurut NIP + Kode Jabatan + Mulai. Yang cocok diperbarui, yang belum "
    "ada ditambahkan, tidak ada yang dihapus. Impor ulang berkas yang sama tidak mengubah apa pun.",
    "Kolom yang tidak ada di berkas tidak mengubah data tersimpan; sel kosong pada kolom yang ada "
    "mengosongkan isinya (mis. Kode Jabatan Atasan kosong = tanpa atasan).",
    "Seluruh berkas diperiksa lebih dulu; bila ada satu masalah pun, tidak ada yang disimpan dan "
    "semua masalah ditampilkan dengan lembar, baris dan kolomnya.",
    "NIP: format kolom sebagai Teks. Angka 18 digit yang diketik di sel Angka disimpan Excel "
    "sebagai 1,98609E+17 dan digit terakhirnya hilang.",
    "Tanggal: sel tanggal Excel, atau teks TTTT-BB-HH, HH-BB-TTTT atau HH/BB/TTTT.",
    "Pegawai baru mendapat akun dengan nama pengguna = NIP; kata sandi diatur oleh admin.",
)


def template_workbook() -> bytes:
    """Return an empty .xlsx with the four sheets, their headers, and a "Petunjuk" sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    guide = workbook.active
    guide.title = INSTRUCTIONS
    for line in INSTRUCTION_LINES:
        guide.append([line])
    guide["A1"].font = Font(bold=True, size=14)
    guide.column_dimensions["A"].width = 28
    guide.column_dimensions["B"].width = 8
    guide.column_dimensions["C"].width = 100
    required_fill = PatternFill("solid", fgColor="FFF2CC")
    for sheet in SHEETS:
        guide.append([])
        guide.append([_("Lembar %(sheet)s") % {"sheet": sheet}])
        guide.cell(guide.max_row, 1).font = Font(bold=True)
        guide.append([_("Kolom"), _("Wajib"), _("Keterangan")])
        for column in COLUMNS[sheet]:
            guide.append([column.header, _("Ya") if column.required else "", column.help])
        worksheet = workbook.create_sheet(sheet)
        worksheet.append(
            [f"{column.header}{' *' if column.required else ''}" for column in COLUMNS[sheet]]
        )
        worksheet.freeze_panes = "A2"
        for index, column in enumerate(COLUMNS[sheet], start=1):
            letter = get_column_letter(index)
            cell = worksheet.cell(1, index)
            cell.font = Font(bold=True)
            cell.alignment = Alignment(horizontal="center")
            if column.required:
                cell.fill = required_fill
            worksheet.column_dimensions[letter].width = max(14, len(column.header) + 6)
            if column.key in _TEXT_COLUMNS:
                worksheet.column_dimensions[letter].number_format = "@"
                worksheet.column_dimensions[letter].width = 24
            elif column.key in _DATE_COLUMNS:
                worksheet.column_dimensions[letter].number_format = "yyyy-mm-dd"
            options = _LISTS.get((sheet, column.key))
            if options:
                validation = DataValidation(type="list", formula1=f'"{options}"', allow_blank=True)
                validation.add(f"{letter}2:{letter}10000")
                worksheet.add_data_validation(validation)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
