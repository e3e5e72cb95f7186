"""SKP rules as pure functions: no database, no models, no clock.

Glossary (DOMAIN.md section 1):

- *rating hasil kerja* / *rating perilaku kerja*: the appraiser's rating of results and of
  behaviour, each Di Atas / Sesuai / Di Bawah Ekspektasi (:class:`Rating`).
- *predikat*: the employee's final grade, computed from the two ratings (:class:`Predikat`).
- *capaian kinerja organisasi*: the unit's own predikat (:class:`OrgPredikat`); it bounds the
  spread of its employees' predikat (the distribution curve, :data:`CURVES`).
- *angka kredit*: credit points for functional positions, converted from the predikat.
- *keberatan*: the employee's objection to the final result, filed within a window.
- *tindak lanjut*: the follow-up a predikat leads to (award, development, training).

Sources: PP 30/2019, PermenPANRB 6/2022, SE MenPANRB 3/2023 (predikat and curve),
PermenPANRB 1/2023 and Peraturan BKN 3/2023 (credit points). Settings marked configurable
in DOMAIN.md are parameters here, with the documented default.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from types import MappingProxyType
from typing import Final

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from workflow.calendar import DayCount, due_at

# --------------------------------------------------------------------------------------------
# Enums
# --------------------------------------------------------------------------------------------


class Rating(models.TextChoices):
    """A rating of results (hasil kerja) or of behaviour (perilaku kerja)."""

    ABOVE = "above", gettext_lazy("Di Atas Ekspektasi")
    AS_EXPECTED = "as_expected", gettext_lazy("Sesuai Ekspektasi")
    BELOW = "below", gettext_lazy("Di Bawah Ekspektasi")


class Predikat(models.TextChoices):
    """An employee's final grade, best first."""

    SANGAT_BAIK = "sangat_baik", gettext_lazy("Sangat Baik")
    BAIK = "baik", gettext_lazy("Baik")
    BUTUH_PERBAIKAN = "butuh_perbaikan", gettext_lazy("Butuh Perbaikan")
    KURANG = "kurang", gettext_lazy("Kurang/Misconduct")
    SANGAT_KURANG = "sangat_kurang", gettext_lazy("Sangat Kurang")


class OrgPredikat(models.TextChoices):
    """A unit's performance grade (capaian kinerja organisasi), best first."""

    ISTIMEWA = "istimewa", gettext_lazy("Istimewa")
    BAIK = "baik", gettext_lazy("Baik")
    BUTUH_PERBAIKAN = "butuh_perbaikan", gettext_lazy("Butuh Perbaikan")
    KURANG = "kurang", gettext_lazy("Kurang")
    SANGAT_KURANG = "sangat_kurang", gettext_lazy("Sangat Kurang")


class PeriodType(models.TextChoices):
    """How a year is split for periodic evaluation (configurable per cycle)."""

    MONTHLY = "monthly", gettext_lazy("Bulanan")
    QUARTERLY = "quarterly", gettext_lazy("Triwulanan")
    SEMESTER = "semester", gettext_lazy("Semesteran")


class CurveMode(models.TextChoices):
    """What a spread outside the distribution curve does (configurable; default WARN)."""

    WARN = "warn", gettext_lazy("Peringatkan dan minta justifikasi")
    BLOCK = "block", gettext_lazy("Blokir finalisasi")


class CurveRounding(models.TextChoices):
    """How a percentage of the unit becomes whole people (configurable; default NEAREST)."""

    NEAREST = "nearest", gettext_lazy("Bulatkan ke orang terdekat")
    FLOOR = "floor", gettext_lazy("Bulatkan ke bawah")
    CEIL = "ceil", gettext_lazy("Bulatkan ke atas")


class FollowUp(models.TextChoices):
    """The follow-up (tindak lanjut) a predikat leads to."""

    AWARD = "award", gettext_lazy("Rekomendasi penghargaan")
    NONE = "none", gettext_lazy("Tidak ada tindak lanjut")
    DEVELOPMENT = "development", gettext_lazy("Rencana pengembangan kompetensi")
    TRAINING = "training", gettext_lazy("Rekomendasi pelatihan")


class Aspect(models.TextChoices):
    """The aspect an individual performance indicator measures."""

    KUANTITAS = "kuantitas", gettext_lazy("Kuantitas")
    KUALITAS = "kualitas", gettext_lazy("Kualitas")
    WAKTU = "waktu", gettext_lazy("Waktu")
    BIAYA = "biaya", gettext_lazy("Biaya")


class Aggregation(models.TextChoices):
    """How an indicator's period realisations make up its result over the SKP.

    Counts (documents, visits, a budget spent) add up over the periods; rates and levels (a
    percentage, an index, a score, a turnaround time) are averaged, or read from the last
    period when the figure is reported year to date.
    """

    SUM = "sum", gettext_lazy("Dijumlahkan")
    AVERAGE = "average", gettext_lazy("Dirata-rata")
    LAST = "last", gettext_lazy("Nilai periode terakhir")


# --------------------------------------------------------------------------------------------
# Predikat matrix
# --------------------------------------------------------------------------------------------

# SE MenPANRB 3/2023: keyed (rating hasil kerja, rating perilaku kerja). Behaviour below
# expectation outweighs results; only above/above is Sangat Baik, only below/below Sangat Kurang.
PREDIKAT_MATRIX: Final[Mapping[tuple[Rating, Rating], Predikat]] = MappingProxyType(
    {
        (Rating.ABOVE, Rating.BELOW): Predikat.KURANG,
        (Rating.ABOVE, Rating.AS_EXPECTED): Predikat.BAIK,
        (Rating.ABOVE, Rating.ABOVE): Predikat.SANGAT_BAIK,
        (Rating.AS_EXPECTED, Rating.BELOW): Predikat.KURANG,
        (Rating.AS_EXPECTED, Rating.AS_EXPECTED): Predikat.BAIK,
        (Rating.AS_EXPECTED, Rating.ABOVE): Predikat.BAIK,
        (Rating.BELOW, Rating.BELOW): Predikat.SANGAT_KURANG,
        (Rating.BELOW, Rating.AS_EXPECTED): Predikat.BUTUH_PERBAIKAN,
        (Rating.BELOW, Rating.ABOVE): Predikat.BUTUH_PERBAIKAN,
    }
)


def predikat_for(hasil: Rating, perilaku: Rating) -> Predikat:
    """Return the predikat for a rating of results (``hasil``) and of behaviour (``perilaku``)."""
    return PREDIKAT_MATRIX[(Rating(hasil), Rating(perilaku))]


# --------------------------------------------------------------------------------------------
# Distribution curve
# --------------------------------------------------------------------------------------------

_HUNDRED = Decimal(100)
_ROUNDING_MODES: Final[Mapping[CurveRounding, str]] = MappingProxyType(
    {
        CurveRounding.NEAREST: ROUND_HALF_UP,
        CurveRounding.FLOOR: ROUND_FLOOR,
        CurveRounding.CEIL: ROUND_CEILING,
    }
)


def _group_label(group: frozenset[Predikat]) -> str:
    """Name a group of predikat in Indonesian, best predikat first."""
    labels = [str(predikat.label) for predikat in Predikat if predikat in group]
    return f" {_('dan/atau')} ".join(labels)


def _percent_text(percent: Decimal) -> str:
    return f"{percent.normalize():f}%"


@dataclass(frozen=True)
class CurveBound:
    """One bound of a distribution curve on a group of employee predikat.

    Exactly one of ``min_percent``, ``max_percent``, ``min_persons`` or ``largest`` is set.
    ``largest`` means the group has at least as many people as any other single predikat
    (ties allowed, so small units can conform).
    """

    group: frozenset[Predikat]
    min_percent: Decimal | None = None
    max_percent: Decimal | None = None
    min_persons: int | None = None
    largest: bool = False

    def __post_init__(self) -> None:
        """Refuse a bound that is empty, ambiguous or out of range."""
        if not self.group:
            raise ValueError("a curve bound needs at least one predikat")
        kinds = [
            self.min_percent is not None,
            self.max_percent is not None,
            self.min_persons is not None,
            self.largest,
        ]
        if kinds.count(True) != 1:
            raise ValueError("a curve bound sets exactly one limit")
        for percent in (self.min_percent, self.max_percent):
            if percent is not None and not Decimal(0) <= percent <= _HUNDRED:
                raise ValueError("a curve percentage lies between 0 and 100")
        if self.min_persons is not None and self.min_persons < 0:
            raise ValueError("a curve head count must not be negative")

    @property
    def description(self) -> str:
        """Describe the bound in Indonesian, e.g. "Sangat Baik paling banyak 70%"."""
        group = _group_label(self.group)
        if self.largest:
            return _("%(group)s harus menjadi kelompok terbanyak") % {"group": group}
        if self.min_persons is not None:
            return ngettext(
                "%(group)s paling sedikit %(count)d orang",
                "%(group)s paling sedikit %(count)d orang",
                self.min_persons,
            ) % {
                "group": group,
                "count": self.min_persons,
            }
        if self.max_percent == 0:
            return _("Tidak boleh ada %(group)s") % {"group": group}
        if self.min_percent is not None:
            return _("%(group)s paling sedikit %(percent)s") % {
                "group": group,
                "percent": _percent_text(self.min_percent),
            }
        return _("%(group)s paling banyak %(percent)s") % {
            "group": group,
            "percent": _percent_text(self.max_percent or Decimal(0)),
        }


_SB = frozenset({Predikat.SANGAT_BAIK})
_B = frozenset({Predikat.BAIK})
_BP = frozenset({Predikat.BUTUH_PERBAIKAN})
_K = frozenset({Predikat.KURANG})
_SK = frozenset({Predikat.SANGAT_KURANG})

# SE MenPANRB 3/2023: the organisation predikat bounds the spread of its employees' predikat.
CURVES: Final[Mapping[OrgPredikat, tuple[CurveBound, ...]]] = MappingProxyType(
    {
        # Istimewa: most, at most 70 %, Sangat Baik.
        OrgPredikat.ISTIMEWA: (
            CurveBound(_SB, max_percent=Decimal(70)),
            CurveBound(_SB, largest=True),
        ),
        # Baik: most, at most 70 %, Baik; some Butuh Perbaikan and/or Kurang/Misconduct.
        OrgPredikat.BAIK: (
            CurveBound(_B, max_percent=Decimal(70)),
            CurveBound(_B, largest=True),
            CurveBound(_BP | _K, min_persons=1),
        ),
        # Butuh Perbaikan: at least 60 % Butuh Perbaikan; Sangat Baik at most 10 %.
        OrgPredikat.BUTUH_PERBAIKAN: (
            CurveBound(_BP, min_percent=Decimal(60)),
            CurveBound(_SB, max_percent=Decimal(10)),
        ),
        # Kurang: at least 60 % Kurang; at least 10 % Butuh Perbaikan; Sangat Baik at most 10 %.
        OrgPredikat.KURANG: (
            CurveBound(_K, min_percent=Decimal(60)),
            CurveBound(_BP, min_percent=Decimal(10)),
            CurveBound(_SB, max_percent=Decimal(10)),
        ),
        # Sangat Kurang: at least 60 % Sangat Kurang; at least 10 % Kurang and/or Butuh
        # Perbaikan; no Sangat Baik.
        OrgPredikat.SANGAT_KURANG: (
            CurveBound(_SK, min_percent=Decimal(60)),
            CurveBound(_BP | _K, min_percent=Decimal(10)),
            CurveBound(_SB, max_percent=Decimal(0)),
        ),
    }
)


@dataclass(frozen=True)
class CurveLimit:
    """A curve bound applied to a unit of ``population`` people, in whole people."""

    bound: CurveBound
    population: int
    min_count: int | None
    max_count: int | None
    sentence: str

    @property
    def group(self) -> frozenset[Predikat]:
        """Return the predikat the limit counts together."""
        return self.bound.group

    @property
    def largest(self) -> bool:
        """Return True when the group must be the largest one."""
        return self.bound.largest


@dataclass(frozen=True)
class CurveCheck:
    """The result of checking a unit's spread of predikat against its curve."""

    organisation: OrgPredikat
    population: int
    limits: list[CurveLimit]
    violations: list[str]

    @property
    def conforms(self) -> bool:
        """Return True when no limit is broken."""
        return not self.violations


def persons_for_percent(percent: Decimal, population: int, rounding: CurveRounding) -> int:
    """Return ``percent`` of ``population`` in whole people, rounded as the setting says."""
    # DOMAIN.md section 5: default rounds to the nearest whole person, half up (0.5 -> 1).
    exact = percent * population / _HUNDRED
    return int(exact.quantize(Decimal(1), rounding=_ROUNDING_MODES[CurveRounding(rounding)]))


def curve_limits(
    org: OrgPredikat,
    population: int,
    rounding: CurveRounding = CurveRounding.NEAREST,
    *,
    curves: Mapping[OrgPredikat, tuple[CurveBound, ...]] = CURVES,
) -> list[CurveLimit]:
    """Return the curve of ``org`` as whole-person limits for a unit of ``population``."""
    if population < 0:
        raise ValueError("population must not be negative")
    limits = []
    for bound in curves[OrgPredikat(org)]:
        min_count: int | None = None
        max_count: int | None = None
        if bound.min_percent is not None:
            min_count = persons_for_percent(bound.min_percent, population, rounding)
        elif bound.max_percent is not None:
            max_count = persons_for_percent(bound.max_percent, population, rounding)
        elif bound.min_persons is not None:
            min_count = bound.min_persons
        if bound.min_percent is not None or bound.max_percent is not None:
            count = min_count if min_count is not None else max_count
            sentence = ngettext(
                "%(rule)s (%(count)d dari %(population)d orang)",
                "%(rule)s (%(count)d dari %(population)d orang)",
                population,
            ) % {
                "rule": bound.description,
                "count": count,
                "population": population,
            }
        else:
            sentence = bound.description
        limits.append(CurveLimit(bound, population, min_count, max_count, sentence))
    return limits


def _violation(limit: CurveLimit, counts: Mapping[Predikat, int], unrated: int = 0) -> str | None:
    """Return the Indonesian sentence for a broken ``limit``, or None when it holds.

    ``unrated`` people of the population have no predikat yet: a lower bound (at least so
    many, the largest group) is broken only when they could not make it up whatever they get.
    """
    actual = sum(counts.get(predikat, 0) for predikat in limit.group)
    if limit.largest:
        others = [
            (predikat, counts.get(predikat, 0))
            for predikat in Predikat
            if predikat not in limit.group
        ]
        if not others:
            return None
        # Ties count as largest: a unit of two could otherwise never conform.
        leader, leader_count = max(others, key=lambda item: item[1])
        if actual + unrated >= leader_count:
            return None
        return _(
            "%(rule)s, saat ini %(actual)d orang sedangkan %(other)s %(other_count)d orang"
        ) % {
            "rule": limit.sentence,
            "actual": actual,
            "other": leader.label,
            "other_count": leader_count,
        }
    too_few = limit.min_count is not None and actual + unrated < limit.min_count
    too_many = limit.max_count is not None and actual > limit.max_count
    if not (too_few or too_many):
        return None
    return _("%(rule)s, saat ini %(actual)d orang") % {"rule": limit.sentence, "actual": actual}


def check_curve(
    org: OrgPredikat,
    counts: Mapping[Predikat, int],
    rounding: CurveRounding = CurveRounding.NEAREST,
    *,
    curves: Mapping[OrgPredikat, tuple[CurveBound, ...]] = CURVES,
    population: int | None = None,
) -> CurveCheck:
    """Check a unit's spread of employee predikat (``counts``) against the curve of ``org``.

    Missing predikat count as zero. An empty population conforms. Raise ValueError for a
    negative count. ``population`` is the whole group, rated or not (default: the people
    counted): the limits are taken of it, and while some are unrated a lower bound is broken
    only when no predikat they could still get would meet it.
    """
    normalised = {predikat: counts.get(predikat, 0) for predikat in Predikat}
    if any(count < 0 for count in normalised.values()):
        raise ValueError("predikat counts must not be negative")
    rated = sum(normalised.values())
    population = max(population or 0, rated)
    limits = curve_limits(org, population, rounding, curves=curves)
    if population == 0:
        return CurveCheck(OrgPredikat(org), 0, limits, [])
    unrated = population - rated
    violations = [
        sentence
        for limit in limits
        if (sentence := _violation(limit, normalised, unrated)) is not None
    ]
    return CurveCheck(OrgPredikat(org), population, limits, violations)


def would_conform(
    org: OrgPredikat,
    counts: Mapping[Predikat, int],
    adding: Predikat,
    replacing: Predikat | None = None,
    rounding: CurveRounding = CurveRounding.NEAREST,
    *,
    curves: Mapping[OrgPredikat, tuple[CurveBound, ...]] = CURVES,
    population: int | None = None,
) -> CurveCheck:
    """Check the spread after one employee gets ``adding`` (replacing ``replacing`` if rated).

    ``counts`` is the spread before the change; ``population`` as ``check_curve``. Raise
    ValueError when nobody holds ``replacing``.
    """
    changed = {predikat: counts.get(predikat, 0) for predikat in Predikat}
    if replacing is not None:
        if changed[Predikat(replacing)] < 1:
            raise ValueError("nobody holds the predikat being replaced")
        changed[Predikat(replacing)] -= 1
    changed[Predikat(adding)] += 1
    return check_curve(org, changed, rounding, curves=curves, population=population)


# --------------------------------------------------------------------------------------------
# Credit points (angka kredit)
# --------------------------------------------------------------------------------------------

# PermenPANRB 1/2023: percentage of the yearly coefficient earned per predikat.
PREDIKAT_PERCENT: Final[Mapping[Predikat, Decimal]] = MappingProxyType(
    {
        Predikat.SANGAT_BAIK: Decimal(150),
        Predikat.BAIK: Decimal(100),
        Predikat.BUTUH_PERBAIKAN: Decimal(75),
        Predikat.KURANG: Decimal(50),
        Predikat.SANGAT_KURANG: Decimal(25),
    }
)

# PermenPANRB 1/2023: yearly coefficient per functional level (jenjang). Pemula is not
# confirmed by the sources (DOMAIN.md section 6); agencies may pass their own table.
DEFAULT_LEVEL_COEFFICIENTS: Final[Mapping[str, Decimal]] = MappingProxyType(
    {
        "pemula": Decimal("3.75"),
        "terampil": Decimal(5),
        "mahir": Decimal("12.5"),
        "penyelia": Decimal(25),
        "ahli_pertama": Decimal("12.5"),
        "ahli_muda": Decimal(25),
        "ahli_madya": Decimal("37.5"),
        "ahli_utama": Decimal(50),
    }
)

_CREDIT_POINT_PLACES = Decimal("0.001")


def credit_points(
    predikat: Predikat,
    level: str,
    months: int,
    coefficients: Mapping[str, Decimal] = DEFAULT_LEVEL_COEFFICIENTS,
    *,
    percents: Mapping[Predikat, Decimal] = PREDIKAT_PERCENT,
) -> Decimal:
    """Return the credit points earned in ``months`` months at ``level`` with ``predikat``.

    AK = percentage for the predikat / 100 x yearly coefficient x months / 12, to three
    decimals (half up). Raise ValueError for months outside 1..12 or an unknown level.
    """
    if isinstance(months, bool) or not 1 <= months <= 12:
        raise ValueError("months must be between 1 and 12")
    if level not in coefficients:
        raise ValueError(f"unknown functional level: {level!r}")
    # Peraturan BKN 3/2023: AK = predikat percentage x yearly coefficient x months / 12.
    exact = percents[Predikat(predikat)] * coefficients[level] * months / (_HUNDRED * 12)
    return exact.quantize(_CREDIT_POINT_PLACES, rounding=ROUND_HALF_UP)


def months_covered(start: datetime.date, end: datetime.date) -> int:
    """Count the calendar months touched by the inclusive range ``start``..``end``.

    Raise ValueError when the range is reversed or spans more than one year.
    """
    if end < start:
        raise ValueError("the range ends before it starts")
    if start.year != end.year:
        raise ValueError("the range must lie within one year")
    return end.month - start.month + 1


# --------------------------------------------------------------------------------------------
# Evaluation periods
# --------------------------------------------------------------------------------------------

_MONTH_NAMES: Final = (
    gettext_lazy("Januari"),
    gettext_lazy("Februari"),
    gettext_lazy("Maret"),
    gettext_lazy("April"),
    gettext_lazy("Mei"),
    gettext_lazy("Juni"),
    gettext_lazy("Juli"),
    gettext_lazy("Agustus"),
    gettext_lazy("September"),
    gettext_lazy("Oktober"),
    gettext_lazy("November"),
    gettext_lazy("Desember"),
)
_ROMAN: Final = ("I", "II", "III", "IV")
_MONTHS_PER_PERIOD: Final[Mapping[PeriodType, int]] = MappingProxyType(
    {PeriodType.MONTHLY: 1, PeriodType.QUARTERLY: 3, PeriodType.SEMESTER: 6}
)


@dataclass(frozen=True)
class Period:
    """One evaluation period of a year; ``index`` starts at 1 in every year."""

    index: int
    label: str
    starts_on: datetime.date
    ends_on: datetime.date


def _last_day_of_month(year: int, month: int) -> datetime.date:
    if month == 12:
        return datetime.date(year, 12, 31)
    return datetime.date(year, month + 1, 1) - datetime.timedelta(days=1)


def _period_label(period_type: PeriodType, index: int) -> str:
    if period_type == PeriodType.MONTHLY:
        return str(_MONTH_NAMES[index - 1])
    if period_type == PeriodType.QUARTERLY:
        return _("Triwulan %(number)s") % {"number": _ROMAN[index - 1]}
    return _("Semester %(number)s") % {"number": _ROMAN[index - 1]}


def periods_for(year: int, period_type: PeriodType) -> list[Period]:
    """Return the evaluation periods of ``year``, in order."""
    kind = PeriodType(period_type)
    span = _MONTHS_PER_PERIOD[kind]
    periods = []
    for index in range(1, 12 // span + 1):
        first_month = (index - 1) * span + 1
        periods.append(
            Period(
                index=index,
                label=_period_label(kind, index),
                starts_on=datetime.date(year, first_month, 1),
                ends_on=_last_day_of_month(year, first_month + span - 1),
            )
        )
    return periods


def period_containing(day: datetime.date, period_type: PeriodType) -> Period:
    """Return the evaluation period that contains ``day``."""
    span = _MONTHS_PER_PERIOD[PeriodType(period_type)]
    return periods_for(day.year, period_type)[(day.month - 1) // span]


def periods_within(
    start: datetime.date, end: datetime.date, period_type: PeriodType
) -> list[Period]:
    """Return the periods overlapping ``start``..``end`` (inclusive), clipped to that range.

    Each clipped period keeps its index and label, so a partial SKP starting in March still
    reports "Triwulan I". Raise ValueError when the range is reversed.
    """
    if end < start:
        raise ValueError("the range ends before it starts")
    clipped = []
    for year in range(start.year, end.year + 1):
        for period in periods_for(year, period_type):
            if period.ends_on < start or period.starts_on > end:
                continue
            clipped.append(
                Period(
                    index=period.index,
                    label=period.label,
                    starts_on=max(period.starts_on, start),
                    ends_on=min(period.ends_on, end),
                )
            )
    return clipped


# --------------------------------------------------------------------------------------------
# Objection window (keberatan)
# --------------------------------------------------------------------------------------------

# DOMAIN.md section 7: keberatan within 14 days of receiving the result (configurable).
DEFAULT_OBJECTION_DAYS: Final = 14


def objection_deadline(
    received_at: datetime.datetime,
    days: int,
    zone: str,
    *,
    working_days: bool = False,
    holidays: frozenset[datetime.date] = frozenset(),
) -> datetime.datetime:
    """Return the last instant (UTC) to file a keberatan on a result received at ``received_at``.

    The window ends at the end of the local day ``days`` days after the local date of
    receipt in the agency's ``zone``; the day of receipt is not counted. With
    ``working_days`` weekends and ``holidays`` are skipped. Raise ValueError for a naive
    ``received_at`` or negative ``days``.
    """
    count = DayCount.WORKING if working_days else DayCount.CALENDAR
    return due_at(received_at, days, zone, count=count, holidays=holidays)


def objection_is_on_time(filed_at: datetime.datetime, deadline: datetime.datetime) -> bool:
    """Return True when a keberatan filed at ``filed_at`` is within ``deadline``."""
    return filed_at <= deadline


# --------------------------------------------------------------------------------------------
# Unit head and follow-up
# --------------------------------------------------------------------------------------------

# PermenPANRB 6/2022 (DOMAIN.md section 2): for the head of a unit, the unit's result
# (capaian kinerja organisasi) becomes their rating hasil kerja.
DEFAULT_UNIT_HEAD_HASIL_RATING: Final[Mapping[OrgPredikat, Rating]] = MappingProxyType(
    {
        OrgPredikat.ISTIMEWA: Rating.ABOVE,
        OrgPredikat.BAIK: Rating.AS_EXPECTED,
        OrgPredikat.BUTUH_PERBAIKAN: Rating.BELOW,
        OrgPredikat.KURANG: Rating.BELOW,
        OrgPredikat.SANGAT_KURANG: Rating.BELOW,
    }
)


def unit_head_hasil_rating(
    org: OrgPredikat,
    *,
    mapping: Mapping[OrgPredikat, Rating] = DEFAULT_UNIT_HEAD_HASIL_RATING,
) -> Rating:
    """Return the rating hasil kerja of a unit head whose unit is graded ``org``."""
    return mapping[OrgPredikat(org)]


_BELOW_EXPECTATION_FOLLOW_UPS: Final = frozenset({FollowUp.DEVELOPMENT, FollowUp.TRAINING})


def follow_up_for(
    predikat: Predikat, *, below_expectation: FollowUp = FollowUp.DEVELOPMENT
) -> FollowUp:
    """Return the follow-up for ``predikat``.

    Predikat below Baik lead to ``below_expectation`` (development by default; an agency
    may choose training). Raise ValueError when that is neither development nor training.
    """
    if below_expectation not in _BELOW_EXPECTATION_FOLLOW_UPS:
        raise ValueError("below-expectation follow-up must be development or training")
    # PP 30/2019 (follow-up of the appraisal): awards for high performers; competence
    # development or training for those below expectation.
    if predikat == Predikat.SANGAT_BAIK:
        return FollowUp.AWARD
    if predikat == Predikat.BAIK:
        return FollowUp.NONE
    return FollowUp(below_expectation)


# --------------------------------------------------------------------------------------------
# Achievement percentages (shown beside the appraiser's judgement)
# --------------------------------------------------------------------------------------------

_LOWER_IS_BETTER: Final = frozenset({Aspect.WAKTU, Aspect.BIAYA})
_PERCENT_PLACES = Decimal("0.01")


def achievement_percent(
    aspect: Aspect, target: Decimal | None, realised: Decimal | None
) -> Decimal | None:
    """Return the achievement of ``realised`` against ``target`` in percent (2 decimals).

    More is better for kuantitas and kualitas (realised / target); less is better for waktu
    and biaya (target / realised). Return None when either value is missing or zero.
    Raise ValueError for a negative value.
    """
    if target is None or realised is None or target == 0 or realised == 0:
        return None
    if target < 0 or realised < 0:
        raise ValueError("target and realisation must not be negative")
    lower_is_better = Aspect(aspect) in _LOWER_IS_BETTER
    ratio = target / realised if lower_is_better else realised / target
    return (ratio * _HUNDRED).quantize(_PERCENT_PLACES, rounding=ROUND_HALF_UP)


# Units that make an indicator a rate whatever its aspect: "95 %" of attendance is not counted.
RATE_UNITS: Final = frozenset({"%", "persen", "persentase", "percent"})
_COUNTED_ASPECTS: Final = frozenset({Aspect.KUANTITAS, Aspect.BIAYA})


def is_rate_unit(unit: str) -> bool:
    """Return True when ``unit`` (an indicator's satuan) names a percentage."""
    return unit.strip().lower() in RATE_UNITS


def aggregation_for(aspect: Aspect, unit: str = "", chosen: str = "") -> Aggregation:
    """Return how an indicator's periods make up its result.

    An explicit ``chosen`` aggregation wins. Otherwise a percentage (``unit`` % or persen)
    is averaged whatever its aspect; kuantitas and biaya add up over the periods, kualitas
    and waktu are averaged.
    """
    if chosen:
        return Aggregation(chosen)
    if is_rate_unit(unit):
        return Aggregation.AVERAGE
    return Aggregation.SUM if Aspect(aspect) in _COUNTED_ASPECTS else Aggregation.AVERAGE


def aggregate(values: Sequence[Decimal], aggregation: Aggregation) -> Decimal | None:
    """Return the result of the period ``values`` (in period order) over the SKP.

    SUM adds them up, AVERAGE takes their mean (2 decimals, half up), LAST the last one.
    Return None without values.
    """
    if not values:
        return None
    how = Aggregation(aggregation)
    if how == Aggregation.LAST:
        return values[-1]
    total = sum(values, Decimal(0))
    if how == Aggregation.SUM:
        return total
    return (total / len(values)).quantize(_PERCENT_PLACES, rounding=ROUND_HALF_UP)


def period_target(target: Decimal, aggregation: Aggregation, periods: int) -> Decimal:
    """Return one period's share of a ``target`` set for ``periods`` periods.

    A summed target is spread evenly over the periods (the plan sets no numeric target per
    period and indicator: a rencana aksi's target is free text for its RHK); an averaged or
    last-value target is the level every period aims at. Raise ValueError for fewer than
    one period.
    """
    if periods < 1:
        raise ValueError("an SKP covers at least one period")
    if Aggregation(aggregation) == Aggregation.SUM:
        return target / periods
    return target


def report_opens_on(period_ends_on: datetime.date, lead_days: int) -> datetime.date:
    """Return the first day a period's achievement report may be submitted.

    ``lead_days`` days before the period's last day (0: the last day itself, the period
    being over at its end in the agency's zone). Raise ValueError for a negative lead.
    """
    if lead_days < 0:
        raise ValueError("the report cannot open after the period's last day")
    return period_ends_on - datetime.timedelta(days=lead_days)


def rating_from_achievement(
    percent: Decimal,
    *,
    above_from: Decimal = Decimal(110),
    below_under: Decimal = Decimal(80),
) -> Rating:
    """Return the rating an achievement ``percent`` suggests (thresholds configurable).

    At least ``above_from`` is above expectation; under ``below_under`` is below.
    """
    if below_under > above_from:
        raise ValueError("below_under must not exceed above_from")
    if percent >= above_from:
        return Rating.ABOVE
    if percent < below_under:
        return Rating.BELOW
    return Rating.AS_EXPECTED


_RATING_SCORE: Final[Mapping[Rating, int]] = MappingProxyType(
    {Rating.ABOVE: 3, Rating.AS_EXPECTED: 2, Rating.BELOW: 1}
)
_SCORE_RATING: Final[Mapping[int, Rating]] = MappingProxyType(
    {score: rating for rating, score in _RATING_SCORE.items()}
)


def suggested_rating(ratings: Sequence[Rating]) -> Rating | None:
    """Suggest an annual rating from periodic ``ratings``: their mean, half rounding up.

    Return None when there are no ratings.
    """
    if not ratings:
        return None
    total = sum(_RATING_SCORE[Rating(rating)] for rating in ratings)
    mean = (Decimal(total) / len(ratings)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return _SCORE_RATING[int(mean)]
