"""One staff SKP from cycle opening to final through all seven phases, with the product's actions.

Andi Pratama (staf1, Pengelola Kurikulum in the Seksi Kurikulum) is appraised by the Kepala
Seksi (kasi), whose own supervisor is the Kepala Bidang (kabid). The plans above his are
agreed first (the cascade), then he plans, is monitored, assesses himself, is rated within
his unit's curve, discusses the result, objects, and the Kepala Bidang's decision is final
before HR fixes the result. The same walk runs on the default template, on one where his
peers (staf2 and staf3, two of two needed) give feedback before the rating, and on one where
an independent team reviews the rating.
"""

from __future__ import annotations

import pytest

from processes.skp.access import today_for
from processes.skp.actions import assessment, final, monitoring, review
from processes.skp.actions import cycle as cycle_actions
from processes.skp.actions import objection as objection_actions
from processes.skp.actions import plan as plan_actions
from processes.skp.actions.assessment import PeerEntry
from processes.skp.models import BerAkhlak, Objection, RatingRecord, Skp
from processes.skp.process import periods_of
from processes.skp.stages import default_stages, insert_before, peer_feedback_stage
from tests.factories import skp_review as walk
from tests.factories.skp import EXPECTATIONS, SkpWorld, agree_chain, build_skp_world
from workflow import actions as engine
from workflow.audit import verify_all
from workflow.doctor import diagnose
from workflow.models import Case
from workflow.spec import Phase


def build(variant: str) -> SkpWorld:
    if variant == "team":
        return walk.build_team_world(open_now=False)
    if variant == "peers":
        stages = insert_before(default_stages(), "rate", peer_feedback_stage(n=2))
        return build_skp_world(stages, open_now=False)
    return build_skp_world(open_now=False)


def at(world: SkpWorld) -> tuple[str, str]:
    case = world.case("staf1")
    return case.stage_key, case.phase


@pytest.mark.parametrize("variant", ["default", "peers", "team"])
def test_a_staff_skp_runs_from_cycle_opening_to_final(db: None, variant: str) -> None:
    world = build(variant)
    employee, appraiser = world.user("staf1"), world.user("kasi")
    supervisor, hr = world.user("kabid"), world.org.admin

    # Cycle opening: everyone in the Dinas gets an SKP in plan drafting.
    assert cycle_actions.open_cycle_now(cycle_id=world.cycle.pk, actor=hr) == 8
    assert at(world) == ("draft_plan", Phase.PLAN_DRAFTED)

    # Plan drafted: the appraisers' plans first, then his, cascaded under the Kepala Seksi's.
    agree_chain(world, "kadis", "kabid", "kasi")
    skp = world.skp("staf1")
    (parent,) = plan_actions.cascade_options(skp)
    rhk = plan_actions.save_rhk(
        skp_id=skp.pk,
        actor=employee,
        text="Tersusunnya dokumen kurikulum muatan lokal",
        parent_id=parent.pk,
    )
    indicator = plan_actions.save_indicator(
        skp_id=skp.pk,
        actor=employee,
        rhk_id=rhk.pk,
        text="Jumlah dokumen kurikulum muatan lokal yang disahkan",
        aspect="kuantitas",
        target_value="4",
        target_unit="dokumen",
    )
    periods = periods_of(skp)
    for period in periods:
        plan_actions.save_action_plan(
            skp_id=skp.pk,
            actor=employee,
            rhk_id=rhk.pk,
            period_index=period.index,
            text=f"Menyusun satu dokumen kurikulum {period.label}",
            target="1 dokumen",
        )
    plan_actions.submit_plan(skp_id=skp.pk, actor=employee, comment="Mohon persetujuan")
    assert at(world) == ("agree_plan", Phase.AGREED)

    # Agreed: the Kepala Seksi writes the expectations and agrees the plan.
    plan_actions.save_expectations(skp_id=skp.pk, actor=appraiser, expectations=dict(EXPECTATIONS))
    plan_actions.approve_plan(skp_id=skp.pk, actor=appraiser)
    assert at(world) == ("monitor", Phase.MONITORED)

    # Monitored: realisations each quarter, feedback, a coaching dialog, period ratings.
    for period in periods:
        monitoring.save_realisation(
            skp_id=skp.pk,
            actor=employee,
            indicator_id=indicator.pk,
            period_index=period.index,
            value="1",
            note=f"Satu dokumen disahkan {period.label}",
        )
    monitoring.give_feedback(
        skp_id=skp.pk,
        actor=appraiser,
        text="Dokumen rapi dan tepat waktu.",
        indicator_id=indicator.pk,
        period_index=periods[-1].index,
    )
    monitoring.give_feedback(
        skp_id=skp.pk, actor=appraiser, text="Sigap membantu sekolah.", value="kolaboratif"
    )
    monitoring.record_dialog(
        skp_id=skp.pk,
        actor=appraiser,
        kind="coaching",
        held_on=today_for(skp),
        agenda="Kemajuan penyusunan kurikulum",
        outcome="Target tahunan tercapai",
    )
    for period in periods:
        monitoring.rate_period(
            skp_id=skp.pk,
            actor=appraiser,
            period_index=period.index,
            rating_hasil="above",
            rating_perilaku="above",
        )
    monitoring.finish_monitoring(skp_id=skp.pk, actor=employee)
    assert at(world) == ("self_assess", Phase.SELF_ASSESSED)

    # Self-assessed.
    assessment.save_self_assessment(
        skp_id=skp.pk,
        actor=employee,
        rhk_summaries={rhk.pk: "Empat dokumen kurikulum muatan lokal disahkan."},
        value_summaries=dict.fromkeys(EXPECTATIONS, "Ditunjukkan dalam pelayanan sekolah."),
    )
    assessment.submit_self_assessment(skp_id=skp.pk, actor=employee)

    # Reviewed: his peers first where the template asks for them (N of M, in parallel).
    if variant == "peers":
        assert at(world) == ("peer_feedback", Phase.REVIEWED)
        for peer in ("staf2", "staf3"):
            assessment.give_peer_feedback(
                skp_id=skp.pk,
                actor=world.user(peer),
                entries=[
                    PeerEntry(value, "above", "Sangat membantu.") for value in BerAkhlak.values
                ],
            )
    assert at(world) == ("rate", Phase.REVIEWED)

    # The Kepala Bidang grades the Seksi; the Kepala Seksi rates within its curve.
    review.record_organisation_result(
        actor=supervisor, cycle=world.cycle, unit=world.org.units["SEK-KUR"], predikat="istimewa"
    )
    context = review.rating_context(world.skp("staf1"))
    assert (context.organisation_predikat, context.suggested_hasil, context.suggested_perilaku) == (
        "istimewa",
        "above",
        "above",
    )
    assert [a.percent for a in context.achievements] == [100]
    review.rate_skp(
        skp_id=skp.pk,
        actor=appraiser,
        rating_hasil="as_expected",
        rating_perilaku="above",
        justification="Target tercapai tepat, tidak melampaui.",
    )
    review.submit_rating(skp_id=skp.pk, actor=appraiser)
    if variant == "team":
        assert at(world) == ("team_review", Phase.REVIEWED)
        member = walk.team_member(world, 1)
        review.add_field_observation(
            skp_id=skp.pk,
            actor=member,
            observed_on=today_for(skp),
            location="SD Negeri 3 Kota",
            notes="Dokumen kurikulum dipakai di kelas.",
        )
        review.submit_team_review(
            skp_id=skp.pk,
            actor=member,
            summary="Capaian sesuai bukti; dampak di sekolah terlihat.",
            recommendation="Pertimbangkan rating hasil kerja di atas ekspektasi.",
            agrees_with_rating=False,
        )
    assert at(world) == ("discuss", Phase.DISCUSSED)
    assert world.skp("staf1").predikat == "baik"

    # Discussed: the result dialog, then a keberatan within the window.
    monitoring.record_dialog(
        skp_id=skp.pk,
        actor=appraiser,
        kind="result",
        held_on=today_for(skp),
        agenda="Pembahasan hasil penilaian tahunan",
        outcome="Pegawai belum sependapat dengan rating hasil kerja",
    )
    objection_actions.file_objection(
        skp_id=skp.pk,
        actor=employee,
        reasons="Dokumen keempat dipakai seluruh sekolah dasar di kabupaten.",
    )
    assert at(world) == ("decide_objection", Phase.DISCUSSED)

    # The Kepala Bidang asks the appraiser, hears both sides and decides; it is final.
    asked = objection_actions.request_explanation(
        skp_id=skp.pk,
        actor=supervisor,
        party="appraiser",
        question="Mengapa hasil kerja dinilai sesuai ekspektasi?",
    )
    objection_actions.give_explanation(
        explanation_id=asked.pk, actor=appraiser, answer="Realisasi sama dengan target."
    )
    monitoring.record_dialog(
        skp_id=skp.pk,
        actor=supervisor,
        kind="objection",
        held_on=today_for(skp),
        agenda="Klarifikasi keberatan",
        outcome="Dampak dokumen melampaui target kuantitas",
    )
    objection_actions.decide_objection(
        skp_id=skp.pk,
        actor=supervisor,
        decision="upheld",
        reason="Dampak dokumen melampaui ekspektasi.",
        rating_hasil="above",
        rating_perilaku="above",
    )
    assert at(world) == ("finalise", Phase.FINAL)

    # Final: HR takes the task and fixes the result; the SKP locks.
    engine.claim_task(task_id=world.task("staf1").pk, actor=hr)
    final.finalise_skp(skp_id=skp.pk, actor=hr, follow_up_note="Usulan penghargaan pegawai.")

    case = world.case("staf1")
    done = Skp.objects.get(pk=skp.pk)
    assert (case.phase, case.is_open) == (Phase.FINAL, False)
    assert (done.rating_hasil, done.rating_perilaku, done.predikat) == (
        "above",
        "above",
        "sangat_baik",
    )
    assert (done.credit_points, done.follow_up, done.finalised_at is not None) == (
        None,  # a pelaksana earns no credit points
        "award",
        True,
    )
    assert list(
        RatingRecord.objects.filter(skp=done).order_by("at", "pk").values_list("kind", "predikat")
    ) == [("appraiser", "baik"), ("objection", "sangat_baik")]
    assert Objection.objects.get(skp=done).decision == "upheld"
    assert list(verify_all()) == []
    assert {case.pk: diagnose(case) for case in Case.objects.all()} == {
        case.pk: [] for case in Case.objects.all()
    }
