"""Reminders and escalation driven by task due times; run by Celery beat or ``run_scheduler``.

Both functions may run twice in a row or in two schedulers at once: each task is claimed
with a conditional UPDATE (``reminded_at`` / ``escalated_at`` still empty) under its case's
row lock, and only the run whose UPDATE changed the row notifies. A reminder and its
notification rows commit together; an escalation is the engine action
``workflow.actions.escalate_task`` (audited), whose notifications follow its commit.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from workflow import actions, conf, jobs, notifications, selectors
from workflow.errors import WorkflowError
from workflow.models import AuditCode, WorkItem

logger = logging.getLogger(__name__)


def send_due_reminders(now: datetime.datetime | None = None) -> int:
    """Remind the owners (or pool candidates) of tasks due within ``WORKFLOW_REMINDER_HOURS``.

    Each task is reminded once (``reminded_at``); tasks with nobody to remind are left for
    a later run (an admin may assign them meanwhile). Return how many tasks were reminded.
    """
    moment = now or timezone.now()
    until = moment + datetime.timedelta(hours=conf.reminder_hours())
    reminded = 0
    for task_id, case_id in selectors.tasks_to_remind(moment, until).values_list(
        "pk", "process_id"
    ):
        try:
            reminded += _remind(int(task_id), int(case_id), moment)
        except Exception:
            logger.exception("Could not remind task %s", task_id)
    return reminded


def _remind(task_id: int, case_id: int, moment: datetime.datetime) -> int:
    with transaction.atomic():
        # The case row first, as every action does: the claim below then never waits for an
        # action that already holds the case while it waits for this task's row.
        case = actions.lock_case(case_id)
        task = WorkItem.objects.filter(
            pk=task_id,
            status__in=actions.OPEN_TASK_STATUSES,
            reminded_at__isnull=True,
            visit=case.visit,
            stage_key=case.stage_key,
        ).first()
        if task is None or not case.is_open:
            return 0
        recipients = [task.owner_id] if task.owner_id is not None else task.candidate_ids
        if not recipients:
            return 0
        claimed = WorkItem.objects.filter(pk=task_id, reminded_at__isnull=True).update(
            reminded_at=moment
        )
        if claimed != 1:
            return 0
        title, body = notifications.reminder_text(case, task)
        notifications.create_notifications(
            recipients,
            tenant_id=case.tenant_id,
            case_id=case.pk,
            code=AuditCode.TASK_REMINDED,
            title=title,
            body=body,
            url=notifications.case_url(case),
            now=moment,
        )
    return 1


def escalate_breaches(now: datetime.datetime | None = None) -> int:
    """Escalate every overdue, not yet escalated task once; return how many were escalated.

    What happens depends on each stage's ``on_breach`` (see ``actions.escalate_task``); a
    task another scheduler escalated first is skipped.
    """
    moment = now or timezone.now()
    escalated = 0
    task_ids = list(selectors.tasks_to_escalate(moment).values_list("pk", flat=True))
    for task_id in task_ids:
        try:
            actions.escalate_task(
                task_id=task_id, reason=_("Melewati batas waktu tahap."), now=moment
            )
        except WorkflowError:
            continue  # escalated by another run, or completed meanwhile
        except Exception:
            logger.exception("Could not escalate task %s", task_id)
            continue
        escalated += 1
    return escalated


# Periodic work of processes (and of the engine's jobs) that ``run_once`` runs beside the
# reminders, for installations without Celery beat. Each function takes the moment and returns
# how many things it did; each must be safe to run twice or in two schedulers at once.
PeriodicFunction = Callable[[datetime.datetime], int]
_PERIODIC: dict[str, PeriodicFunction] = {}


def register_periodic(name: str, function: PeriodicFunction) -> PeriodicFunction:
    """Run ``function`` on every ``run_once`` under ``name`` (idempotent)."""
    _PERIODIC[name] = function
    return function


def run_once(now: datetime.datetime | None = None, *, digest: bool = True) -> dict[str, int]:
    """Run reminders, escalation, the registered periodic work and the digest now.

    The daily digest runs unless ``digest`` is False. A failing periodic function is logged
    and reported as -1; the others still run.
    """
    moment = now or timezone.now()
    result = {
        "reminded": send_due_reminders(moment),
        "escalated": escalate_breaches(moment),
    }
    for name, function in sorted(_PERIODIC.items()):
        try:
            result[name] = function(moment)
        except Exception:
            logger.exception("Periodic work %s failed", name)
            result[name] = -1
    if digest:
        result["digests"] = notifications.send_daily_digests(moment)
    return result


register_periodic("jobs_resumed", jobs.resume_stale_jobs)
