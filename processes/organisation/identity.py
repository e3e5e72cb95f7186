"""Civil-servant numbers: NIP (PNS) and NI PPPK. Pure functions, no ORM.

An NIP has 18 digits, written with spaces as ``19860926 201505 1 001``:
birth date YYYYMMDD, first appointment YYYYMM, sex digit (1 male, 2 female) and a
3-digit sequence. An NI PPPK also has 18 digits, but its digits 13-14 are not a month,
so it must never be read with the NIP rules (DOMAIN.md section 7).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext as _

_ALLOWED_INPUT = re.compile(r"^[0-9 ]+$")
EARLIEST_BIRTH_YEAR = 1940
EARLIEST_APPOINTMENT_YEAR = 1960
MINIMUM_AGE_AT_APPOINTMENT = 15


class EmployeeType(StrEnum):
    """Kind of civil servant; decides which number rules apply."""

    PNS = "pns"
    PPPK = "pppk"


class InvalidNumber(ValueError):
    """The number is not a valid NIP or NI PPPK; the message says why in the user's language."""


@dataclass(frozen=True)
class ParsedNumber:
    """The parts of a valid NIP or NI PPPK."""

    digits: str
    employee_type: EmployeeType
    birth_date: datetime.date
    appointment_year: int
    appointment_month: int | None
    sex: str
    sequence: str

    @property
    def formatted(self) -> str:
        """Return the number grouped the way it is printed on decrees."""
        return format_number(self.digits, self.employee_type)


def normalise_number(raw: str) -> str:
    """Return the digits of ``raw`` with spaces removed; raise InvalidNumber otherwise."""
    text = raw.strip()
    if not text:
        raise InvalidNumber(_("Nomor pegawai wajib diisi."))
    if not _ALLOWED_INPUT.match(text):
        raise InvalidNumber(_("Nomor pegawai hanya boleh berisi angka dan spasi."))
    digits = text.replace(" ", "")
    if len(digits) != 18:
        raise InvalidNumber(
            _("Nomor pegawai harus 18 digit, bukan %(count)d digit.") % {"count": len(digits)}
        )
    return digits


def format_number(digits: str, employee_type: EmployeeType) -> str:
    """Group 18 digits as printed: NIP ``8 6 1 3``, NI PPPK ``8 4 2 1 3``."""
    if employee_type is EmployeeType.PPPK:
        return f"{digits[:8]} {digits[8:12]} {digits[12:14]} {digits[14]} {digits[15:]}"
    return f"{digits[:8]} {digits[8:14]} {digits[14]} {digits[15:]}"


def _birth_date(digits: str) -> datetime.date:
    try:
        born = datetime.date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError as error:
        raise InvalidNumber(
            _("Digit 1-8 harus tanggal lahir yang valid (TTTTBBHH), bukan %(value)s.")
            % {"value": digits[:8]}
        ) from error
    if born.year < EARLIEST_BIRTH_YEAR:
        raise InvalidNumber(
            _("Tahun lahir %(year)d tidak mungkin untuk pegawai aktif.") % {"year": born.year}
        )
    return born


def _sex_and_sequence(digits: str) -> tuple[str, str]:
    sex = digits[14]
    if sex not in {"1", "2"}:
        raise InvalidNumber(
            _(
                "Digit ke-15 adalah jenis kelamin dan harus 1 (pria) atau 2 (wanita), "
                "bukan %(value)s."
            )
            % {"value": sex}
        )
    sequence = digits[15:]
    if sequence == "000":
        raise InvalidNumber(_("Nomor urut (digit 16-18) tidak boleh 000."))
    return sex, sequence


def _appointment_year(digits: str, born: datetime.date, today: datetime.date) -> int:
    year = int(digits[8:12])
    if year < EARLIEST_APPOINTMENT_YEAR or year > today.year + 1:
        raise InvalidNumber(_("Tahun pengangkatan %(year)d tidak valid.") % {"year": year})
    if year - born.year < MINIMUM_AGE_AT_APPOINTMENT:
        raise InvalidNumber(
            _("Tahun pengangkatan %(year)d terlalu dekat dengan tahun lahir %(born)d.")
            % {"year": year, "born": born.year}
        )
    return year


def parse_number(
    raw: str, employee_type: EmployeeType | str, *, today: datetime.date | None = None
) -> ParsedNumber:
    """Validate ``raw`` as the number of the given employee type and return its parts.

    Raise InvalidNumber with a message in Bahasa Indonesia naming the wrong part.
    """
    kind = EmployeeType(employee_type)
    digits = normalise_number(raw)
    reference_day = today or datetime.date.today()  # noqa: DTZ011 - a calendar day, no instant
    born = _birth_date(digits)
    year = _appointment_year(digits, born, reference_day)
    month: int | None = None
    if kind is EmployeeType.PNS:
        month = int(digits[12:14])
        if not 1 <= month <= 12:
            raise InvalidNumber(
                _("Digit 13-14 adalah bulan pengangkatan dan harus 01-12, bukan %(value)s.")
                % {"value": digits[12:14]}
            )
    sex, sequence = _sex_and_sequence(digits)
    return ParsedNumber(
        digits=digits,
        employee_type=kind,
        birth_date=born,
        appointment_year=year,
        appointment_month=month,
        sex=sex,
        sequence=sequence,
    )


def looks_like_number(raw: str) -> bool:
    """Return True when ``raw`` is 18 digits without its spaces (a login hint only)."""
    text = raw.replace(" ", "")
    return len(text) == 18 and text.isdigit()
