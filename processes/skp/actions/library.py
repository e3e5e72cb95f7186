"""An agency's SKP library: indicator templates, unit goals and public services.

These are the agency's own data that plans draw on: the *pustaka indikator* offered when
an employee drafts an indicator (per unit or agency-wide, each with where its realisation
comes from), the units' *sasaran strategis* per year that JPT plans hang under, and the
*layanan publik* citizens rate on a public page.

Each action upserts one row by its natural key, in one transaction, after checking inside
itself that the actor administers the agency; when something changed it records one audit
row on the agency's library chain (``library:<agency id>``) with the old and new values.
When nothing changed nothing is written, not even an audit row, so loading a configuration
twice writes nothing the second time. Each returns ``(row, changed)``.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from processes.organisation.access import require_admin
from processes.organisation.models import Agency, Unit
from processes.skp.models import IndicatorTemplate, Perspective, PublicService, UnitGoal
from processes.skp.rules import Aggregation, Aspect
from workflow import audit
from workflow.errors import StepNotAllowed
from workflow.models import AuditCode

ModelT = TypeVar("ModelT", bound=Model)

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_CENT = Decimal("0.01")


class InvalidLibraryEntry(StepNotAllowed):
    """Library input that does not validate; ``errors`` maps field names to messages."""

    code = "invalid_library_entry"

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(" ".join(m for messages in errors.values() for m in messages))
        self.errors = errors


def _locked(queryset: QuerySet[ModelT]) -> QuerySet[ModelT]:
    """Return ``queryset`` locking its own rows (default orderings join other tables)."""
    queryset = queryset.order_by("pk")
    if connection.features.has_select_for_update:
        return queryset.select_for_update(of=("self",))
    return queryset


def _comparable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, Model):
        return value.pk
    return value


def _apply(row: Model, values: dict[str, Any]) -> dict[str, list[Any]]:
    """Set ``values`` on ``row``; return {field: [old, new]} for those that changed."""
    changed: dict[str, list[Any]] = {}
    adding = row._state.adding
    for name, value in values.items():
        old = None if adding else _comparable(getattr(row, name))
        new = _comparable(value)
        setattr(row, name, value)
        if adding or old != new:
            changed[name] = [old, new]
    return changed


def _validate(row: Model, errors: dict[str, list[str]], exclude: list[str]) -> None:
    """Add the model's own validation errors, except for fields already given a message."""
    try:
        row.full_clean(
            exclude=[*exclude, *errors], validate_unique=False, validate_constraints=False
        )
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(str(message) for message in messages)


def _record(agency: Agency, actor: Any, event: str, **payload: Any) -> None:
    audit.record(
        code=AuditCode.PROCESS_EVENT,
        tenant_id=agency.pk,
        chain=f"library:{agency.pk}",
        actor_id=getattr(actor, "pk", None),
        payload={"event": event, **payload},
    )


def _unit_of(agency: Agency, unit: Unit | None, errors: dict[str, list[str]]) -> None:
    if unit is not None and unit.agency_id != agency.pk:
        errors["unit"] = [_("Unit dari instansi lain tidak dapat dipakai di sini.")]


def _amount(value: Any, errors: dict[str, list[str]]) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        errors["default_target"] = [_("Target bawaan harus berupa angka.")]
        return None
    if not number.is_finite() or number < 0 or number != number.quantize(_CENT):
        errors["default_target"] = [_("Isi target bawaan dengan angka 0 atau lebih, dua desimal.")]
        return None
    return number


@transaction.atomic
def save_indicator_template(
    *,
    actor: Any,
    agency: Agency,
    code: str,
    text: str,
    aspect: str,
    target_unit: str,
    unit: Unit | None = None,
    default_target: Any = None,
    source: str = IndicatorTemplate.Source.MANUAL,
    aggregation: str = "",
) -> tuple[IndicatorTemplate, bool]:
    """Add or change the library indicator ``code`` of the agency (for ``unit`` or all units).

    Before: the actor administers the agency; ``unit`` (None: agency-wide) belongs to it;
    ``aspect`` is kuantitas/kualitas/waktu/biaya; ``source`` is manual, citizen_feedback or
    attendance; ``aggregation`` (how the periods make up the year) is sum, average, last or
    empty (``rules.aggregation_for`` decides from the aspect and the unit). Written: the row
    and an audit row ``indicator_template_saved`` when anything changed. Raise
    ActionForbidden or InvalidLibraryEntry (nothing written).
    """
    require_admin(actor, agency.pk)
    clean_code = (code or "").strip()
    errors: dict[str, list[str]] = {}
    if not clean_code:
        errors["code"] = [_("Kode indikator wajib diisi.")]
    _unit_of(agency, unit, errors)
    if aspect not in Aspect.values:
        errors["aspect"] = [_("Pilih aspek: kuantitas, kualitas, waktu atau biaya.")]
    if source not in IndicatorTemplate.Source.values:
        errors["source"] = [_("Sumber realisasi tidak dikenal.")]
    if aggregation and aggregation not in Aggregation.values:
        errors["aggregation"] = [_("Cara menghitung capaian tahunan tidak dikenal.")]
    target = _amount(default_target, errors)
    row = _locked(IndicatorTemplate.objects.filter(agency=agency, code=clean_code)).first()
    row = row or IndicatorTemplate(agency=agency, code=clean_code)
    changed = _apply(
        row,
        {
            "unit": unit,
            "text": (text or "").strip(),
            "aspect": aspect,
            "target_unit": (target_unit or "").strip(),
            "default_target": target,
            "source": source,
            "aggregation": aggregation,
        },
    )
    _validate(row, errors, exclude=["agency", "unit"])
    if errors:
        raise InvalidLibraryEntry(errors)
    if not changed:
        return row, False
    row.save()
    _record(agency, actor, "indicator_template_saved", template=row.pk, code=row.code, **changed)
    return row, True


@transaction.atomic
def save_unit_goal(
    *,
    actor: Any,
    agency: Agency,
    unit: Unit,
    year: int,
    code: str,
    text: str,
    perspective: str = "",
) -> tuple[UnitGoal, bool]:
    """Add or change a unit's strategic goal ``code`` for ``year`` (sasaran strategis).

    Before: the actor administers the agency and ``unit`` belongs to it; ``perspective`` is
    empty or one of the four JPT perspectives. Written: the row and an audit row
    ``unit_goal_saved`` when anything changed. Raise ActionForbidden or InvalidLibraryEntry.
    """
    require_admin(actor, agency.pk)
    clean_code = (code or "").strip()
    errors: dict[str, list[str]] = {}
    if not clean_code:
        errors["code"] = [_("Kode sasaran wajib diisi.")]
    _unit_of(agency, unit, errors)
    if perspective and perspective not in Perspective.values:
        errors["perspective"] = [_("Perspektif tidak dikenal.")]
    if not 2000 <= int(year) <= 2100:
        errors["year"] = [_("Tahun sasaran tidak valid.")]
    row = _locked(UnitGoal.objects.filter(unit=unit, year=year, code=clean_code)).first()
    row = row or UnitGoal(agency=agency, unit=unit, year=year, code=clean_code)
    changed = _apply(row, {"text": (text or "").strip(), "perspective": perspective})
    _validate(row, errors, exclude=["agency", "unit"])
    if errors:
        raise InvalidLibraryEntry(errors)
    if not changed:
        return row, False
    row.save()
    _record(agency, actor, "unit_goal_saved", goal=row.pk, unit=unit.pk, year=year, code=clean_code)
    return row, True


@transaction.atomic
def save_public_service(
    *,
    actor: Any,
    agency: Agency,
    unit: Unit,
    slug: str,
    name: str,
    is_active: bool = True,
) -> tuple[PublicService, bool]:
    """Add or change the public service at ``/layanan/<slug>/`` that citizens rate.

    Before: the actor administers the agency and ``unit`` belongs to it; ``slug`` is
    lowercase words joined by hyphens and not used by another agency's service (addresses
    are global). Written: the row and an audit row ``public_service_saved`` when anything
    changed. Raise ActionForbidden or InvalidLibraryEntry.
    """
    require_admin(actor, agency.pk)
    clean_slug = (slug or "").strip().lower()
    errors: dict[str, list[str]] = {}
    if not _SLUG.match(clean_slug):
        errors["slug"] = [
            _("Alamat layanan hanya boleh berisi huruf kecil, angka dan tanda hubung.")
        ]
    _unit_of(agency, unit, errors)
    row = _locked(PublicService.objects.filter(slug=clean_slug)).first()
    if row is not None and row.agency_id != agency.pk:
        errors["slug"] = [_("Alamat layanan %(slug)s sudah dipakai.") % {"slug": clean_slug}]
    row = row or PublicService(agency=agency, slug=clean_slug)
    changed = _apply(row, {"unit": unit, "name": (name or "").strip(), "is_active": is_active})
    _validate(row, errors, exclude=["agency", "unit"])
    if errors:
        raise InvalidLibraryEntry(errors)
    if not changed:
        return row, False
    row.save()
    _record(agency, actor, "public_service_saved", service=row.pk, slug=clean_slug, **changed)
    return row, True
