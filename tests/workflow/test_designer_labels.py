"""What HR and employees read for a process's codes: the designer's forms, conditions, guards
and return targets by label (the code small beside it), and N-of-M stages in the diagram."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any
from xml.etree import ElementTree

import pytest

from tests.workflow.conftest import KIND, World, complete_stage
from tests.workflow.test_designer_pages import preview_url, spec_post, stage_post
from workflow.designer import create_template, publish_template
from workflow.diagram import group_text, render_svg
from workflow.forms_designer import designer_choices
from workflow.library import default_stages, with_peer_stage
from workflow.models import AuditCode, AuditEntry, Case, WorkflowTemplate
from workflow.registry import ProcessDefinition, get_process, register
from workflow.spec import Quorum, Role
from workflow.templatetags.workflow_case import case_diagram

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def labelled(world: World) -> ProcessDefinition:
    """The demo process with forms, and labels for some of its codes (``world`` removes it)."""
    return register(
        replace(
            get_process(KIND),
            forms=frozenset({"draft", "review", "legacy"}),
            form_labels={"review": "Telaah atasan", "draft": "Konsep"},
            guard_labels={"plan_complete": "Rencana lengkap"},
            condition_labels={"objection_filed": "Ada keberatan"},
        )
    )


def options(html: str, field_id: str) -> list[tuple[str, str]]:
    """Return the (value, text) of each option of a select."""
    match = re.search(rf'<select id="{field_id}".*?</select>', html, re.S)
    assert match, f"no select {field_id}"
    return re.findall(r'<option value="([^"]*)"[^>]*>(.*?)</option>', match.group(0))


def check_labels(html: str, field_id: str) -> list[str]:
    """Return the inner HTML of each checkbox label of a check list."""
    return re.findall(rf'<label for="{field_id}-\d+">(.*?)</label>', html)


def code_hint(html: str, field_id: str) -> str:
    match = re.search(rf'<p class="field-code" id="{field_id}-code" data-live>(.*?)</p>', html)
    assert match, f"no code hint for {field_id}"
    return match.group(1)


def summary(svg: str, key: str) -> list[str]:
    """Return the lines under a stage's name in a diagram (who, how many, SLA, optional)."""
    root = ElementTree.fromstring(svg)
    box = root.find(f"{SVG}g[@data-stage='{key}']")
    assert box is not None
    texts = box.findall(f"{SVG}text")
    return [span.text or "" for span in texts[-1].findall(f"{SVG}tspan")]


# The designer's choices ------------------------------------------------------------------


def test_choices_show_labels_in_the_process_order_then_unlabelled_codes(
    labelled: ProcessDefinition,
) -> None:
    choices = designer_choices(labelled, [])

    assert choices.forms is not None
    assert [(o.value, str(o.label), o.code) for o in choices.forms] == [
        ("review", "Telaah atasan", "review"),
        ("draft", "Konsep", "draft"),
        ("legacy", "legacy", ""),
    ]
    assert [(o.value, str(o.label), o.code) for o in choices.guards] == [
        ("plan_complete", "Rencana lengkap", "plan_complete")
    ]
    assert [(o.value, str(o.label), o.code) for o in choices.conditions] == [
        ("objection_filed", "Ada keberatan", "objection_filed")
    ]
    assert labelled.form_label("review") == "Telaah atasan"
    assert labelled.guard_label("plan_complete") == "Rencana lengkap"
    assert labelled.condition_label("objection_filed") == "Ada keberatan"


def test_a_process_without_labels_shows_its_codes(world: World) -> None:
    definition = get_process(KIND)
    choices = designer_choices(definition, [])

    assert [(o.value, str(o.label), o.code) for o in choices.guards] == [
        ("plan_complete", "plan_complete", "")
    ]
    assert [(o.value, str(o.label), o.code) for o in choices.conditions] == [
        ("objection_filed", "objection_filed", "")
    ]
    assert choices.forms is None
    assert definition.guard_label("plan_complete") == "plan_complete"
    assert definition.condition_label("objection_filed") == "objection_filed"
    assert definition.form_label("plan") == "plan"


def test_the_editor_shows_labels_with_the_code_small(
    client: Any, world: World, labelled: ProcessDefinition
) -> None:
    stages = default_stages(guards={"agree_plan": ("plan_complete",)})
    stages[1] = replace(stages[1], form="review")
    stages[2] = replace(stages[2], optional=True, condition="objection_filed")
    client.force_login(world.admin)

    html = client.post(preview_url(world.templates["default"]), spec_post(stages)).content.decode()

    assert options(html, "stage-1-form") == [
        ("", "(tanpa formulir khusus)"),
        ("review", "Telaah atasan"),
        ("draft", "Konsep"),
        ("legacy", "legacy"),
    ]
    assert '<option value="review" selected>Telaah atasan</option>' in html
    assert code_hint(html, "stage-1-form") == 'kode: <span class="option-code">review</span>'
    assert code_hint(html, "stage-0-form") == ""
    assert options(html, "stage-2-condition") == [
        ("", "(selalu dijalankan)"),
        ("objection_filed", "Ada keberatan"),
    ]
    assert code_hint(html, "stage-2-condition") == (
        'kode: <span class="option-code">objection_filed</span>'
    )
    assert check_labels(html, "stage-1-guards") == [
        'Rencana lengkap <span class="option-code">plan_complete</span>'
    ]
    assert check_labels(html, "stage-1-return_to") == [
        'Menyusun rencana <span class="option-code">draft_plan</span>'
    ]
    assert "(draft_plan)" not in html


def test_return_targets_are_named_like_their_cards(
    client: Any, world: World, labelled: ProcessDefinition
) -> None:
    rows: list[dict[str, Any]] = [
        {"key": "draft", "name": "", "phase": "plan_drafted", "role": "employee"},
        {
            "key": "check",
            "name": "Pemeriksaan",
            "phase": "agreed",
            "role": "appraiser",
            "return_to": ["draft", "final_ok", "hilang"],
        },
        {"key": "final_ok", "name": "Penetapan", "phase": "final", "role": "hr"},
    ]
    client.force_login(world.admin)

    html = client.post(preview_url(world.templates["default"]), stage_post(rows)).content.decode()

    assert check_labels(html, "stage-1-return_to") == [
        'Tahap 1 <span class="option-code">draft</span>',
        'Penetapan <span class="option-code">final_ok</span> · bukan tahap sebelumnya',
        "hilang · tahap ini tidak ada",
    ]
    errors = re.search(r'id="stage-1-return_to-errors">(.*?)</div>', html, re.S)
    assert errors is not None
    assert re.findall(r"<li>(.*?)</li>", errors.group(1)) == [
        "Tahap «Pemeriksaan» hanya boleh mengembalikan ke tahap sebelumnya, bukan ke «Penetapan».",
        "Tahap «Pemeriksaan» mengembalikan ke tahap hilang yang tidak ada.",
    ]


def test_the_stage_facts_say_how_many_of_the_group(
    client: Any, world: World, labelled: ProcessDefinition
) -> None:
    stages = with_peer_stage(default_stages(), n=2)
    client.force_login(world.admin)

    html = client.post(preview_url(world.templates["default"]), spec_post(stages)).content.decode()

    facts = re.search(r'id="stage-4-facts" data-live>(.*?)</p>', html)
    assert facts is not None
    assert facts.group(1) == "Penilaian · Rekan kerja · 2 orang dari kelompok · 7 hari · opsional"


def test_a_skipped_stage_names_its_condition_by_label(
    world: World, labelled: ProcessDefinition
) -> None:
    stages = default_stages()
    stages[2] = replace(stages[2], optional=True, condition="objection_filed")
    template = create_template(
        tenant_id=world.tenant.pk,
        process_kind=KIND,
        code="kondisi",
        name="Dengan kondisi",
        actor=world.admin,
        stages=stages,
    )
    publish_template(template_id=template.pk, actor=world.admin)
    world.templates["kondisi"] = template
    case = world.start("kondisi")
    complete_stage(world, case)
    complete_stage(world, case)

    skipped = AuditEntry.objects.get(case=case, code=AuditCode.STAGE_SKIPPED)
    assert (skipped.to_stage, skipped.reason) == (
        "monitor",
        "kondisi Ada keberatan tidak terpenuhi",
    )


# The diagram -----------------------------------------------------------------------------


def test_group_text() -> None:
    assert group_text(2) == "2 orang dari kelompok"
    assert group_text(2, 5) == "2 dari 5 orang"
    assert group_text(2, 1) == "2 orang dari kelompok"  # fewer than N: the group is short
    assert group_text(None) == "sebagian dari kelompok"


def test_a_template_diagram_says_n_people_of_the_group() -> None:
    svg = render_svg(with_peer_stage(default_stages(), n=2))

    assert summary(svg, "peer_feedback") == [
        "Rekan kerja · 2 orang dari kelompok",
        "7 hari · opsional",
    ]
    assert summary(svg, "rate") == ["Pejabat penilai · 10 hari"]
    assert " dari M" not in svg
    returns = ElementTree.fromstring(svg).findall(f"{SVG}path[@class='return']/{SVG}title")
    assert [title.text for title in returns] == [
        "Menyetujui rencana → Menyusun rencana",
        "Penilaian oleh pejabat penilai → Penilaian mandiri",
    ]


def test_a_document_diagram_says_how_many_of_how_many(world: World) -> None:
    case = world.start("peers")
    assert summary(case_diagram(case), "peer_feedback") == [
        "Rekan kerja · 2 orang dari kelompok",
        "7 hari · opsional",
    ]
    for _ in range(4):
        complete_stage(world, case)
    case = Case.objects.get(pk=case.pk)
    assert case.stage_key == "peer_feedback"

    assert summary(case_diagram(case), "peer_feedback") == [
        "Rekan kerja · 2 dari 3 orang · 7 hari",
        "opsional",
    ]

    complete_stage(world, case)
    case = Case.objects.get(pk=case.pk)
    assert case.stage_key == "rate"
    assert (
        summary(case_diagram(case), "peer_feedback")[0] == "Rekan kerja · 2 dari 3 orang · 7 hari"
    )


def test_a_claimable_n_of_m_stage_counts_its_candidates(world: World) -> None:
    stages = default_stages()
    stages[-1] = replace(stages[-1], role=Role.HR, quorum=Quorum.N_OF_M, quorum_n=2)
    template: WorkflowTemplate = create_template(
        tenant_id=world.tenant.pk,
        process_kind=KIND,
        code="dua-bkpsdm",
        name="Dua BKPSDM",
        actor=world.admin,
        stages=stages,
    )
    publish_template(template_id=template.pk, actor=world.admin)
    world.templates["dua"] = template
    case = world.start("dua")
    world.book.hr.append(world.outsider.pk)
    for _ in range(6):
        complete_stage(world, case)
    case = Case.objects.get(pk=case.pk)
    assert case.stage_key == "finalise"

    assert summary(case_diagram(case), "finalise") == [
        "Pengelola kinerja (BKPSDM)",
        "2 dari 3 orang · 7 hari",
    ]
