"""The template designer in a real browser: create, add an N-of-M peer stage, see the live
check and diagram, publish; then the engine's pages at phone width."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from processes.organisation.models import Agency, User
from processes.skp.stages import default_stages
from tests.browser.harness import BrowserPages, Shots, assert_no_horizontal_scroll, login
from tests.factories.organisation import make_agency
from workflow.designer import create_template, publish_template
from workflow.models import TemplateVersion, WorkflowTemplate

pytestmark = pytest.mark.browser

PASSWORD = "rahasia-123"


@pytest.fixture
def designer(transactional_db: None) -> tuple[Agency, User]:
    """An agency with its HR admin and the standard SKP template published."""
    agency, admin = make_agency("uji")
    admin.set_password(PASSWORD)
    admin.first_name, admin.last_name = "Rina", "Kepegawaian"
    admin.save()
    standard = create_template(
        tenant_id=agency.pk,
        process_kind="skp",
        code="skp-standar",
        name="SKP standar",
        actor=admin,
        stages=default_stages(),
    )
    publish_template(template_id=standard.pk, actor=admin)
    return agency, admin


def assert_clean(pages: BrowserPages) -> None:
    assert pages.external_requests == []
    assert pages.errors == []


def test_design_a_template_with_a_peer_stage_and_publish_it(
    browser_page: BrowserPages, live_server: Any, shots: Shots, designer: tuple[Agency, User]
) -> None:
    agency, admin = designer
    page = browser_page("desktop")
    login(page, live_server, admin.username, PASSWORD)

    page.goto(f"{live_server.url}/templat/")
    assert page.locator("h1").inner_text() == "Templat tahapan"
    assert page.locator('#main-nav a[aria-current="page"]').inner_text() == "Templat tahapan"
    shots.take(page, "template-list")

    with page.expect_navigation():
        page.click("text=Buat templat")
    shots.take(page, "create-form")
    page.fill("#id_code", "skp-2027")
    page.fill("#id_name", "SKP 2027 dengan rekan kerja")
    page.select_option("#id_process_kind", "skp")
    page.select_option("#id_start_from", label="SKP standar, versi 1")
    with page.expect_navigation():
        page.click("main form [type=submit]")
    template = WorkflowTemplate.objects.get(tenant=agency, code="skp-2027")
    assert page.url == f"{live_server.url}/templat/{template.pk}/"
    assert page.locator(".stage-card").count() == 8
    # A process's codes read as Indonesian labels; the code stays small beside them.
    expect(page.locator("#stage-0-form option:checked")).to_have_text("Rencana SKP")
    expect(page.locator("#stage-0-form-code")).to_have_text("kode: plan")
    expect(page.locator("#stage-6-condition option:checked")).to_have_text("Ada keberatan")
    expect(page.locator("#stage-0-guards-field label")).to_have_text(
        [
            "Rencana lengkap plan_complete",
            "Ekspektasi khusus sudah diisi expectations_complete",
            "Realisasi semua periode sudah diisi realisations_complete",
            "Laporan capaian periodik sudah diserahkan dan dinilai period_reports_complete",
            "Penilaian mandiri lengkap self_assessment_complete",
            "Rating sudah diberikan ratings_given",
            "Dialog hasil sudah dicatat result_discussed",
            "Keberatan sudah diputus objection_decided",
        ]
    )
    expect(page.locator("#stage-1-return_to-field label")).to_have_text(
        ["Penyusunan rencana SKP draft_plan"]
    )
    shots.take(page, "editor")

    # A new stage at the end, moved up to just before the appraiser's rating.
    page.click("button[value=add]")
    expect(page.locator(".stage-card")).to_have_count(9)
    for index in (8, 7, 6, 5):
        page.click(f"button[value='up:{index}']")
        expect(page.locator(f"#stage-{index - 1}-title")).to_have_text(f"Tahap {index}")
    expect(page.locator("#stage-5-title")).to_have_text("Tahap 6: Penilaian oleh pejabat penilai")
    page.fill("#stage-4-key", "peer_feedback")
    page.fill("#stage-4-name", "Umpan balik rekan kerja")
    page.select_option("#stage-4-phase", "reviewed")
    page.select_option("#stage-4-role", "peers")
    expect(page.locator("#stage-4-team")).to_be_hidden()
    expect(page.locator("#stage-4-quorum_n")).to_be_hidden()
    page.select_option("#stage-4-quorum", "n_of_m")
    expect(page.locator("#stage-4-quorum_n")).to_be_visible()
    page.select_option("#stage-4-form", label="Umpan balik rekan kerja")
    expect(page.locator("#stage-4-form-code")).to_have_text("kode: peer_feedback")

    # N left empty: the live check puts the problem next to N, in Indonesian.
    expect(page.locator("#stage-4-quorum_n-errors")).to_have_text(
        "Tahap «Umpan balik rekan kerja»: isi N (paling sedikit 1) untuk N dari M pelaksana."
    )
    expect(page.locator("#stage-4-quorum_n")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#designer-summary")).to_contain_text("Ada 1 masalah")
    expect(page.locator("#designer-preview svg")).to_contain_text("Umpan balik rekan kerja")
    shots.take(page, "inline-error")

    page.fill("#stage-4-quorum_n", "2")
    page.fill("#stage-4-sla_days", "7")
    page.press("#stage-4-sla_days", "Tab")
    expect(page.locator("#stage-4-quorum_n-errors")).to_be_empty()
    expect(page.locator("#designer-summary")).to_contain_text("Templat valid")
    peer_box = page.locator("#designer-preview svg g[data-stage='peer_feedback'] text").last
    expect(peer_box.locator("tspan")).to_have_text(
        ["Rekan kerja · 2 orang dari kelompok", "7 hari"]
    )
    expect(page.locator("#stage-4-facts")).to_have_text(
        "Penilaian · Rekan kerja · 2 orang dari kelompok · 7 hari"
    )
    expect(page.locator("#stage-4-quorum_n")).not_to_have_attribute("aria-invalid", "true")
    shots.take(page, "fixed-with-diagram")

    page.fill("#publish-note", "Umpan balik rekan kerja")
    with page.expect_navigation():
        page.click("button[value=publish]")
    expect(page.locator(".messages")).to_contain_text("Versi 1 diterbitkan.")
    expect(page.locator("#versi-1 h3")).to_contain_text("Versi 1")
    version = TemplateVersion.objects.get(template=template)
    assert [spec.key for spec in version.specs()] == [
        "draft_plan",
        "agree_plan",
        "monitor",
        "self_assess",
        "peer_feedback",
        "rate",
        "discuss",
        "decide_objection",
        "finalise",
    ]
    peer = version.stage("peer_feedback")
    assert (peer.role, peer.quorum, peer.quorum_n, peer.sla_days, peer.form) == (
        "peers",
        "n_of_m",
        2,
        7,
        "peer_feedback",
    )
    shots.take(page, "published")
    assert_clean(browser_page)

    phone = browser_page("phone")
    login(phone, live_server, admin.username, PASSWORD)
    for name, path in (
        ("phone-editor", f"/templat/{template.pk}/"),
        ("phone-template-list", "/templat/"),
        ("phone-create-form", "/templat/baru/"),
        ("phone-teams", "/tim/"),
        ("phone-inbox", "/tugas/"),
    ):
        phone.goto(f"{live_server.url}{path}")
        assert_no_horizontal_scroll(phone)
        shots.take(phone, name)
    phone.goto(f"{live_server.url}/templat/{template.pk}/")
    phone.click("button[value='up:1']")
    expect(phone.locator("#stage-0-title")).to_have_text(
        "Tahap 1: Persetujuan rencana oleh pejabat penilai"
    )
    assert_no_horizontal_scroll(phone)
    shots.take(phone, "phone-editor-moved")
    assert_clean(browser_page)
