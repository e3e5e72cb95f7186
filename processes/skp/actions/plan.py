"""Plan drafted and agreed: RHK with cascading, indicators, rencana aksi, lampiran,
expectations, submission, approval, return, and revision after agreement.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from processes.organisation.selectors import appraiser_of
from processes.skp.access import role_day
from processes.skp.actions.common import (
    lock_skp,
    record,
    require_appraiser,
    require_employee,
    require_form,
    require_task,
)
from processes.skp.models import (
    ActionPlan,
    BehaviourExpectation,
    BerAkhlak,
    Indicator,
    IndicatorTemplate,
    Perspective,
    PlanAttachment,
    PlanVersion,
    Rhk,
    Skp,
    UnitGoal,
)
from processes.skp.process import periods_of
from processes.skp.rules import Aggregation, Aspect
from workflow import actions as engine
from workflow.errors import StepNotAllowed
from workflow.models import Case


class InvalidPlan(StepNotAllowed):
    """Plan input that does not validate; ``errors`` maps field names to messages."""

    code = "invalid_plan"

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(" ".join(m for messages in errors.values() for m in messages))
        self.errors = errors


def appraiser_skp(skp: Skp) -> Skp | None:
    """Return the SKP, in the same cycle, of the employee's appraiser today (or None)."""
    official = appraiser_of(skp.employee, role_day(skp)).official
    if official is None:
        return None
    return (
        Skp.objects.filter(cycle=skp.cycle, employee=official.employee)
        .order_by("-sequence")
        .first()
    )


def cascade_options(skp: Skp) -> list[Rhk]:
    """Return the RHK of the appraiser's agreed plan an RHK of ``skp`` may hang under."""
    parent_skp = appraiser_skp(skp)
    if parent_skp is None or not parent_skp.plan_versions.exists():
        return []
    return list(Rhk.objects.filter(skp=parent_skp).order_by("kind", "order", "pk"))


def _lineage(skp: Skp) -> list[int]:
    """Return the ids of the SKP's unit and its ancestors, root first (its materialised path)."""
    return [int(part) for part in skp.unit.path.strip("/").split("/") if part] or [skp.unit_id]


def goal_options(skp: Skp) -> list[UnitGoal]:
    """Return the unit goals a JPT RHK may hang under: its unit's and its ancestors'."""
    return list(
        UnitGoal.objects.filter(unit_id__in=_lineage(skp), year=skp.cycle.year).order_by(
            "unit__path", "code"
        )
    )


def _library(skp: Skp, lineage: list[int]) -> QuerySet[IndicatorTemplate]:
    return IndicatorTemplate.objects.filter(agency_id=skp.agency_id).filter(
        Q(unit_id__in=lineage) | Q(unit__isnull=True)
    )


def library_options(skp: Skp) -> list[IndicatorTemplate]:
    """Return the agency's library entries a plan of ``skp`` may use (one query).

    The entries of the SKP's unit and of every unit above it (a Bidang's staff see their
    Dinas's entries), the nearest unit first, then the agency-wide ones; by code within
    each. The plan page offers them and ``save_indicator`` accepts only them.
    """
    lineage = _lineage(skp)
    nearness = {unit_id: -depth for depth, unit_id in enumerate(lineage)}

    def order(template: IndicatorTemplate) -> tuple[bool, int, str, int]:
        unit_id = template.unit_id
        rank = 0 if unit_id is None else nearness.get(unit_id, 0)
        return (unit_id is None, rank, template.code, template.pk)

    return sorted(_library(skp, lineage), key=order)


def _editable_plan(skp_id: int, actor: Any) -> Skp:
    skp = lock_skp(skp_id)
    require_form(skp, "plan")
    require_employee(actor, skp)
    return skp


def _validate_link(
    skp: Skp, parent_id: int | None, unit_goal_id: int | None, perspective: str
) -> tuple[Rhk | None, UnitGoal | None]:
    errors: dict[str, list[str]] = {}
    parent: Rhk | None = None
    goal: UnitGoal | None = None
    if skp.is_jpt:
        if perspective not in Perspective.values:
            errors["perspective"] = [_("Pilih salah satu dari empat perspektif.")]
        allowed_goals = {g.pk: g for g in goal_options(skp)}
        if unit_goal_id is None or unit_goal_id not in allowed_goals:
            errors["unit_goal"] = [_("Pilih sasaran unit tempat RHK ini bergantung.")]
        else:
            goal = allowed_goals[unit_goal_id]
        if parent_id is not None:
            errors["parent"] = [_("Rencana JPT bergantung pada sasaran unit, bukan RHK atasan.")]
    else:
        # Intervensi: each RHK hangs under exactly one RHK of the appraiser's agreed plan
        # (PermenPANRB 6/2022, matriks peran hasil); the appraiser's plan must exist first.
        options = {rhk.pk: rhk for rhk in cascade_options(skp)}
        if not options:
            errors["parent"] = [
                _("Rencana pejabat penilai belum disetujui; RHK belum dapat dihubungkan.")
            ]
        elif parent_id is None or parent_id not in options:
            errors["parent"] = [_("Pilih satu RHK pejabat penilai yang diintervensi.")]
        else:
            parent = options[parent_id]
        if perspective:
            errors["perspective"] = [_("Perspektif hanya untuk rencana JPT.")]
    if errors:
        raise InvalidPlan(errors)
    return parent, goal


@transaction.atomic
def save_rhk(
    *,
    skp_id: int,
    actor: Any,
    text: str,
    kind: str = Rhk.Kind.UTAMA,
    parent_id: int | None = None,
    unit_goal_id: int | None = None,
    perspective: str = "",
    rhk_id: int | None = None,
) -> Rhk:
    """Add or change an RHK while the employee drafts the plan.

    Non-JPT RHK link to exactly one RHK of the appraiser's agreed plan; JPT RHK to a unit
    goal under one of the four perspectives. Raise InvalidPlan with per-field messages.
    """
    skp = _editable_plan(skp_id, actor)
    clean_text = (text or "").strip()
    errors: dict[str, list[str]] = {}
    if not clean_text:
        errors["text"] = [_("Uraian RHK wajib diisi.")]
    if kind not in Rhk.Kind.values:
        errors["kind"] = [_("Jenis RHK harus Utama atau Tambahan.")]
    if errors:
        raise InvalidPlan(errors)
    parent, goal = _validate_link(skp, parent_id, unit_goal_id, perspective)
    if rhk_id is None:
        order = (Rhk.objects.filter(skp=skp, kind=kind).aggregate(m=Max("order"))["m"] or 0) + 1
        rhk = Rhk(skp=skp, order=order)
    else:
        found = Rhk.objects.filter(skp=skp, pk=rhk_id).first()
        if found is None:
            raise StepNotAllowed(_("RHK tidak ditemukan."))
        rhk = found
    rhk.kind, rhk.text, rhk.parent, rhk.unit_goal = kind, clean_text, parent, goal
    rhk.perspective = perspective if skp.is_jpt else ""
    rhk.save()
    record(skp, actor, "rhk_saved", rhk=rhk.pk, kind=kind, parent=rhk.parent_id)
    return rhk


@transaction.atomic
def delete_rhk(*, skp_id: int, actor: Any, rhk_id: int) -> None:
    """Remove an RHK (with its indicators and rencana aksi) while drafting."""
    skp = _editable_plan(skp_id, actor)
    rhk = Rhk.objects.filter(skp=skp, pk=rhk_id).first()
    if rhk is None:
        raise StepNotAllowed(_("RHK tidak ditemukan."))
    if rhk.children.exists():
        raise StepNotAllowed(
            _("RHK ini sudah diintervensi oleh RHK bawahan; ubah RHK bawahan terlebih dahulu.")
        )
    record(skp, actor, "rhk_deleted", rhk=rhk.pk, text=rhk.text)
    rhk.delete()


def _decimal(value: Any, field: str, errors: dict[str, list[str]]) -> Decimal | None:
    try:
        number = Decimal(str(value).replace(",", ".").strip())
    except (InvalidOperation, ValueError):
        errors[field] = [_("Isi dengan angka.")]
        return None
    if not number.is_finite() or number < 0:
        errors[field] = [_("Isi dengan angka 0 atau lebih.")]
        return None
    return number


@transaction.atomic
def save_indicator(
    *,
    skp_id: int,
    actor: Any,
    rhk_id: int,
    text: str,
    aspect: str,
    target_value: Any,
    target_unit: str,
    indicator_id: int | None = None,
    template_id: int | None = None,
    aggregation: str | None = None,
) -> Indicator:
    """Add or change an indicator with its aspect, target value and unit while drafting.

    ``aggregation`` (sum, average, last; empty: from the aspect and the unit) says how the
    periods' realisations make up the year; None takes the library entry's, if any.
    """
    skp = _editable_plan(skp_id, actor)
    rhk = Rhk.objects.filter(skp=skp, pk=rhk_id).first()
    if rhk is None:
        raise StepNotAllowed(_("RHK tidak ditemukan."))
    template = None
    if template_id is not None:
        template = _library(skp, _lineage(skp)).filter(pk=template_id).first()
        if template is None:
            raise InvalidPlan({"template": [_("Indikator pustaka tidak ditemukan.")]})
    errors: dict[str, list[str]] = {}
    clean_text = (text or (template.text if template else "")).strip()
    if not clean_text:
        errors["text"] = [_("Uraian indikator wajib diisi.")]
    if aspect not in Aspect.values:
        errors["aspect"] = [_("Pilih aspek: kuantitas, kualitas, waktu atau biaya.")]
    if aggregation is None:
        aggregation = template.aggregation if template else ""
    if aggregation and aggregation not in Aggregation.values:
        errors["aggregation"] = [_("Cara menghitung capaian tahunan tidak dikenal.")]
    value = _decimal(target_value, "target_value", errors)
    clean_unit = (target_unit or "").strip()
    if not clean_unit:
        errors["target_unit"] = [_("Satuan target wajib diisi.")]
    if errors:
        raise InvalidPlan(errors)
    assert value is not None
    if indicator_id is None:
        order = (rhk.indicators.aggregate(m=Max("order"))["m"] or 0) + 1
        indicator = Indicator(rhk=rhk, order=order)
    else:
        found = Indicator.objects.filter(rhk__skp=skp, pk=indicator_id).first()
        if found is None:
            raise StepNotAllowed(_("Indikator tidak ditemukan."))
        indicator = found
    indicator.rhk, indicator.text, indicator.aspect = rhk, clean_text, aspect
    indicator.target_value, indicator.target_unit = value, clean_unit
    indicator.aggregation = aggregation
    indicator.template = template
    indicator.source = template.source if template else IndicatorTemplate.Source.MANUAL
    indicator.save()
    record(skp, actor, "indicator_saved", indicator=indicator.pk, target=str(value))
    return indicator


@transaction.atomic
def delete_indicator(*, skp_id: int, actor: Any, indicator_id: int) -> None:
    """Remove an indicator while drafting."""
    skp = _editable_plan(skp_id, actor)
    indicator = Indicator.objects.filter(rhk__skp=skp, pk=indicator_id).first()
    if indicator is None:
        raise StepNotAllowed(_("Indikator tidak ditemukan."))
    record(skp, actor, "indicator_deleted", indicator=indicator.pk, text=indicator.text)
    indicator.delete()


@transaction.atomic
def save_action_plan(
    *,
    skp_id: int,
    actor: Any,
    rhk_id: int,
    period_index: int,
    text: str,
    target: str = "",
    action_plan_id: int | None = None,
) -> ActionPlan:
    """Add or change a rencana aksi of an RHK for one period while drafting."""
    skp = _editable_plan(skp_id, actor)
    rhk = Rhk.objects.filter(skp=skp, pk=rhk_id).first()
    if rhk is None:
        raise StepNotAllowed(_("RHK tidak ditemukan."))
    errors: dict[str, list[str]] = {}
    if period_index not in {period.index for period in periods_of(skp)}:
        errors["period_index"] = [_("Periode tidak termasuk masa SKP ini.")]
    if not (text or "").strip():
        errors["text"] = [_("Uraian rencana aksi wajib diisi.")]
    if errors:
        raise InvalidPlan(errors)
    if action_plan_id is None:
        plan = ActionPlan(rhk=rhk)
    else:
        found = ActionPlan.objects.filter(rhk__skp=skp, pk=action_plan_id).first()
        if found is None:
            raise StepNotAllowed(_("Rencana aksi tidak ditemukan."))
        plan = found
    plan.rhk, plan.period_index = rhk, period_index
    plan.text, plan.target = text.strip(), (target or "").strip()
    plan.save()
    record(skp, actor, "action_plan_saved", action_plan=plan.pk, period=period_index)
    return plan


@transaction.atomic
def delete_action_plan(*, skp_id: int, actor: Any, action_plan_id: int) -> None:
    """Remove a rencana aksi while drafting."""
    skp = _editable_plan(skp_id, actor)
    plan = ActionPlan.objects.filter(rhk__skp=skp, pk=action_plan_id).first()
    if plan is None:
        raise StepNotAllowed(_("Rencana aksi tidak ditemukan."))
    record(skp, actor, "action_plan_deleted", action_plan=plan.pk)
    plan.delete()


@transaction.atomic
def save_attachment(
    *, skp_id: int, actor: Any, resources: str, accountability: str, consequences: str
) -> PlanAttachment:
    """Write the plan's lampiran while drafting."""
    skp = _editable_plan(skp_id, actor)
    attachment, _created = PlanAttachment.objects.get_or_create(skp=skp)
    attachment.resources = (resources or "").strip()
    attachment.accountability = (accountability or "").strip()
    attachment.consequences = (consequences or "").strip()
    attachment.save()
    record(skp, actor, "attachment_saved")
    return attachment


@transaction.atomic
def save_expectations(*, skp_id: int, actor: Any, expectations: dict[str, str]) -> int:
    """Write the appraiser's ekspektasi khusus per BerAKHLAK value (while plan is open).

    Return how many values changed. Raise InvalidPlan for unknown values.
    """
    skp = lock_skp(skp_id)
    require_form(skp, "plan", "plan_approval")
    access = require_appraiser(actor, skp)
    unknown = sorted(set(expectations) - set(BerAkhlak.values))
    if unknown:
        raise InvalidPlan({"expectations": [_("Nilai tidak dikenal: %s") % ", ".join(unknown)]})
    changed = 0
    for value, text in expectations.items():
        clean = (text or "").strip()
        row = BehaviourExpectation.objects.filter(skp=skp, value=value).first()
        if row is None and clean:
            BehaviourExpectation.objects.create(skp=skp, value=value, text=clean, written_by=actor)
            changed += 1
        elif row is not None and row.text != clean:
            if clean:
                row.text, row.written_by = clean, actor
                row.save(update_fields=["text", "written_by"])
            else:
                row.delete()
            changed += 1
    if changed:
        assert access.appraiser is not None
        record(
            skp,
            actor,
            "expectations_saved",
            capacity=access.appraiser.label,
            acting_for_id=access.appraiser.acting_for_id,
            values=sorted(expectations),
        )
    return changed


def plan_snapshot(skp: Skp) -> dict[str, Any]:
    """Return the working plan as JSON (frozen into a PlanVersion on agreement)."""
    rhks = []
    for rhk in (
        Rhk.objects.filter(skp=skp)
        .prefetch_related("indicators", "action_plans")
        .order_by("kind", "order", "pk")
    ):
        rhks.append(
            {
                "id": rhk.pk,
                "kind": rhk.kind,
                "text": rhk.text,
                "parent": rhk.parent_id,
                "unit_goal": rhk.unit_goal_id,
                "perspective": rhk.perspective,
                "indicators": [
                    {
                        "id": indicator.pk,
                        "text": indicator.text,
                        "aspect": indicator.aspect,
                        "target_value": str(indicator.target_value),
                        "target_unit": indicator.target_unit,
                        "aggregation": indicator.aggregation_rule.value,
                    }
                    for indicator in rhk.indicators.all()
                ],
                "action_plans": [
                    {"period": plan.period_index, "text": plan.text, "target": plan.target}
                    for plan in rhk.action_plans.all()
                ],
            }
        )
    attachment = PlanAttachment.objects.filter(skp=skp).first()
    return {
        "rhks": rhks,
        "expectations": dict(skp.expectations.values_list("value", "text")),
        "attachment": {
            "resources": attachment.resources if attachment else "",
            "accountability": attachment.accountability if attachment else "",
            "consequences": attachment.consequences if attachment else "",
        },
    }


@transaction.atomic
def submit_plan(*, skp_id: int, actor: Any, comment: str = "") -> Case:
    """Submit the drafted plan to the appraiser (the engine checks it is complete)."""
    skp = lock_skp(skp_id)
    require_form(skp, "plan")
    require_employee(actor, skp)
    task = require_task(skp, actor)
    return engine.complete_task(
        task_id=task.pk, actor=actor, outcome="submitted", comment=comment.strip()
    )


@transaction.atomic
def approve_plan(*, skp_id: int, actor: Any, comment: str = "") -> PlanVersion:
    """Agree the plan (penetapan SKP) as its appraiser: it is frozen as a new plan version."""
    skp = lock_skp(skp_id)
    require_form(skp, "plan_approval")
    task = require_task(skp, actor)
    number = (skp.plan_versions.aggregate(m=Max("number"))["m"] or 0) + 1
    engine.complete_task(task_id=task.pk, actor=actor, outcome="approved", comment=comment.strip())
    version = PlanVersion.objects.create(
        skp=skp,
        number=number,
        reason=skp.revision_reason,
        snapshot=plan_snapshot(skp),
        agreed_at=timezone.now(),
        agreed_by=actor,
    )
    if skp.revision_reason:
        skp.revision_reason = ""
        skp.save(update_fields=["revision_reason"])
    record(skp, actor, "plan_agreed", version=number)
    return version


def _plan_stage_key(case: Case) -> str:
    spec = case.current_stage()
    for key in spec.return_to:
        if case.template_version.stage(key).form == "plan":
            return key
    raise StepNotAllowed(_("Templat tidak mengizinkan pengembalian ke penyusunan rencana."))


@transaction.atomic
def return_plan(*, skp_id: int, actor: Any, reason: str) -> Case:
    """Send the submitted plan back to the employee with a written reason."""
    skp = lock_skp(skp_id)
    case = require_form(skp, "plan_approval")
    task = require_task(skp, actor)
    return engine.return_case(
        task_id=task.pk, actor=actor, to_stage=_plan_stage_key(case), reason=reason
    )


@transaction.atomic
def request_plan_revision(*, skp_id: int, actor: Any, reason: str) -> Case:
    """Reopen an agreed plan for revision during monitoring (a reason is required).

    The plan goes back to drafting; its next agreement becomes a new plan version carrying
    this reason, and the earlier versions stay as history.
    """
    skp = lock_skp(skp_id)
    case = require_form(skp, "monitoring")
    require_employee(actor, skp)
    task = require_task(skp, actor)
    text = (reason or "").strip()
    result = engine.return_case(
        task_id=task.pk, actor=actor, to_stage=_plan_stage_key(case), reason=text
    )
    skp.revision_reason = text
    skp.save(update_fields=["revision_reason"])
    return result
