"""Cycles: create one, open it (enrol every eligible employee in batches), close it.

Opening is idempotent: an employee who already has an SKP in the cycle is skipped, and
the unique constraint on (cycle, employee, sequence) backs that up, so opening twice, or a
job re-run after a crash, never creates anything twice. Each batch commits on its own, so
a worker killed mid-job leaves whole SKPs only.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from processes.organisation.access import require_admin
from processes.organisation.models import Agency, Employee, PositionHolding, Unit, User
from processes.organisation.selectors import active_employees, covering, holding_on
from processes.skp import rules
from processes.skp.models import Cycle, Skp
from processes.skp.process import KIND
from workflow import actions as engine
from workflow import audit
from workflow.calendar import local_date
from workflow.errors import StepNotAllowed
from workflow.models import AuditCode, WorkflowTemplate

BATCH_SIZE = 100


class InvalidCycle(StepNotAllowed):
    """Cycle input that does not validate; ``errors`` maps field names to messages."""

    code = "invalid_cycle"

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(" ".join(m for messages in errors.values() for m in messages))
        self.errors = errors


def _record(cycle: Cycle, actor: Any, event: str, **payload: Any) -> None:
    audit.record(
        code=AuditCode.PROCESS_EVENT,
        tenant_id=cycle.agency_id,
        chain=f"cycle:{cycle.pk}",
        actor_id=getattr(actor, "pk", None),
        payload={"event": event, **payload},
    )


@transaction.atomic
def create_cycle(
    *,
    actor: Any,
    agency: Agency,
    year: int,
    name: str,
    template: WorkflowTemplate,
    period_type: str,
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    units: Iterable[Unit] = (),
    position_kinds: Iterable[str] = (),
    plan_deadline: datetime.date | None = None,
    evaluation_deadline: datetime.date | None = None,
) -> Cycle:
    """Create a draft cycle for a year on a published SKP template of the agency."""
    require_admin(actor, agency.pk)
    errors: dict[str, list[str]] = {}
    start = starts_on or datetime.date(year, 1, 1)
    end = ends_on or datetime.date(year, 12, 31)
    if template.tenant_id != agency.pk or template.process_kind != KIND:
        errors["template"] = [_("Pilih templat SKP milik instansi ini.")]
    elif template.latest_version() is None:
        errors["template"] = [_("Templat ini belum diterbitkan.")]
    if period_type not in rules.PeriodType.values:
        errors["period_type"] = [_("Pilih periode bulanan, triwulanan atau semesteran.")]
    if not (start.year == end.year == year) or end < start:
        errors["ends_on"] = [_("Masa siklus harus di dalam tahun %(year)d.") % {"year": year}]
    if not (name or "").strip():
        errors["name"] = [_("Nama siklus wajib diisi.")]
    elif Cycle.objects.filter(agency=agency, year=year, name=name.strip()).exists():
        errors["name"] = [_("Nama siklus ini sudah dipakai untuk tahun tersebut.")]
    unit_list = list(units)
    if any(unit.agency_id != agency.pk for unit in unit_list):
        errors["units"] = [_("Unit dari instansi lain tidak dapat dipilih.")]
    if errors:
        raise InvalidCycle(errors)
    cycle = Cycle.objects.create(
        agency=agency,
        year=year,
        name=name.strip(),
        template=template,
        period_type=period_type,
        starts_on=start,
        ends_on=end,
        plan_deadline=plan_deadline or datetime.date(year, 1, 31),
        evaluation_deadline=evaluation_deadline,
        position_kinds=sorted(set(position_kinds)),
        created_by=actor,
    )
    cycle.units.set(unit_list)
    _record(cycle, actor, "cycle_created", year=year, template=template.code)
    return cycle


def enrolment_day(cycle: Cycle) -> datetime.date:
    """Return the day whose organisation decides who is enrolled (today within the cycle)."""
    today = local_date(timezone.now(), cycle.agency.time_zone)
    return min(max(today, cycle.starts_on), cycle.ends_on)


def eligible_employees(cycle: Cycle, day: datetime.date | None = None) -> QuerySet[Employee]:
    """Return employees the cycle should enrol and has not yet.

    Active on the enrolment day (excluded statuses stay out), holding a position in the
    cycle's units (all units when none chosen) of the chosen kinds, without an SKP in it.
    """
    on = day or enrolment_day(cycle)
    holdings = PositionHolding.objects.filter(covering(on), employee=OuterRef("pk"))
    units = list(cycle.units.all())
    if units:
        in_units = Q()
        for unit in units:
            in_units |= Q(position__unit__path__startswith=unit.path)
        holdings = holdings.filter(in_units)
    if cycle.position_kinds:
        holdings = holdings.filter(position__kind__in=cycle.position_kinds)
    existing = Skp.objects.filter(cycle=cycle, employee=OuterRef("pk"))
    return (
        active_employees(cycle.agency_id, on)
        .filter(Exists(holdings), user__isnull=False)
        .exclude(Exists(existing))
        .order_by("pk")
    )


def start_skp(
    *,
    cycle: Cycle,
    employee: Employee,
    holding: PositionHolding,
    actor: Any,
    period_start: datetime.date,
    period_end: datetime.date,
    sequence: int = 1,
) -> Skp:
    """Create one SKP and start its engine case on the cycle's template (inside a batch)."""
    template = cycle.template
    skp = Skp.objects.create(
        agency_id=cycle.agency_id,
        cycle=cycle,
        employee=employee,
        sequence=sequence,
        holding=holding,
        position=holding.position,
        unit=holding.position.unit,
        period_start=period_start,
        period_end=period_end,
    )
    title = _("SKP %(year)d %(name)s") % {"year": cycle.year, "name": employee.name}
    if sequence > 1:
        title = f"{title} ({holding.position.name})"
    case = engine.start_case(
        template=template, subject_id=employee.user_id, title=title[:200], actor=actor
    )
    skp.case = case
    skp.save(update_fields=["case"])
    return skp


def enrol(cycle: Cycle, employee_ids: list[int], actor: Any) -> int:
    """Enrol the given employees in one transaction; return how many SKPs were created.

    Employees enrolled meanwhile (by a concurrent or earlier run) are skipped.
    """
    on = enrolment_day(cycle)
    created = 0
    with transaction.atomic():
        fresh = eligible_employees(cycle, on).filter(pk__in=employee_ids).select_related("user")
        for employee in fresh:
            holding = holding_on(employee, on)
            if holding is None:
                continue
            start_skp(
                cycle=cycle,
                employee=employee,
                holding=holding,
                actor=actor,
                period_start=max(cycle.starts_on, holding.starts_on),
                period_end=min(cycle.ends_on, holding.ends_on or cycle.ends_on),
            )
            created += 1
    return created


def run_enrolment(
    cycle_id: int, actor_id: int | None, batch_size: int = BATCH_SIZE
) -> Iterator[tuple[int, int]]:
    """Enrol every eligible employee, one committed batch at a time; yield (done, total).

    ``done`` counts SKPs in the cycle, so a re-run after a crash reports where it stands
    and continues with the rest.
    """
    cycle = Cycle.objects.select_related("agency", "template").get(pk=cycle_id)
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    remaining = list(eligible_employees(cycle).values_list("pk", flat=True))
    already = Skp.objects.filter(cycle=cycle, sequence=1).count()
    total = already + len(remaining)
    yield already, total
    for start in range(0, len(remaining), batch_size):
        try:
            enrol(cycle, remaining[start : start + batch_size], actor)
        except IntegrityError:
            # Someone else enrolled part of this batch between our read and our write: the
            # batch rolled back whole; enrol what is still missing one by one.
            for employee_id in remaining[start : start + batch_size]:
                try:
                    enrol(cycle, [employee_id], actor)
                except IntegrityError:
                    continue
        yield Skp.objects.filter(cycle=cycle, sequence=1).count(), total


@transaction.atomic
def mark_cycle_open(*, cycle_id: int, actor: Any) -> Cycle:
    """Mark a draft cycle open (enrolment then runs in batches; see ``open_cycle``)."""
    cycle = Cycle.objects.select_for_update().get(pk=cycle_id)
    require_admin(actor, cycle.agency_id)
    if cycle.status == Cycle.Status.CLOSED:
        raise StepNotAllowed(_("Siklus ini sudah ditutup."))
    if cycle.status == Cycle.Status.DRAFT:
        cycle.status = Cycle.Status.OPEN
        cycle.opened_at = timezone.now()
        cycle.save(update_fields=["status", "opened_at"])
        _record(cycle, actor, "cycle_opened")
    return cycle


def open_cycle_now(*, cycle_id: int, actor: Any) -> int:
    """Open a cycle and enrol everyone in this process (commands, tests, small agencies).

    Return how many SKPs the cycle has afterwards. Safe to call again: nothing twice.
    """
    mark_cycle_open(cycle_id=cycle_id, actor=actor)
    progress = list(run_enrolment(cycle_id, getattr(actor, "pk", None)))
    return progress[-1][0]


@transaction.atomic
def close_cycle(*, cycle_id: int, actor: Any) -> Cycle:
    """Close a cycle: no more enrolment (running SKPs finish their own stages)."""
    cycle = Cycle.objects.select_for_update().get(pk=cycle_id)
    require_admin(actor, cycle.agency_id)
    if cycle.status != Cycle.Status.CLOSED:
        cycle.status = Cycle.Status.CLOSED
        cycle.save(update_fields=["status"])
        _record(cycle, actor, "cycle_closed")
    return cycle
