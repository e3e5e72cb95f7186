"""Reads of the organisation: who holds a post on a date, who appraises whom, what is vacant.

The appraiser (pejabat penilai) of an employee is the holder of the position theirs reports
to; the appraiser's supervisor (atasan pejabat penilai) is the official of the next post up
from the appraiser's. A post is held on a date by its definitive holder (an active
employee with an active account); a vacant post resolves to its acting official (Plt/Plh)
appointed for that date, else to the next post up, and the gap is reported for HR.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from config.templatetags.ui import local_date
from processes.organisation.models import (
    EXCLUDED_STATUSES,
    ActingAppointment,
    Agency,
    Employee,
    EmployeeStatus,
    EmployeeStatusPeriod,
    Position,
    PositionHolding,
    Unit,
    User,
)

# A reporting chain longer than this is a data error (a loop HR must fix), not a real tree.
MAX_CHAIN = 30


def covering(day: datetime.date, start: str = "starts_on", end: str = "ends_on") -> Q:
    """Return a filter for rows whose date range covers ``day`` (an open end never ends)."""
    return Q(**{f"{start}__lte": day}) & (Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gte": day}))


def inactive_on(day: datetime.date) -> QuerySet[EmployeeStatusPeriod]:
    """Return the status periods that make their employee inactive on ``day``."""
    return EmployeeStatusPeriod.objects.filter(covering(day), status__in=EXCLUDED_STATUSES)


def active_employees(agency: Agency | int, day: datetime.date) -> QuerySet[Employee]:
    """Return the agency's employees whose status on ``day`` is active."""
    agency_id = agency if isinstance(agency, int) else agency.pk
    excluded = inactive_on(day).filter(employee=OuterRef("pk"))
    return Employee.objects.filter(agency_id=agency_id).exclude(Exists(excluded))


def status_on(employee: Employee, day: datetime.date) -> str:
    """Return the employee's status on ``day`` (active when no period covers it)."""
    period = (
        EmployeeStatusPeriod.objects.filter(covering(day), employee=employee)
        .order_by("-starts_on")
        .first()
    )
    return period.status if period is not None else EmployeeStatus.ACTIVE


def holding_on(employee: Employee | int, day: datetime.date) -> PositionHolding | None:
    """Return the employee's definitive holding on ``day`` (the latest started), or None."""
    employee_id = employee if isinstance(employee, int) else employee.pk
    return (
        PositionHolding.objects.filter(covering(day), employee_id=employee_id)
        .select_related("position", "position__unit", "position__reports_to")
        .order_by("-starts_on", "-pk")
        .first()
    )


@dataclass(frozen=True)
class Official:
    """Who exercises a post's rights on a date, and in which capacity."""

    employee: Employee
    position: Position
    acting: ActingAppointment | None = None

    @property
    def user(self) -> User | None:
        """Return the official's account (None when they have none)."""
        return self.employee.user

    @property
    def label(self) -> str:
        """Return the capacity as written on documents."""
        if self.acting is not None:
            return self.acting.label
        return self.position.name


@dataclass(frozen=True)
class Resolution:
    """An official found for a role (or None) and the gaps met on the way, for HR."""

    official: Official | None
    gaps: tuple[str, ...] = field(default=())


def _usable(employee: Employee, day: datetime.date) -> bool:
    user = employee.user
    return user is not None and user.is_active and status_on(employee, day) == "active"


def official_of_post(position: Position, day: datetime.date) -> Official | None:
    """Return who exercises ``position``'s rights on ``day``: its holder, else its Plt/Plh.

    A holder who is inactive that day (on study leave, suspended...) or has no active
    account does not count; the acting official, if any, does.
    """
    holdings = (
        PositionHolding.objects.filter(covering(day), position=position)
        .select_related("employee", "employee__user")
        .order_by("-starts_on", "-pk")
    )
    for holding in holdings:
        if _usable(holding.employee, day):
            return Official(holding.employee, position)
    appointments = (
        ActingAppointment.objects.filter(position=position, starts_on__lte=day, ends_on__gte=day)
        .select_related("employee", "employee__user", "position")
        .order_by("-starts_on", "-pk")
    )
    for appointment in appointments:
        if _usable(appointment.employee, day):
            return Official(appointment.employee, position, appointment)
    return None


def _official_above(start: Position | None, day: datetime.date) -> Resolution:
    """Walk up from ``start`` (inclusive) to the first post someone exercises on ``day``."""
    gaps: list[str] = []
    position = start
    seen: set[int] = set()
    while position is not None:
        if position.pk in seen or len(seen) >= MAX_CHAIN:
            gaps.append(
                _("Garis atasan jabatan %(position)s berputar; perbaiki data jabatan.")
                % {"position": position.name}
            )
            return Resolution(None, tuple(gaps))
        seen.add(position.pk)
        official = official_of_post(position, day)
        if official is not None:
            return Resolution(official, tuple(gaps))
        above = position.reports_to
        gaps.append(
            _("Jabatan %(position)s kosong pada %(day)s dan tidak ada Plt/Plh; %(next)s.")
            % {
                "position": position.name,
                "day": local_date(day),
                "next": (
                    _("diteruskan ke %(above)s") % {"above": above.name}
                    if above is not None
                    else _("tidak ada jabatan di atasnya")
                ),
            }
        )
        position = above
    return Resolution(None, tuple(gaps))


def appraiser_of(employee: Employee, day: datetime.date) -> Resolution:
    """Return the employee's appraiser on ``day`` (pejabat penilai kinerja)."""
    holding = holding_on(employee, day)
    if holding is None:
        return Resolution(
            None,
            (
                _("%(name)s tidak memangku jabatan pada %(day)s.")
                % {"name": employee.name, "day": local_date(day)},
            ),
        )
    above = holding.position.reports_to
    if above is None:
        return Resolution(
            None,
            (
                _("Jabatan %(position)s tidak punya atasan pada data jabatan.")
                % {"position": holding.position.name},
            ),
        )
    return _official_above(above, day)


def appraiser_supervisor_of(employee: Employee, day: datetime.date) -> Resolution:
    """Return the appraiser's own supervisor on ``day`` (atasan pejabat penilai)."""
    appraiser = appraiser_of(employee, day)
    if appraiser.official is None:
        return appraiser
    above = appraiser.official.position.reports_to
    if above is None:
        return Resolution(
            None,
            (
                *appraiser.gaps,
                _("Jabatan %(position)s tidak punya atasan pada data jabatan.")
                % {"position": appraiser.official.position.name},
            ),
        )
    resolution = _official_above(above, day)
    return Resolution(resolution.official, (*appraiser.gaps, *resolution.gaps))


def subordinate_employees(positions: Iterable[Position | int], day: datetime.date) -> set[int]:
    """Return ids of employees whose appraiser or appraiser's supervisor may change.

    That is: the holders of ``positions``, of the posts reporting to them, and of the posts
    reporting to those (two levels down), on ``day``.
    """
    level0 = {p if isinstance(p, int) else p.pk for p in positions}
    level1 = set(Position.objects.filter(reports_to_id__in=level0).values_list("pk", flat=True))
    level2 = set(Position.objects.filter(reports_to_id__in=level1).values_list("pk", flat=True))
    return set(
        PositionHolding.objects.filter(
            covering(day), position_id__in=level0 | level1 | level2
        ).values_list("employee_id", flat=True)
    )


def vacancies(agency: Agency, day: datetime.date) -> list[tuple[Position, Resolution]]:
    """Return the agency's posts with subordinates that nobody exercises on ``day``.

    Each comes with where its subordinates' appraisals go instead (for HR's gap list).
    """
    result: list[tuple[Position, Resolution]] = []
    posts = (
        Position.objects.filter(agency=agency, subordinates__isnull=False)
        .distinct()
        .select_related("reports_to", "unit")
        .order_by("unit__path", "code")
    )
    for position in posts:
        if official_of_post(position, day) is None:
            result.append((position, _official_above(position.reports_to, day)))
    return result


def unit_subtree(unit: Unit) -> QuerySet[Unit]:
    """Return the unit and every unit under it."""
    return Unit.objects.filter(agency_id=unit.agency_id, path__startswith=unit.path)


def employees_in_units(
    agency: Agency, units: Iterable[Unit], day: datetime.date
) -> QuerySet[Employee]:
    """Return active employees holding, on ``day``, a position in the units or under them."""
    prefix = Q()
    for unit in units:
        prefix |= Q(position__unit__path__startswith=unit.path)
    holdings = PositionHolding.objects.filter(covering(day), prefix, employee=OuterRef("pk"))
    return active_employees(agency, day).filter(Exists(holdings))
