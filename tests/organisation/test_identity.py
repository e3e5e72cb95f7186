"""NIP (PNS) and NI PPPK validation (DOMAIN.md section 7)."""

import datetime
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from processes.organisation.identity import (
    EmployeeType,
    InvalidNumber,
    format_number,
    looks_like_number,
    normalise_number,
    parse_number,
)

TODAY = datetime.date(2026, 11, 22)


def test_valid_nip_with_spaces_is_stored_as_digits() -> None:
    parsed = parse_number("19860926 201505 1 001", EmployeeType.PNS, today=TODAY)

    assert parsed.digits == "198609262015051001"
    assert parsed.birth_date == datetime.date(1986, 9, 26)
    assert (parsed.appointment_year, parsed.appointment_month) == (2015, 5)
    assert (parsed.sex, parsed.sequence) == ("1", "001")
    assert parsed.formatted == "19860926 201505 1 001"


def test_valid_nip_without_spaces() -> None:
    assert parse_number("199001012019032002", "pns", today=TODAY).sex == "2"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "wajib diisi"),
        ("19860926-201505-1-001", "hanya boleh berisi angka dan spasi"),
        ("1986092620150510", "harus 18 digit, bukan 16 digit"),
        ("198602302015051001", "tanggal lahir yang valid"),
        ("198609262015131001", "bulan pengangkatan dan harus 01-12, bukan 13"),
        ("198609262015001001", "bulan pengangkatan dan harus 01-12, bukan 00"),
        ("198609262015053001", "jenis kelamin dan harus 1 (pria) atau 2 (wanita), bukan 3"),
        ("198609262015051000", "tidak boleh 000"),
        ("193009262015051001", "Tahun lahir 1930"),
        ("198609262099051001", "Tahun pengangkatan 2099 tidak valid"),
        ("199509262000051001", "terlalu dekat dengan tahun lahir 1995"),
    ],
)
def test_invalid_nip_says_which_part_is_wrong(raw: str, message: str) -> None:
    with pytest.raises(InvalidNumber, match=re.escape(message)):
        parse_number(raw, EmployeeType.PNS, today=TODAY)


def test_pppk_number_is_not_read_as_a_month() -> None:
    # Digits 13-14 ("21") are not a month: valid as NI PPPK, invalid as NIP.
    raw = "19900101 2021 21 1 001"

    parsed = parse_number(raw, EmployeeType.PPPK, today=TODAY)

    assert parsed.appointment_month is None
    assert parsed.formatted == "19900101 2021 21 1 001"
    with pytest.raises(InvalidNumber, match="bulan pengangkatan"):
        parse_number(raw, EmployeeType.PNS, today=TODAY)


def test_pppk_still_checks_birth_date_and_sex() -> None:
    with pytest.raises(InvalidNumber, match="tanggal lahir"):
        parse_number("199013012021211001", EmployeeType.PPPK, today=TODAY)
    with pytest.raises(InvalidNumber, match="jenis kelamin"):
        parse_number("199001012021219001", EmployeeType.PPPK, today=TODAY)


def test_helpers() -> None:
    assert normalise_number(" 19860926 201505 1 001 ") == "198609262015051001"
    assert looks_like_number("19860926 201505 1 001") is True
    assert looks_like_number("admin") is False
    assert format_number("199001012021211001", EmployeeType.PPPK) == "19900101 2021 21 1 001"


@given(
    born=st.dates(min_value=datetime.date(1950, 1, 1), max_value=datetime.date(2004, 12, 31)),
    years_after=st.integers(min_value=18, max_value=40),
    month=st.integers(min_value=1, max_value=12),
    sex=st.sampled_from(["1", "2"]),
    sequence=st.integers(min_value=1, max_value=999),
)
def test_every_real_date_is_accepted(
    born: datetime.date, years_after: int, month: int, sex: str, sequence: int
) -> None:
    year = min(born.year + years_after, TODAY.year)
    if year - born.year < 15:
        return
    digits = f"{born:%Y%m%d}{year:04d}{month:02d}{sex}{sequence:03d}"

    parsed = parse_number(digits, EmployeeType.PNS, today=TODAY)

    assert parsed.birth_date == born
    assert parsed.appointment_month == month
    assert parse_number(parsed.formatted, EmployeeType.PNS, today=TODAY).digits == digits


@given(year=st.integers(1950, 2004), month=st.integers(1, 12), day=st.integers(29, 31))
def test_impossible_days_are_rejected(year: int, month: int, day: int) -> None:
    try:
        datetime.date(year, month, day)
    except ValueError:
        digits = f"{year:04d}{month:02d}{day:02d}2015051001"
        with pytest.raises(InvalidNumber, match="tanggal lahir"):
            parse_number(digits, EmployeeType.PNS, today=TODAY)
