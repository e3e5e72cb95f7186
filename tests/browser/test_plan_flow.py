"""A plan from draft to agreement, entirely through the pages in a real browser.

The employee (staf1) drafts an RHK linked to the appraiser's RHK and an indicator, and
submits; the appraiser (kasi) writes the expectations and returns the plan with a reason;
the employee reads the reason, fixes the target and submits again; the appraiser approves.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from processes.skp.models import Indicator, PlanVersion, Rhk
from tests.browser.harness import BrowserPages, Shots, login
from tests.factories.skp import EXPECTATIONS, SkpWorld, agree_chain, build_skp_world
from workflow.models import AuditCode, AuditEntry, Case

pytestmark = pytest.mark.browser

REASON = "Target indikator terlalu rendah; naikkan menjadi enam dokumen."


@pytest.fixture
def world(transactional_db: None) -> SkpWorld:
    """The cascade above staf1 agreed (kadis, kabid, kasi); staf1's plan is empty."""
    world = build_skp_world()
    agree_chain(world, "kadis", "kabid", "kasi")
    return world


def assert_clean(pages: BrowserPages) -> None:
    assert pages.external_requests == []
    assert pages.errors == []


def stage_of(world: SkpWorld, who: str) -> str:
    return Case.objects.get(skp=world.skp(who)).stage_key


def test_submit_return_fix_resubmit_approve_through_the_browser(
    browser_page: BrowserPages, live_server: Any, shots: Shots, world: SkpWorld
) -> None:
    skp = world.skp("staf1")
    plan_url = f"{live_server.url}{reverse('skp:detail', kwargs={'skp_id': skp.pk})}"
    employee = browser_page("desktop")
    login(employee, live_server, world.user("staf1").username, "x")

    # The employee drafts an RHK hanging under the appraiser's RHK.
    employee.goto(f"{live_server.url}{reverse('skp:my_list')}")
    shots.take(employee, "employee-list")
    with employee.expect_navigation():
        employee.click("text=SKP Tahunan 2026")
    assert employee.url == plan_url
    assert employee.locator(".skp-tabs a[aria-current=page]").inner_text() == "Rencana"
    shots.take(employee, "employee-empty-plan")
    employee.fill("#id_rhk-baru-text", "Tersusunnya modul kurikulum muatan lokal")
    employee.select_option("#id_rhk-baru-parent", index=1)
    with employee.expect_navigation():
        employee.click("form:has(#id_rhk-baru-text) button[type=submit]")
    rhk = Rhk.objects.get(skp=skp)
    assert rhk.parent is not None
    assert "RHK disimpan." in employee.locator(".messages").inner_text()
    card = employee.locator(f"#rhk-{rhk.pk}")
    shots.take(employee, "employee-rhk-added")

    # An indicator, added in place (htmx swaps the RHK card).
    prefix = f"#id_ind-{rhk.pk}-baru"
    card.locator(f"{prefix}-text").fill("Jumlah modul yang disahkan")
    card.locator(f"{prefix}-aspect").select_option("kuantitas")
    card.locator(f"{prefix}-target_value").fill("4")
    card.locator(f"{prefix}-target_unit").fill("modul")
    card.locator("button", has_text="Tambah indikator").click()
    employee.locator(f"#rhk-{rhk.pk} .saved-note").wait_for()
    indicator = Indicator.objects.get(rhk=rhk)
    assert "Jumlah modul yang disahkan" in employee.locator(f"#rhk-{rhk.pk}").inner_text()
    shots.take(employee, "employee-indicator-added")

    with employee.expect_navigation():
        employee.locator("#keputusan button", has_text="Ajukan").click()
    assert stage_of(world, "staf1") == "agree_plan"
    assert "Rencana diajukan kepada pejabat penilai." in employee.locator(".messages").inner_text()
    shots.take(employee, "employee-submitted")

    # The appraiser writes the expectations, then returns the plan with a reason.
    appraiser = browser_page("desktop")
    login(appraiser, live_server, world.user("kasi").username, "x")
    appraiser.goto(plan_url)
    assert appraiser.locator(".skp-tabs a[aria-current=page]").inner_text() == "Rencana"
    shots.take(appraiser, "appraiser-sees-submitted-plan")
    for value, text in EXPECTATIONS.items():
        appraiser.fill(f"#id_ekspektasi-{value}", text)
    with appraiser.expect_navigation():
        appraiser.locator("#ekspektasi button[type=submit]").click()
    assert "Ekspektasi khusus disimpan." in appraiser.locator(".messages").inner_text()
    with appraiser.expect_navigation():
        appraiser.locator("#keputusan button", has_text="Kembalikan").click()
    assert appraiser.locator("#id_kembalikan-reason_error").inner_text() == "Alasan wajib diisi."
    shots.take(appraiser, "appraiser-return-needs-reason")
    appraiser.fill("#id_kembalikan-reason", REASON)
    with appraiser.expect_navigation():
        appraiser.locator("#keputusan button", has_text="Kembalikan").click()
    assert stage_of(world, "staf1") == "draft_plan"
    assert AuditEntry.objects.get(case__skp=skp, code=AuditCode.CASE_RETURNED).reason == REASON
    shots.take(appraiser, "appraiser-returned")

    # The employee reads the reason, raises the target and submits again.
    employee.goto(plan_url)
    assert REASON in employee.locator(".notice").inner_text()
    shots.take(employee, "employee-sees-return")
    item = employee.locator(f"#indikator-{indicator.pk}")
    item.locator("summary", has_text="Ubah").click()
    item.locator(f"#id_ind-{indicator.pk}-target_value").fill("6")
    item.locator("button", has_text="Simpan indikator").click()
    employee.locator(f"#rhk-{rhk.pk} .saved-note").wait_for()
    indicator.refresh_from_db()
    assert indicator.target_value == 6
    assert "Target: 6 modul" in employee.locator(f"#indikator-{indicator.pk}").inner_text()
    shots.take(employee, "employee-fixed")
    with employee.expect_navigation():
        employee.locator("#keputusan button", has_text="Ajukan").click()
    assert stage_of(world, "staf1") == "agree_plan"
    shots.take(employee, "employee-resubmitted")

    # The appraiser approves: the plan is agreed as version 1.
    appraiser.goto(plan_url)
    with appraiser.expect_navigation():
        appraiser.locator("#keputusan button", has_text="Setujui rencana").click()
    assert "Rencana disetujui dan ditetapkan." in appraiser.locator(".messages").inner_text()
    version = PlanVersion.objects.get(skp=skp)
    assert version.snapshot["rhks"][0]["indicators"][0]["target_value"] == "6.00"
    assert stage_of(world, "staf1") == "monitor"
    assert "Versi 1" in appraiser.locator("#versi").inner_text()
    shots.take(appraiser, "appraiser-approved")

    employee.goto(plan_url)
    assert employee.locator(".skp-tabs a[aria-current=page]").inner_text() == "Pemantauan"
    shots.take(employee, "employee-monitoring")
    assert_clean(browser_page)
