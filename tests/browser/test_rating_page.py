"""The appraiser's pages in a real browser: the rating page with its live predikat and curve,
the dialog and final tabs, the team overview and the leader's view, at 1280 and 360 px."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from config.navigation import unregister
from processes.skp.models import Objection
from processes.skp.nav_team import register_team_nav
from tests.browser.harness import BrowserPages, Shots, assert_no_horizontal_scroll, login
from tests.factories import skp_review as walk
from tests.factories.skp import SkpWorld, build_skp_world
from tests.factories.skp_monitoring import reach_monitoring

pytestmark = pytest.mark.browser

JUSTIFICATION = "Seluruh dokumen kurikulum disahkan lebih cepat dari jadwal."


@pytest.fixture
def team_menu() -> Iterator[None]:
    register_team_nav()
    yield
    unregister("skp_team")
    unregister("skp_leader")


@pytest.fixture
def rating_world(transactional_db: None, team_menu: None) -> SkpWorld:
    """staf1's SKP waits for the Kepala Seksi's rating; Seksi Kurikulum's result is "Baik"."""
    world = build_skp_world()
    walk.to_rating(world, "staf1")
    reach_monitoring(world, "staf2")
    walk.record_result(world, "SEK-KUR", "baik")
    return world


def assert_clean(pages: BrowserPages) -> None:
    assert pages.external_requests == []
    assert pages.errors == []


def sign_in(page: Any, live_server: Any, world: SkpWorld, who: str) -> None:
    # Charts draw without animation, so a screenshot shows their final bars.
    page.emulate_media(reduced_motion="reduce")
    login(page, live_server, world.user(who).username, "x")


def tab_url(live_server: Any, world: SkpWorld, who: str, tab: str) -> str:
    path = reverse("skp:detail_tab", kwargs={"skp_id": world.skp(who).pk, "tab": tab})
    return f"{live_server.url}{path}"


def pick(page: Any, field: str, value: str) -> None:
    """Choose a rating by clicking its label, as a person does."""
    page.locator(f"label:has(input[name='{field}'][value='{value}'])").click()


def chart_ready(page: Any) -> bool:
    return bool(
        page.evaluate(
            "() => !!(window.Chart && window.Chart.getChart("
            "document.getElementById('rating-curve-chart')))"
        )
    )


def test_the_appraiser_rates_with_the_live_predikat_and_the_curve(
    browser_page: BrowserPages, live_server: Any, shots: Shots, rating_world: SkpWorld
) -> None:
    world = rating_world
    # A Butuh Perbaikan unit of four may hold no Sangat Baik (10 % of 4 rounds to 0): that
    # limit is decided by the first such result, whoever is still unrated.
    walk.record_result(world, "SEK-KUR", "butuh_perbaikan")
    page = browser_page("desktop")
    sign_in(page, live_server, world, "kasi")
    url = tab_url(live_server, world, "staf1", "penilaian")

    page.goto(url)
    predikat = page.locator("#predikat-value")
    expect(predikat).to_have_text("Pilih kedua rating")
    expect(page.locator("#rating-curve-chart")).to_be_visible()
    assert chart_ready(page)
    expect(page.locator("#curve-limits")).to_contain_text(
        "Butuh Perbaikan paling sedikit 60% (2 dari 4 orang)"
    )
    shots.take(page, "rating-page")

    pick(page, "rating_hasil", "as_expected")
    pick(page, "rating_perilaku", "as_expected")
    expect(predikat).to_have_text("Baik")
    expect(page.locator("#curve-fit")).to_contain_text("Sesuai kurva distribusi")
    pick(page, "rating_hasil", "above")
    pick(page, "rating_perilaku", "above")
    expect(predikat).to_have_text("Sangat Baik")
    expect(page.locator("#curve-fit")).to_contain_text("Di luar kurva distribusi")
    expect(page.locator("label[for=id_justification]")).to_have_text(
        "Justifikasi penilaian (wajib)"
    )
    expect(page.locator("#rating-announce")).to_contain_text("Predikat: Sangat Baik.")
    # The chart shows the spread this result would give beside the current one.
    assert page.evaluate(
        "() => window.Chart.getChart(document.getElementById('rating-curve-chart'))"
        ".isDatasetVisible(1)"
    )
    shots.take(page, "predikat-outside-curve")

    # Saving without the justification the curve asks for stays on the page.
    page.click("button[value=simpan]")
    assert page.evaluate("document.getElementById('id_justification').validity.valueMissing")
    assert world.skp("staf1").predikat == ""

    page.fill("#id_justification", JUSTIFICATION)
    with page.expect_navigation():
        page.click("button[value=simpan]")
    expect(page.locator(".messages")).to_contain_text("Penilaian disimpan. Predikat: Sangat Baik.")
    expect(predikat).to_have_text("Sangat Baik")
    assert world.skp("staf1").predikat == "sangat_baik"
    shots.take(page, "saved")

    with page.expect_navigation():
        page.click("button[value=kirim]")
    expect(page.locator(".messages")).to_contain_text("Penilaian dikirim. Predikat: Sangat Baik.")
    expect(page.locator("#result-facts")).to_contain_text("Sangat Baik")
    assert world.case("staf1").stage_key == "discuss"
    shots.take(page, "sent")
    assert_clean(browser_page)


def test_the_rating_page_fits_a_phone(
    browser_page: BrowserPages, live_server: Any, shots: Shots, rating_world: SkpWorld
) -> None:
    world = rating_world
    page = browser_page("phone")
    sign_in(page, live_server, world, "kasi")

    page.goto(tab_url(live_server, world, "staf1", "penilaian"))
    assert_no_horizontal_scroll(page)
    shots.take(page, "rating-page")

    pick(page, "rating_hasil", "below")
    pick(page, "rating_perilaku", "as_expected")
    expect(page.locator("#predikat-value")).to_have_text("Butuh Perbaikan")
    assert chart_ready(page)
    assert_no_horizontal_scroll(page)
    shots.take(page, "predikat")

    page.locator("#kurva details.chart-table > summary").click()
    assert_no_horizontal_scroll(page)
    shots.take(page, "curve-table")
    assert_clean(browser_page)


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_team_pages_and_the_result_tabs(
    browser_page: BrowserPages, live_server: Any, shots: Shots, rating_world: SkpWorld, size: str
) -> None:
    world = rating_world
    walk.rate(world, "staf1", "above", "as_expected", justification=JUSTIFICATION)
    walk.discuss(world, "staf1")

    appraiser = browser_page(size)
    sign_in(appraiser, live_server, world, "kasi")
    appraiser.goto(f"{live_server.url}{reverse('skp:team')}")
    expect(appraiser.locator("#team-rows > li")).to_have_count(3)
    assert_no_horizontal_scroll(appraiser)
    shots.take(appraiser, "team")

    leader = browser_page(size)
    sign_in(leader, live_server, world, "kabid")
    leader.goto(f"{live_server.url}{reverse('skp:team')}")
    expect(leader.locator("#predikat-organisasi")).to_contain_text("Seksi Kurikulum")
    assert_no_horizontal_scroll(leader)
    shots.take(leader, "team-with-organisation-predikat")
    leader.goto(f"{live_server.url}{reverse('skp:leader')}")
    expect(leader.locator("#team-rows > li")).to_have_count(5)
    assert_no_horizontal_scroll(leader)
    shots.take(leader, "leader-view")

    employee = browser_page(size)
    sign_in(employee, live_server, world, "staf1")
    employee.goto(tab_url(live_server, world, "staf1", "dialog"))
    expect(employee.locator("#objection-window")).to_contain_text("WITA")
    assert_no_horizontal_scroll(employee)
    shots.take(employee, "dialog-employee")
    employee.fill("#id_reasons", "Capaian saya melebihi target seluruh triwulan.")
    with employee.expect_navigation():
        employee.click("text=Ajukan keberatan")
    expect(employee.locator(".messages")).to_contain_text("Keberatan Anda diajukan")

    supervisor = browser_page(size)
    sign_in(supervisor, live_server, world, "kabid")
    supervisor.goto(tab_url(live_server, world, "staf1", "dialog"))
    supervisor.locator("label:has(input[name=decision][value=upheld])").click()
    pick(supervisor, "rating_hasil", "above")
    pick(supervisor, "rating_perilaku", "above")
    expect(supervisor.locator("#decision-predikat")).to_have_text("Sangat Baik")
    # "Ditolak" keeps the result: the new ratings go back to "Tidak diubah" and, with the
    # new predikat, out of sight; "Diterima" again shows them with no rating chosen.
    supervisor.locator("label:has(input[name=decision][value=rejected])").click()
    expect(supervisor.locator("#decision-form .rating-groups")).to_be_hidden()
    expect(supervisor.locator("#decision-live")).to_be_hidden()
    expect(supervisor.locator("#decision-predikat")).to_have_attribute("data-predikat", "")
    supervisor.locator("label:has(input[name=decision][value=upheld])").click()
    expect(supervisor.locator("#decision-form .rating-groups")).to_be_visible()
    expect(
        supervisor.locator("#decision-form input[name^=rating_][value='']:checked")
    ).to_have_count(2)
    pick(supervisor, "rating_hasil", "above")
    pick(supervisor, "rating_perilaku", "above")
    expect(supervisor.locator("#decision-predikat")).to_have_text("Sangat Baik")
    supervisor.fill("#id_reason", "Bukti dukung menunjukkan perilaku di atas ekspektasi.")
    assert_no_horizontal_scroll(supervisor)
    shots.take(supervisor, "decision")
    with supervisor.expect_navigation():
        supervisor.click("button:has-text('Putuskan')")
    expect(supervisor.locator("#objection-decision")).to_contain_text("Diterima: hasil diubah")
    shots.take(supervisor, "decided")

    hr = browser_page(size)
    hr.emulate_media(reduced_motion="reduce")
    login(hr, live_server, world.org.admin.username, "x")
    hr.goto(tab_url(live_server, world, "staf1", "hasil"))
    hr.fill("#id_follow_up_note", "Usulkan penghargaan pegawai berprestasi.")
    with hr.expect_navigation():
        hr.click("button:has-text('Tetapkan')")
    expect(hr.locator("#skp-locked")).to_contain_text("SKP terkunci")
    assert_no_horizontal_scroll(hr)
    shots.take(hr, "final")
    assert Objection.objects.get().decision == "upheld"
    assert_clean(browser_page)
