"""Discussed and keberatan: acknowledging, the window in the agency's zone, explanations,
the final decision, and the scheduled expiry of unused windows.

The result reaches staf1 at 10.00 WITA on Monday 23 November 2026 (the agency is in
Asia/Makassar), so the 14-day window ends at the end of Monday 7 December 2026, WITA.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from processes.skp.actions import objection as actions
from processes.skp.actions import review
from processes.skp.actions.objection import InvalidObjection
from processes.skp.models import Evidence, Objection, ObjectionExplanation, RatingRecord
from tests.factories import skp_review as walk
from tests.factories.skp import SkpWorld, build_skp_world
from tests.factories.skp_monitoring import PDF, clock, set_settings, upload
from workflow.errors import ActionForbidden, GuardFailed, StepNotAllowed
from workflow.models import AuditCode, AuditEntry, Holiday, Notification, WorkItem
from workflow.spec import Phase

WITA = zoneinfo.ZoneInfo("Asia/Makassar")
RECEIVED = datetime.datetime(2026, 11, 23, 10, 0, tzinfo=WITA)
DEADLINE = datetime.datetime(2026, 12, 7, 23, 59, 59, 999999, tzinfo=WITA)
LAST_MINUTE = datetime.datetime(2026, 12, 7, 23, 59, 30, tzinfo=WITA)
TOO_LATE = datetime.datetime(2026, 12, 8, 0, 0, 0, tzinfo=WITA)
DECIDING = datetime.datetime(2026, 12, 9, 9, 0, tzinfo=WITA)
OnCommit = Callable[..., Any]


def discussed(world: SkpWorld, who: str) -> None:
    """Bring ``who`` to the discussion, rated Baik, the result received at RECEIVED."""
    with clock(RECEIVED):
        walk.to_discussion(world, who)


@pytest.fixture
def world(db: None) -> SkpWorld:
    world = build_skp_world()
    discussed(world, "staf1")
    return world


@pytest.fixture
def objected(world: SkpWorld) -> SkpWorld:
    with clock(LAST_MINUTE):
        actions.file_objection(
            skp_id=world.skp("staf1").pk,
            actor=world.user("staf1"),
            reasons="Capaian triwulan IV belum dipertimbangkan.",
        )
    return world


def state(world: SkpWorld, who: str = "staf1") -> tuple[object, ...]:
    """Return what these actions write, to prove a refusal changed nothing."""
    skp = world.skp(who)
    found = Objection.objects.filter(skp=skp).first()
    return (
        skp.rating_hasil,
        skp.rating_perilaku,
        skp.predikat,
        skp.acknowledged_at,
        found.status if found else None,
        found.decision if found else None,
        ObjectionExplanation.objects.filter(objection__skp=skp).count(),
        RatingRecord.objects.filter(skp=skp).count(),
        walk.audit_rows(world, who),
        world.case(who).stage_key,
    )


# Acknowledging ---------------------------------------------------------------------------


def test_the_window_is_fourteen_days_ending_at_local_midnight(world: SkpWorld) -> None:
    skp = world.skp("staf1")
    assert skp.result_received_at == RECEIVED
    assert actions.objection_window(skp, LAST_MINUTE) == (DEADLINE, True)
    assert actions.objection_window(skp, DEADLINE) == (DEADLINE, True)
    assert actions.objection_window(skp, TOO_LATE) == (DEADLINE, False)
    assert actions.local_deadline_text(skp, DEADLINE) == "7 Desember 2026 23.59 WITA"


def test_the_window_starts_only_when_the_result_dialog_is_recorded(db: None) -> None:
    world = build_skp_world()
    with clock(RECEIVED):
        walk.to_rating(world, "staf1")
        walk.rate(world, "staf1", justification="Unit belum lengkap dinilai.")
    skp = world.skp("staf1")
    assert skp.result_received_at == RECEIVED

    # The appraiser records nothing for three weeks: the employee's window does not run.
    with pytest.raises(StepNotAllowed) as raised:
        actions.objection_window(skp, TOO_LATE)
    assert str(raised.value) == (
        "Jangka waktu keberatan belum berjalan: pejabat penilai belum mencatat dialog hasil "
        "penilaian."
    )
    assert actions.expire_discussion_windows(now=TOO_LATE + datetime.timedelta(days=7)) == []
    assert world.case("staf1").stage_key == "discuss"

    # The dialog on 14 December starts the 14 days then.
    dialog_time = datetime.datetime(2026, 12, 14, 9, 0, tzinfo=WITA)
    with clock(dialog_time):
        walk.discuss(world, "staf1")
    deadline, on_time = actions.objection_window(world.skp("staf1"), TOO_LATE)
    assert (deadline, on_time) == (
        datetime.datetime(2026, 12, 28, 23, 59, 59, 999999, tzinfo=WITA),
        True,
    )


def test_an_agency_may_count_the_window_in_working_days(world: SkpWorld) -> None:
    set_settings(world, objection_days=5, objection_working_days=True)
    Holiday.objects.create(tenant=world.org.agency, date=datetime.date(2026, 11, 27), name="Cuti")

    deadline, _within = actions.objection_window(world.skp("staf1"), RECEIVED)

    # Tue 24, Wed 25, Thu 26, (Fri 27 off, weekend), Mon 30, Tue 1 December.
    assert deadline == datetime.datetime(2026, 12, 1, 23, 59, 59, 999999, tzinfo=WITA)


def test_the_employee_acknowledges_and_the_decision_stage_is_skipped(world: SkpWorld) -> None:
    skp = world.skp("staf1")
    with clock(DECIDING):
        case = actions.acknowledge_result(skp_id=skp.pk, actor=world.user("staf1"))

    assert (case.stage_key, case.phase) == ("finalise", Phase.FINAL)
    assert world.skp("staf1").acknowledged_at == DECIDING
    (row,) = walk.events(world, "staf1", "result_acknowledged")
    assert (row.actor_id, row.payload) == (world.user("staf1").pk, {"event": "result_acknowledged"})
    done = AuditEntry.objects.get(case=case, code=AuditCode.TASK_COMPLETED, from_stage="discuss")
    assert done.payload == {"outcome": "acknowledged"}
    skipped = AuditEntry.objects.get(case=case, code=AuditCode.STAGE_SKIPPED)
    assert (skipped.to_stage, skipped.reason) == (
        "decide_objection",
        "pegawai tidak mengajukan keberatan",
    )


def test_nothing_can_be_answered_before_the_result_dialog(db: None) -> None:
    world = build_skp_world()
    with clock(RECEIVED):
        walk.to_rating(world, "staf1")
        walk.rate(world, "staf1", justification="Unit belum dinilai.")
    before = state(world)

    with pytest.raises(GuardFailed) as raised:
        actions.acknowledge_result(skp_id=world.skp("staf1").pk, actor=world.user("staf1"))
    assert raised.value.problems == ["Dialog hasil penilaian belum dicatat oleh pejabat penilai."]
    with pytest.raises(StepNotAllowed) as refused, clock(LAST_MINUTE):
        actions.file_objection(
            skp_id=world.skp("staf1").pk, actor=world.user("staf1"), reasons="Tidak setuju."
        )
    assert str(refused.value) == (
        "Jangka waktu keberatan belum berjalan: pejabat penilai belum mencatat dialog hasil "
        "penilaian."
    )

    assert state(world) == before
    assert Objection.objects.count() == 0


def test_the_appraiser_is_asked_for_the_result_dialog_and_the_employee_waits_for_it(
    db: None, client: Client, django_capture_on_commit_callbacks: OnCommit
) -> None:
    world = build_skp_world()
    with clock(RECEIVED):
        walk.to_rating(world, "staf1")
        with django_capture_on_commit_callbacks(execute=True):
            walk.rate(world, "staf1", justification="Unit belum dinilai.")
    skp = world.skp("staf1")
    url = reverse("skp:detail_tab", kwargs={"skp_id": skp.pk, "tab": "dialog"})
    client.force_login(world.user("staf1"))

    appraiser = Client()
    appraiser.force_login(world.user("kasi"))
    # The pages are read on the day the result came, inside the keberatan window (it ends
    # at DEADLINE; read at the real time, the test would fail from that day on).
    with clock(RECEIVED):
        waiting = client.get(url).content.decode()
        before_dialog = appraiser.get(url).content.decode()
        walk.discuss(world, "staf1")
        answering = client.get(url).content.decode()
        recorded = appraiser.get(url).content.decode()

    (note,) = Notification.objects.filter(title__startswith="Catat dialog")
    assert (note.recipient_id, note.title) == (
        world.user("kasi").pk,
        f"Catat dialog hasil penilaian: {skp.employee.name}",
    )
    assert note.url == f"{url}#catat-dialog"
    assert 'id="menunggu-dialog"' in waiting
    assert "Terima hasil" not in waiting
    assert "Ajukan keberatan" not in waiting
    assert 'id="menunggu-dialog"' not in answering
    assert 'id="dialog-tercatat"' not in before_dialog
    assert 'id="dialog-tercatat"' in recorded
    assert "Terima hasil" in answering
    assert "Ajukan keberatan" in answering


@pytest.mark.parametrize("intruder", ["kasi", "kabid", "staf2"])
def test_only_the_employee_answers_the_result(world: SkpWorld, intruder: str) -> None:
    skp = world.skp("staf1")
    before = state(world)
    with pytest.raises(ActionForbidden) as raised:
        actions.acknowledge_result(skp_id=skp.pk, actor=world.user(intruder))
    assert str(raised.value) == "Hanya pegawai pemilik SKP yang boleh melakukan ini."
    with pytest.raises(ActionForbidden), clock(LAST_MINUTE):
        actions.file_objection(skp_id=skp.pk, actor=world.user(intruder), reasons="Keberatan.")
    assert state(world) == before


def test_answers_belong_to_the_discussion_stage(db: None) -> None:
    world = build_skp_world()
    walk.to_rating(world, "staf1")
    skp = world.skp("staf1")
    with pytest.raises(StepNotAllowed) as raised:
        actions.acknowledge_result(skp_id=skp.pk, actor=world.user("staf1"))
    assert str(raised.value) == (
        "SKP sedang di tahap «Penilaian oleh pejabat penilai»; tindakan ini tidak berlaku sekarang."
    )
    with pytest.raises(StepNotAllowed):
        actions.file_objection(skp_id=skp.pk, actor=world.user("staf1"), reasons="Keberatan.")
    assert Objection.objects.count() == 0


# Filing ----------------------------------------------------------------------------------


def test_a_keberatan_filed_in_the_last_minute_goes_to_the_appraisers_supervisor(
    world: SkpWorld,
) -> None:
    skp = world.skp("staf1")
    with clock(LAST_MINUTE):
        filed = actions.file_objection(
            skp_id=skp.pk,
            actor=world.user("staf1"),
            reasons="  Capaian triwulan IV belum dipertimbangkan.  ",
        )

    assert (
        filed.reasons,
        filed.filed_by_id,
        filed.filed_at,
        filed.deadline,
        filed.status,
        filed.decision,
    ) == (
        "Capaian triwulan IV belum dipertimbangkan.",
        world.user("staf1").pk,
        LAST_MINUTE,
        DEADLINE,
        "filed",
        "",
    )
    case = world.case("staf1")
    assert (case.stage_key, case.phase) == ("decide_objection", Phase.DISCUSSED)
    # PP 30/2019: the keberatan goes to the appraiser's own supervisor.
    assert world.task("staf1").owner_id == world.user("kabid").pk
    (row,) = walk.events(world, "staf1", "objection_filed")
    assert (row.actor_id, row.payload) == (
        world.user("staf1").pk,
        {
            "event": "objection_filed",
            "objection": filed.pk,
            "deadline": "2026-12-07T15:59:59.999999+00:00",
        },
    )
    done = AuditEntry.objects.get(case=case, code=AuditCode.TASK_COMPLETED, from_stage="discuss")
    assert done.payload == {"outcome": "objection"}
    assert world.skp("staf1").acknowledged_at is None


def test_a_late_keberatan_is_refused_with_the_deadline_in_the_agencys_zone(
    world: SkpWorld,
) -> None:
    before = state(world)
    with pytest.raises(StepNotAllowed) as raised, clock(TOO_LATE):
        actions.file_objection(
            skp_id=world.skp("staf1").pk, actor=world.user("staf1"), reasons="Terlambat."
        )
    assert str(raised.value) == "Batas waktu keberatan sudah lewat (7 Desember 2026 23.59 WITA)."
    assert state(world) == before
    assert world.task("staf1").status == "ASSIGNED"


def test_a_keberatan_needs_reasons(world: SkpWorld) -> None:
    before = state(world)
    with pytest.raises(InvalidObjection) as raised, clock(LAST_MINUTE):
        actions.file_objection(skp_id=world.skp("staf1").pk, actor=world.user("staf1"), reasons=" ")
    assert raised.value.errors == {"reasons": ["Alasan keberatan wajib diisi."]}
    assert state(world) == before


# Explanations ----------------------------------------------------------------------------


def test_the_supervisor_asks_both_sides_and_they_answer(
    objected: SkpWorld, django_capture_on_commit_callbacks: OnCommit
) -> None:
    world = objected
    skp = world.skp("staf1")
    with django_capture_on_commit_callbacks(execute=True), clock(DECIDING):
        asked_appraiser = actions.request_explanation(
            skp_id=skp.pk,
            actor=world.user("kabid"),
            party="appraiser",
            question=" Apa dasar rating Sesuai Ekspektasi? ",
        )
        asked_employee = actions.request_explanation(
            skp_id=skp.pk,
            actor=world.user("kabid"),
            party="employee",
            question="Bukti capaian triwulan IV mana yang terlewat?",
        )

    assert (asked_appraiser.question, asked_appraiser.requested_by_id) == (
        "Apa dasar rating Sesuai Ekspektasi?",
        world.user("kabid").pk,
    )
    assert Objection.objects.get(skp=skp).status == "explanation_requested"
    assert [
        (r.actor_id, r.capacity, r.payload["party"])
        for r in walk.events(world, "staf1", "objection_explanation_requested")
    ] == [
        (world.user("kabid").pk, "Kepala Bidang Pembinaan SD", "appraiser"),
        (world.user("kabid").pk, "Kepala Bidang Pembinaan SD", "employee"),
    ]
    assert list(
        Notification.objects.filter(code=AuditCode.PROCESS_EVENT, case=skp.case)
        .order_by("pk")
        .values_list("recipient_id", "title", "body")
    ) == [
        (
            world.user("kasi").pk,
            "Penjelasan keberatan diminta: SKP 2026 Andi Pratama",
            "Apa dasar rating Sesuai Ekspektasi?",
        ),
        (
            world.user("staf1").pk,
            "Penjelasan keberatan diminta: SKP 2026 Andi Pratama",
            "Bukti capaian triwulan IV mana yang terlewat?",
        ),
    ]

    # Each side answers only its own question, once.
    with pytest.raises(ActionForbidden) as raised:
        actions.give_explanation(
            explanation_id=asked_appraiser.pk, actor=world.user("staf1"), answer="Saya jawab."
        )
    assert str(raised.value) == "Penjelasan ini diminta dari pejabat penilai."
    with pytest.raises(InvalidObjection) as invalid:
        actions.give_explanation(
            explanation_id=asked_appraiser.pk, actor=world.user("kasi"), answer=""
        )
    assert invalid.value.errors == {"answer": ["Penjelasan wajib diisi."]}
    with django_capture_on_commit_callbacks(execute=True), clock(DECIDING):
        answered = actions.give_explanation(
            explanation_id=asked_appraiser.pk,
            actor=world.user("kasi"),
            answer="Realisasi sama dengan target, bukan melampaui.",
        )
    assert (answered.answer, answered.answered_by_id, answered.answered_at) == (
        "Realisasi sama dengan target, bukan melampaui.",
        world.user("kasi").pk,
        DECIDING,
    )
    # One question still waits for its answer.
    assert Objection.objects.get(skp=skp).status == "explanation_requested"
    with pytest.raises(StepNotAllowed) as twice:
        actions.give_explanation(
            explanation_id=asked_appraiser.pk, actor=world.user("kasi"), answer="Lagi."
        )
    assert str(twice.value) == "Penjelasan ini sudah diberikan."

    actions.give_explanation(
        explanation_id=asked_employee.pk,
        actor=world.user("staf1"),
        answer="Laporan sosialisasi kurikulum bulan Desember.",
    )
    assert Objection.objects.get(skp=skp).status == "filed"
    assert [
        (r.actor_id, r.capacity, r.payload["party"])
        for r in walk.events(world, "staf1", "objection_explanation_given")
    ] == [
        (world.user("kasi").pk, "Kepala Seksi Kurikulum", "appraiser"),
        (world.user("staf1").pk, "Pegawai", "employee"),
    ]
    assert (
        Notification.objects.filter(
            recipient=world.user("kabid"),
            title="Penjelasan keberatan diberikan: SKP 2026 Andi Pratama",
        ).count()
        == 1
    )


def test_an_explanation_may_carry_a_supporting_file_checked_like_evidence(
    objected: SkpWorld,
) -> None:
    world = objected
    skp = world.skp("staf1")
    asked = actions.request_explanation(
        skp_id=skp.pk,
        actor=world.user("kabid"),
        party="employee",
        question="Mana bukti sosialisasi bulan Desember?",
    )
    before = (state(world), Evidence.objects.filter(skp=skp).count())

    with pytest.raises(InvalidObjection) as invalid:
        actions.give_explanation(
            explanation_id=asked.pk,
            actor=world.user("staf1"),
            answer="Terlampir.",
            evidence_file=upload("daftar-hadir.txt", b"hadir"),
        )
    assert invalid.value.errors == {
        "evidence_file": [
            "Jenis berkas .txt tidak diizinkan; gunakan: docx, jpeg, jpg, pdf, png, xlsx."
        ]
    }
    assert (state(world), Evidence.objects.filter(skp=skp).count()) == before
    assert ObjectionExplanation.objects.get(pk=asked.pk).answered_at is None

    answered = actions.give_explanation(
        explanation_id=asked.pk,
        actor=world.user("staf1"),
        answer="Terlampir daftar hadir sosialisasi.",
        evidence_file=upload("daftar-hadir.pdf", PDF),
    )

    evidence = answered.evidence
    assert evidence is not None
    assert (evidence.skp_id, evidence.kind, evidence.original_name, evidence.uploaded_by_id) == (
        skp.pk,
        "explanation",
        "daftar-hadir.pdf",
        world.user("staf1").pk,
    )
    assert [row.payload["kind"] for row in walk.events(world, "staf1", "evidence_added")] == [
        "explanation"
    ]
    # The one deciding reads the file on the dialog tab; someone outside the SKP cannot.
    download = reverse("skp:evidence_download", kwargs={"evidence_id": evidence.pk})
    decider = Client()
    decider.force_login(world.user("kabid"))
    page = decider.get(reverse("skp:detail_tab", kwargs={"skp_id": skp.pk, "tab": "dialog"}))
    assert download in page.content.decode()
    assert decider.get(download).status_code == 200
    outsider = Client()
    outsider.force_login(world.user("guru"))
    assert outsider.get(download).status_code == 404


def test_the_employee_sends_an_explanation_with_a_file_from_the_dialog_tab(
    objected: SkpWorld,
) -> None:
    world = objected
    skp = world.skp("staf1")
    asked = actions.request_explanation(
        skp_id=skp.pk, actor=world.user("kabid"), party="employee", question="Buktinya?"
    )
    url = reverse("skp:detail_tab", kwargs={"skp_id": skp.pk, "tab": "dialog"})
    employee = Client()
    employee.force_login(world.user("staf1"))
    key = f"jawab-{asked.pk}"
    form = employee.get(url).content.decode()
    assert f'id="{key}" enctype="multipart/form-data"' in form

    refused = employee.post(
        url,
        {
            "aksi": "jawab",
            "penjelasan": asked.pk,
            f"{key}-answer": "Terlampir.",
            f"{key}-evidence_file": upload("x.exe", b"MZ"),
        },
    )
    assert refused.status_code == 200
    assert refused.context["answers"][0][1].errors == {
        "evidence_file": ["Jenis berkas .exe tidak diterima."]
    }
    assert Evidence.objects.filter(skp=skp).count() == 0

    sent = employee.post(
        url,
        {
            "aksi": "jawab",
            "penjelasan": asked.pk,
            f"{key}-answer": "Terlampir.",
            f"{key}-evidence_file": upload("bukti.pdf", PDF),
        },
    )
    assert sent.status_code == 302
    stored = ObjectionExplanation.objects.get(pk=asked.pk).evidence
    assert stored is not None
    assert stored.original_name == "bukti.pdf"


def test_only_the_decider_asks_and_a_request_needs_a_party_and_a_question(
    objected: SkpWorld,
) -> None:
    world = objected
    skp = world.skp("staf1")
    before = state(world)
    for intruder in ("kasi", "staf1", "kadis"):
        with pytest.raises(ActionForbidden) as raised:
            actions.request_explanation(
                skp_id=skp.pk, actor=world.user(intruder), party="employee", question="?"
            )
        assert str(raised.value) == "Anda tidak memegang tugas pada tahap ini."
    with pytest.raises(InvalidObjection) as invalid:
        actions.request_explanation(
            skp_id=skp.pk, actor=world.user("kabid"), party="hr", question=" "
        )
    assert invalid.value.errors == {
        "party": ["Pilih pihak yang dimintai penjelasan."],
        "question": ["Pertanyaan wajib diisi."],
    }
    assert state(world) == before


# Decision --------------------------------------------------------------------------------


def test_an_upheld_keberatan_changes_the_result_and_keeps_the_original(
    objected: SkpWorld, django_capture_on_commit_callbacks: OnCommit
) -> None:
    world = objected
    skp = world.skp("staf1")
    original = RatingRecord.objects.get(skp=skp)

    with django_capture_on_commit_callbacks(execute=True), clock(DECIDING):
        decided = actions.decide_objection(
            skp_id=skp.pk,
            actor=world.user("kabid"),
            decision="upheld",
            reason=" Bukti triwulan IV menunjukkan capaian melampaui target. ",
            rating_hasil="above",
            rating_perilaku="above",
        )

    assert (
        decided.status,
        decided.decision,
        decided.decision_reason,
        decided.decided_by_id,
        decided.decided_capacity,
        decided.decided_at,
    ) == (
        "decided",
        "upheld",
        "Bukti triwulan IV menunjukkan capaian melampaui target.",
        world.user("kabid").pk,
        "Kepala Bidang Pembinaan SD",
        DECIDING,
    )
    skp = world.skp("staf1")
    assert (skp.rating_hasil, skp.rating_perilaku, skp.predikat) == (
        "above",
        "above",
        "sangat_baik",
    )
    assert list(
        RatingRecord.objects.filter(skp=skp)
        .order_by("at", "pk")
        .values_list("pk", "kind", "predikat", "by_id", "justification")
    ) == [
        (original.pk, "appraiser", "baik", world.user("kasi").pk, "Unit belum lengkap dinilai."),
        (
            decided.skp.rating_records.get(kind="objection").pk,
            "objection",
            "sangat_baik",
            world.user("kabid").pk,
            "Bukti triwulan IV menunjukkan capaian melampaui target.",
        ),
    ]
    (row,) = walk.events(world, "staf1", "objection_decided")
    assert (row.actor_id, row.capacity, row.reason) == (
        world.user("kabid").pk,
        "Kepala Bidang Pembinaan SD",
        "Bukti triwulan IV menunjukkan capaian melampaui target.",
    )
    assert (row.payload["decision"], row.payload["before"], row.payload["after"]) == (
        "upheld",
        {"rating_hasil": "as_expected", "rating_perilaku": "as_expected", "predikat": "baik"},
        {"rating_hasil": "above", "rating_perilaku": "above", "predikat": "sangat_baik"},
    )
    case = world.case("staf1")
    assert (case.stage_key, case.phase) == ("finalise", Phase.FINAL)
    done = AuditEntry.objects.get(
        case=case, code=AuditCode.TASK_COMPLETED, from_stage="decide_objection"
    )
    assert done.payload == {"outcome": "upheld"}
    assert sorted(
        Notification.objects.filter(
            title="Keberatan telah diputus: SKP 2026 Andi Pratama"
        ).values_list("recipient_id", flat=True)
    ) == sorted([world.user("staf1").pk, world.user("kasi").pk])


def test_a_rejected_keberatan_keeps_the_result(objected: SkpWorld) -> None:
    world = objected
    skp = world.skp("staf1")
    actions.decide_objection(
        skp_id=skp.pk,
        actor=world.user("kabid"),
        decision="rejected",
        reason="Capaian triwulan IV sudah diperhitungkan.",
    )

    skp = world.skp("staf1")
    assert (skp.rating_hasil, skp.rating_perilaku, skp.predikat) == (
        "as_expected",
        "as_expected",
        "baik",
    )
    assert list(RatingRecord.objects.filter(skp=skp).values_list("kind", flat=True)) == [
        "appraiser"
    ]
    assert Objection.objects.get(skp=skp).decision == "rejected"
    assert world.case("staf1").stage_key == "finalise"


def test_the_decision_is_final_a_second_one_is_refused(objected: SkpWorld) -> None:
    world = objected
    skp = world.skp("staf1")
    actions.decide_objection(
        skp_id=skp.pk, actor=world.user("kabid"), decision="rejected", reason="Sudah sesuai."
    )
    before = state(world)

    with pytest.raises(StepNotAllowed) as raised:
        actions.decide_objection(
            skp_id=skp.pk,
            actor=world.user("kabid"),
            decision="upheld",
            reason="Berubah pikiran.",
            rating_hasil="above",
            rating_perilaku="above",
        )

    assert str(raised.value) == "Keberatan ini sudah diputus; keputusannya bersifat final."
    assert state(world) == before


@pytest.mark.parametrize(
    ("given", "errors"),
    [
        (
            {"decision": "upheld", "reason": "Diterima."},
            {
                "rating_hasil": ["Pilih rating hasil kerja yang baru."],
                "rating_perilaku": ["Pilih rating perilaku kerja yang baru."],
            },
        ),
        (
            {
                "decision": "partly",
                "reason": "Sebagian.",
                "rating_hasil": "as_expected",
                "rating_perilaku": "as_expected",
            },
            {"ratings": ["Keberatan yang diterima mengubah hasil; pilih rating yang berbeda."]},
        ),
        (
            {"decision": "rejected", "reason": "Ditolak.", "rating_hasil": "above"},
            {"ratings": ["Keberatan yang ditolak tidak mengubah rating."]},
        ),
        (
            {"decision": "dibatalkan", "reason": " "},
            {
                "decision": ["Pilih keputusan: diterima, diterima sebagian atau ditolak."],
                "reason": ["Pertimbangan keputusan wajib diisi."],
            },
        ),
    ],
)
def test_a_decision_needs_a_reason_and_consistent_ratings(
    objected: SkpWorld, given: dict[str, str], errors: dict[str, list[str]]
) -> None:
    world = objected
    before = state(world)
    with pytest.raises(InvalidObjection) as raised:
        actions.decide_objection(skp_id=world.skp("staf1").pk, actor=world.user("kabid"), **given)
    assert raised.value.errors == errors
    assert state(world) == before


@pytest.mark.parametrize("intruder", ["kasi", "staf1", "kadis", "admin"])
def test_only_the_appraisers_supervisor_decides(objected: SkpWorld, intruder: str) -> None:
    world = objected
    actor = world.org.admin if intruder == "admin" else world.user(intruder)
    before = state(world)
    with pytest.raises(ActionForbidden):
        actions.decide_objection(
            skp_id=world.skp("staf1").pk, actor=actor, decision="rejected", reason="Ditolak."
        )
    assert state(world) == before


def test_a_changed_result_of_a_unit_head_still_follows_the_unit(db: None) -> None:
    world = build_skp_world()
    walk.record_result(world, "SEK-KUR", "baik")
    with clock(RECEIVED):
        walk.to_discussion(world, "kasi", "as_expected", "as_expected")
    skp = world.skp("kasi")
    with clock(LAST_MINUTE):
        actions.file_objection(skp_id=skp.pk, actor=world.user("kasi"), reasons="Terlalu rendah.")
    before = state(world, "kasi")

    with pytest.raises(InvalidObjection) as raised:
        actions.decide_objection(
            skp_id=skp.pk,
            actor=world.user("kadis"),
            decision="upheld",
            reason="Diterima.",
            rating_hasil="above",
            rating_perilaku="above",
        )

    assert raised.value.errors == {
        "rating_hasil": [
            "Rating hasil kerja kepala unit mengikuti predikat kinerja organisasi "
            "Seksi Kurikulum: Sesuai Ekspektasi."
        ]
    }
    assert state(world, "kasi") == before
    actions.decide_objection(
        skp_id=skp.pk,
        actor=world.user("kadis"),
        decision="partly",
        reason="Perilaku melampaui ekspektasi.",
        rating_hasil="as_expected",
        rating_perilaku="above",
    )
    assert world.skp("kasi").predikat == "baik"


# Window expiry ---------------------------------------------------------------------------


def test_unused_windows_expire_once_and_only_with_the_dialog_recorded(world: SkpWorld) -> None:
    # staf2 was rated but never discussed: the guard keeps it for the admins.
    with clock(RECEIVED):
        walk.to_rating(world, "staf2")
        walk.rate(world, "staf2", justification="Unit belum lengkap dinilai.")
    # staf3 filed a keberatan: it waits for its decision, not for the window.
    discussed(world, "staf3")
    with clock(LAST_MINUTE):
        actions.file_objection(
            skp_id=world.skp("staf3").pk, actor=world.user("staf3"), reasons="Tidak sesuai."
        )

    assert actions.expire_discussion_windows(now=LAST_MINUTE) == []
    with clock(TOO_LATE):
        expired = actions.expire_discussion_windows()

    assert expired == [world.skp("staf1").pk]
    assert actions.expire_discussion_windows(now=TOO_LATE) == []
    skp = world.skp("staf1")
    case = world.case("staf1")
    assert (case.stage_key, skp.acknowledged_at) == ("finalise", TOO_LATE)
    done = AuditEntry.objects.get(case=case, code=AuditCode.TASK_COMPLETED, from_stage="discuss")
    assert (done.actor_id, done.capacity, done.reason, done.payload) == (
        None,
        "sistem",
        "Batas waktu keberatan lewat; hasil dianggap diterima.",
        {"outcome": "acknowledged", "system": True},
    )
    (row,) = walk.events(world, "staf1", "result_acknowledged")
    assert (row.actor_id, row.capacity, row.payload) == (
        None,
        "sistem",
        {"event": "result_acknowledged", "automatic": True},
    )
    assert (world.case("staf2").stage_key, world.skp("staf2").acknowledged_at) == ("discuss", None)
    assert world.case("staf3").stage_key == "decide_objection"
    assert (
        WorkItem.objects.filter(
            process_id=world.case("staf2").pk, status="ASSIGNED", stage_key="discuss"
        ).count()
        == 1
    )


def test_the_scheduled_task_runs_the_expiry(world: SkpWorld) -> None:
    from processes.skp import tasks

    with clock(TOO_LATE):
        assert tasks.expire_discussion_windows.delay().get() == [world.skp("staf1").pk]
    assert world.case("staf1").stage_key == "finalise"


def test_review_is_closed_once_the_result_is_with_the_employee(world: SkpWorld) -> None:
    with pytest.raises(StepNotAllowed):
        review.rate_skp(
            skp_id=world.skp("staf1").pk,
            actor=world.user("kasi"),
            rating_hasil="above",
            rating_perilaku="above",
        )
