"""HR's organisation pages: who may open what, forms that fail, transfers, search, queries."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from processes.organisation import actions, import_jobs, roles
from processes.organisation.access import administered_agency_ids
from processes.organisation.identity import EmployeeType, format_number
from processes.organisation.models import (
    ActingAppointment,
    Agency,
    Employee,
    EmployeeStatusPeriod,
    OrganisationChange,
    Position,
    PositionHolding,
    PositionKind,
    ReportingLineChange,
    Unit,
    User,
)
from tests.browser.harness import BrowserPages, Shots, assert_no_horizontal_scroll, login
from tests.factories.organisation import START, Org, build_org, make_agency, make_nip
from workflow import actions as engine
from workflow.calendar import local_date
from workflow.designer import create_template, publish_template
from workflow.jobs import enqueue_job, run_job
from workflow.library import default_stages
from workflow.models import Job, JobStatus, WorkItem
from workflow.registry import DeadlinePolicy, ProcessDefinition, register, unregister

ZONE = "Asia/Makassar"


def today() -> datetime.date:
    return local_date(timezone.now(), ZONE)


def counts(agency: Agency | None = None) -> tuple[int, ...]:
    """Rows of every organisation table a page could write to (of one agency, or all)."""
    scope = {} if agency is None else {"agency": agency}
    return tuple(
        model.objects.filter(**scope).count()
        for model in (
            Unit,
            Position,
            Employee,
            PositionHolding,
            EmployeeStatusPeriod,
            ActingAppointment,
            ReportingLineChange,
            OrganisationChange,
        )
    )


@dataclass
class World:
    """Two agencies built the same way, a superadmin, and one current Plt."""

    org: Org
    other: Org
    superadmin: User
    acting: ActingAppointment


@pytest.fixture
def world(db: None) -> World:
    org = build_org()
    other = build_org(code="lain")
    acting = actions.appoint_acting_official(
        actor=org.admin,
        employee=org.people["kabid"],
        position=org.positions["KASI"],
        starts_on=today() - datetime.timedelta(days=5),
        ends_on=today() + datetime.timedelta(days=30),
        decree_number="800/12/BKPSDM/2026",
    )
    superadmin = User.objects.create_superuser("root", password="x")
    return World(org, other, superadmin, acting)


# The permission matrix ------------------------------------------------------------------


def _study_leave(world: World) -> EmployeeStatusPeriod:
    """Return staf3's open study leave, recorded the first time it is asked for."""
    staf3 = world.org.people["staf3"]
    return EmployeeStatusPeriod.objects.filter(employee=staf3).first() or (
        actions.set_employee_status(
            actor=world.org.admin,
            employee=staf3,
            status="study_leave",
            starts_on=today() - datetime.timedelta(days=20),
        )
    )


@dataclass(frozen=True)
class Endpoint:
    """One page or form endpoint: its URL and, for POST, valid data (both from the world)."""

    name: str
    method: str
    url: Callable[[World], str]
    data: Callable[[World, Client], dict[str, Any]] | None = None
    # A record of the first agency: another agency's HR admin must get 404.
    record: bool = False
    # What the own agency's HR admin gets; None: 200 for GET, 302 after a POST.
    ok_status: Callable[[], int] | None = None
    # On a list endpoint another agency's HR admin works on their own agency: a page (200),
    # a change of their own (302), or a form error for the first agency's ids (200);
    # None: the same as the own agency's HR admin.
    other_status: int | None = 200
    # A successful POST writes something.
    writes: bool = True


def _unit(code: str) -> Callable[[World], str]:
    return lambda w: reverse("organisation:unit_detail", args=[w.org.units[code].pk])


def _nip(employee: Employee) -> str:
    return format_number(employee.nip, EmployeeType(employee.employee_type))


UNIT_CSV = "Kode Unit,Nama Unit,Jenis,Kode Unit Induk\nDINKES,Dinas Kesehatan,OPD,\n"


def unit_csv(text: str = UNIT_CSV, name: str = "unit.csv") -> dict[str, Any]:
    """Upload data: one "Unit Kerja" sheet as CSV."""
    upload = SimpleUploadedFile(name, text.encode(), content_type="text/csv")
    return {"file": upload, "sheet": "Unit Kerja"}


def dry_run_token(client: Client) -> str:
    """Run the dry run as the client's user and return the token to save it (or a stranger's)."""
    response = client.post(reverse("organisation:import"), unit_csv())
    if response.status_code != 200:
        return str(uuid.uuid4())
    token: str = response.context["token"]
    return token


ENDPOINTS = [
    Endpoint("unit_tree", "GET", lambda w: reverse("organisation:unit_tree")),
    Endpoint(
        "unit_create",
        "POST",
        lambda w: reverse("organisation:unit_create"),
        lambda w, c: {"unit-code": "DINKES", "unit-name": "Dinas Kesehatan", "unit-kind": "opd"},
        other_status=302,
    ),
    Endpoint("unit_detail", "GET", _unit("BID-SD"), record=True),
    Endpoint(
        "unit_add_subunit",
        "POST",
        lambda w: reverse("organisation:unit_add_subunit", args=[w.org.units["BID-SD"].pk]),
        lambda w, c: {
            "subunit-code": "SEK-SAR",
            "subunit-name": "Seksi Sarana",
            "subunit-kind": "subunit",
        },
        record=True,
    ),
    Endpoint(
        "unit_add_position",
        "POST",
        lambda w: reverse("organisation:unit_add_position", args=[w.org.units["SEK-KUR"].pk]),
        lambda w, c: {
            "jabatan-code": "ANALIS",
            "jabatan-name": "Analis Kurikulum",
            "jabatan-kind": "pelaksana",
            "jabatan-reports_to": w.org.positions["KASI"].pk,
        },
        record=True,
    ),
    Endpoint(
        "position_detail",
        "GET",
        lambda w: reverse("organisation:position_detail", args=[w.org.positions["GURU"].pk]),
        record=True,
    ),
    Endpoint(
        "position_reporting_line",
        "POST",
        lambda w: reverse(
            "organisation:position_reporting_line", args=[w.org.positions["GURU"].pk]
        ),
        lambda w, c: {"reports_to": w.org.positions["KASI"].pk, "reason": "SK koreksi 2026"},
        record=True,
    ),
    Endpoint("employee_list", "GET", lambda w: reverse("organisation:employee_list")),
    Endpoint("employee_create_form", "GET", lambda w: reverse("organisation:employee_create")),
    Endpoint(
        "employee_create",
        "POST",
        lambda w: reverse("organisation:employee_create"),
        lambda w, c: {
            "employee_type": "pns",
            "nip": make_nip(),
            "name": "Budi Santoso",
            "position": w.org.positions["STAF"].pk,
            "starts_on": "2026-02-01",
        },
    ),
    Endpoint(
        "employee_detail",
        "GET",
        lambda w: reverse("organisation:employee_detail", args=[w.org.people["staf1"].pk]),
        record=True,
    ),
    Endpoint(
        "employee_transfer",
        "POST",
        lambda w: reverse("organisation:employee_transfer", args=[w.org.people["staf1"].pk]),
        lambda w, c: {
            "mutasi-position": w.org.positions["GURU"].pk,
            "mutasi-on": "2026-03-01",
            "mutasi-reason": "Mutasi ke jabatan fungsional",
            "mutasi-reference": "SK 821/7/2026",
        },
        record=True,
    ),
    Endpoint(
        "employee_status",
        "POST",
        lambda w: reverse("organisation:employee_status", args=[w.org.people["staf2"].pk]),
        lambda w, c: {"status-status": "study_leave", "status-starts_on": "2026-03-01"},
        record=True,
    ),
    Endpoint(
        "employee_status_end",
        "POST",
        lambda w: reverse(
            "organisation:employee_status_end",
            args=[w.org.people["staf3"].pk, _study_leave(w).pk],
        ),
        lambda w, c: {f"akhir-status-{_study_leave(w).pk}-ends_on": today().isoformat()},
        record=True,
    ),
    Endpoint("acting_list", "GET", lambda w: reverse("organisation:acting_list")),
    Endpoint(
        "acting_appoint",
        "POST",
        lambda w: reverse("organisation:acting_list"),
        lambda w, c: {
            "plt-nip": _nip(w.org.people["sekdis"]),
            "plt-position": w.org.positions["KABID"].pk,
            "plt-kind": "plh",
            "plt-starts_on": (today() + datetime.timedelta(days=40)).isoformat(),
            "plt-ends_on": (today() + datetime.timedelta(days=45)).isoformat(),
            "plt-decree_number": "800/20/2026",
        },
    ),
    Endpoint(
        "acting_end",
        "POST",
        lambda w: reverse("organisation:acting_end", args=[w.acting.pk]),
        lambda w, c: {
            f"akhir-{w.acting.pk}-ends_on": today().isoformat(),
            f"akhir-{w.acting.pk}-reason": "Kepala seksi definitif dilantik",
        },
        record=True,
    ),
    Endpoint("vacancy_list", "GET", lambda w: reverse("organisation:vacancy_list")),
    Endpoint("change_list", "GET", lambda w: reverse("organisation:change_list")),
    Endpoint("import_form", "GET", lambda w: reverse("organisation:import")),
    Endpoint(
        "import_dry_run",
        "POST",
        lambda w: reverse("organisation:import"),
        lambda w, c: unit_csv(),
        ok_status=lambda: 200,
        writes=False,
    ),
    Endpoint(
        "import_commit",
        "POST",
        lambda w: reverse("organisation:import_commit"),
        lambda w, c: {"token": dry_run_token(c)},
        other_status=None,
    ),
    Endpoint("import_template", "GET", lambda w: reverse("organisation:import_template")),
    Endpoint("import_example", "GET", lambda w: reverse("organisation:import_example")),
]

ROLES = ["hr", "other_hr", "employee", "anonymous", "superadmin"]


def client_for(world: World, role: str) -> Client:
    client = Client()
    users = {
        "hr": world.org.admin,
        "other_hr": world.other.admin,
        "employee": world.org.user("staf1"),
        "superadmin": world.superadmin,
    }
    if role in users:
        client.force_login(users[role])
    if role == "superadmin":
        # The superadmin picks the agency once; the choice is remembered in the session.
        assert client.get(reverse("organisation:unit_tree"), {"instansi": "uji"}).status_code == 200
    return client


def expected_status(endpoint: Endpoint, role: str) -> int:
    if endpoint.ok_status is not None:
        ok = endpoint.ok_status()
    else:
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
    before, first_agency_before = counts(), counts(world.org.agency)

    if endpoint.method == "GET":
        response = client.get(url)
    else:
        assert endpoint.data is not None
        data = endpoint.data(world, client)
        # The import job starts when the request's transaction commits.
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, data)

    assert response.status_code == expected_status(endpoint, role)
    if role == "anonymous":
        assert response["Location"] == f"/login/?next={url}"
    if role in {"employee", "anonymous"} or (role == "other_hr" and endpoint.record):
        assert counts() == before
    if role == "other_hr" and not endpoint.record:
        # They saw or changed their own agency only.
        assert counts(world.org.agency) == first_agency_before
        if endpoint.method == "GET" and response.get("Content-Type", "").startswith("text/html"):
            own_unit = reverse("organisation:unit_detail", args=[world.org.units["DISDIK"].pk])
            assert response.context["agency"] == world.other.agency
            assert own_unit not in response.content.decode()
    if role in {"hr", "superadmin"} and endpoint.method == "POST":
        assert (counts(world.org.agency) != first_agency_before) is endpoint.writes


def test_employees_get_403_on_the_page_itself_not_only_on_forms(world: World) -> None:
    client = client_for(world, "employee")

    response = client.get(reverse("organisation:unit_tree"))

    assert response.status_code == 403
    assert "Akses ditolak" in response.content.decode()


def test_a_superadmin_without_a_choice_is_asked_to_pick_an_agency(world: World) -> None:
    client = Client()
    client.force_login(world.superadmin)

    response = client.get(reverse("organisation:employee_list"))

    assert response.status_code == 200
    assert response.templates[0].name == ("organisation/agency_choose.html")
    assert list(response.context["agencies"]) == [world.other.agency, world.org.agency]


def test_the_superadmins_choice_is_remembered(world: World) -> None:
    client = Client()
    client.force_login(world.superadmin)

    client.get(reverse("organisation:unit_tree"), {"instansi": "lain"})
    response = client.get(reverse("organisation:employee_list"))

    assert response.context["agency"] == world.other.agency
    assert client.session["organisation_agency"] == "lain"


def test_an_unknown_agency_code_is_404(world: World) -> None:
    client = Client()
    client.force_login(world.superadmin)

    assert (
        client.get(reverse("organisation:unit_tree"), {"instansi": "tidak-ada"}).status_code == 404
    )


def test_posts_need_the_csrf_token(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.org.admin)
    before = counts()

    response = client.post(
        reverse("organisation:unit_create"),
        {"unit-code": "DINKES", "unit-name": "Dinas Kesehatan", "unit-kind": "opd"},
    )

    assert response.status_code == 403
    assert counts() == before


def test_a_change_of_another_agency_is_not_shown_on_a_record_page(world: World) -> None:
    foreign = actions.correct_reporting_line(
        actor=world.other.admin,
        position=world.other.positions["GURU"],
        reports_to=world.other.positions["KASI"],
        reason="Koreksi instansi lain",
    )
    client = client_for(world, "hr")

    response = client.get(
        reverse("organisation:position_detail", args=[world.org.positions["GURU"].pk]),
        {"perubahan": foreign.pk},
    )

    assert response.status_code == 200
    assert response.context["change"] is None


# Pages show what HR needs ---------------------------------------------------------------


def test_the_tree_indents_units_and_counts_positions_and_holders(world: World) -> None:
    client = client_for(world, "hr")

    response = client.get(reverse("organisation:unit_tree"))

    rows = [
        (row.unit.code, row.depth, row.positions, row.employees) for row in response.context["rows"]
    ]
    assert rows == [
        ("DISDIK", 0, 1, 1),
        ("BID-SD", 1, 2, 2),
        ("SEK-KUR", 2, 2, 4),
        ("SEKRE", 1, 1, 1),
    ]


def test_a_vacant_post_shows_kosong_and_its_acting_official(world: World) -> None:
    org = world.org
    actions.transfer_employee(
        actor=org.admin,
        employee=org.people["kasi"],
        position=org.positions["GURU"],
        on=today() - datetime.timedelta(days=2),
        reason="Mutasi",
    )
    client = client_for(world, "hr")

    response = client.get(reverse("organisation:unit_detail", args=[org.units["SEK-KUR"].pk]))

    html = response.content.decode()
    assert '<span class="badge badge-warn">Kosong</span>' in html
    assert "Plt. Kepala Seksi Kurikulum: " in html
    kasi = next(p for p in response.context["positions"] if p.code == "KASI")
    assert ([h.pk for h in kasi.current_holdings], [a.pk for a in kasi.current_acting]) == (
        [],
        [world.acting.pk],
    )


def test_the_employee_page_shows_nip_and_appraisers_today(world: World) -> None:
    client = client_for(world, "hr")
    staf1 = world.org.people["staf1"]

    response = client.get(reverse("organisation:employee_detail", args=[staf1.pk]))

    assert response.context["nip"] == _nip(staf1)
    assert response.context["nip"].count(" ") == 3
    # The Kepala Seksi holds the post, so the Plt is not needed for staf1's appraisal.
    assert response.context["appraiser"].official.employee == world.org.people["kasi"]
    assert response.context["appraiser_supervisor"].official.employee == world.org.people["kabid"]
    assert (response.context["appraiser"].gaps, response.context["appraiser_supervisor"].gaps) == (
        (),
        (),
    )


def test_the_gap_list_says_where_appraisals_go(world: World) -> None:
    org = world.org
    actions.transfer_employee(
        actor=org.admin,
        employee=org.people["kabid"],
        position=org.positions["GURU"],
        on=today() - datetime.timedelta(days=1),
        reason="Mutasi",
    )
    client = client_for(world, "hr")

    response = client.get(reverse("organisation:vacancy_list"))

    assert [(p.code, r.official.employee.pk) for p, r in response.context["vacancies"]] == [
        ("KABID", org.people["kadis"].pk)
    ]
    assert "Penilaian diteruskan ke" in response.content.decode()


# Forms that fail show the error next to the field and change nothing --------------------


def field_error(field_id: str, message: str) -> str:
    """The markup of one error under one field (includes/_field.html)."""
    return f'<ul class="errorlist" id="{field_id}_error"><li>{message}</li></ul>'


@pytest.mark.parametrize(
    ("data", "field_id", "message"),
    [
        (
            {"mutasi-on": "2026-03-01", "mutasi-reason": ""},
            "id_mutasi-reason",
            "Alasan wajib diisi.",
        ),
        (
            {"mutasi-on": "2026-03-01", "mutasi-reason": "Mutasi", "same_post": True},
            "id_mutasi-position",
            "Pegawai sudah memangku jabatan ini.",
        ),
        (
            {"mutasi-on": "2026-01-01", "mutasi-reason": "Mutasi"},
            "id_mutasi-on",
            "Tanggal mutasi harus setelah tanggal mulai jabatan sekarang.",
        ),
    ],
    ids=["form-reason", "action-same-post", "action-date"],
)
def test_a_failed_transfer_shows_the_error_by_the_field(
    world: World, data: dict[str, Any], field_id: str, message: str
) -> None:
    org = world.org
    client = client_for(world, "hr")
    post = "STAF" if data.pop("same_post", False) else "GURU"
    before = counts()

    response = client.post(
        reverse("organisation:employee_transfer", args=[org.people["staf1"].pk]),
        {**data, "mutasi-position": org.positions[post].pk},
    )

    assert response.status_code == 200
    assert field_error(field_id, message) in response.content.decode()
    assert counts() == before


def test_a_reporting_loop_is_refused_next_to_the_field(world: World) -> None:
    org = world.org
    client = client_for(world, "hr")
    before = counts()

    response = client.post(
        reverse("organisation:position_reporting_line", args=[org.positions["KABID"].pk]),
        {"reports_to": org.positions["STAF"].pk, "reason": "salah"},
    )

    assert response.status_code == 200
    assert (
        field_error(
            "id_reports_to",
            "Garis atasan ini membuat lingkaran: Kepala Bidang Pembinaan SD akan melapor ke dirinya.",
        )
        in response.content.decode()
    )
    assert counts() == before
    org.positions["KABID"].refresh_from_db()
    assert org.positions["KABID"].reports_to_id == org.positions["KADIS"].pk


def test_a_correction_without_reason_is_refused(world: World) -> None:
    org = world.org
    client = client_for(world, "hr")
    before = counts()

    response = client.post(
        reverse("organisation:position_reporting_line", args=[org.positions["GURU"].pk]),
        {"reports_to": org.positions["KASI"].pk, "reason": "  "},
    )

    assert field_error("id_reason", "Alasan wajib diisi.") in response.content.decode()
    assert counts() == before


def test_an_invalid_nip_is_refused_next_to_the_field(world: World) -> None:
    client = client_for(world, "hr")
    before = counts()

    response = client.post(
        reverse("organisation:employee_create"),
        {"employee_type": "pns", "nip": "19860926 201513 1 001", "name": "Budi"},
    )

    assert (
        field_error("id_nip", "Digit 13-14 adalah bulan pengangkatan dan harus 01-12, bukan 13.")
        in response.content.decode()
    )
    assert counts() == before


def test_a_duplicate_unit_code_is_refused(world: World) -> None:
    client = client_for(world, "hr")
    before = counts()

    response = client.post(
        reverse("organisation:unit_add_subunit", args=[world.org.units["DISDIK"].pk]),
        {"subunit-code": "SEKRE", "subunit-name": "Sekretariat Lagi", "subunit-kind": "subunit"},
    )

    assert response.status_code == 200
    assert response.context["subunit_form"].errors == {
        "code": ["Kode unit SEKRE sudah ada di instansi ini."]
    }
    assert counts() == before


def test_a_duplicate_unit_code_says_it_already_exists(world: World) -> None:
    client = client_for(world, "hr")
    before = counts()

    response = client.post(
        reverse("organisation:unit_add_subunit", args=[world.org.units["DISDIK"].pk]),
        {"subunit-code": "SEKRE", "subunit-name": "Sekretariat Lagi", "subunit-kind": "subunit"},
    )

    assert "Kode unit SEKRE sudah ada di instansi ini." in response.content.decode()
    assert counts() == before


def test_ending_a_plt_after_its_decree_is_refused_next_to_the_field(world: World) -> None:
    client = client_for(world, "hr")
    pk = world.acting.pk
    before = counts()

    response = client.post(
        reverse("organisation:acting_end", args=[pk]),
        {
            f"akhir-{pk}-ends_on": (world.acting.ends_on + datetime.timedelta(days=1)).isoformat(),
            f"akhir-{pk}-reason": "Selesai",
        },
    )

    assert (
        field_error(f"id_akhir-{pk}-ends_on", "Tanggal berakhir harus sebelum tanggal selesai SK.")
        in response.content.decode()
    )
    assert counts() == before


def test_an_unknown_nip_for_a_plt_is_refused(world: World) -> None:
    client = client_for(world, "hr")
    before = counts()

    response = client.post(
        reverse("organisation:acting_list"),
        {
            "plt-nip": _nip(world.other.people["staf1"]),
            "plt-position": world.org.positions["KABID"].pk,
            "plt-kind": "plt",
            "plt-starts_on": "2026-12-01",
            "plt-ends_on": "2026-12-31",
            "plt-decree_number": "800/1",
        },
    )

    assert (
        field_error("id_plt-nip", "Tidak ada pegawai instansi ini dengan nomor tersebut.")
        in response.content.decode()
    )
    assert counts() == before


def test_another_agencys_position_cannot_be_chosen(world: World) -> None:
    client = client_for(world, "hr")
    before = counts()

    response = client.post(
        reverse("organisation:employee_transfer", args=[world.org.people["staf1"].pk]),
        {
            "mutasi-position": world.other.positions["GURU"].pk,
            "mutasi-on": "2026-03-01",
            "mutasi-reason": "Mutasi",
        },
    )

    assert response.context["transfer_form"].errors == {
        "position": [
            "Masukkan pilihan yang valid. Pilihan tersebut bukan salah satu dari pilihan yang tersedia."
        ]
    }
    assert counts() == before


# Successful changes ---------------------------------------------------------------------

KIND = "org-pages-test"


@pytest.fixture
def registered(world: World) -> Iterator[World]:
    register(
        ProcessDefinition(
            kind=KIND,
            label="Uji halaman organisasi",
            resolve_role=roles.resolve_role,
            administered_tenant_ids=administered_agency_ids,
            deadline_policy=lambda case: DeadlinePolicy(zone=ZONE),
            user_in_tenant=roles.user_in_agency,
        )
    )
    yield world
    unregister(KIND)


def case_waiting_for_agreement(org: Org, who: str) -> WorkItem:
    template = create_template(
        tenant_id=org.agency.pk,
        process_kind=KIND,
        code=f"t-{who}",
        name="Templat uji",
        actor=org.admin,
        stages=default_stages(),
    )
    publish_template(template_id=template.pk, actor=org.admin)
    case = engine.start_case(
        template=template, subject_id=org.user(who).pk, title=f"SKP 2026 {who}", actor=org.admin
    )
    draft = WorkItem.objects.get(process_id=case.pk, stage_key="draft_plan")
    engine.complete_task(task_id=draft.pk, actor=org.user(who))
    return WorkItem.objects.get(process_id=case.pk, stage_key="agree_plan")


def test_a_transfer_moves_the_holding_and_lists_the_affected_documents(registered: World) -> None:
    org = registered.org
    task = case_waiting_for_agreement(org, "staf1")
    assert task.owner_id == org.user("kasi").pk
    client = client_for(registered, "hr")
    url = reverse("organisation:employee_transfer", args=[org.people["kasi"].pk])

    response = client.post(
        url,
        {
            "mutasi-position": org.positions["GURU"].pk,
            "mutasi-on": today().isoformat(),
            "mutasi-reason": "Mutasi ke jabatan fungsional",
            "mutasi-reference": "SK 821/45/2026",
        },
        follow=True,
    )

    change = OrganisationChange.objects.get(kind=OrganisationChange.Kind.TRANSFER)
    assert response.redirect_chain == [
        (
            reverse("organisation:employee_detail", args=[org.people["kasi"].pk])
            + f"?perubahan={change.pk}",
            302,
        )
    ]
    old, new = PositionHolding.objects.filter(employee=org.people["kasi"]).order_by("starts_on")
    assert (old.position.code, old.ends_on, new.position.code, new.starts_on, new.reference) == (
        "KASI",
        today() - datetime.timedelta(days=1),
        "GURU",
        today(),
        "SK 821/45/2026",
    )
    assert response.context["change"] == change
    html = response.content.decode()
    assert '<h2 id="change-title">Perubahan tersimpan</h2>' in html
    assert "<li>SKP 2026 staf1 — 1 tugas dialihkan ke pejabat yang baru</li>" in html
    task.refresh_from_db()
    # The Plt of Kepala Seksi now acts for the vacant post.
    assert task.owner_id == org.user("kabid").pk


def test_a_correction_shows_the_change_afterwards(registered: World) -> None:
    org = registered.org
    case_waiting_for_agreement(org, "staf1")
    client = client_for(registered, "hr")

    response = client.post(
        reverse("organisation:position_reporting_line", args=[org.positions["STAF"].pk]),
        {"reports_to": org.positions["KABID"].pk, "reason": "Data SIMPEG salah"},
        follow=True,
    )

    history = ReportingLineChange.objects.get()
    assert (history.old_reports_to, history.new_reports_to, history.reason) == (
        org.positions["KASI"],
        org.positions["KABID"],
        "Data SIMPEG salah",
    )
    html = response.content.decode()
    assert (
        "Garis atasan Pengelola Kurikulum: Kepala Seksi Kurikulum → Kepala Bidang Pembinaan SD"
        in html
    )
    assert "<li>SKP 2026 staf1 — 1 tugas dialihkan ke pejabat yang baru</li>" in html
    assert list(response.context["history"]) == [history]


def test_adding_an_employee_creates_the_account_and_the_holding(world: World) -> None:
    org = world.org
    client = client_for(world, "hr")
    nip = make_nip(sex="2")
    spaced = format_number(nip, EmployeeType.PNS)

    response = client.post(
        reverse("organisation:employee_create"),
        {
            "employee_type": "pns",
            "nip": spaced,
            "name": "Dewi Lestari",
            "position": org.positions["STAF"].pk,
            "starts_on": "2026-02-01",
            "reference": "SK 813/3/2026",
        },
    )

    employee = Employee.objects.get(nip=nip)
    assert response["Location"] == reverse("organisation:employee_detail", args=[employee.pk])
    assert employee.user is not None
    assert (employee.agency, employee.sex, employee.user.username) == (org.agency, "2", nip)
    holding = PositionHolding.objects.get(employee=employee)
    assert (holding.position, holding.starts_on, holding.reference) == (
        org.positions["STAF"],
        datetime.date(2026, 2, 1),
        "SK 813/3/2026",
    )


def test_a_status_period_is_recorded(world: World) -> None:
    org = world.org
    client = client_for(world, "hr")

    client.post(
        reverse("organisation:employee_status", args=[org.people["staf2"].pk]),
        {
            "status-status": "study_leave",
            "status-starts_on": "2026-03-01",
            "status-ends_on": "2027-02-28",
            "status-reference": "SK 893/2/2026",
        },
    )

    period = EmployeeStatusPeriod.objects.get()
    assert (period.employee, period.status, period.starts_on, period.ends_on, period.reference) == (
        org.people["staf2"],
        "study_leave",
        datetime.date(2026, 3, 1),
        datetime.date(2027, 2, 28),
        "SK 893/2/2026",
    )


def test_a_status_is_ended_from_the_employee_page_and_a_bad_date_stays_on_the_form(
    world: World,
) -> None:
    client = client_for(world, "hr")
    staf3 = world.org.people["staf3"]
    period = _study_leave(world)
    url = reverse("organisation:employee_status_end", args=[staf3.pk, period.pk])
    field = f"akhir-status-{period.pk}-ends_on"
    page = client.get(reverse("organisation:employee_detail", args=[staf3.pk])).content.decode()

    refused = client.post(url, {field: "2020-01-01"})
    period.refresh_from_db()
    unchanged = period.ends_on
    yesterday = today() - datetime.timedelta(days=1)
    done = client.post(
        url, {field: yesterday.isoformat(), f"akhir-status-{period.pk}-reference": "SK 1"}
    )

    assert f'action="{url}"' in page
    assert refused.status_code == 200
    assert refused.context["status_periods"][0].end_form.errors == {
        "ends_on": [
            f"Tanggal berakhir tidak boleh sebelum status dimulai ({period.starts_on.isoformat()})."
        ]
    }
    assert unchanged is None
    assert done["Location"] == reverse("organisation:employee_detail", args=[staf3.pk])
    period.refresh_from_db()
    assert (period.ends_on, period.reference) == (yesterday, "")
    # Ended before today: no form any more, the page shows it as history and staf3 as active.
    after = client.get(reverse("organisation:employee_detail", args=[staf3.pk]))
    assert [row.end_form for row in after.context["status_periods"]] == [None]
    assert after.context["active_today"] is True


def test_ending_a_plt_early(world: World) -> None:
    client = client_for(world, "hr")
    pk = world.acting.pk

    response = client.post(
        reverse("organisation:acting_end", args=[pk]),
        {f"akhir-{pk}-ends_on": today().isoformat(), f"akhir-{pk}-reason": "Pejabat definitif"},
    )

    assert response["Location"] == reverse("organisation:acting_list")
    world.acting.refresh_from_db()
    assert world.acting.ends_on == today()


def test_the_change_log_lists_newest_first_with_documents(world: World) -> None:
    client = client_for(world, "hr")

    response = client.get(reverse("organisation:change_list"))

    changes = list(response.context["page"].object_list)
    assert [c.kind for c in changes] == [OrganisationChange.Kind.ACTING]
    assert changes[0].summary.startswith("Plt. Kepala Seksi Kurikulum (800/12/BKPSDM/2026)")


# The employee list ----------------------------------------------------------------------


def test_search_by_nip_typed_with_spaces(world: World) -> None:
    client = client_for(world, "hr")
    staf1 = world.org.people["staf1"]

    response = client.get(reverse("organisation:employee_list"), {"q": _nip(staf1)})

    assert [row.employee for row in response.context["rows"]] == [staf1]
    assert f'<span class="nip">{_nip(staf1)}</span>' in response.content.decode()


def test_search_by_name_filter_by_unit_and_status(world: World) -> None:
    org = world.org
    actions.set_employee_status(
        actor=org.admin,
        employee=org.people["staf3"],
        status="study_leave",
        starts_on=today() - datetime.timedelta(days=3),
    )
    client = client_for(world, "hr")
    url = reverse("organisation:employee_list")

    def names(**query: Any) -> list[str]:
        return [row.employee.name for row in client.get(url, query).context["rows"]]

    assert names(q="siti aminah") == ["Siti Aminah Gobel"]
    assert names(unit=org.units["SEK-KUR"].pk) == [
        "Andi Pratama",
        "Nurhayati Hasan",
        "Siti Aminah Gobel",
        "Yusuf Mokodompit",
    ]
    assert names(unit=org.units["SEK-KUR"].pk, status="active") == [
        "Andi Pratama",
        "Nurhayati Hasan",
        "Siti Aminah Gobel",
    ]
    assert names(status="study_leave") == ["Yusuf Mokodompit"]


def test_htmx_search_answers_with_the_results_only(world: World) -> None:
    client = client_for(world, "hr")

    response = client.get(
        reverse("organisation:employee_list"), {"q": "Andi"}, headers={"HX-Request": "true"}
    )

    assert response.templates[0].name == ("organisation/_employee_results.html")
    assert "<html" not in response.content.decode()


def hire_many(count: int) -> User:
    agency, admin = make_agency("massal")
    unit = actions.create_unit(actor=admin, agency=agency, code="OPD", name="Dinas Massal")
    post = actions.create_position(
        actor=admin, agency=agency, unit=unit, code="STAF", name="Staf", kind=PositionKind.PELAKSANA
    )
    for number in range(count):
        employee = actions.create_employee(
            actor=admin, agency=agency, nip=make_nip(), name=f"Pegawai {number:03d}"
        )
        actions.assign_position(actor=admin, employee=employee, position=post, starts_on=START)
    return admin


# Session, user, the user's agency (time-zone middleware), count, page, current holdings,
# current statuses, unit choices of the filter, the header bell's unread-notification count,
# and the four the menu asks once per request to know whether to show the team pages (is the
# user out of office, delegations, posts held, acting appointments).
EMPLOYEE_LIST_QUERIES = 13


@pytest.mark.parametrize("count", [1, 60])
def test_the_employee_list_needs_the_same_queries_for_1_and_60(
    db: None, count: int, django_assert_num_queries: Any
) -> None:
    admin = hire_many(count)
    client = Client()
    client.force_login(admin)

    with django_assert_num_queries(EMPLOYEE_LIST_QUERIES):
        response = client.get(reverse("organisation:employee_list"))

    assert len(response.context["rows"]) == min(count, 50)
    assert response.context["page"].paginator.count == count


# Import --------------------------------------------------------------------------------


def hr_client(world: World) -> Client:
    return client_for(world, "hr")


def stored_uploads() -> set[str]:
    """Names of the uploads kept under MEDIA_ROOT/imports/ (shared by the whole test run)."""
    folder = import_jobs.import_dir()
    return {path.name for path in folder.iterdir()} if folder.exists() else set()


def test_a_dry_run_with_problems_lists_them_and_saves_nothing(world: World) -> None:
    client = hr_client(world)
    before, uploads = counts(), stored_uploads()
    text = "Kode Unit,Nama Unit,Jenis,Kode Unit Induk\nDINKES,,OPD,\nUPT1,UPT Satu,Bukan,\n"

    response = client.post(reverse("organisation:import"), unit_csv(text))

    report = response.context["report"]
    assert [(p.sheet, p.row, p.column, p.message) for p in report.problems] == [
        ("Unit Kerja", 2, "Nama Unit", "Wajib diisi."),
        (
            "Unit Kerja",
            3,
            "Jenis",
            'Nilai "Bukan" tidak dikenal; isi dengan OPD, Sub-unit atau UPT.',
        ),
    ]
    html = response.content.decode()
    assert (
        '<tr><td data-label="Lembar">Unit Kerja</td><td class="num" data-label="Baris">2</td>'
        '<td data-label="Kolom">Nama Unit</td><td data-label="Masalah">Wajib diisi.</td></tr>'
    ) in html
    assert response.context["token"] == ""
    assert reverse("organisation:import_commit") not in html
    assert (counts(), stored_uploads()) == (before, uploads)


def test_a_clean_dry_run_offers_simpan_and_keeps_the_file(world: World) -> None:
    client = hr_client(world)
    before = counts()

    response = client.post(reverse("organisation:import"), unit_csv())

    report = response.context["report"]
    token = response.context["token"]
    assert (report.ok, report.dry_run, report.rows) == (True, True, 1)
    assert report.counts["Unit Kerja"] == {"created": 1, "updated": 0, "unchanged": 0}
    assert f'<input type="hidden" name="token" value="{token}">' in response.content.decode()
    assert import_jobs.upload_path(token).read_text() == UNIT_CSV
    assert client.session["organisation_imports"][token] == {
        "agency": world.org.agency.pk,
        "filename": "unit.csv",
        "sheet": "Unit Kerja",
    }
    assert counts() == before


def test_simpan_runs_the_import_as_a_job_and_shows_its_progress(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    client = hr_client(world)
    token = dry_run_token(client)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("organisation:import_commit"), {"token": token})

    job = Job.objects.get()
    assert response["Location"] == reverse("workflow:job_detail", args=[job.pk])
    assert (job.kind, job.tenant_id, job.created_by, job.status) == (
        "organisation_import",
        world.org.agency.pk,
        world.org.admin,
        JobStatus.DONE,
    )
    assert (job.done, job.total) == (1, 1)
    assert job.result["counts"]["Unit Kerja"] == {"created": 1, "updated": 0, "unchanged": 0}
    unit = Unit.objects.get(agency=world.org.agency, code="DINKES")
    assert (unit.name, unit.parent) == ("Dinas Kesehatan", None)
    assert not import_jobs.upload_path(token).exists()
    assert token not in client.session["organisation_imports"]
    assert client.get(response["Location"]).status_code == 200


def test_an_import_job_whose_creator_lost_the_right_fails_and_saves_nothing(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    client = hr_client(world)
    token = dry_run_token(client)
    before = counts()

    with django_capture_on_commit_callbacks() as callbacks:
        client.post(reverse("organisation:import_commit"), {"token": token})
    User.objects.filter(pk=world.org.admin.pk).update(is_agency_admin=False)
    for callback in callbacks:
        callback()

    job = Job.objects.get()
    assert (job.status, job.error) == (
        JobStatus.FAILED,
        "ActionForbidden: Hanya admin kepegawaian instansi ini yang boleh melakukannya.",
    )
    assert counts() == before


def test_an_import_job_without_its_file_fails(world: World) -> None:
    job = enqueue_job(
        tenant_id=world.org.agency.pk,
        kind="organisation_import",
        params={"token": str(uuid.uuid4()), "filename": "unit.csv", "sheet": "Unit Kerja"},
        actor=world.org.admin,
    )

    run_job(job.pk)

    job.refresh_from_db()
    assert (job.status, job.error) == (
        JobStatus.FAILED,
        "ImportFailed: Berkas impor tidak ditemukan lagi; unggah ulang.",
    )


def test_a_token_of_another_session_imports_nothing(world: World) -> None:
    stranger = client_for(world, "other_hr")
    token = dry_run_token(stranger)
    client = hr_client(world)
    before = counts()

    response = client.post(reverse("organisation:import_commit"), {"token": token}, follow=True)

    assert response.redirect_chain == [(reverse("organisation:import"), 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "Berkas impor tidak ditemukan lagi; unggah ulang."
    ]
    assert counts() == before


@pytest.mark.parametrize(
    ("name", "content", "sheet", "field_id", "message"),
    [
        (
            "data.txt",
            b"a,b",
            "Unit Kerja",
            "id_file",
            "Hanya berkas .xlsx atau .csv yang dapat diimpor.",
        ),
        (
            "data.xlsx",
            b"Kode Unit,Nama Unit\n",
            "",
            "id_file",
            "Isi berkas bukan buku kerja Excel (.xlsx) yang sah.",
        ),
        (
            "data.csv",
            b"\x00\x01\x02",
            "Unit Kerja",
            "id_file",
            "Isi berkas bukan teks CSV (UTF-8).",
        ),
        ("data.csv", UNIT_CSV.encode(), "", "id_sheet", "Pilih lembar yang diisi berkas .csv ini."),
        (
            "besar.csv",
            b"x" * (10 * 1024 * 1024 + 1),
            "Unit Kerja",
            "id_file",
            "Berkas lebih besar dari 10 MB.",
        ),
    ],
    ids=["extension", "xlsx-content", "csv-content", "csv-sheet", "size"],
)
def test_uploads_are_checked_before_the_dry_run(
    world: World, name: str, content: bytes, sheet: str, field_id: str, message: str
) -> None:
    client = hr_client(world)
    uploads = stored_uploads()

    response = client.post(
        reverse("organisation:import"),
        {"file": SimpleUploadedFile(name, content), "sheet": sheet},
    )

    assert response.status_code == 200
    assert response.context["report"] is None
    assert field_error(field_id, message) in response.content.decode()
    assert stored_uploads() == uploads


def test_the_template_and_the_example_download_as_workbooks(world: World) -> None:
    client = hr_client(world)

    template = client.get(reverse("organisation:import_template"))
    example = client.get(reverse("organisation:import_example"))

    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert (template["Content-Type"], example["Content-Type"]) == (xlsx, xlsx)
    assert template["Content-Disposition"] == 'attachment; filename="templat_impor_organisasi.xlsx"'
    assert example["Content-Disposition"] == 'attachment; filename="contoh_impor_organisasi.xlsx"'
    assert template.content[:4] == b"PK\x03\x04"
    assert example.getvalue()[:4] == b"PK\x03\x04"


# At phone width in a real browser -------------------------------------------------------


@pytest.mark.browser
def test_every_page_fits_a_360_px_phone(
    transactional_db: None, browser_page: BrowserPages, live_server: Any, shots: Shots
) -> None:
    org = build_org()
    actions.transfer_employee(
        actor=org.admin,
        employee=org.people["kasi"],
        position=org.positions["GURU"],
        on=today() - datetime.timedelta(days=1),
        reason="Mutasi ke jabatan fungsional",
        reference="SK 821/45/2026",
    )
    actions.appoint_acting_official(
        actor=org.admin,
        employee=org.people["kabid"],
        position=org.positions["KASI"],
        starts_on=today(),
        ends_on=today() + datetime.timedelta(days=30),
        decree_number="800/12/BKPSDM/2026",
    )
    page = browser_page("phone")
    login(page, live_server, "admin-uji", "x")
    pages = {
        "unit-tree": reverse("organisation:unit_tree"),
        "unit": reverse("organisation:unit_detail", args=[org.units["SEK-KUR"].pk]),
        "position": reverse("organisation:position_detail", args=[org.positions["KASI"].pk]),
        "employees": reverse("organisation:employee_list"),
        "employee": reverse("organisation:employee_detail", args=[org.people["staf1"].pk]),
        "employee-new": reverse("organisation:employee_create"),
        "acting": reverse("organisation:acting_list"),
        "gaps": reverse("organisation:vacancy_list"),
        "changes": reverse("organisation:change_list"),
        "import": reverse("organisation:import"),
    }

    for name, path in pages.items():
        page.goto(f"{live_server.url}{path}")
        assert page.locator("h1").count() == 1, name
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        shots.take(page, name)
        assert_no_horizontal_scroll(page)

    # The live search swaps the results without reloading the page.
    page.goto(f"{live_server.url}{pages['employees']}")
    page.fill("#id_q", "Siti Aminah")
    page.wait_for_function(
        "document.querySelectorAll('#employee-results ul.employees > li').length === 1"
    )
    assert page.locator("#employee-results ul.employees > li a").inner_text() == "Siti Aminah Gobel"
    shots.take(page, "employees-search")
    assert (browser_page.external_requests, browser_page.errors) == ([], [])


@pytest.mark.browser
def test_import_dry_run_then_simpan_at_phone_width(
    transactional_db: None, browser_page: BrowserPages, live_server: Any, shots: Shots
) -> None:
    org = build_org()
    page = browser_page("phone")
    login(page, live_server, "admin-uji", "x")
    page.goto(f"{live_server.url}{reverse('organisation:import')}")
    bad = UNIT_CSV + "UPT1,,Bukan,DINKES\n"

    page.set_input_files(
        "#id_file", files=[{"name": "unit.csv", "mimeType": "text/csv", "buffer": bad.encode()}]
    )
    page.select_option("#id_sheet", "Unit Kerja")
    with page.expect_navigation():
        page.click("main form [type=submit]")

    assert page.locator("table.problems tbody tr").count() == 2
    shots.take(page, "problems")
    assert_no_horizontal_scroll(page)

    page.set_input_files(
        "#id_file",
        files=[{"name": "unit.csv", "mimeType": "text/csv", "buffer": UNIT_CSV.encode()}],
    )
    page.select_option("#id_sheet", "Unit Kerja")
    with page.expect_navigation():
        page.click("main form [type=submit]")
    assert page.locator("h1").inner_text() == "Uji coba berhasil"
    shots.take(page, "dry-run-ok")

    with page.expect_navigation():
        page.get_by_role("button", name="Simpan", exact=True).click()

    job = Job.objects.get()
    assert page.url == f"{live_server.url}{reverse('workflow:job_detail', args=[job.pk])}"
    assert job.status == JobStatus.DONE
    assert Unit.objects.get(agency=org.agency, code="DINKES").name == "Dinas Kesehatan"
    shots.take(page, "job")
    assert_no_horizontal_scroll(page)
    assert (browser_page.external_requests, browser_page.errors) == ([], [])
