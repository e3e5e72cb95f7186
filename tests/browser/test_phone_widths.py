"""The SKP pages fit a 360 px phone without horizontal scrolling, with every form opened.

The SKP list, each tab of the SKP page this app offers (plan, monitoring for the employee
and the appraiser, self-assessment, history), the task inbox, the team overview and the
stuck-approval console; long file names, links and texts included. A screenshot of each.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import NoReverseMatch, reverse

from processes.skp.actions import monitoring as monitoring_actions
from processes.skp.models import Indicator, Skp
from tests.browser.harness import BrowserPages, Shots, assert_no_horizontal_scroll, login
from tests.factories.skp import SkpWorld, agree_chain, build_skp_world, draft_plan
from tests.factories.skp_monitoring import (
    PDF,
    clock,
    reach_monitoring,
    set_settings,
    upload,
)
from tests.factories.skp_review import to_self_assessment

pytestmark = pytest.mark.browser

# Friday 20 November 2026, 09:00 WITA: every quarter has begun, the third has ended.
AT = datetime.datetime(2026, 11, 20, 1, 0, tzinfo=datetime.UTC)
LONG_NAME = "Laporan_pelaksanaan_kurikulum_muatan_lokal_triwulan_IV_dinas_pendidikan_final.pdf"
LONG_URL = "https://drive.example.go.id/bukti/kurikulum/2026/triwulan-4/laporan-pelaksanaan-lengkap"


@pytest.fixture
def world(transactional_db: None) -> Iterator[SkpWorld]:
    """staf1 drafts; kasi monitors with evidence, feedback, a dialog and daily activities;
    guru stands in self-assessment. The agency uses every optional monitoring feature."""
    with clock(AT):
        world = build_skp_world()
        set_settings(
            world,
            daily_activities_enabled=True,
            period_report_required=True,
            attendance_enabled=True,
            extra_aspects=[{"code": "kompetensi", "name": "Kompetensi teknis"}],
        )
        agree_chain(world, "kadis", "kabid")
        reach_monitoring(world, "kasi", rhk_count=2)
        draft_plan(world, "staf1")
        to_self_assessment(world, "guru")
        kasi = world.skp("kasi")
        indicator = Indicator.objects.filter(rhk__skp=kasi).order_by("pk").first()
        assert indicator is not None
        monitoring_actions.add_evidence_file(
            skp_id=kasi.pk,
            actor=world.user("kasi"),
            uploaded=upload(LONG_NAME, PDF),
            indicator_id=indicator.pk,
            period_index=4,
            note="Notulen dan daftar hadir",
        )
        monitoring_actions.add_evidence_link(
            skp_id=kasi.pk,
            actor=world.user("kasi"),
            url=LONG_URL,
            indicator_id=indicator.pk,
            period_index=4,
        )
        monitoring_actions.give_feedback(
            skp_id=kasi.pk,
            actor=world.user("kabid"),
            text="Percepat finalisasi modul agar dapat diuji coba awal semester.",
            indicator_id=indicator.pk,
            period_index=4,
        )
        monitoring_actions.record_dialog(
            skp_id=kasi.pk,
            actor=world.user("kabid"),
            kind="coaching",
            held_on=datetime.date(2026, 11, 19),
            agenda="Kemajuan penyusunan modul",
            outcome="Sepakat menyelesaikan dua modul bulan ini",
            period_index=4,
        )
        entries, _errors = monitoring_actions.parse_daily_lines(
            "16/11/2026; Menyusun draf modul muatan lokal untuk kelas IV sekolah dasar; 2; dokumen\n"
            "17/11/2026; Rapat koordinasi dengan pengawas sekolah"
        )
        monitoring_actions.add_daily_activities(
            skp_id=kasi.pk, actor=world.user("kasi"), entries=entries
        )
        yield world


def open_all_details(page: Any) -> None:
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")


def check(page: Any, shots: Shots, name: str) -> None:
    assert_no_horizontal_scroll(page)
    open_all_details(page)
    assert_no_horizontal_scroll(page)
    shots.take(page, name)


def tab_url(live_server: Any, skp: Skp, key: str) -> str:
    return f"{live_server.url}{reverse('skp:detail_tab', kwargs={'skp_id': skp.pk, 'tab': key})}"


def optional(live_server: Any, name: str) -> str:
    try:
        return f"{live_server.url}{reverse(name)}"
    except NoReverseMatch:
        return ""


def test_skp_pages_fit_a_phone(
    browser_page: BrowserPages, live_server: Any, shots: Shots, world: SkpWorld
) -> None:
    with clock(AT):
        employee = browser_page("phone")
        login(employee, live_server, world.user("staf1").username, "x")
        employee.goto(tab_url(live_server, world.skp("staf1"), "rencana"))
        check(employee, shots, "plan-employee")

        kasi = browser_page("phone")
        login(kasi, live_server, world.user("kasi").username, "x")
        kasi.goto(f"{live_server.url}{reverse('skp:my_list')}")
        assert kasi.locator("h1").inner_text() == "SKP saya"
        check(kasi, shots, "list")
        kasi.goto(tab_url(live_server, world.skp("kasi"), "pemantauan"))
        assert LONG_NAME in kasi.locator("#bagian").inner_text()
        # Saving a realisation swaps its indicator in place and refreshes the period's count.
        counter = kasi.locator("#periode-terisi p")
        assert counter.inner_text() == "Realisasi terisi 0 dari 2 indikator."
        kasi.evaluate("window.notReloaded = true")
        form = kasi.locator("form:has(input[name=aksi][value=realisasi])").first
        form.locator("input[name$=value]").fill("1")
        form.locator("button[type=submit]").click()
        kasi.wait_for_function(
            "document.querySelector('#periode-terisi p').innerText.includes('1 dari 2')"
        )
        assert kasi.evaluate("window.notReloaded") is True
        check(kasi, shots, "monitoring-employee")
        kasi.goto(tab_url(live_server, world.skp("kasi"), "rencana"))
        check(kasi, shots, "plan-during-monitoring")
        kasi.goto(tab_url(live_server, world.skp("staf1"), "rencana"))
        check(kasi, shots, "plan-appraiser")
        inbox = optional(live_server, "workflow:inbox")
        if inbox:
            kasi.goto(inbox)
            check(kasi, shots, "inbox")
        team = optional(live_server, "skp:team")
        if team:
            kasi.goto(team)
            check(kasi, shots, "team")

        kabid = browser_page("phone")
        login(kabid, live_server, world.user("kabid").username, "x")
        kabid.goto(f"{tab_url(live_server, world.skp('kasi'), 'pemantauan')}?periode=3")
        check(kabid, shots, "monitoring-appraiser")

        guru = browser_page("phone")
        login(guru, live_server, world.user("guru").username, "x")
        guru.goto(tab_url(live_server, world.skp("guru"), "mandiri"))
        assert guru.locator("#mandiri-judul").inner_text() == "Penilaian mandiri"
        check(guru, shots, "self-assessment")
        guru.goto(tab_url(live_server, world.skp("guru"), "riwayat"))
        check(guru, shots, "history")

        admin = browser_page("phone")
        login(admin, live_server, world.org.admin.username, "x")
        admin.goto(f"{live_server.url}{reverse('skp:stuck_console')}")
        check(admin, shots, "stuck-console")
        admin.goto(tab_url(live_server, world.skp("kasi"), "riwayat"))
        check(admin, shots, "history-hr")

    assert browser_page.external_requests == []
    assert browser_page.errors == []
