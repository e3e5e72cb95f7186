"""Bantul (seed 001): a full 2026 cycle, opening to final, on the shipped configuration.

What the seed asks for: results, competence and behaviour assessed; monthly and yearly
periods; attendance records feed the evaluation; supervisor feedback. Each month HR imports
the month's attendance export and refreshes the attendance indicator (the configuration's
agency-wide "Persentase kehadiran"), the employees enter their own realisations, the
appraiser gives the month's feedback and rates the month (at each quarter's end with the
competence aspect, which is also rated for the year); the monitoring page shows the
attendance beside the period's behaviour rating. The small organisation is a new Dinas
Kebudayaan with a Bidang Pelestarian Warisan Budaya.
"""

from __future__ import annotations

import io
from collections import Counter
from decimal import Decimal

from django.db.models import F
from django.test import Client
from django.urls import reverse

from processes.skp.actions import monitoring
from processes.skp.actions.attendance import import_attendance
from processes.skp.actions.citizen import refresh_attendance_realisations
from processes.skp.actions.review import achievements_of
from processes.skp.models import (
    AttendanceRecord,
    ExtraAspectRating,
    Feedback,
    IndicatorTemplate,
    PeriodEvaluation,
    Realisation,
)
from processes.skp.selectors import monitoring_overview
from tests.skp.agencies import walk
from tests.skp.agencies.walk import Measure
from workflow.spec import Phase

SPEC = walk.OrgSpec(
    opd_code="DISBUD",
    opd_name="Dinas Kebudayaan (Kundha Kabudayan)",
    head_title="Kepala Dinas Kebudayaan",
    bidang_code="DISBUD-WARISAN",
    bidang_name="Bidang Pelestarian Warisan Budaya",
    kabid_title="Kepala Bidang Pelestarian Warisan Budaya",
    staff_title="Pengelola Data Cagar Budaya",
    jf_title="Pamong Budaya Ahli Pertama",
    jf_level="ahli_pertama",
    names={
        "kepala": ("Drs. Nugroho Eko Setyanto", "1"),
        "kabid": ("Sri Sulastri", "2"),
        "staf1": ("Bayu Aji Pamungkas", "1"),
        "staf2": ("Dyah Ayu Kusumaningrum", "2"),
        "staf3": ("Wahyu Widodo", "1"),
        "jf": ("Anik Setyowati", "2"),
    },
    goals=(
        ("SS-BUD-1", "Lestarinya warisan budaya daerah", "penerima_layanan"),
        ("SS-BUD-2", "Meningkatnya tata kelola kebudayaan", "proses_bisnis"),
    ),
)

CAGAR = Measure(
    text="Jumlah objek cagar budaya yang didata",
    aspect="kuantitas",
    target=Decimal(120),
    unit="objek",
)
PLANS = {
    "kepala": (
        "Lestarinya warisan budaya Bantul",
        [Measure("UMUM-HADIR"), Measure("UMUM-LAPORAN")],
    ),
    "kabid": ("Terdatanya cagar budaya Bantul", [Measure("UMUM-HADIR"), Measure("UMUM-LAPORAN")]),
    "staf1": ("Terdatanya cagar budaya wilayah utara", [Measure("UMUM-HADIR"), CAGAR]),
    "staf2": ("Terdatanya cagar budaya wilayah tengah", [Measure("UMUM-HADIR"), CAGAR]),
    "staf3": ("Terdatanya cagar budaya wilayah selatan", [Measure("UMUM-HADIR"), CAGAR]),
    "jf": (
        "Tersusunnya kajian pelestarian",
        [
            Measure("UMUM-HADIR"),
            Measure(
                text="Jumlah kajian pelestarian yang diselesaikan",
                aspect="kuantitas",
                target=Decimal(12),
                unit="kajian",
            ),
        ],
    ),
}
FACTOR = {
    "kepala": Decimal(1),
    "kabid": Decimal(1),
    "staf1": Decimal("1.20"),
    "staf2": Decimal(1),
    "staf3": Decimal(1),
    "jf": Decimal("0.75"),
}
# Working days per month of 2026 and each one's days absent without leave (Tanpa Keterangan).
WORKING = (21, 19, 20, 21, 19, 20, 22, 20, 21, 22, 20, 19)
ABSENT = {"kepala": 0, "kabid": 0, "staf1": 0, "staf2": 1, "staf3": 3, "jf": 1}
# The competence aspect is rated with the month's rating at each quarter's end.
QUARTER_ENDS = (3, 6, 9, 12)
LATE = {"kepala": 0, "kabid": 1, "staf1": 0, "staf2": 1, "staf3": 2, "jf": 0}

# (hasil, perilaku, predikat from the matrix); the month's ratings are the same pair, and the
# competence aspect follows behaviour. Both units are graded Baik: their heads get Sesuai.
RESULT = {
    "kepala": ("as_expected", "as_expected", "baik"),
    "kabid": ("as_expected", "above", "baik"),
    "staf1": ("above", "above", "sangat_baik"),
    "staf2": ("as_expected", "as_expected", "baik"),
    "staf3": ("as_expected", "below", "kurang"),
    "jf": ("below", "as_expected", "butuh_perbaikan"),
}


def attendance_file(story: walk.Story, month: int) -> io.BytesIO:
    """Return the month's attendance export of the small organisation (CSV, semicolons)."""
    lines = ["NIP;Tahun;Bulan;Hari Kerja;Hadir;Terlambat;Cuti/Izin;Tanpa Keterangan"]
    working = WORKING[month - 1]
    for who in walk.PEOPLE:
        nip = story.org.people[who].nip
        absent = ABSENT[who]
        lines.append(
            f"{nip};{walk.YEAR};{month};{working};{working - absent};{LATE[who]};0;{absent}"
        )
    return io.BytesIO("\n".join(lines).encode())


def test_bantul_runs_a_monthly_cycle_to_final_with_attendance_and_competence(
    db: None, client: Client
) -> None:
    story = walk.begin("bantul", SPEC)
    assert walk.open_cycle(story) == 6
    walk.agree_plans(story, PLANS)
    months = story.periods()
    assert [(p.index, p.starts_on.day, p.ends_on.month) for p in months[:2]] == [
        (1, 1, 1),
        (2, 1, 2),
    ]
    assert len(months) == 12

    refreshed = []
    for period in months:
        # Three days after the month: HR imports the month's attendance and refreshes the
        # attendance indicator; the employees enter their own realisations.
        with story.on(walk.after(period, 3), 8):
            report = import_attendance(
                actor=story.hr,
                agency=story.loaded.agency,
                file=attendance_file(story, period.index),
                filename=f"kehadiran-{walk.YEAR}-{period.index:02d}.csv",
                dry_run=False,
            )
            assert (report.ok, report.created) == (True, 6), report.problems
            refreshed.append(
                refresh_attendance_realisations(cycle_id=story.the_cycle().pk, actor=story.hr)
            )
            for who in walk.PEOPLE:
                walk.enter_realisations(story, who, period, FACTOR[who])
        # The month's feedback, then the month's rating (with the competence aspect each quarter).
        with story.on(walk.after(period, 5), 10):
            for who in walk.PEOPLE:
                monitoring.give_feedback(
                    skp_id=story.skp(who).pk,
                    actor=story.appraiser(who),
                    text=f"Kehadiran dan disiplin {period.label} sudah dibahas bersama.",
                    value="akuntabel",
                    period_index=period.index,
                )
        with story.on(walk.after(period, 8), 14):
            for who in walk.PEOPLE:
                hasil, perilaku, _predikat = RESULT[who]
                walk.rate_period(story, who, period, hasil, perilaku)
                if period.index in QUARTER_ENDS:
                    monitoring.rate_extra_aspect(
                        skp_id=story.skp(who).pk,
                        actor=story.appraiser(who),
                        aspect="kompetensi",
                        rating=perilaku,
                        period_index=period.index,
                    )
        if period.index == 3:
            # The appraiser sees March's attendance beside March's behaviour rating.
            with story.on(walk.after(period, 9), 9):
                client.force_login(story.appraiser("staf3"))
                url = reverse(
                    "skp:detail_tab", kwargs={"skp_id": story.skp("staf3").pk, "tab": "pemantauan"}
                )
                page = client.get(f"{url}?periode=3").content.decode()
    assert refreshed == [6] * 12

    # The annual evaluation, January 2027, with the annual competence rating.
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
            monitoring.rate_extra_aspect(
                skp_id=story.skp(who).pk,
                actor=story.appraiser(who),
                aspect="kompetensi",
                rating=perilaku,
                note="Penilaian kompetensi tahunan",
            )
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

    # Bantul's own steps. Twelve monthly periods, each with the month's attendance imported.
    assert AttendanceRecord.objects.filter(agency=story.loaded.agency).count() == 72
    # The attendance indicator's realisation is the month's share of days present.
    staf3 = story.skp("staf3")
    hadir = Realisation.objects.filter(
        indicator__rhk__skp=staf3, indicator__source=IndicatorTemplate.Source.ATTENDANCE
    ).order_by("period_index")
    assert [(r.period_index, r.value, r.note) for r in hadir][:3] == [
        (1, Decimal("85.71"), "Hadir 18 dari 21 hari kerja"),
        (2, Decimal("84.21"), "Hadir 16 dari 19 hari kerja"),
        (3, Decimal("85.00"), "Hadir 17 dari 20 hari kerja"),
    ]
    assert [r.value for r in hadir] == [
        Decimal(v)
        for v in (
            "85.71", "84.21", "85.00", "85.71", "84.21", "85.00",
            "86.36", "85.00", "85.71", "86.36", "85.00", "84.21",
        )
    ]  # fmt: skip
    assert {
        who: Realisation.objects.filter(
            indicator__rhk__skp=story.skp(who),
            indicator__source=IndicatorTemplate.Source.ATTENDANCE,
        ).count()
        for who in walk.PEOPLE
    } == dict.fromkeys(walk.PEOPLE, 12)
    # The year's attendance is the months' average against the 95 % target (not their sum,
    # 1022.48 %); the sites documented add up to the yearly 120.
    assert [(a.realised, a.percent, a.aggregation) for a in achievements_of(staf3)] == [
        (Decimal("85.21"), Decimal("89.69"), "average"),
        (Decimal("120.00"), Decimal("100.00"), "sum"),
    ]
    # A month is measured against the month's target: March's 85 % against 95 %, its 10
    # sites against a twelfth of 120.
    overview = monitoring_overview(staf3)
    assert [
        (row.indicator.target_unit, row.cells[2].target, row.cells[2].achievement)
        for row in overview.rhks[0].indicators
    ] == [("%", Decimal(95), Decimal("89.47")), ("objek", Decimal(10), Decimal("100.00"))]
    assert overview.periods[2].suggested_hasil == "as_expected"
    # ... and the monitoring page shows the month's attendance beside its behaviour rating.
    march = overview.periods[2]
    assert march.attendance is not None
    assert (
        march.attendance.working_days,
        march.attendance.present_days,
        march.attendance.late_count,
        march.attendance.absent_days,
        march.attendance.present_percent,
    ) == (20, 17, 2, 3, Decimal("85.00"))
    assert "<h3>Kehadiran</h3>" in page
    for figure in (
        "<dt>Hadir</dt><dd>85%</dd>",
        "<dt>Hari kerja</dt><dd>20</dd>",
        "<dt>Hari hadir</dt><dd>17</dd>",
        "<dt>Terlambat</dt><dd>2</dd>",
        "<dt>Tanpa keterangan</dt><dd>3</dd>",
    ):
        assert figure in page, figure
    # Monthly feedback, monthly ratings and the competence aspect, quarterly and for the year.
    for who in walk.PEOPLE:
        skp = story.skp(who)
        hasil, perilaku, predikat = RESULT[who]
        assert sorted(Feedback.objects.filter(skp=skp).values_list("period_index", "value")) == [
            (index, "akuntabel") for index in range(1, 13)
        ], who
        assert list(
            PeriodEvaluation.objects.filter(skp=skp)
            .order_by("period_index")
            .values_list("period_index", "predikat")
        ) == [(index, predikat) for index in range(1, 13)], who
        assert list(
            ExtraAspectRating.objects.filter(skp=skp)
            .order_by(F("period_index").asc(nulls_last=True))
            .values_list("aspect", "period_index", "rating")
        ) == [("kompetensi", index, perilaku) for index in QUARTER_ENDS] + [
            ("kompetensi", None, perilaku)
        ], who

    # The result: every SKP final, the predikat of the matrix, the spread, the audit chain.
    assert walk.phases(story) == dict.fromkeys(walk.PEOPLE, (Phase.FINAL, False))
    assert walk.outcome(story) == RESULT
    assert walk.spread(story) == Counter(
        {"baik": 3, "sangat_baik": 1, "kurang": 1, "butuh_perbaikan": 1}
    )
    assert walk.follow_ups(story) == {
        "kepala": ("none", None),
        "kabid": ("none", None),
        "staf1": ("award", None),
        "staf2": ("none", None),
        "staf3": ("development", None),
        "jf": ("development", Decimal("9.375")),
    }
    assert walk.problems(story) == {"audit": [], **{who: [] for who in walk.PEOPLE}}
