"""Gorontalo (seed 000): a full 2026 cycle, opening to final, on the shipped configuration.

What the seed asks for: a yearly work plan with goals and targets; indicators per unit from
the agency's library (besides the agency-wide ones on service quality and public
satisfaction); employees enter their own realisations; supervisors give feedback as it
happens; progress over time. The small organisation is a new Dinas Perpustakaan dan
Kearsipan whose Bidang Layanan gets its own entries in the indicator library (HR, through
the library action) next to the agency-wide entries the configuration ships.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from processes.skp.actions import monitoring, plan
from processes.skp.actions.library import save_indicator_template
from processes.skp.actions.review import achievements_of
from processes.skp.models import Feedback, Indicator, Realisation
from processes.skp.process import settings_for
from tests.skp.agencies import walk
from tests.skp.agencies.walk import Measure
from workflow.models import AuditCode, AuditEntry
from workflow.spec import Phase

SPEC = walk.OrgSpec(
    opd_code="DISPUSIP",
    opd_name="Dinas Perpustakaan dan Kearsipan",
    head_title="Kepala Dinas Perpustakaan dan Kearsipan",
    bidang_code="DISPUSIP-LAYANAN",
    bidang_name="Bidang Layanan Perpustakaan",
    kabid_title="Kepala Bidang Layanan Perpustakaan",
    staff_title="Pengelola Layanan Perpustakaan",
    jf_title="Pustakawan Ahli Pertama",
    jf_level="ahli_pertama",
    names={
        "kepala": ("Dr. Hasan Tuli", "1"),
        "kabid": ("Nurain Lamato", "2"),
        "staf1": ("Rivan Bumulo", "1"),
        "staf2": ("Selvi Mokoginta", "2"),
        "staf3": ("Arman Dunggio", "1"),
        "jf": ("Meylan Hulinggi", "2"),
    },
    goals=(
        ("SS-PUSIP-1", "Meningkatnya minat baca masyarakat", "penerima_layanan"),
        ("SS-PUSIP-2", "Meningkatnya tata kelola arsip daerah", "proses_bisnis"),
    ),
)

# The Bidang's own library entries: (code, text, aspect, unit, default target).
UNIT_LIBRARY = (
    ("PUSIP-KUNJUNGAN", "Jumlah kunjungan pemustaka", "kuantitas", "kunjungan", "12000"),
    ("PUSIP-PINJAM", "Jumlah buku yang dipinjam pemustaka", "kuantitas", "eksemplar", "8000"),
    ("PUSIP-DIGITAL", "Persentase koleksi yang didigitalisasi", "kualitas", "%", "60"),
)

PLANS = {
    "kepala": (
        "Meningkatnya minat baca dan kepuasan pemustaka",
        [Measure("UMUM-IKM"), Measure("UMUM-KUALITAS")],
    ),
    "kabid": (
        "Meningkatnya layanan perpustakaan daerah",
        [Measure("PUSIP-KUNJUNGAN"), Measure("UMUM-IKM")],
    ),
    "staf1": ("Terlayaninya kunjungan pemustaka", [Measure("PUSIP-KUNJUNGAN")]),
    "staf2": ("Terlayaninya peminjaman buku", [Measure("PUSIP-PINJAM")]),
    "staf3": ("Terlayaninya peminjaman buku keliling", [Measure("PUSIP-PINJAM")]),
    "jf": ("Terdigitalisasinya koleksi daerah", [Measure("PUSIP-DIGITAL")]),
}

# The share of the target each one realises over the year.
FACTOR = {
    "kepala": Decimal("1.00"),
    "kabid": Decimal("1.10"),
    "staf1": Decimal("1.12"),
    "staf2": Decimal("1.00"),
    "staf3": Decimal("0.75"),
    "jf": Decimal("1.00"),
}

# The annual ratings (hasil, perilaku) and the predikat the matrix of DOMAIN.md section 4
# gives them. The Dinas is graded Baik and the Bidang Istimewa, so their heads' rating hasil
# is Sesuai and Di Atas Ekspektasi.
RESULT = {
    "kepala": ("as_expected", "as_expected", "baik"),
    "kabid": ("above", "above", "sangat_baik"),
    "staf1": ("above", "as_expected", "baik"),
    "staf2": ("as_expected", "above", "baik"),
    "staf3": ("below", "as_expected", "butuh_perbaikan"),
    "jf": ("as_expected", "as_expected", "baik"),
}


def test_gorontalo_runs_a_cycle_to_final_with_its_unit_library_and_self_entry(db: None) -> None:
    story = walk.begin("gorontalo", SPEC)
    with story.on(walk.START.replace(day=2), 10):
        for code, text, aspect, unit, target in UNIT_LIBRARY:
            save_indicator_template(
                actor=story.hr,
                agency=story.loaded.agency,
                unit=story.bidang,
                code=code,
                text=text,
                aspect=aspect,
                target_unit=unit,
                default_target=Decimal(target),
            )

    assert walk.open_cycle(story) == 6
    walk.agree_plans(story, PLANS)
    assert set(walk.stages(story).values()) == {"monitor"}

    # Monitored, quarter by quarter: everyone enters their own realisations three days after
    # the quarter, the appraiser gives feedback on them two days later.
    for period in story.periods():
        with story.on(walk.after(period, 3), 8):
            for who in walk.PEOPLE:
                walk.enter_realisations(story, who, period, FACTOR[who])
        with story.on(walk.after(period, 5), 10):
            for who in walk.PEOPLE:
                skp = story.skp(who)
                first = Indicator.objects.filter(rhk__skp=skp).order_by("pk").first()
                assert first is not None
                monitoring.give_feedback(
                    skp_id=skp.pk,
                    actor=story.appraiser(who),
                    text=f"Capaian {period.label} sudah tercatat; pertahankan ritmenya.",
                    indicator_id=first.pk,
                    period_index=period.index,
                )
    with story.on(walk.after(story.periods()[1], 12), 10):
        monitoring.record_dialog(
            skp_id=story.skp("staf3").pk,
            actor=story.appraiser("staf3"),
            kind="coaching",
            held_on=walk.after(story.periods()[1], 12),
            agenda="Capaian peminjaman buku keliling di bawah target",
            outcome="Jadwal layanan keliling ditambah dua desa",
            period_index=2,
        )

    # The annual evaluation, January 2027.
    with story.on(walk.january(11)):
        for who in walk.PEOPLE:
            walk.finish_monitoring(story, who)
    with story.on(walk.january(12)):
        for who in walk.PEOPLE:
            walk.self_assess(story, who)
    assert set(walk.stages(story).values()) == {"rate"}
    with story.on(walk.january(13), 10):
        walk.record_results(story, opd="baik", bidang="istimewa")
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

    # Gorontalo's own steps. Indicators come from the library the plan page offers for the
    # SKP's own unit (the Bidang's entries) or agency-wide (the configuration's).
    used = {
        who: [
            (i.template.code if i.template else "", i.template.unit_id if i.template else None)
            for i in Indicator.objects.filter(rhk__skp=story.skp(who))
            .select_related("template")
            .order_by("pk")
        ]
        for who in walk.PEOPLE
    }
    bidang = story.bidang.pk
    assert used == {
        "kepala": [("UMUM-IKM", None), ("UMUM-KUALITAS", None)],
        "kabid": [("PUSIP-KUNJUNGAN", bidang), ("UMUM-IKM", None)],
        "staf1": [("PUSIP-KUNJUNGAN", bidang)],
        "staf2": [("PUSIP-PINJAM", bidang)],
        "staf3": [("PUSIP-PINJAM", bidang)],
        "jf": [("PUSIP-DIGITAL", bidang)],
    }
    for who in walk.PEOPLE:
        offered = {entry.code for entry in plan.library_options(story.skp(who))}
        assert {code for code, _unit in used[who]} <= offered, who
    # Employees entered every realisation themselves, every quarter.
    assert settings_for(story.loaded.agency.pk).employee_enters_realisation is True
    entered = {
        who: sorted(
            Realisation.objects.filter(indicator__rhk__skp=story.skp(who)).values_list(
                "period_index", "updated_by__username"
            )
        )
        for who in walk.PEOPLE
    }
    nip = {who: story.user(who).username for who in walk.PEOPLE}
    assert entered == {
        who: sorted((index, nip[who]) for index in (1, 2, 3, 4) for _indicator in PLANS[who][1])
        for who in walk.PEOPLE
    }
    # Progress over time: a steady quarter of the visits target each quarter, 112 % a year.
    visits = Realisation.objects.filter(indicator__rhk__skp=story.skp("staf1")).order_by(
        "period_index"
    )
    assert [(r.period_index, r.value) for r in visits] == [
        (1, Decimal("3360.00")),
        (2, Decimal("3360.00")),
        (3, Decimal("3360.00")),
        (4, Decimal("3360.00")),
    ]
    assert [a.percent for a in achievements_of(story.skp("staf1"))] == [Decimal("112.00")]
    assert [a.percent for a in achievements_of(story.skp("staf3"))] == [Decimal("75.00")]
    # The appraiser's feedback came each quarter while the SKP was monitored.
    feedback = {
        who: sorted(
            Feedback.objects.filter(skp=story.skp(who)).values_list(
                "period_index", "author__username"
            )
        )
        for who in walk.PEOPLE
    }
    assert feedback == {
        who: [(index, story.appraiser(who).username) for index in (1, 2, 3, 4)]
        for who in walk.PEOPLE
    }
    feedback_phases = AuditEntry.objects.filter(
        case__skp__cycle=story.the_cycle(),
        code=AuditCode.PROCESS_EVENT,
        payload__event="feedback_given",
    ).values_list("from_phase", flat=True)
    assert list(feedback_phases) == [Phase.MONITORED] * 24

    # The result: every SKP final, the predikat of the matrix, the spread, the audit chain.
    assert walk.phases(story) == dict.fromkeys(walk.PEOPLE, (Phase.FINAL, False))
    assert walk.outcome(story) == RESULT
    assert walk.spread(story) == Counter({"baik": 4, "sangat_baik": 1, "butuh_perbaikan": 1})
    assert walk.follow_ups(story) == {
        "kepala": ("none", None),
        "kabid": ("award", None),
        "staf1": ("none", None),
        "staf2": ("none", None),
        "staf3": ("development", None),
        "jf": ("none", Decimal("12.500")),
    }
    assert walk.problems(story) == {"audit": [], **{who: [] for who in walk.PEOPLE}}
