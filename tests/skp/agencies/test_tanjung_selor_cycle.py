"""Tanjung Selor (seed 002): a full 2026 cycle, opening to final, on the shipped configuration.

What the seed asks for: achievement-based appraisal with indicators on quality, quantity and
time; an achievement report at the end of each period, evaluated by the supervisor; rewards
for high performers and training for those who fall short. Everyone plans one indicator of
each aspect (the configuration's agency-wide quality and time entries and a quantity typed
by hand), reports each quarter once it has ended, and the appraiser rates the report; the
monitoring stage cannot end while a report is missing. The small organisation is a new
Dinas Lingkungan Hidup with a Bidang Pengelolaan Sampah.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest

from processes.skp.actions import monitoring
from processes.skp.actions.review import achievements_of
from processes.skp.models import Indicator, PeriodEvaluation
from processes.skp.process import settings_for
from processes.skp.selectors import monitoring_overview
from tests.skp.agencies import walk
from tests.skp.agencies.walk import Measure
from workflow.errors import GuardFailed
from workflow.spec import Phase

SPEC = walk.OrgSpec(
    opd_code="DLH",
    opd_name="Dinas Lingkungan Hidup",
    head_title="Kepala Dinas Lingkungan Hidup",
    bidang_code="DLH-SAMPAH",
    bidang_name="Bidang Pengelolaan Sampah",
    kabid_title="Kepala Bidang Pengelolaan Sampah",
    staff_title="Pengawas Kebersihan Lingkungan",
    jf_title="Pengendali Dampak Lingkungan Ahli Pertama",
    jf_level="ahli_pertama",
    names={
        "kepala": ("Ir. Datu Muhammad Yusuf", "1"),
        "kabid": ("Maria Goreti Lawai", "2"),
        "staf1": ("Yohanes Ingan", "1"),
        "staf2": ("Nurul Hikmah Tidung", "2"),
        "staf3": ("Sahrul Ramadhan", "1"),
        "jf": ("Agustina Lenjau", "2"),
    },
    goals=(
        ("SS-DLH-1", "Meningkatnya kualitas lingkungan hidup", "penerima_layanan"),
        ("SS-DLH-2", "Meningkatnya tata kelola persampahan", "proses_bisnis"),
    ),
)


def three_aspects(text: str, target: int, unit: str) -> list[Measure]:
    """Quality and time from the library, and a quantity typed by hand."""
    return [
        Measure("UMUM-MUTU-KERJA"),
        Measure("UMUM-LAPORAN-CAPAIAN"),
        Measure(text=text, aspect="kuantitas", target=Decimal(target), unit=unit),
    ]


SAMPAH = ("Volume sampah yang terangkut ke TPA", 4800, "ton")
PLANS = {
    "kepala": ("Meningkatnya kebersihan kota", three_aspects("Jumlah kelurahan bebas sampah liar", 12, "kelurahan")),
    "kabid": ("Terkelolanya sampah kota", three_aspects("Jumlah bank sampah yang aktif", 20, "bank sampah")),
    "staf1": ("Terangkutnya sampah wilayah Tanjung Selor Hilir", three_aspects(*SAMPAH)),
    "staf2": ("Terangkutnya sampah wilayah Tanjung Selor Hulu", three_aspects(*SAMPAH)),
    "staf3": ("Terangkutnya sampah wilayah Tanjung Palas", three_aspects(*SAMPAH)),
    "jf": ("Terkendalinya dampak lingkungan", three_aspects("Jumlah dokumen lingkungan yang dinilai", 24, "dokumen")),
}  # fmt: skip
FACTOR = {
    "kepala": Decimal(1),
    "kabid": Decimal(1),
    "staf1": Decimal("1.15"),
    "staf2": Decimal(1),
    "staf3": Decimal("0.75"),
    "jf": Decimal(1),
}
# (hasil, perilaku, predikat from the matrix); each quarter is rated the same way. Both units
# are graded Baik, so their heads' rating hasil is Sesuai Ekspektasi.
RESULT = {
    "kepala": ("as_expected", "as_expected", "baik"),
    "kabid": ("as_expected", "above", "baik"),
    "staf1": ("above", "above", "sangat_baik"),
    "staf2": ("as_expected", "as_expected", "baik"),
    "staf3": ("below", "as_expected", "butuh_perbaikan"),
    "jf": ("as_expected", "below", "kurang"),
}
QUARTERLY_PREDIKAT = {who: predikat for who, (_h, _p, predikat) in RESULT.items()}


def test_tanjung_selor_runs_a_cycle_to_final_with_period_reports_awards_and_training(
    db: None,
) -> None:
    story = walk.begin("tanjung_selor", SPEC)
    assert walk.open_cycle(story) == 6
    walk.agree_plans(story, PLANS)
    settings = settings_for(story.loaded.agency.pk)
    assert (settings.period_report_required, settings.rating_method) == (True, "thresholds")

    quarters = story.periods()
    for period in quarters:
        # Three days after the quarter: the realisations and the achievement report.
        with story.on(walk.after(period, 3), 8):
            for who in walk.PEOPLE:
                walk.enter_realisations(story, who, period, FACTOR[who])
            if period.index == 4:
                # Without the last report (and its evaluation) the monitored phase cannot end.
                with pytest.raises(GuardFailed, match="Laporan capaian Triwulan IV"):
                    walk.finish_monitoring(story, "staf2")
            for who in walk.PEOPLE:
                monitoring.submit_period_report(
                    skp_id=story.skp(who).pk,
                    actor=story.user(who),
                    period_index=period.index,
                    report=f"Laporan capaian {period.label}: realisasi dan bukti dukung terlampir.",
                )
        # Five days later the appraiser evaluates each report.
        with story.on(walk.after(period, 8), 14):
            for who in walk.PEOPLE:
                hasil, perilaku, _predikat = RESULT[who]
                walk.rate_period(story, who, period, hasil, perilaku, note="Laporan diterima.")

    with story.on(walk.january(11)):
        for who in walk.PEOPLE:
            walk.finish_monitoring(story, who)
    with story.on(walk.january(12)):
        for who in walk.PEOPLE:
            walk.self_assess(story, who)
    with story.on(walk.january(13), 10):
        walk.record_results(story, opd="baik", bidang="baik")
    with story.on(walk.january(14), 10):
        for who in walk.PEOPLE:
            hasil, perilaku, _predikat = RESULT[who]
            walk.rate(story, who, hasil, perilaku)
    with story.on(walk.january(18), 10):
        for who in walk.PEOPLE:
            walk.discuss(story, who)
    with story.on(walk.january(19)):
        for who in walk.PEOPLE:
            walk.acknowledge(story, who)
    with story.on(walk.january(26), 10):
        for who in walk.PEOPLE:
            walk.finalise(story, who)

    # Tanjung Selor's own steps. Every plan measures quality, quantity and time.
    assert {
        who: list(
            Indicator.objects.filter(rhk__skp=story.skp(who))
            .order_by("pk")
            .values_list("aspect", flat=True)
        )
        for who in walk.PEOPLE
    } == {key: ["kualitas", "waktu", "kuantitas"] for key in walk.PEOPLE}
    # An achievement report each quarter, submitted by the employee after it ended and
    # evaluated by the appraiser.
    for who in walk.PEOPLE:
        skp = story.skp(who)
        evaluations = PeriodEvaluation.objects.filter(skp=skp).order_by("period_index")
        assert [
            (
                e.period_index,
                e.report,
                e.report_submitted_at is not None,
                e.rated_by_id,
                e.predikat,
            )
            for e in evaluations
        ] == [
            (
                q.index,
                f"Laporan capaian {q.label}: realisasi dan bukti dukung terlampir.",
                True,
                story.appraiser(who).pk,
                QUARTERLY_PREDIKAT[who],
            )
            for q in quarters
        ], who
        assert all(
            e.report_submitted_at is not None
            and e.rated_at is not None
            and e.report_submitted_at < e.rated_at
            for e in evaluations
        ), who
    # The year's achievement per aspect against the agency's thresholds (Di Atas from 110 %,
    # Di Bawah under 80 %) backs the ratings: the award for 115 %, training under 80 %.
    assert (settings.above_from_percent, settings.below_under_percent) == (
        Decimal(110),
        Decimal(80),
    )
    achieved = {who: [a.percent for a in achievements_of(story.skp(who))] for who in walk.PEOPLE}
    assert achieved == {
        "kepala": [Decimal("100.00")] * 3,
        "kabid": [Decimal("100.00")] * 3,
        "staf1": [Decimal("115.00"), Decimal("114.94"), Decimal("115.00")],
        "staf2": [Decimal("100.00")] * 3,
        "staf3": [Decimal("75.00"), Decimal("74.96"), Decimal("75.00")],
        "jf": [Decimal("100.00")] * 3,
    }
    # Each quarter is measured against the quarter's targets (a quarter of the yearly
    # tonnage), and the agency's thresholds suggest the rating hasil the appraiser gave:
    # 1380 of a yearly 4800 ton in a quarter is 115 %, Di Atas Ekspektasi, not 28.75 %.
    tonnage = monitoring_overview(story.skp("staf1")).rhks[0].indicators[2]
    assert tonnage.indicator.target_unit == "ton"
    assert [(c.target, c.value, c.achievement) for c in tonnage.cells] == [
        (Decimal(1200), Decimal("1380.00"), Decimal("115.00"))
    ] * 4
    assert {
        who: [p.suggested_hasil for p in monitoring_overview(story.skp(who)).periods]
        for who in walk.PEOPLE
    } == {who: [hasil] * 4 for who, (hasil, _perilaku, _predikat) in RESULT.items()}
    assert walk.follow_ups(story) == {
        "kepala": ("none", None),
        "kabid": ("none", None),
        "staf1": ("award", None),
        "staf2": ("none", None),
        "staf3": ("training", None),
        "jf": ("training", Decimal("6.250")),
    }

    # The result: every SKP final, the predikat of the matrix, the spread, the audit chain.
    assert walk.phases(story) == dict.fromkeys(walk.PEOPLE, (Phase.FINAL, False))
    assert walk.outcome(story) == RESULT
    assert walk.spread(story) == Counter(
        {"baik": 3, "sangat_baik": 1, "butuh_perbaikan": 1, "kurang": 1}
    )
    assert walk.problems(story) == {"audit": [], **{who: [] for who in walk.PEOPLE}}
