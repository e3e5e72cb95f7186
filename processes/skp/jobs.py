"""The SKP process's background jobs (``workflow.jobs``).

``skp_open_cycle`` enrols every eligible employee of an opened cycle in committed batches
(``actions.cycle.run_enrolment``), as the HR admin who opened it. The job runner records
the progress of each batch in the batch's own transaction; a re-run after a crash picks up
the employees still missing, so nobody is enrolled twice.

Call ``register_skp_jobs()`` once at start-up (``SkpConfig.ready``), in the web process and
on every Celery worker.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext_lazy as _

from processes.skp.actions.cycle import run_enrolment
from processes.skp.exports import EXPORT_JOB, download_link, run_export_job
from workflow.jobs import register_job
from workflow.models import Job

OPEN_CYCLE_JOB = "skp_open_cycle"


def open_cycle_params(cycle_id: int) -> dict[str, int]:
    """Return the parameters of an ``skp_open_cycle`` job."""
    return {"cycle_id": cycle_id}


def run_open_cycle_job(job: Job) -> Iterator[tuple[int, int]]:
    """Enrol the cycle's employees batch by batch; yield (SKPs in the cycle, total)."""
    return run_enrolment(int(job.params["cycle_id"]), job.created_by_id)


def register_skp_jobs() -> None:
    """Register the SKP job kinds with the engine (idempotent)."""
    register_job(OPEN_CYCLE_JOB, run_open_cycle_job, label=_("Pendaftaran pegawai ke siklus"))
    register_job(
        EXPORT_JOB,
        run_export_job,
        label=_("Ekspor hasil SKP ke Excel"),
        result_link=download_link,
    )
