"""Export a cycle's SKP results to an Excel workbook, as a background job.

HR asks for it on the cycle's page (``request_cycle_export``); the job ``skp_cycle_export``
writes one row per SKP of the cycle, in the order of units and names, into
``MEDIA_ROOT/exports/skp-<job id>.xlsx`` with openpyxl's write-only workbook (rows stream to
disk, memory stays flat), reporting its progress every ``BATCH`` rows. It writes nothing
to the database, so a run after a crash simply writes the file again from the start. The
finished job's page links to the download, which only the agency's HR may fetch.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Generator, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from processes.organisation.access import require_admin
from processes.organisation.identity import EmployeeType, format_number
from processes.organisation.models import FunctionalLevel, PositionKind
from processes.skp.models import Cycle, Objection, Skp
from processes.skp.rules import FollowUp, Predikat, Rating
from workflow.jobs import enqueue_job
from workflow.models import Job
from workflow.spec import Phase

EXPORT_JOB = "skp_cycle_export"
BATCH = 500

HEADER = (
    gettext_lazy("NIP / NI PPPK"),
    gettext_lazy("Nama"),
    gettext_lazy("Jenis pegawai"),
    gettext_lazy("Unit kerja"),
    gettext_lazy("Jabatan"),
    gettext_lazy("Jenis jabatan"),
    gettext_lazy("Jenjang"),
    gettext_lazy("SKP ke-"),
    gettext_lazy("Periode mulai"),
    gettext_lazy("Periode selesai"),
    gettext_lazy("Fase"),
    gettext_lazy("Rating hasil kerja"),
    gettext_lazy("Rating perilaku kerja"),
    gettext_lazy("Predikat"),
    gettext_lazy("Angka kredit"),
    gettext_lazy("Tindak lanjut"),
    gettext_lazy("Keberatan"),
    gettext_lazy("Ditetapkan"),
)


def export_dir() -> Path:
    """Return the folder that keeps finished exports."""
    return Path(settings.MEDIA_ROOT) / "exports"


def export_path(job_id: int) -> Path:
    """Return where the export of job ``job_id`` is written."""
    return export_dir() / f"skp-{int(job_id)}.xlsx"


def request_cycle_export(*, cycle_id: int, actor: Any) -> Job:
    """Start exporting a cycle's results; return the job (its page shows the progress).

    Before: ``actor`` administers the cycle's agency (else ActionForbidden, nothing
    written). Written: the queued job, started once the transaction commits.
    """
    cycle = Cycle.objects.get(pk=cycle_id)
    require_admin(actor, cycle.agency_id)
    return enqueue_job(
        tenant_id=cycle.agency_id, kind=EXPORT_JOB, params={"cycle_id": cycle.pk}, actor=actor
    )


def _skps(cycle: Cycle) -> QuerySet[Skp]:
    return (
        Skp.objects.filter(cycle=cycle)
        .select_related("employee", "position", "unit", "case")
        .order_by("unit__path", "employee__name", "sequence", "pk")
    )


def _label(choices: Any, value: str) -> str:
    return str(dict(choices).get(value, "")) if value else ""


def _phase(skp: Skp) -> str:
    case = skp.case
    if case is None:
        return _("Belum dimulai")
    if case.phase == Phase.FINAL and case.closed_at is None:
        return _("Menunggu penetapan")
    return _label(Phase.choices, case.phase)


def row_of(skp: Skp, objections: dict[int, str], zone: zoneinfo.ZoneInfo) -> list[Any]:
    """Return the export row of one SKP (dates as dates, numbers as numbers)."""
    employee, position = skp.employee, skp.position
    number = employee.nip
    if len(number) == 18:
        number = format_number(number, EmployeeType(employee.employee_type))
    finalised = (
        timezone.localtime(skp.finalised_at, zone).date() if skp.finalised_at is not None else None
    )
    credit: Decimal | None = skp.credit_points
    return [
        number,
        employee.name,
        EmployeeType(employee.employee_type).name,
        skp.unit.name,
        position.name,
        _label(PositionKind.choices, position.kind),
        _label(FunctionalLevel.choices, position.functional_level),
        skp.sequence,
        skp.period_start,
        skp.period_end,
        _phase(skp),
        _label(Rating.choices, skp.rating_hasil),
        _label(Rating.choices, skp.rating_perilaku),
        _label(Predikat.choices, skp.predikat),
        credit,
        _label(FollowUp.choices, skp.follow_up),
        objections.get(skp.pk, ""),
        finalised,
    ]


def run_export_job(job: Job) -> Generator[tuple[int, int], None, dict[str, Any]]:
    """Write the cycle's workbook batch by batch; return the file's name and row count.

    The job's creator must still administer the agency when it runs. The file is written
    under a temporary name and renamed when complete, so a half-written workbook is never
    offered; a failed run removes its partial file.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    cycle = Cycle.objects.select_related("agency").get(pk=int(job.params["cycle_id"]))
    require_admin(job.created_by, cycle.agency_id)
    zone = zoneinfo.ZoneInfo(cycle.agency.time_zone)
    skps = _skps(cycle)
    total = skps.count()
    # A decided keberatan shows its decision, a pending one where it stands.
    objections = {
        skp_id: _label(Objection.Decision.choices, decision)
        or _label(Objection.Status.choices, status)
        for skp_id, status, decision in Objection.objects.filter(skp__cycle=cycle).values_list(
            "skp_id", "status", "decision"
        )
    }
    target = export_path(job.pk)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Hasil SKP"))
    sheet.append([str(title) for title in HEADER])
    done = 0
    try:
        for batch in _batches(skps, total):
            for skp in batch:
                row = []
                for value in row_of(skp, objections, zone):
                    cell = WriteOnlyCell(sheet, value=value)
                    if isinstance(value, datetime.date):
                        cell.number_format = "DD-MM-YYYY"
                    row.append(cell)
                sheet.append(row)
                done += 1
            yield done, total
        workbook.save(partial)
        partial.replace(target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return {"rows": done, "file": target.name, "cycle": str(cycle)}


def _batches(skps: QuerySet[Skp], total: int) -> Iterator[list[Skp]]:
    """Yield the SKPs in batches of ``BATCH`` (an empty cycle yields one empty batch)."""
    if total == 0:
        yield []
        return
    for start in range(0, total, BATCH):
        yield list(skps[start : start + BATCH])


def download_link(job: Job) -> tuple[str, str] | None:
    """Return the finished export's download address and link text (the job's page)."""
    if not export_path(job.pk).exists():
        return None
    return (
        reverse("skp:cycle_export_download", kwargs={"job_id": job.pk}),
        _("Unduh hasil (.xlsx)"),
    )
