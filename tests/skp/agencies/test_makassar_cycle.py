"""Makassar (seed 003): a full 2026 cycle, opening to final, on the shipped configuration.

What the seed asks for: measurable service indicators (complaint response time, citizen
satisfaction); feedback from the supervisor and from peers; citizens give feedback on
services; daily activity reports. Citizens rate the permit service on its public page
(``/layanan/<slug>/``, no sign-in) through the year; HR's refresh turns each quarter's
average into the realisation of the service unit's satisfaction indicator; staff log their
daily activities; after the self-assessment two peers of each employee give feedback in
parallel before the appraiser rates (the configuration's optional N-of-M peer stage), and
the Bidang's head, who has no peer, skips it. The small organisation is a new Dinas
Penanaman Modal dan PTSP whose Bidang Pelayanan Perizinan runs the public service (created
with the library actions, as the configuration's service units are).
"""

from __future__ import annotations

import datetime
from collections import Counter
from decimal import Decimal

from django.test import Client

from processes.organisation.models import User
from processes.skp.actions import assessment, monitoring
from processes.skp.actions.assessment import PeerEntry
from processes.skp.actions.citizen import refresh_citizen_realisations
from processes.skp.actions.library import save_indicator_template, save_public_service
from processes.skp.actions.review import achievements_of
from processes.skp.models import (
    BerAkhlak,
    CitizenFeedback,
    DailyActivity,
    IndicatorTemplate,
    PeerFeedback,
    Realisation,
)
from processes.skp.selectors import daily_activities_for
from tests.skp.agencies import walk
from tests.skp.agencies.walk import Measure
from workflow.models import AuditCode, AuditEntry, WorkItem
from workflow.spec import Phase

SPEC = walk.OrgSpec(
    opd_code="DPMPTSP",
    opd_name="Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
    head_title="Kepala Dinas Penanaman Modal dan PTSP",
    bidang_code="DPMPTSP-IZIN",
    bidang_name="Bidang Pelayanan Perizinan",
    kabid_title="Kepala Bidang Pelayanan Perizinan",
    staff_title="Petugas Layanan Perizinan",
    jf_title="Penata Perizinan Ahli Pertama",
    jf_level="ahli_pertama",
    names={
        "kepala": ("Dr. Andi Zulkifli Mappiare", "1"),
        "kabid": ("St. Rahmawati Daeng Tene", "2"),
        "staf1": ("Muhammad Irsyad Daeng Lau", "1"),
        "staf2": ("Nurfadillah Daeng Sugi", "2"),
        "staf3": ("Ahmad Yani Daeng Rapi", "1"),
        "jf": ("Andi Citra Batari", "2"),
    },
    goals=(
        ("SS-PTSP-1", "Meningkatnya kepuasan pemohon izin", "penerima_layanan"),
        ("SS-PTSP-2", "Meningkatnya kecepatan layanan perizinan", "proses_bisnis"),
    ),
)
SLUG = "makassar-layanan-perizinan"
SATISFACTION = "IZIN-KEPUASAN"
RESPONSE = Measure("UMUM-RESPON-ADUAN")
PLANS = {
    "kepala": ("Meningkatnya kepuasan pemohon izin", [RESPONSE, Measure("UMUM-ADUAN-TUNTAS")]),
    "kabid": ("Meningkatnya mutu layanan perizinan", [Measure(SATISFACTION), RESPONSE]),
    "staf1": ("Terlayaninya pemohon izin usaha", [Measure(SATISFACTION), RESPONSE]),
    "staf2": ("Terlayaninya pemohon izin bangunan", [Measure(SATISFACTION), RESPONSE]),
    "staf3": ("Terlayaninya pengaduan perizinan", [Measure(SATISFACTION), RESPONSE]),
    "jf": ("Terverifikasinya berkas perizinan", [Measure(SATISFACTION), RESPONSE]),
}
FACTOR = dict.fromkeys(walk.PEOPLE, Decimal(1)) | {"staf1": Decimal("1.20"), "jf": Decimal("0.80")}
# Citizens' scores of the permit service per quarter: (month, day, score, comment).
RATINGS = {
    1: [(1, 14, 5, "Cepat dan ramah."), (2, 10, 4, ""), (3, 18, 4, "Antrean tertib.")],
    2: [(4, 8, 4, ""), (5, 12, 4, "Petugas membantu."), (5, 27, 3, "Agak lama."), (6, 9, 5, "")],
    3: [(7, 15, 5, "Sangat puas."), (8, 19, 5, ""), (9, 2, 4, "Informasi jelas.")],
    4: [(10, 6, 3, "Sistem sempat gangguan."), (11, 24, 4, "")],
}
# (hasil, perilaku, predikat from the matrix). The Dinas is graded Baik, the Bidang
# Istimewa: their heads' rating hasil is Sesuai and Di Atas Ekspektasi.
RESULT = {
    "kepala": ("as_expected", "above", "baik"),
    "kabid": ("above", "above", "sangat_baik"),
    "staf1": ("above", "above", "sangat_baik"),
    "staf2": ("as_expected", "as_expected", "baik"),
    "staf3": ("as_expected", "as_expected", "baik"),
    "jf": ("below", "below", "sangat_kurang"),
}
# Who gives peer feedback to whom among the Bidang's four (each has the other three as peers).
PEERS = {"staf1": ("staf2", "staf3"), "staf2": ("staf1", "jf"), "staf3": ("jf", "staf1"), "jf": ("staf2", "staf3")}  # fmt: skip


def peer_feedback(story: walk.Story, who: str, peer_id: int) -> None:
    peer = User.objects.get(pk=peer_id)
    assessment.give_peer_feedback(
        skp_id=story.skp(who).pk,
        actor=peer,
        entries=[
            PeerEntry(str(value.value), "above", f"{value.label}: konsisten dalam kerja tim.")
            for value in BerAkhlak
        ],
    )


def test_makassar_runs_a_cycle_to_final_with_citizens_peers_and_daily_activities(
    db: None, client: Client
) -> None:
    story = walk.begin("makassar", SPEC)
    with story.on(walk.START.replace(day=2), 10):
        service, _created = save_public_service(
            actor=story.hr,
            agency=story.loaded.agency,
            unit=story.bidang,
            slug=SLUG,
            name="Layanan Perizinan Terpadu",
        )
        save_indicator_template(
            actor=story.hr,
            agency=story.loaded.agency,
            unit=story.bidang,
            code=SATISFACTION,
            text="Indeks kepuasan pemohon izin",
            aspect="kualitas",
            target_unit="skor",
            default_target=Decimal("4.00"),
            source=IndicatorTemplate.Source.CITIZEN_FEEDBACK,
        )
    assert walk.open_cycle(story) == 6
    walk.agree_plans(story, PLANS)

    refreshed = []
    for period in story.periods():
        # Citizens rate the service on its public page during the quarter, without signing in.
        for number, (month, day, score, comment) in enumerate(RATINGS[period.index]):
            with story.on(datetime.date(walk.YEAR, month, day), 10 + number):
                page = client.get(f"/layanan/{SLUG}/")
                sent = client.post(
                    f"/layanan/{SLUG}/",
                    {"score": str(score), "comment": comment},
                    REMOTE_ADDR=f"203.0.113.{period.index * 10 + number}",
                )
                assert (page.status_code, sent.status_code, sent["Location"]) == (
                    200,
                    302,
                    f"/layanan/{SLUG}/terima-kasih/",
                )
        # The staff log the quarter's last working week in one batch.
        last_week = [period.ends_on - datetime.timedelta(days=offset) for offset in range(7)]
        working = sorted(day for day in last_week if day.weekday() < 5)
        with story.on(walk.after(period, 1), 16):
            for who in ("staf1", "staf2", "staf3"):
                monitoring.add_daily_activities(
                    skp_id=story.skp(who).pk,
                    actor=story.user(who),
                    entries=[
                        monitoring.DailyEntry(
                            day=day,
                            description="Melayani dan memverifikasi permohonan izin",
                            quantity=12 + number,
                            output_unit="berkas",
                        )
                        for number, day in enumerate(working)
                    ],
                )
        # After the quarter: the hand-entered realisations, and HR's refresh of the
        # citizen-feedback indicators from the quarter's ratings.
        with story.on(walk.after(period, 3), 8):
            for who in walk.PEOPLE:
                walk.enter_realisations(story, who, period, FACTOR[who])
            refreshed.append(
                refresh_citizen_realisations(cycle_id=story.the_cycle().pk, actor=story.hr)
            )
        with story.on(walk.after(period, 5), 10):
            for who in walk.PEOPLE:
                monitoring.give_feedback(
                    skp_id=story.skp(who).pk,
                    actor=story.appraiser(who),
                    text=f"Respons pengaduan {period.label} tercatat; pertahankan.",
                    value="berorientasi_pelayanan",
                    period_index=period.index,
                )
    assert refreshed == [5, 5, 5, 5]

    with story.on(walk.january(11)):
        for who in walk.PEOPLE:
            walk.finish_monitoring(story, who)
    with story.on(walk.january(12)):
        for who in walk.PEOPLE:
            walk.self_assess(story, who)
    # Peers in parallel beside the supervisor: two pool tasks per SKP, open at once.
    stages = walk.stages(story)
    assert stages == dict.fromkeys(walk.PEOPLE, "peer_feedback") | {"kabid": "rate"}
    bidang_peers = {who: story.user(who).pk for who in ("staf1", "staf2", "staf3", "jf")}
    open_peer_tasks = {}
    for who in ("kepala", "staf1", "staf2", "staf3", "jf"):
        tasks = story.open_tasks(who)
        open_peer_tasks[who] = [
            (t.stage_key, t.is_pool, t.owner_id, tuple(t.candidate_ids)) for t in tasks
        ]
    for who in ("staf1", "staf2", "staf3", "jf"):
        others = tuple(uid for key, uid in bidang_peers.items() if key != who)
        assert open_peer_tasks[who] == [("peer_feedback", True, None, others)] * 2, who
    heads = open_peer_tasks["kepala"]
    assert [(stage, pool, owner) for stage, pool, owner, _c in heads] == [
        ("peer_feedback", True, None)
    ] * 2
    head_peers = heads[0][3]
    assert len(head_peers) == 4  # the other heads of OPD reporting to the Sekda
    with story.on(walk.january(13), 9):
        for who, (first, second) in PEERS.items():
            peer_feedback(story, who, bidang_peers[first])
            assert walk.stages(story)[who] == "peer_feedback"
            assert len(story.open_tasks(who)) == 1
            peer_feedback(story, who, bidang_peers[second])
        peer_feedback(story, "kepala", head_peers[0])
        peer_feedback(story, "kepala", head_peers[1])
    assert walk.stages(story) == dict.fromkeys(walk.PEOPLE, "rate")

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

    # Makassar's own steps. The peer stage: two tasks each, both done by the peers chosen;
    # the Bidang's head had no peer and the optional stage was skipped for her.
    for who in ("kepala", "staf1", "staf2", "staf3", "jf"):
        case = story.case(who)
        done = WorkItem.objects.filter(process_id=case.pk, stage_key="peer_feedback")
        assert sorted(done.values_list("status", "owner_id")) == sorted(
            [("DONE", bidang_peers[peer]) for peer in PEERS[who]]
            if who != "kepala"
            else [("DONE", head_peers[0]), ("DONE", head_peers[1])]
        ), who
        assert PeerFeedback.objects.filter(skp=story.skp(who)).count() == 14, who
    skipped = {
        who: list(
            AuditEntry.objects.filter(case=story.case(who), code=AuditCode.STAGE_SKIPPED)
            .order_by("sequence")
            .values_list("to_stage", "reason")
        )
        for who in walk.PEOPLE
    }
    no_objection = ("decide_objection", "pegawai tidak mengajukan keberatan")
    assert skipped == {key: [no_objection] for key in walk.PEOPLE} | {
        "kabid": [("peer_feedback", "tidak ada pelaksana yang memenuhi syarat"), no_objection]
    }
    # Citizen feedback through the page, averaged per quarter into the satisfaction indicator
    # of every SKP of the service unit.
    assert CitizenFeedback.objects.filter(service=service).count() == 12
    averages = [
        (1, Decimal("4.33"), "Rata-rata 3 penilaian masyarakat"),
        (2, Decimal("4.00"), "Rata-rata 4 penilaian masyarakat"),
        (3, Decimal("4.67"), "Rata-rata 3 penilaian masyarakat"),
        (4, Decimal("3.50"), "Rata-rata 2 penilaian masyarakat"),
    ]
    for who in ("kabid", "staf1", "staf2", "staf3", "jf"):
        computed = Realisation.objects.filter(
            indicator__rhk__skp=story.skp(who),
            indicator__source=IndicatorTemplate.Source.CITIZEN_FEEDBACK,
        ).order_by("period_index")
        assert [(r.period_index, r.value, r.note) for r in computed] == averages, who
    # The head's share of complaints resolved is a rate: 90 % each quarter is 90 % for the
    # year (its target), not 360 %.
    kepala = story.skp("kepala")
    resolved = Realisation.objects.filter(
        indicator__rhk__skp=kepala, indicator__template__code="UMUM-ADUAN-TUNTAS"
    ).order_by("period_index")
    assert [(r.period_index, r.value) for r in resolved] == [
        (index, Decimal("90.00")) for index in (1, 2, 3, 4)
    ]
    assert [(a.target_unit, a.realised, a.percent) for a in achievements_of(kepala)] == [
        ("jam", Decimal("24.00"), Decimal("100.00")),
        ("%", Decimal("90.00"), Decimal("100.00")),
    ]
    # Daily activities: the last working week of each quarter, for each staff member.
    for who in ("staf1", "staf2", "staf3"):
        logged = daily_activities_for(story.skp(who))
        assert [(a.day, a.quantity) for a in logged if a.day.month == 12] == [
            (datetime.date(2026, 12, 31), Decimal(16)),
            (datetime.date(2026, 12, 30), Decimal(15)),
            (datetime.date(2026, 12, 29), Decimal(14)),
            (datetime.date(2026, 12, 28), Decimal(13)),
            (datetime.date(2026, 12, 25), Decimal(12)),
        ], who
        assert DailyActivity.objects.filter(skp=story.skp(who)).count() == 20, who

    # The result: every SKP final, the predikat of the matrix, the spread, the audit chain.
    assert walk.phases(story) == dict.fromkeys(walk.PEOPLE, (Phase.FINAL, False))
    assert walk.outcome(story) == RESULT
    assert walk.spread(story) == Counter({"sangat_baik": 2, "baik": 3, "sangat_kurang": 1})
    assert walk.follow_ups(story)["jf"] == ("development", Decimal("3.125"))
    assert walk.problems(story) == {"audit": [], **{who: [] for who in walk.PEOPLE}}
