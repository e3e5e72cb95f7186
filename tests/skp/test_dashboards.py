"""Dashboard aggregations: exact numbers on a small world, and a fixed number of queries each."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from processes.skp import dashboards
from processes.skp.actions import cycle as cycle_actions
from processes.skp.dashboards import CurveCategory, UnitCount
from processes.skp.models import Cycle, OrganisationResult, PeriodEvaluation, Skp, SkpSettings
from processes.skp.rules import OrgPredikat, Predikat
from tests.factories.organisation import build_org
from tests.factories.skp import SkpWorld, agree_chain, build_skp_world
from workflow import actions as engine
from workflow.models import WorkItem
from workflow.spec import Phase

SB, B, BP, K, SK = (
    Predikat.SANGAT_BAIK,
    Predikat.BAIK,
    Predikat.BUTUH_PERBAIKAN,
    Predikat.KURANG,
    Predikat.SANGAT_KURANG,
)

# Annual predikat (test setup: the rating pages belong to another part of the product).
ANNUAL = {
    "kadis": B,
    "sekdis": B,
    "kabid": SB,
    "guru": B,  # cancelled below: not counted
    "kasi": B,
    "staf1": SB,
    "staf2": B,
    "staf3": BP,
}


@pytest.fixture
def world(db: None) -> SkpWorld:
    """The 2026 quarterly cycle: kadis agreed (monitoring), guru cancelled, staf2 overdue,
    annual predikat for everyone, organisation results for the Dinas and the Seksi, and a
    few periodic evaluations."""
    world = build_skp_world()
    agree_chain(world, "kadis")
    admin = world.org.admin
    engine.cancel_case(case_id=world.case("guru").pk, actor=admin, reason="Tugas belajar")
    staf2_task = world.task("staf2")
    WorkItem.objects.filter(pk=staf2_task.pk).update(
        due_at=timezone.now() - datetime.timedelta(days=2)
    )
    for who, predikat in ANNUAL.items():
        Skp.objects.filter(pk=world.skp(who).pk).update(predikat=predikat)
    for code, organisation in (("DISDIK", OrgPredikat.BAIK), ("SEK-KUR", OrgPredikat.ISTIMEWA)):
        OrganisationResult.objects.create(
            cycle=world.cycle, unit=world.org.units[code], predikat=organisation, recorded_by=admin
        )
    # A periodic result is not an annual one: it bounds nothing here.
    OrganisationResult.objects.create(
        cycle=world.cycle,
        unit=world.org.units["SEKRE"],
        period_index=1,
        predikat=OrgPredikat.KURANG,
        recorded_by=admin,
    )
    periodic: tuple[tuple[str, int, str], ...] = (
        ("staf1", 1, B),
        ("staf1", 2, SB),
        ("staf2", 1, B),
        ("staf3", 1, BP),
        ("staf3", 2, ""),  # reported, not rated yet
        ("guru", 1, B),  # cancelled SKP
    )
    for who, period, rated in periodic:
        PeriodEvaluation.objects.create(skp=world.skp(who), period_index=period, predikat=rated)
    return world


def empty_cycle(world: SkpWorld, period_type: str) -> Cycle:
    return cycle_actions.create_cycle(
        actor=world.org.admin,
        agency=world.org.agency,
        year=2027,
        name="Kosong",
        template=world.template,
        period_type=period_type,
    )


def test_phase_counts_by_unit(world: SkpWorld, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(1):
        rows = dashboards.phase_counts_by_unit(world.cycle)

    assert [(row.unit_name, row.counts, row.total, row.final) for row in rows] == [
        ("Bidang Pembinaan SD", {Phase.PLAN_DRAFTED: 1, Phase.CANCELLED: 1}, 2, 0),
        ("Dinas Pendidikan", {Phase.MONITORED: 1}, 1, 0),
        ("Sekretariat", {Phase.PLAN_DRAFTED: 1}, 1, 0),
        ("Seksi Kurikulum", {Phase.PLAN_DRAFTED: 4}, 4, 0),
    ]
    assert rows[0].ordered() == [1, 0, 0, 0, 0, 0, 0, 1]
    totals = dashboards.phase_totals(rows)
    assert totals.ordered() == [6, 0, 1, 0, 0, 0, 0, 1]
    assert totals.total == 8


def test_phase_counts_by_cycle(world: SkpWorld, django_assert_num_queries: Any) -> None:
    empty = empty_cycle(world, "quarterly")

    with django_assert_num_queries(1):
        counts = dashboards.phase_counts_by_cycle(world.org.agency)

    assert counts == {
        world.cycle.pk: {Phase.PLAN_DRAFTED: 6, Phase.MONITORED: 1, Phase.CANCELLED: 1}
    }
    assert empty.pk not in counts


def test_overdue_by_unit(world: SkpWorld, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(1):
        rows = dashboards.overdue_by_unit(world.cycle)

    assert rows == [UnitCount(world.org.units["SEK-KUR"].pk, "Seksi Kurikulum", 1)]

    later = timezone.now() + datetime.timedelta(days=30)
    # kadis's monitoring task has no due time; every plan task is due within 14 days.
    assert [
        (row.unit_name, row.count) for row in dashboards.overdue_by_unit(world.cycle, later)
    ] == [
        ("Bidang Pembinaan SD", 1),
        ("Sekretariat", 1),
        ("Seksi Kurikulum", 4),
    ]


def test_curve_by_unit(world: SkpWorld, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(3):
        curves = dashboards.curve_by_unit(world.cycle)

    dinas, seksi = curves
    # The Dinas counts its whole subtree: 8 SKPs less the cancelled one.
    assert (dinas.unit_name, dinas.organisation, dinas.population) == (
        "Dinas Pendidikan",
        OrgPredikat.BAIK,
        7,
    )
    assert dinas.conforms is True
    assert dinas.categories == [
        CurveCategory("sangat_baik", "Sangat Baik", 2, Decimal("28.6")),
        CurveCategory("baik", "Baik", 4, Decimal("57.1"), max_percent=Decimal(70), max_count=5),
        CurveCategory("butuh_perbaikan", "Butuh Perbaikan", 1, Decimal("14.3")),
        CurveCategory("kurang", "Kurang/Misconduct", 0, Decimal("0.0")),
        CurveCategory("sangat_kurang", "Sangat Kurang", 0, Decimal("0.0")),
        CurveCategory(
            "butuh_perbaikan+kurang",
            "Butuh Perbaikan + Kurang/Misconduct",
            1,
            Decimal("14.3"),
            min_percent=Decimal("14.3"),
            min_count=1,
        ),
    ]
    assert (seksi.unit_name, seksi.organisation, seksi.population) == (
        "Seksi Kurikulum",
        OrgPredikat.ISTIMEWA,
        4,
    )
    assert seksi.categories[0] == CurveCategory(
        "sangat_baik", "Sangat Baik", 1, Decimal("25.0"), max_percent=Decimal(70), max_count=3
    )
    assert seksi.violations == [
        "Sangat Baik harus menjadi kelompok terbanyak, saat ini 1 orang sedangkan Baik 2 orang"
    ]
    assert seksi.rules == [
        "Sangat Baik paling banyak 70% (3 dari 4 orang)",
        "Sangat Baik harus menjadi kelompok terbanyak",
    ]


def test_curve_rounds_as_the_agency_chose(world: SkpWorld) -> None:
    SkpSettings.objects.create(agency=world.org.agency, curve_rounding="floor")

    dinas = dashboards.curve_by_unit(world.cycle)[0]

    # 70 % of 7 people is 4.9: 4 when rounded down, still enough for the 4 rated Baik.
    assert dinas.categories[1].max_count == 4
    assert dinas.conforms is True


def test_predikat_trend(world: SkpWorld, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(1):
        trend = dashboards.predikat_trend(world.cycle)

    assert [period.label for period in trend.periods] == [
        "Triwulan I",
        "Triwulan II",
        "Triwulan III",
        "Triwulan IV",
    ]
    assert trend.series == {
        SB: [0, 1, 0, 0],
        B: [2, 0, 0, 0],
        BP: [1, 0, 0, 0],
        K: [0, 0, 0, 0],
        SK: [0, 0, 0, 0],
    }
    assert trend.total == 4
    assert [counts for _period, counts in trend.rows()] == [
        [0, 2, 1, 0, 0],
        [1, 0, 0, 0, 0],
        None,  # nobody evaluated in Triwulan III yet: not a row of zeros
        None,
    ]
    assert trend.chart_counts(B) == [2, 0, None, None]


def test_an_empty_cycle_aggregates_to_nothing(world: SkpWorld) -> None:
    empty = empty_cycle(world, "semester")

    assert dashboards.phase_counts_by_unit(empty) == []
    assert dashboards.overdue_by_unit(empty) == []
    assert dashboards.curve_by_unit(empty) == []
    trend = dashboards.predikat_trend(empty)
    assert (len(trend.periods), trend.total) == (2, 0)


def test_dashboard_page_passes_the_same_numbers_to_the_charts(
    world: SkpWorld, client: Client
) -> None:
    client.force_login(world.org.admin)

    response = client.get(reverse("skp:hr_dashboard"))

    assert response.status_code == 200
    assert response.context["cycle"] == world.cycle
    html = response.content.decode()
    start = html.index('<script id="dasbor-data" type="application/json">') + len(
        '<script id="dasbor-data" type="application/json">'
    )
    data = json.loads(html[start : html.index("</script>", start)])
    assert data["funnel"]["units"] == [
        "Bidang Pembinaan SD",
        "Dinas Pendidikan",
        "Sekretariat",
        "Seksi Kurikulum",
    ]
    assert [(s["key"], s["counts"]) for s in data["funnel"]["series"]][:3] == [
        ("plan_drafted", [1, 0, 1, 4]),
        ("agreed", [0, 0, 0, 0]),
        ("monitored", [0, 1, 0, 0]),
    ]
    assert data["overdue"]["units"] == ["Seksi Kurikulum"]
    assert data["overdue"]["counts"] == [1]
    assert data["curve"][1] == {
        "unit": "Seksi Kurikulum",
        "organisation": "Istimewa",
        "categories": [
            "Sangat Baik",
            "Baik",
            "Butuh Perbaikan",
            "Kurang/Misconduct",
            "Sangat Kurang",
        ],
        "actual": [25.0, 50.0, 25.0, 0.0, 0.0],
        "max": [70.0, None, None, None, None],
        "min": [None, None, None, None, None],
    }
    assert data["trend"]["periods"] == ["Triwulan I", "Triwulan II", "Triwulan III", "Triwulan IV"]
    assert data["trend"]["series"][1] == {
        "key": "baik",
        "label": "Baik",
        "counts": [2, 0, None, None],
    }
    # Chart.js is loaded on this page only, after the data; every chart has its table.
    assert "vendor/chartjs/chart.umd.min.js" in html
    assert "js/dashboards.js" in html
    for table in ("table-funnel", "table-overdue", "table-trend"):
        assert f'id="{table}"' in html
    assert html.count('<table class="table-curve">') == 2
    assert "Sangat Baik harus menjadi kelompok terbanyak" in html

    assert 'id="curve-population-note"' not in html
    # Triwulan III and IV: nobody evaluated yet, said once per row instead of zeros.
    assert html.count('<td colspan="5" class="muted">Belum ada evaluasi</td>') == 2


def test_dashboard_says_when_the_curve_binds_per_appraiser(world: SkpWorld, client: Client) -> None:
    SkpSettings.objects.update_or_create(
        agency=world.org.agency, defaults={"curve_population": "direct_reports"}
    )
    client.force_login(world.org.admin)

    html = client.get(reverse("skp:hr_dashboard")).content.decode()

    assert 'id="curve-population-note"' in html
    assert "Instansi ini memeriksa kurva per pejabat penilai" in html
    # The per-unit picture is still shown beside the note.
    assert html.count('<table class="table-curve">') == 2


def test_dashboard_picks_a_cycle_of_the_agency_only(world: SkpWorld, client: Client) -> None:
    other = build_skp_world(code="lain")
    client.force_login(world.org.admin)

    own = client.get(reverse("skp:hr_dashboard"), {"siklus": world.cycle.pk})
    foreign = client.get(reverse("skp:hr_dashboard"), {"siklus": other.cycle.pk})

    assert own.context["cycle"] == world.cycle
    assert foreign.context["form"].errors == {"siklus": ["Pilih siklus instansi ini."]}
    assert foreign.context["cycle"] == world.cycle
    assert other.cycle.name not in [
        str(label) for _value, label in foreign.context["form"].fields["siklus"].choices
    ]


def test_dashboard_without_cycles_explains_itself(db: None, client: Client) -> None:
    org = build_org()
    client.force_login(org.admin)

    response = client.get(reverse("skp:hr_dashboard"))

    html = response.content.decode()
    assert response.context["cycle"] is None
    assert "Belum ada siklus." in html
    assert "chart.umd.min.js" not in html


@pytest.mark.parametrize("url_name", ["skp:hr_dashboard", "skp:hr_settings"])
def test_hr_tabs_mark_the_cycles_menu_item_not_my_skp(
    world: SkpWorld, client: Client, url_name: str
) -> None:
    client.force_login(world.org.admin)

    html = client.get(reverse(url_name)).content.decode()

    cycles = reverse("skp:cycle_list")
    assert f'<li><a href="{cycles}" aria-current="page">Siklus SKP</a></li>' in html
    my_skp = reverse("skp:my_list")
    assert f'<li><a href="{my_skp}">SKP saya</a></li>' in html
