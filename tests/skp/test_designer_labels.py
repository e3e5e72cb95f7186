"""The template designer speaks HR's language for SKP: forms, conditions, guards and return
targets by their Indonesian labels; the stored codes stay what they were."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from processes.skp.process import (
    CONDITION_LABELS,
    CONDITIONS,
    DEFINITION,
    FORM_LABELS,
    FORMS,
    GUARD_LABELS,
    GUARDS,
)
from processes.skp.stages import default_stages, insert_before, peer_feedback_stage
from tests.factories.organisation import make_agency
from workflow.designer import create_template
from workflow.models import WorkflowTemplate
from workflow.registry import get_process

FORMS_SHOWN = [
    ("", "(tanpa formulir khusus)"),
    ("plan", "Rencana SKP"),
    ("plan_approval", "Persetujuan rencana SKP"),
    ("monitoring", "Pemantauan dan realisasi"),
    ("self_assessment", "Penilaian mandiri"),
    ("peer_feedback", "Umpan balik rekan kerja"),
    ("rating", "Penilaian pejabat penilai"),
    ("team_review", "Reviu tim penilai kinerja"),
    ("discussion", "Dialog hasil dan tanggapan pegawai"),
    ("objection_decision", "Keputusan keberatan"),
    ("finalisation", "Penetapan hasil akhir"),
]
CONDITIONS_SHOWN = [
    ("", "(selalu dijalankan)"),
    ("objection_filed", "Ada keberatan"),
    ("is_functional", "Pegawai berjabatan fungsional"),
]
GUARDS_SHOWN = [
    ("Rencana lengkap", "plan_complete"),
    ("Ekspektasi khusus sudah diisi", "expectations_complete"),
    ("Realisasi semua periode sudah diisi", "realisations_complete"),
    ("Laporan capaian periodik sudah diserahkan dan dinilai", "period_reports_complete"),
    ("Penilaian mandiri lengkap", "self_assessment_complete"),
    ("Rating sudah diberikan", "ratings_given"),
    ("Dialog hasil sudah dicatat", "result_discussed"),
    ("Keberatan sudah diputus", "objection_decided"),
]


def options(html: str, field_id: str) -> list[tuple[str, str]]:
    match = re.search(rf'<select id="{field_id}".*?</select>', html, re.S)
    assert match, f"no select {field_id}"
    return re.findall(r'<option value="([^"]*)"[^>]*>(.*?)</option>', match.group(0))


def selected(html: str, field_id: str) -> str:
    match = re.search(rf'<select id="{field_id}".*?</select>', html, re.S)
    assert match
    found: list[str] = re.findall(r"<option [^>]*selected>(.*?)</option>", match.group(0))
    assert len(found) == 1
    return found[0]


def coded_labels(html: str, field_id: str) -> list[tuple[str, str]]:
    """Return (label, code) of each checkbox of a check list."""
    return re.findall(
        rf'<label for="{field_id}-\d+">(.*?) <span class="option-code">(.*?)</span>', html
    )


@pytest.fixture
def template(db: None) -> tuple[Any, WorkflowTemplate]:
    agency, admin = make_agency("uji")
    stages = insert_before(default_stages(), "rate", peer_feedback_stage())
    return admin, create_template(
        tenant_id=agency.pk,
        process_kind="skp",
        code="skp-standar",
        name="SKP standar",
        actor=admin,
        stages=stages,
    )


def test_every_form_guard_and_condition_has_a_label() -> None:
    assert set(FORM_LABELS) == FORMS
    assert set(GUARD_LABELS) == set(GUARDS)
    assert set(CONDITION_LABELS) == set(CONDITIONS)
    definition = get_process("skp")
    assert definition is DEFINITION
    assert definition.form_label("objection_decision") == "Keputusan keberatan"
    assert definition.guard_label("ratings_given") == "Rating sudah diberikan"
    assert definition.condition_label("is_functional") == "Pegawai berjabatan fungsional"


def test_the_designer_shows_forms_conditions_guards_and_returns_by_label(
    client: Client, template: tuple[Any, WorkflowTemplate]
) -> None:
    admin, skp_template = template
    client.force_login(admin)

    html = client.get(f"/templat/{skp_template.pk}/").content.decode()

    # Stage 1: the plan; stage 8: the optional objection decision.
    assert options(html, "stage-0-form") == FORMS_SHOWN
    assert selected(html, "stage-0-form") == "Rencana SKP"
    assert 'id="stage-0-form-code" data-live>kode: <span class="option-code">plan</span>' in html
    assert selected(html, "stage-4-form") == "Umpan balik rekan kerja"
    assert selected(html, "stage-7-form") == "Keputusan keberatan"
    assert options(html, "stage-7-condition") == CONDITIONS_SHOWN
    assert selected(html, "stage-7-condition") == "Ada keberatan"
    assert coded_labels(html, "stage-0-guards") == GUARDS_SHOWN
    assert re.findall(r'id="stage-0-guards-\d+" [^>]*checked', html) != []
    assert coded_labels(html, "stage-1-return_to") == [("Penyusunan rencana SKP", "draft_plan")]
    assert coded_labels(html, "stage-5-return_to") == [
        ("Penyusunan rencana SKP", "draft_plan"),
        ("Persetujuan rencana oleh pejabat penilai", "agree_plan"),
        ("Pemantauan kinerja dan bukti dukung", "monitor"),
        ("Penilaian mandiri", "self_assess"),
        ("Umpan balik rekan kerja", "peer_feedback"),
    ]
    assert "(draft_plan)" not in html
    # The stored values stay the codes.
    assert '<option value="objection_decision" selected>' in html
    assert 'value="plan_complete" checked' in html
    stage = skp_template.draft_specs()[7]
    assert (stage.form, stage.condition, stage.guards) == (
        "objection_decision",
        "objection_filed",
        ("objection_decided",),
    )


def test_the_peer_stage_reads_naturally_in_the_facts_and_the_diagram(
    client: Client, template: tuple[Any, WorkflowTemplate]
) -> None:
    admin, skp_template = template
    client.force_login(admin)

    html = client.get(f"/templat/{skp_template.pk}/").content.decode()

    facts = re.search(r'id="stage-4-facts" data-live>(.*?)</p>', html)
    assert facts is not None
    assert facts.group(1) == "Penilaian · Rekan kerja · 2 orang dari kelompok · 7 hari · opsional"
    assert "Rekan kerja · 2 orang dari kelompok</tspan>" in html
    assert "dari M" not in html.replace("N dari M pelaksana", "")
