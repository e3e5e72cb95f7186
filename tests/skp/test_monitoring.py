"""Monitored: realisations, rencana aksi, links, feedback, dialogs, daily log, period ratings.

The clock stands at 20 August 2026, 10:00 WITA: Triwulan I and II have ended, Triwulan III
has begun, Triwulan IV has not. The SKP under test is the Kepala Bidang's (``kabid``):
appraised by the Kepala Dinas (``kadis``), whose own appraiser is the Sekretaris Daerah
(``sekda``); ``sekdis`` is a peer under the same appraiser, ``staf1`` another employee.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from django.db import close_old_connections, connection
from django.utils import timezone

from processes.organisation import actions as org_actions
from processes.skp.actions import final, monitoring
from processes.skp.actions.monitoring import DailyEntry, InvalidMonitoring
from processes.skp.models import (
    ActionPlan,
    DailyActivity,
    Evidence,
    ExtraAspectRating,
    Feedback,
    Indicator,
    PerformanceDialog,
    PeriodEvaluation,
    Realisation,
    Skp,
)
from processes.skp.process import period_reports_complete
from processes.skp.selectors import monitoring_overview
from processes.skp.stages import default_stages, with_guards
from tests.factories.organisation import make_agency
from tests.factories.skp import SkpWorld, build_skp_world
from tests.factories.skp_monitoring import (
    PDF,
    clock,
    enter_realisations,
    local,
    manual_indicators,
    monitor_fully,
    monitoring_state,
    reach_monitoring,
    rhks_of,
    set_settings,
    upload,
)
from workflow import actions as engine
from workflow.audit import verify_chain
from workflow.errors import ActionForbidden, GuardFailed, StepNotAllowed
from workflow.models import AuditCode, AuditEntry, Case, Notification
from workflow.spec import Phase, StageSpec

# 10:00 WITA, in UTC as timezone.now() gives it.
NOW = datetime.datetime(2026, 8, 20, 2, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 8, 20)
APPRAISER_LABEL = "Kepala Dinas Pendidikan"
NOT_MONITORING = "SKP sedang di fase «Penyusunan rencana»; tindakan ini tidak berlaku sekarang."


@pytest.fixture
def now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(timezone, "now", lambda: NOW)


@pytest.fixture
def world(db: None, now: None) -> SkpWorld:
    world = build_skp_world()
    reach_monitoring(world, "kabid")
    return world


def new_rows(skp: Skp, before: int) -> list[AuditEntry]:
    """Return the audit rows the case got after it had ``before`` rows."""
    return list(AuditEntry.objects.filter(case=skp.case).order_by("sequence")[before:])


def audit_count(skp: Skp) -> int:
    return AuditEntry.objects.filter(case=skp.case).count()


def only_event(skp: Skp, before: int) -> AuditEntry:
    """Return the single audit row written since ``before`` (fail if not exactly one)."""
    rows = new_rows(skp, before)
    assert [row.payload.get("event") for row in rows] == [rows[0].payload.get("event")]
    assert rows[0].code == AuditCode.PROCESS_EVENT
    return rows[0]


def refused(
    error: type[Exception], call: Callable[[], Any], skp: Skp, message: str | None = None
) -> Exception:
    """Assert ``call`` raises ``error`` (with ``message``) and changes nothing of ``skp``."""
    before = monitoring_state(skp)
    with pytest.raises(error) as raised:
        call()
    if message is not None:
        assert str(raised.value) == message
    assert monitoring_state(skp) == before
    return raised.value


def invalid(call: Callable[[], Any], skp: Skp) -> dict[str, list[str]]:
    """Return the per-field errors of a refused call (asserting nothing changed)."""
    error = refused(InvalidMonitoring, call, skp)
    assert isinstance(error, InvalidMonitoring)
    return error.errors


# Realisation -----------------------------------------------------------------------------------


def test_the_employee_enters_a_realisation_and_corrects_it(world: SkpWorld) -> None:
    skp = world.skp("kabid")
    employee = world.user("kabid")
    indicator = manual_indicators(skp)[0]
    before = audit_count(skp)

    first = monitoring.save_realisation(
        skp_id=skp.pk,
        actor=employee,
        indicator_id=indicator.pk,
        period_index=1,
        value="2,5",
        note="  Dua dokumen disahkan ",
    )

    stored = Realisation.objects.get()
    assert (stored.pk, stored.indicator_id, stored.period_index, stored.value) == (
        first.pk,
        indicator.pk,
        1,
        Decimal("2.50"),
    )
    assert (stored.note, stored.updated_by_id, stored.updated_at) == (
        "Dua dokumen disahkan",
        employee.pk,
        NOW,
    )
    row = only_event(skp, before)
    assert (row.actor_id, row.capacity, row.acting_for_id) == (employee.pk, "", None)
    assert row.payload == {
        "event": "realisation_saved",
        "indicator": indicator.pk,
        "period": 1,
        "value": "2.50",
        "previous": None,
    }

    before = audit_count(skp)
    again = monitoring.save_realisation(
        skp_id=skp.pk, actor=employee, indicator_id=indicator.pk, period_index=1, value=3
    )

    assert again.pk == first.pk
    assert list(Realisation.objects.values_list("value", "note")) == [(Decimal("3.00"), "")]
    assert only_event(skp, before).payload["previous"] == "2.50"


def test_the_appraiser_enters_realisations_where_the_agency_says_so(world: SkpWorld) -> None:
    set_settings(world, employee_enters_realisation=False)
    skp = world.skp("kabid")
    indicator = manual_indicators(skp)[0]
    refused(
        ActionForbidden,
        lambda: monitoring.save_realisation(
            skp_id=skp.pk,
            actor=world.user("kabid"),
            indicator_id=indicator.pk,
            period_index=1,
            value=1,
        ),
        skp,
        "Realisasi di instansi ini diisi oleh pejabat penilai.",
    )
    before = audit_count(skp)

    monitoring.save_realisation(
        skp_id=skp.pk, actor=world.user("kadis"), indicator_id=indicator.pk, period_index=2, value=1
    )

    assert Realisation.objects.get().updated_by_id == world.user("kadis").pk
    row = only_event(skp, before)
    assert (row.actor_id, row.capacity, row.acting_for_id) == (
        world.user("kadis").pk,
        APPRAISER_LABEL,
        None,
    )


def test_realisation_input_is_checked_field_by_field(world: SkpWorld) -> None:
    skp = world.skp("kabid")
    indicator = manual_indicators(skp)[0]
    reach_monitoring(world, "sekdis")
    foreign = manual_indicators(world.skp("sekdis"))[0]
    cases: list[tuple[dict[str, Any], dict[str, list[str]]]] = [
        ({"period_index": 4}, {"period_index": ["Triwulan IV belum dimulai."]}),
        ({"period_index": 5}, {"period_index": ["Periode tidak termasuk masa SKP ini."]}),
        ({"period_index": 0}, {"period_index": ["Periode tidak termasuk masa SKP ini."]}),
        ({"value": "-1"}, {"value": ["Isi dengan angka 0 atau lebih."]}),
        ({"value": "dua"}, {"value": ["Isi dengan angka."]}),
        ({"value": "NaN"}, {"value": ["Isi dengan angka."]}),
        ({"value": "1,234"}, {"value": ["Isi paling banyak dua angka di belakang koma."]}),
        ({"value": "1e13"}, {"value": ["Angka terlalu besar."]}),
        ({"indicator_id": foreign.pk}, {"indicator": ["Indikator tidak ditemukan pada SKP ini."]}),
        (
            {"period_index": 9, "value": ""},
            {
                "period_index": ["Periode tidak termasuk masa SKP ini."],
                "value": ["Isi dengan angka."],
            },
        ),
    ]
    for change, errors in cases:
        values: dict[str, Any] = {"indicator_id": indicator.pk, "period_index": 1, "value": "1"}
        values.update(change)
        assert (
            invalid(
                partial(
                    monitoring.save_realisation, skp_id=skp.pk, actor=world.user("kabid"), **values
                ),
                skp,
            )
            == errors
        ), change


def test_a_computed_indicator_takes_no_hand_entered_realisation(world: SkpWorld) -> None:
    skp = world.skp("kabid")
    indicator = manual_indicators(skp)[0]
    Indicator.objects.filter(pk=indicator.pk).update(source="attendance")
    errors = invalid(
        lambda: monitoring.save_realisation(
            skp_id=skp.pk,
            actor=world.user("kabid"),
            indicator_id=indicator.pk,
            period_index=1,
            value=1,
        ),
        skp,
    )
    assert errors == {
        "indicator": [
            "Realisasi indikator ini dihitung otomatis dari data kehadiran (persentase hadir)."
        ]
    }


@pytest.mark.parametrize(
    ("utc_time", "accepted"),
    [
        # 30 September 23:30 in Makassar (WITA): Triwulan IV has not begun there yet.
        (datetime.datetime(2026, 9, 30, 15, 30, tzinfo=datetime.UTC), False),
        # 1 October 00:30 WITA, still 30 September in UTC: it has.
        (datetime.datetime(2026, 9, 30, 16, 30, tzinfo=datetime.UTC), True),
    ],
)
def test_a_period_begins_in_the_agencys_zone(
    world: SkpWorld,
    monkeypatch: pytest.MonkeyPatch,
    utc_time: datetime.datetime,
    accepted: bool,
) -> None:
    monkeypatch.setattr(timezone, "now", lambda: utc_time)
    skp = world.skp("kabid")
    call = partial(
        monitoring.save_realisation,
        skp_id=skp.pk,
        actor=world.user("kabid"),
        indicator_id=manual_indicators(skp)[0].pk,
        period_index=4,
        value=1,
    )
    if accepted:
        assert call().period_index == 4
    else:
        assert invalid(call, skp) == {"period_index": ["Triwulan IV belum dimulai."]}


def test_realisations_only_while_monitored(world: SkpWorld) -> None:
    sekdis = world.skp("sekdis")
    refused(
        StepNotAllowed,
        lambda: monitoring.save_realisation(
            skp_id=sekdis.pk, actor=world.user("sekdis"), indicator_id=0, period_index=1, value=1
        ),
        sekdis,
        NOT_MONITORING,
    )


# Rencana aksi -------------------------------------------------------------------------------------


def test_the_employee_reports_progress_on_a_rencana_aksi(world: SkpWorld) -> None:
    skp = world.skp("kabid")
    plan = ActionPlan.objects.get(rhk__skp=skp, period_index=2)
    before = audit_count(skp)

    monitoring.update_action_plan_progress(
        skp_id=skp.pk,
        actor=world.user("kabid"),
        action_plan_id=plan.pk,
        progress_note=" Draf dibahas dengan MGMP ",
    )

    plan.refresh_from_db()
    assert plan.progress_note == "Draf dibahas dengan MGMP"
    assert only_event(skp, before).payload == {
        "event": "action_plan_progress_saved",
        "action_plan": plan.pk,
        "period": 2,
        "changed": True,
    }
    reach_monitoring(world, "sekdis")
    foreign = ActionPlan.objects.filter(rhk__skp=world.skp("sekdis")).first()
    assert foreign is not None
    assert invalid(
        lambda: monitoring.update_action_plan_progress(
            skp_id=skp.pk, actor=world.user("kabid"), action_plan_id=foreign.pk, progress_note=" "
        ),
        skp,
    ) == {
        "action_plan": ["Rencana aksi tidak ditemukan pada SKP ini."],
        "progress_note": ["Uraian kemajuan wajib diisi."],
    }


# Evidence links and deleting evidence ------------------------------------------------------------


def test_a_link_is_evidence_too(world: SkpWorld) -> None:
    skp = world.skp("kabid")
    indicator = manual_indicators(skp)[0]
    before = audit_count(skp)

    evidence = monitoring.add_evidence_link(
        skp_id=skp.pk,
        actor=world.user("kabid"),
        url=" https://drive.contoh.go.id/kurikulum-2026 ",
        indicator_id=indicator.pk,
        period_index=2,
        note="Folder dokumen",
    )

    stored = Evidence.objects.get()
    assert (stored.pk, stored.url, stored.file.name, stored.indicator_id, stored.period_index) == (
        evidence.pk,
        "https://drive.contoh.go.id/kurikulum-2026",
        "",
        indicator.pk,
        2,
    )
    assert (stored.kind, stored.note, stored.uploaded_by_id) == (
        "evidence",
        "Folder dokumen",
        world.user("kabid").pk,
    )
    assert only_event(skp, before).payload == {
        "event": "evidence_added",
        "evidence": evidence.pk,
        "kind": "link",
        "url": "https://drive.contoh.go.id/kurikulum-2026",
        "indicator": indicator.pk,
        "period": 2,
    }
    for url in ("ftp://contoh.go.id/a.pdf", "javascript:alert(1)", "www.contoh.go.id", ""):
        assert invalid(
            partial(
                monitoring.add_evidence_link, skp_id=skp.pk, actor=world.user("kabid"), url=url
            ),
            skp,
        ) == {"url": ["Tautan harus alamat lengkap yang diawali http:// atau https://."]}, url


def test_only_the_uploader_deletes_evidence_and_the_file_goes_after_commit(
    world: SkpWorld, django_capture_on_commit_callbacks: Any, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    skp = world.skp("kabid")
    evidence = monitoring.add_evidence_file(
        skp_id=skp.pk, actor=world.user("kabid"), uploaded=upload("bukti.pdf", PDF)
    )
    path = evidence.file.path
    refused(
        ActionForbidden,
        lambda: monitoring.delete_evidence(
            skp_id=skp.pk, actor=world.user("kadis"), evidence_id=evidence.pk
        ),
        skp,
        "Hanya pengunggah bukti dukung yang boleh menghapusnya.",
    )
    refused(
        StepNotAllowed,
        lambda: monitoring.delete_evidence(
            skp_id=world.skp("sekdis").pk, actor=world.user("kabid"), evidence_id=evidence.pk
        ),
        skp,
    )
    before = audit_count(skp)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        monitoring.delete_evidence(
            skp_id=skp.pk, actor=world.user("kabid"), evidence_id=evidence.pk
        )
        # Until the transaction commits the row may come back, so the file stays.
        assert Path(path).read_bytes() == PDF

    assert not Evidence.objects.exists()
    assert only_event(skp, before).payload == {
        "event": "evidence_deleted",
        "evidence": evidence.pk,
        "kind": "evidence",
        "name": "bukti.pdf",
        "url": "",
    }
    for callback in callbacks:
        callback()
    assert not Path(path).exists()


def test_evidence_a_rating_rests_on_stays(world: SkpWorld, settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    skp = world.skp("kabid")
    employee = world.user("kabid")

    def add(name: str, period: int | None) -> Evidence:
        return monitoring.add_evidence_file(
            skp_id=skp.pk, actor=employee, uploaded=upload(name, PDF), period_index=period
        )

    first, second, general = add("tw1.pdf", 1), add("tw2.pdf", 2), add("umum.pdf", None)
    monitoring.rate_period(
        skp_id=skp.pk,
        actor=world.user("kadis"),
        period_index=1,
        rating_hasil="as_expected",
        rating_perilaku="as_expected",
    )

    refused(
        StepNotAllowed,
        lambda: monitoring.delete_evidence(skp_id=skp.pk, actor=employee, evidence_id=first.pk),
        skp,
        "Periode ini sudah dinilai; bukti dukungnya tidak dapat dihapus lagi.",
    )
    monitoring.delete_evidence(skp_id=skp.pk, actor=employee, evidence_id=second.pk)
    # Once the annual rating is given, evidence of no period stays too.
    Skp.objects.filter(pk=skp.pk).update(predikat="baik", rated_at=NOW)
    refused(
        StepNotAllowed,
        lambda: monitoring.delete_evidence(skp_id=skp.pk, actor=employee, evidence_id=general.pk),
        skp,
        "SKP ini sudah dinilai; bukti dukungnya tidak dapat dihapus lagi.",
    )
    assert sorted(Evidence.objects.filter(skp=skp).values_list("original_name", flat=True)) == [
        "tw1.pdf",
        "umum.pdf",
    ]


def test_evidence_is_not_deleted_outside_the_phases_it_is_added_in(
    world: SkpWorld, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    skp = world.skp("kabid")
    evidence = monitoring.add_evidence_file(
        skp_id=skp.pk, actor=world.user("kabid"), uploaded=upload("a.pdf", PDF)
    )
    assert skp.case_id is not None
    Case.objects.filter(pk=skp.case_id).update(phase=Phase.DISCUSSED)

    refused(
        StepNotAllowed,
        lambda: monitoring.delete_evidence(
            skp_id=skp.pk, actor=world.user("kabid"), evidence_id=evidence.pk
        ),
        skp,
        "SKP sedang di fase «Dialog hasil»; tindakan ini tidak berlaku sekarang.",
    )


# Feedback ---------------------------------------------------------------------------------------


def test_the_appraiser_gives_feedback_on_an_indicator_and_the_employee_is_told(
    world: SkpWorld, django_capture_on_commit_callbacks: Any
) -> None:
    skp = world.skp("kabid")
    indicator = manual_indicators(skp)[0]
    before = audit_count(skp)

    with django_capture_on_commit_callbacks(execute=True):
        feedback = monitoring.give_feedback(
            skp_id=skp.pk,
            actor=world.user("kadis"),
            text=" Percepat pengesahan dokumen kedua. ",
            indicator_id=indicator.pk,
            period_index=2,
        )

    stored = Feedback.objects.get()
    assert (stored.pk, stored.indicator_id, stored.value, stored.period_index) == (
        feedback.pk,
        indicator.pk,
        "",
        2,
    )
    assert (stored.text, stored.author_id, stored.capacity) == (
        "Percepat pengesahan dokumen kedua.",
        world.user("kadis").pk,
        APPRAISER_LABEL,
    )
    row = only_event(skp, before)
    assert (row.actor_id, row.capacity, row.payload) == (
        world.user("kadis").pk,
        APPRAISER_LABEL,
        {
            "event": "feedback_given",
            "feedback": feedback.pk,
            "indicator": indicator.pk,
            "value": "",
            "period": 2,
        },
    )
    note = Notification.objects.get()
    assert (note.recipient_id, note.case_id, note.title, note.body, note.url) == (
        world.user("kabid").pk,
        skp.case_id,
        "Umpan balik baru dari pejabat penilai",
        f"{indicator.text}: Percepat pengesahan dokumen kedua.",
        f"/skp/{skp.pk}/",
    )


def test_feedback_on_a_value_and_its_checks(world: SkpWorld) -> None:
    skp = world.skp("kabid")
    indicator = manual_indicators(skp)[0]
    feedback = monitoring.give_feedback(
        skp_id=skp.pk, actor=world.user("kadis"), text="Responsif", value="berorientasi_pelayanan"
    )
    assert (feedback.indicator_id, feedback.value, feedback.period_index) == (
        None,
        "berorientasi_pelayanan",
        None,
    )
    cases: list[tuple[dict[str, Any], dict[str, list[str]]]] = [
        ({}, {"indicator": ["Pilih indikator atau nilai BerAKHLAK yang diberi umpan balik."]}),
        (
            {"indicator_id": indicator.pk, "value": "loyal"},
            {"value": ["Umpan balik untuk satu indikator atau satu nilai, tidak keduanya."]},
        ),
        ({"value": "rajin"}, {"value": ["Nilai BerAKHLAK tidak dikenal."]}),
        (
            {"value": "loyal", "text": "  ", "period_index": 4},
            {
                "period_index": ["Triwulan IV belum dimulai."],
                "text": ["Isi umpan balik wajib diisi."],
            },
        ),
    ]
    for change, errors in cases:
        values: dict[str, Any] = {"text": "Baik"}
        values.update(change)
        assert (
            invalid(
                partial(
                    monitoring.give_feedback, skp_id=skp.pk, actor=world.user("kadis"), **values
                ),
                skp,
            )
            == errors
        ), change


def test_an_acting_appraiser_gives_feedback_in_their_capacity(world: SkpWorld) -> None:
    org = world.org
    org_actions.appoint_acting_official(
        actor=org.admin,
        employee=org.people["sekdis"],
        position=org.positions["KADIS"],
        starts_on=datetime.date(2026, 8, 1),
        ends_on=datetime.date(2026, 8, 31),
        decree_number="SP 800/12/2026",
    )
    skp = world.skp("kabid")
    before = audit_count(skp)

    feedback = monitoring.give_feedback(
        skp_id=skp.pk, actor=world.user("sekdis"), text="Koordinasi baik", value="kolaboratif"
    )

    label = "Plt. Kepala Dinas Pendidikan (SP 800/12/2026)"
    assert (feedback.author_id, feedback.capacity) == (world.user("sekdis").pk, label)
    row = only_event(skp, before)
    assert (row.actor_id, row.acting_for_id, row.capacity) == (
        world.user("sekdis").pk,
        world.user("kadis").pk,
        label,
    )


def test_feedback_needs_an_skp_under_monitoring_or_review(world: SkpWorld) -> None:
    sekdis = world.skp("sekdis")
    refused(
        StepNotAllowed,
        lambda: monitoring.give_feedback(
            skp_id=sekdis.pk, actor=world.user("kadis"), text="x", value="loyal"
        ),
        sekdis,
        NOT_MONITORING,
    )


# Dialogs ----------------------------------------------------------------------------------------


def test_the_appraiser_records_a_coaching_dialog(
    world: SkpWorld, django_capture_on_commit_callbacks: Any
) -> None:
    skp = world.skp("kabid")
    before = audit_count(skp)

    with django_capture_on_commit_callbacks(execute=True):
        dialog = monitoring.record_dialog(
            skp_id=skp.pk,
            actor=world.user("kadis"),
            kind="coaching",
            held_on=datetime.date(2026, 8, 18),
            agenda="Kemajuan penyusunan kurikulum",
            outcome="Target triwulan III disepakati",
            follow_up="Rapat ulang 15 September",
            period_index=3,
        )

    stored = PerformanceDialog.objects.get()
    assert (stored.pk, stored.kind, stored.held_on, stored.period_index) == (
        dialog.pk,
        "coaching",
        datetime.date(2026, 8, 18),
        3,
    )
    assert (stored.agenda, stored.outcome, stored.follow_up, stored.recorded_by_id) == (
        "Kemajuan penyusunan kurikulum",
        "Target triwulan III disepakati",
        "Rapat ulang 15 September",
        world.user("kadis").pk,
    )
    row = only_event(skp, before)
    assert (row.capacity, row.payload) == (
        APPRAISER_LABEL,
        {
            "event": "dialog_recorded",
            "dialog": dialog.pk,
            "kind": "coaching",
            "held_on": "2026-08-18",
            "period": 3,
        },
    )
    note = Notification.objects.get()
    assert (note.recipient_id, note.title, note.body) == (
        world.user("kabid").pk,
        "Dialog kinerja dicatat: Pembinaan dan pemantauan",
        "Target triwulan III disepakati",
    )


def test_dialog_input_is_checked(world: SkpWorld) -> None:
    skp = world.skp("kabid")
    appraiser = world.user("kadis")
    base: dict[str, Any] = {
        "kind": "coaching",
        "held_on": TODAY,
        "agenda": "Agenda",
        "outcome": "Hasil",
    }
    cases: list[tuple[dict[str, Any], dict[str, list[str]]]] = [
        (
            {"kind": "rapat"},
            {
                "kind": [
                    "Pilih jenis dialog: pembinaan, hasil penilaian atau klarifikasi keberatan."
                ]
            },
        ),
        (
            {"held_on": TODAY + datetime.timedelta(days=1)},
            {"held_on": ["Tanggal dialog tidak boleh di masa depan."]},
        ),
        (
            {"held_on": datetime.date(2025, 12, 31)},
            {"held_on": ["Tanggal dialog sebelum masa SKP dimulai."]},
        ),
        ({"held_on": "2026-08-01"}, {"held_on": ["Isi tanggal dialog."]}),
        (
            {"agenda": " ", "outcome": ""},
            {"agenda": ["Agenda dialog wajib diisi."], "outcome": ["Hasil dialog wajib diisi."]},
        ),
    ]
    for change, errors in cases:
        values: dict[str, Any] = {**base, **change}
        assert (
            invalid(
                partial(monitoring.record_dialog, skp_id=skp.pk, actor=appraiser, **values),
                skp,
            )
            == errors
        ), change
    for kind in ("result", "objection"):
        refused(
            StepNotAllowed,
            partial(
                monitoring.record_dialog, skp_id=skp.pk, actor=appraiser, **{**base, "kind": kind}
            ),
            skp,
            "SKP sedang di tahap «Pemantauan kinerja dan bukti dukung»; "
            "tindakan ini tidak berlaku sekarang.",
        )


def short_stages() -> list[StageSpec]:
    """Plan, agreement, monitoring, discussion, an always-run objection stage, finalisation."""
    stages = {spec.key: spec for spec in default_stages()}
    return [
        stages["draft_plan"],
        stages["agree_plan"],
        stages["monitor"],
        stages["discuss"],
        replace(stages["decide_objection"], optional=False, condition=""),
        stages["finalise"],
    ]


def test_result_and_objection_dialogs_follow_their_stages_and_a_final_skp_is_locked(
    db: None, now: None, django_capture_on_commit_callbacks: Any
) -> None:
    world = build_skp_world(short_stages())
    reach_monitoring(world, "kabid")
    skp = world.skp("kabid")
    evidence = monitoring.add_evidence_link(
        skp_id=skp.pk, actor=world.user("kabid"), url="https://contoh.go.id/a"
    )
    monitor_fully(world, "kabid")
    assert world.case("kabid").stage_key == "discuss"
    dialog: dict[str, Any] = {
        "held_on": TODAY,
        "agenda": "Hasil tahunan",
        "outcome": "Dipahami pegawai",
    }

    # Only the appraiser records the result dialog, which the discussion stage needs.
    refused(
        ActionForbidden,
        lambda: monitoring.record_dialog(
            skp_id=skp.pk, actor=world.user("kabid"), kind="result", **dialog
        ),
        skp,
        "Hanya pejabat penilai pegawai ini yang boleh melakukan ini.",
    )
    with pytest.raises(GuardFailed):
        engine.complete_task(task_id=world.task("kabid").pk, actor=world.user("kabid"))
    monitoring.record_dialog(skp_id=skp.pk, actor=world.user("kadis"), kind="result", **dialog)
    engine.complete_task(task_id=world.task("kabid").pk, actor=world.user("kabid"))
    assert world.case("kabid").stage_key == "decide_objection"

    # The objection clarification is the appraiser's supervisor's (PP 30/2019 art. 59).
    for intruder in ("kadis", "kabid"):
        refused(
            ActionForbidden,
            partial(
                monitoring.record_dialog,
                skp_id=skp.pk,
                actor=world.user(intruder),
                kind="objection",
                **dialog,
            ),
            skp,
            "Hanya atasan pejabat penilai yang mencatat dialog klarifikasi keberatan.",
        )
    before = audit_count(skp)
    objection = monitoring.record_dialog(
        skp_id=skp.pk, actor=world.user("sekda"), kind="objection", **dialog
    )
    assert objection.recorded_by_id == world.user("sekda").pk
    assert only_event(skp, before).capacity == "Sekretaris Daerah"
    engine.complete_task(task_id=world.task("kabid").pk, actor=world.user("sekda"))

    task = world.task("kabid")
    engine.claim_task(task_id=task.pk, actor=world.org.admin)
    with django_capture_on_commit_callbacks(execute=True):
        final.finalise_skp(skp_id=skp.pk, actor=world.org.admin)
    assert world.case("kabid").phase == Phase.FINAL
    locked = "SKP ini sudah final dan terkunci."
    refused(
        StepNotAllowed,
        lambda: monitoring.add_evidence_file(
            skp_id=skp.pk, actor=world.user("kabid"), uploaded=upload("a.pdf", PDF)
        ),
        skp,
        locked,
    )
    refused(
        StepNotAllowed,
        lambda: monitoring.delete_evidence(
            skp_id=skp.pk, actor=world.user("kabid"), evidence_id=evidence.pk
        ),
        skp,
        locked,
    )
    refused(
        StepNotAllowed,
        lambda: monitoring.give_feedback(
            skp_id=skp.pk, actor=world.user("kadis"), text="x", value="loyal"
        ),
        skp,
        locked,
    )


# Daily activities -----------------------------------------------------------------------------


def test_daily_activities_need_the_agencys_choice(world: SkpWorld) -> None:
    skp = world.skp("kabid")
    refused(
        StepNotAllowed,
        lambda: monitoring.add_daily_activities(
            skp_id=skp.pk,
            actor=world.user("kabid"),
            entries=[DailyEntry(day=TODAY, description="Rapat")],
        ),
        skp,
        "Laporan kegiatan harian tidak diaktifkan di instansi ini.",
    )


def test_daily_activities_are_added_in_bulk_with_one_audit_row(world: SkpWorld) -> None:
    set_settings(world, daily_activities_enabled=True)
    skp = world.skp("kabid")
    rhk = rhks_of(skp)[0]
    before = audit_count(skp)

    rows = monitoring.add_daily_activities(
        skp_id=skp.pk,
        actor=world.user("kabid"),
        entries=[
            DailyEntry(day=datetime.date(2026, 8, 17), description="Upacara HUT RI"),
            DailyEntry(
                day=datetime.date(2026, 8, 18),
                description=" Menyusun draf kurikulum ",
                quantity="2,5",
                output_unit="halaman",
                rhk_id=rhk.pk,
            ),
            DailyEntry(day=TODAY, description="Rapat koordinasi", quantity=1),
        ],
    )

    assert [row.pk for row in rows] == list(
        DailyActivity.objects.order_by("day").values_list("pk", flat=True)
    )
    assert list(
        DailyActivity.objects.order_by("day").values_list(
            "day", "description", "quantity", "output_unit", "rhk_id"
        )
    ) == [
        (datetime.date(2026, 8, 17), "Upacara HUT RI", Decimal("1.00"), "", None),
        (datetime.date(2026, 8, 18), "Menyusun draf kurikulum", Decimal("2.50"), "halaman", rhk.pk),
        (TODAY, "Rapat koordinasi", Decimal("1.00"), "", None),
    ]
    assert only_event(skp, before).payload == {
        "event": "daily_activities_added",
        "count": 3,
        "first_day": "2026-08-17",
        "last_day": "2026-08-20",
    }


def test_daily_activities_are_all_or_nothing_with_errors_per_line(world: SkpWorld) -> None:
    set_settings(world, daily_activities_enabled=True)
    skp = world.skp("kabid")
    reach_monitoring(world, "sekdis")
    foreign = rhks_of(world.skp("sekdis"))[0]
    errors = invalid(
        lambda: monitoring.add_daily_activities(
            skp_id=skp.pk,
            actor=world.user("kabid"),
            entries=[
                DailyEntry(day=TODAY, description="Baris yang benar"),
                DailyEntry(day=datetime.date(2025, 12, 31), description="Tahun lalu"),
                DailyEntry(day=datetime.date(2026, 8, 21), description="Besok"),
                DailyEntry(day=TODAY, description=" ", quantity=0),
                DailyEntry(day=TODAY, description="x" * 501, output_unit="y" * 41),
                DailyEntry(day=TODAY, description="RHK lain", rhk_id=foreign.pk),
            ],
        ),
        skp,
    )
    assert errors == {
        "entries.2.day": ["Tanggal di luar masa SKP (01/01/2026 s.d. 31/12/2026)."],
        "entries.3.day": ["Tanggal tidak boleh di masa depan."],
        "entries.4.description": ["Uraian kegiatan wajib diisi."],
        "entries.4.quantity": ["Isi dengan angka lebih dari 0."],
        "entries.5.description": ["Uraian kegiatan paling banyak 500 karakter."],
        "entries.5.output_unit": ["Satuan hasil paling banyak 40 karakter."],
        "entries.6.rhk": ["RHK tidak termasuk SKP ini."],
    }
    assert invalid(
        lambda: monitoring.add_daily_activities(
            skp_id=skp.pk, actor=world.user("kabid"), entries=[]
        ),
        skp,
    ) == {"entries": ["Isi paling sedikit satu kegiatan."]}


def test_the_employee_corrects_and_deletes_a_daily_activity_with_audit(world: SkpWorld) -> None:
    set_settings(world, daily_activities_enabled=True)
    skp = world.skp("kabid")
    employee = world.user("kabid")
    rhk = rhks_of(skp)[0]
    wrong, kept = monitoring.add_daily_activities(
        skp_id=skp.pk,
        actor=employee,
        entries=[
            DailyEntry(day=datetime.date(2026, 8, 17), description="Upacra HUT RI"),
            DailyEntry(day=datetime.date(2026, 8, 18), description="Rapat kurikulum"),
        ],
    )
    before = audit_count(skp)

    changed = monitoring.update_daily_activity(
        skp_id=skp.pk,
        actor=employee,
        activity_id=wrong.pk,
        entry=DailyEntry(
            day=datetime.date(2026, 8, 17),
            description=" Upacara HUT RI ",
            quantity="2",
            output_unit="kegiatan",
            rhk_id=rhk.pk,
        ),
    )

    assert changed.pk == wrong.pk
    assert list(
        DailyActivity.objects.order_by("day").values_list(
            "pk", "description", "quantity", "output_unit", "rhk_id"
        )
    ) == [
        (wrong.pk, "Upacara HUT RI", Decimal("2.00"), "kegiatan", rhk.pk),
        (kept.pk, "Rapat kurikulum", Decimal("1.00"), "", None),
    ]
    row = only_event(skp, before)
    assert (row.actor_id, row.payload) == (
        employee.pk,
        {
            "event": "daily_activity_changed",
            "activity": wrong.pk,
            "changes": {
                "description": ["Upacra HUT RI", "Upacara HUT RI"],
                "quantity": ["1.00", "2.00"],
                "output_unit": ["", "kegiatan"],
                "rhk_id": [None, rhk.pk],
            },
        },
    )

    # Bad input: the errors by field, nothing changed.
    assert invalid(
        lambda: monitoring.update_daily_activity(
            skp_id=skp.pk,
            actor=employee,
            activity_id=kept.pk,
            entry=DailyEntry(day=datetime.date(2026, 8, 21), description=" "),
        ),
        skp,
    ) == {
        "day": ["Tanggal tidak boleh di masa depan."],
        "description": ["Uraian kegiatan wajib diisi."],
    }
    # Only the employee; only this SKP's activities.
    refused(
        ActionForbidden,
        lambda: monitoring.delete_daily_activity(
            skp_id=skp.pk, actor=world.user("kadis"), activity_id=kept.pk
        ),
        skp,
    )
    reach_monitoring(world, "sekdis")
    refused(
        StepNotAllowed,
        lambda: monitoring.delete_daily_activity(
            skp_id=world.skp("sekdis").pk, actor=world.user("sekdis"), activity_id=kept.pk
        ),
        world.skp("sekdis"),
        "Kegiatan harian tidak ditemukan.",
    )

    before = audit_count(skp)
    monitoring.delete_daily_activity(skp_id=skp.pk, actor=employee, activity_id=kept.pk)

    assert list(DailyActivity.objects.values_list("pk", flat=True)) == [wrong.pk]
    assert only_event(skp, before).payload == {
        "event": "daily_activity_deleted",
        "activity": kept.pk,
        "day": "2026-08-18",
        "description": "Rapat kurikulum",
        "quantity": "1.00",
        "output_unit": "",
    }


def test_daily_activities_of_a_rated_period_stay_as_they_are(world: SkpWorld) -> None:
    set_settings(world, daily_activities_enabled=True)
    skp = world.skp("kabid")
    employee = world.user("kabid")
    april, august = monitoring.add_daily_activities(
        skp_id=skp.pk,
        actor=employee,
        entries=[
            DailyEntry(day=datetime.date(2026, 4, 6), description="Sosialisasi kurikulum"),
            DailyEntry(day=datetime.date(2026, 8, 18), description="Rapat kurikulum"),
        ],
    )
    monitoring.rate_period(
        skp_id=skp.pk,
        actor=world.user("kadis"),
        period_index=2,
        rating_hasil="as_expected",
        rating_perilaku="as_expected",
    )
    kept = "Periode kegiatan ini sudah dinilai; kegiatannya tidak dapat diubah lagi."

    refused(
        StepNotAllowed,
        lambda: monitoring.delete_daily_activity(
            skp_id=skp.pk, actor=employee, activity_id=april.pk
        ),
        skp,
        kept,
    )
    refused(
        StepNotAllowed,
        lambda: monitoring.update_daily_activity(
            skp_id=skp.pk,
            actor=employee,
            activity_id=april.pk,
            entry=DailyEntry(day=datetime.date(2026, 4, 6), description="Lain"),
        ),
        skp,
        kept,
    )
    # Nor can an activity be moved into the rated period.
    assert invalid(
        lambda: monitoring.update_daily_activity(
            skp_id=skp.pk,
            actor=employee,
            activity_id=august.pk,
            entry=DailyEntry(day=datetime.date(2026, 5, 4), description="Rapat kurikulum"),
        ),
        skp,
    ) == {"day": ["Periode tanggal ini sudah dinilai; kegiatannya tidak dapat diubah."]}


def test_pasted_daily_lines_are_read_one_per_line() -> None:
    entries, errors = monitoring.parse_daily_lines(
        "17/08/2026; Upacara HUT RI\n"
        "\n"
        "18-08-2026; Menyusun draf; 2,5; halaman\n"
        "2026-08-19\tRapat koordinasi\t3\tkali\n"
        "32/08/2026; Tanggal salah\n"
        "19/08/2026; ; nol\n"
        "hanya satu kolom\n"
    )
    assert entries == [
        DailyEntry(datetime.date(2026, 8, 17), "Upacara HUT RI", Decimal("1.00"), ""),
        DailyEntry(datetime.date(2026, 8, 18), "Menyusun draf", Decimal("2.50"), "halaman"),
        DailyEntry(datetime.date(2026, 8, 19), "Rapat koordinasi", Decimal("3.00"), "kali"),
    ]
    assert errors == {
        "lines.5": ["Tanggal «32/08/2026» tidak dikenali; tulis DD/MM/YYYY."],
        "lines.6": ["Uraian kegiatan wajib diisi.", "Jumlah: Isi dengan angka."],
        "lines.7": ["Tulis satu kegiatan per baris: DD/MM/YYYY; kegiatan; jumlah; satuan."],
    }
    assert monitoring.parse_daily_lines(" \n") == (
        [],
        {"lines": ["Isi paling sedikit satu kegiatan."]},
    )


# Period reports and ratings --------------------------------------------------------------------

MATRIX = [
    ("above", "below", "kurang"),
    ("above", "as_expected", "baik"),
    ("above", "above", "sangat_baik"),
    ("as_expected", "below", "kurang"),
    ("as_expected", "as_expected", "baik"),
    ("as_expected", "above", "baik"),
    ("below", "below", "sangat_kurang"),
    ("below", "as_expected", "butuh_perbaikan"),
    ("below", "above", "butuh_perbaikan"),
]


def test_rating_a_period_computes_the_predikat_for_all_nine_combinations(
    world: SkpWorld, django_capture_on_commit_callbacks: Any
) -> None:
    skp = world.skp("kabid")
    previous = None
    for hasil, perilaku, predikat in MATRIX:
        before = audit_count(skp)
        with django_capture_on_commit_callbacks(execute=True):
            evaluation = monitoring.rate_period(
                skp_id=skp.pk,
                actor=world.user("kadis"),
                period_index=2,
                rating_hasil=hasil,
                rating_perilaku=perilaku,
                note=" Catatan ",
            )
        stored = PeriodEvaluation.objects.get()
        assert (stored.pk, stored.period_index, stored.rating_hasil, stored.rating_perilaku) == (
            evaluation.pk,
            2,
            hasil,
            perilaku,
        )
        assert (stored.predikat, stored.note, stored.rated_by_id, stored.rated_at) == (
            predikat,
            "Catatan",
            world.user("kadis").pk,
            NOW,
        )
        row = only_event(skp, before)
        assert (row.capacity, row.payload) == (
            APPRAISER_LABEL,
            {
                "event": "period_rated",
                "period": 2,
                "rating_hasil": hasil,
                "rating_perilaku": perilaku,
                "predikat": predikat,
                "previous": previous,
            },
        )
        previous = predikat
    titles = list(
        Notification.objects.filter(recipient=world.user("kabid"))
        .order_by("pk")
        .values_list("title", flat=True)
    )
    assert titles == [
        f"Hasil penilaian Triwulan II: {label}"
        for label in (
            "Kurang/Misconduct",
            "Baik",
            "Sangat Baik",
            "Kurang/Misconduct",
            "Baik",
            "Baik",
            "Sangat Kurang",
            "Butuh Perbaikan",
            "Butuh Perbaikan",
        )
    ]


def test_period_rating_checks_its_input_and_stops_at_the_annual_rating(world: SkpWorld) -> None:
    skp = world.skp("kabid")
    assert invalid(
        lambda: monitoring.rate_period(
            skp_id=skp.pk,
            actor=world.user("kadis"),
            period_index=4,
            rating_hasil="baik",
            rating_perilaku="",
        ),
        skp,
    ) == {
        "period_index": ["Triwulan IV belum dimulai."],
        "rating_hasil": ["Pilih rating hasil kerja."],
        "rating_perilaku": ["Pilih rating perilaku kerja."],
    }
    monitoring.rate_period(
        skp_id=skp.pk,
        actor=world.user("kadis"),
        period_index=1,
        rating_hasil="above",
        rating_perilaku="above",
    )
    # The annual result (written by the review actions) closes the periodic ratings.
    Skp.objects.filter(pk=skp.pk).update(
        rating_hasil="as_expected", rating_perilaku="as_expected", predikat="baik", rated_at=NOW
    )
    refused(
        StepNotAllowed,
        lambda: monitoring.rate_period(
            skp_id=skp.pk,
            actor=world.user("kadis"),
            period_index=1,
            rating_hasil="below",
            rating_perilaku="below",
        ),
        skp,
        "Penilaian tahunan sudah diberikan; penilaian periodik tidak dapat diubah lagi.",
    )


def test_where_reports_are_required_the_period_is_rated_after_its_report(
    world: SkpWorld, django_capture_on_commit_callbacks: Any
) -> None:
    set_settings(world, period_report_required=True)
    skp = world.skp("kabid")
    rate = partial(
        monitoring.rate_period,
        skp_id=skp.pk,
        actor=world.user("kadis"),
        period_index=1,
        rating_hasil="as_expected",
        rating_perilaku="above",
    )
    refused(StepNotAllowed, rate, skp, "Pegawai belum menyerahkan laporan capaian Triwulan I.")
    assert invalid(
        lambda: monitoring.submit_period_report(
            skp_id=skp.pk, actor=world.user("kabid"), period_index=3, report=""
        ),
        skp,
    ) == {
        "period_index": ["Laporan capaian Triwulan III dapat diserahkan mulai 23 Sep 2026."],
        "report": ["Laporan capaian wajib diisi."],
    }
    before = audit_count(skp)

    with django_capture_on_commit_callbacks(execute=True):
        evaluation = monitoring.submit_period_report(
            skp_id=skp.pk,
            actor=world.user("kabid"),
            period_index=1,
            report=" Dua dokumen kurikulum disahkan. ",
        )

    assert (evaluation.report, evaluation.report_submitted_at, evaluation.predikat) == (
        "Dua dokumen kurikulum disahkan.",
        NOW,
        "",
    )
    assert only_event(skp, before).payload == {
        "event": "period_report_submitted",
        "period": 1,
        "resubmitted": False,
    }
    note = Notification.objects.get()
    assert (note.recipient_id, note.title) == (
        world.user("kadis").pk,
        "Laporan capaian Triwulan I dari Drs. Arifin Lamato",
    )
    assert rate().predikat == "baik"
    refused(
        StepNotAllowed,
        lambda: monitoring.submit_period_report(
            skp_id=skp.pk, actor=world.user("kabid"), period_index=1, report="Ubah"
        ),
        skp,
        "Laporan Triwulan I sudah dinilai dan tidak dapat diubah.",
    )


@pytest.mark.parametrize(("lead_days", "opens"), [(7, None), (0, "30 Sep 2026")])
def test_the_report_opens_the_agencys_lead_days_before_the_period_ends(
    world: SkpWorld, monkeypatch: pytest.MonkeyPatch, lead_days: int, opens: str | None
) -> None:
    set_settings(world, period_report_required=True, period_report_lead_days=lead_days)
    # 25 September, five days before Triwulan III ends.
    monkeypatch.setattr(
        timezone, "now", lambda: datetime.datetime(2026, 9, 25, 2, tzinfo=datetime.UTC)
    )
    skp = world.skp("kabid")
    submit = partial(
        monitoring.submit_period_report,
        skp_id=skp.pk,
        actor=world.user("kabid"),
        period_index=3,
        report="Draf kurikulum selesai.",
    )

    if opens is None:
        assert submit().report == "Draf kurikulum selesai."
        assert overview_row(skp, 3).report_opens_on == datetime.date(2026, 9, 23)
    else:
        assert invalid(submit, skp) == {
            "period_index": [f"Laporan capaian Triwulan III dapat diserahkan mulai {opens}."]
        }
        assert overview_row(skp, 3).report_opens_on == datetime.date(2026, 9, 30)


def overview_row(skp: Skp, index: int) -> Any:
    return next(row for row in monitoring_overview(skp).periods if row.period.index == index)


def test_the_report_guard_follows_the_agencys_setting(world: SkpWorld) -> None:
    skp = world.skp("kabid")
    assert skp.case is not None
    set_settings(world, period_report_required=True)
    required = period_reports_complete(skp.case)
    set_settings(world, period_report_required=False)

    assert required == [
        f"Laporan capaian Triwulan {roman} belum diserahkan atau belum dinilai."
        for roman in ("I", "II", "III", "IV")
    ]
    assert period_reports_complete(skp.case) == []


def test_extra_aspects_are_the_agencys_own(world: SkpWorld) -> None:
    skp = world.skp("kabid")
    rate = partial(monitoring.rate_extra_aspect, skp_id=skp.pk, actor=world.user("kadis"))
    assert invalid(lambda: rate(aspect="kompetensi", rating="above"), skp) == {
        "aspect": ["Instansi ini tidak memakai aspek penilaian tambahan."]
    }
    set_settings(
        world,
        extra_aspects=[
            {"code": "kompetensi", "name": "Kompetensi"},
            {"code": "disiplin", "name": "Disiplin"},
        ],
    )
    assert invalid(lambda: rate(aspect="inovasi", rating="tinggi", period_index=7), skp) == {
        "aspect": ["Aspek tidak dikenal; aspek instansi ini: Kompetensi, Disiplin."],
        "rating": ["Pilih rating."],
        "period_index": ["Periode tidak termasuk masa SKP ini."],
    }
    before = audit_count(skp)

    first = rate(aspect="kompetensi", rating="above", period_index=2, note="Menguasai KTSP")
    second = rate(aspect="kompetensi", rating="as_expected", period_index=2)

    assert second.pk == first.pk
    assert list(
        ExtraAspectRating.objects.values_list(
            "aspect", "period_index", "rating", "note", "rated_by_id"
        )
    ) == [("kompetensi", 2, "as_expected", "", world.user("kadis").pk)]
    assert [row.payload for row in new_rows(skp, before)] == [
        {
            "event": "extra_aspect_rated",
            "aspect": "kompetensi",
            "rating": rating,
            "period": 2,
            "previous": previous,
        }
        for rating, previous in (("above", None), ("as_expected", "above"))
    ]


# Finishing monitoring ----------------------------------------------------------------------------


def test_finishing_monitoring_needs_every_realisation(
    world: SkpWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    skp = world.skp("kabid")
    indicator = manual_indicators(skp)[0]
    for period in (1, 2, 3):
        monitoring.save_realisation(
            skp_id=skp.pk,
            actor=world.user("kabid"),
            indicator_id=indicator.pk,
            period_index=period,
            value=1,
        )
    error = refused(
        GuardFailed,
        lambda: monitoring.finish_monitoring(skp_id=skp.pk, actor=world.user("kabid")),
        skp,
    )
    assert isinstance(error, GuardFailed)
    assert error.problems == [
        f"Realisasi indikator «{indicator.text}» belum diisi untuk Triwulan IV."
    ]
    refused(
        ActionForbidden,
        lambda: monitoring.finish_monitoring(skp_id=skp.pk, actor=world.user("kadis")),
        skp,
        "Hanya pegawai pemilik SKP yang boleh melakukan ini.",
    )
    monkeypatch.setattr(timezone, "now", lambda: local(world, datetime.date(2026, 10, 1)))
    monitoring.save_realisation(
        skp_id=skp.pk, actor=world.user("kabid"), indicator_id=indicator.pk, period_index=4, value=1
    )
    before = audit_count(skp)

    case = monitoring.finish_monitoring(
        skp_id=skp.pk, actor=world.user("kabid"), comment=" Selesai "
    )

    assert (case.stage_key, case.phase) == ("self_assess", Phase.SELF_ASSESSED)
    done = AuditEntry.objects.get(
        case=skp.case, code=AuditCode.TASK_COMPLETED, from_stage="monitor"
    )
    assert (done.actor_id, done.reason, done.payload, done.sequence) == (
        world.user("kabid").pk,
        "Selesai",
        {"outcome": "finished"},
        before + 1,
    )
    # Realisations are the monitored phase's: once it ends they are refused.
    refused(
        StepNotAllowed,
        lambda: monitoring.save_realisation(
            skp_id=skp.pk,
            actor=world.user("kabid"),
            indicator_id=indicator.pk,
            period_index=4,
            value=2,
        ),
        skp,
        "SKP sedang di fase «Penilaian mandiri»; tindakan ini tidak berlaku sekarang.",
    )


def test_where_reports_are_required_monitoring_ends_after_every_period_is_rated(
    db: None, now: None
) -> None:
    world = build_skp_world(with_guards(default_stages(), "monitor", "period_reports_complete"))
    set_settings(world, period_report_required=True)
    reach_monitoring(world, "kabid")
    skp = world.skp("kabid")
    with clock(local(world, datetime.date(2026, 12, 31))):
        enter_realisations(world, "kabid")
        error = refused(
            GuardFailed,
            lambda: monitoring.finish_monitoring(skp_id=skp.pk, actor=world.user("kabid")),
            skp,
        )
    assert isinstance(error, GuardFailed)
    assert error.problems == [
        f"Laporan capaian Triwulan {number} belum diserahkan atau belum dinilai."
        for number in ("I", "II", "III", "IV")
    ]

    monitor_fully(world, "kabid", hasil="above", perilaku="above")

    assert world.case("kabid").stage_key == "self_assess"
    assert list(
        PeriodEvaluation.objects.filter(skp=skp)
        .order_by("period_index")
        .values_list("period_index", "predikat")
    ) == [(1, "sangat_baik"), (2, "sangat_baik"), (3, "sangat_baik"), (4, "sangat_baik")]
    # The walk ran on a moved clock; the audit chain still verifies.
    assert list(verify_chain(AuditEntry.objects.filter(case=skp.case).order_by("sequence"))) == []


def test_monitor_fully_walks_the_whole_phase(world: SkpWorld) -> None:
    skp = monitor_fully(world, "kabid")

    assert world.case("kabid").stage_key == "self_assess"
    assert list(
        Realisation.objects.filter(indicator__rhk__skp=skp)
        .order_by("period_index")
        .values_list("period_index", "value")
    ) == [(1, Decimal("1.00")), (2, Decimal("1.00")), (3, Decimal("1.00")), (4, Decimal("1.00"))]
    assert Feedback.objects.filter(skp=skp, indicator__isnull=False).count() == 1
    assert Feedback.objects.filter(skp=skp, indicator__isnull=True).count() == 7
    assert set(PeriodEvaluation.objects.filter(skp=skp).values_list("predikat", flat=True)) == {
        "baik"
    }
    assert list(verify_chain(AuditEntry.objects.filter(case=skp.case).order_by("sequence"))) == []


# Who may do what --------------------------------------------------------------------------------


def test_permission_matrix_refuses_everyone_else_and_changes_nothing(world: SkpWorld) -> None:
    set_settings(
        world,
        daily_activities_enabled=True,
        extra_aspects=[{"code": "kompetensi", "name": "Kompetensi"}],
    )
    reach_monitoring(world, "sekdis")
    _agency, other_admin = make_agency("lain")
    skp = world.skp("kabid")
    indicator = manual_indicators(skp)[0]
    plan = ActionPlan.objects.filter(rhk__skp=skp).first()
    assert plan is not None
    actions: dict[str, Callable[[Any], Any]] = {
        "save_realisation": lambda actor: monitoring.save_realisation(
            skp_id=skp.pk, actor=actor, indicator_id=indicator.pk, period_index=1, value=1
        ),
        "add_evidence_link": lambda actor: monitoring.add_evidence_link(
            skp_id=skp.pk, actor=actor, url="https://contoh.go.id"
        ),
        "update_action_plan_progress": lambda actor: monitoring.update_action_plan_progress(
            skp_id=skp.pk, actor=actor, action_plan_id=plan.pk, progress_note="x"
        ),
        "add_daily_activities": lambda actor: monitoring.add_daily_activities(
            skp_id=skp.pk, actor=actor, entries=[DailyEntry(day=TODAY, description="x")]
        ),
        "submit_period_report": lambda actor: monitoring.submit_period_report(
            skp_id=skp.pk, actor=actor, period_index=1, report="x"
        ),
        "finish_monitoring": lambda actor: monitoring.finish_monitoring(skp_id=skp.pk, actor=actor),
        "give_feedback": lambda actor: monitoring.give_feedback(
            skp_id=skp.pk, actor=actor, text="x", value="loyal"
        ),
        "record_dialog": lambda actor: monitoring.record_dialog(
            skp_id=skp.pk,
            actor=actor,
            kind="coaching",
            held_on=TODAY,
            agenda="a",
            outcome="b",
        ),
        "rate_period": lambda actor: monitoring.rate_period(
            skp_id=skp.pk,
            actor=actor,
            period_index=1,
            rating_hasil="above",
            rating_perilaku="above",
        ),
        "rate_extra_aspect": lambda actor: monitoring.rate_extra_aspect(
            skp_id=skp.pk, actor=actor, aspect="kompetensi", rating="above"
        ),
    }
    employee_only = {
        "update_action_plan_progress",
        "add_daily_activities",
        "submit_period_report",
        "finish_monitoring",
    }
    appraiser_only = {"give_feedback", "record_dialog", "rate_period", "rate_extra_aspect"}
    outsiders = {
        "another employee": world.user("staf1"),
        "a peer": world.user("sekdis"),
        "the appraiser's supervisor": world.user("sekda"),
        "the agency's HR admin": world.org.admin,
        "another agency's admin": other_admin,
    }
    checked = 0
    for name, call in actions.items():
        intruders = dict(outsiders)
        if name in employee_only:
            intruders["the appraiser"] = world.user("kadis")
        if name in appraiser_only:
            intruders["the employee"] = world.user("kabid")
        for who, actor in intruders.items():
            before = monitoring_state(skp)
            with pytest.raises(ActionForbidden):
                call(actor)
            assert monitoring_state(skp) == before, (name, who)
            checked += 1
    assert checked == 58


# The overview ------------------------------------------------------------------------------------


def _populate(world: SkpWorld, who: str) -> None:
    skp = world.skp(who)
    for indicator in manual_indicators(skp):
        for period in (1, 2):
            monitoring.save_realisation(
                skp_id=skp.pk,
                actor=world.user(who),
                indicator_id=indicator.pk,
                period_index=period,
                value=period,
            )
        monitoring.add_evidence_link(
            skp_id=skp.pk,
            actor=world.user(who),
            url="https://contoh.go.id/bukti",
            indicator_id=indicator.pk,
            period_index=1,
        )
        monitoring.give_feedback(
            skp_id=skp.pk, actor=world.user("kadis"), text="Bagus", indicator_id=indicator.pk
        )
    monitoring.give_feedback(skp_id=skp.pk, actor=world.user("kadis"), text="Ramah", value="loyal")
    monitoring.rate_period(
        skp_id=skp.pk,
        actor=world.user("kadis"),
        period_index=1,
        rating_hasil="below",
        rating_perilaku="as_expected",
    )


def _loaded(world: SkpWorld, who: str) -> Skp:
    return Skp.objects.select_related("agency", "cycle", "employee").get(pk=world.skp(who).pk)


def test_the_overview_costs_the_same_queries_for_one_rhk_and_for_eight(
    world: SkpWorld, django_assert_num_queries: Any
) -> None:
    set_settings(world, attendance_enabled=True)
    reach_monitoring(world, "sekdis", rhk_count=8)
    _populate(world, "kabid")
    _populate(world, "sekdis")
    small, large = _loaded(world, "kabid"), _loaded(world, "sekdis")

    with django_assert_num_queries(10):
        overview = monitoring_overview(small)
    with django_assert_num_queries(10):
        big = monitoring_overview(large)

    assert (len(overview.rhks), len(big.rhks)) == (1, 8)
    assert sum(len(row.indicators) for row in big.rhks) == 8
    row = overview.rhks[0].indicators[0]
    # Each quarter against its share of the yearly 4 documents.
    assert [(c.period.index, c.value, c.achievement, c.evidence_count) for c in row.cells] == [
        (1, Decimal("1.00"), Decimal("100.00"), 1),
        (2, Decimal("2.00"), Decimal("200.00"), 0),
        (3, None, None, 0),
        (4, None, None, 0),
    ]
    assert (row.latest is not None and row.latest.period.index, row.evidence_count) == (2, 1)
    assert [f.text for f in row.feedback] == ["Bagus"]
    assert [f.text for f in overview.value_feedback["loyal"]] == ["Ramah"]
    assert len(overview.rhks[0].action_plans) == 4
    assert [
        (p.period.index, p.started, p.ended, p.entered, p.expected, p.rated, p.suggested_hasil)
        for p in overview.periods
    ] == [
        (1, True, True, 1, 1, True, "as_expected"),
        (2, True, True, 1, 1, False, "above"),
        (3, True, False, 0, 1, False, None),
        (4, False, False, 0, 1, False, None),
    ]
    evaluation = overview.periods[0].evaluation
    assert evaluation is not None
    assert evaluation.predikat == "butuh_perbaikan"
    assert (overview.evidence_count, overview.feedback_count, overview.realisations_complete) == (
        1,
        2,
        False,
    )
    attendance = overview.periods[0].attendance
    assert attendance is not None
    assert (attendance.present_percent, attendance.missing_months) == (None, (1, 2, 3))


def test_a_periods_achievement_is_against_the_periods_target(world: SkpWorld) -> None:
    skp = world.skp("kabid")
    employee = world.user("kabid")
    [documents] = manual_indicators(skp)  # kuantitas, 4 dokumen a year
    rhk = documents.rhk
    # Rates and levels: a percentage counted as kuantitas, a quality index, a last value.
    attendance = Indicator.objects.create(
        rhk=rhk, order=2, text="Persentase kehadiran", aspect="kuantitas",
        target_value=Decimal(95), target_unit="%",
    )  # fmt: skip
    quality = Indicator.objects.create(
        rhk=rhk, order=3, text="Indeks mutu dokumen", aspect="kualitas",
        target_value=Decimal(80), target_unit="indeks",
    )  # fmt: skip
    coverage = Indicator.objects.create(
        rhk=rhk, order=4, text="Cakupan sekolah binaan (kumulatif)", aspect="kuantitas",
        target_value=Decimal(40), target_unit="sekolah", aggregation="last",
    )  # fmt: skip
    values = {
        documents: ("1.15", "1.15"),  # on track for 115 % of the year
        attendance: ("100", "95"),
        quality: ("92", "80"),
        coverage: ("20", "46"),
    }
    for indicator, quarters in values.items():
        for index, value in enumerate(quarters, start=1):
            monitoring.save_realisation(
                skp_id=skp.pk,
                actor=employee,
                indicator_id=indicator.pk,
                period_index=index,
                value=value,
            )

    overview = monitoring_overview(_loaded(world, "kabid"))

    rows = {row.indicator.pk: row for row in overview.rhks[0].indicators}
    assert {
        indicator.text: [(c.target, c.achievement) for c in rows[indicator.pk].cells[:2]]
        for indicator in values
    } == {
        "Jumlah dokumen kurikulum 1 yang disahkan": [
            (Decimal(1), Decimal("115.00")),
            (Decimal(1), Decimal("115.00")),
        ],
        "Persentase kehadiran": [(Decimal(95), Decimal("105.26")), (Decimal(95), Decimal(100))],
        "Indeks mutu dokumen": [(Decimal(80), Decimal("115.00")), (Decimal(80), Decimal(100))],
        "Cakupan sekolah binaan (kumulatif)": [
            (Decimal(40), Decimal("50.00")),
            (Decimal(40), Decimal("115.00")),
        ],
    }
    # Quarter I: (115 + 105.26 + 115 + 50) / 4 = 96.32 %; quarter II: 107.5 %. The
    # documents alone no longer read 28.75 % of the year.
    assert [p.suggested_hasil for p in overview.periods] == [
        "as_expected",
        "as_expected",
        None,
        None,
    ]
    set_settings(world, above_from_percent=Decimal(105))
    assert [p.suggested_hasil for p in monitoring_overview(_loaded(world, "kabid")).periods] == [
        "as_expected",
        "above",
        None,
        None,
    ]


# Concurrency -------------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_realisations_are_serialised_into_one_row_and_an_unbroken_history(
    now: None,
) -> None:
    world = build_skp_world()
    reach_monitoring(world, "kabid")
    skp = world.skp("kabid")
    indicator = manual_indicators(skp)[0]
    employee, appraiser = world.user("kabid"), world.user("kadis")
    threads = 8
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []

    def enter(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            monitoring.save_realisation(
                skp_id=skp.pk,
                actor=employee if index % 2 else appraiser,
                indicator_id=indicator.pk,
                period_index=1,
                value=index + 1,
            )
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=enter, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    close_old_connections()

    assert errors == []
    [stored] = Realisation.objects.filter(indicator=indicator)
    rows = [
        row.payload
        for row in AuditEntry.objects.filter(case=skp.case).order_by("sequence")
        if row.payload.get("event") == "realisation_saved"
    ]
    values = [row["value"] for row in rows]
    # Each writer waited for the one before and saw its value: nothing was lost.
    assert [row["previous"] for row in rows] == [None, *values[:-1]]
    assert sorted(values) == [f"{n}.00" for n in range(1, threads + 1)]
    assert str(stored.value) == values[-1]
    assert list(verify_chain(AuditEntry.objects.filter(case=skp.case).order_by("sequence"))) == []
