"""The stuck-approval console and HR's SKP pages in a real browser, at desktop and phone size."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from config.navigation import unregister
from processes.organisation.models import User
from processes.skp.access import role_day
from processes.skp.actions.plan import submit_plan
from processes.skp.jobs import register_skp_jobs
from processes.skp.models import OrganisationResult, PeriodEvaluation, Skp
from processes.skp.nav import register_hr_nav
from processes.skp.rules import OrgPredikat, Predikat
from tests.browser.harness import (
    BrowserPages,
    Shots,
    assert_no_horizontal_scroll,
    login,
    wait_for_htmx,
)
from tests.factories.skp import SkpWorld, agree_chain, build_skp_world, draft_plan
from workflow.models import AuditCode, AuditEntry, WorkItem

pytestmark = pytest.mark.browser

REASON = "Andi cuti besar sampai Juni; rencana disusun bersama kepala seksi."
ID_MONTHS = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")


@pytest.fixture
def hr_menu() -> Iterator[None]:
    register_hr_nav()
    register_skp_jobs()
    yield
    unregister("skp_cycles")
    unregister("skp_stuck")


@pytest.fixture
def stuck_world(transactional_db: None, hr_menu: None) -> SkpWorld:
    """An open cycle where staf1's owner is inactive and staf2's and kadis's tasks are late."""
    world = build_skp_world()
    agree_chain(world, "kadis")
    User.objects.filter(pk=world.user("staf1").pk).update(is_active=False)
    late = timezone.now() - datetime.timedelta(days=4)
    WorkItem.objects.filter(pk__in=[world.task("staf2").pk, world.task("kadis").pk]).update(
        due_at=late
    )
    return world


def assert_clean(pages: BrowserPages) -> None:
    assert pages.external_requests == []
    assert pages.errors == []


def test_hr_admin_reassigns_a_stuck_task_with_a_reason(
    browser_page: BrowserPages, live_server: Any, shots: Shots, stuck_world: SkpWorld
) -> None:
    task = stuck_world.task("staf1")
    kasi = stuck_world.user("kasi")
    page = browser_page("desktop")
    login(page, live_server, "admin-uji", "x")

    with page.expect_navigation():
        page.click("#main-nav >> text=Tugas macet")
    assert page.url == f"{live_server.url}{reverse('skp:stuck_console')}"
    row = page.locator(f"#tugas-{task.pk}")
    assert "Andi Pratama" in row.inner_text()
    assert "Pelaksana tidak aktif" in row.inner_text()
    assert page.locator(".stuck-row").count() == 3
    shots.take(page, "console")

    row.locator("text=Alihkan").click()
    slot = page.locator(f"#aksi-{task.pk}")
    slot.locator("input[type=search]").wait_for()
    wait_for_htmx(page)
    slot.locator("input[type=search]").fill("Nurhayati")
    choice = slot.locator(f"input[type=radio][value='{kasi.pk}']")
    choice.wait_for()
    shots.take(page, "reassign-search")
    choice.check()
    slot.locator("textarea").fill(REASON)
    with page.expect_navigation():
        slot.locator("button[type=submit]", has_text="Alihkan").click()

    entry = AuditEntry.objects.get(reason=REASON)
    assert (entry.code, entry.work_item_id) == (AuditCode.TASK_REASSIGNED, task.pk)
    assert WorkItem.objects.get(pk=task.pk).owner_id == kasi.pk
    assert page.url.endswith(f"{reverse('skp:stuck_console')}?audit={entry.pk}")
    assert page.locator(f"#tugas-{task.pk}").count() == 0
    assert page.locator(".stuck-row").count() == 2
    assert "dialihkan kepada" in page.locator(".messages").inner_text()
    audit = page.locator(".audit-card")
    assert "Tugas dialihkan" in audit.inner_text()
    assert REASON in audit.inner_text()
    shots.take(page, "after-reassign")
    assert_clean(browser_page)


def leave_without_appraiser(world: SkpWorld, who: str) -> WorkItem:
    """Submit ``who``'s plan while the Kepala Dinas and Sekretaris Daerah have no active account.

    Nobody can agree it: the task waits for a person, with the long reason of two vacant posts.
    """
    draft_plan(world, who)
    User.objects.filter(pk__in=[world.user("kadis").pk, world.user("sekda").pk]).update(
        is_active=False
    )
    submit_plan(skp_id=world.skp(who).pk, actor=world.user(who))
    task = world.task(who)
    assert (task.needs_actor, task.owner_id) == (True, None)
    return task


def indonesian_date(day: datetime.date) -> str:
    return f"{day.day} {ID_MONTHS[day.month - 1]} {day.year}"


def test_console_fits_a_phone_and_the_inline_forms_too(
    browser_page: BrowserPages, live_server: Any, shots: Shots, stuck_world: SkpWorld
) -> None:
    waiting = leave_without_appraiser(stuck_world, "kabid")
    day = indonesian_date(role_day(stuck_world.skp("kabid")))
    page = browser_page("phone")
    login(page, live_server, "admin-uji", "x")
    page.goto(f"{live_server.url}{reverse('skp:stuck_console')}")

    assert page.locator(".stuck-row").count() == 4
    assert_no_horizontal_scroll(page)
    shots.take(page, "console")
    # The long reason wraps inside the row, the date as people read it; a short one stays a pill.
    long_badge = page.locator(f"#tugas-{waiting.pk} .badge")
    assert long_badge.inner_text() == (
        f"Tidak ada pelaksana: Jabatan Kepala Dinas Pendidikan kosong pada {day} dan tidak "
        "ada Plt/Plh; diteruskan ke Sekretaris Daerah. Jabatan Sekretaris Daerah kosong pada "
        f"{day} dan tidak ada Plt/Plh; tidak ada jabatan di atasnya."
    )
    short_badge = page.locator(f"#tugas-{stuck_world.task('staf2').pk} .badge")
    assert short_badge.inner_text() == "Melewati batas waktu"
    long_box, short_box = long_badge.bounding_box(), short_badge.bounding_box()
    assert long_box is not None
    assert short_box is not None
    assert long_box["x"] + long_box["width"] <= 360
    assert long_box["height"] > 3 * short_box["height"]
    assert short_box["height"] < 30

    kadis_task = stuck_world.task("kadis")
    row = page.locator(f"#tugas-{kadis_task.pk}")
    row.locator("text=Kembalikan").click()
    page.locator(f"#aksi-{kadis_task.pk} select").wait_for()
    assert_no_horizontal_scroll(page)
    shots.take(page, "return-inline")

    staf2_task = stuck_world.task("staf2")
    page.locator(f"#tugas-{staf2_task.pk}").locator("text=Alihkan").click()
    slot = page.locator(f"#aksi-{staf2_task.pk}")
    slot.locator("input[type=search]").wait_for()
    wait_for_htmx(page)
    slot.locator("input[type=search]").fill("Yusuf")
    slot.locator("input[type=radio]").first.wait_for()
    assert_no_horizontal_scroll(page)
    shots.take(page, "reassign-inline")

    page.locator(f"#pilih-{staf2_task.pk}").check()
    page.locator("#id_massal-q").fill("Arifin")
    page.locator("#massal-kandidat input[type=radio]").first.wait_for()
    assert_no_horizontal_scroll(page)
    shots.take(page, "bulk-form")

    page.goto(f"{live_server.url}{reverse('skp:stuck_cancelled')}")
    assert_no_horizontal_scroll(page)
    shots.take(page, "cancelled")
    assert_clean(browser_page)


@pytest.fixture
def rated_world(stuck_world: SkpWorld) -> SkpWorld:
    """The stuck world with annual and periodic predikat and two organisation results."""
    world = stuck_world
    for who, predikat in {
        "kadis": Predikat.BAIK,
        "sekdis": Predikat.BAIK,
        "kabid": Predikat.SANGAT_BAIK,
        "kasi": Predikat.BAIK,
        "staf1": Predikat.SANGAT_BAIK,
        "staf2": Predikat.BAIK,
        "staf3": Predikat.BUTUH_PERBAIKAN,
        "guru": Predikat.KURANG,
    }.items():
        Skp.objects.filter(pk=world.skp(who).pk).update(predikat=predikat)
        for period in (1, 2):
            PeriodEvaluation.objects.create(
                skp=world.skp(who), period_index=period, predikat=predikat
            )
    for code, organisation in (("DISDIK", OrgPredikat.BAIK), ("SEK-KUR", OrgPredikat.ISTIMEWA)):
        OrganisationResult.objects.create(
            cycle=world.cycle,
            unit=world.org.units[code],
            predikat=organisation,
            recorded_by=world.org.admin,
        )
    return world


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_hr_skp_pages_fit_the_screen(
    browser_page: BrowserPages, live_server: Any, shots: Shots, rated_world: SkpWorld, size: str
) -> None:
    page = browser_page(size)
    # Charts drawn at once (dashboards.js honours reduced motion): screenshots show the end.
    page.emulate_media(reduced_motion="reduce")
    login(page, live_server, "admin-uji", "x")
    cycle = rated_world.cycle
    pages = [
        ("cycles", reverse("skp:cycle_list")),
        ("cycle-new", reverse("skp:cycle_create")),
        ("cycle", reverse("skp:cycle_detail", args=[cycle.pk])),
        ("cycle-close", reverse("skp:cycle_close", args=[cycle.pk])),
        ("settings", reverse("skp:hr_settings")),
        ("dashboard", reverse("skp:hr_dashboard")),
    ]
    for name, path in pages:
        page.goto(f"{live_server.url}{path}")
        assert_no_horizontal_scroll(page)
        shots.take(page, name)

    # The dashboard drew its four charts and keeps their tables one click away.
    page.goto(f"{live_server.url}{reverse('skp:hr_dashboard')}")
    page.wait_for_function("window.Chart && Object.keys(window.Chart.instances).length === 4")
    for summary in page.locator("details.chart-table > summary").all():
        summary.click()
    assert_no_horizontal_scroll(page)
    assert page.locator("#table-funnel tbody tr").count() == 4
    shots.take(page, "dashboard-tables")

    # A cycle form sent back with errors shows them beside the fields.
    page.goto(f"{live_server.url}{reverse('skp:cycle_create')}")
    page.fill("#id_name", cycle.name)
    page.select_option("#id_template", str(rated_world.template.pk))
    with page.expect_navigation():
        page.click("main form [type=submit]")
    assert "sudah dipakai" in page.locator(".field-invalid").first.inner_text()
    assert_no_horizontal_scroll(page)
    shots.take(page, "cycle-new-errors")
    assert_clean(browser_page)
