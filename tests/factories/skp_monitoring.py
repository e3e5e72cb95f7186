"""Walk SKPs through the monitored phase with the real monitoring actions.

- ``reach_monitoring(world, who)``: agree the plans of ``who``'s appraisers (those not agreed
  yet) and ``who``'s own plan with one rencana aksi per period; the SKP stands in monitoring.
- ``enter_realisations(world, who)``: a realisation for every hand-entered indicator and
  period, entered by whoever the agency lets enter them.
- ``rate_periods(world, who, hasil, perilaku)``: the period reports (where the agency asks
  for them) and the appraiser's rating of every period.
- ``monitor_fully(world, who)``: all of the above plus feedback on every indicator and on
  every BerAKHLAK value, then the employee finishes monitoring (the SKP moves on).
- ``clock(at)`` / ``moment_for(skp)``: the helpers run at the real time unless a period they
  need has not begun (or, for reports, ended) yet; then at 09:00 local on the day it has.
- ``upload(name, content)`` with ``PDF``, ``PNG``, ``JPEG``, ``docx()``, ``xlsx()``: files for
  evidence, and ``set_settings(world, **fields)`` for the agency's SKP settings.
"""

from __future__ import annotations

import datetime
import io
import struct
import zipfile
import zlib
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from processes.skp.access import today_for
from processes.skp.actions import monitoring
from processes.skp.actions import plan as plan_actions
from processes.skp.actions.common import current_form
from processes.skp.models import BerAkhlak, Indicator, IndicatorTemplate, Rhk, Skp, SkpSettings
from processes.skp.process import periods_of, settings_for
from tests.factories.skp import APPRAISER, EXPECTATIONS, SkpWorld, agree_plan, draft_plan

# Who must approve whose plan first: the people above ``who`` that have an SKP, top-down.


def chain_of(who: str) -> list[str]:
    """Return ``who``'s appraisers that have an SKP, top-down, then ``who``."""
    people = [who]
    while people[-1] in APPRAISER and APPRAISER[people[-1]] in APPRAISER:
        people.append(APPRAISER[people[-1]])
    return list(reversed(people))


@contextmanager
def clock(at: datetime.datetime | None) -> Iterator[None]:
    """Run the block with ``timezone.now()`` at ``at`` (the real time when None)."""
    if at is None:
        yield
        return
    with mock.patch.object(timezone, "now", return_value=at):
        yield


def local(world: SkpWorld, day: datetime.date, hour: int = 9, minute: int = 0) -> datetime.datetime:
    """Return ``day`` at ``hour``:``minute`` in the agency's zone as an instant in UTC.

    UTC, as ``timezone.now()`` gives it: audit rows hash their time as written.
    """
    zone = zoneinfo.ZoneInfo(world.org.agency.time_zone)
    moment = datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=zone)
    return moment.astimezone(datetime.UTC)


def moment_for(skp: Skp) -> datetime.datetime | None:
    """Return when the whole monitored phase can be walked, or None when it can be now.

    Realisations need every period begun; period reports (where required) every period
    ended. The answer is 09:00 local on the first day that holds, if that is after today.
    """
    periods = periods_of(skp)
    needed = (
        periods[-1].ends_on
        if settings_for(skp.agency_id).period_report_required
        else periods[-1].starts_on
    )
    if today_for(skp) >= needed:
        return None
    zone = zoneinfo.ZoneInfo(skp.agency.time_zone)
    moment = datetime.datetime.combine(needed, datetime.time(9), tzinfo=zone)
    return moment.astimezone(datetime.UTC)


def set_settings(world: SkpWorld, **fields: Any) -> SkpSettings:
    """Set the agency's SKP settings (the rest keep their defaults)."""
    row, _created = SkpSettings.objects.update_or_create(agency=world.org.agency, defaults=fields)
    return row


def reach_monitoring(world: SkpWorld, who: str, *, rhk_count: int = 1) -> Skp:
    """Agree the plans above ``who`` and ``who``'s own (with rencana aksi); return the SKP."""
    for person in chain_of(who)[:-1]:
        if current_form(world.skp(person)) == "plan":
            agree_plan(world, person, APPRAISER[person])
    rhks = draft_plan(world, who, rhk_count=rhk_count)
    skp = world.skp(who)
    employee = world.user(who)
    for period in periods_of(skp):
        plan_actions.save_action_plan(
            skp_id=skp.pk,
            actor=employee,
            rhk_id=rhks[0].pk,
            period_index=period.index,
            text=f"Menyusun draf dokumen kurikulum {period.label}",
            target="1 draf",
        )
    plan_actions.submit_plan(skp_id=skp.pk, actor=employee)
    appraiser = world.user(APPRAISER[who])
    plan_actions.save_expectations(skp_id=skp.pk, actor=appraiser, expectations=dict(EXPECTATIONS))
    plan_actions.approve_plan(skp_id=skp.pk, actor=appraiser)
    return world.skp(who)


def manual_indicators(skp: Skp) -> list[Indicator]:
    """Return the SKP's hand-entered indicators in plan order."""
    return list(
        Indicator.objects.filter(rhk__skp=skp, source=IndicatorTemplate.Source.MANUAL).order_by(
            "rhk__kind", "rhk__order", "order", "pk"
        )
    )


def enter_realisations(world: SkpWorld, who: str, *, value: Decimal | str | None = None) -> None:
    """Enter every realisation of ``who``'s SKP (a quarter of the target each, by default)."""
    skp = world.skp(who)
    enterer = (
        world.user(who)
        if settings_for(skp.agency_id).employee_enters_realisation
        else world.user(APPRAISER[who])
    )
    periods = periods_of(skp)
    for period in periods:
        for indicator in manual_indicators(skp):
            amount = value if value is not None else indicator.target_value / len(periods)
            monitoring.save_realisation(
                skp_id=skp.pk,
                actor=enterer,
                indicator_id=indicator.pk,
                period_index=period.index,
                value=Decimal(str(amount)).quantize(Decimal("0.01")),
                note=f"Capaian {period.label}",
            )


def give_all_feedback(world: SkpWorld, who: str) -> None:
    """Give feedback on every indicator (last period) and on every BerAKHLAK value."""
    skp = world.skp(who)
    appraiser = world.user(APPRAISER[who])
    last = periods_of(skp)[-1].index
    for indicator in Indicator.objects.filter(rhk__skp=skp).order_by("pk"):
        monitoring.give_feedback(
            skp_id=skp.pk,
            actor=appraiser,
            text="Pertahankan ketepatan waktu penyusunan dokumen.",
            indicator_id=indicator.pk,
            period_index=last,
        )
    for value in BerAkhlak:
        monitoring.give_feedback(
            skp_id=skp.pk,
            actor=appraiser,
            text=f"Perilaku {value.label} sudah tampak dalam pelayanan.",
            value=value.value,
        )


def rate_periods(
    world: SkpWorld, who: str, hasil: str = "as_expected", perilaku: str = "as_expected"
) -> None:
    """Submit each period's report (where required) and rate every period as the appraiser."""
    skp = world.skp(who)
    reports = settings_for(skp.agency_id).period_report_required
    for period in periods_of(skp):
        if reports:
            monitoring.submit_period_report(
                skp_id=skp.pk,
                actor=world.user(who),
                period_index=period.index,
                report=f"Seluruh rencana aksi {period.label} terlaksana.",
            )
        monitoring.rate_period(
            skp_id=skp.pk,
            actor=world.user(APPRAISER[who]),
            period_index=period.index,
            rating_hasil=hasil,
            rating_perilaku=perilaku,
        )


def monitor_fully(
    world: SkpWorld,
    who: str,
    *,
    hasil: str = "as_expected",
    perilaku: str = "as_expected",
    finish: bool = True,
) -> Skp:
    """Walk ``who``'s monitored SKP to its end: realisations, feedback, period ratings, finish.

    The SKP must stand in monitoring (``reach_monitoring`` or ``agree_chain`` first). Runs at
    the real time unless a period is not far enough along (see ``moment_for``).
    """
    skp = world.skp(who)
    with clock(moment_for(skp)):
        enter_realisations(world, who)
        give_all_feedback(world, who)
        rate_periods(world, who, hasil, perilaku)
        if finish:
            monitoring.finish_monitoring(
                skp_id=skp.pk, actor=world.user(who), comment="Pemantauan selesai"
            )
    return world.skp(who)


def rhks_of(skp: Skp) -> list[Rhk]:
    """Return the SKP's RHK in plan order."""
    return list(Rhk.objects.filter(skp=skp).order_by("kind", "order", "pk"))


# Files ---------------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>x()</script></svg>'


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )


PNG = _png()


def _ooxml(folder: str, part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr(f"{folder}/{part}", '<?xml version="1.0"?><document/>')
    return buffer.getvalue()


def docx() -> bytes:
    """Return a minimal zip shaped like a Word document."""
    return _ooxml("word", "document.xml")


def xlsx() -> bytes:
    """Return a minimal zip shaped like an Excel workbook."""
    return _ooxml("xl", "workbook.xml")


def upload(
    name: str, content: bytes, content_type: str = "application/octet-stream"
) -> SimpleUploadedFile:
    """Return an uploaded file as a browser would send it (its type claim is ignored)."""
    return SimpleUploadedFile(name, content, content_type=content_type)


def monitoring_state(skp: Skp) -> dict[str, Any]:
    """Return what the monitoring actions write for ``skp`` (to assert nothing changed)."""
    from processes.skp.models import (
        ActionPlan,
        DailyActivity,
        Evidence,
        ExtraAspectRating,
        Feedback,
        PerformanceDialog,
        PeriodEvaluation,
        Realisation,
    )
    from workflow.models import AuditEntry, Notification, WorkItem

    return {
        "realisations": list(
            Realisation.objects.filter(indicator__rhk__skp=skp)
            .order_by("pk")
            .values_list("pk", "value", "note")
        ),
        "progress": list(
            ActionPlan.objects.filter(rhk__skp=skp)
            .order_by("pk")
            .values_list("pk", "progress_note")
        ),
        "evidence": list(Evidence.objects.filter(skp=skp).order_by("pk").values_list("pk", "file")),
        "feedback": Feedback.objects.filter(skp=skp).count(),
        "dialogs": PerformanceDialog.objects.filter(skp=skp).count(),
        "daily": list(
            DailyActivity.objects.filter(skp=skp)
            .order_by("pk")
            .values_list("pk", "day", "description", "quantity", "output_unit", "rhk_id")
        ),
        "evaluations": list(
            PeriodEvaluation.objects.filter(skp=skp)
            .order_by("pk")
            .values_list("period_index", "report", "predikat")
        ),
        "extra": list(
            ExtraAspectRating.objects.filter(skp=skp).order_by("pk").values_list("aspect", "rating")
        ),
        "audit": AuditEntry.objects.filter(case=skp.case).count(),
        "notifications": Notification.objects.filter(case=skp.case).count(),
        "tasks": list(
            WorkItem.objects.filter(process_id=skp.case_id)
            .order_by("pk")
            .values_list("pk", "status")
        ),
    }
