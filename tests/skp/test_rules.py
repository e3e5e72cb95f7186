"""The SKP rules: every row of the DOMAIN.md tables, with exact values. No database."""

from __future__ import annotations

import datetime
import itertools
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from processes.organisation.models import FunctionalLevel
from processes.skp.rules import (
    CURVES,
    DEFAULT_LEVEL_COEFFICIENTS,
    DEFAULT_OBJECTION_DAYS,
    DEFAULT_UNIT_HEAD_HASIL_RATING,
    PREDIKAT_PERCENT,
    Aggregation,
    Aspect,
    CurveBound,
    CurveMode,
    CurveRounding,
    FollowUp,
    OrgPredikat,
    Period,
    PeriodType,
    Predikat,
    Rating,
    achievement_percent,
    aggregate,
    aggregation_for,
    check_curve,
    credit_points,
    curve_limits,
    follow_up_for,
    months_covered,
    objection_deadline,
    objection_is_on_time,
    period_containing,
    period_target,
    periods_for,
    periods_within,
    persons_for_percent,
    predikat_for,
    rating_from_achievement,
    suggested_rating,
    unit_head_hasil_rating,
    would_conform,
)

SB = Predikat.SANGAT_BAIK
B = Predikat.BAIK
BP = Predikat.BUTUH_PERBAIKAN
K = Predikat.KURANG
SK = Predikat.SANGAT_KURANG

UTC = datetime.UTC
WIB = "Asia/Jakarta"
WITA = "Asia/Makassar"
WIT = "Asia/Jayapura"

# Predikat best first, for monotonicity checks.
PREDIKAT_ORDER = [SB, B, BP, K, SK]
RATING_ORDER = [Rating.BELOW, Rating.AS_EXPECTED, Rating.ABOVE]


def utc(
    year: int,
    month: int,
    day: int,
    hour: int = 0,
    minute: int = 0,
    second: int = 0,
    microsecond: int = 0,
) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, second, microsecond, tzinfo=UTC)


# --- Enums ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("choices", "expected"),
    [
        (
            Rating,
            [
                ("above", "Di Atas Ekspektasi"),
                ("as_expected", "Sesuai Ekspektasi"),
                ("below", "Di Bawah Ekspektasi"),
            ],
        ),
        (
            Predikat,
            [
                ("sangat_baik", "Sangat Baik"),
                ("baik", "Baik"),
                ("butuh_perbaikan", "Butuh Perbaikan"),
                ("kurang", "Kurang/Misconduct"),
                ("sangat_kurang", "Sangat Kurang"),
            ],
        ),
        (
            OrgPredikat,
            [
                ("istimewa", "Istimewa"),
                ("baik", "Baik"),
                ("butuh_perbaikan", "Butuh Perbaikan"),
                ("kurang", "Kurang"),
                ("sangat_kurang", "Sangat Kurang"),
            ],
        ),
        (
            PeriodType,
            [("monthly", "Bulanan"), ("quarterly", "Triwulanan"), ("semester", "Semesteran")],
        ),
        (
            FollowUp,
            [
                ("award", "Rekomendasi penghargaan"),
                ("none", "Tidak ada tindak lanjut"),
                ("development", "Rencana pengembangan kompetensi"),
                ("training", "Rekomendasi pelatihan"),
            ],
        ),
        (
            Aspect,
            [
                ("kuantitas", "Kuantitas"),
                ("kualitas", "Kualitas"),
                ("waktu", "Waktu"),
                ("biaya", "Biaya"),
            ],
        ),
        (
            Aggregation,
            [
                ("sum", "Dijumlahkan"),
                ("average", "Dirata-rata"),
                ("last", "Nilai periode terakhir"),
            ],
        ),
    ],
)
def test_choices_have_stable_values_and_indonesian_labels(choices, expected):
    assert [(value, str(label)) for value, label in choices.choices] == expected


def test_curve_settings_have_stable_values():
    assert CurveMode.values == ["warn", "block"]
    assert CurveRounding.values == ["nearest", "floor", "ceil"]


# --- Predikat matrix (DOMAIN.md section 4) -------------------------------------------------


@pytest.mark.parametrize(
    ("hasil", "perilaku", "expected"),
    [
        (Rating.ABOVE, Rating.BELOW, K),
        (Rating.ABOVE, Rating.AS_EXPECTED, B),
        (Rating.ABOVE, Rating.ABOVE, SB),
        (Rating.AS_EXPECTED, Rating.BELOW, K),
        (Rating.AS_EXPECTED, Rating.AS_EXPECTED, B),
        (Rating.AS_EXPECTED, Rating.ABOVE, B),
        (Rating.BELOW, Rating.BELOW, SK),
        (Rating.BELOW, Rating.AS_EXPECTED, BP),
        (Rating.BELOW, Rating.ABOVE, BP),
    ],
)
def test_predikat_matrix_cell(hasil, perilaku, expected):
    assert predikat_for(hasil, perilaku) == expected


def test_predikat_for_accepts_stored_values():
    assert predikat_for("above", "above") == SB  # type: ignore[arg-type]


ratings = st.sampled_from(Rating)


@given(hasil=ratings, perilaku=ratings)
def test_predikat_for_is_total_and_extremes_are_unique(hasil, perilaku):
    predikat = predikat_for(hasil, perilaku)
    assert predikat in Predikat.values
    assert (predikat == SB) == (hasil == perilaku == Rating.ABOVE)
    assert (predikat == SK) == (hasil == perilaku == Rating.BELOW)


@given(hasil=ratings, perilaku=ratings)
def test_behaviour_below_never_reaches_baik(hasil, perilaku):
    if perilaku == Rating.BELOW:
        assert predikat_for(hasil, perilaku) in {K, SK}


@given(hasil=ratings, perilaku=ratings, better_hasil=ratings, better_perilaku=ratings)
def test_better_ratings_never_give_a_worse_predikat(hasil, perilaku, better_hasil, better_perilaku):
    if RATING_ORDER.index(better_hasil) < RATING_ORDER.index(hasil):
        better_hasil = hasil
    if RATING_ORDER.index(better_perilaku) < RATING_ORDER.index(perilaku):
        better_perilaku = perilaku
    before = PREDIKAT_ORDER.index(predikat_for(hasil, perilaku))
    after = PREDIKAT_ORDER.index(predikat_for(better_hasil, better_perilaku))
    assert after <= before


# --- Distribution curve: rounding (DOMAIN.md section 5) ------------------------------------


@pytest.mark.parametrize(
    ("percent", "population", "nearest", "floor", "ceil"),
    [
        (70, 1, 1, 0, 1),
        (60, 1, 1, 0, 1),
        (10, 1, 0, 0, 1),
        (0, 1, 0, 0, 0),
        (70, 5, 4, 3, 4),
        (60, 5, 3, 3, 3),
        (10, 5, 1, 0, 1),
        (0, 5, 0, 0, 0),
        (70, 10, 7, 7, 7),
        (60, 10, 6, 6, 6),
        (10, 10, 1, 1, 1),
        (0, 10, 0, 0, 0),
        (70, 7, 5, 4, 5),
        (60, 7, 4, 4, 5),
        (10, 7, 1, 0, 1),
        (0, 7, 0, 0, 0),
        (70, 0, 0, 0, 0),
    ],
)
def test_persons_for_percent(percent, population, nearest, floor, ceil):
    share = Decimal(percent)
    assert persons_for_percent(share, population, CurveRounding.NEAREST) == nearest
    assert persons_for_percent(share, population, CurveRounding.FLOOR) == floor
    assert persons_for_percent(share, population, CurveRounding.CEIL) == ceil


def _limit_rows(
    org: OrgPredikat, population: int, rounding: CurveRounding = CurveRounding.NEAREST
) -> list[tuple[int | None, int | None, bool, str]]:
    return [
        (limit.min_count, limit.max_count, limit.largest, limit.sentence)
        for limit in curve_limits(org, population, rounding)
    ]


@pytest.mark.parametrize(
    ("org", "population", "expected"),
    [
        (
            OrgPredikat.ISTIMEWA,
            5,
            [
                (None, 4, False, "Sangat Baik paling banyak 70% (4 dari 5 orang)"),
                (None, None, True, "Sangat Baik harus menjadi kelompok terbanyak"),
            ],
        ),
        (
            OrgPredikat.ISTIMEWA,
            1,
            [
                (None, 1, False, "Sangat Baik paling banyak 70% (1 dari 1 orang)"),
                (None, None, True, "Sangat Baik harus menjadi kelompok terbanyak"),
            ],
        ),
        (
            OrgPredikat.BAIK,
            7,
            [
                (None, 5, False, "Baik paling banyak 70% (5 dari 7 orang)"),
                (None, None, True, "Baik harus menjadi kelompok terbanyak"),
                (
                    1,
                    None,
                    False,
                    "Butuh Perbaikan dan/atau Kurang/Misconduct paling sedikit 1 orang",
                ),
            ],
        ),
        (
            OrgPredikat.BUTUH_PERBAIKAN,
            10,
            [
                (6, None, False, "Butuh Perbaikan paling sedikit 60% (6 dari 10 orang)"),
                (None, 1, False, "Sangat Baik paling banyak 10% (1 dari 10 orang)"),
            ],
        ),
        (
            OrgPredikat.BUTUH_PERBAIKAN,
            1,
            [
                (1, None, False, "Butuh Perbaikan paling sedikit 60% (1 dari 1 orang)"),
                (None, 0, False, "Sangat Baik paling banyak 10% (0 dari 1 orang)"),
            ],
        ),
        (
            OrgPredikat.KURANG,
            5,
            [
                (3, None, False, "Kurang/Misconduct paling sedikit 60% (3 dari 5 orang)"),
                (1, None, False, "Butuh Perbaikan paling sedikit 10% (1 dari 5 orang)"),
                (None, 1, False, "Sangat Baik paling banyak 10% (1 dari 5 orang)"),
            ],
        ),
        (
            OrgPredikat.KURANG,
            7,
            [
                (4, None, False, "Kurang/Misconduct paling sedikit 60% (4 dari 7 orang)"),
                (1, None, False, "Butuh Perbaikan paling sedikit 10% (1 dari 7 orang)"),
                (None, 1, False, "Sangat Baik paling banyak 10% (1 dari 7 orang)"),
            ],
        ),
        (
            OrgPredikat.SANGAT_KURANG,
            10,
            [
                (6, None, False, "Sangat Kurang paling sedikit 60% (6 dari 10 orang)"),
                (
                    1,
                    None,
                    False,
                    "Butuh Perbaikan dan/atau Kurang/Misconduct paling sedikit 10% (1 dari 10 orang)",
                ),
                (None, 0, False, "Tidak boleh ada Sangat Baik (0 dari 10 orang)"),
            ],
        ),
        (
            OrgPredikat.SANGAT_KURANG,
            1,
            [
                (1, None, False, "Sangat Kurang paling sedikit 60% (1 dari 1 orang)"),
                (
                    0,
                    None,
                    False,
                    "Butuh Perbaikan dan/atau Kurang/Misconduct paling sedikit 10% (0 dari 1 orang)",
                ),
                (None, 0, False, "Tidak boleh ada Sangat Baik (0 dari 1 orang)"),
            ],
        ),
    ],
)
def test_curve_limits(org, population, expected):
    assert _limit_rows(org, population) == expected


def test_curve_limits_follow_the_rounding_setting():
    assert _limit_rows(OrgPredikat.KURANG, 7, CurveRounding.FLOOR) == [
        (4, None, False, "Kurang/Misconduct paling sedikit 60% (4 dari 7 orang)"),
        (0, None, False, "Butuh Perbaikan paling sedikit 10% (0 dari 7 orang)"),
        (None, 0, False, "Sangat Baik paling banyak 10% (0 dari 7 orang)"),
    ]
    assert _limit_rows(OrgPredikat.KURANG, 7, CurveRounding.CEIL) == [
        (5, None, False, "Kurang/Misconduct paling sedikit 60% (5 dari 7 orang)"),
        (1, None, False, "Butuh Perbaikan paling sedikit 10% (1 dari 7 orang)"),
        (None, 1, False, "Sangat Baik paling banyak 10% (1 dari 7 orang)"),
    ]


def test_curve_limits_refuse_a_negative_population():
    with pytest.raises(ValueError, match="population"):
        curve_limits(OrgPredikat.BAIK, -1)


def test_every_organisation_predikat_has_a_curve():
    assert set(CURVES) == set(OrgPredikat)


def test_curve_limit_exposes_its_group():
    limit = curve_limits(OrgPredikat.SANGAT_KURANG, 10)[1]
    assert limit.group == frozenset({BP, K})
    assert limit.population == 10


# --- Distribution curve: conforming and violating spreads ----------------------------------


@pytest.mark.parametrize(
    ("org", "counts"),
    [
        (OrgPredikat.ISTIMEWA, {SB: 7, B: 3}),
        (OrgPredikat.ISTIMEWA, {SB: 4, B: 4, BP: 2}),  # a tie counts as the largest group
        (OrgPredikat.ISTIMEWA, {SB: 4, B: 1}),  # 70 % of 5 = 3.5 rounds to 4
        (OrgPredikat.ISTIMEWA, {SB: 1}),
        (OrgPredikat.BAIK, {SB: 2, B: 7, BP: 1}),
        (OrgPredikat.BAIK, {SB: 3, B: 6, K: 1}),  # Kurang alone is "some"
        (OrgPredikat.BAIK, {B: 2, SB: 1, BP: 1}),
        (OrgPredikat.BUTUH_PERBAIKAN, {BP: 6, B: 3, SB: 1}),
        (OrgPredikat.BUTUH_PERBAIKAN, {BP: 3, B: 1, SB: 1}),  # 10 % of 5 = 0.5 rounds to 1
        (OrgPredikat.KURANG, {K: 6, BP: 1, SB: 1, B: 2}),
        (OrgPredikat.KURANG, {K: 4, BP: 1, SK: 2}),
        (OrgPredikat.SANGAT_KURANG, {SK: 6, K: 1, B: 3}),
        (OrgPredikat.SANGAT_KURANG, {SK: 9, BP: 1}),
        (OrgPredikat.SANGAT_KURANG, {SK: 1}),  # 10 % of 1 = 0.1 rounds to 0
    ],
)
def test_spread_conforms(org, counts):
    check = check_curve(org, counts)
    assert check.conforms is True
    assert check.violations == []
    assert check.population == sum(counts.values())


@pytest.mark.parametrize(
    ("org", "counts", "violation"),
    [
        (
            OrgPredikat.ISTIMEWA,
            {SB: 8, B: 2},
            "Sangat Baik paling banyak 70% (7 dari 10 orang), saat ini 8 orang",
        ),
        (
            OrgPredikat.ISTIMEWA,
            {SB: 3, B: 5, BP: 2},
            "Sangat Baik harus menjadi kelompok terbanyak, saat ini 3 orang sedangkan Baik 5 orang",
        ),
        (
            OrgPredikat.BAIK,
            {B: 8, BP: 2},
            "Baik paling banyak 70% (7 dari 10 orang), saat ini 8 orang",
        ),
        (
            OrgPredikat.BAIK,
            {SB: 5, B: 4, K: 1},
            "Baik harus menjadi kelompok terbanyak, saat ini 4 orang sedangkan Sangat Baik 5 orang",
        ),
        (
            OrgPredikat.BAIK,
            {SB: 3, B: 7},
            "Butuh Perbaikan dan/atau Kurang/Misconduct paling sedikit 1 orang, saat ini 0 orang",
        ),
        (
            OrgPredikat.BUTUH_PERBAIKAN,
            {BP: 5, B: 5},
            "Butuh Perbaikan paling sedikit 60% (6 dari 10 orang), saat ini 5 orang",
        ),
        (
            OrgPredikat.BUTUH_PERBAIKAN,
            {BP: 6, SB: 2, B: 2},
            "Sangat Baik paling banyak 10% (1 dari 10 orang), saat ini 2 orang",
        ),
        (
            OrgPredikat.KURANG,
            {K: 5, BP: 3, B: 2},
            "Kurang/Misconduct paling sedikit 60% (6 dari 10 orang), saat ini 5 orang",
        ),
        (
            OrgPredikat.KURANG,
            {K: 7, SK: 3},
            "Butuh Perbaikan paling sedikit 10% (1 dari 10 orang), saat ini 0 orang",
        ),
        (
            OrgPredikat.KURANG,
            {K: 6, BP: 2, SB: 2},
            "Sangat Baik paling banyak 10% (1 dari 10 orang), saat ini 2 orang",
        ),
        (
            OrgPredikat.SANGAT_KURANG,
            {SK: 5, K: 5},
            "Sangat Kurang paling sedikit 60% (6 dari 10 orang), saat ini 5 orang",
        ),
        (
            OrgPredikat.SANGAT_KURANG,
            {SK: 8, B: 2},
            "Butuh Perbaikan dan/atau Kurang/Misconduct paling sedikit 10% (1 dari 10 orang), saat ini 0 orang",
        ),
        (
            OrgPredikat.SANGAT_KURANG,
            {SK: 6, K: 3, SB: 1},
            "Tidak boleh ada Sangat Baik (0 dari 10 orang), saat ini 1 orang",
        ),
    ],
)
def test_spread_violates_one_bound(org, counts, violation):
    check = check_curve(org, counts)
    assert check.conforms is False
    assert check.violations == [violation]


def test_violations_follow_the_order_of_the_curve():
    check = check_curve(OrgPredikat.KURANG, {SB: 3, B: 7})
    assert check.violations == [
        "Kurang/Misconduct paling sedikit 60% (6 dari 10 orang), saat ini 0 orang",
        "Butuh Perbaikan paling sedikit 10% (1 dari 10 orang), saat ini 0 orang",
        "Sangat Baik paling banyak 10% (1 dari 10 orang), saat ini 3 orang",
    ]


def test_small_unit_can_fail_a_minimum():
    check = check_curve(OrgPredikat.BUTUH_PERBAIKAN, {B: 1})
    assert check.violations == [
        "Butuh Perbaikan paling sedikit 60% (1 dari 1 orang), saat ini 0 orang"
    ]


def test_rounding_setting_changes_the_verdict():
    counts = {SB: 4, B: 1}
    assert check_curve(OrgPredikat.ISTIMEWA, counts, CurveRounding.NEAREST).conforms is True
    floor = check_curve(OrgPredikat.ISTIMEWA, counts, CurveRounding.FLOOR)
    assert floor.violations == ["Sangat Baik paling banyak 70% (3 dari 5 orang), saat ini 4 orang"]


@pytest.mark.parametrize("org", list(OrgPredikat))
def test_empty_population_conforms(org):
    check = check_curve(org, {})
    assert check.conforms is True
    assert check.population == 0
    assert check.organisation == org


def test_counts_accept_stored_values_as_keys():
    check = check_curve(OrgPredikat.ISTIMEWA, {"sangat_baik": 8, "baik": 2})  # type: ignore[dict-item]
    assert check.violations == ["Sangat Baik paling banyak 70% (7 dari 10 orang), saat ini 8 orang"]


def test_negative_count_is_refused():
    with pytest.raises(ValueError, match="negative"):
        check_curve(OrgPredikat.BAIK, {B: -1})


def test_curves_can_be_overridden():
    curves = {OrgPredikat.ISTIMEWA: (CurveBound(frozenset({SB}), max_percent=Decimal(50)),)}
    check = check_curve(OrgPredikat.ISTIMEWA, {SB: 3, B: 1}, curves=curves)
    assert check.violations == ["Sangat Baik paling banyak 50% (2 dari 4 orang), saat ini 3 orang"]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"group": frozenset()},
        {"group": frozenset({SB})},
        {"group": frozenset({SB}), "min_percent": Decimal(10), "largest": True},
        {"group": frozenset({SB}), "max_percent": Decimal(101)},
        {"group": frozenset({SB}), "min_percent": Decimal(-1)},
        {"group": frozenset({SB}), "min_persons": -1},
    ],
)
def test_curve_bound_refuses_bad_definitions(kwargs):
    with pytest.raises(ValueError, match="curve"):
        CurveBound(**kwargs)


def test_largest_over_every_predikat_always_holds():
    curves = {OrgPredikat.BAIK: (CurveBound(frozenset(Predikat), largest=True),)}
    assert check_curve(OrgPredikat.BAIK, {B: 1}, curves=curves).conforms is True


counts_strategy = st.dictionaries(
    st.sampled_from(Predikat), st.integers(min_value=0, max_value=500)
)


@given(
    org=st.sampled_from(OrgPredikat),
    counts=counts_strategy,
    rounding=st.sampled_from(CurveRounding),
)
def test_check_curve_never_raises_on_valid_counts(org, counts, rounding):
    check = check_curve(org, counts, rounding)
    assert check.population == sum(counts.values())
    assert check.conforms == (check.violations == [])
    assert len(check.violations) <= len(check.limits) == len(CURVES[org])
    for limit in check.limits:
        assert limit.min_count is None or 0 <= limit.min_count <= max(check.population, 1)
        assert limit.max_count is None or 0 <= limit.max_count <= check.population


@given(
    org=st.sampled_from(OrgPredikat),
    counts=counts_strategy,
    adding=st.sampled_from(Predikat),
    replacing=st.sampled_from(Predikat),
)
def test_would_conform_is_the_check_after_the_change(org, counts, adding, replacing):
    after = {predikat: counts.get(predikat, 0) for predikat in Predikat}
    after[adding] += 1
    assert would_conform(org, counts, adding) == check_curve(org, after)
    if counts.get(replacing, 0) > 0:
        after[replacing] -= 1
        assert would_conform(org, counts, adding, replacing) == check_curve(org, after)


# --- would_conform -------------------------------------------------------------------------


def test_would_conform_adding_within_the_curve():
    check = would_conform(OrgPredikat.BAIK, {B: 3, BP: 1}, B)
    assert check.conforms is True
    assert check.population == 5


def test_would_conform_adding_beyond_the_curve():
    check = would_conform(OrgPredikat.BAIK, {B: 4, BP: 1}, B)
    assert check.violations == ["Baik paling banyak 70% (4 dari 6 orang), saat ini 5 orang"]


def test_would_conform_replacing_a_rating():
    counts = {B: 3, BP: 1}
    check = would_conform(OrgPredikat.BAIK, counts, B, BP)
    assert check.population == 4
    assert check.violations == [
        "Baik paling banyak 70% (3 dari 4 orang), saat ini 4 orang",
        "Butuh Perbaikan dan/atau Kurang/Misconduct paling sedikit 1 orang, saat ini 0 orang",
    ]
    assert counts == {B: 3, BP: 1}


def test_would_conform_replacing_can_fix_the_spread():
    check = would_conform(OrgPredikat.SANGAT_KURANG, {SK: 6, SB: 1, B: 3}, K, replacing=SB)
    assert check.conforms is True


def test_would_conform_refuses_replacing_a_predikat_nobody_has():
    with pytest.raises(ValueError, match="replaced"):
        would_conform(OrgPredikat.BAIK, {B: 3}, B, replacing=SB)


# --- Credit points (DOMAIN.md section 6) ---------------------------------------------------


@pytest.mark.parametrize(
    ("predikat", "percent", "ahli_pertama_year"),
    [
        (SB, Decimal(150), Decimal("18.750")),
        (B, Decimal(100), Decimal("12.500")),
        (BP, Decimal(75), Decimal("9.375")),
        (K, Decimal(50), Decimal("6.250")),
        (SK, Decimal(25), Decimal("3.125")),
    ],
)
def test_credit_points_for_every_predikat(predikat, percent, ahli_pertama_year):
    assert PREDIKAT_PERCENT[predikat] == percent
    assert str(credit_points(predikat, "ahli_pertama", 12)) == str(ahli_pertama_year)


@pytest.mark.parametrize(
    ("level", "coefficient", "baik_year"),
    [
        ("pemula", Decimal("3.75"), "3.750"),
        ("terampil", Decimal(5), "5.000"),
        ("mahir", Decimal("12.5"), "12.500"),
        ("penyelia", Decimal(25), "25.000"),
        ("ahli_pertama", Decimal("12.5"), "12.500"),
        ("ahli_muda", Decimal(25), "25.000"),
        ("ahli_madya", Decimal("37.5"), "37.500"),
        ("ahli_utama", Decimal(50), "50.000"),
    ],
)
def test_credit_points_for_every_level(level, coefficient, baik_year):
    assert DEFAULT_LEVEL_COEFFICIENTS[level] == coefficient
    assert str(credit_points(B, level, 12)) == baik_year


def test_coefficients_cover_every_functional_level():
    assert set(DEFAULT_LEVEL_COEFFICIENTS) == set(FunctionalLevel.values)
    assert set(PREDIKAT_PERCENT) == set(Predikat)


@pytest.mark.parametrize(
    ("predikat", "level", "months", "expected"),
    [
        (B, "ahli_pertama", 2, "2.083"),  # DOMAIN.md example: 2/12 x 100 % x 12.5
        (SK, "pemula", 1, "0.078"),  # 0.078125
        (BP, "terampil", 1, "0.313"),  # 0.3125: half rounds up, not to even
        (SB, "mahir", 7, "10.938"),  # 10.9375
        (K, "ahli_utama", 5, "10.417"),  # 10.41666...
        (SB, "ahli_madya", 6, "28.125"),
        (B, FunctionalLevel.AHLI_MUDA, 3, "6.250"),
    ],
)
def test_credit_points_for_part_of_a_year(predikat, level, months, expected):
    assert str(credit_points(predikat, level, months)) == expected


@pytest.mark.parametrize("months", [0, 13, -1])
def test_credit_points_refuse_months_outside_a_year(months):
    with pytest.raises(ValueError, match="months"):
        credit_points(B, "ahli_pertama", months)


def test_credit_points_refuse_an_unknown_level():
    with pytest.raises(ValueError, match="unknown functional level"):
        credit_points(B, "ahli_super", 12)


def test_credit_points_use_an_agency_table():
    assert credit_points(B, "pemula", 12, {"pemula": Decimal(4)}) == Decimal("4.000")
    assert credit_points(B, "pemula", 12, percents={B: Decimal(90)}) == Decimal("3.375")


@given(
    predikat=st.sampled_from(Predikat), level=st.sampled_from(sorted(DEFAULT_LEVEL_COEFFICIENTS))
)
def test_credit_points_for_a_full_year(predikat, level):
    exact = PREDIKAT_PERCENT[predikat] * DEFAULT_LEVEL_COEFFICIENTS[level] / 100
    # Only Butuh Perbaikan at Pemula (75 % x 3.75 = 2.8125) needs the rounding to 3 places.
    assert credit_points(predikat, level, 12) == exact.quantize(Decimal("0.001"), ROUND_HALF_UP)
    assert abs(credit_points(predikat, level, 12) - exact) <= Decimal("0.0005")


@given(
    predikat=st.sampled_from(Predikat),
    level=st.sampled_from(sorted(DEFAULT_LEVEL_COEFFICIENTS)),
    months=st.integers(min_value=1, max_value=11),
)
def test_credit_points_grow_with_months(predikat, level, months):
    assert credit_points(predikat, level, months) < credit_points(predikat, level, months + 1)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (datetime.date(2024, 1, 1), datetime.date(2024, 12, 31), 12),
        (datetime.date(2024, 3, 15), datetime.date(2024, 4, 2), 2),
        (datetime.date(2024, 5, 10), datetime.date(2024, 5, 10), 1),
        (datetime.date(2024, 12, 1), datetime.date(2024, 12, 31), 1),
        (datetime.date(2024, 1, 31), datetime.date(2024, 2, 1), 2),
        (datetime.date(2024, 7, 1), datetime.date(2024, 12, 31), 6),
    ],
)
def test_months_covered(start, end, expected):
    assert months_covered(start, end) == expected


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (datetime.date(2024, 4, 2), datetime.date(2024, 3, 15), "before it starts"),
        (datetime.date(2024, 12, 1), datetime.date(2025, 1, 31), "one year"),
    ],
)
def test_months_covered_refuses_bad_ranges(start, end, message):
    with pytest.raises(ValueError, match=message):
        months_covered(start, end)


# --- Periods -------------------------------------------------------------------------------


def test_monthly_periods():
    periods = periods_for(2024, PeriodType.MONTHLY)
    assert [period.label for period in periods] == [
        "Januari",
        "Februari",
        "Maret",
        "April",
        "Mei",
        "Juni",
        "Juli",
        "Agustus",
        "September",
        "Oktober",
        "November",
        "Desember",
    ]
    assert [period.index for period in periods] == list(range(1, 13))
    assert periods[1] == Period(
        2, "Februari", datetime.date(2024, 2, 1), datetime.date(2024, 2, 29)
    )
    assert periods[11] == Period(
        12, "Desember", datetime.date(2024, 12, 1), datetime.date(2024, 12, 31)
    )
    assert periods_for(2023, PeriodType.MONTHLY)[1].ends_on == datetime.date(2023, 2, 28)


def test_quarterly_periods():
    assert periods_for(2024, PeriodType.QUARTERLY) == [
        Period(1, "Triwulan I", datetime.date(2024, 1, 1), datetime.date(2024, 3, 31)),
        Period(2, "Triwulan II", datetime.date(2024, 4, 1), datetime.date(2024, 6, 30)),
        Period(3, "Triwulan III", datetime.date(2024, 7, 1), datetime.date(2024, 9, 30)),
        Period(4, "Triwulan IV", datetime.date(2024, 10, 1), datetime.date(2024, 12, 31)),
    ]


def test_semester_periods():
    assert periods_for(2024, PeriodType.SEMESTER) == [
        Period(1, "Semester I", datetime.date(2024, 1, 1), datetime.date(2024, 6, 30)),
        Period(2, "Semester II", datetime.date(2024, 7, 1), datetime.date(2024, 12, 31)),
    ]


def test_periods_within_a_partial_skp_are_clipped_and_keep_their_index():
    assert periods_within(
        datetime.date(2024, 3, 15), datetime.date(2024, 8, 10), PeriodType.QUARTERLY
    ) == [
        Period(1, "Triwulan I", datetime.date(2024, 3, 15), datetime.date(2024, 3, 31)),
        Period(2, "Triwulan II", datetime.date(2024, 4, 1), datetime.date(2024, 6, 30)),
        Period(3, "Triwulan III", datetime.date(2024, 7, 1), datetime.date(2024, 8, 10)),
    ]


def test_monthly_periods_within_a_transfer():
    assert periods_within(
        datetime.date(2024, 3, 15), datetime.date(2024, 4, 2), PeriodType.MONTHLY
    ) == [
        Period(3, "Maret", datetime.date(2024, 3, 15), datetime.date(2024, 3, 31)),
        Period(4, "April", datetime.date(2024, 4, 1), datetime.date(2024, 4, 2)),
    ]


def test_periods_within_a_full_year_are_the_year():
    assert periods_within(
        datetime.date(2024, 1, 1), datetime.date(2024, 12, 31), PeriodType.SEMESTER
    ) == periods_for(2024, PeriodType.SEMESTER)


def test_periods_within_a_single_day():
    assert periods_within(
        datetime.date(2024, 7, 1), datetime.date(2024, 7, 1), PeriodType.SEMESTER
    ) == [Period(2, "Semester II", datetime.date(2024, 7, 1), datetime.date(2024, 7, 1))]


def test_periods_within_refuses_a_reversed_range():
    with pytest.raises(ValueError, match="before it starts"):
        periods_within(datetime.date(2024, 5, 1), datetime.date(2024, 4, 1), PeriodType.MONTHLY)


@pytest.mark.parametrize(
    ("day", "period_type", "index", "label"),
    [
        (datetime.date(2024, 1, 1), PeriodType.MONTHLY, 1, "Januari"),
        (datetime.date(2024, 2, 29), PeriodType.MONTHLY, 2, "Februari"),
        (datetime.date(2024, 12, 31), PeriodType.MONTHLY, 12, "Desember"),
        (datetime.date(2024, 3, 31), PeriodType.QUARTERLY, 1, "Triwulan I"),
        (datetime.date(2024, 4, 1), PeriodType.QUARTERLY, 2, "Triwulan II"),
        (datetime.date(2024, 9, 30), PeriodType.QUARTERLY, 3, "Triwulan III"),
        (datetime.date(2024, 10, 1), PeriodType.QUARTERLY, 4, "Triwulan IV"),
        (datetime.date(2024, 6, 30), PeriodType.SEMESTER, 1, "Semester I"),
        (datetime.date(2024, 7, 1), PeriodType.SEMESTER, 2, "Semester II"),
    ],
)
def test_period_containing(day, period_type, index, label):
    period = period_containing(day, period_type)
    assert (period.index, period.label) == (index, label)
    assert period.starts_on <= day <= period.ends_on


@given(
    year=st.integers(min_value=2000, max_value=2100),
    period_type=st.sampled_from(PeriodType),
)
def test_periods_tile_the_year(year, period_type):
    periods = periods_for(year, period_type)
    assert periods[0].starts_on == datetime.date(year, 1, 1)
    assert periods[-1].ends_on == datetime.date(year, 12, 31)
    for before, after in itertools.pairwise(periods):
        assert after.starts_on == before.ends_on + datetime.timedelta(days=1)


@given(
    start=st.dates(min_value=datetime.date(2024, 1, 1), max_value=datetime.date(2024, 12, 31)),
    length=st.integers(min_value=0, max_value=365),
    period_type=st.sampled_from(PeriodType),
)
def test_periods_within_cover_exactly_the_range(start, length, period_type):
    end = min(start + datetime.timedelta(days=length), datetime.date(2024, 12, 31))
    periods = periods_within(start, end, period_type)
    assert periods[0].starts_on == start
    assert periods[-1].ends_on == end
    for period in periods:
        assert period_containing(period.starts_on, period_type).index == period.index
        assert period_containing(period.ends_on, period_type).index == period.index
    if period_type == PeriodType.MONTHLY:
        assert len(periods) == months_covered(start, end)


# --- Objection window (DOMAIN.md sections 7-8) ---------------------------------------------


def test_default_objection_window_is_fourteen_days():
    assert DEFAULT_OBJECTION_DAYS == 14


@pytest.mark.parametrize(
    ("zone", "received_at", "deadline"),
    [
        # WIB (UTC+7): 23:59:59 on Monday 4 March local, then 00:00 on 5 March local.
        (WIB, utc(2024, 3, 4, 16, 59, 59), utc(2024, 3, 18, 16, 59, 59, 999999)),
        (WIB, utc(2024, 3, 4, 17, 0, 0), utc(2024, 3, 19, 16, 59, 59, 999999)),
        # WITA (UTC+8)
        (WITA, utc(2024, 3, 4, 15, 59, 59), utc(2024, 3, 18, 15, 59, 59, 999999)),
        (WITA, utc(2024, 3, 4, 16, 0, 0), utc(2024, 3, 19, 15, 59, 59, 999999)),
        # WIT (UTC+9)
        (WIT, utc(2024, 3, 4, 14, 59, 59), utc(2024, 3, 18, 14, 59, 59, 999999)),
        (WIT, utc(2024, 3, 4, 15, 0, 0), utc(2024, 3, 19, 14, 59, 59, 999999)),
        # One instant, 16:30 UTC: 23:30 WIB on the 4th, but already the 5th in WITA and WIT.
        (WIB, utc(2024, 3, 4, 16, 30), utc(2024, 3, 18, 16, 59, 59, 999999)),
        (WITA, utc(2024, 3, 4, 16, 30), utc(2024, 3, 19, 15, 59, 59, 999999)),
        (WIT, utc(2024, 3, 4, 16, 30), utc(2024, 3, 19, 14, 59, 59, 999999)),
    ],
)
def test_objection_deadline_in_calendar_days(zone, received_at, deadline):
    result = objection_deadline(received_at, 14, zone)
    assert result == deadline
    assert result.tzinfo == UTC


def test_objection_deadline_from_a_local_instant():
    received_at = datetime.datetime(
        2024, 12, 31, 23, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=9))
    )
    assert objection_deadline(received_at, 14, WIT) == utc(2025, 1, 14, 14, 59, 59, 999999)


@pytest.mark.parametrize(
    ("received_at", "days", "holidays", "deadline"),
    [
        # Friday 1 March 2024, 10:00 WIB: 3 working days are Mon 4, Tue 5, Wed 6.
        (utc(2024, 3, 1, 3), 3, frozenset(), utc(2024, 3, 6, 16, 59, 59, 999999)),
        # 14 working days: 4-8, 11-15, 18-21 March.
        (utc(2024, 3, 1, 3), 14, frozenset(), utc(2024, 3, 21, 16, 59, 59, 999999)),
        # Nyepi on Monday 11 March is skipped as well.
        (
            utc(2024, 3, 1, 3),
            14,
            frozenset({datetime.date(2024, 3, 11)}),
            utc(2024, 3, 22, 16, 59, 59, 999999),
        ),
        # Friday 8 March, 2 working days with Nyepi: Tue 12, Wed 13.
        (
            utc(2024, 3, 8, 3),
            2,
            frozenset({datetime.date(2024, 3, 11)}),
            utc(2024, 3, 13, 16, 59, 59, 999999),
        ),
        # Saturday 23:30 WIB (16:30 UTC): Monday is the first working day.
        (utc(2024, 3, 2, 16, 30), 1, frozenset(), utc(2024, 3, 4, 16, 59, 59, 999999)),
    ],
)
def test_objection_deadline_in_working_days(received_at, days, holidays, deadline):
    result = objection_deadline(received_at, days, WIB, working_days=True, holidays=holidays)
    assert result == deadline


def test_calendar_days_ignore_holidays():
    received_at = utc(2024, 3, 1, 3)
    holidays = frozenset({datetime.date(2024, 3, 11)})
    assert objection_deadline(received_at, 14, WIB, holidays=holidays) == utc(
        2024, 3, 15, 16, 59, 59, 999999
    )


def test_objection_deadline_refuses_a_naive_instant():
    with pytest.raises(ValueError, match="aware"):
        objection_deadline(datetime.datetime(2024, 3, 1, 10), 14, WIB)


def test_objection_on_time_up_to_the_last_microsecond():
    deadline = objection_deadline(utc(2024, 3, 4, 3), 14, WITA)
    assert objection_is_on_time(deadline, deadline) is True
    assert objection_is_on_time(deadline - datetime.timedelta(days=3), deadline) is True
    assert objection_is_on_time(deadline + datetime.timedelta(microseconds=1), deadline) is False
    local = deadline.astimezone(datetime.timezone(datetime.timedelta(hours=8)))
    assert local.isoformat() == "2024-03-18T23:59:59.999999+08:00"
    assert objection_is_on_time(local, deadline) is True


@given(
    received_at=st.datetimes(
        min_value=datetime.datetime(2020, 1, 1), max_value=datetime.datetime(2030, 12, 31)
    ),
    days=st.integers(min_value=0, max_value=60),
    zone=st.sampled_from([WIB, WITA, WIT]),
    working_days=st.booleans(),
)
def test_receipt_is_always_on_time(received_at, days, zone, working_days):
    aware = received_at.replace(tzinfo=UTC)
    deadline = objection_deadline(aware, days, zone, working_days=working_days)
    assert objection_is_on_time(aware, deadline) is True
    assert deadline - aware >= datetime.timedelta(days=days)


# --- Unit head and follow-up ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("org", "rating"),
    [
        (OrgPredikat.ISTIMEWA, Rating.ABOVE),
        (OrgPredikat.BAIK, Rating.AS_EXPECTED),
        (OrgPredikat.BUTUH_PERBAIKAN, Rating.BELOW),
        (OrgPredikat.KURANG, Rating.BELOW),
        (OrgPredikat.SANGAT_KURANG, Rating.BELOW),
    ],
)
def test_unit_head_hasil_rating(org, rating):
    assert unit_head_hasil_rating(org) == rating
    assert DEFAULT_UNIT_HEAD_HASIL_RATING[org] == rating


def test_unit_head_hasil_rating_mapping_can_be_overridden():
    mapping = {**DEFAULT_UNIT_HEAD_HASIL_RATING, OrgPredikat.BUTUH_PERBAIKAN: Rating.AS_EXPECTED}
    assert unit_head_hasil_rating(OrgPredikat.BUTUH_PERBAIKAN, mapping=mapping) == (
        Rating.AS_EXPECTED
    )


@pytest.mark.parametrize(
    ("predikat", "default", "training"),
    [
        (SB, FollowUp.AWARD, FollowUp.AWARD),
        (B, FollowUp.NONE, FollowUp.NONE),
        (BP, FollowUp.DEVELOPMENT, FollowUp.TRAINING),
        (K, FollowUp.DEVELOPMENT, FollowUp.TRAINING),
        (SK, FollowUp.DEVELOPMENT, FollowUp.TRAINING),
    ],
)
def test_follow_up_for(predikat, default, training):
    assert follow_up_for(predikat) == default
    assert follow_up_for(predikat, below_expectation=FollowUp.TRAINING) == training


@pytest.mark.parametrize("choice", [FollowUp.AWARD, FollowUp.NONE])
def test_follow_up_below_expectation_must_be_development_or_training(choice):
    with pytest.raises(ValueError, match="development or training"):
        follow_up_for(BP, below_expectation=choice)


# --- Achievement ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("aspect", "target", "realised", "expected"),
    [
        (Aspect.KUANTITAS, "100", "110", "110.00"),
        (Aspect.KUANTITAS, "3", "2", "66.67"),
        (Aspect.KUALITAS, "100", "80", "80.00"),
        (Aspect.KUALITAS, "90", "90", "100.00"),
        (Aspect.WAKTU, "10", "12", "83.33"),  # 12 months used for a 10-month target
        (Aspect.WAKTU, "12", "9", "133.33"),
        (Aspect.BIAYA, "100", "90", "111.11"),
        (Aspect.BIAYA, "1000000", "1250000", "80.00"),
        (Aspect.KUANTITAS, "8", "1", "12.50"),
        (Aspect.KUANTITAS, "16", "1", "6.25"),
        (Aspect.KUANTITAS, "3", "1", "33.33"),
        (Aspect.KUANTITAS, "8", "7", "87.50"),
    ],
)
def test_achievement_percent(aspect, target, realised, expected):
    assert str(achievement_percent(aspect, Decimal(target), Decimal(realised))) == expected


def test_achievement_percent_rounds_half_up():
    # 1/16 = 6.25 %; 1/32 = 3.125 % rounds half up to 3.13 (half even would give 3.12).
    assert achievement_percent(Aspect.KUANTITAS, Decimal(32), Decimal(1)) == Decimal("3.13")


@pytest.mark.parametrize(
    ("target", "realised"),
    [(Decimal(0), Decimal(5)), (Decimal(5), Decimal(0)), (None, Decimal(5)), (Decimal(5), None)],
)
@pytest.mark.parametrize("aspect", list(Aspect))
def test_achievement_percent_without_a_value_is_none(aspect, target, realised):
    assert achievement_percent(aspect, target, realised) is None


def test_achievement_percent_refuses_negative_values():
    with pytest.raises(ValueError, match="negative"):
        achievement_percent(Aspect.BIAYA, Decimal(-1), Decimal(5))


@pytest.mark.parametrize(
    ("percent", "expected"),
    [
        ("150", Rating.ABOVE),
        ("110", Rating.ABOVE),
        ("109.99", Rating.AS_EXPECTED),
        ("100", Rating.AS_EXPECTED),
        ("80", Rating.AS_EXPECTED),
        ("79.99", Rating.BELOW),
        ("0", Rating.BELOW),
    ],
)
def test_rating_from_achievement_defaults(percent, expected):
    assert rating_from_achievement(Decimal(percent)) == expected


def test_rating_from_achievement_with_agency_thresholds():
    kwargs = {"above_from": Decimal(100), "below_under": Decimal(90)}
    assert rating_from_achievement(Decimal(100), **kwargs) == Rating.ABOVE
    assert rating_from_achievement(Decimal("99.99"), **kwargs) == Rating.AS_EXPECTED
    assert rating_from_achievement(Decimal("89.99"), **kwargs) == Rating.BELOW


def test_rating_from_achievement_refuses_crossed_thresholds():
    with pytest.raises(ValueError, match="below_under"):
        rating_from_achievement(Decimal(100), above_from=Decimal(80), below_under=Decimal(90))


# --- Aggregating the periods ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("aspect", "unit", "chosen", "expected"),
    [
        # Counts add up, levels average.
        (Aspect.KUANTITAS, "dokumen", "", Aggregation.SUM),
        (Aspect.BIAYA, "rupiah", "", Aggregation.SUM),
        (Aspect.KUALITAS, "indeks", "", Aggregation.AVERAGE),
        (Aspect.WAKTU, "hari", "", Aggregation.AVERAGE),
        # A percentage is a rate whatever its aspect: 100 % attendance thrice is not 300 %.
        (Aspect.KUANTITAS, "%", "", Aggregation.AVERAGE),
        (Aspect.KUANTITAS, " Persen ", "", Aggregation.AVERAGE),
        (Aspect.BIAYA, "%", "", Aggregation.AVERAGE),
        # An explicit choice wins.
        (Aspect.KUANTITAS, "%", "last", Aggregation.LAST),
        (Aspect.KUANTITAS, "dokumen", "average", Aggregation.AVERAGE),
        (Aspect.KUALITAS, "%", "sum", Aggregation.SUM),
    ],
)
def test_aggregation_for(aspect, unit, chosen, expected):
    assert aggregation_for(aspect, unit, chosen) == expected


def test_aggregation_for_refuses_an_unknown_choice():
    with pytest.raises(ValueError, match="median"):
        aggregation_for(Aspect.KUANTITAS, "%", "median")


@pytest.mark.parametrize(
    ("values", "aggregation", "expected"),
    [
        (["100", "100", "100"], Aggregation.SUM, "300"),
        (["100", "100", "100"], Aggregation.AVERAGE, "100.00"),
        (["85.71", "84.21", "85"], Aggregation.AVERAGE, "84.97"),  # 84.973... half up
        (["1", "2"], Aggregation.AVERAGE, "1.50"),
        (["40", "65", "90"], Aggregation.LAST, "90"),
        (["7.5"], Aggregation.SUM, "7.5"),
    ],
)
def test_aggregate(values, aggregation, expected):
    assert aggregate([Decimal(v) for v in values], aggregation) == Decimal(expected)


@pytest.mark.parametrize("aggregation", list(Aggregation))
def test_aggregate_without_values_is_none(aggregation):
    assert aggregate([], aggregation) is None


@pytest.mark.parametrize(
    ("target", "aggregation", "periods", "expected"),
    [
        ("100", Aggregation.SUM, 4, "25"),
        ("1200", Aggregation.SUM, 12, "100"),
        ("4", Aggregation.SUM, 1, "4"),
        ("95", Aggregation.AVERAGE, 12, "95"),
        ("90", Aggregation.LAST, 4, "90"),
    ],
)
def test_period_target(target, aggregation, periods, expected):
    assert period_target(Decimal(target), aggregation, periods) == Decimal(expected)


def test_period_target_needs_a_period():
    with pytest.raises(ValueError, match="at least one period"):
        period_target(Decimal(4), Aggregation.SUM, 0)


def test_a_quarter_on_track_for_115_percent_of_a_yearly_count_is_115_percent():
    # The colleague's case: 28.75 a quarter of a yearly 100 is 115 %, not 28.75 %.
    target = period_target(Decimal(100), aggregation_for(Aspect.KUANTITAS, "dokumen"), 4)
    percent = achievement_percent(Aspect.KUANTITAS, target, Decimal("28.75"))
    assert percent == Decimal("115.00")
    assert rating_from_achievement(percent) == Rating.ABOVE
    # Less is better for biaya: a quarter spending 200 of a yearly 1000 is 125 %.
    budget = period_target(Decimal(1000), aggregation_for(Aspect.BIAYA, "rupiah"), 4)
    assert achievement_percent(Aspect.BIAYA, budget, Decimal(200)) == Decimal("125.00")


A = Rating.ABOVE
S = Rating.AS_EXPECTED
D = Rating.BELOW


@pytest.mark.parametrize(
    ("periodic", "expected"),
    [
        ([], None),
        ([A], A),
        ([S], S),
        ([D], D),
        ([A, S], A),  # 2.5 rounds up
        ([S, D], S),  # 1.5 rounds up
        ([A, D], S),
        ([A, A, A, D], A),  # 2.5
        ([D, D, S], D),  # 1.33
        ([A, A, S], A),  # 2.67
        ([S, S, S, S, S, S, S, S, S, S, S, A], S),  # 2.08
        ([A, A, A, A, A, A, S, S, S, S, S, S], A),  # 2.5
    ],
)
def test_suggested_rating(periodic, expected):
    assert suggested_rating(periodic) == expected


@given(st.lists(ratings, min_size=1, max_size=12))
def test_suggested_rating_lies_between_the_extremes(periodic):
    suggestion = suggested_rating(periodic)
    assert suggestion is not None
    positions = [RATING_ORDER.index(rating) for rating in periodic]
    assert min(positions) <= RATING_ORDER.index(suggestion) <= max(positions)


# --- the curve while some are not rated yet --------------------------------------------------


def test_a_lower_bound_waits_for_the_unrated_and_an_upper_bound_does_not() -> None:
    # Four people, one rated Baik: somebody may still be Butuh Perbaikan or Kurang.
    assert check_curve(OrgPredikat.BAIK, {B: 1}, population=4).violations == []
    # Counted alone (no population given), the same spread breaks that bound.
    assert check_curve(OrgPredikat.BAIK, {B: 1}).violations == [
        "Butuh Perbaikan dan/atau Kurang/Misconduct paling sedikit 1 orang, saat ini 0 orang"
    ]
    # The last person rated decides it.
    assert check_curve(OrgPredikat.BAIK, {B: 3, SB: 1}, population=4).violations == [
        "Butuh Perbaikan dan/atau Kurang/Misconduct paling sedikit 1 orang, saat ini 0 orang"
    ]
    # "The largest group" waits too, until the unrated could no longer make it so.
    assert check_curve(OrgPredikat.ISTIMEWA, {B: 2}, population=4).violations == []
    assert check_curve(OrgPredikat.ISTIMEWA, {B: 2}, population=3).violations == [
        "Sangat Baik harus menjadi kelompok terbanyak, saat ini 0 orang sedangkan Baik 2 orang"
    ]
    # An upper bound of the whole population is broken at once.
    check = check_curve(OrgPredikat.SANGAT_KURANG, {SB: 1}, population=10)
    assert (check.population, check.violations) == (
        10,
        ["Tidak boleh ada Sangat Baik (0 dari 10 orang), saat ini 1 orang"],
    )
    # A population smaller than the people counted is the people counted.
    assert check_curve(OrgPredikat.BAIK, {B: 2}, population=1).population == 2


def _completions(unrated: int) -> list[dict[Predikat, int]]:
    """Every way ``unrated`` people can be spread over the five predikat."""
    spreads = []
    for combination in itertools.combinations_with_replacement(list(Predikat), unrated):
        spreads.append({predikat: combination.count(predikat) for predikat in Predikat})
    return spreads


@given(
    org=st.sampled_from(OrgPredikat),
    counts=st.dictionaries(st.sampled_from(Predikat), st.integers(0, 4), max_size=5),
    unrated=st.integers(0, 4),
    rounding=st.sampled_from(CurveRounding),
)
def test_a_flag_with_people_unrated_holds_whatever_they_get(org, counts, unrated, rounding):
    rated = sum(counts.values())
    check = check_curve(org, counts, rounding, population=rated + unrated)
    finals = [
        check_curve(org, {p: counts.get(p, 0) + extra[p] for p in Predikat}, rounding)
        for extra in _completions(unrated)
    ]
    if not check.conforms:
        assert all(not final.conforms for final in finals)
    if unrated == 0:
        assert check == check_curve(org, counts, rounding)
