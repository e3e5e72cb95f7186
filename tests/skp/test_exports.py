"""Exporting a cycle's results to Excel as a background job, and who may download it."""

from __future__ import annotations

import datetime
import io
import shutil
import zoneinfo
from typing import Any, cast

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from processes.organisation.identity import EmployeeType, format_number
from processes.skp import exports
from processes.skp.actions import objection as objection_actions
from processes.skp.models import Skp
from tests.factories import skp_review as walk
from tests.factories.organisation import make_agency
from tests.factories.skp import SkpWorld, build_skp_world
from workflow import jobs
from workflow.errors import ActionForbidden
from workflow.models import Job, JobStatus
from workflow.spec import Phase

HEADER = [
    "NIP / NI PPPK",
    "Nama",
    "Jenis pegawai",
    "Unit kerja",
    "Jabatan",
    "Jenis jabatan",
    "Jenjang",
    "SKP ke-",
    "Periode mulai",
    "Periode selesai",
    "Fase",
    "Rating hasil kerja",
    "Rating perilaku kerja",
    "Predikat",
    "Angka kredit",
    "Tindak lanjut",
    "Keberatan",
    "Ditetapkan",
]


@pytest.fixture(autouse=True)
def _no_earlier_exports() -> None:
    """Start without files of earlier tests (job ids repeat once their rows roll back)."""
    shutil.rmtree(exports.export_dir(), ignore_errors=True)


@pytest.fixture
def world(db: None) -> SkpWorld:
    """staf1 final (Baik, keberatan rejected); guru final (credit points); the rest open."""
    world = build_skp_world()
    walk.to_discussion(world, "staf1", justification="Unit belum dinilai.")
    objection_actions.file_objection(
        skp_id=world.skp("staf1").pk, actor=world.user("staf1"), reasons="Belum dihitung."
    )
    objection_actions.decide_objection(
        skp_id=world.skp("staf1").pk,
        actor=world.user("kabid"),
        decision="rejected",
        reason="Sudah dihitung.",
    )
    walk.finalise(world, "staf1")
    return world


def export(world: SkpWorld, capture: Any) -> Job:
    with capture(execute=True):
        job = exports.request_cycle_export(cycle_id=world.cycle.pk, actor=world.org.admin)
    job.refresh_from_db()
    return job


def rows_of(content: bytes) -> list[list[Any]]:
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_export_writes_one_row_per_skp_with_its_result(
    world: SkpWorld, django_capture_on_commit_callbacks: Any
) -> None:
    job = export(world, django_capture_on_commit_callbacks)

    skps = Skp.objects.filter(cycle=world.cycle)
    assert (job.status, job.done, job.total, job.error) == (
        JobStatus.DONE,
        skps.count(),
        skps.count(),
        "",
    )
    assert job.result == {
        "rows": skps.count(),
        "file": f"skp-{job.pk}.xlsx",
        "cycle": str(world.cycle),
    }
    rows = rows_of(exports.export_path(job.pk).read_bytes())
    assert rows[0] == HEADER
    assert len(rows) == 1 + skps.count()
    staf1 = world.skp("staf1")
    employee = staf1.employee
    assert staf1.finalised_at is not None
    finalised_on = timezone.localtime(staf1.finalised_at, zoneinfo.ZoneInfo("Asia/Makassar")).date()
    by_name = {row[1]: row for row in rows[1:]}
    assert by_name[employee.name] == [
        format_number(employee.nip, EmployeeType(employee.employee_type)),
        employee.name,
        "PNS",
        staf1.unit.name,
        staf1.position.name,
        "Pelaksana",
        None,
        1,
        datetime.datetime(2026, 1, 1),
        datetime.datetime(2026, 12, 31),
        "Final",
        "Sesuai Ekspektasi",
        "Sesuai Ekspektasi",
        "Baik",
        None,
        "Tidak ada tindak lanjut",
        "Ditolak: hasil tetap",
        datetime.datetime.combine(finalised_on, datetime.time()),
    ]
    # Every other SKP shows the phase it stands in, without a result yet.
    phases = dict(Phase.choices)
    assert {name: (row[10], row[13]) for name, row in by_name.items() if name != employee.name} == {
        skp.employee.name: (phases[skp.case.phase], None)
        for skp in skps.exclude(pk=staf1.pk).select_related("employee", "case")
        if skp.case is not None
    }
    # In the order of the unit tree, then by name.
    assert [row[1] for row in rows[1:]] == list(
        skps.order_by("unit__path", "employee__name").values_list("employee__name", flat=True)
    )
    assert jobs.result_link(job) == (
        reverse("skp:cycle_export_download", kwargs={"job_id": job.pk}),
        "Unduh hasil (.xlsx)",
    )


def test_only_the_agencys_hr_may_export_or_download(
    world: SkpWorld, django_capture_on_commit_callbacks: Any
) -> None:
    job = export(world, django_capture_on_commit_callbacks)
    url = reverse("skp:cycle_export_download", kwargs={"job_id": job.pk})
    _other, stranger = make_agency("lain")
    before = Job.objects.count()

    with pytest.raises(ActionForbidden):
        exports.request_cycle_export(cycle_id=world.cycle.pk, actor=world.user("kasi"))
    hr, employee, other_hr = Client(), Client(), Client()
    hr.force_login(world.org.admin)
    employee.force_login(world.user("staf1"))
    other_hr.force_login(stranger)

    download = hr.get(url)
    assert download.status_code == 200
    assert download["Content-Disposition"] == (
        f'attachment; filename="hasil-skp-2026-{job.pk}.xlsx"'
    )
    assert rows_of(b"".join(cast(Any, download).streaming_content))[0] == HEADER
    assert employee.get(url).status_code == 403
    assert other_hr.get(url).status_code == 404
    assert other_hr.post(reverse("skp:cycle_export", args=[world.cycle.pk])).status_code == 404
    assert employee.post(reverse("skp:cycle_export", args=[world.cycle.pk])).status_code == 403
    assert Job.objects.count() == before


def test_a_job_whose_creator_lost_the_right_fails_and_leaves_no_file(
    world: SkpWorld, django_capture_on_commit_callbacks: Any
) -> None:
    admin = world.org.admin
    job = Job.objects.create(
        tenant=world.org.agency,
        kind=exports.EXPORT_JOB,
        params={"cycle_id": world.cycle.pk},
        created_by=world.user("kasi"),
    )

    assert jobs.run_job(job.pk) == jobs.RunOutcome.FAILED

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == (
        "ActionForbidden: Hanya admin kepegawaian instansi ini yang boleh melakukannya."
    )
    assert not exports.export_path(job.pk).exists()
    assert not exports.export_path(job.pk).with_suffix(".part").exists()
    assert jobs.result_link(job) is None
    assert admin.is_agency_admin


def test_the_page_starts_the_export_and_the_job_page_links_the_file(
    world: SkpWorld, django_capture_on_commit_callbacks: Any
) -> None:
    client = Client()
    client.force_login(world.org.admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("skp:cycle_export", args=[world.cycle.pk]))
    job = Job.objects.get(kind=exports.EXPORT_JOB)
    page = client.get(response["Location"]).content.decode()
    cycle_page = client.get(reverse("skp:cycle_detail", args=[world.cycle.pk]))

    assert response["Location"] == reverse("workflow:job_detail", args=[job.pk])
    assert "Ekspor hasil SKP ke Excel" in page
    download = reverse("skp:cycle_export_download", kwargs={"job_id": job.pk})
    assert f'href="{download}" id="job-result">Unduh hasil (.xlsx)</a>' in page
    assert cycle_page.context["export_job"] == job
