"""Monitored: realisasi per period, bukti dukung, umpan balik, dialog kinerja, daily activities,
period reports and period ratings, and the end of monitoring.

Glossary (DOMAIN.md section 1): *realisasi* is the achieved value of an indicator in one
evaluation period; *bukti dukung* (evidence) a file stored by the product or a link; *umpan
balik* the appraiser's feedback on an indicator or a BerAKHLAK value; *dialog kinerja* a
recorded conversation; *rencana aksi* periodic action steps; *laporan kegiatan harian* the
optional daily activity log; *laporan capaian* the employee's achievement report at the end
of a period, rated by the appraiser (a period *predikat*, computed, never typed).

Every action locks the SKP (``lock_skp``), checks the phase or stage, then the actor, then
validates, writes, and appends one audit row on the case's chain in the same transaction;
``finish_monitoring`` ends the stage through the engine, which runs the stage's guards
(``realisations_complete`` and, where the agency asks for reports, ``period_reports_complete``).
Bad input raises :class:`InvalidMonitoring` with messages per field; the wrong actor
ActionForbidden; the wrong phase StepNotAllowed. Nothing is written on a refusal.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal, InvalidOperation
from functools import partial
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.templatetags.ui import local_date
from processes.organisation.selectors import appraiser_of
from processes.skp import rules
from processes.skp.access import Seat, SkpAccess, role_day, today_for
from processes.skp.actions.common import (
    access_for,
    lock_skp,
    record,
    require_appraiser,
    require_employee,
    require_form,
    require_phase,
    require_task,
    team_seat,
)
from processes.skp.models import (
    ActionPlan,
    BerAkhlak,
    DailyActivity,
    Evidence,
    ExtraAspectRating,
    Feedback,
    Indicator,
    IndicatorTemplate,
    PerformanceDialog,
    PeriodEvaluation,
    Realisation,
    Rhk,
    Skp,
)
from processes.skp.process import periods_of, settings_for
from workflow import actions as engine
from workflow.errors import ActionForbidden, StepNotAllowed
from workflow.models import AuditCode, Case
from workflow.notifications import case_url, notify
from workflow.spec import Phase


class InvalidMonitoring(StepNotAllowed):
    """Monitoring input that does not validate; ``errors`` maps field names to messages."""

    code = "invalid_monitoring"

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(" ".join(m for messages in errors.values() for m in messages))
        self.errors = errors


# Evidence, feedback and extra ratings may still be added after monitoring, until the rating.
MONITORING_PHASES = (Phase.MONITORED,)
EVIDENCE_PHASES = (Phase.MONITORED, Phase.SELF_ASSESSED, Phase.REVIEWED)
FEEDBACK_PHASES = EVIDENCE_PHASES
RATING_PHASES = EVIDENCE_PHASES
# The year's last days can still be logged while the self-assessment is written.
DAILY_PHASES = (Phase.MONITORED, Phase.SELF_ASSESSED)
COACHING_PHASES = (Phase.MONITORED, Phase.SELF_ASSESSED)

MAX_DAILY_ENTRIES = 500
_MAX_REALISATION = Decimal(10) ** 12  # Realisation.value: 14 digits, 2 decimals
_MAX_QUANTITY = Decimal(10) ** 8  # DailyActivity.quantity: 10 digits, 2 decimals
_CENT = Decimal("0.01")
_MEGABYTE = 1024 * 1024


# Shared checks -----------------------------------------------------------------------------


def _seat_of(access: SkpAccess) -> Seat:
    """Return the appraiser's seat (the caller checked ``is_appraiser``)."""
    assert access.appraiser is not None
    return access.appraiser


def _clean(text: Any) -> str:
    return str(text or "").strip()


def _period(
    skp: Skp,
    index: Any,
    errors: dict[str, list[str]],
    *,
    today: datetime.date,
    field: str = "period_index",
    report_lead: int | None = None,
) -> rules.Period | None:
    """Return the SKP's period ``index`` when it has begun; else note an error.

    With ``report_lead`` (the agency's days before the period's end), the period must also
    have reached the day its achievement report opens (``rules.report_opens_on``).
    """
    period = next((p for p in periods_of(skp) if p.index == index), None)
    if period is None or isinstance(index, bool):
        errors[field] = [_("Periode tidak termasuk masa SKP ini.")]
        return None
    if period.starts_on > today:
        errors[field] = [_("%(label)s belum dimulai.") % {"label": period.label}]
        return None
    if report_lead is not None:
        opens_on = rules.report_opens_on(period.ends_on, report_lead)
        if opens_on > today:
            errors[field] = [
                _("Laporan capaian %(label)s dapat diserahkan mulai %(day)s.")
                % {"label": period.label, "day": local_date(opens_on)}
            ]
            return None
    return period


def _optional_period(
    skp: Skp, index: int | None, errors: dict[str, list[str]], *, today: datetime.date
) -> rules.Period | None:
    if index is None:
        return None
    return _period(skp, index, errors, today=today)


def _indicator(
    skp: Skp, indicator_id: int | None, errors: dict[str, list[str]]
) -> Indicator | None:
    if indicator_id is None:
        return None
    indicator = Indicator.objects.filter(rhk__skp=skp, pk=indicator_id).first()
    if indicator is None:
        errors["indicator"] = [_("Indikator tidak ditemukan pada SKP ini.")]
    return indicator


def _amount(
    value: Any,
    field: str,
    errors: dict[str, list[str]],
    *,
    limit: Decimal,
    positive: bool = False,
) -> Decimal | None:
    """Return ``value`` as a decimal with at most two places (a comma is a decimal point)."""
    if isinstance(value, bool):
        errors[field] = [_("Isi dengan angka.")]
        return None
    try:
        number = Decimal(str(value).replace(",", ".").strip())
    except (InvalidOperation, ValueError):
        errors[field] = [_("Isi dengan angka.")]
        return None
    if not number.is_finite():
        errors[field] = [_("Isi dengan angka.")]
    elif positive and number <= 0:
        errors[field] = [_("Isi dengan angka lebih dari 0.")]
    elif number < 0:
        errors[field] = [_("Isi dengan angka 0 atau lebih.")]
    elif number >= limit:
        errors[field] = [_("Angka terlalu besar.")]
    elif number != number.quantize(_CENT, rounding=ROUND_CEILING):
        errors[field] = [_("Isi paling banyak dua angka di belakang koma.")]
    else:
        return number.quantize(_CENT)
    return None


def _notify(
    skp: Skp, case: Case, recipient_ids: Sequence[int | None], title: str, body: str
) -> None:
    notify(
        [uid for uid in recipient_ids if uid is not None],
        tenant_id=skp.agency_id,
        case_id=case.pk,
        code=AuditCode.PROCESS_EVENT,
        title=title,
        body=body,
        url=case_url(case),
    )


def _appraiser_user_id(skp: Skp) -> int | None:
    official = appraiser_of(skp.employee, role_day(skp)).official
    return official.user.pk if official is not None and official.user is not None else None


def _require_annual_not_rated(skp: Skp) -> None:
    if skp.predikat or skp.rated_at is not None:
        raise StepNotAllowed(
            _("Penilaian tahunan sudah diberikan; penilaian periodik tidak dapat diubah lagi.")
        )


# Realisation and rencana aksi --------------------------------------------------------------


@transaction.atomic
def save_realisation(
    *,
    skp_id: int,
    actor: Any,
    indicator_id: int,
    period_index: int,
    value: Any,
    note: str = "",
) -> Realisation:
    """Enter or change the realisasi of an indicator for one period (one row per period).

    Before: the SKP is monitored; the actor is its employee (when the agency lets employees
    enter their own realisation) or its appraiser; the period belongs to the SKP and has
    begun in the agency's zone; the indicator is entered by hand (not computed from
    attendance or citizen feedback); ``value`` is a number of 0 or more with at most two
    decimals. Written: the realisation and an audit row ``realisation_saved`` with the
    previous value. Raise InvalidMonitoring, ActionForbidden or StepNotAllowed.
    """
    skp = lock_skp(skp_id)
    require_phase(skp, *MONITORING_PHASES)
    access = access_for(actor, skp)
    choice = settings_for(skp.agency_id)
    if access.is_employee and not access.is_appraiser and not choice.employee_enters_realisation:
        raise ActionForbidden(_("Realisasi di instansi ini diisi oleh pejabat penilai."))
    if not (access.is_employee or access.is_appraiser):
        raise ActionForbidden(
            _("Hanya pegawai pemilik SKP atau pejabat penilainya yang boleh mengisi realisasi.")
        )
    errors: dict[str, list[str]] = {}
    indicator = _indicator(skp, indicator_id, errors)
    if indicator is not None and indicator.source != IndicatorTemplate.Source.MANUAL:
        errors["indicator"] = [
            _("Realisasi indikator ini dihitung otomatis dari %(source)s.")
            % {"source": indicator.get_source_display().lower()}
        ]
    _period(skp, period_index, errors, today=today_for(skp))
    amount = _amount(value, "value", errors, limit=_MAX_REALISATION)
    if errors:
        raise InvalidMonitoring(errors)
    assert indicator is not None
    assert amount is not None
    realisation = Realisation.objects.filter(indicator=indicator, period_index=period_index).first()
    previous = str(realisation.value) if realisation is not None else None
    if realisation is None:
        realisation = Realisation(indicator=indicator, period_index=period_index)
    realisation.value, realisation.note = amount, _clean(note)
    realisation.updated_by, realisation.updated_at = actor, timezone.now()
    realisation.save()
    seat = access.appraiser if access.is_appraiser and not access.is_employee else None
    record(
        skp,
        actor,
        "realisation_saved",
        capacity=seat.label if seat else "",
        acting_for_id=seat.acting_for_id if seat else None,
        indicator=indicator.pk,
        period=period_index,
        value=str(amount),
        previous=previous,
    )
    return realisation


@transaction.atomic
def update_action_plan_progress(
    *, skp_id: int, actor: Any, action_plan_id: int, progress_note: str
) -> ActionPlan:
    """Write the employee's progress on a rencana aksi of the agreed plan while monitored."""
    skp = lock_skp(skp_id)
    require_phase(skp, *MONITORING_PHASES)
    require_employee(actor, skp)
    errors: dict[str, list[str]] = {}
    plan = ActionPlan.objects.filter(rhk__skp=skp, pk=action_plan_id).first()
    if plan is None:
        errors["action_plan"] = [_("Rencana aksi tidak ditemukan pada SKP ini.")]
    text = _clean(progress_note)
    if not text:
        errors["progress_note"] = [_("Uraian kemajuan wajib diisi.")]
    if errors:
        raise InvalidMonitoring(errors)
    assert plan is not None
    previous = plan.progress_note
    plan.progress_note = text
    plan.save(update_fields=["progress_note"])
    record(
        skp,
        actor,
        "action_plan_progress_saved",
        action_plan=plan.pk,
        period=plan.period_index,
        changed=previous != text,
    )
    return plan


# Evidence (bukti dukung) ---------------------------------------------------------------------

# Never stored whatever an agency configures: programs, scripts and pages a browser would run.
BLOCKED_EXTENSIONS = frozenset(
    {
        "apk", "app", "bat", "bin", "cgi", "cmd", "com", "cpl", "dll", "elf", "exe", "hta",
        "htm", "html", "jar", "js", "mht", "mhtml", "mjs", "msi", "php", "phtml", "pif", "pl",
        "ps1", "py", "scr", "sh", "shtml", "svg", "svgz", "swf", "vbs", "xht", "xhtml", "xml",
    }
)  # fmt: skip

# The content type a download is served with comes from this table, never from the browser.
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
    "txt": "text/plain",
    "csv": "text/csv",
    "zip": "application/zip",
}
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OOXML_FOLDER = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}
_EXECUTABLE_MAGIC = (
    b"MZ",  # Windows PE
    b"\x7fELF",  # Linux
    b"\xfe\xed\xfa\xce",  # Mach-O
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # Mach-O universal, Java class
    b"#!",  # scripts
)
_MARKUP = re.compile(rb"<\s*(!doctype\s+html|html|svg|script|head|body|iframe|\?xml)\b")
SNIFF_BYTES = 8192


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _original_name(uploaded: UploadedFile) -> str:
    """Return the uploaded file's own name without folders or control characters."""
    name = PurePath(str(uploaded.name or "").replace("\\", "/")).name
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    if len(name) > 255:
        extension = _extension(name)
        name = name[: 254 - len(extension)] + "." + extension if extension else name[:255]
    return name


def _zip_names(uploaded: UploadedFile) -> set[str] | None:
    """Return the member names of a zip-based file (None when it is not a readable zip)."""
    try:
        uploaded.seek(0)
        with zipfile.ZipFile(uploaded) as archive:
            return set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    finally:
        uploaded.seek(0)


def _matches_extension(extension: str, head: bytes, uploaded: UploadedFile) -> bool:
    """Return True when the content's magic bytes fit the extension (unknown types: True)."""
    if extension == "pdf":
        return b"%PDF-" in head[:1024]
    if extension == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if extension in {"jpg", "jpeg"}:
        return head.startswith(b"\xff\xd8\xff")
    if extension == "gif":
        return head[:6] in {b"GIF87a", b"GIF89a"}
    if extension == "webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    if extension in {"doc", "xls", "ppt"}:
        return head.startswith(_OLE)
    if extension in {"docx", "xlsx", "pptx", "odt", "ods", "zip"}:
        if not head.startswith(b"PK\x03\x04"):
            return False
        names = _zip_names(uploaded)
        if names is None:
            return False
        if extension in _OOXML_FOLDER:
            return "[Content_Types].xml" in names and any(
                name.startswith(_OOXML_FOLDER[extension]) for name in names
            )
        if extension in {"odt", "ods"}:
            return "mimetype" in names and "content.xml" in names
        return True
    if extension in {"txt", "csv"}:
        return b"\x00" not in head
    return True


def _file_errors(uploaded: UploadedFile, allowed: set[str], max_mb: int) -> tuple[str, str]:
    """Return the file's original name and extension, or raise InvalidMonitoring saying why.

    The name's extension must be allowed by the agency (and never a program, a page or an
    SVG); the size within the agency's limit; and the content must be what the extension
    says: its first bytes are read (sniffed), because a browser-supplied type proves nothing.
    """
    name = _original_name(uploaded)
    extension = _extension(name)

    def refuse(message: str) -> InvalidMonitoring:
        return InvalidMonitoring({"file": [message]})

    if not name:
        raise refuse(_("Pilih berkas yang akan diunggah."))
    if extension in BLOCKED_EXTENSIONS:
        raise refuse(_("Jenis berkas .%(ext)s tidak diterima.") % {"ext": extension})
    if extension not in allowed:
        raise refuse(
            _("Jenis berkas %(ext)s tidak diizinkan; gunakan: %(allowed)s.")
            % {
                "ext": f".{extension}" if extension else _("tanpa ekstensi"),
                "allowed": ", ".join(sorted(allowed)),
            }
        )
    size = int(uploaded.size or 0)
    if size == 0:
        raise refuse(_("Berkas kosong."))
    if size > max_mb * _MEGABYTE:
        shown = (Decimal(size) / _MEGABYTE).quantize(Decimal("0.1"), rounding=ROUND_CEILING)
        raise refuse(
            _("Ukuran berkas %(size)s MB melebihi batas %(max)d MB.")
            % {"size": str(shown).replace(".", ","), "max": max_mb}
        )
    uploaded.seek(0)
    head = uploaded.read(SNIFF_BYTES)
    uploaded.seek(0)
    if head.startswith(_EXECUTABLE_MAGIC):
        raise refuse(
            _("Isi berkas adalah program (executable); berkas seperti ini tidak diterima.")
        )
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if not _matches_extension(extension, head, uploaded):
        if _MARKUP.match(text):
            raise refuse(_("Isi berkas berupa HTML atau SVG; berkas seperti ini tidak diterima."))
        raise refuse(_("Isi berkas tidak sesuai dengan jenis .%(ext)s.") % {"ext": extension})
    if extension in {"txt", "csv"} and _MARKUP.search(text):
        raise refuse(_("Isi berkas berupa HTML atau SVG; berkas seperti ini tidak diterima."))
    return name, extension


def _digest(uploaded: UploadedFile) -> str:
    uploaded.seek(0)
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return digest.hexdigest()


def _evidence_author(actor: Any, skp: Skp, *, kind: str = "evidence") -> Seat | None:
    """Check who may add evidence; return the appraiser's seat when they add it."""
    access = access_for(actor, skp)
    if kind not in {"evidence", "field_observation"}:
        raise InvalidMonitoring({"kind": [_("Jenis bukti dukung tidak dikenal.")]})
    if kind == "field_observation":
        if access.is_appraiser:
            return _seat_of(access)
        seat = team_seat(skp, actor)
        if seat is None:
            raise ActionForbidden(
                _(
                    "Hanya pejabat penilai atau tim penilai kinerja yang boleh mencatat bukti "
                    "observasi lapangan."
                )
            )
        return seat
    if access.is_employee:
        return None
    if access.is_appraiser:
        return _seat_of(access)
    raise ActionForbidden(
        _("Hanya pegawai pemilik SKP atau pejabat penilainya yang boleh menambah bukti dukung.")
    )


@transaction.atomic
def add_evidence_file(
    *,
    skp_id: int,
    actor: Any,
    uploaded: UploadedFile,
    indicator_id: int | None = None,
    period_index: int | None = None,
    note: str = "",
    kind: str = "evidence",
) -> Evidence:
    """Store an evidence file, optionally for one indicator and period.

    Before: the SKP is monitored, self-assessed or under review (not final); the actor is the
    employee or the appraiser (a ``field_observation`` is recorded by the appraiser or, during
    a team review stage, by the team's members); the
    file passes ``_file_errors`` (extension, size and content). Written: the file under
    ``MEDIA_ROOT/evidence/<agency>/<skp>/<random>.<ext>`` (the original name is kept on the
    row), the Evidence row, and an audit row ``evidence_added`` with the file's SHA-256.
    The file is removed again when writing the row fails. Raise InvalidMonitoring,
    ActionForbidden or StepNotAllowed.
    """
    skp = lock_skp(skp_id)
    require_phase(skp, *EVIDENCE_PHASES)
    seat = _evidence_author(actor, skp, kind=kind)
    errors: dict[str, list[str]] = {}
    indicator = _indicator(skp, indicator_id, errors)
    _optional_period(skp, period_index, errors, today=today_for(skp))
    if errors:
        raise InvalidMonitoring(errors)
    return store_evidence_file(
        skp,
        actor,
        uploaded,
        seat=seat,
        kind=kind,
        indicator=indicator,
        period_index=period_index,
        note=note,
    )


def store_evidence_file(
    skp: Skp,
    actor: Any,
    uploaded: UploadedFile,
    *,
    seat: Seat | None,
    kind: str,
    indicator: Indicator | None = None,
    period_index: int | None = None,
    note: str = "",
) -> Evidence:
    """Check and store an evidence file for an action that has locked ``skp`` and checked
    the actor (the agency's types and size, the content sniffed); write the Evidence row and
    the audit row ``evidence_added``. Raise InvalidMonitoring (key ``file``)."""
    choice = settings_for(skp.agency_id)
    name, extension = _file_errors(uploaded, choice.allowed_extensions, choice.evidence_max_mb)
    evidence = Evidence(
        skp=skp,
        indicator=indicator,
        period_index=period_index,
        original_name=name,
        content_type=CONTENT_TYPES.get(extension, "application/octet-stream"),
        size=int(uploaded.size or 0),
        note=_clean(note),
        kind=kind,
        uploaded_by=actor,
        uploaded_at=timezone.now(),
    )
    sha256 = _digest(uploaded)
    evidence.file.save(name, uploaded, save=False)
    try:
        evidence.save()
        record(
            skp,
            actor,
            "evidence_added",
            capacity=seat.label if seat else "",
            acting_for_id=seat.acting_for_id if seat else None,
            evidence=evidence.pk,
            kind=kind,
            name=name,
            size=evidence.size,
            content_type=evidence.content_type,
            sha256=sha256,
            indicator=evidence.indicator_id,
            period=period_index,
        )
    except BaseException:
        evidence.file.storage.delete(evidence.file.name)
        raise
    return evidence


@transaction.atomic
def add_evidence_link(
    *,
    skp_id: int,
    actor: Any,
    url: str,
    indicator_id: int | None = None,
    period_index: int | None = None,
    note: str = "",
) -> Evidence:
    """Add a link as evidence (http or https only), with the same rules as a file."""
    skp = lock_skp(skp_id)
    require_phase(skp, *EVIDENCE_PHASES)
    seat = _evidence_author(actor, skp)
    errors: dict[str, list[str]] = {}
    indicator = _indicator(skp, indicator_id, errors)
    _optional_period(skp, period_index, errors, today=today_for(skp))
    address = _clean(url)
    try:
        if len(address) > 500:
            raise ValidationError("too long")
        URLValidator(schemes=["http", "https"])(address)
    except ValidationError:
        errors["url"] = [_("Tautan harus alamat lengkap yang diawali http:// atau https://.")]
    if errors:
        raise InvalidMonitoring(errors)
    evidence = Evidence.objects.create(
        skp=skp,
        indicator=indicator,
        period_index=period_index,
        url=address,
        note=_clean(note),
        kind="evidence",
        uploaded_by=actor,
        uploaded_at=timezone.now(),
    )
    record(
        skp,
        actor,
        "evidence_added",
        capacity=seat.label if seat else "",
        acting_for_id=seat.acting_for_id if seat else None,
        evidence=evidence.pk,
        kind="link",
        url=address,
        indicator=evidence.indicator_id,
        period=period_index,
    )
    return evidence


@transaction.atomic
def delete_evidence(*, skp_id: int, actor: Any, evidence_id: int) -> None:
    """Delete evidence as its uploader; the file goes after commit.

    Before: evidence may still be added (EVIDENCE_PHASES); the evidence is not what a rating
    already rests on (``evidence_kept_reason``).
    """
    skp = lock_skp(skp_id)
    require_phase(skp, *EVIDENCE_PHASES)
    evidence = Evidence.objects.filter(skp=skp, pk=evidence_id).first()
    if evidence is None:
        raise StepNotAllowed(_("Bukti dukung tidak ditemukan."))
    if actor is None or evidence.uploaded_by_id != actor.pk:
        raise ActionForbidden(_("Hanya pengunggah bukti dukung yang boleh menghapusnya."))
    reason = evidence_kept_reason(evidence, rated_period_indexes(skp), annual_rated=skp_rated(skp))
    if reason:
        raise StepNotAllowed(reason)
    name = evidence.file.name if evidence.file else ""
    storage = evidence.file.storage
    record(
        skp,
        actor,
        "evidence_deleted",
        evidence=evidence.pk,
        kind=evidence.kind,
        name=evidence.original_name,
        url=evidence.url,
    )
    evidence.delete()
    if name:
        # The row may still come back if the transaction rolls back: keep the file until then.
        transaction.on_commit(partial(storage.delete, name))


def rated_period_indexes(skp: Skp) -> set[int]:
    """Return the indexes of the SKP's periods the appraiser has rated."""
    return set(
        PeriodEvaluation.objects.filter(skp=skp)
        .exclude(predikat="")
        .values_list("period_index", flat=True)
    )


def skp_rated(skp: Skp) -> bool:
    """Return True once the appraiser's annual rating is given."""
    return bool(skp.predikat) or skp.rated_at is not None


def evidence_kept_reason(evidence: Evidence, rated_periods: set[int], *, annual_rated: bool) -> str:
    """Return why evidence must stay (a rating rests on it), or "" when it may be deleted.

    Evidence of a period stays once that period is rated; evidence of no period stays once
    the annual rating is given. The monitoring tab offers "Hapus" by the same rule.
    """
    if evidence.period_index is not None and evidence.period_index in rated_periods:
        return _("Periode ini sudah dinilai; bukti dukungnya tidak dapat dihapus lagi.")
    if evidence.period_index is None and annual_rated:
        return _("SKP ini sudah dinilai; bukti dukungnya tidak dapat dihapus lagi.")
    return ""


# Feedback and dialogs ------------------------------------------------------------------------


@transaction.atomic
def give_feedback(
    *,
    skp_id: int,
    actor: Any,
    text: str,
    period_index: int | None = None,
    indicator_id: int | None = None,
    value: str = "",
) -> Feedback:
    """Give the appraiser's feedback on one indicator or one BerAKHLAK value.

    Before: the SKP is monitored, self-assessed or under review; the actor appraises it
    (own or acting, the capacity is kept on the row); exactly one of ``indicator_id`` and
    ``value``. Written: the feedback, an audit row ``feedback_given``; the employee is
    notified after commit.
    """
    skp = lock_skp(skp_id)
    case = require_phase(skp, *FEEDBACK_PHASES)
    seat = _seat_of(require_appraiser(actor, skp))
    errors: dict[str, list[str]] = {}
    clean_value = _clean(value)
    if indicator_id is None and not clean_value:
        errors["indicator"] = [_("Pilih indikator atau nilai BerAKHLAK yang diberi umpan balik.")]
    elif indicator_id is not None and clean_value:
        errors["value"] = [_("Umpan balik untuk satu indikator atau satu nilai, tidak keduanya.")]
    indicator = _indicator(skp, indicator_id, errors)
    if clean_value and clean_value not in BerAkhlak.values:
        errors["value"] = [_("Nilai BerAKHLAK tidak dikenal.")]
    _optional_period(skp, period_index, errors, today=today_for(skp))
    body = _clean(text)
    if not body:
        errors["text"] = [_("Isi umpan balik wajib diisi.")]
    if errors:
        raise InvalidMonitoring(errors)
    feedback = Feedback.objects.create(
        skp=skp,
        period_index=period_index,
        indicator=indicator,
        value=clean_value,
        text=body,
        author=actor,
        capacity=seat.label,
        created_at=timezone.now(),
    )
    record(
        skp,
        actor,
        "feedback_given",
        capacity=seat.label,
        acting_for_id=seat.acting_for_id,
        feedback=feedback.pk,
        indicator=feedback.indicator_id,
        value=clean_value,
        period=period_index,
    )
    subject = indicator.text if indicator is not None else BerAkhlak(clean_value).label
    _notify(
        skp,
        case,
        [skp.employee.user_id],
        _("Umpan balik baru dari pejabat penilai"),
        _("%(subject)s: %(text)s") % {"subject": subject, "text": body},
    )
    return feedback


@transaction.atomic
def record_dialog(
    *,
    skp_id: int,
    actor: Any,
    kind: str,
    held_on: datetime.date,
    agenda: str,
    outcome: str,
    follow_up: str = "",
    period_index: int | None = None,
) -> PerformanceDialog:
    """Record a dialog kinerja held with the employee.

    ``coaching``: by the appraiser while monitored or self-assessed. ``result``: by the
    appraiser while the result is discussed (the ``result_discussed`` guard looks for it).
    ``objection``: by the appraiser's supervisor while deciding a keberatan. The day lies
    within the SKP's period start and today. Written: the dialog and an audit row
    ``dialog_recorded``; the employee is notified after commit.
    """
    skp = lock_skp(skp_id)
    if kind not in PerformanceDialog.Kind.values:
        raise InvalidMonitoring(
            {
                "kind": [
                    _("Pilih jenis dialog: pembinaan, hasil penilaian atau klarifikasi keberatan.")
                ]
            }
        )
    if kind == PerformanceDialog.Kind.COACHING:
        case = require_phase(skp, *COACHING_PHASES)
        seat = _seat_of(require_appraiser(actor, skp))
    elif kind == PerformanceDialog.Kind.RESULT:
        case = require_form(skp, "discussion")
        seat = _seat_of(require_appraiser(actor, skp))
    else:
        # PP 30/2019 art. 59: the objection goes to the appraiser's own supervisor.
        case = require_form(skp, "objection_decision")
        access = access_for(actor, skp)
        if access.supervisor is None:
            raise ActionForbidden(
                _("Hanya atasan pejabat penilai yang mencatat dialog klarifikasi keberatan.")
            )
        seat = access.supervisor
    errors: dict[str, list[str]] = {}
    today = today_for(skp)
    if not isinstance(held_on, datetime.date) or isinstance(held_on, datetime.datetime):
        errors["held_on"] = [_("Isi tanggal dialog.")]
    elif held_on > today:
        errors["held_on"] = [_("Tanggal dialog tidak boleh di masa depan.")]
    elif held_on < skp.period_start:
        errors["held_on"] = [_("Tanggal dialog sebelum masa SKP dimulai.")]
    if not _clean(agenda):
        errors["agenda"] = [_("Agenda dialog wajib diisi.")]
    if not _clean(outcome):
        errors["outcome"] = [_("Hasil dialog wajib diisi.")]
    _optional_period(skp, period_index, errors, today=today)
    if errors:
        raise InvalidMonitoring(errors)
    dialog = PerformanceDialog.objects.create(
        skp=skp,
        kind=kind,
        period_index=period_index,
        held_on=held_on,
        agenda=_clean(agenda),
        outcome=_clean(outcome),
        follow_up=_clean(follow_up),
        recorded_by=actor,
        created_at=timezone.now(),
    )
    record(
        skp,
        actor,
        "dialog_recorded",
        capacity=seat.label,
        acting_for_id=seat.acting_for_id,
        dialog=dialog.pk,
        kind=kind,
        held_on=held_on.isoformat(),
        period=period_index,
    )
    _notify(
        skp,
        case,
        [skp.employee.user_id],
        _("Dialog kinerja dicatat: %(kind)s") % {"kind": dialog.get_kind_display()},
        dialog.outcome,
    )
    return dialog


# Daily activities -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DailyEntry:
    """One line of the daily activity log as entered (validated by ``add_daily_activities``)."""

    day: datetime.date
    description: str
    quantity: Decimal | int | str = 1
    output_unit: str = ""
    rhk_id: int | None = None


@transaction.atomic
def add_daily_activities(
    *, skp_id: int, actor: Any, entries: Sequence[DailyEntry]
) -> list[DailyActivity]:
    """Add daily activities in bulk, all or nothing.

    Before: the agency keeps daily activity logs; the SKP is monitored or self-assessed; the
    actor is its employee; every entry's day lies within the SKP period and not after today
    (agency zone). Errors are keyed ``entries.<n>.<field>`` with ``n`` the entry's position
    from 1 (the line number of pasted text without blank lines). Written: the rows in one
    bulk insert and one audit row ``daily_activities_added``.
    """
    skp = _lock_daily_log(skp_id, actor)
    if not entries:
        raise InvalidMonitoring({"entries": [_("Isi paling sedikit satu kegiatan.")]})
    if len(entries) > MAX_DAILY_ENTRIES:
        raise InvalidMonitoring(
            {
                "entries": [
                    _("Paling banyak %(count)d kegiatan sekali simpan.")
                    % {"count": MAX_DAILY_ENTRIES}
                ]
            }
        )
    today = today_for(skp)
    rhk_ids = set(Rhk.objects.filter(skp=skp).values_list("pk", flat=True))
    errors: dict[str, list[str]] = {}
    rows: list[DailyActivity] = []
    for number, entry in enumerate(entries, start=1):
        # A late entry may still be added to a rated period, as evidence may; what a
        # rating rests on is not changed or deleted (``update_daily_activity``).
        line, fields = _daily_line(skp, entry, today, rhk_ids, locked=[])
        for field, messages in line.items():
            errors[f"entries.{number}.{field}"] = messages
        if not line:
            rows.append(DailyActivity(skp=skp, created_at=timezone.now(), **fields))
    if errors:
        raise InvalidMonitoring(errors)
    created = DailyActivity.objects.bulk_create(rows)
    record(
        skp,
        actor,
        "daily_activities_added",
        count=len(created),
        first_day=min(row.day for row in created).isoformat(),
        last_day=max(row.day for row in created).isoformat(),
    )
    return created


def _rated_daily_spans(skp: Skp) -> list[tuple[datetime.date, datetime.date]]:
    """Return the (first, last) days of the SKP's periods already rated (their log is kept)."""
    rated = rated_period_indexes(skp)
    return [
        (period.starts_on, period.ends_on) for period in periods_of(skp) if period.index in rated
    ]


def in_rated_period(day: datetime.date, spans: list[tuple[datetime.date, datetime.date]]) -> bool:
    return any(first <= day <= last for first, last in spans)


def _daily_line(
    skp: Skp,
    entry: DailyEntry,
    today: datetime.date,
    rhk_ids: set[int],
    locked: list[tuple[datetime.date, datetime.date]],
) -> tuple[dict[str, list[str]], dict[str, Any]]:
    """Check one daily entry; return its problems by field and, when none, the row's fields."""
    max_description = DailyActivity._meta.get_field("description").max_length or 500
    max_unit = DailyActivity._meta.get_field("output_unit").max_length or 40
    line: dict[str, list[str]] = {}
    day = entry.day
    if not isinstance(day, datetime.date) or isinstance(day, datetime.datetime):
        line["day"] = [_("Isi tanggal kegiatan.")]
    elif not skp.period_start <= day <= skp.period_end:
        line["day"] = [
            _("Tanggal di luar masa SKP (%(start)s s.d. %(end)s).")
            % {
                "start": skp.period_start.strftime("%d/%m/%Y"),
                "end": skp.period_end.strftime("%d/%m/%Y"),
            }
        ]
    elif day > today:
        line["day"] = [_("Tanggal tidak boleh di masa depan.")]
    elif in_rated_period(day, locked):
        line["day"] = [_("Periode tanggal ini sudah dinilai; kegiatannya tidak dapat diubah.")]
    description = _clean(entry.description)
    if not description:
        line["description"] = [_("Uraian kegiatan wajib diisi.")]
    elif len(description) > max_description:
        line["description"] = [
            _("Uraian kegiatan paling banyak %(count)d karakter.") % {"count": max_description}
        ]
    quantity = _amount(entry.quantity, "quantity", line, limit=_MAX_QUANTITY, positive=True)
    unit = _clean(entry.output_unit)
    if len(unit) > max_unit:
        line["output_unit"] = [
            _("Satuan hasil paling banyak %(count)d karakter.") % {"count": max_unit}
        ]
    if entry.rhk_id is not None and entry.rhk_id not in rhk_ids:
        line["rhk"] = [_("RHK tidak termasuk SKP ini.")]
    if line:
        return line, {}
    return line, {
        "day": day,
        "rhk_id": entry.rhk_id,
        "description": description,
        "quantity": quantity,
        "output_unit": unit,
    }


def _lock_daily_log(skp_id: int, actor: Any) -> Skp:
    """Lock the SKP whose daily log its employee writes (the log's preconditions checked)."""
    skp = lock_skp(skp_id)
    require_phase(skp, *DAILY_PHASES)
    require_employee(actor, skp)
    if not settings_for(skp.agency_id).daily_activities_enabled:
        raise StepNotAllowed(_("Laporan kegiatan harian tidak diaktifkan di instansi ini."))
    return skp


def _daily_activity_for_change(
    skp_id: int, actor: Any, activity_id: int
) -> tuple[Skp, DailyActivity, list[tuple[datetime.date, datetime.date]]]:
    """Lock the SKP and return it, the activity the employee changes and the rated spans."""
    skp = _lock_daily_log(skp_id, actor)
    activity = DailyActivity.objects.select_for_update().filter(skp=skp, pk=activity_id).first()
    if activity is None:
        raise StepNotAllowed(_("Kegiatan harian tidak ditemukan."))
    locked = _rated_daily_spans(skp)
    if in_rated_period(activity.day, locked):
        raise StepNotAllowed(
            _("Periode kegiatan ini sudah dinilai; kegiatannya tidak dapat diubah lagi.")
        )
    return skp, activity, locked


def _plain(value: Any) -> Any:
    """Return ``value`` as the audit payload (JSON) keeps it: days ISO, amounts as text."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


@transaction.atomic
def update_daily_activity(
    *, skp_id: int, actor: Any, activity_id: int, entry: DailyEntry
) -> DailyActivity:
    """Correct one daily activity as the SKP's employee.

    Before: as ``add_daily_activities``; the activity's day and its new day do not lie in a
    period already rated. Errors are keyed by field (``day``, ``description``...). Written:
    the row and one audit row ``daily_activity_changed`` with the old and new values.
    """
    skp, activity, locked = _daily_activity_for_change(skp_id, actor, activity_id)
    rhk_ids = set(Rhk.objects.filter(skp=skp).values_list("pk", flat=True))
    line, fields = _daily_line(skp, entry, today_for(skp), rhk_ids, locked)
    if line:
        raise InvalidMonitoring(line)
    before = {name: _plain(getattr(activity, name)) for name in fields}
    for name, value in fields.items():
        setattr(activity, name, value)
    activity.save(update_fields=list(fields))
    after = {name: _plain(getattr(activity, name)) for name in fields}
    changed = {name: [before[name], after[name]] for name in fields if before[name] != after[name]}
    record(skp, actor, "daily_activity_changed", activity=activity.pk, changes=changed)
    return activity


@transaction.atomic
def delete_daily_activity(*, skp_id: int, actor: Any, activity_id: int) -> None:
    """Delete one daily activity as the SKP's employee (not one of a period already rated).

    Written: the row goes, and one audit row ``daily_activity_deleted`` keeps what it said.
    """
    skp, activity, _locked = _daily_activity_for_change(skp_id, actor, activity_id)
    record(
        skp,
        actor,
        "daily_activity_deleted",
        activity=activity.pk,
        **{
            name: _plain(getattr(activity, name))
            for name in ("day", "description", "quantity", "output_unit")
        },
    )
    activity.delete()


_DAY_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d")


def parse_daily_lines(text: str) -> tuple[list[DailyEntry], dict[str, list[str]]]:
    """Read pasted daily activities, one per line: ``DD/MM/YYYY; kegiatan; jumlah; satuan``.

    ``jumlah`` (default 1, a comma is a decimal point) and ``satuan`` are optional; columns
    pasted from a spreadsheet (tab-separated) work too; blank lines are skipped. Return the
    entries and the problems keyed ``lines.<line>`` (the line number from 1). Whether the
    days fit the SKP is checked by ``add_daily_activities``.
    """
    entries: list[DailyEntry] = []
    errors: dict[str, list[str]] = {}
    lines = (text or "").splitlines()
    if sum(1 for line in lines if line.strip()) > MAX_DAILY_ENTRIES:
        return [], {
            "lines": [
                _("Paling banyak %(count)d baris sekali tempel.") % {"count": MAX_DAILY_ENTRIES}
            ]
        }
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        separator = ";" if ";" in line or "\t" not in line else "\t"
        parts = [part.strip() for part in line.split(separator)]
        problems: list[str] = []
        if not 2 <= len(parts) <= 4:
            errors[f"lines.{number}"] = [
                _("Tulis satu kegiatan per baris: DD/MM/YYYY; kegiatan; jumlah; satuan.")
            ]
            continue
        day: datetime.date | None = None
        for pattern in _DAY_FORMATS:
            try:
                day = datetime.datetime.strptime(parts[0], pattern).date()  # noqa: DTZ007 - a day
                break
            except ValueError:
                continue
        if day is None:
            problems.append(
                _("Tanggal «%(text)s» tidak dikenali; tulis DD/MM/YYYY.") % {"text": parts[0]}
            )
        if not parts[1]:
            problems.append(_("Uraian kegiatan wajib diisi."))
        quantity = parts[2] if len(parts) > 2 and parts[2] else "1"
        amount_errors: dict[str, list[str]] = {}
        amount = _amount(quantity, "quantity", amount_errors, limit=_MAX_QUANTITY, positive=True)
        problems += [
            _("Jumlah: %(message)s") % {"message": message}
            for message in amount_errors.get("quantity", [])
        ]
        if problems:
            errors[f"lines.{number}"] = problems
            continue
        assert day is not None
        assert amount is not None
        entries.append(
            DailyEntry(
                day=day,
                description=parts[1],
                quantity=amount,
                output_unit=parts[3] if len(parts) > 3 else "",
            )
        )
    if not entries and not errors:
        errors["lines"] = [_("Isi paling sedikit satu kegiatan.")]
    return entries, errors


# Period reports and ratings --------------------------------------------------------------------


@transaction.atomic
def submit_period_report(
    *, skp_id: int, actor: Any, period_index: int, report: str
) -> PeriodEvaluation:
    """Submit (or correct) the employee's achievement report at the end of a period.

    Before: the SKP is monitored; the actor is its employee; the report has opened in the
    agency's zone (``period_report_lead_days`` before the period's last day); the appraiser
    has not rated the period yet. Written: the report on
    the period's evaluation, an audit row ``period_report_submitted``; the appraiser is
    notified after commit.
    """
    skp = lock_skp(skp_id)
    case = require_phase(skp, *MONITORING_PHASES)
    require_employee(actor, skp)
    errors: dict[str, list[str]] = {}
    lead = settings_for(skp.agency_id).period_report_lead_days
    period = _period(skp, period_index, errors, today=today_for(skp), report_lead=lead)
    text = _clean(report)
    if not text:
        errors["report"] = [_("Laporan capaian wajib diisi.")]
    if errors:
        raise InvalidMonitoring(errors)
    assert period is not None
    evaluation = PeriodEvaluation.objects.filter(skp=skp, period_index=period_index).first()
    if evaluation is not None and evaluation.predikat:
        raise StepNotAllowed(
            _("Laporan %(label)s sudah dinilai dan tidak dapat diubah.") % {"label": period.label}
        )
    resubmitted = evaluation is not None and evaluation.report_submitted_at is not None
    if evaluation is None:
        evaluation = PeriodEvaluation(skp=skp, period_index=period_index)
    evaluation.report, evaluation.report_submitted_at = text, timezone.now()
    evaluation.save()
    record(
        skp,
        actor,
        "period_report_submitted",
        period=period_index,
        resubmitted=resubmitted,
    )
    _notify(
        skp,
        case,
        [_appraiser_user_id(skp)],
        _("Laporan capaian %(label)s dari %(name)s")
        % {"label": period.label, "name": skp.employee.name},
        _("Laporan menunggu penilaian Anda."),
    )
    return evaluation


@transaction.atomic
def rate_period(
    *,
    skp_id: int,
    actor: Any,
    period_index: int,
    rating_hasil: str,
    rating_perilaku: str,
    note: str = "",
) -> PeriodEvaluation:
    """Rate a period's results and behaviour; the period predikat is computed from the two.

    Before: the SKP is monitored, self-assessed or under review, without an annual rating
    yet (until then a period may be rated again); the actor appraises it; the period has
    begun; where the agency requires period reports, the employee submitted this one.
    Written: the ratings and predikat (``rules.predikat_for``, never typed), an audit row
    ``period_rated`` with the previous predikat; the employee is notified after commit.
    """
    skp = lock_skp(skp_id)
    case = require_phase(skp, *RATING_PHASES)
    seat = _seat_of(require_appraiser(actor, skp))
    _require_annual_not_rated(skp)
    errors: dict[str, list[str]] = {}
    period = _period(skp, period_index, errors, today=today_for(skp))
    if rating_hasil not in rules.Rating.values:
        errors["rating_hasil"] = [_("Pilih rating hasil kerja.")]
    if rating_perilaku not in rules.Rating.values:
        errors["rating_perilaku"] = [_("Pilih rating perilaku kerja.")]
    if errors:
        raise InvalidMonitoring(errors)
    assert period is not None
    evaluation = PeriodEvaluation.objects.filter(skp=skp, period_index=period_index).first()
    if settings_for(skp.agency_id).period_report_required and (
        evaluation is None or evaluation.report_submitted_at is None
    ):
        raise StepNotAllowed(
            _("Pegawai belum menyerahkan laporan capaian %(label)s.") % {"label": period.label}
        )
    if evaluation is None:
        evaluation = PeriodEvaluation(skp=skp, period_index=period_index)
    previous = evaluation.predikat or None
    predikat = rules.predikat_for(rules.Rating(rating_hasil), rules.Rating(rating_perilaku))
    evaluation.rating_hasil, evaluation.rating_perilaku = rating_hasil, rating_perilaku
    evaluation.predikat, evaluation.note = predikat, _clean(note)
    evaluation.rated_by, evaluation.rated_at = actor, timezone.now()
    evaluation.save()
    record(
        skp,
        actor,
        "period_rated",
        capacity=seat.label,
        acting_for_id=seat.acting_for_id,
        period=period_index,
        rating_hasil=rating_hasil,
        rating_perilaku=rating_perilaku,
        predikat=str(predikat),
        previous=previous,
    )
    _notify(
        skp,
        case,
        [skp.employee.user_id],
        _("Hasil penilaian %(label)s: %(predikat)s")
        % {"label": period.label, "predikat": predikat.label},
        evaluation.note,
    )
    return evaluation


def _aspect_codes(raw: Any) -> dict[str, str]:
    """Return the agency's extra aspects as {code: name} (entries may be dicts or strings)."""
    aspects: dict[str, str] = {}
    for item in raw or []:
        if isinstance(item, dict) and item.get("code"):
            aspects[str(item["code"])] = str(item.get("name") or item["code"])
        elif isinstance(item, str) and item.strip():
            aspects[item.strip()] = item.strip()
    return aspects


@transaction.atomic
def rate_extra_aspect(
    *,
    skp_id: int,
    actor: Any,
    aspect: str,
    rating: str,
    period_index: int | None = None,
    note: str = "",
) -> ExtraAspectRating:
    """Rate an agency-defined extra aspect (for a period, or for the year when no period).

    Before: the SKP is monitored, self-assessed or under review; the actor appraises it;
    ``aspect`` is a code of ``SkpSettings.extra_aspects``; a period rating only until the
    annual rating exists. Written: the rating (one per aspect and period) and an audit row
    ``extra_aspect_rated``.
    """
    skp = lock_skp(skp_id)
    require_phase(skp, *RATING_PHASES)
    seat = _seat_of(require_appraiser(actor, skp))
    if period_index is not None:
        _require_annual_not_rated(skp)
    aspects = _aspect_codes(settings_for(skp.agency_id).extra_aspects)
    errors: dict[str, list[str]] = {}
    if not aspects:
        errors["aspect"] = [_("Instansi ini tidak memakai aspek penilaian tambahan.")]
    elif aspect not in aspects:
        errors["aspect"] = [
            _("Aspek tidak dikenal; aspek instansi ini: %(names)s.")
            % {"names": ", ".join(aspects.values())}
        ]
    if rating not in rules.Rating.values:
        errors["rating"] = [_("Pilih rating.")]
    _optional_period(skp, period_index, errors, today=today_for(skp))
    if errors:
        raise InvalidMonitoring(errors)
    row = ExtraAspectRating.objects.filter(
        skp=skp, aspect=aspect, period_index=period_index
    ).first()
    previous = row.rating if row is not None else None
    if row is None:
        row = ExtraAspectRating(skp=skp, aspect=aspect, period_index=period_index)
    row.rating, row.note = rating, _clean(note)
    row.rated_by, row.rated_at = actor, timezone.now()
    row.save()
    record(
        skp,
        actor,
        "extra_aspect_rated",
        capacity=seat.label,
        acting_for_id=seat.acting_for_id,
        aspect=aspect,
        rating=rating,
        period=period_index,
        previous=previous,
    )
    return row


# The end of monitoring --------------------------------------------------------------------------


@transaction.atomic
def finish_monitoring(*, skp_id: int, actor: Any, comment: str = "") -> Case:
    """Complete the employee's monitoring task; the engine runs the stage's guards.

    Before: the SKP stands in its monitoring stage and the actor holds that task (the
    employee). The engine refuses with GuardFailed while a realisation (or, where required,
    a period report or rating) is missing, and otherwise records the completion and moves
    the SKP on.
    """
    skp = lock_skp(skp_id)
    require_form(skp, "monitoring")
    require_employee(actor, skp)
    task = require_task(skp, actor)
    return engine.complete_task(
        task_id=task.pk, actor=actor, outcome="finished", comment=_clean(comment)
    )
