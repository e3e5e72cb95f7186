"""Organisation actions: the only code that writes units, positions, employees and holdings.

Each action runs in one transaction, checks inside itself that the actor administers the
agency, validates, writes, records the change on the agency's audit chain, and lets the
registered processes follow (re-routing open tasks, closing a transferred employee's
document), so nothing is half-written. Views, the import and commands call these.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from processes.organisation import hooks
from processes.organisation.access import require_admin
from processes.organisation.identity import EmployeeType, InvalidNumber, parse_number
from processes.organisation.models import (
    ActingAppointment,
    Agency,
    Employee,
    EmployeeStatusPeriod,
    OrganisationChange,
    Position,
    PositionHolding,
    ReportingLineChange,
    Unit,
    User,
)
from processes.organisation.selectors import covering, subordinate_employees
from workflow import audit
from workflow.actions import reroute_case
from workflow.delegations import create_delegation, end_delegation
from workflow.errors import StepNotAllowed
from workflow.models import AuditCode, Case, Delegation


class InvalidInput(StepNotAllowed):
    """The input does not validate; ``errors`` maps field names to messages."""

    code = "invalid_input"

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(" ".join(message for messages in errors.values() for message in messages))
        self.errors = errors


def _validated(instance: Model, exclude: Iterable[str] = ()) -> None:
    try:
        instance.full_clean(exclude=list(exclude))
    except ValidationError as error:
        raise InvalidInput(
            {
                name: [str(message) for message in messages]
                for name, messages in error.message_dict.items()
            }
        ) from error


def _record(agency_id: int, actor: Any, event: str, reason: str = "", **payload: Any) -> None:
    audit.record(
        code=AuditCode.PROCESS_EVENT,
        tenant_id=agency_id,
        chain=f"org:{agency_id}",
        actor_id=getattr(actor, "pk", None),
        reason=reason,
        payload={"event": event, **payload},
    )


def _same_agency(agency_id: int, *objects: Any) -> None:
    for obj in objects:
        if obj is not None and obj.agency_id != agency_id:
            raise StepNotAllowed(_("Data dari instansi lain tidak dapat dipakai di sini."))


# Units ---------------------------------------------------------------------------------


def _path_for(unit: Unit) -> str:
    parent_path = unit.parent.path if unit.parent is not None else "/"
    return f"{parent_path}{unit.pk}/"


@transaction.atomic
def create_unit(
    *,
    actor: Any,
    agency: Agency,
    code: str,
    name: str,
    kind: str = Unit.Kind.OPD,
    parent: Unit | None = None,
) -> Unit:
    """Create a unit under ``parent`` (None: a root OPD)."""
    require_admin(actor, agency.pk)
    _same_agency(agency.pk, parent)
    if Unit.objects.filter(agency=agency, code=code.strip()).exists():
        raise InvalidInput(
            {"code": [_("Kode unit %(code)s sudah ada di instansi ini.") % {"code": code.strip()}]}
        )
    unit = Unit(agency=agency, code=code.strip(), name=name.strip(), kind=kind, parent=parent)
    _validated(unit, exclude=["path"])
    unit.save()
    unit.path = _path_for(unit)
    unit.save(update_fields=["path"])
    _record(agency.pk, actor, "unit_created", unit=unit.pk, code=unit.code, name=unit.name)
    return unit


@transaction.atomic
def update_unit(*, actor: Any, unit: Unit, name: str, kind: str, parent: Unit | None) -> Unit:
    """Rename a unit or move it (with its subtree) under another parent."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    require_admin(actor, unit.agency_id)
    _same_agency(unit.agency_id, parent)
    if parent is not None and parent.path.startswith(unit.path):
        raise InvalidInput({"parent": [_("Unit tidak dapat dipindah ke bawah dirinya sendiri.")]})
    old_path = unit.path
    unit.name, unit.kind, unit.parent = name.strip(), kind, parent
    _validated(unit, exclude=["path"])
    unit.path = _path_for(unit)
    unit.save()
    if unit.path != old_path:
        for child in Unit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk):
            child.path = unit.path + child.path[len(old_path) :]
            child.save(update_fields=["path"])
    _record(unit.agency_id, actor, "unit_updated", unit=unit.pk, name=unit.name, path=unit.path)
    return unit


# Positions -----------------------------------------------------------------------------


def _check_no_loop(position: Position, reports_to: Position | None) -> None:
    seen = {position.pk}
    current = reports_to
    while current is not None:
        if current.pk in seen:
            raise InvalidInput(
                {
                    "reports_to": [
                        _("Garis atasan ini membuat lingkaran: %(name)s akan melapor ke dirinya.")
                        % {"name": position.name}
                    ]
                }
            )
        seen.add(current.pk)
        current = current.reports_to


@transaction.atomic
def create_position(
    *,
    actor: Any,
    agency: Agency,
    unit: Unit,
    code: str,
    name: str,
    kind: str,
    functional_level: str = "",
    reports_to: Position | None = None,
    is_unit_head: bool = False,
) -> Position:
    """Create a position in ``unit`` reporting to ``reports_to``."""
    require_admin(actor, agency.pk)
    _same_agency(agency.pk, unit, reports_to)
    if Position.objects.filter(agency=agency, code=code.strip()).exists():
        raise InvalidInput(
            {
                "code": [
                    _("Kode jabatan %(code)s sudah ada di instansi ini.") % {"code": code.strip()}
                ]
            }
        )
    position = Position(
        agency=agency,
        unit=unit,
        code=code.strip(),
        name=name.strip(),
        kind=kind,
        functional_level=functional_level,
        reports_to=reports_to,
        is_unit_head=is_unit_head,
    )
    _validated(position)
    position.save()
    _record(agency.pk, actor, "position_created", position=position.pk, code=position.code)
    return position


@transaction.atomic
def update_position(
    *,
    actor: Any,
    position: Position,
    unit: Unit,
    name: str,
    kind: str,
    functional_level: str = "",
    is_unit_head: bool = False,
) -> Position:
    """Change a position's unit, name, kind or level (its reporting line has its own action)."""
    position = Position.objects.select_for_update().get(pk=position.pk)
    require_admin(actor, position.agency_id)
    _same_agency(position.agency_id, unit)
    position.unit, position.name, position.kind = unit, name.strip(), kind
    position.functional_level, position.is_unit_head = functional_level, is_unit_head
    _validated(position)
    position.save()
    _record(position.agency_id, actor, "position_updated", position=position.pk)
    return position


def _follow(
    change: OrganisationChange,
    *,
    actor: Any,
    effective_on: datetime.date,
    employee_ids: set[int],
    transfers: tuple[hooks.Transfer, ...] = (),
) -> list[hooks.AffectedDocument]:
    """Let processes follow a change, then re-route open documents of affected people."""
    event = hooks.OrganisationEvent(
        change_id=change.pk,
        agency_id=change.agency_id,
        kind=change.kind,
        actor=actor,
        reason=change.reason or change.summary,
        effective_on=effective_on,
        affected_employee_ids=frozenset(employee_ids),
        transfers=transfers,
    )
    affected = hooks.dispatch(event)
    touched = {doc["case_id"] for doc in affected if doc["case_id"] is not None}
    user_ids = Employee.objects.filter(pk__in=employee_ids, user__isnull=False).values_list(
        "user_id", flat=True
    )
    open_cases = (
        Case.objects.filter(tenant_id=change.agency_id, subject_id__in=user_ids, closed_at=None)
        .exclude(phase="cancelled")
        .order_by("pk")
        .values_list("pk", "title")
    )
    reason = change.summary
    for case_id, title in open_cases:
        moved = reroute_case(case_id=case_id, actor=None, reason=reason)
        if moved and case_id not in touched:
            affected.append(
                {
                    "case_id": case_id,
                    "document": title,
                    "what": ngettext(
                        "%(count)d tugas dialihkan ke pejabat yang baru",
                        "%(count)d tugas dialihkan ke pejabat yang baru",
                        len(moved),
                    )
                    % {"count": len(moved)},
                }
            )
            touched.add(case_id)
    change.affected = list(affected)
    change.save(update_fields=["affected"])
    return affected


@transaction.atomic
def correct_reporting_line(
    *, actor: Any, position: Position, reports_to: Position | None, reason: str
) -> OrganisationChange:
    """Correct whom a position reports to; open documents in flight follow, history is kept."""
    position = Position.objects.select_for_update().get(pk=position.pk)
    require_admin(actor, position.agency_id)
    _same_agency(position.agency_id, reports_to)
    text = (reason or "").strip()
    if not text:
        raise InvalidInput({"reason": [_("Alasan wajib diisi.")]})
    if (reports_to.pk if reports_to else None) == position.reports_to_id:
        raise InvalidInput({"reports_to": [_("Atasan jabatan ini sudah sama.")]})
    _check_no_loop(position, reports_to)
    old = position.reports_to
    position.reports_to = reports_to
    position.save(update_fields=["reports_to"])
    ReportingLineChange.objects.create(
        agency_id=position.agency_id,
        position=position,
        old_reports_to=old,
        new_reports_to=reports_to,
        reason=text,
        changed_by=actor,
    )
    change = OrganisationChange.objects.create(
        agency_id=position.agency_id,
        kind=OrganisationChange.Kind.REPORTING_LINE,
        summary=_("Garis atasan %(position)s: %(old)s → %(new)s")
        % {
            "position": position.name,
            "old": old.name if old else "—",
            "new": reports_to.name if reports_to else "—",
        },
        reason=text,
        actor=actor,
    )
    _record(
        position.agency_id,
        actor,
        "reporting_line_corrected",
        text,
        position=position.pk,
        old=old.pk if old else None,
        new=reports_to.pk if reports_to else None,
    )
    today = timezone.localdate()
    _follow(
        change,
        actor=actor,
        effective_on=today,
        employee_ids=subordinate_employees([position], today),
    )
    return change


# Employees -----------------------------------------------------------------------------


def _parsed_nip(nip: str, employee_type: str) -> tuple[str, str]:
    try:
        parsed = parse_number(nip, EmployeeType(employee_type))
    except InvalidNumber as error:
        raise InvalidInput({"nip": [str(error)]}) from error
    except ValueError as error:
        raise InvalidInput({"employee_type": [_("Jenis pegawai tidak dikenal.")]}) from error
    return parsed.digits, parsed.sex


@transaction.atomic
def create_employee(
    *,
    actor: Any,
    agency: Agency,
    nip: str,
    name: str,
    employee_type: str = EmployeeType.PNS,
    sex: str = "",
    email: str = "",
    password: str | None = None,
    create_account: bool = True,
) -> Employee:
    """Create an employee (and an account signing in with the NIP, unless told not to).

    Without ``password`` the account has an unusable password until HR sets one.
    """
    require_admin(actor, agency.pk)
    digits, nip_sex = _parsed_nip(nip, employee_type)
    if Employee.objects.filter(nip=digits).exists():
        raise InvalidInput({"nip": [_("NIP %(nip)s sudah terdaftar.") % {"nip": digits}]})
    employee = Employee(
        agency=agency,
        nip=digits,
        name=name.strip(),
        employee_type=employee_type,
        sex=sex or nip_sex,
        email=email.strip(),
    )
    _validated(employee, exclude=["user"])
    if create_account:
        if User.objects.filter(username__iexact=digits).exists():
            raise InvalidInput({"nip": [_("Akun dengan NIP ini sudah ada.")]})
        first, _space, last = employee.name.partition(" ")
        user = User(
            username=digits,
            agency=agency,
            first_name=first[:150],
            last_name=last[:150],
            email=employee.email,
        )
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        employee.user = user
    employee.save()
    _record(agency.pk, actor, "employee_created", employee=employee.pk, nip=digits)
    return employee


@transaction.atomic
def update_employee(
    *, actor: Any, employee: Employee, name: str, sex: str = "", email: str = ""
) -> Employee:
    """Change an employee's name, sex or e-mail (the number itself never changes)."""
    employee = Employee.objects.select_for_update().get(pk=employee.pk)
    require_admin(actor, employee.agency_id)
    employee.name, employee.email = name.strip(), email.strip()
    if sex:
        employee.sex = sex
    _validated(employee, exclude=["user"])
    employee.save()
    if employee.user_id is not None:
        first, _space, last = employee.name.partition(" ")
        User.objects.filter(pk=employee.user_id).update(
            first_name=first[:150], last_name=last[:150], email=employee.email
        )
    _record(employee.agency_id, actor, "employee_updated", employee=employee.pk)
    return employee


@transaction.atomic
def set_employee_status(
    *,
    actor: Any,
    employee: Employee,
    status: str,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
    reference: str = "",
) -> EmployeeStatusPeriod:
    """Record a period in which the employee is not active (it keeps them out of cycles)."""
    employee = Employee.objects.select_for_update().get(pk=employee.pk)
    require_admin(actor, employee.agency_id)
    period = EmployeeStatusPeriod(
        agency_id=employee.agency_id,
        employee=employee,
        status=status,
        starts_on=starts_on,
        ends_on=ends_on,
        reference=reference.strip(),
    )
    _validated(period)
    if ends_on is not None and ends_on < starts_on:
        raise InvalidInput({"ends_on": [_("Tanggal selesai tidak boleh sebelum tanggal mulai.")]})
    period.save()
    change = OrganisationChange.objects.create(
        agency_id=employee.agency_id,
        kind=OrganisationChange.Kind.STATUS,
        summary=_("Status %(name)s: %(status)s sejak %(day)s")
        % {"name": employee.name, "status": period.get_status_display(), "day": starts_on},
        reason=reference,
        actor=actor,
    )
    _record(
        employee.agency_id,
        actor,
        "employee_status_set",
        employee=employee.pk,
        status=status,
        starts_on=starts_on.isoformat(),
        ends_on=ends_on.isoformat() if ends_on else None,
    )
    _follow_status(change, actor, employee, starts_on)
    return period


def _follow_status(
    change: OrganisationChange, actor: Any, employee: Employee, on: datetime.date
) -> None:
    """Let open documents follow a status change of ``employee`` effective ``on``.

    Their own documents and those of the staff they appraise (whose tasks may move to or
    from them) are re-routed.
    """
    held = PositionHolding.objects.filter(covering(on), employee=employee)
    _follow(
        change,
        actor=actor,
        effective_on=on,
        employee_ids=subordinate_employees(held.values_list("position_id", flat=True), on)
        | {employee.pk},
    )


@transaction.atomic
def end_employee_status(
    *, actor: Any, period: EmployeeStatusPeriod, ends_on: datetime.date, reference: str = ""
) -> EmployeeStatusPeriod:
    """End a status period on ``ends_on``: the employee is active again the day after.

    For someone back from study leave or a suspension that ended. The period may be
    open-ended or end later than ``ends_on`` (an early return); it may not end before it
    starts. Open tasks follow (an official back at work takes their tasks again), and the
    change is listed for HR with its audit row. Raise ActionForbidden or InvalidInput
    (nothing written).
    """
    period = (
        EmployeeStatusPeriod.objects.select_for_update()
        .select_related("employee")
        .get(pk=period.pk)
    )
    require_admin(actor, period.agency_id)
    if ends_on < period.starts_on:
        raise InvalidInput(
            {
                "ends_on": [
                    _("Tanggal berakhir tidak boleh sebelum status dimulai (%(day)s).")
                    % {"day": period.starts_on.isoformat()}
                ]
            }
        )
    if period.ends_on is not None and ends_on >= period.ends_on:
        raise InvalidInput(
            {
                "ends_on": [
                    _("Status ini sudah berakhir pada %(day)s; pilih tanggal sebelumnya.")
                    % {"day": period.ends_on.isoformat()}
                ]
            }
        )
    employee = period.employee
    previous_end = period.ends_on
    period.ends_on = ends_on
    period.save(update_fields=["ends_on"])
    back_on = ends_on + datetime.timedelta(days=1)
    change = OrganisationChange.objects.create(
        agency_id=period.agency_id,
        kind=OrganisationChange.Kind.STATUS,
        summary=_("Status %(name)s: %(status)s berakhir %(day)s, aktif kembali %(back)s")
        % {
            "name": employee.name,
            "status": period.get_status_display(),
            "day": ends_on.isoformat(),
            "back": back_on.isoformat(),
        },
        reason=reference.strip(),
        actor=actor,
    )
    _record(
        period.agency_id,
        actor,
        "employee_status_ended",
        reference.strip(),
        employee=employee.pk,
        period=period.pk,
        status=period.status,
        previous_ends_on=previous_end.isoformat() if previous_end else None,
        ends_on=ends_on.isoformat(),
    )
    _follow_status(change, actor, employee, back_on)
    return period


# Holdings and transfers ----------------------------------------------------------------


def _overlapping(employee: Employee, starts_on: datetime.date) -> PositionHolding | None:
    return (
        PositionHolding.objects.filter(employee=employee)
        .filter(covering(starts_on) | Q(starts_on__gt=starts_on))
        .order_by("starts_on")
        .first()
    )


@transaction.atomic
def assign_position(
    *,
    actor: Any,
    employee: Employee,
    position: Position,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
    reference: str = "",
) -> PositionHolding:
    """Record that ``employee`` holds ``position`` from ``starts_on`` (no overlap allowed).

    For a move from one post to another use ``transfer_employee``.
    """
    employee = Employee.objects.select_for_update().get(pk=employee.pk)
    require_admin(actor, employee.agency_id)
    _same_agency(employee.agency_id, position)
    if _overlapping(employee, starts_on) is not None:
        raise InvalidInput(
            {
                "starts_on": [
                    _("%(name)s sudah memangku jabatan pada tanggal itu; gunakan mutasi.")
                    % {"name": employee.name}
                ]
            }
        )
    holding = PositionHolding(
        agency_id=employee.agency_id,
        employee=employee,
        position=position,
        starts_on=starts_on,
        ends_on=ends_on,
        reference=reference.strip(),
    )
    _validated(holding)
    holding.save()
    _record(
        employee.agency_id,
        actor,
        "position_assigned",
        employee=employee.pk,
        position=position.pk,
        starts_on=starts_on.isoformat(),
    )
    return holding


@transaction.atomic
def transfer_employee(
    *,
    actor: Any,
    employee: Employee,
    position: Position,
    on: datetime.date,
    reason: str,
    reference: str = "",
) -> OrganisationChange:
    """Move ``employee`` to ``position`` from ``on`` (mutasi): the old holding ends the day before.

    Processes follow in the same transaction (the SKP closes the old document with its partial
    period and opens one for the new post) and open tasks of affected documents are re-routed
    to the new appraisers. The returned change lists every document affected, for HR.
    """
    employee = Employee.objects.select_for_update().get(pk=employee.pk)
    require_admin(actor, employee.agency_id)
    _same_agency(employee.agency_id, position)
    text = (reason or "").strip()
    if not text:
        raise InvalidInput({"reason": [_("Alasan wajib diisi.")]})
    current = (
        PositionHolding.objects.filter(covering(on), employee=employee)
        .select_for_update()
        .order_by("-starts_on")
        .first()
    )
    if current is not None and current.position_id == position.pk:
        raise InvalidInput({"position": [_("Pegawai sudah memangku jabatan ini.")]})
    if current is not None and current.starts_on >= on:
        raise InvalidInput(
            {"on": [_("Tanggal mutasi harus setelah tanggal mulai jabatan sekarang.")]}
        )
    if PositionHolding.objects.filter(employee=employee, starts_on__gt=on).exists():
        raise InvalidInput({"on": [_("Sudah ada jabatan yang dimulai setelah tanggal ini.")]})
    old_position = current.position if current is not None else None
    if current is not None:
        current.ends_on = on - datetime.timedelta(days=1)
        current.save(update_fields=["ends_on"])
    new = PositionHolding.objects.create(
        agency_id=employee.agency_id,
        employee=employee,
        position=position,
        starts_on=on,
        reference=reference.strip(),
    )
    change = OrganisationChange.objects.create(
        agency_id=employee.agency_id,
        kind=OrganisationChange.Kind.TRANSFER,
        summary=_("Mutasi %(name)s: %(old)s → %(new)s mulai %(day)s")
        % {
            "name": employee.name,
            "old": old_position.name if old_position else "—",
            "new": position.name,
            "day": on.isoformat(),
        },
        reason=text,
        actor=actor,
    )
    _record(
        employee.agency_id,
        actor,
        "employee_transferred",
        text,
        employee=employee.pk,
        old_holding=current.pk if current else None,
        new_holding=new.pk,
        on=on.isoformat(),
    )
    posts = [position] + ([old_position] if old_position is not None else [])
    affected_people = subordinate_employees(posts, on) | subordinate_employees(
        posts, on - datetime.timedelta(days=1)
    )
    _follow(
        change,
        actor=actor,
        effective_on=on,
        employee_ids=affected_people | {employee.pk},
        transfers=(
            hooks.Transfer(
                employee_id=employee.pk,
                old_holding_id=current.pk if current else None,
                new_holding_id=new.pk,
                on=on,
            ),
        ),
    )
    return change


# Acting officials (Plt / Plh) ----------------------------------------------------------


def _sync_delegations(appointment: ActingAppointment, actor: Any) -> None:
    """Let the acting official act for each holder of the post during the overlap."""
    acting_user_id = appointment.employee.user_id
    if acting_user_id is None:
        return
    holdings = PositionHolding.objects.filter(
        position=appointment.position, starts_on__lte=appointment.ends_on
    ).exclude(ends_on__lt=appointment.starts_on)
    for holding in holdings.select_related("employee"):
        principal = holding.employee.user_id
        if principal is None or principal == acting_user_id:
            continue
        start = max(holding.starts_on, appointment.starts_on)
        end = min(holding.ends_on or appointment.ends_on, appointment.ends_on)
        create_delegation(
            tenant_id=appointment.agency_id,
            principal_id=principal,
            delegate_id=acting_user_id,
            starts_on=start,
            ends_on=end,
            capacity_label=appointment.title,
            reference=appointment.decree_number,
            actor=actor,
        )


@transaction.atomic
def appoint_acting_official(
    *,
    actor: Any,
    employee: Employee,
    position: Position,
    starts_on: datetime.date,
    ends_on: datetime.date,
    decree_number: str,
    kind: str = ActingAppointment.Kind.PLT,
) -> ActingAppointment:
    """Appoint a Plt/Plh: during the dates they hold the post's rights, outside them not.

    A vacant post's tasks go to them; where the post has a holder, they act for the holder
    (through an engine delegation). Open documents of the post's subordinates are re-routed.
    """
    employee = Employee.objects.select_for_update().get(pk=employee.pk)
    require_admin(actor, employee.agency_id)
    _same_agency(employee.agency_id, position)
    appointment = ActingAppointment(
        agency_id=employee.agency_id,
        employee=employee,
        position=position,
        kind=kind,
        starts_on=starts_on,
        ends_on=ends_on,
        decree_number=decree_number.strip(),
    )
    _validated(appointment)
    if ends_on < starts_on:
        raise InvalidInput({"ends_on": [_("Tanggal selesai tidak boleh sebelum tanggal mulai.")]})
    clash = ActingAppointment.objects.filter(
        position=position, starts_on__lte=ends_on, ends_on__gte=starts_on
    ).first()
    if clash is not None:
        raise InvalidInput(
            {
                "starts_on": [
                    _("Jabatan ini sudah punya %(label)s pada tanggal yang beririsan.")
                    % {"label": clash.label}
                ]
            }
        )
    appointment.save()
    _sync_delegations(appointment, actor)
    change = OrganisationChange.objects.create(
        agency_id=employee.agency_id,
        kind=OrganisationChange.Kind.ACTING,
        summary=_("%(label)s: %(name)s, %(start)s s.d. %(end)s")
        % {
            "label": appointment.label,
            "name": employee.name,
            "start": starts_on.isoformat(),
            "end": ends_on.isoformat(),
        },
        reason=decree_number,
        actor=actor,
    )
    _record(
        employee.agency_id,
        actor,
        "acting_official_appointed",
        decree_number,
        appointment=appointment.pk,
        employee=employee.pk,
        position=position.pk,
        starts_on=starts_on.isoformat(),
        ends_on=ends_on.isoformat(),
    )
    today = timezone.localdate()
    _follow(
        change,
        actor=actor,
        effective_on=starts_on,
        employee_ids=subordinate_employees([position], today),
    )
    return appointment


@transaction.atomic
def end_acting_appointment(
    *, actor: Any, appointment: ActingAppointment, ends_on: datetime.date, reason: str
) -> ActingAppointment:
    """End an acting appointment early; its delegations end with it, tasks are re-routed."""
    appointment = ActingAppointment.objects.select_for_update().get(pk=appointment.pk)
    require_admin(actor, appointment.agency_id)
    text = (reason or "").strip()
    if not text:
        raise InvalidInput({"reason": [_("Alasan wajib diisi.")]})
    if ends_on >= appointment.ends_on:
        raise InvalidInput({"ends_on": [_("Tanggal berakhir harus sebelum tanggal selesai SK.")]})
    if ends_on < appointment.starts_on:
        raise InvalidInput({"ends_on": [_("Tanggal berakhir tidak boleh sebelum tanggal mulai.")]})
    previous_end = appointment.ends_on
    appointment.ends_on = ends_on
    appointment.save(update_fields=["ends_on"])
    acting_user = appointment.employee.user_id
    for delegation in Delegation.objects.filter(
        tenant_id=appointment.agency_id,
        delegate_id=acting_user,
        reference=appointment.decree_number,
        ends_on__gt=ends_on,
    ):
        end_delegation(delegation_id=delegation.pk, ends_on=ends_on, reason=text, actor=actor)
    change = OrganisationChange.objects.create(
        agency_id=appointment.agency_id,
        kind=OrganisationChange.Kind.ACTING,
        summary=_("%(label)s berakhir %(day)s") % {"label": appointment.label, "day": ends_on},
        reason=text,
        actor=actor,
    )
    _record(
        appointment.agency_id,
        actor,
        "acting_official_ended",
        text,
        appointment=appointment.pk,
        previous_ends_on=previous_end.isoformat(),
        ends_on=ends_on.isoformat(),
    )
    today = timezone.localdate()
    _follow(
        change,
        actor=actor,
        effective_on=ends_on,
        employee_ids=subordinate_employees([appointment.position_id], today),
    )
    return appointment
