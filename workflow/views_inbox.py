"""The task inbox: my tasks, my teams' queue, what is late, and what I finished.

Each tab reads one selector (``inbox_for``, ``queue_for``, ``overdue_for``, ``done_by``), so
a page costs the same few queries for 1 or 100 tasks. Claiming and releasing go through
``actions.claim_task`` / ``actions.unclaim_task``; a refusal is shown as a message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from workflow import actions, policy, selectors
from workflow.errors import WorkflowError
from workflow.models import Case, WorkItem
from workflow.registry import UnknownProcess, get_process

PAGE_SIZE = 50

TABS = (
    ("mine", gettext_lazy("Tugas saya"), "workflow:inbox"),
    ("queue", gettext_lazy("Antrean tim"), "workflow:inbox_queue"),
    ("overdue", gettext_lazy("Terlambat"), "workflow:inbox_overdue"),
    ("done", gettext_lazy("Selesai"), "workflow:inbox_done"),
)


@dataclass(frozen=True)
class TaskRow:
    """One task as the inbox shows it."""

    task: WorkItem
    case: Case
    stage_name: str
    phase_label: str
    url: str
    capacity: str  # "a.n. <name> (<post>)" when acting for someone, else ""
    can_release: bool


def _case_urls(cases: list[Case]) -> dict[int, str]:
    """Return each case's page, asking each process once for all its cases on the page."""
    urls: dict[int, str] = {}
    by_kind: dict[str, list[Case]] = {}
    for case in cases:
        by_kind.setdefault(case.process_kind, []).append(case)
    for kind, group in by_kind.items():
        try:
            urls.update(get_process(kind).urls_for(group))
        except UnknownProcess:
            continue
    return urls


def _rows(user: Any, tasks: Any, delegations: dict[int, str]) -> list[TaskRow]:
    rows = []
    tasks = list(tasks)
    urls = _case_urls([task.process.case for task in tasks])
    for task in tasks:
        case = task.process.case
        try:
            spec = case.template_version.stage(task.stage_key)
            stage_name, phase_label = spec.name, spec.phase_label
        except KeyError:
            stage_name, phase_label = task.stage_key, case.get_phase_display()
        principal = None
        if task.acting_for_id is not None and task.acting_for_id != user.pk:
            principal = task.acting_for
        elif task.owner_id is not None and task.owner_id != user.pk:
            principal = task.owner
        capacity = ""
        if principal is not None:
            capacity = _("a.n. %(name)s") % {"name": selectors.person_name(principal)}
            post = delegations.get(principal.pk, "")
            if post:
                capacity = f"{capacity} ({post})"
        rows.append(
            TaskRow(
                task=task,
                case=case,
                stage_name=stage_name,
                phase_label=phase_label,
                url=urls.get(case.pk, ""),
                capacity=capacity,
                can_release=bool(task.is_pool and task.owner_id == user.pk),
            )
        )
    return rows


def _delegations(user: Any) -> dict[int, str]:
    """Return the posts ``user`` holds for others today, by principal (one query)."""
    held = policy.active_delegations(user.pk, timezone.localdate()).order_by("starts_on")
    return {
        delegation.principal_id: delegation.capacity_label
        + (f" ({delegation.reference})" if delegation.reference else "")
        for delegation in held
    }


def _tab(request: HttpRequest, tab: str, queryset: QuerySet[WorkItem], empty: str) -> HttpResponse:
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = _rows(request.user, page.object_list, _delegations(request.user))
    tabs = [(key, label, url_name, key == tab) for key, label, url_name in TABS]
    return render(
        request,
        "workflow/inbox/inbox.html",
        {
            "tab": tab,
            "tabs": tabs,
            "page": page,
            "rows": rows,
            "empty": empty,
            # An empty "mine" tab points to claimable work, which a notification may
            # have announced as "menunggu tindakan Anda" (one query, only when empty).
            "queue_waiting": tab == "mine"
            and not rows
            and selectors.queue_for(request.user).exists(),
        },
    )


@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """List my open tasks (and those of anyone I act for today), soonest due first."""
    return _tab(
        request, "mine", selectors.inbox_for(request.user), _("Tidak ada tugas yang menunggu Anda.")
    )


@require_GET
def inbox_queue(request: HttpRequest) -> HttpResponse:
    """List unclaimed team and pool tasks I may claim."""
    return _tab(request, "queue", selectors.queue_for(request.user), _("Antrean tim kosong."))


@require_GET
def inbox_overdue(request: HttpRequest) -> HttpResponse:
    """List my open tasks whose deadline has passed."""
    return _tab(
        request,
        "overdue",
        selectors.overdue_for(request.user),
        _("Tidak ada tugas yang terlambat."),
    )


@require_GET
def inbox_done(request: HttpRequest) -> HttpResponse:
    """List the tasks I completed, newest first."""
    return _tab(
        request, "done", selectors.done_by(request.user), _("Belum ada tugas yang Anda selesaikan.")
    )


@require_POST
def task_claim(request: HttpRequest, task_id: int) -> HttpResponse:
    """Claim a task from the queue; it moves to my tasks."""
    try:
        actions.claim_task(task_id=task_id, actor=request.user)
    except WorkflowError as error:
        messages.error(request, error.message)
        return redirect("workflow:inbox_queue")
    messages.success(request, _("Tugas diambil dan kini ada di Tugas saya."))
    return redirect("workflow:inbox")


@require_POST
def task_release(request: HttpRequest, task_id: int) -> HttpResponse:
    """Put a claimed pool task back in the queue."""
    try:
        actions.unclaim_task(task_id=task_id, actor=request.user)
    except WorkflowError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Tugas dilepas dan kembali ke antrean tim."))
    return redirect("workflow:inbox")
