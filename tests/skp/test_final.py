"""Final: credit points for functional posts, follow-up per predikat, the lock, HR reopening."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from processes.organisation import actions as org_actions
from processes.skp.access import today_for
from processes.skp.actions import assessment, final, monitoring, review
from processes.skp.actions import objection as objection_actions
from processes.skp.actions import plan as plan_actions
from processes.skp.actions.assessment import PeerEntry
from processes.skp.models import (
    BerAkhlak,
    Objection,
    ObjectionExplanation,
    PerformanceDialog,
    RatingRecord,
    Realisation,
    Rhk,
    SelfAssessment,
    Skp,
)
from processes.skp.rules import Predikat
from tests.factories import skp_review as walk
from tests.factories.skp import SkpWorld, build_skp_world
from tests.factories.skp_monitoring import set_settings
from workflow import actions as engine
from workflow import selectors
from workflow.errors import StepNotAllowed
from workflow.models import AuditCode, AuditEntry, Notification
from workflow.spec import Phase

RATINGS = {
    Predikat.SANGAT_BAIK: ("above", "above"),
    Predikat.BAIK: ("as_expected", "as_expected"),
    Predikat.BUTUH_PERBAIKAN: ("below", "as_expected"),
    Predikat.KURANG: ("as_expected", "below"),
    Predikat.SANGAT_KURANG: ("below", "below"),
}
LOCKED = "SKP ini sudah final dan terkunci."


def to_final(world: SkpWorld, who: str, predikat: Predikat, note: str = "") -> Skp:
    """Walk ``who`` to final with ``predikat``, the employee acknowledging the result."""
    walk.to_discussion(world, who, *RATINGS[predikat], justification="Unit belum dinilai.")
    objection_actions.acknowledge_result(skp_id=world.skp(who).pk, actor=world.user(who))
    walk.finalise(world, who, note=note)
    return world.skp(who)


@pytest.mark.parametrize(
    ("predikat", "points", "follow_up"),
    [
        (Predikat.SANGAT_BAIK, "18.750", "award"),
        (Predikat.BAIK, "12.500", "none"),
        (Predikat.BUTUH_PERBAIKAN, "9.375", "development"),
        (Predikat.KURANG, "6.250", "development"),
        (Predikat.SANGAT_KURANG, "3.125", "development"),
    ],
)
def test_a_functional_post_earns_credit_points_and_each_predikat_its_follow_up(
    db: None, predikat: Predikat, points: str, follow_up: str
) -> None:
    world = build_skp_world()
    skp = to_final(world, "guru", predikat, note=" Diusulkan mengikuti diklat. ")

    # Ahli Pertama, twelve months: percentage x 12.5 (PermenPANRB 1/2023).
    assert (skp.predikat, skp.credit_points, skp.follow_up) == (
        predikat,
        Decimal(points),
        follow_up,
    )
    assert skp.follow_up_note == "Diusulkan mengikuti diklat."
    case = world.case("guru")
    assert (case.phase, case.is_open) == (Phase.FINAL, False)
    assert case.closed_at is not None
    assert skp.finalised_at is not None
    assert skp.finalised_at >= case.closed_at
    (row,) = walk.events(world, "guru", "skp_concluded")
    assert (row.actor_id, row.payload) == (
        None,
        {
            "event": "skp_concluded",
            "predikat": str(predikat),
            "credit_points": points,
            "follow_up": follow_up,
        },
    )


def test_an_agency_may_follow_up_below_expectation_with_training(db: None) -> None:
    world = build_skp_world()
    set_settings(world, below_expectation_follow_up="training")
    skp = to_final(world, "guru", Predikat.BUTUH_PERBAIKAN)
    assert (skp.follow_up, skp.credit_points) == ("training", Decimal("9.375"))


def test_structural_and_staff_posts_earn_no_credit_points(db: None) -> None:
    world = build_skp_world()
    skp = to_final(world, "staf1", Predikat.SANGAT_BAIK)
    assert (skp.credit_points, skp.follow_up) == (None, "award")


def test_credit_points_are_pro_rated_by_the_months_of_a_partial_period(db: None) -> None:
    world = build_skp_world()
    walk.agree_for(world, "guru")
    org_actions.transfer_employee(
        actor=world.org.admin,
        employee=world.org.people["guru"],
        position=world.org.positions["STAF"],
        on=datetime.date(2026, 3, 1),
        reason="Mutasi ke seksi kurikulum",
    )
    assert (world.skp("guru").period_start, world.skp("guru").period_end) == (
        datetime.date(2026, 1, 1),
        datetime.date(2026, 2, 28),
    )

    walk.monitor(world, "guru")
    walk.self_assess(world, "guru")
    # The old SKP keeps the appraiser of its own period.
    walk.rate(world, "guru", justification="Periode dua bulan.")
    walk.discuss(world, "guru")
    objection_actions.acknowledge_result(skp_id=world.skp("guru").pk, actor=world.user("guru"))
    walk.finalise(world, "guru")

    # DOMAIN.md section 6: Ahli Pertama, 2 months rated Baik: 2/12 x 100 % x 12.5 = 2.083.
    assert (world.skp("guru").predikat, world.skp("guru").credit_points) == (
        "baik",
        Decimal("2.083"),
    )


# The lock ----------------------------------------------------------------------------------


@pytest.fixture
def closed(db: None) -> SkpWorld:
    """staf1 final after a keberatan with an explanation, rejected; guru final as well."""
    world = build_skp_world()
    walk.to_discussion(world, "staf1", justification="Unit belum dinilai.")
    skp = world.skp("staf1")
    objection_actions.file_objection(
        skp_id=skp.pk, actor=world.user("staf1"), reasons="Capaian belum dipertimbangkan."
    )
    objection_actions.request_explanation(
        skp_id=skp.pk, actor=world.user("kabid"), party="employee", question="Bukti apa?"
    )
    objection_actions.give_explanation(
        explanation_id=ObjectionExplanation.objects.get().pk,
        actor=world.user("staf1"),
        answer="Laporan Desember.",
    )
    objection_actions.decide_objection(
        skp_id=skp.pk, actor=world.user("kabid"), decision="rejected", reason="Sudah dihitung."
    )
    walk.finalise(world, "staf1")
    return world


def locked_state(world: SkpWorld, who: str) -> tuple[object, ...]:
    skp = world.skp(who)
    return (
        skp.rating_hasil,
        skp.rating_perilaku,
        skp.predikat,
        skp.rated_at,
        skp.acknowledged_at,
        skp.finalised_at,
        skp.credit_points,
        skp.follow_up,
        list(SelfAssessment.objects.filter(skp=skp).values_list("pk", "text")),
        list(Realisation.objects.filter(indicator__rhk__skp=skp).values_list("pk", "value")),
        list(RatingRecord.objects.filter(skp=skp).values_list("pk", "predikat")),
        list(Objection.objects.filter(skp=skp).values_list("status", "decision")),
        list(ObjectionExplanation.objects.filter(objection__skp=skp).values_list("answer")),
        PerformanceDialog.objects.filter(skp=skp).count(),
        walk.audit_rows(world, who),
    )


def every_action(world: SkpWorld, skp: Skp) -> dict[str, tuple[Callable[..., Any], dict[str, Any]]]:
    """Return each SKP action with the arguments its rightful actor would use."""
    employee, appraiser = world.user("staf1"), world.user("kasi")
    supervisor, hr = world.user("kabid"), world.org.admin
    rhk = Rhk.objects.get(skp=skp)
    indicator = rhk.indicators.get()
    day = today_for(skp)
    every = dict.fromkeys(BerAkhlak.values, "Baik.")
    return {
        "save_rhk": (
            plan_actions.save_rhk,
            {"actor": employee, "text": "Baru", "parent_id": rhk.parent_id, "rhk_id": rhk.pk},
        ),
        "submit_plan": (plan_actions.submit_plan, {"actor": employee}),
        "approve_plan": (plan_actions.approve_plan, {"actor": appraiser}),
        "save_realisation": (
            monitoring.save_realisation,
            {"actor": employee, "indicator_id": indicator.pk, "period_index": 1, "value": "9"},
        ),
        "give_feedback": (monitoring.give_feedback, {"actor": appraiser, "text": "Bagus."}),
        "record_dialog": (
            monitoring.record_dialog,
            {
                "actor": appraiser,
                "kind": "result",
                "held_on": day,
                "agenda": "Ulang",
                "outcome": "Ulang",
            },
        ),
        "rate_period": (
            monitoring.rate_period,
            {
                "actor": appraiser,
                "period_index": 1,
                "rating_hasil": "above",
                "rating_perilaku": "above",
            },
        ),
        "finish_monitoring": (monitoring.finish_monitoring, {"actor": employee}),
        "save_self_assessment": (
            assessment.save_self_assessment,
            {"actor": employee, "rhk_summaries": {rhk.pk: "Ubah."}, "value_summaries": every},
        ),
        "submit_self_assessment": (assessment.submit_self_assessment, {"actor": employee}),
        "give_peer_feedback": (
            assessment.give_peer_feedback,
            {
                "actor": world.user("staf2"),
                "entries": [PeerEntry(value, "above") for value in BerAkhlak.values],
            },
        ),
        "rate_skp": (
            review.rate_skp,
            {
                "actor": appraiser,
                "rating_hasil": "above",
                "rating_perilaku": "above",
                "justification": "Ubah.",
            },
        ),
        "submit_rating": (review.submit_rating, {"actor": appraiser}),
        "return_to_self_assessment": (
            review.return_to_self_assessment,
            {"actor": appraiser, "reason": "Ulangi."},
        ),
        "submit_team_review": (
            review.submit_team_review,
            {"actor": appraiser, "summary": "Reviu.", "agrees_with_rating": True},
        ),
        "return_from_team_review": (
            review.return_from_team_review,
            {"actor": appraiser, "reason": "Ulangi."},
        ),
        "add_field_observation": (
            review.add_field_observation,
            {"actor": appraiser, "observed_on": day, "location": "SD", "notes": "Catatan."},
        ),
        "acknowledge_result": (objection_actions.acknowledge_result, {"actor": employee}),
        "file_objection": (
            objection_actions.file_objection,
            {"actor": employee, "reasons": "Lagi."},
        ),
        "request_explanation": (
            objection_actions.request_explanation,
            {"actor": supervisor, "party": "appraiser", "question": "?"},
        ),
        "decide_objection": (
            objection_actions.decide_objection,
            {
                "actor": supervisor,
                "decision": "upheld",
                "reason": "Ubah.",
                "rating_hasil": "above",
                "rating_perilaku": "above",
            },
        ),
        "finalise_skp": (final.finalise_skp, {"actor": hr}),
    }


def test_every_action_refuses_a_final_skp_and_changes_nothing(closed: SkpWorld) -> None:
    world = closed
    skp = world.skp("staf1")
    before = locked_state(world, "staf1")
    refused = {}
    for name, (action, arguments) in every_action(world, skp).items():
        with pytest.raises(StepNotAllowed) as raised:
            action(skp_id=skp.pk, **arguments)
        refused[name] = str(raised.value)
    with pytest.raises(StepNotAllowed) as raised:
        objection_actions.give_explanation(
            explanation_id=ObjectionExplanation.objects.get().pk,
            actor=world.user("staf1"),
            answer="Ubah.",
        )
    refused["give_explanation"] = str(raised.value)

    assert refused == dict.fromkeys(refused, LOCKED)
    assert len(refused) == 23
    assert locked_state(world, "staf1") == before


def test_the_units_result_is_fixed_once_one_of_its_skps_is_final(closed: SkpWorld) -> None:
    world = closed
    for unit in ("SEK-KUR", "DISDIK"):
        with pytest.raises(StepNotAllowed) as raised:
            walk.record_result(world, unit, "baik")
        name = world.org.units[unit].name
        assert str(raised.value) == (
            f"Sudah ada SKP final di {name}; predikat kinerja organisasinya tidak dapat "
            "diubah lagi."
        )
    # A unit outside the final SKP's line may still be graded.
    walk.record_result(world, "SEKRE", "baik")


def test_hr_reopening_unlocks_and_the_result_is_concluded_again(
    closed: SkpWorld, django_capture_on_commit_callbacks: Any
) -> None:
    world = closed
    skp = world.skp("staf1")
    assert (skp.predikat, skp.follow_up) == ("baik", "none")

    with django_capture_on_commit_callbacks(execute=True):
        engine.reopen_case(
            case_id=world.case("staf1").pk,
            actor=world.org.admin,
            reason="Salah input rating; SK Kepala BKPSDM 800/5/2027",
            to_stage="rate",
        )

    # The employee and the appraiser who rates again are told why.
    told = Notification.objects.filter(title__startswith="Dokumen dibuka kembali")
    assert sorted((note.recipient_id, note.body) for note in told) == sorted(
        (
            world.user(who).pk,
            "Dokumen final dibuka kembali ke tahap Penilaian oleh pejabat penilai. "
            "Alasan: Salah input rating; SK Kepala BKPSDM 800/5/2027",
        )
        for who in ("staf1", "kasi")
    )

    case = world.case("staf1")
    assert (case.stage_key, case.phase, case.is_open) == ("rate", Phase.REVIEWED, True)
    assert world.skp("staf1").finalised_at is None
    reopened = AuditEntry.objects.get(case=case, code=AuditCode.CASE_REOPENED)
    assert (reopened.actor_id, reopened.reason) == (
        world.org.admin.pk,
        "Salah input rating; SK Kepala BKPSDM 800/5/2027",
    )
    walk.rate(world, "staf1", "above", "above", justification="Koreksi.")
    walk.discuss(world, "staf1")
    objection_actions.acknowledge_result(skp_id=skp.pk, actor=world.user("staf1"))
    walk.finalise(world, "staf1")

    skp = world.skp("staf1")
    assert (skp.predikat, skp.follow_up, world.case("staf1").phase) == (
        "sangat_baik",
        "award",
        Phase.FINAL,
    )
    # Every result stays in the history: the first rating and the correction.
    assert list(
        RatingRecord.objects.filter(skp=skp).order_by("at", "pk").values_list("kind", "predikat")
    ) == [("appraiser", "baik"), ("appraiser", "sangat_baik")]
    assert [row.payload["predikat"] for row in walk.events(world, "staf1", "skp_concluded")] == [
        "baik",
        "sangat_baik",
    ]


def test_the_history_names_events_counts_repeats_and_the_stage_actually_entered(
    db: None,
) -> None:
    world = build_skp_world()
    walk.to_discussion(world, "staf1", justification="Unit belum dinilai.")
    objection_actions.acknowledge_result(skp_id=world.skp("staf1").pk, actor=world.user("staf1"))
    walk.finalise(world, "staf1", note="Ikut pelatihan analisis kurikulum.")

    rows = selectors.timeline_for(world.case("staf1"))
    shown = [(row.label, row.to_stage, row.count) for row in rows]

    # Four quarters' realisations of the one indicator read as one line.
    assert ("Realisasi disimpan", "Pemantauan kinerja dan bukti dukung", 4) in shown
    assert not any(row.label == "Catatan proses" for row in rows)
    # No keberatan: the discussion leads to the penetapan, the decision stage is skipped.
    done = next(
        row
        for row in rows
        if row.from_stage == "Dialog hasil dan tanggapan pegawai" and row.label == "Tahap selesai"
    )
    assert done.to_stage == "Penetapan hasil oleh pengelola kinerja"
    # Notes on completed steps read as notes, not as reasons.
    assert {
        row.reason_label
        for row in rows
        if row.entry.code in (AuditCode.TASK_COMPLETED, AuditCode.STAGE_COMPLETED)
    } == {"Catatan"}
    skipped = next(row for row in rows if row.label == "Tahap dilewati")
    assert (skipped.to_stage, skipped.reason, skipped.reason_label) == (
        "Keputusan atas keberatan",
        "pegawai tidak mengajukan keberatan",
        "Alasan",
    )
