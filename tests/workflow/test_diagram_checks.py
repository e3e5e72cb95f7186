"""SVG diagrams, system checks, and the engine's independence from any process."""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree

from django.core.checks import run_checks

from tests.workflow.conftest import World, complete_stage
from workflow.diagram import render_svg
from workflow.library import default_stages, with_peer_stage
from workflow.models import Case, WorkflowTemplate

ENGINE = Path(__file__).resolve().parents[2] / "workflow"
SVG = "{http://www.w3.org/2000/svg}"


def test_diagram_is_valid_svg_with_a_box_per_stage_and_return_arcs() -> None:
    stages = with_peer_stage(default_stages())
    root = ElementTree.fromstring(render_svg(stages, title="Uji"))

    boxes = root.findall(f"{SVG}g")
    assert [box.get("data-stage") for box in boxes] == [stage.key for stage in stages]
    assert len(root.findall(f"{SVG}path[@class='return']")) == 2
    assert root.get("aria-label") == "Uji"


def test_document_diagram_marks_current_and_done_stages(world: World) -> None:
    case = world.start()
    complete_stage(world, case)
    case = Case.objects.get(pk=case.pk)
    svg = render_svg(case.template_version.specs(), current=case.stage_key, done={"draft_plan"})
    root = ElementTree.fromstring(svg)
    classes = {box.get("data-stage"): box.get("class") for box in root.findall(f"{SVG}g")}
    assert classes["draft_plan"] == "stage done"
    assert classes["agree_plan"] == "stage current"
    assert classes["rate"] == "stage"


def test_system_check_reports_a_broken_stored_template(world: World) -> None:
    assert [
        m for m in run_checks(databases=["default"]) if (m.id or "").startswith("workflow.")
    ] == []
    template = world.templates["default"]
    broken = [stage.to_dict() for stage in default_stages()]
    broken[1]["return_to"] = ["rate"]
    WorkflowTemplate.objects.filter(pk=template.pk).update(draft_stages=broken)

    messages = [m.msg for m in run_checks(databases=["default"]) if m.id == "workflow.E001"]

    assert messages == [
        "template default (draft): Tahap «Menyetujui rencana» hanya boleh mengembalikan ke tahap sebelumnya, bukan ke «Penilaian oleh pejabat penilai»."
    ]


def test_engine_knows_no_process_or_agency() -> None:
    forbidden = re.compile(
        r"\b(skp|rhk|predikat|keberatan|berakhlak|gorontalo|bantul|tanjung selor|makassar|dumai)\b|processes\.",
        re.IGNORECASE,
    )
    offenders = []
    for path in ENGINE.rglob("*.py"):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if forbidden.search(line):
                offenders.append(f"{path.relative_to(ENGINE.parent)}:{number}: {line.strip()}")
    assert offenders == []
