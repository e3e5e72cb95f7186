"""Self-assessed and peer feedback: summaries, submission, N-of-M peers, refusals."""

from __future__ import annotations

import pytest

from processes.skp.actions import assessment
from processes.skp.actions.assessment import InvalidAssessment, PeerEntry
from processes.skp.models import BerAkhlak, PeerFeedback, Rhk, SelfAssessment
from processes.skp.stages import default_stages, insert_before, peer_feedback_stage
from tests.factories import skp_review as walk
from tests.factories.skp import SkpWorld, build_skp_world
from workflow.errors import ActionForbidden, GuardFailed, StepNotAllowed
from workflow.models import AuditCode, AuditEntry, WorkItem
from workflow.spec import Phase

VALUES = [str(value) for value in BerAkhlak.values]


@pytest.fixture
def world(db: None) -> SkpWorld:
    world = build_skp_world()
    walk.to_self_assessment(world, "staf1")
    return world


def test_the_employee_saves_summaries_per_rhk_and_value(world: SkpWorld) -> None:
    skp = world.skp("staf1")
    rhk = Rhk.objects.get(skp=skp)

    changed = assessment.save_self_assessment(
        skp_id=skp.pk,
        actor=world.user("staf1"),
        rhk_summaries={rhk.pk: "  Empat dokumen kurikulum disahkan.  "},
        value_summaries={"akuntabel": "Laporan tepat waktu.", "loyal": "Menjaga rahasia."},
    )

    assert changed == 3
    assert list(
        SelfAssessment.objects.filter(skp=skp)
        .order_by("value")
        .values_list("rhk_id", "value", "text")
    ) == [
        (rhk.pk, "", "Empat dokumen kurikulum disahkan."),
        (None, "akuntabel", "Laporan tepat waktu."),
        (None, "loyal", "Menjaga rahasia."),
    ]
    (row,) = walk.events(world, "staf1", "self_assessment_saved")
    assert (row.actor_id, row.capacity, row.acting_for_id, row.payload) == (
        world.user("staf1").pk,
        "",
        None,
        {"event": "self_assessment_saved", "rhks": [rhk.pk], "values": ["akuntabel", "loyal"]},
    )

    # Saving the same texts changes nothing and writes nothing; a blank text removes one.
    rows = walk.audit_rows(world, "staf1")
    unchanged = assessment.save_self_assessment(
        skp_id=skp.pk,
        actor=world.user("staf1"),
        rhk_summaries={rhk.pk: "Empat dokumen kurikulum disahkan."},
        value_summaries={},
    )
    assert (unchanged, walk.audit_rows(world, "staf1")) == (0, rows)
    removed = assessment.save_self_assessment(
        skp_id=skp.pk, actor=world.user("staf1"), rhk_summaries={}, value_summaries={"loyal": " "}
    )
    assert removed == 1
    assert sorted(SelfAssessment.objects.filter(skp=skp).values_list("value", flat=True)) == [
        "",
        "akuntabel",
    ]


def test_submitting_lists_every_missing_summary_and_changes_nothing(world: SkpWorld) -> None:
    skp = world.skp("staf1")
    rhk = Rhk.objects.get(skp=skp)
    assessment.save_self_assessment(
        skp_id=skp.pk,
        actor=world.user("staf1"),
        rhk_summaries={},
        value_summaries={value: "Baik." for value in VALUES if value != "adaptif"},
    )
    rows = walk.audit_rows(world, "staf1")

    with pytest.raises(GuardFailed) as raised:
        assessment.submit_self_assessment(skp_id=skp.pk, actor=world.user("staf1"))

    assert raised.value.problems == [
        f"Penilaian mandiri untuk RHK «{rhk.text}» belum diisi.",
        "Penilaian mandiri untuk nilai Adaptif belum diisi.",
    ]
    assert (world.case("staf1").stage_key, walk.audit_rows(world, "staf1")) == (
        "self_assess",
        rows,
    )
    assert world.task("staf1").status == "ASSIGNED"


def test_submitting_a_complete_self_assessment_moves_to_the_rating(world: SkpWorld) -> None:
    rhks, values = walk.summaries(world, "staf1")
    skp = world.skp("staf1")
    assessment.save_self_assessment(
        skp_id=skp.pk, actor=world.user("staf1"), rhk_summaries=rhks, value_summaries=values
    )

    case = assessment.submit_self_assessment(
        skp_id=skp.pk, actor=world.user("staf1"), comment=" Mohon dinilai "
    )

    assert (case.stage_key, case.phase) == ("rate", Phase.REVIEWED)
    done = AuditEntry.objects.get(
        case=case, code=AuditCode.TASK_COMPLETED, from_stage="self_assess"
    )
    assert (done.actor_id, done.reason, done.payload) == (
        world.user("staf1").pk,
        "Mohon dinilai",
        {"outcome": "submitted"},
    )
    assert world.task("staf1").owner_id == world.user("kasi").pk


@pytest.mark.parametrize("intruder", ["kasi", "staf2", "kabid"])
def test_only_the_employee_writes_and_submits_the_self_assessment(
    world: SkpWorld, intruder: str
) -> None:
    skp = world.skp("staf1")
    rhks, values = walk.summaries(world, "staf1")
    rows = walk.audit_rows(world, "staf1")

    with pytest.raises(ActionForbidden) as raised:
        assessment.save_self_assessment(
            skp_id=skp.pk, actor=world.user(intruder), rhk_summaries=rhks, value_summaries=values
        )
    assert str(raised.value) == "Hanya pegawai pemilik SKP yang boleh melakukan ini."
    with pytest.raises(ActionForbidden):
        assessment.submit_self_assessment(skp_id=skp.pk, actor=world.user(intruder))

    assert SelfAssessment.objects.filter(skp=skp).count() == 0
    assert (world.case("staf1").stage_key, walk.audit_rows(world, "staf1")) == (
        "self_assess",
        rows,
    )


def test_the_hr_admin_cannot_write_an_employees_self_assessment(world: SkpWorld) -> None:
    skp = world.skp("staf1")
    with pytest.raises(ActionForbidden):
        assessment.save_self_assessment(
            skp_id=skp.pk,
            actor=world.org.admin,
            rhk_summaries={},
            value_summaries={"loyal": "x"},
        )
    assert SelfAssessment.objects.filter(skp=skp).count() == 0


def test_unknown_rhk_and_values_are_refused_and_nothing_is_saved(world: SkpWorld) -> None:
    skp = world.skp("staf1")
    foreign = Rhk.objects.get(skp=world.skp("kasi"))
    own = Rhk.objects.get(skp=skp)

    with pytest.raises(InvalidAssessment) as raised:
        assessment.save_self_assessment(
            skp_id=skp.pk,
            actor=world.user("staf1"),
            rhk_summaries={own.pk: "Sah.", foreign.pk: "Bukan milik saya."},
            value_summaries={"loyal": "Sah.", "jujur": "?"},
        )

    assert raised.value.errors == {
        "rhk_summaries": [f"RHK tidak ditemukan pada SKP ini: {foreign.pk}."],
        "value_summaries": ["Nilai tidak dikenal: jujur."],
    }
    assert SelfAssessment.objects.filter(skp=skp).count() == 0
    assert walk.events(world, "staf1", "self_assessment_saved") == []


def test_the_self_assessment_is_closed_outside_its_stage(db: None) -> None:
    world = build_skp_world()
    walk.agree_for(world, "staf1")
    skp = world.skp("staf1")
    with pytest.raises(StepNotAllowed) as raised:
        assessment.save_self_assessment(
            skp_id=skp.pk, actor=world.user("staf1"), rhk_summaries={}, value_summaries={}
        )
    assert str(raised.value) == (
        "SKP sedang di tahap «Pemantauan kinerja dan bukti dukung»; "
        "tindakan ini tidak berlaku sekarang."
    )
    walk.monitor(world, "staf1")
    walk.self_assess(world, "staf1")
    with pytest.raises(StepNotAllowed) as raised:
        assessment.submit_self_assessment(skp_id=skp.pk, actor=world.user("staf1"))
    assert str(raised.value) == (
        "SKP sedang di tahap «Penilaian oleh pejabat penilai»; tindakan ini tidak berlaku sekarang."
    )


# Peer feedback -------------------------------------------------------------------------------


@pytest.fixture
def peers(db: None) -> SkpWorld:
    """A world whose template asks two of staf1's peers (staf2, staf3) before the rating."""
    world = build_skp_world(insert_before(default_stages(), "rate", peer_feedback_stage(n=2)))
    walk.to_rating(world, "staf1")
    return world


def entries(rating: str = "as_expected") -> list[PeerEntry]:
    return [PeerEntry(value, rating, f"Catatan {value}.") for value in reversed(VALUES)]


def pool(world: SkpWorld) -> list[WorkItem]:
    case = world.case("staf1")
    return list(WorkItem.objects.filter(process_id=case.pk, visit=case.visit).order_by("pk"))


def test_the_peer_stage_opens_two_claimable_tasks_for_the_peers(peers: SkpWorld) -> None:
    case = peers.case("staf1")
    assert (case.stage_key, case.phase, case.stage_quorum) == ("peer_feedback", Phase.REVIEWED, 2)
    assert [(t.is_pool, t.owner_id, t.candidate_ids) for t in pool(peers)] == [
        (True, None, [peers.user("staf2").pk, peers.user("staf3").pk]),
        (True, None, [peers.user("staf2").pk, peers.user("staf3").pk]),
    ]


def test_two_of_two_peers_give_feedback_and_the_stage_moves_on(peers: SkpWorld) -> None:
    skp = peers.skp("staf1")

    rows = assessment.give_peer_feedback(
        skp_id=skp.pk, actor=peers.user("staf2"), entries=entries("above")
    )

    assert [(row.value, row.rating, row.text, row.author_id) for row in rows] == [
        (value, "above", f"Catatan {value}.", peers.user("staf2").pk) for value in VALUES
    ]
    (event,) = walk.events(peers, "staf1", "peer_feedback_given")
    assert (event.actor_id, event.capacity, event.payload) == (
        peers.user("staf2").pk,
        "Rekan kerja",
        {"event": "peer_feedback_given", "ratings": dict.fromkeys(VALUES, "above")},
    )
    first, second = pool(peers)
    assert (first.owner_id, first.status, first.outcome) == (
        peers.user("staf2").pk,
        "DONE",
        "feedback_given",
    )
    assert (second.owner_id, second.status) == (None, "NEW")
    assert peers.case("staf1").stage_key == "peer_feedback"

    assessment.give_peer_feedback(skp_id=skp.pk, actor=peers.user("staf3"), entries=entries())

    case = peers.case("staf1")
    assert (case.stage_key, case.phase) == ("rate", Phase.REVIEWED)
    assert PeerFeedback.objects.filter(skp=skp).count() == 14


@pytest.mark.parametrize("intruder", ["staf1", "kasi", "guru", "kabid"])
def test_only_the_peers_give_peer_feedback(peers: SkpWorld, intruder: str) -> None:
    rows = walk.audit_rows(peers, "staf1")
    with pytest.raises(ActionForbidden) as raised:
        assessment.give_peer_feedback(
            skp_id=peers.skp("staf1").pk, actor=peers.user(intruder), entries=entries()
        )
    assert str(raised.value) == "Anda tidak memegang tugas pada tahap ini."
    assert PeerFeedback.objects.count() == 0
    assert [(t.owner_id, t.status) for t in pool(peers)] == [(None, "NEW"), (None, "NEW")]
    assert walk.audit_rows(peers, "staf1") == rows


def test_a_peer_gives_feedback_once(peers: SkpWorld) -> None:
    skp = peers.skp("staf1")
    assessment.give_peer_feedback(skp_id=skp.pk, actor=peers.user("staf2"), entries=entries())
    rows = walk.audit_rows(peers, "staf1")

    with pytest.raises(ActionForbidden):
        assessment.give_peer_feedback(
            skp_id=skp.pk, actor=peers.user("staf2"), entries=entries("below")
        )

    assert set(PeerFeedback.objects.values_list("rating", flat=True)) == {"as_expected"}
    assert walk.audit_rows(peers, "staf1") == rows


def test_peer_feedback_needs_all_seven_values_each_rated_once(peers: SkpWorld) -> None:
    given = [
        PeerEntry("akuntabel", "sangat", ""),
        PeerEntry("loyal", "above", ""),
        PeerEntry("loyal", "below", ""),
        PeerEntry("jujur", "above", ""),
    ]
    rows = walk.audit_rows(peers, "staf1")

    with pytest.raises(InvalidAssessment) as raised:
        assessment.give_peer_feedback(
            skp_id=peers.skp("staf1").pk, actor=peers.user("staf2"), entries=given
        )

    assert raised.value.errors == {
        "akuntabel": ["Pilih penilaian untuk Akuntabel."],
        "entries": [
            "Nilai Loyal diisi lebih dari sekali.",
            "Nilai tidak dikenal: jujur.",
            "Umpan balik untuk nilai Berorientasi Pelayanan belum diisi.",
            "Umpan balik untuk nilai Kompeten belum diisi.",
            "Umpan balik untuk nilai Harmonis belum diisi.",
            "Umpan balik untuk nilai Adaptif belum diisi.",
            "Umpan balik untuk nilai Kolaboratif belum diisi.",
        ],
    }
    # Not even the claim of the pool task remains.
    assert [(t.owner_id, t.status) for t in pool(peers)] == [(None, "NEW"), (None, "NEW")]
    assert PeerFeedback.objects.count() == 0
    assert walk.audit_rows(peers, "staf1") == rows


def test_peer_feedback_outside_its_stage_is_refused(world: SkpWorld) -> None:
    with pytest.raises(StepNotAllowed) as raised:
        assessment.give_peer_feedback(
            skp_id=world.skp("staf1").pk, actor=world.user("staf2"), entries=entries()
        )
    assert str(raised.value) == (
        "SKP sedang di tahap «Penilaian mandiri»; tindakan ini tidak berlaku sekarang."
    )
    assert PeerFeedback.objects.count() == 0
