"""Dumai (seed 004): a full 2026 cycle, opening to final, on the shipped configuration.

What the seed asks for: appraisal by the direct supervisor and by an independent evaluation
team; field visits recorded as observations; the result discussed with the employee; the
employee can object and the objection is considered. After each appraiser's rating the
configuration's Tim Penilai Kinerja reviews it: one member visits the service and records
the visit with its report as evidence, another submits the team's review. Every result is
discussed; one employee objects, the appraiser's supervisor hears both sides and upholds
the objection, and HR fixes the changed result. The small organisation is a new Dinas
Sosial with a Bidang Perlindungan dan Jaminan Sosial.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from processes.skp.access import today_for
from processes.skp.actions import monitoring, review
from processes.skp.actions import objection as objection_actions
from processes.skp.models import (
    Evidence,
    FieldObservation,
    Objection,
    ObjectionExplanation,
    PerformanceDialog,
    RatingRecord,
    TeamReview,
)
from tests.factories.skp_monitoring import PDF, upload
from tests.skp.agencies import walk
from tests.skp.agencies.walk import Measure
from workflow.models import Team, WorkItem
from workflow.spec import Phase

SPEC = walk.OrgSpec(
    opd_code="DINSOS",
    opd_name="Dinas Sosial",
    head_title="Kepala Dinas Sosial",
    bidang_code="DINSOS-LINJAM",
    bidang_name="Bidang Perlindungan dan Jaminan Sosial",
    kabid_title="Kepala Bidang Perlindungan dan Jaminan Sosial",
    staff_title="Pengelola Bantuan Sosial",
    jf_title="Pekerja Sosial Ahli Pertama",
    jf_level="ahli_pertama",
    names={
        "kepala": ("Drs. H. Syamsul Bahri", "1"),
        "kabid": ("Wan Rosmawati", "2"),
        "staf1": ("Muhammad Rizky Effendi", "1"),
        "staf2": ("Siti Khadijah Lubis", "2"),
        "staf3": ("Raja Indra Syahputra", "1"),
        "jf": ("Nurhasanah Siregar", "2"),
    },
    goals=(
        ("SS-SOS-1", "Meningkatnya perlindungan sosial masyarakat rentan", "penerima_layanan"),
        ("SS-SOS-2", "Meningkatnya ketepatan sasaran bantuan sosial", "proses_bisnis"),
    ),
)
FIELD = [Measure("UMUM-TEMUAN"), Measure("UMUM-LAPORAN")]
PLANS = {
    "kepala": ("Terlindunginya masyarakat rentan Kota Dumai", FIELD),
    "kabid": ("Tersalurnya bantuan sosial tepat sasaran", FIELD),
    "staf1": ("Tersalurnya bantuan sosial Kecamatan Dumai Barat", FIELD),
    "staf2": ("Tersalurnya bantuan sosial Kecamatan Dumai Timur", FIELD),
    "staf3": ("Tersalurnya bantuan sosial Kecamatan Sungai Sembilan", FIELD),
    "jf": ("Terdampinginya keluarga penerima manfaat", FIELD),
}
FACTOR = dict.fromkeys(walk.PEOPLE, Decimal(1)) | {
    "staf2": Decimal("1.12"),
    "staf3": Decimal("0.90"),
}
# The appraisers' ratings (hasil, perilaku, predikat from the matrix); both units are graded
# Baik, so their heads' rating hasil is Sesuai Ekspektasi.
RATED = {
    "kepala": ("as_expected", "as_expected", "baik"),
    "kabid": ("as_expected", "above", "baik"),
    "staf1": ("as_expected", "above", "baik"),
    "staf2": ("as_expected", "above", "baik"),
    "staf3": ("as_expected", "below", "kurang"),
    "jf": ("as_expected", "as_expected", "baik"),
}
# The keberatan of staf2 is upheld: Di Atas / Di Atas Ekspektasi is Sangat Baik.
RESULT = RATED | {"staf2": ("above", "above", "sangat_baik")}
OBSERVER = "Mahyudin Munir"
REVIEWER = "Raja Ali Ismail"


def test_dumai_runs_a_cycle_to_final_with_the_team_review_discussion_and_an_objection(
    db: None,
) -> None:
    story = walk.begin("dumai", SPEC)
    assert walk.open_cycle(story) == 6
    walk.agree_plans(story, PLANS)
    for period in story.periods():
        with story.on(walk.after(period, 3), 8):
            for who in walk.PEOPLE:
                walk.enter_realisations(story, who, period, FACTOR[who])
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
            hasil, perilaku, _predikat = RATED[who]
            walk.rate(story, who, hasil, perilaku)
    # The independent team's stage comes after the appraiser's rating, one pool task each.
    assert walk.stages(story) == dict.fromkeys(walk.PEOPLE, "team_review")
    team = Team.objects.get(tenant=story.loaded.agency, code="tim-penilai-kinerja")
    team_tasks = {who: story.open_tasks(who) for who in walk.PEOPLE}
    assert {
        who: [(t.is_pool, t.owner_id, t.data.get("team_group_id")) for t in tasks]
        for who, tasks in team_tasks.items()
    } == {key: [(True, None, team.group_id)] for key in walk.PEOPLE}
    observer = story.loaded.user(OBSERVER)
    reviewer = story.loaded.user(REVIEWER)
    with story.on(walk.january(15), 9):
        for who in walk.PEOPLE:
            skp = story.skp(who)
            review.add_field_observation(
                skp_id=skp.pk,
                actor=observer,
                observed_on=today_for(skp),
                location=f"Kantor kelurahan, layanan {SPEC.bidang_name}",
                notes="Penyaluran bantuan tertib; data penerima sesuai daftar.",
                evidence_file=upload(f"kunjungan-{who}.pdf", PDF, "application/pdf"),
            )
    with story.on(walk.january(15), 14):
        for who in walk.PEOPLE:
            disagrees = who == "staf2"
            review.submit_team_review(
                skp_id=story.skp(who).pk,
                actor=reviewer,
                summary="Capaian sesuai bukti dan hasil kunjungan lapangan.",
                recommendation=(
                    "Pertimbangkan rating hasil kerja di atas ekspektasi." if disagrees else ""
                ),
                agrees_with_rating=not disagrees,
            )
    assert walk.stages(story) == dict.fromkeys(walk.PEOPLE, "discuss")

    # The discussion stage: the result dialog with every employee; five accept the result,
    # staf2 objects within the window.
    with story.on(walk.january(18), 10):
        for who in walk.PEOPLE:
            walk.discuss(story, who)
    with story.on(walk.january(19)):
        for who in walk.PEOPLE:
            if who != "staf2":
                walk.acknowledge(story, who)
        objection_actions.file_objection(
            skp_id=story.skp("staf2").pk,
            actor=story.user("staf2"),
            reasons="Hasil kunjungan tim penilai menunjukkan capaian di atas target.",
        )
    assert walk.stages(story)["staf2"] == "decide_objection"
    # The appraiser's supervisor (the head of the Dinas) hears both sides and decides.
    staf2 = story.skp("staf2")
    supervisor = story.user(walk.SUPERVISOR["staf2"])
    with story.on(walk.january(20), 9):
        asked = [
            objection_actions.request_explanation(
                skp_id=staf2.pk,
                actor=supervisor,
                party=party,
                question=question,
            )
            for party, question in (
                ("appraiser", "Apa dasar rating hasil kerja sesuai ekspektasi?"),
                ("employee", "Lampirkan bukti capaian yang melampaui target."),
            )
        ]
    with story.on(walk.january(21), 9):
        objection_actions.give_explanation(
            explanation_id=asked[0].pk,
            actor=story.appraiser("staf2"),
            answer="Realisasi hanya sedikit di atas target.",
        )
        objection_actions.give_explanation(
            explanation_id=asked[1].pk,
            actor=story.user("staf2"),
            answer="Penyaluran selesai 112 % dari target dengan temuan nol.",
        )
        monitoring.record_dialog(
            skp_id=staf2.pk,
            actor=supervisor,
            kind="objection",
            held_on=walk.january(21),
            agenda="Klarifikasi keberatan atas hasil penilaian",
            outcome="Capaian dan hasil kunjungan lapangan melampaui ekspektasi",
        )
    with story.on(walk.january(22), 10):
        objection_actions.decide_objection(
            skp_id=staf2.pk,
            actor=supervisor,
            decision="upheld",
            reason="Bukti kunjungan tim penilai menunjukkan capaian di atas ekspektasi.",
            rating_hasil="above",
            rating_perilaku="above",
        )
    assert walk.stages(story) == dict.fromkeys(walk.PEOPLE, "finalise")
    with story.on(walk.january(26), 10):
        for who in walk.PEOPLE:
            walk.finalise(story, who)

    # Dumai's own steps. The team's stage: a field observation with its report stored as
    # evidence, and the team's review, each SKP's pool task taken by the reviewing member.
    for who in walk.PEOPLE:
        skp = story.skp(who)
        (observation,) = FieldObservation.objects.filter(skp=skp).select_related("evidence")
        assert observation.evidence is not None
        assert (
            observation.author_id,
            observation.observed_on,
            observation.evidence.kind,
            observation.evidence.original_name,
            observation.evidence.content_type,
            observation.evidence.uploaded_by_id,
            observation.evidence.file.read(),
        ) == (
            observer.pk,
            walk.january(15),
            "field_observation",
            f"kunjungan-{who}.pdf",
            "application/pdf",
            observer.pk,
            PDF,
        ), who
        assert list(
            TeamReview.objects.filter(skp=skp).values_list("author_id", "agrees_with_rating")
        ) == [(reviewer.pk, who != "staf2")], who
        (task,) = WorkItem.objects.filter(process_id=skp.case_id, stage_key="team_review")
        assert (task.status, task.owner_id) == ("DONE", reviewer.pk), who
        assert list(
            PerformanceDialog.objects.filter(skp=skp, kind="result").values_list(
                "held_on", "recorded_by_id"
            )
        ) == [(walk.january(18), story.appraiser(who).pk)], who
    assert Evidence.objects.filter(skp__cycle=story.the_cycle()).count() == 6
    # Five acknowledged the result; the keberatan was filed, explained on both sides and
    # decided by the appraiser's supervisor, and the original result stays in the history.
    assert {
        who: story.skp(who).acknowledged_at is not None for who in walk.PEOPLE
    } == dict.fromkeys(walk.PEOPLE, True) | {"staf2": False}
    objection = Objection.objects.get(skp=staf2)
    assert (
        objection.filed_by_id,
        objection.status,
        objection.decision,
        objection.decided_by_id,
        objection.decided_at is not None and objection.decided_at <= objection.deadline,
    ) == (story.user("staf2").pk, "decided", "upheld", supervisor.pk, True)
    assert Objection.objects.filter(skp__cycle=story.the_cycle()).count() == 1
    assert list(
        ObjectionExplanation.objects.filter(objection=objection)
        .order_by("pk")
        .values_list("party", "answered_by_id")
    ) == [
        ("appraiser", story.appraiser("staf2").pk),
        ("employee", story.user("staf2").pk),
    ]
    assert list(
        RatingRecord.objects.filter(skp=staf2)
        .order_by("at", "pk")
        .values_list("kind", "rating_hasil", "rating_perilaku", "predikat", "by_id")
    ) == [
        ("appraiser", "as_expected", "above", "baik", story.appraiser("staf2").pk),
        ("objection", "above", "above", "sangat_baik", supervisor.pk),
    ]

    # The result: every SKP final, the predikat of the matrix, the spread, the audit chain.
    assert walk.phases(story) == dict.fromkeys(walk.PEOPLE, (Phase.FINAL, False))
    assert walk.outcome(story) == RESULT
    assert walk.spread(story) == Counter({"baik": 4, "sangat_baik": 1, "kurang": 1})
    assert walk.follow_ups(story) == {
        "kepala": ("none", None),
        "kabid": ("none", None),
        "staf1": ("none", None),
        "staf2": ("award", None),
        "staf3": ("development", None),
        "jf": ("none", Decimal("12.500")),
    }
    assert walk.problems(story) == {"audit": [], **{who: [] for who in walk.PEOPLE}}
