"""Job pages: only the creator or an admin of the job's tenant sees them; polling stops at the end."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from tests.workflow.conftest import World
from workflow.models import Job, JobStatus


def job(world: World, **values: Any) -> Job:
    return Job.objects.create(tenant=world.tenant, kind="uji", created_by=world.employee, **values)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("employee", 200),  # created it
        ("admin", 200),  # administers its tenant
        ("appraiser", 404),
        ("other_admin", 404),  # administers another tenant
    ],
)
def test_who_may_see_a_job(world: World, client: Any, who: str, status: int) -> None:
    running = job(world, status=JobStatus.RUNNING, total=250, done=100)
    client.force_login(getattr(world, who))

    assert client.get(f"/notifikasi/jobs/{running.pk}/").status_code == status
    assert client.get(f"/notifikasi/jobs/{running.pk}/progress").status_code == status


def test_a_superuser_may_see_any_job(world: World, client: Any) -> None:
    client.force_login(get_user_model().objects.create_superuser("super", password="x"))

    assert client.get(f"/notifikasi/jobs/{job(world).pk}/").status_code == 200


def test_a_missing_job_answers_404(world: World, client: Any) -> None:
    client.force_login(world.admin)

    assert client.get("/notifikasi/jobs/999999/").status_code == 404


def test_a_running_job_shows_its_progress_and_keeps_polling(world: World, client: Any) -> None:
    running = job(world, status=JobStatus.RUNNING, total=250, done=100)
    client.force_login(world.employee)

    page = client.get(f"/notifikasi/jobs/{running.pk}/").content.decode()
    fragment = client.get(f"/notifikasi/jobs/{running.pk}/progress").content.decode()

    assert f"<h1>Pekerjaan latar #{running.pk}</h1>" in page
    for html in (page, fragment):
        assert 'max="250" value="100"' in html
        assert "100 dari 250 (40%)" in html
        assert f'hx-get="/notifikasi/jobs/{running.pk}/progress"' in html
        assert 'hx-trigger="every 1s"' in html
    assert "<!doctype html>" not in fragment.lower()


@pytest.mark.parametrize(
    ("status", "text"),
    [(JobStatus.DONE, "Pekerjaan selesai."), (JobStatus.FAILED, "Pekerjaan gagal: ValueError: x")],
)
def test_a_finished_job_stops_polling(world: World, client: Any, status: str, text: str) -> None:
    finished = job(world, status=status, total=250, done=250, error="ValueError: x")
    client.force_login(world.employee)

    fragment = client.get(f"/notifikasi/jobs/{finished.pk}/progress").content.decode()

    assert text in fragment
    assert "hx-trigger" not in fragment
    assert f'data-status="{status}"' in fragment


def test_a_queued_job_shows_an_indeterminate_bar(world: World, client: Any) -> None:
    queued = job(world)
    client.force_login(world.employee)

    fragment = client.get(f"/notifikasi/jobs/{queued.pk}/progress").content.decode()

    assert "Menunggu giliran" in fragment
    assert "value=" not in fragment
