"""The appraiser's team overview (skp:team) and the unit head's view (skp:leader)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from config.navigation import items_for, unregister
from processes.organisation import actions as org_actions
from processes.organisation.models import PositionKind
from processes.skp.actions import cycle as cycle_actions
from processes.skp.models import OrganisationResult
from processes.skp.nav_team import register_team_nav
from tests.factories import skp_review as walk
from tests.factories.skp import SkpWorld, build_skp_world
from tests.factories.skp_monitoring import reach_monitoring
from workflow.models import WorkItem

PLT = "SP 800/9/2026"
STAGES = 8  # the default template's stages


def rows_of(response: Any) -> list[tuple[Any, ...]]:
    return [
        (
            row.skp.employee.name,
            row.phase,
            row.stage_name,
            row.stage_position,
            row.stage_count,
            row.late,
            row.awaiting,
            row.capacity,
        )
        for row in response.context["rows"]
    ]


def signed_in(world: SkpWorld, who: str) -> Client:
    client = Client()
    client.force_login(world.user(who))
    return client


def overdue(task: WorkItem) -> None:
    """Move a task's due time into the past (test setup only)."""
    WorkItem.objects.filter(pk=task.pk).update(due_at=timezone.now() - datetime.timedelta(days=2))


@pytest.fixture
def world(db: None) -> SkpWorld:
    """staf1 waits for the rating, staf2 is monitored (three quarters ended), staf3's plan
    is overdue."""
    world = build_skp_world()
    walk.to_rating(world, "staf1")
    reach_monitoring(world, "staf2")
    overdue(world.task("staf3"))
    return world


RATE = ("Penilaian oleh pejabat penilai", 5)
MONITOR = ("Pemantauan kinerja dan bukti dukung", 3)
PLAN = ("Penyusunan rencana SKP", 1)
QUARTERS = ("Triwulan I", "Triwulan II", "Triwulan III")


def test_the_team_overview_lists_the_kasis_staff(world: SkpWorld) -> None:
    response = signed_in(world, "kasi").get(reverse("skp:team"))

    assert response.status_code == 200
    assert rows_of(response) == [
        ("Andi Pratama", "reviewed", *RATE, STAGES, 0, (), ""),
        ("Siti Aminah Gobel", "monitored", *MONITOR, STAGES, 0, QUARTERS, ""),
        ("Yusuf Mokodompit", "plan_drafted", *PLAN, STAGES, 1, (), ""),
    ]
    html = response.content.decode()
    for who in ("staf1", "staf2", "staf3"):
        assert reverse("skp:detail", kwargs={"skp_id": world.skp(who).pk}) in html
    assert "Tahap 5 dari 8: Penilaian oleh pejabat penilai" in html
    assert "1 tugas terlambat" in html
    assert "Periode menunggu rating: Triwulan I, Triwulan II, Triwulan III" in html
    # The Kepala Seksi leads no unit head: nothing to record.
    assert response.context["led"] == []


def test_someone_who_appraises_nobody_sees_an_empty_team(world: SkpWorld) -> None:
    response = signed_in(world, "staf1").get(reverse("skp:team"))

    assert (response.status_code, response.context["rows"]) == (200, [])
    assert "Saat ini Anda tidak menilai SKP pegawai mana pun" in response.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(world: SkpWorld) -> None:
    for name in ("skp:team", "skp:leader"):
        response = Client().get(reverse(name))
        assert (response.status_code, response["Location"]) == (
            302,
            f"/login/?next={reverse(name)}",
        )


def test_an_acting_plt_appraiser_sees_the_team(world: SkpWorld) -> None:
    org_actions.appoint_acting_official(
        actor=world.org.admin,
        employee=world.org.people["guru"],
        position=world.org.positions["KASI"],
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
        decree_number=PLT,
        kind="plt",
    )

    response = signed_in(world, "guru").get(reverse("skp:team"))

    capacity = f"Plt. Kepala Seksi Kurikulum ({PLT})"
    assert rows_of(response) == [
        ("Andi Pratama", "reviewed", *RATE, STAGES, 0, (), capacity),
        ("Siti Aminah Gobel", "monitored", *MONITOR, STAGES, 0, QUARTERS, capacity),
        ("Yusuf Mokodompit", "plan_drafted", *PLAN, STAGES, 1, (), capacity),
    ]
    assert f"sebagai {capacity}" in response.content.decode()


def test_a_vacant_post_passes_its_staff_to_the_official_above(world: SkpWorld) -> None:
    org_actions.set_employee_status(
        actor=world.org.admin,
        employee=world.org.people["kasi"],
        status="study_leave",
        starts_on=datetime.date(2026, 11, 1),
    )

    kabid = signed_in(world, "kabid").get(reverse("skp:team"))
    kasi = signed_in(world, "kasi").get(reverse("skp:team"))

    assert [row[0] for row in rows_of(kabid)] == [
        "Andi Pratama",
        "Fitriani Daud",
        "Nurhayati Hasan",
        "Siti Aminah Gobel",
        "Yusuf Mokodompit",
    ]
    assert rows_of(kasi) == []


def test_the_leader_view_shows_the_head_of_the_dinas_every_employee(world: SkpWorld) -> None:
    client = signed_in(world, "kadis")
    url = reverse("skp:leader")

    everyone = client.get(url)
    seksi = client.get(url, {"unit": world.org.units["SEK-KUR"].pk})
    unknown = client.get(url, {"unit": 999999})

    assert everyone.status_code == 200
    assert [row[0] for row in rows_of(everyone)] == [
        "Andi Pratama",
        "Drs. Arifin Lamato",
        "Fitriani Daud",
        "Ir. Bambang Sutrisno",
        "Nurhayati Hasan",
        "Siti Aminah Gobel",
        "Yusuf Mokodompit",
    ]
    assert everyone.context["unit"] == world.org.units["DISDIK"]
    assert [choice[1].strip() for choice in everyone.context["form"].fields["unit"].choices] == [
        "Dinas Pendidikan",
        "Sekretariat",
        "Bidang Pembinaan SD",
        "Seksi Kurikulum",
    ]
    assert rows_of(seksi) == [
        ("Andi Pratama", "reviewed", *RATE, STAGES, 0, (), ""),
        ("Nurhayati Hasan", "monitored", *MONITOR, STAGES, 0, QUARTERS, ""),
        ("Siti Aminah Gobel", "monitored", *MONITOR, STAGES, 0, QUARTERS, ""),
        ("Yusuf Mokodompit", "plan_drafted", *PLAN, STAGES, 1, (), ""),
    ]
    assert unknown.context["form"].errors["unit"]
    assert unknown.context["unit"] == world.org.units["DISDIK"]


def test_the_leader_view_is_for_unit_heads_only(world: SkpWorld) -> None:
    assert signed_in(world, "staf1").get(reverse("skp:leader")).status_code == 403
    assert signed_in(world, "guru").get(reverse("skp:leader")).status_code == 403
    assert signed_in(world, "kasi").get(reverse("skp:leader")).status_code == 200


def test_the_leader_one_level_up_records_the_units_organisation_predikat(
    world: SkpWorld,
) -> None:
    client = signed_in(world, "kabid")
    url = reverse("skp:team")
    page = client.get(url)
    ((led, form),) = page.context["led"]
    assert (led.unit, led.cycle, led.capacity, led.result) == (
        world.org.units["SEK-KUR"],
        world.cycle,
        "Kepala Bidang Pembinaan SD",
        None,
    )
    target = form.prefix

    blank = client.post(url, {"target": target, f"{target}-predikat": ""})
    assert blank.context["led"][0][1].errors == {"predikat": ["Pilih predikat kinerja organisasi."]}
    assert OrganisationResult.objects.count() == 0

    saved = client.post(
        url,
        {
            "target": target,
            f"{target}-predikat": "baik",
            f"{target}-period_index": "",
            f"{target}-note": "Keputusan Kepala Bidang 12/2026",
        },
    )
    assert (saved.status_code, saved["Location"]) == (302, f"{url}#{target}")
    result = OrganisationResult.objects.get()
    assert (result.unit, result.period_index, result.predikat, result.note) == (
        world.org.units["SEK-KUR"],
        None,
        "baik",
        "Keputusan Kepala Bidang 12/2026",
    )
    quarter = client.post(
        url, {"target": target, f"{target}-predikat": "istimewa", f"{target}-period_index": "2"}
    )
    assert quarter.status_code == 302
    assert OrganisationResult.objects.get(period_index=2).predikat == "istimewa"

    # A unit the user does not lead is refused; nothing is written.
    foreign = f"org-{world.cycle.pk}-{world.org.units['DISDIK'].pk}"
    refused = client.post(url, {"target": foreign, f"{foreign}-predikat": "baik"})
    assert refused.status_code == 403
    assert OrganisationResult.objects.count() == 2


def test_the_menu_offers_the_team_pages_to_whom_they_are_for(world: SkpWorld) -> None:
    factory = RequestFactory()
    team_keys = {"skp_team", "skp_leader"}

    def keys(who: str) -> list[str]:
        request = factory.get("/")
        request.user = world.user(who)
        return [item.key for item in items_for(request) if item.key in team_keys]

    assert keys("kasi") == ["skp_team", "skp_leader"]
    assert keys("staf1") == []
    assert keys("guru") == []


# Query counts ---------------------------------------------------------------------------------


def team_world(code: str, staff: int) -> SkpWorld:
    """The usual world with a post under the Sekretaris held by ``staff`` people."""
    world = build_skp_world(code=code, open_now=False)
    world.org.positions["STAF-SEK"] = org_actions.create_position(
        actor=world.org.admin,
        agency=world.org.agency,
        unit=world.org.units["SEKRE"],
        code="STAF-SEK",
        name="Pengadministrasi Umum",
        kind=PositionKind.PELAKSANA,
        reports_to=world.org.positions["SEKDIS"],
    )
    for number in range(staff):
        world.org.hire(f"umum{number}", "STAF-SEK", f"Pegawai Umum {number:02d}")
    cycle_actions.open_cycle_now(cycle_id=world.cycle.pk, actor=world.org.admin)
    for number in range(staff):
        overdue(world.task(f"umum{number}"))
    return world


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_team_pages_cost_the_same_queries_for_1_and_20_employees(
    db: None, django_assert_num_queries: Any
) -> None:
    register_team_nav()
    try:
        one = team_world("satu", 1)
        twenty = team_world("dua", 20)
        client_one, client_twenty = signed_in(one, "sekdis"), signed_in(twenty, "sekdis")
        team_one = queries(client_one, reverse("skp:team"))
        leader_one = queries(client_one, reverse("skp:leader"))

        with django_assert_num_queries(team_one):
            team = client_twenty.get(reverse("skp:team"))
        with django_assert_num_queries(leader_one):
            leader = client_twenty.get(reverse("skp:leader"))
    finally:
        unregister("skp_team")
        unregister("skp_leader")

    assert len(team.context["rows"]) == 20
    assert {row.late for row in team.context["rows"]} == {1}
    assert len(leader.context["rows"]) == 20


def test_hr_sees_every_employee_of_the_agency_unit_by_unit(world: SkpWorld) -> None:
    client = Client()
    client.force_login(world.org.admin)
    url = reverse("skp:leader")

    everyone = client.get(url)
    seksi = client.get(url, {"unit": world.org.units["SEK-KUR"].pk})

    assert everyone.status_code == 200
    # Of the two top units (Dinas Pendidikan, Sekretariat Daerah) the page opens on the
    # first by name, whatever their ids.
    assert everyone.context["unit"] == world.org.units["DISDIK"]
    assert [unit.name for unit in everyone.context["headed"]] == [
        "Dinas Pendidikan",
        "Sekretariat Daerah",
    ]
    names = [row[0] for row in rows_of(everyone)]
    # The head of the dinas too (HR is nobody's colleague here).
    assert names == [
        "Andi Pratama",
        "Dr. Hj. Rahmawati Usman",
        "Drs. Arifin Lamato",
        "Fitriani Daud",
        "Ir. Bambang Sutrisno",
        "Nurhayati Hasan",
        "Siti Aminah Gobel",
        "Yusuf Mokodompit",
    ]
    assert [row[0] for row in rows_of(seksi)] == [
        "Andi Pratama",
        "Nurhayati Hasan",
        "Siti Aminah Gobel",
        "Yusuf Mokodompit",
    ]
    # Every SKP listed opens for HR.
    for row in everyone.context["rows"]:
        assert client.get(reverse("skp:detail", kwargs={"skp_id": row.skp.pk})).status_code == 200
    # Another agency's HR cannot pick this agency's units.
    other = build_skp_world(code="lain")
    outsider = Client()
    outsider.force_login(other.org.admin)
    foreign = outsider.get(url, {"unit": world.org.units["SEK-KUR"].pk})
    assert foreign.context["form"].errors["unit"]
    assert all(row.skp.agency_id == other.org.agency.pk for row in foreign.context["rows"])
