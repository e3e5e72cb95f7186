"""HR's SKP pages: who may open what, forms that fail, cycles, settings, the stuck console."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from config.navigation import items_for, unregister
from processes.organisation.identity import EmployeeType, format_number
from processes.organisation.models import Employee, PositionKind, User
from processes.skp.actions.final import coefficients_for
from processes.skp.actions.monitoring import BLOCKED_EXTENSIONS
from processes.skp.actions.settings import InvalidSettings, save_skp_settings
from processes.skp.jobs import OPEN_CYCLE_JOB, register_skp_jobs
from processes.skp.models import Cycle, Skp, SkpSettings
from processes.skp.nav import register_hr_nav
from processes.skp.rules import DEFAULT_LEVEL_COEFFICIENTS, Predikat, credit_points
from tests.factories.organisation import make_agency
from tests.factories.skp import YEAR, SkpWorld, agree_chain, build_skp_world
from workflow import actions as engine
from workflow.jobs import unregister_job
from workflow.models import AuditCode, AuditEntry, Job, JobStatus, WorkItem
from workflow.spec import Phase

OPEN_STATUSES = ("NEW", "ASSIGNED", "STARTED")


@dataclass
class World:
    """An open cycle with stuck tasks and a cancelled SKP, another agency, a superadmin.

    Stuck: staf1's plan (its owner's account is inactive), staf2's plan (overdue) and
    kadis's monitoring task (overdue, after the plan was agreed: it can be sent back).
    Cancelled: guru's SKP.
    """

    skp: SkpWorld
    other_admin: User
    superadmin: User
    draft: Cycle

    @property
    def admin(self) -> User:
        return self.skp.org.admin

    def task(self, who: str) -> WorkItem:
        return self.skp.task(who)


def past(days: int = 3) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def make_overdue(task: WorkItem, days: int = 3) -> None:
    """Move a task's due time into the past (test setup only)."""
    WorkItem.objects.filter(pk=task.pk).update(due_at=past(days))


@pytest.fixture(autouse=True)
def skp_jobs() -> None:
    register_skp_jobs()


@pytest.fixture
def world(db: None) -> World:
    skp_world = build_skp_world()
    agree_chain(skp_world, "kadis")
    staf1 = skp_world.user("staf1")
    User.objects.filter(pk=staf1.pk).update(is_active=False)
    make_overdue(skp_world.task("staf2"))
    make_overdue(skp_world.task("kadis"), days=10)
    guru_case = skp_world.case("guru")
    engine.cancel_case(case_id=guru_case.pk, actor=skp_world.org.admin, reason="Tugas belajar")
    _, other_admin = make_agency("lain", zone="Asia/Jayapura")
    superadmin = User.objects.create_superuser("root", password="x")
    from processes.skp.actions import cycle as cycle_actions

    draft = cycle_actions.create_cycle(
        actor=skp_world.org.admin,
        agency=skp_world.org.agency,
        year=YEAR,
        name="SKP Pelaksana 2026",
        template=skp_world.template,
        period_type="semester",
        units=[skp_world.org.units["SEK-KUR"]],
        position_kinds=[PositionKind.PELAKSANA],
    )
    return World(skp_world, other_admin, superadmin, draft)


def rows() -> tuple[int, ...]:
    """Rows of every table a page could write to."""
    return tuple(
        model.objects.count() for model in (AuditEntry, Cycle, Skp, SkpSettings, Job, WorkItem)
    )


def first_agency_rows(world: World) -> tuple[Any, ...]:
    """The first agency's rows a page could write, and who holds its open tasks."""
    agency_id = world.skp.org.agency.pk
    return (
        AuditEntry.objects.filter(tenant_id=agency_id).count(),
        Cycle.objects.filter(agency_id=agency_id).count(),
        Skp.objects.filter(agency_id=agency_id).count(),
        SkpSettings.objects.filter(agency_id=agency_id).count(),
        Job.objects.filter(tenant_id=agency_id).count(),
        sorted(
            WorkItem.objects.filter(
                process__case__tenant_id=agency_id, status__in=OPEN_STATUSES
            ).values_list("pk", "owner_id")
        ),
    )


# The permission matrix ------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    """One page or form endpoint: its URL and, for POST, valid data (both from the world)."""

    name: str
    method: str
    url: Callable[[World], str]
    data: Callable[[World], dict[str, Any]] | None = None
    # A record of the first agency: another agency's HR admin must get 404.
    record: bool = False
    # What another agency's HR admin gets on a list endpoint (working on their own agency);
    # None: the same as the own agency's HR admin.
    other_status: int | None = None


def _task_url(name: str, who: str) -> Callable[[World], str]:
    return lambda w: reverse(name, args=[w.task(who).pk])


ENDPOINTS = [
    Endpoint("cycle_list", "GET", lambda w: reverse("skp:cycle_list")),
    Endpoint("cycle_create_form", "GET", lambda w: reverse("skp:cycle_create")),
    Endpoint(
        "cycle_create",
        "POST",
        lambda w: reverse("skp:cycle_create"),
        lambda w: {
            "year": "2027",
            "name": "SKP Tahunan 2027",
            "template": w.skp.template.pk,
            "period_type": "quarterly",
        },
        # The first agency's template is no choice for another agency: the form says so.
        other_status=200,
    ),
    Endpoint(
        "cycle_detail", "GET", lambda w: reverse("skp:cycle_detail", args=[w.draft.pk]), record=True
    ),
    Endpoint(
        "cycle_open",
        "POST",
        lambda w: reverse("skp:cycle_open", args=[w.draft.pk]),
        lambda w: {},
        record=True,
    ),
    Endpoint(
        "cycle_close_form",
        "GET",
        lambda w: reverse("skp:cycle_close", args=[w.draft.pk]),
        record=True,
    ),
    Endpoint(
        "cycle_close",
        "POST",
        lambda w: reverse("skp:cycle_close", args=[w.draft.pk]),
        lambda w: {},
        record=True,
    ),
    Endpoint("settings_form", "GET", lambda w: reverse("skp:hr_settings")),
    Endpoint(
        "settings_save",
        "POST",
        lambda w: reverse("skp:hr_settings"),
        lambda w: settings_data(objection_days="21"),
    ),
    Endpoint("stuck_console", "GET", lambda w: reverse("skp:stuck_console")),
    Endpoint(
        "stuck_user_search",
        "GET",
        lambda w: reverse("skp:stuck_user_search") + "?prefix=massal&massal-q=Nurhayati",
    ),
    Endpoint("stuck_cancelled", "GET", lambda w: reverse("skp:stuck_cancelled")),
    Endpoint("stuck_reassign_form", "GET", _task_url("skp:stuck_reassign", "staf1"), record=True),
    Endpoint(
        "stuck_reassign",
        "POST",
        _task_url("skp:stuck_reassign", "staf1"),
        lambda w: {
            f"t{w.task('staf1').pk}-to_user": w.skp.user("kasi").pk,
            f"t{w.task('staf1').pk}-reason": "Pegawai cuti besar",
        },
        record=True,
    ),
    Endpoint("stuck_return_form", "GET", _task_url("skp:stuck_return", "kadis"), record=True),
    Endpoint(
        "stuck_return",
        "POST",
        _task_url("skp:stuck_return", "kadis"),
        lambda w: {
            f"t{w.task('kadis').pk}-to_stage": "draft_plan",
            f"t{w.task('kadis').pk}-reason": "Sasaran unit berubah",
        },
        record=True,
    ),
    Endpoint("stuck_cancel_form", "GET", _task_url("skp:stuck_cancel", "staf2"), record=True),
    Endpoint(
        "stuck_cancel",
        "POST",
        _task_url("skp:stuck_cancel", "staf2"),
        lambda w: {f"t{w.task('staf2').pk}-reason": "Pensiun dini"},
        record=True,
    ),
    Endpoint(
        "stuck_bulk_reassign",
        "POST",
        lambda w: reverse("skp:stuck_bulk_reassign"),
        lambda w: {
            "massal-task": [w.task("staf1").pk, w.task("staf2").pk],
            "massal-to_user": w.skp.user("kasi").pk,
            "massal-reason": "Penataan ulang beban kerja",
        },
        # Another agency's admin names no user of their own agency: the form says so.
        other_status=200,
    ),
    Endpoint(
        "stuck_revive_form",
        "GET",
        lambda w: reverse("skp:stuck_revive", args=[w.skp.skp("guru").pk]),
        record=True,
    ),
    Endpoint(
        "stuck_revive",
        "POST",
        lambda w: reverse("skp:stuck_revive", args=[w.skp.skp("guru").pk]),
        lambda w: {f"s{w.skp.skp('guru').pk}-reason": "Tugas belajar dibatalkan"},
        record=True,
    ),
    Endpoint("dashboard", "GET", lambda w: reverse("skp:hr_dashboard")),
]

ROLES = ["hr", "other_hr", "employee", "anonymous", "superadmin"]


def client_for(world: World, role: str) -> Client:
    client = Client()
    users = {
        "hr": world.admin,
        "other_hr": world.other_admin,
        "employee": world.skp.user("staf3"),
        "superadmin": world.superadmin,
    }
    if role in users:
        client.force_login(users[role])
    if role == "superadmin":
        # The superadmin picks the agency once; the choice is remembered in the session.
        response = client.get(reverse("skp:cycle_list"), {"instansi": "uji"})
        assert response.status_code == 200
    return client


def expected_status(endpoint: Endpoint, role: str) -> int:
    ok = 200 if endpoint.method == "GET" else 302
    other = ok if endpoint.other_status is None else endpoint.other_status
    return {
        "hr": ok,
        "superadmin": ok,
        "other_hr": 404 if endpoint.record else other,
        "employee": 403,
        "anonymous": 302,
    }[role]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e.name for e in ENDPOINTS])
def test_permission_matrix(
    world: World, endpoint: Endpoint, role: str, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(world, role)
    url = endpoint.url(world)
    before, first_before = rows(), first_agency_rows(world)

    if endpoint.method == "GET":
        response = client.get(url)
    else:
        assert endpoint.data is not None
        # The cycle-opening job starts when the request's transaction commits.
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, endpoint.data(world))

    assert response.status_code == expected_status(endpoint, role)
    if role == "anonymous":
        assert response["Location"].startswith(f"{reverse('login')}?next=")
    allowed = role in ("hr", "superadmin") or (role == "other_hr" and not endpoint.record)
    if endpoint.method == "POST" and not allowed:
        assert rows() == before
    if role == "other_hr":
        # Working on their own agency never touches the first agency's data.
        assert first_agency_rows(world) == first_before


def test_other_agencys_admin_changes_only_their_own_settings(world: World) -> None:
    client = client_for(world, "other_hr")

    response = client.post(reverse("skp:hr_settings"), settings_data(objection_days="21"))

    assert response.status_code == 302
    assert SkpSettings.objects.get().agency_id == world.other_admin.agency_id
    assert not SkpSettings.objects.filter(agency=world.skp.org.agency).exists()


def test_superadmin_without_a_choice_picks_an_agency_first(world: World) -> None:
    client = Client()
    client.force_login(world.superadmin)

    response = client.get(reverse("skp:stuck_console"))

    assert response.status_code == 200
    assert [a.code for a in response.context["agencies"]] == ["lain", "uji"]
    chosen = client.get(reverse("skp:stuck_console"), {"instansi": "lain"})
    assert chosen.context["agency"].code == "lain"
    assert chosen.context["page"].paginator.count == 0
    assert client.session["organisation_agency"] == "lain"


def test_hr_menu_items_show_for_hr_admins_only(world: World, rf: Any) -> None:
    register_hr_nav()
    try:

        def keys_for(user: User) -> set[str]:
            request = rf.get("/")
            request.user = user
            return {item.key for item in items_for(request)} & {"skp_cycles", "skp_stuck"}

        assert keys_for(world.admin) == {"skp_cycles", "skp_stuck"}
        assert keys_for(world.superadmin) == {"skp_cycles", "skp_stuck"}
        assert keys_for(world.skp.user("staf3")) == set()
    finally:
        unregister("skp_cycles")
        unregister("skp_stuck")


# Helpers for forms ----------------------------------------------------------------------


def field_block(html: str, field_id: str) -> str:
    """Return the markup of the form field whose label or legend targets ``field_id``."""
    for chunk in re.split(r'(?=<div class="field[ "])', html):
        if f'for="{field_id}"' in chunk or f'id="{field_id}"' in chunk:
            return chunk
    raise AssertionError(f"no field {field_id} in the page")


def settings_data(**overrides: str) -> dict[str, str]:
    """Valid settings form data (the defaults), with ``overrides``."""
    data = {
        "period_type": "quarterly",
        "rating_method": "judgement",
        "above_from_percent": "110",
        "below_under_percent": "80",
        "curve_mode": "warn",
        "curve_rounding": "nearest",
        "curve_population": "unit",
        "unit_head_follows_unit": "on",
        "objection_days": "14",
        "period_report_lead_days": "7",
        "below_expectation_follow_up": "development",
        "employee_enters_realisation": "on",
        "evidence_max_mb": "10",
        "evidence_extensions": "pdf,jpg,jpeg,png,xlsx,docx",
        "extra_aspects": "",
        **{f"credit_{level}": str(value) for level, value in DEFAULT_LEVEL_COEFFICIENTS.items()},
    }
    data.update(overrides)
    return data


# Cycles ---------------------------------------------------------------------------------


def test_cycle_list_shows_counts_per_phase(world: World, client: Client) -> None:
    client.force_login(world.admin)

    response = client.get(reverse("skp:cycle_list"))

    rows_shown = {row.cycle.name: row for row in response.context["rows"]}
    annual = rows_shown["SKP Tahunan 2026"]
    assert annual.total == 8
    assert [(str(label), count) for label, count in annual.phases] == [
        ("Penyusunan rencana", 6),
        ("Pemantauan", 1),
        ("Dibatalkan", 1),
    ]
    assert rows_shown["SKP Pelaksana 2026"].total == 0
    assert "Penyusunan rencana: 6" in response.content.decode()


def test_cycle_form_shows_errors_next_to_the_fields_and_saves_nothing(
    world: World, client: Client
) -> None:
    client.force_login(world.admin)
    before = rows()

    response = client.post(
        reverse("skp:cycle_create"),
        {
            "year": str(YEAR),
            "name": "SKP Tahunan 2026",
            "template": world.skp.template.pk,
            "period_type": "quarterly",
            "ends_on": "2027-03-31",
        },
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Nama siklus ini sudah dipakai untuk tahun tersebut." in field_block(html, "id_name")
    assert "Masa siklus harus di dalam tahun 2026." in field_block(html, "id_ends_on")
    assert 'aria-invalid="true"' in field_block(html, "id_name")
    assert rows() == before


def test_cycle_form_refuses_another_agencys_template_and_units(
    world: World, client: Client
) -> None:
    other = build_skp_world(code="asing", open_now=False)
    client.force_login(world.admin)
    before = rows()

    response = client.post(
        reverse("skp:cycle_create"),
        {
            "year": "2027",
            "name": "SKP 2027",
            "template": other.template.pk,
            "period_type": "quarterly",
            "units": [other.org.units["DISDIK"].pk],
        },
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"template", "units"}
    assert rows() == before


def test_create_and_open_a_cycle_through_the_pages(
    world: World, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(world.admin)
    seksi = world.skp.org.units["SEK-KUR"]

    created = client.post(
        reverse("skp:cycle_create"),
        {
            "year": "2026",
            "name": "SKP Staf Kurikulum 2026",
            "template": world.skp.template.pk,
            "period_type": "monthly",
            "starts_on": "2026-02-01",
            "units": [seksi.pk],
            "position_kinds": [PositionKind.PELAKSANA, PositionKind.PENGAWAS],
        },
    )

    cycle = Cycle.objects.get(name="SKP Staf Kurikulum 2026")
    assert created.status_code == 302
    assert created["Location"] == reverse("skp:cycle_detail", args=[cycle.pk])
    assert (cycle.status, cycle.period_type, cycle.starts_on, cycle.ends_on) == (
        Cycle.Status.DRAFT,
        "monthly",
        datetime.date(2026, 2, 1),
        datetime.date(2026, 12, 31),
    )
    assert list(cycle.units.all()) == [seksi]
    assert cycle.position_kinds == ["pelaksana", "pengawas"]
    detail = client.get(created["Location"])
    assert (detail.context["enrolled"], detail.context["eligible"]) == (0, 4)

    with django_capture_on_commit_callbacks(execute=True):
        opened = client.post(reverse("skp:cycle_open", args=[cycle.pk]))

    job = Job.objects.get(kind=OPEN_CYCLE_JOB)
    assert opened.status_code == 302
    assert opened["Location"] == reverse("workflow:job_detail", args=[job.pk])
    assert (job.status, job.done, job.total, job.params) == (
        JobStatus.DONE,
        4,
        4,
        {"cycle_id": cycle.pk},
    )
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.OPEN
    assert sorted(Skp.objects.filter(cycle=cycle).values_list("employee__name", flat=True)) == [
        "Andi Pratama",
        "Nurhayati Hasan",
        "Siti Aminah Gobel",
        "Yusuf Mokodompit",
    ]
    detail = client.get(reverse("skp:cycle_detail", args=[cycle.pk]))
    assert (detail.context["enrolled"], detail.context["remaining"]) == (4, 0)
    assert detail.context["job"] == job
    assert [(row.unit_name, row.total) for row in detail.context["units"]] == [
        ("Seksi Kurikulum", 4)
    ]
    leader = reverse("skp:leader")
    assert f'<a href="{leader}" id="per-employee">' in detail.content.decode()


def test_opening_runs_in_the_request_when_the_job_is_not_registered(
    world: World, client: Client
) -> None:
    client.force_login(world.admin)
    unregister_job(OPEN_CYCLE_JOB)
    try:
        response = client.post(reverse("skp:cycle_open", args=[world.draft.pk]))
    finally:
        register_skp_jobs()

    assert response.status_code == 302
    assert response["Location"] == reverse("skp:cycle_detail", args=[world.draft.pk])
    assert Skp.objects.filter(cycle=world.draft).count() == 3
    assert not Job.objects.exists()


def test_closing_asks_first_then_closes(world: World, client: Client) -> None:
    client.force_login(world.admin)
    url = reverse("skp:cycle_close", args=[world.skp.cycle.pk])

    confirm = client.get(url)
    world.skp.cycle.refresh_from_db()
    assert world.skp.cycle.status == Cycle.Status.OPEN
    assert "Ya, tutup siklus" in confirm.content.decode()

    response = client.post(url)

    world.skp.cycle.refresh_from_db()
    assert response.status_code == 302
    assert world.skp.cycle.status == Cycle.Status.CLOSED
    closed = AuditEntry.objects.get(
        chain=f"cycle:{world.skp.cycle.pk}", payload__event="cycle_closed"
    )
    assert closed.actor_id == world.admin.pk


def test_record_of_another_agency_is_not_found(world: World, client: Client) -> None:
    client.force_login(world.other_admin)
    assert client.get(reverse("skp:cycle_detail", args=[world.draft.pk])).status_code == 404
    assert client.get(reverse("skp:cycle_detail", args=[999999])).status_code == 404


# Settings -------------------------------------------------------------------------------


def test_settings_save_writes_one_audit_row_with_old_and_new_values(
    world: World, client: Client
) -> None:
    client.force_login(world.admin)
    before = AuditEntry.objects.count()

    response = client.post(
        reverse("skp:hr_settings"),
        settings_data(
            period_type="monthly",
            rating_method="thresholds",
            above_from_percent="105.5",
            objection_days="21",
            objection_working_days="on",
            daily_activities_enabled="on",
            evidence_extensions="PDF, .jpg",
            extra_aspects="kompetensi: Kompetensi\n\ninovasi : Inovasi pelayanan",
        ),
    )

    assert response.status_code == 302
    saved = SkpSettings.objects.get(agency=world.admin.agency)
    assert (saved.period_type, saved.rating_method, saved.above_from_percent) == (
        "monthly",
        "thresholds",
        Decimal("105.50"),
    )
    assert saved.evidence_extensions == "pdf,jpg"
    assert saved.extra_aspects == [
        {"code": "kompetensi", "name": "Kompetensi"},
        {"code": "inovasi", "name": "Inovasi pelayanan"},
    ]
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.get(chain=f"settings:{world.admin.agency_id}")
    assert (entry.code, entry.actor_id, entry.tenant_id) == (
        AuditCode.PROCESS_EVENT,
        world.admin.pk,
        world.admin.agency_id,
    )
    assert entry.payload == {
        "event": "skp_settings_saved",
        "changed": {
            "period_type": ["quarterly", "monthly"],
            "rating_method": ["judgement", "thresholds"],
            "above_from_percent": ["110", "105.5"],
            "objection_days": [14, 21],
            "objection_working_days": [False, True],
            "daily_activities_enabled": [False, True],
            "evidence_extensions": ["pdf,jpg,jpeg,png,xlsx,docx", "pdf,jpg"],
            "extra_aspects": [
                [],
                [
                    {"code": "kompetensi", "name": "Kompetensi"},
                    {"code": "inovasi", "name": "Inovasi pelayanan"},
                ],
            ],
        },
    }
    page = client.get(reverse("skp:hr_settings"))
    assert page.context["form"].initial["extra_aspects"] == (
        "kompetensi: Kompetensi\ninovasi: Inovasi pelayanan"
    )


def test_hr_sets_an_agency_coefficient_and_the_credit_points_follow_it(
    world: World, client: Client
) -> None:
    client.force_login(world.admin)
    agency = world.admin.agency
    assert agency is not None

    response = client.post(
        reverse("skp:hr_settings"),
        settings_data(credit_ahli_pertama="15", credit_ahli_muda="25.000"),
    )

    assert response.status_code == 302
    saved = SkpSettings.objects.get(agency=agency)
    # Only what differs from the national table is kept.
    assert saved.credit_coefficients == {"ahli_pertama": "15"}
    entry = AuditEntry.objects.get(chain=f"settings:{agency.pk}")
    assert entry.payload["changed"] == {"credit_coefficients": [{}, {"ahli_pertama": "15"}]}
    table = coefficients_for(agency.pk)
    assert (table["ahli_pertama"], table["ahli_muda"]) == (Decimal(15), Decimal(25))
    # Ahli Pertama, 2 months rated Baik: 2/12 x 100 % x 15 (national 12.5 gives 2.083).
    assert credit_points(Predikat.BAIK, "ahli_pertama", 2, table) == Decimal("2.500")
    initial = client.get(reverse("skp:hr_settings")).context["form"].initial
    # Shown as people write them ("15", not "15.000").
    assert (initial["credit_ahli_pertama"], initial["credit_ahli_muda"]) == ("15", "25")


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"ahli_pertama": "0"}, "Koefisien jenjang Ahli Pertama harus lebih dari 0"),
        ({"mahir": "1000.5"}, "Koefisien jenjang Mahir harus lebih dari 0"),
        ({"mahir": "12.3456"}, "Koefisien jenjang Mahir paling banyak tiga angka"),
        ({"mahir": "dua belas"}, "Koefisien jenjang Mahir bukan angka."),
        ({"madya": "12"}, "Jenjang «madya» tidak dikenal."),
        ([12], "Koefisien angka kredit harus berupa tabel per jenjang."),
    ],
)
def test_the_settings_action_refuses_a_bad_coefficient_and_saves_nothing(
    world: World, table: Any, message: str
) -> None:
    agency = world.admin.agency
    assert agency is not None
    before = rows()

    with pytest.raises(InvalidSettings) as raised:
        save_skp_settings(actor=world.admin, agency=agency, credit_coefficients=table)

    assert list(raised.value.errors) == ["credit_coefficients"]
    assert raised.value.errors["credit_coefficients"][0].startswith(message)
    assert rows() == before


def test_the_settings_form_shows_numbers_as_people_write_them(world: World, client: Client) -> None:
    client.force_login(world.admin)

    page = client.get(reverse("skp:hr_settings")).content.decode()

    def value_of(name: str) -> str:
        found = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
        assert found is not None, name
        value = re.search(r'value="([^"]*)"', found.group(0))
        assert value is not None, name
        return value.group(1)

    assert [
        value_of(name)
        for name in (
            "above_from_percent",
            "below_under_percent",
            "credit_mahir",
            "credit_ahli_muda",
        )
    ] == ["110", "80", "12.5", "25"]


def test_saving_unchanged_settings_writes_nothing(world: World, client: Client) -> None:
    client.force_login(world.admin)
    before = rows()

    response = client.post(reverse("skp:hr_settings"), settings_data())

    assert response.status_code == 302
    assert rows() == before


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"rating_method": "thresholds", "above_from_percent": "80"},
            "id_above_from_percent",
            "Capaian minimal Di Atas Ekspektasi (80%) harus lebih besar dari batas Di Bawah "
            "Ekspektasi (80%).",
        ),
        (
            {"above_from_percent": "70"},
            "id_above_from_percent",
            "Capaian minimal Di Atas Ekspektasi (70%) harus lebih besar dari batas Di Bawah "
            "Ekspektasi (80%).",
        ),
        (
            {"below_under_percent": "112.5"},
            "id_below_under_percent",
            "Capaian minimal Di Atas Ekspektasi (110%) harus lebih besar dari batas Di Bawah "
            "Ekspektasi (112,5%).",
        ),
        (
            {"evidence_extensions": "pdf, exe"},
            "id_evidence_extensions",
            "Jenis berkas ini dapat berisi program atau skrip dan tidak boleh diizinkan: exe.",
        ),
        (
            {"evidence_extensions": ".PDF, .EXE, sh, pdf, Js, exe, svg"},
            "id_evidence_extensions",
            "Jenis berkas ini dapat berisi program atau skrip dan tidak boleh diizinkan: "
            "exe, sh, js, svg.",
        ),
        (
            {"objection_days": "0"},
            "id_objection_days",
            "Pastikan nilai ini lebih besar dari atau sama dengan 1.",
        ),
        ({"extra_aspects": "kompetensi"}, "id_extra_aspects", "Baris 1: tulis «kode: Nama»."),
        (
            {"extra_aspects": "Kompetensi Inti: Kompetensi"},
            "id_extra_aspects",
            "Kode aspek «kompetensi inti» tidak sah",
        ),
        ({"evidence_extensions": "pdf, exe!"}, "id_evidence_extensions", "Jenis berkas tidak sah"),
        (
            {"credit_mahir": "0"},
            "id_credit_mahir",
            "Pastikan nilai ini lebih besar dari atau sama dengan 0.001.",
        ),
    ],
)
def test_settings_errors_show_next_to_the_field_and_save_nothing(
    world: World, client: Client, overrides: dict[str, str], field: str, message: str
) -> None:
    client.force_login(world.admin)
    before = rows()

    response = client.post(reverse("skp:hr_settings"), settings_data(**overrides))

    assert response.status_code == 200
    assert message in field_block(response.content.decode(), field)
    assert rows() == before


def saved_settings(agency: Any) -> dict[str, Any]:
    """The agency's stored settings row, field by field."""
    return dict(SkpSettings.objects.filter(agency=agency).values().get())


# Every extension an evidence upload refuses (monitoring.BLOCKED_EXTENSIONS) at least.
SCRIPT_EXTENSIONS = (
    *("exe", "bat", "cmd", "com", "msi", "scr", "ps1", "sh", "js", "vbs", "jar", "dll"),
    *("apk", "php", "py", "html", "htm", "svg"),
)


@pytest.mark.parametrize("extension", sorted({*SCRIPT_EXTENSIONS, *BLOCKED_EXTENSIONS}))
def test_the_settings_action_refuses_a_program_or_script_extension_and_saves_nothing(
    world: World, extension: str
) -> None:
    agency = world.admin.agency
    assert agency is not None
    save_skp_settings(actor=world.admin, agency=agency, evidence_extensions="pdf,docx")
    stored, before = saved_settings(agency), rows()

    with pytest.raises(InvalidSettings) as raised:
        save_skp_settings(
            actor=world.admin,
            agency=agency,
            evidence_extensions=f"pdf, .{extension.upper()}",
            objection_days=21,
        )

    assert raised.value.errors == {
        "evidence_extensions": [
            "Jenis berkas ini dapat berisi program atau skrip dan tidak boleh diizinkan: "
            f"{extension}."
        ]
    }
    assert (saved_settings(agency), rows()) == (stored, before)
    assert stored["evidence_extensions"] == "pdf,docx"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        # The case that was saved: a judgement agency's thresholds 70 and 80.
        (
            {"above_from_percent": Decimal(70)},
            "above_from_percent",
            "Capaian minimal Di Atas Ekspektasi (70%) harus lebih besar dari batas Di Bawah "
            "Ekspektasi (80%).",
        ),
        (
            {"rating_method": "thresholds", "above_from_percent": Decimal(80)},
            "above_from_percent",
            "Capaian minimal Di Atas Ekspektasi (80%) harus lebih besar dari batas Di Bawah "
            "Ekspektasi (80%).",
        ),
        (
            {"below_under_percent": Decimal("110.00")},
            "below_under_percent",
            "Capaian minimal Di Atas Ekspektasi (110%) harus lebih besar dari batas Di Bawah "
            "Ekspektasi (110%).",
        ),
        (
            {"above_from_percent": Decimal("90.5"), "below_under_percent": Decimal(95)},
            "above_from_percent",
            "Capaian minimal Di Atas Ekspektasi (90,5%) harus lebih besar dari batas Di Bawah "
            "Ekspektasi (95%).",
        ),
    ],
)
def test_the_settings_action_refuses_unordered_thresholds_and_saves_nothing(
    world: World, fields: dict[str, Any], field: str, message: str
) -> None:
    agency = world.admin.agency
    assert agency is not None
    save_skp_settings(actor=world.admin, agency=agency, objection_days=21)
    stored, before = saved_settings(agency), rows()

    with pytest.raises(InvalidSettings) as raised:
        save_skp_settings(actor=world.admin, agency=agency, **fields)

    assert raised.value.errors == {field: [message]}
    assert (saved_settings(agency), rows()) == (stored, before)
    assert (stored["above_from_percent"], stored["below_under_percent"]) == (
        Decimal(110),
        Decimal(80),
    )


def test_ordered_thresholds_are_saved_whatever_the_rating_method(world: World) -> None:
    agency = world.admin.agency
    assert agency is not None

    save_skp_settings(
        actor=world.admin,
        agency=agency,
        above_from_percent=Decimal("80.01"),
        below_under_percent=Decimal(80),
    )

    stored = saved_settings(agency)
    assert (stored["rating_method"], stored["above_from_percent"]) == (
        "judgement",
        Decimal("80.01"),
    )


# The stuck-approval console ------------------------------------------------------------


def test_console_lists_each_stuck_task_with_employee_unit_stage_age_and_reason(
    world: World, client: Client
) -> None:
    client.force_login(world.admin)

    response = client.get(reverse("skp:stuck_console"))

    shown = [
        (
            row.skp.employee.name,
            row.skp.unit.name,
            row.stage_name,
            str(row.phase_label),
            row.reason.code,
            row.age,
            row.can_return,
        )
        for row in response.context["rows"]
    ]
    assert shown == [
        (
            "Dr. Hj. Rahmawati Usman",
            "Dinas Pendidikan",
            "Pemantauan kinerja dan bukti dukung",
            "Pemantauan",
            "overdue",
            "10 hari",
            True,
        ),
        (
            "Siti Aminah Gobel",
            "Seksi Kurikulum",
            "Penyusunan rencana SKP",
            "Penyusunan rencana",
            "overdue",
            "3 hari",
            False,
        ),
        (
            "Andi Pratama",
            "Seksi Kurikulum",
            "Penyusunan rencana SKP",
            "Penyusunan rencana",
            "inactive",
            "0 menit",
            False,
        ),
    ]
    html = response.content.decode()
    staf1 = world.skp.org.people["staf1"]
    assert format_number(staf1.nip, EmployeeType(staf1.employee_type)) in html
    assert "Pelaksana tidak aktif" in html
    assert "chart.umd.min.js" not in html


def test_console_filters_by_unit_subtree_and_phase(world: World, client: Client) -> None:
    client.force_login(world.admin)
    units = world.skp.org.units

    def names(**params: Any) -> list[str]:
        response = client.get(reverse("skp:stuck_console"), params)
        return [row.skp.employee.name for row in response.context["rows"]]

    assert names(unit=units["BID-SD"].pk) == ["Siti Aminah Gobel", "Andi Pratama"]
    assert names(unit=units["DISDIK"].pk) == [
        "Dr. Hj. Rahmawati Usman",
        "Siti Aminah Gobel",
        "Andi Pratama",
    ]
    assert names(unit=units["SEKRE"].pk) == []
    assert names(phase=Phase.MONITORED) == ["Dr. Hj. Rahmawati Usman"]
    assert names(unit=units["SEK-KUR"].pk, phase=Phase.MONITORED) == []


def audit_rows_with(reason: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(reason=reason))


def test_reassign_through_the_page_writes_one_audit_row_and_shows_it(
    world: World, client: Client
) -> None:
    client.force_login(world.admin)
    task = world.task("staf1")
    kasi = world.skp.user("kasi")
    prefix = f"t{task.pk}"

    form = client.get(reverse("skp:stuck_reassign", args=[task.pk]), {f"{prefix}-q": "Nurhayati"})
    assert [choice[0] for choice in form.context["form"].fields["to_user"].widget.choices] == [
        kasi.pk
    ]
    response = client.post(
        reverse("skp:stuck_reassign", args=[task.pk]),
        {f"{prefix}-to_user": kasi.pk, f"{prefix}-reason": "Andi cuti besar tiga bulan"},
    )

    [entry] = audit_rows_with("Andi cuti besar tiga bulan")
    assert (entry.code, entry.work_item_id, entry.actor_id) == (
        AuditCode.TASK_REASSIGNED,
        task.pk,
        world.admin.pk,
    )
    assert entry.payload == {"from_user": world.skp.user("staf1").pk, "to_user": kasi.pk}
    assert WorkItem.objects.get(pk=task.pk).owner_id == kasi.pk
    assert response["Location"] == f"{reverse('skp:stuck_console')}?audit={entry.pk}"
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "dialihkan kepada" in html
    assert [item.entry for item in page.context["audit_entries"]] == [entry]
    assert "Andi cuti besar tiga bulan" in html
    assert "Andi Pratama" not in [row.skp.employee.name for row in page.context["rows"]]


def test_reassign_errors_show_next_to_the_fields_and_change_nothing(
    world: World, client: Client
) -> None:
    client.force_login(world.admin)
    task = world.task("staf1")
    prefix = f"t{task.pk}"
    before = rows()

    response = client.post(reverse("skp:stuck_reassign", args=[task.pk]), {f"{prefix}-reason": ""})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Pilih pengguna tujuan dari hasil pencarian." in field_block(
        html, f"id_{prefix}-to_user"
    )
    assert "Alasan wajib diisi." in field_block(html, f"id_{prefix}-reason")
    assert rows() == before


def test_reassign_to_a_user_of_another_agency_is_refused(world: World, client: Client) -> None:
    client.force_login(world.admin)
    task = world.task("staf1")
    prefix = f"t{task.pk}"
    before = rows()

    response = client.post(
        reverse("skp:stuck_reassign", args=[task.pk]),
        {f"{prefix}-to_user": world.other_admin.pk, f"{prefix}-reason": "Salah instansi"},
    )

    assert response.status_code == 200
    assert "Pilih pengguna aktif dari instansi ini." in response.content.decode()
    assert rows() == before


def test_engine_refusal_shows_as_a_form_error(world: World, client: Client) -> None:
    client.force_login(world.admin)
    task = world.task("staf2")
    prefix = f"t{task.pk}"
    before = rows()

    response = client.post(
        reverse("skp:stuck_reassign", args=[task.pk]),
        {f"{prefix}-to_user": world.skp.user("staf2").pk, f"{prefix}-reason": "Ulang"},
    )

    assert response.status_code == 200
    assert "Tugas ini sudah dipegang pengguna tersebut." in response.content.decode()
    assert rows() == before


def test_return_through_the_page_writes_one_audit_row_with_the_reason(
    world: World, client: Client
) -> None:
    client.force_login(world.admin)
    task = world.task("kadis")
    prefix = f"t{task.pk}"
    form = client.get(reverse("skp:stuck_return", args=[task.pk]))
    assert form.context["form"].fields["to_stage"].choices == [
        ("draft_plan", "Penyusunan rencana SKP"),
        ("agree_plan", "Persetujuan rencana oleh pejabat penilai"),
    ]

    response = client.post(
        reverse("skp:stuck_return", args=[task.pk]),
        {f"{prefix}-to_stage": "draft_plan", f"{prefix}-reason": "Sasaran unit diubah"},
    )

    [entry] = audit_rows_with("Sasaran unit diubah")
    assert (entry.code, entry.from_stage, entry.to_stage) == (
        AuditCode.CASE_RETURNED,
        "monitor",
        "draft_plan",
    )
    case = world.skp.case("kadis")
    assert (case.stage_key, case.phase) == ("draft_plan", Phase.PLAN_DRAFTED)
    assert response["Location"] == f"{reverse('skp:stuck_console')}?audit={entry.pk}"
    page = client.get(response["Location"])
    assert [item.detail for item in page.context["audit_entries"]] == [
        "Pemantauan kinerja dan bukti dukung → Penyusunan rencana SKP"
    ]


def test_cancel_and_revive_through_the_pages_each_write_one_audit_row(
    world: World, client: Client
) -> None:
    client.force_login(world.admin)
    task = world.task("staf2")
    skp = world.skp.skp("staf2")

    cancelled = client.post(
        reverse("skp:stuck_cancel", args=[task.pk]), {f"t{task.pk}-reason": "Pensiun dini"}
    )

    [entry] = audit_rows_with("Pensiun dini")
    assert entry.code == AuditCode.CASE_CANCELLED
    assert world.skp.case("staf2").phase == Phase.CANCELLED
    assert cancelled["Location"] == f"{reverse('skp:stuck_console')}?audit={entry.pk}"
    listing = client.get(reverse("skp:stuck_cancelled"))
    assert [(s.employee.name, s.cancel_reason) for s in listing.context["page"]] == [
        ("Fitriani Daud", "Tugas belajar"),
        ("Siti Aminah Gobel", "Pensiun dini"),
    ]

    revived = client.post(
        reverse("skp:stuck_revive", args=[skp.pk]), {f"s{skp.pk}-reason": "Pensiun dibatalkan"}
    )

    [revive_entry] = audit_rows_with("Pensiun dibatalkan")
    assert revive_entry.code == AuditCode.CASE_REVIVED
    assert world.skp.case("staf2").phase == Phase.PLAN_DRAFTED
    assert revived["Location"] == f"{reverse('skp:stuck_cancelled')}?audit={revive_entry.pk}"
    page = client.get(revived["Location"])
    assert [s.employee.name for s in page.context["page"]] == ["Fitriani Daud"]
    assert [item.entry for item in page.context["audit_entries"]] == [revive_entry]


def test_revive_needs_a_reason(world: World, client: Client) -> None:
    client.force_login(world.admin)
    skp = world.skp.skp("guru")
    before = rows()

    response = client.post(reverse("skp:stuck_revive", args=[skp.pk]), {f"s{skp.pk}-reason": " "})

    assert "Alasan wajib diisi." in field_block(response.content.decode(), f"id_s{skp.pk}-reason")
    assert rows() == before


def test_bulk_reassign_reports_each_task_and_one_failure_keeps_the_others(
    world: World, client: Client
) -> None:
    client.force_login(world.admin)
    kasi = world.skp.user("kasi")
    staf1_task, kasi_task = world.task("staf1"), world.task("kasi")
    before = AuditEntry.objects.count()

    response = client.post(
        reverse("skp:stuck_bulk_reassign"),
        {
            "massal-task": [staf1_task.pk, kasi_task.pk],
            "massal-to_user": kasi.pk,
            "massal-reason": "Penataan ulang beban kerja",
        },
        follow=True,
    )

    [entry] = audit_rows_with("Penataan ulang beban kerja")
    assert (entry.code, entry.work_item_id) == (AuditCode.TASK_REASSIGNED, staf1_task.pk)
    assert AuditEntry.objects.count() == before + 1
    assert WorkItem.objects.get(pk=staf1_task.pk).owner_id == kasi.pk
    assert WorkItem.objects.get(pk=kasi_task.pk).owner_id == kasi.pk
    assert [(m.level_tag, m.message) for m in response.context["messages"]] == [
        ("success", f"SKP 2026 Andi Pratama: dialihkan kepada {kasi}."),
        (
            "error",
            "SKP 2026 Nurhayati Hasan: tidak dialihkan. "
            "Tugas ini sudah dipegang pengguna tersebut.",
        ),
    ]
    assert [item.entry for item in response.context["audit_entries"]] == [entry]


def test_bulk_reassign_without_tasks_or_reason_shows_errors(world: World, client: Client) -> None:
    client.force_login(world.admin)
    before = rows()

    response = client.post(
        reverse("skp:stuck_bulk_reassign"), {"massal-to_user": world.skp.user("kasi").pk}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Pilih paling sedikit satu tugas." in html
    assert "Alasan wajib diisi." in field_block(html, "id_massal-reason")
    assert rows() == before


def test_bulk_reassign_cannot_reach_another_agencys_tasks(world: World, client: Client) -> None:
    other = build_skp_world(code="asing")
    stranger = other.task("staf1")
    client.force_login(world.admin)
    before = rows()

    response = client.post(
        reverse("skp:stuck_bulk_reassign"),
        {
            "massal-task": [stranger.pk],
            "massal-to_user": world.skp.user("kasi").pk,
            "massal-reason": "Coba",
        },
        follow=True,
    )

    assert [m.message for m in response.context["messages"]] == [
        f"#{stranger.pk}: tidak dialihkan. Tugas tidak ditemukan."
    ]
    assert rows() == before


def test_user_search_by_name_or_spaced_nip_stays_in_the_agency(
    world: World, client: Client
) -> None:
    client.force_login(world.admin)
    staf3: Employee = world.skp.org.people["staf3"]
    url = reverse("skp:stuck_user_search")

    by_nip = client.get(
        url,
        {"prefix": "massal", "massal-q": format_number(staf3.nip, EmployeeType.PNS)},
    )
    by_name = client.get(url, {"prefix": "massal", "massal-q": "admin"})
    nobody = client.get(url, {"prefix": "massal", "massal-q": "Tidak Ada"})

    def shown(response: Any) -> list[int]:
        return [pk for pk, _label in response.context["form"].fields["to_user"].widget.choices]

    assert shown(by_nip) == [world.skp.user("staf3").pk]
    assert shown(by_name) == [world.admin.pk]
    assert "Tidak ada pengguna aktif yang cocok dengan «Tidak Ada»." in nobody.content.decode()
    assert client.get(url, {"prefix": "x<script>"}).status_code == 404


def test_inactive_users_are_not_offered(world: World, client: Client) -> None:
    client.force_login(world.admin)

    response = client.get(
        reverse("skp:stuck_user_search"), {"prefix": "massal", "massal-q": "Andi"}
    )

    assert response.context["form"].fields["to_user"].widget.choices == []


# Query counts ---------------------------------------------------------------------------


@pytest.fixture
def big_world(db: None) -> SkpWorld:
    """The usual world with 42 more staff: 50 SKPs, all at the plan stage."""
    skp_world = build_skp_world(open_now=False)
    for number in range(42):
        skp_world.org.hire(f"extra{number}", "STAF", f"Pegawai Tambahan {number:02d}")
    from processes.skp.actions import cycle as cycle_actions

    cycle_actions.open_cycle_now(cycle_id=skp_world.cycle.pk, actor=skp_world.org.admin)
    return skp_world


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_console_query_count_is_the_same_for_1_and_50_stuck_tasks(
    big_world: SkpWorld, client: Client, django_assert_num_queries: Any
) -> None:
    client.force_login(big_world.org.admin)
    tasks = WorkItem.objects.filter(
        process__case__skp__cycle=big_world.cycle, status__in=OPEN_STATUSES
    )
    assert tasks.count() == 50
    url = reverse("skp:stuck_console")
    make_overdue(big_world.task("staf1"))
    one = _queries(client, url)
    assert client.get(url).context["page"].paginator.count == 1

    tasks.update(due_at=past())
    with django_assert_num_queries(one):
        response = client.get(url)

    assert response.context["page"].paginator.count == 50
    assert len(response.context["rows"]) == 50


def test_cancelled_list_query_count_is_the_same_for_1_and_many(
    big_world: SkpWorld, client: Client, django_assert_num_queries: Any
) -> None:
    admin = big_world.org.admin
    client.force_login(admin)
    url = reverse("skp:stuck_cancelled")
    engine.cancel_case(case_id=big_world.case("staf1").pk, actor=admin, reason="Satu")
    one = _queries(client, url)
    for who in ("staf2", "staf3", "guru", "kasi", "extra1", "extra2"):
        engine.cancel_case(case_id=big_world.case(who).pk, actor=admin, reason="Banyak")

    with django_assert_num_queries(one):
        response = client.get(url)

    assert response.context["page"].paginator.count == 7
