"""Resolve the engine's roles from the organisation, for processes about one employee.

A document's subject is an employee's account. On a given day the roles resolve to:
employee → the subject; appraiser → ``appraiser_of``; appraiser_supervisor →
``appraiser_supervisor_of``; hr → the agency's HR admins (a claimable pool); peers → the
other holders of posts reporting to the same post (a pool). Teams are resolved by the
engine itself. Gaps met on the way (vacant posts, missing supervisors) are returned as
problems so HR sees them on the task.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from processes.organisation.models import Employee, PositionHolding, User
from processes.organisation.selectors import (
    Official,
    Resolution,
    active_employees,
    appraiser_of,
    appraiser_supervisor_of,
    covering,
    holding_on,
)
from workflow.registry import RoleResolution, Seat
from workflow.spec import Role

if TYPE_CHECKING:
    from workflow.models import Case


def employee_of_user(user_id: int | None) -> Employee | None:
    """Return the employee whose account is ``user_id``."""
    if user_id is None:
        return None
    return Employee.objects.select_related("user").filter(user_id=user_id).first()


def seat_for(official: Official) -> Seat | None:
    """Return the engine seat of an official (None when they have no account)."""
    if official.user is None:
        return None
    return Seat(user_id=official.user.pk, label=official.label)


def _from_resolution(resolution: Resolution) -> RoleResolution:
    seat = seat_for(resolution.official) if resolution.official is not None else None
    problems = resolution.gaps
    if resolution.official is not None and seat is None:
        problems = (
            *problems,
            _("%(name)s belum punya akun.") % {"name": resolution.official.employee.name},
        )
    return RoleResolution(seats=(seat,) if seat else (), problems=problems)


def hr_user_ids(agency_id: int) -> list[int]:
    """Return the active HR admins of the agency."""
    return list(
        User.objects.filter(agency_id=agency_id, is_agency_admin=True, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def peer_user_ids(employee: Employee, day: datetime.date) -> list[int]:
    """Return accounts of the employee's peers on ``day``: holders of sibling posts."""
    holding = holding_on(employee, day)
    if holding is None or holding.position.reports_to_id is None:
        return []
    sibling_holders = PositionHolding.objects.filter(
        covering(day), position__reports_to_id=holding.position.reports_to_id
    ).values("employee_id")
    return [
        int(uid)
        for uid in active_employees(employee.agency_id, day)
        .exclude(pk=employee.pk)
        .filter(pk__in=sibling_holders, user__is_active=True)
        .order_by("pk")
        .values_list("user_id", flat=True)
    ]


def resolve_role(case: Case, role: str, on: datetime.date) -> RoleResolution:
    """Return who holds ``role`` for ``case`` on ``on`` (see the module docstring)."""
    employee = employee_of_user(case.subject_id)
    if role == Role.HR:
        ids = hr_user_ids(case.tenant_id)
        return RoleResolution(
            seats=tuple(Seat(user_id=uid, label=_("Pengelola kinerja")) for uid in ids),
            pool=True,
            problems=() if ids else (_("Instansi ini belum punya admin kepegawaian."),),
        )
    if employee is None:
        return RoleResolution(problems=(_("Dokumen ini tidak terhubung dengan pegawai."),))
    if role == Role.EMPLOYEE:
        if employee.user is None or not employee.user.is_active:
            return RoleResolution(
                problems=(_("%(name)s belum punya akun aktif.") % {"name": employee.name},)
            )
        return RoleResolution(seats=(Seat(user_id=employee.user.pk, label=_("Pegawai")),))
    if role == Role.APPRAISER:
        return _from_resolution(appraiser_of(employee, on))
    if role == Role.APPRAISER_SUPERVISOR:
        return _from_resolution(appraiser_supervisor_of(employee, on))
    if role == Role.PEERS:
        ids = peer_user_ids(employee, on)
        return RoleResolution(
            seats=tuple(Seat(user_id=uid, label=_("Rekan kerja")) for uid in ids),
            pool=True,
            problems=()
            if ids
            else (_("%(name)s tidak punya rekan kerja setingkat.") % {"name": employee.name},),
        )
    return RoleResolution(problems=(_("Peran %(role)s tidak dikenal.") % {"role": role},))


def user_in_agency(user: object, agency_id: int) -> bool:
    """Return True when ``user`` belongs to the agency."""
    return getattr(user, "agency_id", None) == agency_id
