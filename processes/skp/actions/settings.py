"""An agency's SKP settings: the choices the rules leave open (DOMAIN.md, "configurable").

One action writes them, ``save_skp_settings``; it validates the whole row the way the model
does (``full_clean``) plus the rules that span fields, and records what changed, old and new
value, on the agency's settings chain of the audit log.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from processes.organisation.access import require_admin
from processes.organisation.models import Agency, FunctionalLevel
from processes.skp import rules
from processes.skp.actions.monitoring import BLOCKED_EXTENSIONS
from processes.skp.models import SkpSettings
from workflow import audit
from workflow.errors import StepNotAllowed
from workflow.models import AuditCode

# The fields HR may change through ``save_skp_settings``.
EDITABLE_FIELDS: tuple[str, ...] = (
    "period_type",
    "sla_working_days",
    "rating_method",
    "above_from_percent",
    "below_under_percent",
    "curve_mode",
    "curve_rounding",
    "curve_population",
    "unit_head_follows_unit",
    "objection_days",
    "objection_working_days",
    "below_expectation_follow_up",
    "period_report_required",
    "period_report_lead_days",
    "daily_activities_enabled",
    "attendance_enabled",
    "citizen_feedback_enabled",
    "employee_enters_realisation",
    "evidence_max_mb",
    "evidence_extensions",
    "extra_aspects",
    "credit_coefficients",
)
# A yearly credit-point coefficient: positive, at most 1000, three decimals at most.
_MAX_COEFFICIENT = Decimal(1000)

_ASPECT_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_EXTENSION = re.compile(r"^[a-z0-9]{1,10}$")


class InvalidSettings(StepNotAllowed):
    """Settings that do not validate; ``errors`` maps field names to messages."""

    code = "invalid_settings"

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(" ".join(m for messages in errors.values() for m in messages))
        self.errors = errors


def plain_number(value: Any) -> Any:
    """Return ``value`` as the audit payload stores it and people write it: a decimal as
    text without trailing zeros ("110", "12.5"), anything else as is."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return value


def _check_extra_aspects(value: Any) -> list[str]:
    if not isinstance(value, list):
        return [_("Aspek tambahan harus berupa daftar.")]
    problems: list[str] = []
    codes: set[str] = set()
    for item in value:
        code = item.get("code", "") if isinstance(item, dict) else ""
        name = item.get("name", "") if isinstance(item, dict) else ""
        if not isinstance(code, str) or not _ASPECT_CODE.match(code):
            problems.append(
                _(
                    "Kode aspek «%(code)s» tidak sah: huruf kecil, angka dan garis bawah, "
                    "diawali huruf."
                )
                % {"code": code}
            )
        elif code in codes:
            problems.append(_("Kode aspek «%(code)s» dipakai dua kali.") % {"code": code})
        if not isinstance(name, str) or not name.strip():
            problems.append(_("Aspek «%(code)s» belum punya nama.") % {"code": code})
        codes.add(str(code))
    return problems


def coefficient_overrides(value: Any) -> dict[str, str]:
    """Return ``{level: "12.5"}`` for the levels whose coefficient differs from the national.

    ``value`` maps functional levels to numbers (decimals or text); a level given with the
    national coefficient is left out, so the agency follows the national table there if it
    ever changes. Raise ValueError with a sentence naming the level for a bad entry.
    """
    if not isinstance(value, dict):
        raise ValueError(_("Koefisien angka kredit harus berupa tabel per jenjang."))
    overrides: dict[str, str] = {}
    for level, raw in value.items():
        if level not in rules.DEFAULT_LEVEL_COEFFICIENTS:
            raise ValueError(_("Jenjang «%(level)s» tidak dikenal.") % {"level": level})
        try:
            amount = Decimal(str(raw).strip().replace(",", "."))
        except InvalidOperation as error:
            raise ValueError(
                _("Koefisien jenjang %(level)s bukan angka.") % {"level": _level_label(level)}
            ) from error
        if not amount.is_finite() or not Decimal(0) < amount <= _MAX_COEFFICIENT:
            raise ValueError(
                _("Koefisien jenjang %(level)s harus lebih dari 0 dan paling besar 1000.")
                % {"level": _level_label(level)}
            )
        if amount != amount.quantize(Decimal("0.001")):
            raise ValueError(
                _("Koefisien jenjang %(level)s paling banyak tiga angka di belakang koma.")
                % {"level": _level_label(level)}
            )
        if amount != rules.DEFAULT_LEVEL_COEFFICIENTS[level]:
            overrides[str(level)] = format(amount.normalize(), "f")
    return dict(sorted(overrides.items()))


def _level_label(level: str) -> str:
    return str(FunctionalLevel(level).label)


def _check_extensions(value: str) -> list[str]:
    """Return what is wrong with the comma-separated extensions, one sentence per problem.

    Besides malformed names, the extensions an evidence upload always refuses (programs,
    scripts, web pages and SVG: ``BLOCKED_EXTENSIONS``) may not be allowed here either, so
    the page never offers a type the upload would refuse.
    """
    parts = [part.strip().lower().lstrip(".") for part in value.split(",") if part.strip()]
    if not parts:
        return [_("Isi paling sedikit satu jenis berkas.")]
    problems: list[str] = []
    wrong = [part for part in parts if not _EXTENSION.match(part)]
    if wrong:
        problems.append(_("Jenis berkas tidak sah: %(wrong)s.") % {"wrong": ", ".join(wrong)})
    refused = list(dict.fromkeys(part for part in parts if part in BLOCKED_EXTENSIONS))
    if refused:
        problems.append(
            _(
                "Jenis berkas ini dapat berisi program atau skrip dan tidak boleh diizinkan: "
                "%(refused)s."
            )
            % {"refused": ", ".join(refused)}
        )
    return problems


def _percent(value: Any) -> str:
    """Return a percentage as the active language writes it: 105,5 (Indonesian), 105.5."""
    return number_format(Decimal(value).normalize())


def _validate(settings: SkpSettings, changed: Collection[str] = ()) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    try:
        settings.full_clean(exclude=["agency"])
    except ValidationError as error:
        errors = {field: list(messages) for field, messages in error.message_dict.items()}
    if "extra_aspects" not in errors:
        problems = _check_extra_aspects(settings.extra_aspects)
        if problems:
            errors["extra_aspects"] = problems
    if "evidence_extensions" not in errors:
        problems = _check_extensions(settings.evidence_extensions)
        if problems:
            errors["evidence_extensions"] = problems
    # Whatever the rating method: the thresholds also suggest ratings on the monitoring
    # page, and a method changed later must not start from unordered thresholds.
    if (
        "above_from_percent" not in errors
        and "below_under_percent" not in errors
        and Decimal(settings.above_from_percent) <= Decimal(settings.below_under_percent)
    ):
        # The error goes next to the threshold HR just changed (the upper one if both).
        field = (
            "below_under_percent"
            if "below_under_percent" in changed and "above_from_percent" not in changed
            else "above_from_percent"
        )
        errors[field] = [
            _(
                "Capaian minimal Di Atas Ekspektasi (%(above)s%%) harus lebih besar dari "
                "batas Di Bawah Ekspektasi (%(below)s%%)."
            )
            % {
                "above": _percent(settings.above_from_percent),
                "below": _percent(settings.below_under_percent),
            }
        ]
    return errors


@transaction.atomic
def save_skp_settings(*, actor: Any, agency: Agency, **fields: Any) -> SkpSettings:
    """Save the agency's SKP settings; record each changed field's old and new value.

    Only the fields named in ``EDITABLE_FIELDS`` may be given (others raise TypeError); those
    left out keep their value. Raise ActionForbidden unless ``actor`` administers the agency,
    and InvalidSettings, writing nothing, when a value does not validate. When nothing
    changed nothing is written, not even an audit row.
    """
    unknown = sorted(set(fields) - set(EDITABLE_FIELDS))
    if unknown:
        raise TypeError(f"save_skp_settings() got unexpected fields: {', '.join(unknown)}")
    require_admin(actor, agency.pk)
    queryset = SkpSettings.objects.filter(agency=agency)
    if connection.features.has_select_for_update:
        queryset = queryset.select_for_update()
    settings = queryset.first() or SkpSettings(agency=agency)
    if "credit_coefficients" in fields:
        try:
            fields["credit_coefficients"] = coefficient_overrides(fields["credit_coefficients"])
        except ValueError as error:
            raise InvalidSettings({"credit_coefficients": [str(error)]}) from error
    if fields.get("evidence_extensions") is not None:
        fields["evidence_extensions"] = ",".join(
            part.strip().lower().lstrip(".")
            for part in str(fields["evidence_extensions"]).split(",")
            if part.strip()
        )
    # A first save compares with the defaults, which the agency has been using so far.
    changed: dict[str, list[Any]] = {}
    for name, value in fields.items():
        old = plain_number(getattr(settings, name))
        setattr(settings, name, value)
        if old != plain_number(value):
            changed[name] = [old, plain_number(value)]
    errors = _validate(settings, changed)
    if errors:
        raise InvalidSettings(errors)
    if not changed:
        return settings
    if settings._state.adding:
        settings.save()
    else:
        settings.save(update_fields=sorted(changed))
    audit.record(
        code=AuditCode.PROCESS_EVENT,
        tenant_id=agency.pk,
        chain=f"settings:{agency.pk}",
        actor_id=getattr(actor, "pk", None),
        payload={"event": "skp_settings_saved", "changed": changed},
    )
    return settings
