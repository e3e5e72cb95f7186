"""Celery tasks of the engine: thin wrappers around functions that are safe to run twice.

Every task here may be delivered more than once (``acks_late``, retries, two beats by
mistake); the functions they call claim their rows with conditional UPDATEs, so a repeat
does nothing.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task

from workflow import conf, jobs, notifications, scheduler


@shared_task(
    name="workflow.tasks.send_notification_email",
    autoretry_for=(OSError,),  # smtplib errors are OSErrors; the claim is released first
    retry_backoff=30,
    retry_backoff_max=3600,
    max_retries=6,
)
def send_notification_email(notification_id: int) -> bool:
    """E-mail one notification (at most once); return True when this run sent it."""
    return notifications.email_notification(notification_id)


@shared_task(name="workflow.tasks.send_daily_digests")
def send_daily_digests() -> int:
    """Send the daily digests; return how many e-mails went out."""
    return notifications.send_daily_digests()


@shared_task(name="workflow.tasks.send_due_reminders")
def send_due_reminders() -> int:
    """Remind owners of tasks due soon; return how many tasks were reminded."""
    return scheduler.send_due_reminders()


@shared_task(name="workflow.tasks.escalate_breaches")
def escalate_breaches() -> int:
    """Escalate overdue tasks; return how many were escalated."""
    return scheduler.escalate_breaches()


@shared_task(
    bind=True,
    name="workflow.tasks.run_job",
    acks_late=True,
    # A worker killed mid-job (OOM, deploy) leaves the message unacknowledged: it is
    # delivered again and the next run continues from the last committed batch.
    reject_on_worker_lost=True,
    max_retries=24,
)
def run_job(self: Any, job_id: int) -> str:
    """Run or continue a long job; retry later while another live run holds it."""
    outcome = jobs.run_job(job_id)
    if outcome == jobs.RunOutcome.BUSY and not self.request.is_eager:
        # The holder may have died without a trace; once its heartbeat is stale this
        # retry takes the job over (or finds it finished and leaves it).
        raise self.retry(countdown=conf.job_stale_seconds())
    return str(outcome)


@shared_task(name="workflow.tasks.resume_stale_jobs")
def resume_stale_jobs() -> int:
    """Start again the long jobs whose worker died (safe to run twice)."""
    return jobs.resume_stale_jobs()
