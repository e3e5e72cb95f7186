"""HR's SKP pages: cycles, agency settings, the stuck-approval console and dashboards.

Who sees what: an agency HR admin (``is_agency_admin``) sees and changes only their own
agency; a superadmin chooses the agency (``?instansi=<code>``, remembered in the session and
shared with the organisation pages) and may do everything; everyone else gets 403. A record
of another agency (a cycle, a task, an SKP) answers 404. Views never write models: every
change goes through an action, and the errors an action raises are shown next to the form's
fields. Dates and times are shown in the agency's zone (WIB/WITA/WIT).
"""

from __future__ import annotations

import datetime
import re
import zoneinfo
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import update_wrapper
from typing import Any, Concatenate, ParamSpec, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_stubs_ext import StrOrPromise

from processes.organisation.access import administered_agency_ids, get_for_tenant
from processes.organisation.identity import EmployeeType, format_number
from processes.organisation.models import Agency, Employee, PositionKind, User
from processes.skp import dashboards, exports
from processes.skp.actions import cycle as cycle_actions
from processes.skp.actions.settings import InvalidSettings, save_skp_settings
from processes.skp.exports import EXPORT_JOB
from processes.skp.forms_hr import (
    BulkReassignForm,
    CycleForm,
    DashboardForm,
    ReasonForm,
    ReassignForm,
    ReturnForm,
    SkpSettingsForm,
    StuckFilterForm,
    UserSearchForm,
    apply_errors,
    search_users,
)
from processes.skp.jobs import OPEN_CYCLE_JOB, open_cycle_params
from processes.skp.models import CurvePopulation, Cycle, Skp
from processes.skp.process import KIND, settings_for
from processes.skp.rules import Predikat
from workflow import actions as engine
from workflow import selectors
from workflow.errors import ActionForbidden, WorkflowError
from workflow.jobs import UnknownJob, enqueue_job
from workflow.models import AuditCode, AuditEntry, Case, Job, JobStatus, WorkItem
from workflow.spec import Phase, StageSpec, stage_index

P = ParamSpec("P")
T = TypeVar("T")

# The organisation pages remember a superadmin's agency under the same key, so one choice
# holds on every HR page.
SESSION_AGENCY = "organisation_agency"
PAGE_SIZE = 50
AUDIT_SHOWN = 100
_IDS = re.compile(r"^\d+(,\d+)*$")
_PREFIX = re.compile(r"^(massal|[ts]\d{1,18})$")
PHASE_LABELS: dict[str, StrOrPromise] = dict(Phase.choices)

SECTION_URLS = {
    "cycles": "skp:cycle_list",
    "settings": "skp:hr_settings",
    "stuck": "skp:stuck_console",
    "dashboard": "skp:hr_dashboard",
}


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
        # hr_user() made sure an HR admin has an agency.
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
    """Give a page its HR user and agency; a superadmin without a choice picks one first."""

    def wrapper(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        user = hr_user(request)
        agency = selected_agency(request, user)
        if agency is None:
            if request.method != "GET":
                # A form sent before choosing: the cycle list asks for the agency first.
                return redirect("skp:cycle_list")
            return render(
                request,
                "skp/hr/agency_choose.html",
                {"agencies": Agency.objects.order_by("name"), "next": request.path},
            )
        return view(request, _activate(request, user, agency), *args, **kwargs)

    update_wrapper(wrapper, view)
    return wrapper


def _cycle_for(request: HttpRequest, pk: int) -> tuple[Hr, Cycle]:
    user = hr_user(request)
    cycle = get_for_tenant(user, Cycle.objects.select_related("agency", "template"), pk=pk)
    return _activate(request, user, cycle.agency), cycle


def _skp_related(prefix: str = "") -> tuple[str, ...]:
    return tuple(
        f"{prefix}{name}" for name in ("skp__employee", "skp__unit", "skp__agency", "skp__cycle")
    )


def _task_for(request: HttpRequest, task_id: int) -> tuple[Hr, WorkItem]:
    """Return an SKP task of an agency the user administers; 404 for anything else."""
    user = hr_user(request)
    queryset = WorkItem.objects.filter(pk=task_id, process__case__process_kind=KIND)
    agency_ids = administered_agency_ids(user)
    if agency_ids is not None:
        queryset = queryset.filter(process__case__tenant_id__in=agency_ids)
    task = (
        queryset.select_related(
            "process__case__template_version",
            "owner",
            "acting_for",
            *_skp_related("process__case__"),
        )
        .exclude(stage_key="")
        .first()
    )
    if task is None:
        raise Http404(_("Tugas tidak ditemukan."))
    skp = _skp_of(_case_of(task))
    if skp is None:
        raise Http404(_("Tugas tidak ditemukan."))
    return _activate(request, user, skp.agency), task


def _skp_for(request: HttpRequest, pk: int) -> tuple[Hr, Skp]:
    user = hr_user(request)
    skp = get_for_tenant(
        user,
        Skp.objects.select_related(
            "agency", "employee", "unit", "cycle", "case__template_version"
        ).filter(case__isnull=False),
        pk=pk,
    )
    return _activate(request, user, skp.agency), skp


def _case_of(task: WorkItem) -> Case:
    case: Case = task.process.case
    return case


def _skp_of(case: Case) -> Skp | None:
    try:
        skp: Skp = case.skp
    except Skp.DoesNotExist:
        return None
    return skp


# Shared helpers -------------------------------------------------------------------------


def run_action(form: forms.Form, call: Callable[[], T]) -> T | None:
    """Call an action; put its refusal on the form and return None, or return its result."""
    try:
        return call()
    except (cycle_actions.InvalidCycle, InvalidSettings) as error:
        apply_errors(form, error.errors)
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
        "picker_url": reverse(SECTION_URLS[section]),
        "agencies": Agency.objects.order_by("name") if hr.user.is_superuser else None,
    }
    return render(request, template, {**base, **context}, status=status)


def age_text(age: datetime.timedelta) -> str:
    """Return a duration as people say it: "3 hari", "5 jam", "12 menit"."""
    seconds = max(int(age.total_seconds()), 0)
    days, hours, minutes = seconds // 86400, seconds // 3600, seconds // 60
    if days:
        return ngettext("%(count)d hari", "%(count)d hari", days) % {"count": days}
    if hours:
        return ngettext("%(count)d jam", "%(count)d jam", hours) % {"count": hours}
    return ngettext("%(count)d menit", "%(count)d menit", minutes) % {"count": minutes}


def formatted_nip(employee: Employee) -> str:
    """Return the employee's number grouped as printed on decrees."""
    if len(employee.nip) != 18:
        return employee.nip
    return format_number(employee.nip, EmployeeType(employee.employee_type))


def _stage_name(case: Case, key: str) -> str:
    try:
        return case.template_version.stage(key).name
    except KeyError:
        return key


def _earlier_stages(case: Case) -> list[StageSpec]:
    """Return the stages before the case's current one (where an admin may send it back)."""
    specs = case.template_version.specs()
    try:
        index = stage_index(specs, case.stage_key)
    except KeyError:
        return []
    return specs[:index]


def _latest_audit(case_id: int, code: AuditCode) -> int | None:
    return (
        AuditEntry.objects.filter(case_id=case_id, code=code)
        .order_by("-sequence")
        .values_list("pk", flat=True)
        .first()
    )


def _console_url(audit_ids: Sequence[int | None], tab: str = "") -> str:
    url = reverse("skp:stuck_cancelled" if tab == "cancelled" else "skp:stuck_console")
    ids = [str(pk) for pk in audit_ids if pk is not None]
    return f"{url}?audit={','.join(ids)}" if ids else url


@dataclass(frozen=True)
class AuditItem:
    """An audit row as the console shows it, with the stages it moved between by name."""

    entry: AuditEntry
    detail: str


def _audit_detail(entry: AuditEntry) -> str:
    case = entry.case
    if case is None or not entry.to_stage or entry.from_stage == entry.to_stage:
        return ""
    return f"{_stage_name(case, entry.from_stage)} → {_stage_name(case, entry.to_stage)}"


def _shown_audit(request: HttpRequest, agency: Agency) -> list[AuditItem]:
    """Return the audit rows named by ``?audit=1,2`` (just written), if they are the agency's."""
    raw = request.GET.get("audit", "")
    if not _IDS.match(raw):
        return []
    ids = [int(part) for part in raw.split(",")[:AUDIT_SHOWN]]
    entries = (
        AuditEntry.objects.filter(pk__in=ids, tenant_id=agency.pk)
        .select_related("actor", "case__template_version")
        .order_by("pk")
    )
    return [AuditItem(entry, _audit_detail(entry)) for entry in entries]


# 1. Cycles -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CycleRow:
    """One cycle of the list with its SKP counts per phase."""

    cycle: Cycle
    total: int
    phases: list[tuple[StrOrPromise, int]]


def _phase_chips(counts: dict[str, int]) -> list[tuple[StrOrPromise, int]]:
    """Return (phase label, count) for the phases that have SKPs, in cycle order."""
    return [
        (PHASE_LABELS[phase], counts[phase]) for phase in dashboards.ALL_PHASES if counts.get(phase)
    ]


@require_GET
@agency_page
def cycle_list(request: HttpRequest, hr: Hr) -> HttpResponse:
    """List the agency's cycles with their SKP counts per phase."""
    counts = dashboards.phase_counts_by_cycle(hr.agency)
    rows = []
    for cycle in Cycle.objects.filter(agency=hr.agency).select_related("template"):
        phases = counts.get(cycle.pk, {})
        rows.append(CycleRow(cycle, sum(phases.values()), _phase_chips(phases)))
    return _page(request, hr, "skp/hr/cycle_list.html", "cycles", {"rows": rows})


@require_http_methods(["GET", "POST"])
@agency_page
def cycle_create(request: HttpRequest, hr: Hr) -> HttpResponse:
    """Create a draft cycle on a published SKP template of the agency."""
    if request.method != "POST":
        form = CycleForm(
            agency=hr.agency,
            initial={
                "year": timezone.localdate().year,
                "period_type": settings_for(hr.agency.pk).period_type,
            },
        )
        return _page(request, hr, "skp/hr/cycle_form.html", "cycles", {"form": form})
    form = CycleForm(request.POST, agency=hr.agency)
    if form.is_valid():
        data = form.cleaned_data
        cycle = run_action(
            form,
            lambda: cycle_actions.create_cycle(
                actor=hr.user,
                agency=hr.agency,
                year=data["year"],
                name=data["name"],
                template=data["template"],
                period_type=data["period_type"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                units=data["units"],
                position_kinds=data["position_kinds"],
                plan_deadline=data["plan_deadline"],
                evaluation_deadline=data["evaluation_deadline"],
            ),
        )
        if cycle is not None:
            messages.success(request, _("Siklus %(name)s dibuat sebagai draf.") % {"name": cycle})
            return redirect("skp:cycle_detail", pk=cycle.pk)
    return _page(request, hr, "skp/hr/cycle_form.html", "cycles", {"form": form})


def _latest_job(cycle: Cycle, kind: str = OPEN_CYCLE_JOB) -> Job | None:
    return (
        Job.objects.filter(tenant_id=cycle.agency_id, kind=kind, params__cycle_id=cycle.pk)
        .order_by("-pk")
        .first()
    )


@require_GET
def cycle_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a cycle: SKPs by phase per unit, enrolment progress, open and close."""
    hr, cycle = _cycle_for(request, pk)
    units = dashboards.phase_counts_by_unit(cycle)
    enrolled = Skp.objects.filter(cycle=cycle, sequence=1).count()
    remaining = (
        cycle_actions.eligible_employees(cycle).count()
        if cycle.status != Cycle.Status.CLOSED
        else 0
    )
    kinds = dict(PositionKind.choices)
    return _page(
        request,
        hr,
        "skp/hr/cycle_detail.html",
        "cycles",
        {
            "cycle": cycle,
            "units": units,
            "unit_chips": [{"row": row, "phases": _phase_chips(row.counts)} for row in units],
            "totals": dashboards.phase_totals(units),
            "phase_labels": [PHASE_LABELS[phase] for phase in dashboards.ALL_PHASES],
            "enrolled": enrolled,
            "remaining": remaining,
            "eligible": enrolled + remaining,
            "job": _latest_job(cycle),
            "export_job": _latest_job(cycle, EXPORT_JOB),
            "chosen_units": cycle.units.order_by("path"),
            "position_kinds": [kinds.get(kind, kind) for kind in cycle.position_kinds],
        },
    )


@require_POST
def cycle_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Open the cycle, then enrol its employees in a background job and show its progress.

    Without the job registered (an installation that did not wire it) enrolment runs here,
    in this request; it is safe to repeat either way.
    """
    hr, cycle = _cycle_for(request, pk)
    try:
        cycle_actions.mark_cycle_open(cycle_id=cycle.pk, actor=hr.user)
    except ActionForbidden as error:
        raise PermissionDenied(error.message) from error
    except WorkflowError as error:
        messages.error(request, error.message)
        return redirect("skp:cycle_detail", pk=cycle.pk)
    try:
        job = enqueue_job(
            tenant_id=cycle.agency_id,
            kind=OPEN_CYCLE_JOB,
            params=open_cycle_params(cycle.pk),
            actor=hr.user,
        )
    except UnknownJob:
        count = cycle_actions.open_cycle_now(cycle_id=cycle.pk, actor=hr.user)
        messages.success(request, _("Siklus dibuka; %(count)d SKP terdaftar.") % {"count": count})
        return redirect("skp:cycle_detail", pk=cycle.pk)
    messages.success(request, _("Siklus dibuka; pegawai sedang didaftarkan."))
    return redirect("workflow:job_detail", job.pk)


@require_POST
def cycle_export(request: HttpRequest, pk: int) -> HttpResponse:
    """Start exporting the cycle's results to Excel; show the job's progress and download."""
    hr, cycle = _cycle_for(request, pk)
    try:
        job = exports.request_cycle_export(cycle_id=cycle.pk, actor=hr.user)
    except ActionForbidden as error:
        raise PermissionDenied(error.message) from error
    messages.success(request, _("Ekspor disiapkan; tautan unduhan muncul setelah selesai."))
    return redirect("workflow:job_detail", job.pk)


@require_GET
def cycle_export_download(request: HttpRequest, job_id: int) -> FileResponse:
    """Send a finished export to HR of its agency (anyone else: 404)."""
    user = hr_user(request)
    job = get_for_tenant(
        user, Job.objects.filter(kind=EXPORT_JOB, status=JobStatus.DONE), "tenant_id", pk=job_id
    )
    path = exports.export_path(job.pk)
    if not path.exists():
        raise Http404(_("Berkas ekspor tidak ditemukan lagi; ekspor ulang."))
    cycle = Cycle.objects.filter(pk=job.params.get("cycle_id")).first()
    name = f"hasil-skp-{cycle.year if cycle else job.pk}-{job.pk}.xlsx"
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@require_http_methods(["GET", "POST"])
def cycle_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask for confirmation, then close the cycle (no more enrolment)."""
    hr, cycle = _cycle_for(request, pk)
    if request.method == "POST":
        try:
            cycle_actions.close_cycle(cycle_id=cycle.pk, actor=hr.user)
        except ActionForbidden as error:
            raise PermissionDenied(error.message) from error
        except WorkflowError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Siklus %(name)s ditutup.") % {"name": cycle})
        return redirect("skp:cycle_detail", pk=cycle.pk)
    return _page(request, hr, "skp/hr/cycle_close.html", "cycles", {"cycle": cycle})


# 2. Agency settings ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@agency_page
def skp_settings(request: HttpRequest, hr: Hr) -> HttpResponse:
    """Show and change the agency's SKP settings (every change audited)."""
    current = settings_for(hr.agency.pk)
    if request.method != "POST":
        form = SkpSettingsForm(initial=SkpSettingsForm.initial_for(current))
        return _page(request, hr, "skp/hr/settings_form.html", "settings", {"form": form})
    form = SkpSettingsForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        saved = run_action(form, lambda: save_skp_settings(actor=hr.user, agency=hr.agency, **data))
        if saved is not None:
            messages.success(request, _("Pengaturan SKP disimpan."))
            return redirect("skp:hr_settings")
    return _page(request, hr, "skp/hr/settings_form.html", "settings", {"form": form})


# 3. The stuck-approval console ------------------------------------------------------------


@dataclass(frozen=True)
class StuckRow:
    """A stuck or overdue task with what the console shows about it."""

    task: WorkItem
    skp: Skp | None
    nip: str
    stage_name: str
    phase_label: StrOrPromise
    reason: selectors.StuckReason
    age: str
    can_return: bool


def stuck_tasks(hr: Hr, unit: Any = None, phase: str = "") -> QuerySet[WorkItem]:
    """Return the agency's stuck or overdue SKP tasks, employee and unit joined (one query)."""
    queryset = selectors.stuck_work(hr.user, phase=phase).filter(
        process__case__process_kind=KIND, process__case__tenant_id=hr.agency.pk
    )
    if unit is not None:
        queryset = queryset.filter(process__case__skp__unit__path__startswith=unit.path)
    return queryset.select_related(*_skp_related("process__case__"))


def stuck_rows(tasks: Sequence[WorkItem], now: datetime.datetime) -> list[StuckRow]:
    """Describe tasks fetched by ``stuck_tasks`` (no query)."""
    rows = []
    for task in tasks:
        case = _case_of(task)
        reason = selectors.stuck_reason(task, now)
        skp = _skp_of(case)
        rows.append(
            StuckRow(
                task=task,
                skp=skp,
                nip=formatted_nip(skp.employee) if skp is not None else "",
                stage_name=_stage_name(case, task.stage_key),
                phase_label=PHASE_LABELS.get(case.phase, case.phase),
                reason=reason,
                age=age_text(reason.age),
                can_return=bool(_earlier_stages(case)),
            )
        )
    return rows


def _bulk_form(
    hr: Hr, data: Any = None, task_ids: Sequence[int] = (), shown: Sequence[User] = ()
) -> BulkReassignForm:
    return BulkReassignForm(data, prefix="massal", agency=hr.agency, task_ids=task_ids, shown=shown)


def _console_page(
    request: HttpRequest, hr: Hr, bulk_form: BulkReassignForm | None = None, status: int = 200
) -> HttpResponse:
    now = timezone.now()
    filters = StuckFilterForm(request.GET or None, agency=hr.agency)
    data = filters.cleaned_data if filters.is_bound and filters.is_valid() else {}
    page: Page[WorkItem] = Paginator(
        stuck_tasks(hr, data.get("unit"), data.get("phase") or ""), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    search = UserSearchForm(request.GET or None, prefix="massal")
    query = search.cleaned_data.get("q", "") if search.is_valid() else ""
    if bulk_form is None:
        bulk_form = _bulk_form(hr, shown=search_users(hr.agency, query) if query else ())
    params = request.GET.copy()
    for name in ("page", "audit"):
        params.pop(name, None)
    return _page(
        request,
        hr,
        "skp/hr/stuck_console.html",
        "stuck",
        {
            "filters": filters,
            "page": page,
            "rows": stuck_rows(list(page.object_list), now),
            "query": params.urlencode(),
            "search": search,
            "bulk_form": bulk_form,
            "audit_entries": _shown_audit(request, hr.agency),
            "cancelled_count": _cancelled(hr.agency).count(),
            "tab": "stuck",
        },
        status,
    )


@require_GET
@agency_page
def stuck_console(request: HttpRequest, hr: Hr) -> HttpResponse:
    """List every stuck or overdue SKP task of the agency with its age and reason."""
    return _console_page(request, hr)


@require_GET
@agency_page
def user_search(request: HttpRequest, hr: Hr) -> HttpResponse:
    """Return the radio buttons of users matching ``q`` for a reassign form (htmx)."""
    prefix = request.GET.get("prefix", "")
    if not _PREFIX.match(prefix):
        raise Http404(_("Formulir tidak dikenal."))
    search = UserSearchForm(request.GET, prefix=prefix)
    query = search.cleaned_data.get("q", "") if search.is_valid() else ""
    form = ReassignForm(
        prefix=prefix, agency=hr.agency, shown=search_users(hr.agency, query) if query else ()
    )
    return render(
        request, "skp/hr/_user_choices.html", {"form": form, "query": query, "searched": True}
    )


def _task_context(task: WorkItem, hr: Hr) -> dict[str, Any]:
    case = _case_of(task)
    row = stuck_rows([task], timezone.now())[0]
    current = (
        case.is_open
        and task.status in selectors.OPEN
        and task.visit == case.visit
        and task.stage_key == case.stage_key
    )
    return {"row": row, "case": case, "skp": row.skp, "current": current}


def _action_page(
    request: HttpRequest,
    hr: Hr,
    task: WorkItem,
    action: str,
    form: forms.Form,
    extra: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {**_task_context(task, hr), "action": action, "form": form, **(extra or {})}
    return _page(request, hr, "skp/hr/stuck_action.html", "stuck", context, status)


@require_http_methods(["GET", "POST"])
def stuck_reassign(request: HttpRequest, task_id: int) -> HttpResponse:
    """Give the task to another user of the agency, with the reason."""
    hr, task = _task_for(request, task_id)
    prefix = f"t{task.pk}"
    search = UserSearchForm(request.GET or None, prefix=prefix)
    query = search.cleaned_data.get("q", "") if search.is_valid() else ""
    shown = search_users(hr.agency, query) if query else []
    if request.method != "POST":
        form = ReassignForm(prefix=prefix, agency=hr.agency, shown=shown)
        return _action_page(request, hr, task, "reassign", form, {"search": search})
    form = ReassignForm(request.POST, prefix=prefix, agency=hr.agency)
    if form.is_valid():
        data = form.cleaned_data
        done = run_action(
            form,
            lambda: engine.reassign_task(
                task_id=task.pk, actor=hr.user, to_user=data["to_user"], reason=data["reason"]
            ),
        )
        if done is not None:
            messages.success(
                request,
                _("Tugas %(stage)s pada %(title)s dialihkan kepada %(user)s.")
                % {
                    "stage": _stage_name(_case_of(task), task.stage_key),
                    "title": _case_of(task).title,
                    "user": data["to_user"],
                },
            )
            audit_id = _latest_audit(task.case_id, AuditCode.TASK_REASSIGNED)
            return redirect(_console_url([audit_id]))
    form.show_users(shown)
    return _action_page(request, hr, task, "reassign", form, {"search": search})


@require_http_methods(["GET", "POST"])
def stuck_return(request: HttpRequest, task_id: int) -> HttpResponse:
    """Send the task's document back to an earlier stage, with the reason."""
    hr, task = _task_for(request, task_id)
    case = _case_of(task)
    form = ReturnForm(
        request.POST if request.method == "POST" else None,
        prefix=f"t{task.pk}",
        stages=_earlier_stages(case),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = run_action(
            form,
            lambda: engine.admin_return_case(
                case_id=case.pk, actor=hr.user, to_stage=data["to_stage"], reason=data["reason"]
            ),
        )
        if done is not None:
            messages.success(
                request,
                _("%(title)s dikembalikan ke tahap %(stage)s.")
                % {"title": case.title, "stage": _stage_name(case, data["to_stage"])},
            )
            return redirect(_console_url([_latest_audit(case.pk, AuditCode.CASE_RETURNED)]))
    return _action_page(request, hr, task, "return", form)


@require_http_methods(["GET", "POST"])
def stuck_cancel(request: HttpRequest, task_id: int) -> HttpResponse:
    """Cancel the task's document (it can be revived later), with the reason."""
    hr, task = _task_for(request, task_id)
    case = _case_of(task)
    form = ReasonForm(request.POST if request.method == "POST" else None, prefix=f"t{task.pk}")
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        done = run_action(
            form, lambda: engine.cancel_case(case_id=case.pk, actor=hr.user, reason=reason)
        )
        if done is not None:
            messages.success(request, _("%(title)s dibatalkan.") % {"title": case.title})
            return redirect(_console_url([_latest_audit(case.pk, AuditCode.CASE_CANCELLED)]))
    return _action_page(request, hr, task, "cancel", form)


@dataclass(frozen=True)
class BulkOutcome:
    """What happened to one task of a bulk reassignment."""

    task_id: int
    title: str
    message: str
    ok: bool
    audit_id: int | None = None


def _reassign_one(hr: Hr, task_id: int, to_user: User, reason: str) -> BulkOutcome:
    """Reassign one task in its own transaction; a refusal leaves the others untouched."""
    task = (
        WorkItem.objects.filter(
            pk=task_id, process__case__process_kind=KIND, process__case__tenant_id=hr.agency.pk
        )
        .select_related("process__case")
        .first()
    )
    if task is None:
        return BulkOutcome(task_id, f"#{task_id}", _("Tugas tidak ditemukan."), ok=False)
    title = _case_of(task).title
    try:
        engine.reassign_task(task_id=task.pk, actor=hr.user, to_user=to_user, reason=reason)
    except ActionForbidden as error:
        raise PermissionDenied(error.message) from error
    except WorkflowError as error:
        return BulkOutcome(task_id, title, error.message, ok=False)
    audit_id = _latest_audit(task.case_id, AuditCode.TASK_REASSIGNED)
    return BulkOutcome(task_id, title, _("dialihkan"), ok=True, audit_id=audit_id)


@require_POST
@agency_page
def stuck_bulk_reassign(request: HttpRequest, hr: Hr) -> HttpResponse:
    """Reassign the ticked tasks to one user; report each task's success or refusal."""
    task_ids = [int(value) for value in request.POST.getlist("massal-task") if value.isdigit()]
    form = _bulk_form(hr, request.POST, task_ids=task_ids)
    if not form.is_valid():
        return _console_page(request, hr, bulk_form=form)
    data = form.cleaned_data
    outcomes = [
        _reassign_one(hr, task_id, data["to_user"], data["reason"]) for task_id in data["task"]
    ]
    for outcome in outcomes:
        if outcome.ok:
            messages.success(
                request,
                _("%(title)s: dialihkan kepada %(user)s.")
                % {"title": outcome.title, "user": data["to_user"]},
            )
        else:
            messages.error(
                request,
                _("%(title)s: tidak dialihkan. %(message)s")
                % {"title": outcome.title, "message": outcome.message},
            )
    return redirect(_console_url([outcome.audit_id for outcome in outcomes]))


def _cancelled(agency: Agency) -> QuerySet[Skp]:
    return Skp.objects.filter(agency=agency, case__phase=Phase.CANCELLED)


@require_GET
@agency_page
def cancelled_list(request: HttpRequest, hr: Hr) -> HttpResponse:
    """List the agency's cancelled SKPs with the reason, each with its revive form."""
    reason = (
        AuditEntry.objects.filter(case_id=OuterRef("case_id"), code=AuditCode.CASE_CANCELLED)
        .order_by("-sequence")
        .values("reason")[:1]
    )
    cancelled_at = (
        AuditEntry.objects.filter(case_id=OuterRef("case_id"), code=AuditCode.CASE_CANCELLED)
        .order_by("-sequence")
        .values("created_at")[:1]
    )
    skps = (
        _cancelled(hr.agency)
        .select_related("employee", "unit", "cycle", "case")
        .annotate(cancel_reason=Subquery(reason), cancelled_at=Subquery(cancelled_at))
        .order_by("employee__name", "pk")
    )
    page: Page[Any] = Paginator(skps, PAGE_SIZE).get_page(request.GET.get("page"))
    return _page(
        request,
        hr,
        "skp/hr/cancelled_list.html",
        "stuck",
        {
            "page": page,
            "audit_entries": _shown_audit(request, hr.agency),
            "cancelled_count": page.paginator.count,
            "tab": "cancelled",
        },
    )


@require_http_methods(["GET", "POST"])
def skp_revive(request: HttpRequest, pk: int) -> HttpResponse:
    """Bring a cancelled SKP back to the stage it stood in, with the reason."""
    hr, skp = _skp_for(request, pk)
    case = skp.case
    assert case is not None  # _skp_for() keeps SKPs with a case only
    form = ReasonForm(request.POST if request.method == "POST" else None, prefix=f"s{skp.pk}")
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        done = run_action(
            form, lambda: engine.revive_case(case_id=case.pk, actor=hr.user, reason=reason)
        )
        if done is not None:
            messages.success(request, _("%(title)s dihidupkan kembali.") % {"title": case.title})
            audit_id = _latest_audit(case.pk, AuditCode.CASE_REVIVED)
            return redirect(_console_url([audit_id], tab="cancelled"))
    return _page(
        request,
        hr,
        "skp/hr/skp_revive.html",
        "stuck",
        {
            "skp": skp,
            "case": case,
            "form": form,
            "stage_name": _stage_name(case, case.stage_key),
            "cancelled": case.phase == Phase.CANCELLED,
        },
    )


# 4. Dashboards ---------------------------------------------------------------------------


def default_cycle(agency: Agency) -> Cycle | None:
    """Return the cycle the dashboards open on: the newest open one, else the newest."""
    cycles = Cycle.objects.filter(agency=agency)
    return (
        cycles.filter(status=Cycle.Status.OPEN).order_by("-year", "-opened_at", "-pk").first()
        or cycles.order_by("-year", "-pk").first()
    )


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def chart_data(
    funnel: list[dashboards.UnitPhases],
    overdue: list[dashboards.UnitCount],
    curves: list[dashboards.UnitCurve],
    trend: dashboards.PredikatTrend,
) -> dict[str, Any]:
    """Return the four charts' data for Chart.js (labels already translated)."""
    return {
        "funnel": {
            "units": [row.unit_name for row in funnel],
            "series": [
                {
                    "key": str(phase),
                    "label": str(PHASE_LABELS[phase]),
                    "counts": [row.counts.get(phase, 0) for row in funnel],
                }
                for phase in dashboards.FUNNEL_PHASES
            ],
        },
        "overdue": {
            "units": [row.unit_name for row in overdue],
            "counts": [row.count for row in overdue],
            "label": _("Tugas terlambat"),
        },
        "curve": [
            {
                "unit": curve.unit_name,
                "organisation": str(curve.organisation.label),
                "categories": [category.label for category in curve.categories],
                "actual": [_number(category.share) for category in curve.categories],
                "max": [_number(category.max_percent) for category in curve.categories],
                "min": [_number(category.min_percent) for category in curve.categories],
            }
            for curve in curves
        ],
        "curve_labels": {
            "actual": _("Sebaran aktual (%)"),
            "max": _("Batas maksimal kurva (%)"),
            "min": _("Batas minimal kurva (%)"),
        },
        "trend": {
            "periods": [period.label for period in trend.periods],
            "series": [
                {
                    "key": str(predikat.value),
                    "label": str(predikat.label),
                    "counts": trend.chart_counts(predikat),
                }
                for predikat in trend.series
            ],
        },
        "axis": {"units": _("Unit kerja"), "count": _("Jumlah"), "percent": _("Persen")},
    }


@require_GET
@agency_page
def dashboard(request: HttpRequest, hr: Hr) -> HttpResponse:
    """Show the selected cycle's funnel, overdue tasks, curve conformity and trend."""
    form = DashboardForm(request.GET or None, agency=hr.agency)
    cycle = (
        form.cleaned_data["siklus"]
        if form.is_bound and form.is_valid()
        else default_cycle(hr.agency)
    )
    context: dict[str, Any] = {"form": form, "cycle": cycle}
    if cycle is not None:
        funnel = dashboards.phase_counts_by_unit(cycle)
        overdue = dashboards.overdue_by_unit(cycle)
        curves = dashboards.curve_by_unit(cycle)
        trend = dashboards.predikat_trend(cycle)
        context.update(
            {
                "funnel": funnel,
                "funnel_totals": dashboards.phase_totals(funnel),
                "funnel_labels": [PHASE_LABELS[phase] for phase in dashboards.ALL_PHASES],
                "overdue": overdue,
                "overdue_total": sum(row.count for row in overdue),
                "curves": curves,
                "curve_per_appraiser": settings_for(hr.agency.pk).curve_population
                == CurvePopulation.DIRECT_REPORTS,
                "trend": trend,
                "predikat_labels": [predikat.label for predikat in Predikat],
                "chart_data": chart_data(funnel, overdue, curves, trend),
            }
        )
        if form.is_bound is False:
            form.initial["siklus"] = cycle.pk
    return _page(request, hr, "skp/hr/dashboard.html", "dashboard", context)
