"""The organisation import as a background job (``workflow.jobs``), and where uploads wait.

HR uploads a file; the page stores it as ``MEDIA_ROOT/imports/<uuid>`` and runs a dry run.
"Simpan" enqueues the job ``organisation_import`` with the token, the original file name and
the CSV sheet; the handler re-reads the stored file and imports it as the job's creator.

Why the handler is a plain function and not a generator: the importer writes the whole file
in one durable transaction (all or nothing), and the job runner runs every step of a
generator inside a transaction of its own, where a durable block may not be nested. The
runner calls the handler itself outside those transactions, so the import runs there; it
reports its progress as it goes (``workflow.jobs.report_progress``: live while counting,
validating and writing), and the runner then records the same points. The import is idempotent
(rows are matched by their keys), so a re-run after a crash changes nothing twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from processes.organisation.importer import import_organisation
from processes.organisation.models import Agency
from workflow.jobs import report_progress
from workflow.models import Job

IMPORT_JOB_KIND = "organisation_import"
# The job's result lists at most this many problems; the rest are counted.
RESULT_PROBLEMS = 100


class ImportFailed(Exception):
    """The real import found problems (the data changed since the dry run); nothing was saved."""


def import_dir() -> Path:
    """Return the folder that keeps uploaded organisation files until they are imported."""
    return Path(settings.MEDIA_ROOT) / "imports"


def upload_path(token: str) -> Path:
    """Return the stored upload for ``token``; raise Http404 for anything but a UUID."""
    try:
        name = str(uuid.UUID(token))
    except ValueError as error:
        raise Http404(_("Berkas impor tidak ditemukan.")) from error
    return import_dir() / name


def job_params(token: str, filename: str, sheet: str) -> dict[str, str]:
    """Return the parameters of an import job."""
    return {"token": token, "filename": filename, "sheet": sheet}


def run_import_job(job: Job) -> Iterator[tuple[int, int]]:
    """Import the stored file of ``job`` as its creator; return the runner's progress steps.

    Raise ImportFailed when the import reports problems, so the job is marked failed with
    them; the stored file is removed once the job's end is committed.
    """
    params = job.params
    path = upload_path(str(params.get("token", "")))
    if not path.exists():
        raise ImportFailed(_("Berkas impor tidak ditemukan lagi; unggah ulang."))
    actor = job.created_by
    agency = Agency.objects.get(pk=job.tenant_id)
    steps: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> None:
        # Counting and validating run outside any transaction; the all-or-nothing write
        # runs inside one, where ``report_progress`` still reaches the page polling the job.
        steps.append((done, total))
        report_progress(job.pk, done, total)

    with path.open("rb") as stored:
        report = import_organisation(
            actor=actor,
            agency=agency,
            file=stored,
            filename=str(params.get("filename") or path.name),
            dry_run=False,
            sheet=params.get("sheet") or None,
            progress=progress,
        )
    if not report.ok:
        path.unlink(missing_ok=True)
        raise ImportFailed(" ".join(str(problem) for problem in report.problems[:RESULT_PROBLEMS]))
    return _replay(steps, path, report.rows, report.counts)


def _replay(
    steps: list[tuple[int, int]], path: Path, rows: int, counts: dict[str, dict[str, int]]
) -> Generator[tuple[int, int], None, dict[str, Any]]:
    yield from steps or [(rows, rows)]
    # Runs in the runner's last transaction, the one that marks the job done.
    transaction.on_commit(lambda: path.unlink(missing_ok=True))
    return {"rows": rows, "counts": counts}
