"""The distribution curve through ``rate_skp``: each organisation predikat, both populations.

The Bidang Pembinaan SD carries the organisation predikat; the Seksi Kurikulum under it has
none, so its staff are bounded by the Bidang's curve (the nearest unit upwards with a
result). Two SKPs are rated first: the guru's (the Bidang, appraised by the Kepala Bidang)
and staf2's (appraised by the Kepala Seksi, like staf1). With the "unit" population both
count when staf1 is rated; with "direct_reports" only staf2 does, so one result that fits
the curve in one population is outside it in the other.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from processes.skp.actions import review
from processes.skp.actions.review import InvalidReview
from processes.skp.models import RatingRecord
from processes.skp.rules import OrgPredikat, Predikat
from tests.factories import skp_review as walk
from tests.factories.skp import APPRAISER, SkpWorld, build_skp_world
from tests.factories.skp_monitoring import set_settings
from workflow import actions as engine

RATINGS = {
    Predikat.SANGAT_BAIK: ("above", "above"),
    Predikat.BAIK: ("as_expected", "as_expected"),
    Predikat.BUTUH_PERBAIKAN: ("below", "as_expected"),
    Predikat.KURANG: ("as_expected", "below"),
    Predikat.SANGAT_KURANG: ("below", "below"),
}
SB, B, BP, K, SK = (
    Predikat.SANGAT_BAIK,
    Predikat.BAIK,
    Predikat.BUTUH_PERBAIKAN,
    Predikat.KURANG,
    Predikat.SANGAT_KURANG,
)


@dataclass(frozen=True)
class Case:
    """One organisation predikat: who is rated first, and staf1's results inside and outside.

    ``differs`` fits the curve with one population and not the other (unit, direct reports).
    ``outside`` maps each population to the broken limits of the outside result.
    """

    org: OrgPredikat
    guru: Predikat
    staf2: Predikat
    inside: Predikat
    outside_result: Predikat
    differs: Predikat
    differs_fits: tuple[bool, bool]
    outside: dict[str, str]


CASES = [
    Case(
        OrgPredikat.ISTIMEWA,
        guru=SB,
        staf2=B,
        inside=SB,
        outside_result=B,
        differs=BP,
        differs_fits=(True, False),
        outside={
            "unit": "Sangat Baik harus menjadi kelompok terbanyak, saat ini 1 orang sedangkan "
            "Baik 2 orang",
            "direct_reports": "Sangat Baik harus menjadi kelompok terbanyak, saat ini 0 orang "
            "sedangkan Baik 2 orang",
        },
    ),
    Case(
        OrgPredikat.BAIK,
        guru=B,
        staf2=BP,
        inside=B,
        outside_result=BP,
        differs=SB,
        differs_fits=(True, False),
        outside={
            "unit": "Baik harus menjadi kelompok terbanyak, saat ini 1 orang sedangkan "
            "Butuh Perbaikan 2 orang",
            "direct_reports": "Baik harus menjadi kelompok terbanyak, saat ini 0 orang "
            "sedangkan Butuh Perbaikan 2 orang",
        },
    ),
    Case(
        OrgPredikat.BUTUH_PERBAIKAN,
        guru=B,
        staf2=BP,
        inside=BP,
        outside_result=SB,
        differs=B,
        differs_fits=(False, True),
        outside={
            "unit": "Butuh Perbaikan paling sedikit 60% (2 dari 3 orang), saat ini 1 orang; "
            "Sangat Baik paling banyak 10% (0 dari 3 orang), saat ini 1 orang",
            "direct_reports": "Sangat Baik paling banyak 10% (0 dari 2 orang), saat ini 1 orang",
        },
    ),
    Case(
        OrgPredikat.KURANG,
        guru=B,
        staf2=K,
        inside=K,
        outside_result=SB,
        differs=B,
        differs_fits=(False, True),
        outside={
            "unit": "Kurang/Misconduct paling sedikit 60% (2 dari 3 orang), saat ini 1 orang; "
            "Sangat Baik paling banyak 10% (0 dari 3 orang), saat ini 1 orang",
            "direct_reports": "Sangat Baik paling banyak 10% (0 dari 2 orang), saat ini 1 orang",
        },
    ),
    Case(
        OrgPredikat.SANGAT_KURANG,
        guru=B,
        staf2=SK,
        inside=SK,
        outside_result=SB,
        differs=B,
        differs_fits=(False, True),
        outside={
            "unit": "Sangat Kurang paling sedikit 60% (2 dari 3 orang), saat ini 1 orang; "
            "Tidak boleh ada Sangat Baik (0 dari 3 orang), saat ini 1 orang",
            "direct_reports": "Tidak boleh ada Sangat Baik (0 dari 2 orang), saat ini 1 orang",
        },
    ),
]


def rate(world: SkpWorld, who: str, predikat: Predikat, justification: str = "") -> RatingRecord:
    hasil, perilaku = RATINGS[predikat]
    return review.rate_skp(
        skp_id=world.skp(who).pk,
        actor=world.user(APPRAISER[who]),
        rating_hasil=hasil,
        rating_perilaku=perilaku,
        justification=justification,
    )


def state(world: SkpWorld) -> tuple[object, ...]:
    skp = world.skp("staf1")
    return (
        skp.predikat,
        skp.rated_at,
        RatingRecord.objects.filter(skp=skp).count(),
        walk.audit_rows(world, "staf1"),
    )


@pytest.mark.parametrize("population", ["unit", "direct_reports"])
@pytest.mark.parametrize("case", CASES, ids=[str(case.org.value) for case in CASES])
def test_the_curve_of_each_organisation_predikat_bounds_the_rating(
    db: None, case: Case, population: str
) -> None:
    world = build_skp_world()
    set_settings(world, curve_population=population)
    walk.record_result(world, "BID-SD", case.org)
    for who in ("guru", "staf2", "staf1"):
        walk.to_rating(world, who)
    # Only these three stay in the population (the Bidang's; staf1's and staf2's appraiser
    # keeps two): with nobody left unrated, every limit is decided when staf1 is rated.
    for who in ("kabid", "kasi", "staf3"):
        engine.cancel_case(case_id=world.case(who).pk, actor=world.org.admin, reason="Mutasi")
    rate(world, "guru", case.guru, "Penilaian pertama di unit.")
    rate(world, "staf2", case.staf2, "Penilaian pertama di seksi.")
    skp = world.skp("staf1")
    outside = (
        f"Hasil ini membuat Bidang Pembinaan SD ({case.org.label}) keluar dari kurva distribusi, "
        f"apa pun hasil pegawai yang belum dinilai: {case.outside[population]}."
    )

    # Which SKPs count depends on the population.
    context = review.rating_context(skp)
    counted = {"unit": {case.guru, case.staf2}, "direct_reports": {case.staf2}}[population]
    assert {predikat for predikat, number in context.counts.items() if number} == counted
    fits_unit, fits_direct = case.differs_fits
    assert review.preview_rating(skp, *RATINGS[case.differs]).conforms is (
        fits_unit if population == "unit" else fits_direct
    )

    # Warn (the default): outside the curve needs a written justification.
    before = state(world)
    with pytest.raises(InvalidReview) as raised:
        rate(world, "staf1", case.outside_result)
    assert raised.value.errors == {"justification": [f"{outside} Tuliskan justifikasi."]}
    assert state(world) == before

    justified = rate(world, "staf1", case.outside_result, "Capaian lapangan berbeda dari unit.")
    assert (justified.predikat, justified.curve_conforms, justified.justification) == (
        case.outside_result,
        False,
        "Capaian lapangan berbeda dari unit.",
    )
    assert justified.curve_detail["violations"] == case.outside[population].split("; ")
    assert justified.curve_detail["population"] == population

    # A result inside the curve needs none (the earlier result of staf1 is replaced).
    inside = rate(world, "staf1", case.inside)
    assert (inside.predikat, inside.curve_conforms, inside.justification) == (
        case.inside,
        True,
        "",
    )
    assert inside.curve_detail["violations"] == []

    # Block: outside the curve is refused even with a justification; inside still passes.
    set_settings(world, curve_mode="block")
    before = state(world)
    with pytest.raises(InvalidReview) as raised:
        rate(world, "staf1", case.outside_result, "Tetap ingin dinilai begini.")
    assert raised.value.errors == {"curve": [outside]}
    assert state(world) == before
    assert world.skp("staf1").predikat == case.inside

    again = rate(world, "staf1", case.inside)
    assert (again.curve_conforms, again.curve_detail["mode"]) == (True, "block")


def test_an_early_rating_is_flagged_only_when_the_unrated_could_not_bring_the_unit_back(
    db: None,
) -> None:
    world = build_skp_world()
    walk.record_result(world, "BID-SD", OrgPredikat.BAIK)
    for who in ("guru", "staf2"):
        walk.to_rating(world, who)

    # A Baik unit needs somebody Butuh Perbaikan or Kurang: four of its six are not rated
    # yet, so the first Baik needs no justification, even where the curve blocks.
    set_settings(world, curve_mode="block")
    first = rate(world, "guru", B)
    assert (first.curve_conforms, first.justification, first.curve_detail["violations"]) == (
        True,
        "",
        [],
    )

    # Rating beyond what the whole unit may hold is decided at once: no Sangat Baik at all
    # in a Sangat Kurang unit, whoever is still unrated.
    set_settings(world, curve_mode="warn")
    walk.record_result(world, "BID-SD", OrgPredikat.SANGAT_KURANG)
    before = walk.audit_rows(world, "staf2")
    with pytest.raises(InvalidReview) as raised:
        rate(world, "staf2", SB)
    assert raised.value.errors == {
        "justification": [
            "Hasil ini membuat Bidang Pembinaan SD (Sangat Kurang) keluar dari kurva distribusi, "
            "apa pun hasil pegawai yang belum dinilai: Tidak boleh ada Sangat Baik "
            "(0 dari 6 orang), saat ini 1 orang. Tuliskan justifikasi."
        ]
    }
    refused = world.skp("staf2")
    assert (refused.predikat, RatingRecord.objects.filter(skp=refused).count()) == ("", 0)
    assert walk.audit_rows(world, "staf2") == before
