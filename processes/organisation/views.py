"""HR's organisation pages: units, positions, employees, Plt/Plh, gaps, changes and import.

Who sees what: an agency HR admin (``is_agency_admin``) sees and changes only their own
agency; a superadmin chooses the agency (``?instansi=<code>``, remembered in the session)
and may do everything; everyone else gets 403. A record of another agency answers 404
(``access.get_for_tenant``). Views never write models: every change goes through
``actions``, and the errors an action raises are shown next to the form's fields. Dates and
times are shown in the agency's zone (WIB/WITA/WIT); "today" is the agency's today.
"""

from __future__ import annotations

import datetime
import uuid
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import update_wrapper
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_stubs_ext import StrOrPromise

from processes.organisation import actions, selectors
from processes.organisation.access import administered_agency_ids, administers, get_for_tenant
from processes.organisation.actions import InvalidInput
from processes.organisation.forms import (
    ActingEndForm,
    ActingForm,
    EmployeeForm,
    EmployeeSearchForm,
    ImportUploadForm,
    PositionForm,
    ReportingLineForm,
    StatusEndForm,
    StatusForm,
    TransferForm,
    UnitForm,
    apply_errors,
)
from processes.organisation.identity import EmployeeType, format_number
from processes.organisation.import_jobs import (
    IMPORT_JOB_KIND,
    import_dir,
    job_params,
    upload_path,
)
from processes.organisation.importer import import_organisation, template_workbook
from processes.organisation.models import (
    ActingAppointment,
    Agency,
    Employee,
    EmployeeStatus,
    EmployeeStatusPeriod,
    OrganisationChange,
    Position,
    PositionHolding,
    ReportingLineChange,
    Unit,
    User,
)
from workflow.errors import ActionForbidden, WorkflowError
from workflow.jobs import enqueue_job

P = ParamSpec("P")
T = TypeVar("T")

SESSION_AGENCY = "organisation_agency"
SESSION_IMPORTS = "organisation_imports"
PAGE_SIZE = 50
PAST_ACTING_SHOWN = 50
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# Access ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hr:
    """The HR user on a page and the agency the page is about."""

    user: User
    agency: Agency


def hr_user(request: HttpRequest) -> User:
    """Return the signed-in user if they administer some agency; raise 403 otherwise."""
    user = request.user
    if not isinstance(user, User) or administered_agency_ids(user) == []:
        raise PermissionDenied(_("Halaman ini hanya untuk admin kepegawaian."))
    return user


def _activate(request: HttpRequest, user: User, agency: Agency) -> Hr:
    """Show the page in the agency's zone; a superadmin's choice follows the record opened."""
    timezone.activate(zoneinfo.ZoneInfo(agency.time_zone))
    if user.is_superuser and request.session.get(SESSION_AGENCY) != agency.code:
        request.session[SESSION_AGENCY] = agency.code
    return Hr(user, agency)


def selected_agency(request: HttpRequest, user: User) -> Agency | None:
    """Return the agency of a list page: the HR admin's own, or the superadmin's choice."""
    if not user.is_superuser:
        # administered_agency_ids() made sure an HR admin has an agency; the time-zone
        # middleware has already loaded it.
        assert user.agency is not None
        return user.agency
    code = request.GET.get("instansi", "").strip()
    if code:
        return get_object_or_404(Agency, code=code)
    remembered = request.session.get(SESSION_AGENCY)
    if remembered:
        agency = Agency.objects.filter(code=remembered).first()
        if agency is not None:
            return agency
    agencies = list(Agency.objects.all()[:2])
    return agencies[0] if len(agencies) == 1 else None


def agency_page(
    view: Callable[Concatenate[HttpRequest, Hr, P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    """Give a list page its HR user and agency; a superadmin without a choice picks one."""

    def wrapper(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        user = hr_user(request)
        agency = selected_agency(request, user)
        if agency is None:
            if request.method != "GET":
                return redirect("organisation:unit_tree")
            return render(
                request,
                "organisation/agency_choose.html",
                {"agencies": Agency.objects.order_by("name"), "next": request.path},
            )
        return view(request, _activate(request, user, agency), *args, **kwargs)

    update_wrapper(wrapper, view)
    return wrapper


def _unit_for(request: HttpRequest, pk: int) -> tuple[Hr, Unit]:
    user = hr_user(request)
    unit = get_for_tenant(user, Unit.objects.select_related("agency", "parent"), pk=pk)
    return _activate(request, user, unit.agency), unit


def _position_for(request: HttpRequest, pk: int) -> tuple[Hr, Position]:
    user = hr_user(request)
    position = get_for_tenant(
        user, Position.objects.select_related("agency", "unit", "reports_to__unit"), pk=pk
    )
    return _activate(request, user, position.agency), position


def _employee_for(request: HttpRequest, pk: int) -> tuple[Hr, Employee]:
    user = hr_user(request)
    employee = get_for_tenant(user, Employee.objects.select_related("agency", "user"), pk=pk)
    return _activate(request, user, employee.agency), employee


def _acting_for(request: HttpRequest, pk: int) -> tuple[Hr, ActingAppointment]:
    user = hr_user(request)
    appointment = get_for_tenant(
        user,
        ActingAppointment.objects.select_related("agency", "employee", "position"),
        pk=pk,
    )
    return _activate(request, user, appointment.agency), appointment


# Shared helpers -------------------------------------------------------------------------


def run_action(
    form: forms.Form, call: Callable[[], T], aliases: dict[str, str] | None = None
) -> T | None:
    """Call an action; put its refusal on the form and return None, or return its result."""
    try:
        return call()
    except InvalidInput as error:
        apply_errors(form, error.errors, aliases)
    except ActionForbidden as error:
        raise PermissionDenied(error.message) from error
    except WorkflowError as error:
        form.add_error(None, error.message)
    return None


def _page(
    request: HttpRequest,
    hr: Hr,
    template: str,
    section: str,
    context: dict[str, Any],
    status: int = 200,
) -> HttpResponse:
    base = {
        "agency": hr.agency,
        "section": section,
        "today": timezone.localdate(),
        "agencies": Agency.objects.order_by("name") if hr.user.is_superuser else None,
    }
    return render(request, template, {**base, **context}, status=status)


def _shown_change(request: HttpRequest, agency: Agency) -> OrganisationChange | None:
    """Return the change named by ``?perubahan=<id>`` (just made), if it is the agency's."""
    raw = request.GET.get("perubahan", "")
    if not raw.isdigit():
        return None
    return (
        OrganisationChange.objects.filter(agency=agency, pk=int(raw))
        .select_related("actor")
        .first()
    )


def _with_change(url: str, change: OrganisationChange) -> str:
    return f"{url}?perubahan={change.pk}"


def formatted_nip(employee: Employee) -> str:
    """Return the employee's number grouped as printed on decrees."""
    if len(employee.nip) != 18:
        return employee.nip
    return format_number(employee.nip, EmployeeType(employee.employee_type))


STATUS_LABELS = dict(EmployeeStatus.choices)


# 1. The unit tree -------------------------------------------------------------------------


@dataclass(frozen=True)
class TreeRow:
    """One unit of the tree with its depth and direct counts."""

    unit: Unit
    depth: int
    positions: int
    employees: int


def unit_rows(agency: Agency, day: datetime.date) -> list[TreeRow]:
    """Return the agency's units depth-first (siblings by name) with their counts on ``day``."""
    units = list(Unit.objects.filter(agency=agency).order_by("name", "pk"))
    position_counts = dict(
        Position.objects.filter(agency=agency)
        .order_by()
        .values("unit_id")
        .annotate(count=Count("pk"))
        .values_list("unit_id", "count")
    )
    employee_counts = dict(
        PositionHolding.objects.filter(selectors.covering(day), agency=agency)
        .order_by()
        .values("position__unit_id")
        .annotate(count=Count("employee_id", distinct=True))
        .values_list("position__unit_id", "count")
    )
    children: dict[int | None, list[Unit]] = defaultdict(list)
    for unit in units:
        children[unit.parent_id].append(unit)
    rows: list[TreeRow] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for unit in children.get(parent_id, []):
            rows.append(
                TreeRow(
                    unit,
                    depth,
                    position_counts.get(unit.pk, 0),
                    employee_counts.get(unit.pk, 0),
                )
            )
            walk(unit.pk, depth + 1)

    walk(None, 0)
    return rows


def _unit_tree_page(
    request: HttpRequest, hr: Hr, form: UnitForm | None = None, status: int = 200
) -> HttpResponse:
    return _page(
        request,
        hr,
        "organisation/unit_list.html",
        "units",
        {
            "rows": unit_rows(hr.agency, timezone.localdate()),
            "form": form or UnitForm(prefix="unit", root=True),
        },
        status,
    )


@require_GET
@agency_page
def unit_tree(request: HttpRequest, hr: Hr) -> HttpResponse:
    """Show the agency's unit tree with positions and employees per unit."""
    return _unit_tree_page(request, hr)


@require_POST
@agency_page
def unit_create(request: HttpRequest, hr: Hr) -> HttpResponse:
    """Add a root unit (OPD) to the agency."""
    form = UnitForm(request.POST, prefix="unit", root=True)
    if form.is_valid():
        data = form.cleaned_data
        unit = run_action(
            form,
            lambda: actions.create_unit(
                actor=hr.user,
                agency=hr.agency,
                code=data["code"],
                name=data["name"],
                kind=data["kind"],
            ),
        )
        if unit is not None:
            messages.success(request, _("Unit %(name)s ditambahkan.") % {"name": unit.name})
            return redirect("organisation:unit_detail", pk=unit.pk)
    return _unit_tree_page(request, hr, form)


# 2. A unit -------------------------------------------------------------------------------


def _current_holdings(day: datetime.date) -> Prefetch[Any]:
    return Prefetch(
        "holdings",
        queryset=PositionHolding.objects.filter(selectors.covering(day))
        .select_related("employee")
        .order_by("-starts_on", "-pk"),
        to_attr="current_holdings",
    )


def _current_acting(day: datetime.date) -> Prefetch[Any]:
    return Prefetch(
        "acting_appointments",
        queryset=ActingAppointment.objects.filter(starts_on__lte=day, ends_on__gte=day)
        .select_related("employee")
        .order_by("-starts_on", "-pk"),
        to_attr="current_acting",
    )


def _unit_page(
    request: HttpRequest,
    hr: Hr,
    unit: Unit,
    *,
    subunit_form: UnitForm | None = None,
    position_form: PositionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    ancestor_ids = [int(part) for part in unit.path.strip("/").split("/") if part.isdigit()]
    ancestors = Unit.objects.filter(pk__in=ancestor_ids).exclude(pk=unit.pk).order_by("path")
    positions = (
        unit.positions.select_related("reports_to")
        .prefetch_related(_current_holdings(today), _current_acting(today))
        .order_by("-is_unit_head", "code")
    )
    return _page(
        request,
        hr,
        "organisation/unit_detail.html",
        "units",
        {
            "unit": unit,
            "ancestors": ancestors,
            "positions": positions,
            "children": unit.children.order_by("name"),
            "subunit_form": subunit_form or UnitForm(prefix="subunit"),
            "position_form": position_form or PositionForm(prefix="jabatan", agency=hr.agency),
        },
        status,
    )


@require_GET
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a unit: its positions with holders or Plt/Plh, reporting lines and sub-units."""
    hr, unit = _unit_for(request, pk)
    return _unit_page(request, hr, unit)


@require_POST
def unit_add_subunit(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a sub-unit under the unit."""
    hr, unit = _unit_for(request, pk)
    form = UnitForm(request.POST, prefix="subunit")
    if form.is_valid():
        data = form.cleaned_data
        created = run_action(
            form,
            lambda: actions.create_unit(
                actor=hr.user,
                agency=hr.agency,
                code=data["code"],
                name=data["name"],
                kind=data["kind"],
                parent=unit,
            ),
        )
        if created is not None:
            messages.success(request, _("Sub-unit %(name)s ditambahkan.") % {"name": created.name})
            return redirect("organisation:unit_detail", pk=unit.pk)
    return _unit_page(request, hr, unit, subunit_form=form)


@require_POST
def unit_add_position(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a position to the unit."""
    hr, unit = _unit_for(request, pk)
    form = PositionForm(request.POST, prefix="jabatan", agency=hr.agency)
    if form.is_valid():
        data = form.cleaned_data
        position = run_action(
            form,
            lambda: actions.create_position(
                actor=hr.user,
                agency=hr.agency,
                unit=unit,
                code=data["code"],
                name=data["name"],
                kind=data["kind"],
                functional_level=data["functional_level"],
                reports_to=data["reports_to"],
                is_unit_head=data["is_unit_head"],
            ),
        )
        if position is not None:
            messages.success(request, _("Jabatan %(name)s ditambahkan.") % {"name": position.name})
            return redirect("organisation:unit_detail", pk=unit.pk)
    return _unit_page(request, hr, unit, position_form=form)


# 3. A position ---------------------------------------------------------------------------


def _position_page(
    request: HttpRequest,
    hr: Hr,
    position: Position,
    form: ReportingLineForm | None = None,
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    return _page(
        request,
        hr,
        "organisation/position_detail.html",
        "units",
        {
            "position": position,
            "official": selectors.official_of_post(position, today),
            "holdings": position.holdings.select_related("employee").order_by("-starts_on", "-pk"),
            "acting": position.acting_appointments.select_related("employee").order_by(
                "-starts_on", "-pk"
            ),
            "history": ReportingLineChange.objects.filter(position=position).select_related(
                "old_reports_to", "new_reports_to", "changed_by"
            ),
            "subordinates": position.subordinates.select_related("unit").order_by(
                "unit__path", "code"
            ),
            "form": form or ReportingLineForm(position=position),
            "change": _shown_change(request, hr.agency),
        },
        status,
    )


@require_GET
def position_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a position: holders, acting officials, reporting-line history and its correction."""
    hr, position = _position_for(request, pk)
    return _position_page(request, hr, position)


@require_POST
def position_reporting_line(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct the position's reporting line, then show the change and documents affected."""
    hr, position = _position_for(request, pk)
    form = ReportingLineForm(request.POST, position=position)
    if form.is_valid():
        data = form.cleaned_data
        change = run_action(
            form,
            lambda: actions.correct_reporting_line(
                actor=hr.user,
                position=position,
                reports_to=data["reports_to"],
                reason=data["reason"],
            ),
        )
        if change is not None:
            messages.success(request, _("Garis atasan dikoreksi."))
            url = reverse("organisation:position_detail", kwargs={"pk": position.pk})
            return redirect(_with_change(url, change))
    return _position_page(request, hr, position, form)


# 4. Employees ----------------------------------------------------------------------------


@dataclass(frozen=True)
class EmployeeRow:
    """One line of the employee list."""

    employee: Employee
    nip: str
    holding: PositionHolding | None
    status: StrOrPromise
    active: bool


def search_employees(
    agency: Agency, data: dict[str, Any], day: datetime.date
) -> QuerySet[Employee]:
    """Return the agency's employees matching a name or number, unit (subtree) and status."""
    employees = Employee.objects.filter(agency=agency)
    text = (data.get("q") or "").strip()
    if text:
        condition = Q(name__icontains=text)
        digits = text.replace(" ", "")
        if digits.isdigit():
            # An NIP is stored as digits; HR types it as printed, with spaces.
            condition |= Q(nip__contains=digits)
        employees = employees.filter(condition)
    unit: Unit | None = data.get("unit")
    if unit is not None:
        in_unit = PositionHolding.objects.filter(
            selectors.covering(day),
            employee=OuterRef("pk"),
            position__unit__path__startswith=unit.path,
        )
        employees = employees.filter(Exists(in_unit))
    status = data.get("status") or ""
    if status == EmployeeStatus.ACTIVE:
        employees = employees.exclude(
            Exists(selectors.inactive_on(day).filter(employee=OuterRef("pk")))
        )
    elif status:
        employees = employees.filter(
            Exists(selectors.inactive_on(day).filter(employee=OuterRef("pk"), status=status))
        )
    return employees.prefetch_related(
        Prefetch(
            "holdings",
            queryset=PositionHolding.objects.filter(selectors.covering(day))
            .select_related("position__unit")
            .order_by("-starts_on", "-pk"),
            to_attr="current_holdings",
        ),
        Prefetch(
            "status_periods",
            queryset=EmployeeStatusPeriod.objects.filter(selectors.covering(day)).order_by(
                "-starts_on", "-pk"
            ),
            to_attr="current_statuses",
        ),
    ).order_by("name", "pk")


def employee_rows(employees: Iterable[Employee]) -> list[EmployeeRow]:
    """Return list lines for employees fetched by ``search_employees``."""
    rows = []
    for employee in employees:
        holdings: list[PositionHolding] = getattr(employee, "current_holdings", [])
        statuses: list[EmployeeStatusPeriod] = getattr(employee, "current_statuses", [])
        status = statuses[0].status if statuses else EmployeeStatus.ACTIVE
        rows.append(
            EmployeeRow(
                employee=employee,
                nip=formatted_nip(employee),
                holding=holdings[0] if holdings else None,
                status=STATUS_LABELS[status],
                active=status == EmployeeStatus.ACTIVE,
            )
        )
    return rows


@require_GET
@agency_page
def employee_list(request: HttpRequest, hr: Hr) -> HttpResponse:
    """List the agency's employees: search by name or NIP, filter by unit and status."""
    today = timezone.localdate()
    form = EmployeeSearchForm(request.GET or None, agency=hr.agency)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    page: Page[Employee] = Paginator(search_employees(hr.agency, data, today), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": employee_rows(page.object_list),
        "query": query.urlencode(),
    }
    if request.headers.get("HX-Request") == "true":
        return _page(request, hr, "organisation/_employee_results.html", "employees", context)
    return _page(request, hr, "organisation/employee_list.html", "employees", context)


@require_http_methods(["GET", "POST"])
@agency_page
def employee_create(request: HttpRequest, hr: Hr) -> HttpResponse:
    """Add an employee (with an account signing in with the NIP) and place them in a post."""
    form = EmployeeForm(request.POST or None, agency=hr.agency)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def create() -> Employee:
            # One transaction: an employee whose placement fails is not left half-made.
            with transaction.atomic():
                employee = actions.create_employee(
                    actor=hr.user,
                    agency=hr.agency,
                    nip=data["nip"],
                    name=data["name"],
                    employee_type=data["employee_type"],
                    sex=data["sex"],
                    email=data["email"],
                )
                if data["position"] is not None:
                    actions.assign_position(
                        actor=hr.user,
                        employee=employee,
                        position=data["position"],
                        starts_on=data["starts_on"],
                        reference=data["reference"],
                    )
                return employee

        employee = run_action(form, create)
        if employee is not None:
            messages.success(request, _("Pegawai %(name)s ditambahkan.") % {"name": employee.name})
            return redirect("organisation:employee_detail", pk=employee.pk)
    return _page(request, hr, "organisation/employee_form.html", "employees", {"form": form})


def _employee_page(
    request: HttpRequest,
    hr: Hr,
    employee: Employee,
    *,
    transfer_form: TransferForm | None = None,
    status_form: StatusForm | None = None,
    end_forms: dict[int, StatusEndForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    current_status = selectors.status_on(employee, today)
    end_forms = end_forms or {}
    periods = [
        StatusRow(
            period,
            (
                end_forms.get(period.pk) or StatusEndForm(prefix=f"akhir-status-{period.pk}")
                if period.ends_on is None or period.ends_on >= today
                else None
            ),
        )
        for period in employee.status_periods.order_by("-starts_on", "-pk")
    ]
    return _page(
        request,
        hr,
        "organisation/employee_detail.html",
        "employees",
        {
            "employee": employee,
            "nip": formatted_nip(employee),
            "status_today": STATUS_LABELS[current_status],
            "active_today": current_status == EmployeeStatus.ACTIVE,
            "holding": selectors.holding_on(employee, today),
            "holdings": employee.holdings.select_related("position__unit").order_by(
                "-starts_on", "-pk"
            ),
            "status_periods": periods,
            "acting": employee.acting_appointments.select_related("position").order_by(
                "-starts_on", "-pk"
            ),
            "appraiser": selectors.appraiser_of(employee, today),
            "appraiser_supervisor": selectors.appraiser_supervisor_of(employee, today),
            "transfer_form": transfer_form or TransferForm(prefix="mutasi", agency=hr.agency),
            "status_form": status_form or StatusForm(prefix="status"),
            "change": _shown_change(request, hr.agency),
        },
        status,
    )


@dataclass(frozen=True)
class StatusRow:
    """A status period with its form to end it (only while it lasts, or before it starts)."""

    period: EmployeeStatusPeriod
    end_form: StatusEndForm | None


@require_GET
def employee_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show an employee: number, status, posts held, appraisers today, and HR's forms."""
    hr, employee = _employee_for(request, pk)
    return _employee_page(request, hr, employee)


@require_POST
def employee_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    """Transfer the employee (mutasi), then show the change and the documents affected."""
    hr, employee = _employee_for(request, pk)
    form = TransferForm(request.POST, prefix="mutasi", agency=hr.agency)
    if form.is_valid():
        data = form.cleaned_data
        change = run_action(
            form,
            lambda: actions.transfer_employee(
                actor=hr.user,
                employee=employee,
                position=data["position"],
                on=data["on"],
                reason=data["reason"],
                reference=data["reference"],
            ),
        )
        if change is not None:
            messages.success(request, _("Mutasi tersimpan."))
            url = reverse("organisation:employee_detail", kwargs={"pk": employee.pk})
            return redirect(_with_change(url, change))
    return _employee_page(request, hr, employee, transfer_form=form)


@require_POST
def employee_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a status period (retired, study leave, ...) for the employee."""
    hr, employee = _employee_for(request, pk)
    form = StatusForm(request.POST, prefix="status")
    if form.is_valid():
        data = form.cleaned_data
        period = run_action(
            form,
            lambda: actions.set_employee_status(
                actor=hr.user,
                employee=employee,
                status=data["status"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                reference=data["reference"],
            ),
        )
        if period is not None:
            messages.success(
                request,
                _("Status %(status)s dicatat mulai %(day)s.")
                % {"status": period.get_status_display(), "day": period.starts_on.isoformat()},
            )
            return redirect("organisation:employee_detail", pk=employee.pk)
    return _employee_page(request, hr, employee, status_form=form)


@require_POST
def employee_status_end(request: HttpRequest, pk: int, period: int) -> HttpResponse:
    """End a status period (back from study leave, say); the employee is active the day after."""
    hr, employee = _employee_for(request, pk)
    found = get_object_or_404(EmployeeStatusPeriod, pk=period, employee=employee)
    form = StatusEndForm(request.POST, prefix=f"akhir-status-{found.pk}")
    if form.is_valid():
        data = form.cleaned_data
        ended = run_action(
            form,
            lambda: actions.end_employee_status(
                actor=hr.user, period=found, ends_on=data["ends_on"], reference=data["reference"]
            ),
        )
        if ended is not None:
            messages.success(
                request,
                _("Status %(status)s berakhir %(day)s; pegawai aktif kembali esok harinya.")
                % {"status": ended.get_status_display(), "day": data["ends_on"].isoformat()},
            )
            return redirect("organisation:employee_detail", pk=employee.pk)
    return _employee_page(request, hr, employee, end_forms={found.pk: form})


# 5. Acting officials (Plt / Plh) ---------------------------------------------------------


@dataclass(frozen=True)
class ActingRow:
    """A current or upcoming appointment with its form to end it early."""

    appointment: ActingAppointment
    end_form: ActingEndForm


@dataclass
class ActingLists:
    """The agency's acting appointments split by today."""

    current: list[ActingRow] = field(default_factory=list)
    upcoming: list[ActingRow] = field(default_factory=list)
    past: list[ActingAppointment] = field(default_factory=list)


def _acting_page(
    request: HttpRequest,
    hr: Hr,
    *,
    form: ActingForm | None = None,
    end_forms: dict[int, ActingEndForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    lists = ActingLists()
    appointments = (
        ActingAppointment.objects.filter(agency=hr.agency)
        .select_related("employee", "position__unit")
        .order_by("-starts_on", "-pk")
    )
    bound = end_forms or {}
    for appointment in appointments:
        if appointment.ends_on < today:
            if len(lists.past) < PAST_ACTING_SHOWN:
                lists.past.append(appointment)
            continue
        end_form = bound.get(appointment.pk) or ActingEndForm(prefix=f"akhir-{appointment.pk}")
        row = ActingRow(appointment, end_form)
        (lists.current if appointment.starts_on <= today else lists.upcoming).append(row)
    return _page(
        request,
        hr,
        "organisation/acting_list.html",
        "acting",
        {
            "lists": lists,
            "past_limit": PAST_ACTING_SHOWN,
            "form": form or ActingForm(prefix="plt", agency=hr.agency),
        },
        status,
    )


@require_http_methods(["GET", "POST"])
@agency_page
def acting_list(request: HttpRequest, hr: Hr) -> HttpResponse:
    """List acting officials (current, upcoming, past) and appoint a new one."""
    if request.method != "POST":
        return _acting_page(request, hr)
    form = ActingForm(request.POST, prefix="plt", agency=hr.agency)
    if form.is_valid():
        data = form.cleaned_data
        appointment = run_action(
            form,
            lambda: actions.appoint_acting_official(
                actor=hr.user,
                employee=data["nip"],
                position=data["position"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                decree_number=data["decree_number"],
                kind=data["kind"],
            ),
            aliases={"employee": "nip"},
        )
        if appointment is not None:
            messages.success(request, _("%(label)s ditunjuk.") % {"label": appointment.label})
            return redirect("organisation:acting_list")
    return _acting_page(request, hr, form=form)


@require_POST
def acting_end(request: HttpRequest, pk: int) -> HttpResponse:
    """End an acting appointment before the decree's end date, with the reason."""
    hr, appointment = _acting_for(request, pk)
    form = ActingEndForm(request.POST, prefix=f"akhir-{appointment.pk}")
    if form.is_valid():
        data = form.cleaned_data
        ended = run_action(
            form,
            lambda: actions.end_acting_appointment(
                actor=hr.user,
                appointment=appointment,
                ends_on=data["ends_on"],
                reason=data["reason"],
            ),
        )
        if ended is not None:
            messages.success(
                request,
                _("%(label)s berakhir %(day)s.")
                % {"label": ended.label, "day": ended.ends_on.isoformat()},
            )
            return redirect("organisation:acting_list")
    return _acting_page(request, hr, end_forms={appointment.pk: form})


# 6. Gaps ---------------------------------------------------------------------------------


@require_GET
@agency_page
def vacancy_list(request: HttpRequest, hr: Hr) -> HttpResponse:
    """List posts nobody exercises today and where their subordinates' appraisals go."""
    return _page(
        request,
        hr,
        "organisation/vacancy_list.html",
        "vacancies",
        {"vacancies": selectors.vacancies(hr.agency, timezone.localdate())},
    )


# 7. Change log ---------------------------------------------------------------------------


@require_GET
@agency_page
def change_list(request: HttpRequest, hr: Hr) -> HttpResponse:
    """List the agency's organisation changes, newest first, with the documents affected."""
    changes = OrganisationChange.objects.filter(agency=hr.agency).select_related("actor")
    page: Page[OrganisationChange] = Paginator(changes, PAGE_SIZE).get_page(request.GET.get("page"))
    return _page(request, hr, "organisation/change_list.html", "changes", {"page": page})


# 8. Import -------------------------------------------------------------------------------


def _store_upload(upload: UploadedFile) -> str:
    token = str(uuid.uuid4())
    folder = import_dir()
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / token).open("wb") as target:
        for chunk in upload.chunks():
            target.write(chunk)
    return token


def _import_page(
    request: HttpRequest,
    hr: Hr,
    *,
    form: ImportUploadForm | None = None,
    report: Any = None,
    token: str = "",
    status: int = 200,
) -> HttpResponse:
    return _page(
        request,
        hr,
        "organisation/import_form.html",
        "import",
        {
            "form": form or ImportUploadForm(),
            "report": report,
            "token": token,
        },
        status,
    )


@require_http_methods(["GET", "POST"])
@agency_page
def import_upload(request: HttpRequest, hr: Hr) -> HttpResponse:
    """Upload a workbook or CSV and show the dry run's report; nothing is saved yet."""
    if request.method != "POST":
        return _import_page(request, hr)
    form = ImportUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _import_page(request, hr, form=form)
    upload: UploadedFile = form.cleaned_data["file"]
    filename = upload.name or "impor"
    sheet = form.cleaned_data["sheet"] or None
    token = _store_upload(upload)
    path = upload_path(token)
    try:
        with path.open("rb") as stored:
            report = import_organisation(
                actor=hr.user,
                agency=hr.agency,
                file=stored,
                filename=filename,
                dry_run=True,
                sheet=sheet,
            )
    except ActionForbidden as error:
        path.unlink(missing_ok=True)
        raise PermissionDenied(error.message) from error
    if not report.ok:
        path.unlink(missing_ok=True)
        return _import_page(request, hr, form=ImportUploadForm(), report=report)
    pending = dict(request.session.get(SESSION_IMPORTS, {}))
    pending[token] = {"agency": hr.agency.pk, "filename": filename, "sheet": sheet or ""}
    request.session[SESSION_IMPORTS] = pending
    return _import_page(request, hr, report=report, token=token)


@require_POST
@agency_page
def import_commit(request: HttpRequest, hr: Hr) -> HttpResponse:
    """Start the real import of a file whose dry run passed, then show the job's progress."""
    token = request.POST.get("token", "")
    pending = dict(request.session.get(SESSION_IMPORTS, {}))
    entry = pending.get(token)
    path = upload_path(token)
    if entry is None or not path.exists():
        messages.error(request, _("Berkas impor tidak ditemukan lagi; unggah ulang."))
        return redirect("organisation:import")
    agency = get_object_or_404(Agency, pk=entry["agency"])
    if not administers(hr.user, agency.pk):
        raise PermissionDenied(_("Hanya admin kepegawaian instansi ini yang boleh melakukannya."))
    del pending[token]
    request.session[SESSION_IMPORTS] = pending
    job = enqueue_job(
        tenant_id=agency.pk,
        kind=IMPORT_JOB_KIND,
        params=job_params(token, entry["filename"], entry["sheet"]),
        actor=hr.user,
    )
    return redirect("workflow:job_detail", job.pk)


@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    """Download the empty workbook with the four sheets and their columns."""
    hr_user(request)
    response = HttpResponse(template_workbook(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="templat_impor_organisasi.xlsx"'
    return response


SAMPLE_FILE = Path(__file__).resolve().parent / "samples" / "contoh_impor_organisasi.xlsx"


@require_GET
def import_example(request: HttpRequest) -> FileResponse:
    """Download the filled-in example workbook."""
    hr_user(request)
    if not SAMPLE_FILE.exists():
        raise Http404(_("Berkas contoh belum tersedia."))
    return FileResponse(
        SAMPLE_FILE.open("rb"),
        as_attachment=True,
        filename=SAMPLE_FILE.name,
        content_type=XLSX_TYPE,
    )
