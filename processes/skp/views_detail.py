"""The SKP page: one shared header and the tab each module of pages registers.

``/skp/<id>/`` and ``/skp/<id>/<tab>/`` (``skp:detail``, ``skp:detail_tab``) show who the SKP
belongs to, who appraises it today (with the Plt/Plh capacity of an acting official), where
it stands (phase, stage, who acts and by when, in the agency's zone) and its stage diagram,
then one tab from ``processes.skp.tabs``. Anyone who may not see the SKP gets 404
(``access_skp``). A tab's view answers GET and POST alike; POSTs call actions (views never
write models) and redirect after success.

The helpers below are shared by the tab modules: ``tab_url``, ``landing_url`` (the tab to
redirect to after an action that may have moved the SKP back to a phase where the posting
tab does not show), ``attempt`` (call an action and turn its refusal into field errors, the
guard's problems or a message) and ``is_htmx``.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_stubs_ext import StrOrPromise
from viewflow.workflow.status import STATUS

from processes.organisation.identity import EmployeeType, format_number
from processes.organisation.models import ActingAppointment, Employee, PositionHolding
from processes.organisation.selectors import (
    Official,
    appraiser_of,
    appraiser_supervisor_of,
    covering,
)
from processes.skp import tabs
from processes.skp.access import SkpAccess, access_skp, role_day
from processes.skp.actions.assessment import InvalidAssessment
from processes.skp.actions.common import current_form
from processes.skp.actions.monitoring import InvalidMonitoring
from processes.skp.actions.plan import InvalidPlan
from processes.skp.models import Skp
from processes.skp.process import status_label
from workflow import policy
from workflow.errors import GuardFailed, WorkflowError
from workflow.models import Case, WorkItem
from workflow.spec import PHASE_ORDER, Phase

OPEN = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)
PHASE_LABELS: dict[str, StrOrPromise] = dict(Phase.choices)
INVALID_INPUT = (InvalidPlan, InvalidMonitoring, InvalidAssessment)


# Shared by the tab modules -------------------------------------------------------------------


def tab_url(skp: Skp, key: str, anchor: str = "") -> str:
    """Return the URL of the SKP page's tab ``key`` (with ``#anchor`` when given)."""
    url = reverse("skp:detail_tab", kwargs={"skp_id": skp.pk, "tab": key})
    return f"{url}#{anchor}" if anchor else url


def landing_url(skp: Skp, access: SkpAccess, key: str, anchor: str = "") -> str:
    """Return where to go after an action that may have moved the SKP to another stage.

    The tab ``key`` (with ``#anchor``) when the viewer still sees it on the SKP as it
    stands now; otherwise, as after a return to an earlier phase whose tabs do not show
    ``key`` yet, the tab of the SKP's current stage (its default tab), so the redirect
    lands on a page that exists and shows the success message.
    """
    fresh = Skp.objects.select_related("case").filter(pk=skp.pk).first()
    if fresh is None:
        return tab_url(skp, key, anchor)
    visible = tabs.tabs_for(fresh, access)
    if any(item.key == key for item in visible):
        return tab_url(fresh, key, anchor)
    chosen = tabs.default_tab(fresh, access, current_form(fresh))
    if chosen is None:
        return reverse("skp:detail", kwargs={"skp_id": skp.pk})
    return tab_url(fresh, chosen.key)


def is_htmx(request: HttpRequest) -> bool:
    """Return True for a request htmx sent (it swaps part of the page)."""
    return request.headers.get("HX-Request") == "true"


def apply_errors(form: forms.Form, errors: Mapping[str, list[str]]) -> None:
    """Put an action's field errors on the form; unknown fields become form-wide errors."""
    for name, texts in errors.items():
        target = name if name in form.fields else None
        for text in texts:
            form.add_error(target, text)


@dataclass
class Attempt:
    """What came of calling an action from a page."""

    ok: bool
    result: Any = None
    problems: list[str] = field(default_factory=list)  # GuardFailed: each missing input


def attempt(
    request: HttpRequest, call: Callable[[], Any], form: forms.Form | None = None
) -> Attempt:
    """Call an action; turn a refusal into what the page shows and return the outcome.

    Invalid input (``InvalidPlan``, ``InvalidMonitoring``, ``InvalidAssessment``) lands on
    ``form``'s fields; a guard's problems are returned to be listed; any other refusal
    (``WorkflowError``: wrong stage, not allowed, already decided) becomes an error message
    (and a form-wide error too when htmx swaps only the form's part of the page).
    """
    try:
        return Attempt(ok=True, result=call())
    except INVALID_INPUT as error:
        if form is None:
            messages.error(request, error.message)
        else:
            apply_errors(form, error.errors)
        return Attempt(ok=False)
    except GuardFailed as error:
        return Attempt(ok=False, problems=list(error.problems))
    except WorkflowError as error:
        messages.error(request, error.message)
        if form is not None and is_htmx(request):
            form.add_error(None, error.message)
        return Attempt(ok=False)


def saved(request: HttpRequest, url: str, text: str, part: str = "") -> HttpResponse:
    """Redirect after a successful POST; say so in a message, or in ``part`` for htmx.

    htmx follows the redirect and swaps only ``part`` of the page it gets, so a message
    would be lost: the URL carries ``?disimpan=<part>`` and that part shows ``text`` itself.
    """
    if is_htmx(request) and part:
        base = url.partition("#")[0]
        separator = "&" if "?" in base else "?"
        return HttpResponseRedirect(f"{base}{separator}disimpan={part}")
    messages.success(request, text)
    return HttpResponseRedirect(url)


def posted_id(request: HttpRequest, name: str) -> int | None:
    """Return the whole number posted as ``name`` (an id), or None."""
    raw = request.POST.get(name, "").strip()
    return int(raw) if raw.isdigit() and len(raw) <= 18 else None


# The header -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """An official as the header names them: name and the capacity they hold the post in."""

    name: str
    capacity: str


@dataclass(frozen=True)
class Actor:
    """Who acts on the current stage and by when."""

    name: str
    capacity: str
    due_at: datetime.datetime | None
    user_id: int | None = None  # the task's owner (None while a pool task waits)


@dataclass(frozen=True)
class PhaseStep:
    """One phase of the cycle in the header's progress list."""

    label: StrOrPromise
    state: str  # "done", "current" or "todo"


@dataclass(frozen=True)
class Header:
    """Everything the SKP page shows above its tabs."""

    skp: Skp
    case: Case | None
    nip: str
    appraiser: Person | None
    supervisor: Person | None
    phase: str
    phase_label: StrOrPromise
    phase_kind: str  # badge kind
    stage_name: str
    actors: list[Actor]
    due_at: datetime.datetime | None
    steps: list[PhaseStep]


def formatted_nip(employee: Employee) -> str:
    """Return the employee's number grouped as printed on decrees (19860926 201505 1 001)."""
    if len(employee.nip) != 18 or not employee.nip.isdigit():
        return employee.nip
    return format_number(employee.nip, EmployeeType(employee.employee_type))


def person_name(user: Any) -> str:
    """Return a user's full name, or their username when they have none."""
    if user is None:
        return ""
    return str(user.get_full_name() or user.get_username())


def _person(official: Official | None) -> Person | None:
    if official is None:
        return None
    return Person(official.employee.name, official.label)


def current_tasks(case: Case) -> list[WorkItem]:
    """Return the open tasks of the case's current stage (one query)."""
    return list(
        WorkItem.objects.filter(
            process_id=case.pk, visit=case.visit, stage_key=case.stage_key, status__in=OPEN
        )
        .select_related("owner", "acting_for")
        .order_by("pk")
    )


def actors_of(tasks: list[WorkItem]) -> list[Actor]:
    """Describe who holds each open task (a pool task waits for one of its candidates)."""
    actors = []
    for task in tasks:
        name = _("Belum diambil") if task.owner_id is None else person_name(task.owner)
        actors.append(
            Actor(name=name, capacity=task.seat_label, due_at=task.due_at, user_id=task.owner_id)
        )
    return actors


def _steps(phase: str, *, closed: bool) -> list[PhaseStep]:
    """Return the seven phases as done, current or to do.

    "Final" is done only once the document is closed; before that (HR has yet to fix the
    result) it is the current step like any other.
    """
    position = PHASE_ORDER.index(phase) if phase in PHASE_ORDER else -1
    steps = []
    for index, key in enumerate(PHASE_ORDER):
        if (phase == Phase.FINAL and closed) or index < position:
            state = "done"
        elif index == position:
            state = "current"
        else:
            state = "todo"
        steps.append(PhaseStep(PHASE_LABELS[key], state))
    return steps


def phase_kind(case: Case | None) -> str:
    """Return the badge kind for a case's phase."""
    if case is None or case.phase == Phase.CANCELLED:
        return "muted"
    if case.phase == Phase.FINAL and not case.is_open:
        return "ok"
    return "info"


def header_for(skp: Skp) -> Header:
    """Return the header of the SKP page (a fixed number of queries)."""
    on = role_day(skp)
    appraiser = appraiser_of(skp.employee, on).official
    supervisor = appraiser_supervisor_of(skp.employee, on).official
    case = skp.case
    actors: list[Actor] = []
    stage_name = ""
    phase = ""
    if case is not None:
        phase = case.phase
        if case.is_open:
            stage_name = case.current_stage().name
            actors = actors_of(current_tasks(case))
        elif case.phase == Phase.FINAL:
            stage_name = _("Selesai")
    dues = [actor.due_at for actor in actors if actor.due_at is not None]
    return Header(
        skp=skp,
        case=case,
        nip=formatted_nip(skp.employee),
        appraiser=_person(appraiser),
        supervisor=_person(supervisor),
        phase=phase,
        phase_label=status_label(case),
        phase_kind=phase_kind(case),
        stage_name=stage_name,
        actors=actors,
        due_at=min(dues) if dues else None,
        steps=_steps(phase, closed=case is not None and not case.is_open),
    )


# The page -------------------------------------------------------------------------------------


def render_tab(
    request: HttpRequest,
    skp: Skp,
    access: SkpAccess,
    tab: tabs.Tab,
    context: Mapping[str, Any],
    visible: list[tabs.Tab] | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render a tab's context inside the shell (templates/skp/detail/shell.html)."""
    shown = visible if visible is not None else tabs.tabs_for(skp, access)
    return render(
        request,
        "skp/detail/shell.html",
        {
            **context,
            "skp": skp,
            "access": access,
            "header": header_for(skp),
            "tabs": [
                {"tab": item, "url": tab_url(skp, item.key), "current": item.key == tab.key}
                for item in shown
            ],
            "tab": tab,
            "tab_template": tab.template,
            "tab_url": tab_url(skp, tab.key),
            "saved_part": request.GET.get("disimpan", ""),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, skp_id: int, tab: str = "") -> HttpResponse:
    """Show the SKP page with one tab (the one the current stage needs by default)."""
    skp, access = access_skp(request.user, skp_id)
    # Times on the page are the agency's (WIB/WITA/WIT), whoever looks.
    timezone.activate(zoneinfo.ZoneInfo(skp.agency.time_zone))
    visible = tabs.tabs_for(skp, access)
    chosen: tabs.Tab | None
    if tab:
        chosen = next((item for item in visible if item.key == tab), None)
    else:
        if request.method == "POST":
            raise Http404(_("Bagian SKP tidak ditemukan."))
        chosen = tabs.default_tab(skp, access, current_form(skp))
    if chosen is None:
        raise Http404(_("Bagian SKP tidak ditemukan."))
    result = chosen.view(request, skp, access)
    if isinstance(result, HttpResponse):
        return result
    return render_tab(request, skp, access, chosen, result, visible)


# The list of one's SKPs -------------------------------------------------------------------------

APPRAISED_SHOWN = 10


@dataclass(frozen=True)
class SkpRow:
    """One SKP of the list with where it stands and who acts."""

    skp: Skp
    phase_label: StrOrPromise
    phase_kind: str
    stage_name: str
    actors: list[Actor]
    due_at: datetime.datetime | None
    url: str


def skp_rows(skps: list[Skp]) -> list[SkpRow]:
    """Describe SKPs loaded with their case and template version (one query for the tasks)."""
    cases = [skp.case for skp in skps if skp.case is not None and skp.case.is_open]
    tasks: dict[int, list[WorkItem]] = {}
    if cases:
        for task in (
            WorkItem.objects.filter(process_id__in=[case.pk for case in cases], status__in=OPEN)
            .select_related("owner", "acting_for")
            .order_by("pk")
        ):
            tasks.setdefault(task.case_id, []).append(task)
    rows = []
    for skp in skps:
        case = skp.case
        actors: list[Actor] = []
        stage_name = ""
        if case is not None and case.is_open:
            stage_name = case.current_stage().name
            current = [
                task
                for task in tasks.get(case.pk, [])
                if task.stage_key == case.stage_key and task.visit == case.visit
            ]
            actors = actors_of(current)
        elif case is not None and case.phase == Phase.FINAL:
            stage_name = _("Selesai")
        dues = [actor.due_at for actor in actors if actor.due_at is not None]
        rows.append(
            SkpRow(
                skp=skp,
                phase_label=status_label(case),
                phase_kind=phase_kind(case),
                stage_name=stage_name,
                actors=actors,
                due_at=min(dues) if dues else None,
                url=reverse("skp:detail", kwargs={"skp_id": skp.pk}),
            )
        )
    return rows


_LIST_RELATED = (
    "cycle",
    "position",
    "unit",
    "employee",
    "case",
    "case__template_version",
)


def own_skps(user: Any) -> list[Skp]:
    """Return the user's own SKPs, the current year first (newest cycle, latest post)."""
    return list(
        Skp.objects.filter(employee__user_id=user.pk)
        .select_related(*_LIST_RELATED)
        .order_by("-cycle__year", "-cycle__starts_on", "-sequence", "-pk")
    )


def appraised_skps(user: Any, day: datetime.date) -> list[Skp]:
    """Return open SKPs of posts reporting to a post the user holds or acts in on ``day``.

    A short list for the SKP list page (the team overview has the full picture): posts held,
    Plt/Plh appointments and delegated rights count; SKPs still in progress only.
    """
    principals = list(
        policy.active_delegations(user.pk, day).values_list("principal_id", flat=True)
    )
    holders = [user.pk, *principals]
    held = PositionHolding.objects.filter(covering(day), employee__user_id__in=holders).values(
        "position_id"
    )
    acting = ActingAppointment.objects.filter(
        starts_on__lte=day, ends_on__gte=day, employee__user_id__in=holders
    ).values("position_id")
    return list(
        Skp.objects.filter(
            Q(position__reports_to_id__in=held) | Q(position__reports_to_id__in=acting),
            case__isnull=False,
            case__closed_at__isnull=True,
        )
        .exclude(case__phase=Phase.CANCELLED)
        .exclude(employee__user_id=user.pk)
        .select_related(*_LIST_RELATED)
        .order_by("-cycle__year", "employee__name", "-sequence")[: APPRAISED_SHOWN + 1]
    )


def optional_url(name: str) -> str:
    """Return the URL named ``name``, or "" while that page does not exist."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


@require_http_methods(["GET"])
def my_list(request: HttpRequest) -> HttpResponse:
    """List the signed-in user's SKPs and, briefly, the SKPs they appraise today."""
    user = request.user
    appraised = appraised_skps(user, timezone.localdate())
    return render(
        request,
        "skp/my_list.html",
        {
            "rows": skp_rows(own_skps(user)),
            "appraised": skp_rows(appraised[:APPRAISED_SHOWN]),
            "more_appraised": len(appraised) > APPRAISED_SHOWN,
            "team_url": optional_url("skp:team"),
        },
    )
